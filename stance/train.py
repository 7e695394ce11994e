"""`stance-train`: a thin Hydra entry point over a plain ``train(cfg)``."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from stance import StanceError
from stance.config import config_dir, register_resolvers

# Sweep workers unpickle `_hydra_main` and so import this module: the resolvers must exist there too.
register_resolvers()


def run_name(cfg: DictConfig) -> str:
    """``logreg-word_cues-negation_masked`` (model-features-preprocess) from Hydra's group
    choices; class names when run without Hydra."""
    from hydra.core.hydra_config import HydraConfig

    if cfg.tracking.get("run_name"):
        return str(cfg.tracking.run_name)
    if HydraConfig.initialized():
        choices = HydraConfig.get().runtime.choices
        parts = [choices.get("model"), choices.get("features"), choices.get("preprocess")]
        if choices.get("labels") not in (None, "stance4"):
            parts.append(choices["labels"])
        return "-".join(str(p) for p in parts if p)
    return f"{cfg.model._target_.rsplit('.', 1)[-1]}-{cfg.features._target_.rsplit('.', 1)[-1]}"


def build_pipeline(cfg: DictConfig):
    """The sklearn Pipeline whose named steps ``cfg.pipeline`` maps to config groups."""
    from hydra.utils import instantiate
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [(step, instantiate(cfg[group], _convert_="all")) for step, group in cfg.pipeline.items()]
    )


def _write_reports(folder: Path, model, corpus, scores: dict[str, dict], proba: dict) -> None:
    from sklearn.metrics import classification_report

    from stance.metrics import confusion_text
    from stance.plots import confusion_matrix_png

    folder.mkdir(parents=True, exist_ok=True)
    predicted = {split: [model.labels[i] for i in p.argmax(axis=1)] for split, p in proba.items()}
    with open(folder / "classification_report.txt", "w", encoding="utf-8") as handle:
        for split in ("validation", "test"):
            report = classification_report(
                corpus[split].labels,
                predicted[split],
                labels=corpus.labels,
                digits=3,
                zero_division=0,
            )
            handle.write(f"== {split} ==\n{report}\n{confusion_text(scores[split])}\n\n")
    for split in ("validation", "test"):
        confusion_matrix_png(scores[split], split, folder / f"confusion_matrix_{split}.png")
    validation = corpus["validation"]
    confidence = proba["validation"].max(axis=1)
    with open(folder / "misclassified_validation.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "gold", "predicted", "confidence"])
        for i, (gold, pred) in enumerate(
            zip(validation.labels, predicted["validation"], strict=True)
        ):
            if gold != pred:
                writer.writerow(
                    [validation.ids[i], validation.texts[i], gold, pred, f"{confidence[i]:.3f}"]
                )
    crossed = scores.get("cross-domain")
    if crossed:
        with open(folder / "xdomain_per_domain.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["held_out_domain", "macro_f1"])
            writer.writerows([d, f"{v:.4f}"] for d, v in crossed["per_domain"].items())
        with open(
            folder / "xdomain_top_confusions.csv", "w", encoding="utf-8", newline=""
        ) as handle:
            writer = csv.DictWriter(
                handle, fieldnames=["gold", "predicted", "count", "share_of_errors", "example"]
            )
            writer.writeheader()
            writer.writerows(crossed["top_confusions"])
    with open(folder / "top_ngrams.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "rank", "ngram", "weight"])
        for label, grams in model.top_ngrams(20).items():
            for rank, (gram, weight) in enumerate(grams, 1):
                writer.writerow([label, rank, gram, weight])


def _calibrate(model, corpus, proba: dict, target_precision: float) -> dict[str, Any]:
    """ECE per label, and abstention thresholds chosen on validation then applied to test."""
    from stance.calibration import abstention, choose_thresholds, per_label_ece

    metrics: dict[str, float] = {}
    for split, p in proba.items():
        ece = per_label_ece(corpus[split].labels, p, model.labels)
        metrics.update({f"{split}_ece_{label}": v for label, v in ece.items()})
        metrics[f"{split}_ece_mean"] = sum(ece.values()) / len(ece)
    thresholds = choose_thresholds(
        corpus["validation"].labels, proba["validation"], model.labels, target_precision
    )
    metrics.update({f"abstain_threshold_{label}": t for label, t in thresholds.items()})
    chosen = {}
    for split, p in proba.items():
        chosen[split] = abstention(corpus[split].labels, p, model.labels, thresholds)
        metrics[f"abstain_coverage_{split}"] = chosen[split]["coverage"]
        metrics[f"abstain_accuracy_{split}"] = chosen[split]["accuracy"]
    return {"metrics": metrics, "thresholds": thresholds, "proba": proba, "chosen": chosen}


def _plot_calibration(folder: Path, model, corpus, calibration: dict[str, Any]) -> None:
    from stance.calibration import coverage_png, reliability_png

    reliability_png(
        corpus["validation"].labels,
        calibration["proba"]["validation"],
        model.labels,
        folder / "reliability_validation.png",
    )
    coverage_png(
        corpus["test"].labels,
        calibration["proba"]["test"],
        model.labels,
        calibration["chosen"]["test"],
        folder / "abstention_coverage_test.png",
    )


def train(cfg: DictConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate the data, fit, evaluate on validation and test, save and track the model.

    Returns ``(metrics, objects)``: the flat metrics (``validation_macro_f1`` is what a
    sweeper optimises) and the model, its folder and the MLflow run id.
    """
    from stance import tracking
    from stance.data import load_corpus
    from stance.evaluation import contrast_scores, cross_domain, heldout_scores
    from stance.metrics import flat, score
    from stance.model import StanceModel, update_latest

    register_resolvers()
    out_dir = Path(cfg.paths.output_dir)
    corpus = load_corpus(cfg.data, cfg.labels, Path(cfg.paths.cache) / "datasets")
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved.pop("hydra", None)
    pipeline = build_pipeline(cfg)
    name = run_name(cfg)
    commit = tracking.git_commit(cfg.paths.root)
    tags = {
        "stance.git_commit": commit,
        "mlflow.source.git.commit": commit,
        "stance.data_fingerprint": corpus.fingerprint,
        "stance.output_dir": str(out_dir),
    }
    with tracking.start_run(cfg.tracking, name, tags) as run:
        params = tracking.flatten_params(
            {k: resolved[k] for k in ("data", "labels", "preprocess", "features", "model")}
        )
        params["seed"] = cfg.seed
        run.log_params(params)
        run.log_inputs(corpus)

        train_split = corpus["train"]
        started = time.perf_counter()
        pipeline.fit(train_split.texts, train_split.labels)
        fit_seconds = time.perf_counter() - started
        model = StanceModel(pipeline, {})

        proba = {
            split: model.predict_proba(corpus[split].texts) for split in ("validation", "test")
        }
        predictions = {
            split: [model.labels[i] for i in p.argmax(axis=1)] for split, p in proba.items()
        }
        scores = {
            split: score(corpus[split].labels, predictions[split], corpus.labels)
            for split in predictions
        }
        metrics: dict[str, float] = {}
        for split, values in scores.items():
            metrics.update(flat(values, split))
        metrics["fit_seconds"] = fit_seconds
        features = pipeline[1:-1].transform(pipeline[0].transform(["x"]))
        metrics["n_features"] = float(features.shape[1]) if hasattr(features, "shape") else 0.0
        metrics.update(
            {f"rows_{split}": float(len(corpus[split].texts)) for split in corpus.splits}
        )
        metrics.update({f"dropped_rows_{split}": float(n) for split, n in corpus.dropped.items()})

        calibration = _calibrate(model, corpus, proba, cfg.abstention.target_precision)
        metrics.update(calibration["metrics"])

        if cfg.evaluation.cross_domain:
            crossed = cross_domain(build_pipeline(cfg), corpus, cfg.evaluation.n_jobs)
            if crossed:
                metrics["xdomain_macro_f1"] = crossed["mean"]
                metrics.update({f"xdomain_f1_{d}": v for d, v in crossed["per_domain"].items()})
                scores["cross-domain"] = crossed
        evaluated = ("validation", "test")
        contrast = contrast_scores(
            [t for split in evaluated for t in corpus[split].texts],
            [y for split in evaluated for y in corpus[split].labels],
            [p for split in evaluated for p in predictions[split]],
            corpus.labels,
        )
        if contrast:
            metrics["contrast_macro_f1"] = contrast["macro_f1"]
            metrics["contrast_rows"] = float(contrast["rows"])
        # Files never trained on: the seed statements of real articles and the wire test set.
        for heldout in ("seeds", "wire"):
            path = cfg.evaluation.get(heldout)
            found = heldout_scores(model, path, corpus.labels) if path else None
            if found:
                metrics[f"{heldout}_macro_f1_4"] = found["macro_f1"]
                metrics[f"{heldout}_macro_f1"] = found["stance_macro_f1"]
                metrics[f"{heldout}_accuracy"] = found["accuracy"]

        model.meta.update(
            run_id=run.run_id,
            run_name=name,
            metrics={k: round(v, 6) for k, v in metrics.items()},
            config=resolved,
            data_fingerprint=corpus.fingerprint,
            thresholds=calibration["thresholds"],
            abstention={
                "target_precision": cfg.abstention.target_precision,
                "chosen_on": "validation",
            },
        )
        model_dir = out_dir / "model"
        model_file = model.save(model_dir)
        metrics["model_bytes"] = float(model_file.stat().st_size)
        run.log_metrics(metrics)

        reports = out_dir / "reports"
        _write_reports(reports, model, corpus, scores, proba)
        _plot_calibration(reports, model, corpus, calibration)
        (reports / "config.yaml").write_text(OmegaConf.to_yaml(resolved), encoding="utf-8")
        run.log_artifacts(reports)
        run.log_artifacts(model_dir, "stance_model")
        if cfg.tracking.log_model:
            run.log_model(model_dir, train_split.texts, cfg.tracking.register_as)
        update_latest(model_dir, Path(cfg.paths.models) / "latest")

    from stance.metrics import table

    print(table({k: v for k, v in scores.items() if k in ("validation", "test")}))
    for key, name in (
        ("xdomain_macro_f1", "cross-domain macro-F1 (leave one domain out)"),
        ("contrast_macro_f1", "contrast rows of validation+test, macro-F1"),
        ("seeds_macro_f1", "seed statements, stance macro-F1"),
        ("wire_macro_f1", "wire test set, stance macro-F1"),
        ("wire_macro_f1_4", "wire test set, macro-F1 over all labels"),
    ):
        if key in metrics:
            print(f"{name}: {metrics[key]:.3f}")
    print(f"\nmodel: {model_file}  (also {Path(cfg.paths.models) / 'latest'})")
    print(
        f"MLflow: {run.url()}"
        + (
            f"; registered as {cfg.tracking.register_as} v{run.model_version}"
            if run.model_version
            else ""
        )
    )
    return metrics, {"model": model, "model_dir": model_dir, "run_id": run.run_id, "scores": scores}


@hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")
def _hydra_main(cfg: DictConfig) -> float:
    try:
        metrics, _ = train(cfg)
    except StanceError as err:
        print(f"stance-train: error: {err}", file=sys.stderr)
        sys.exit(2)
    return metrics["validation_macro_f1"]


def _check_overrides(argv: list[str]) -> None:
    """Report an unknown group option or key in one line, before Hydra's multi-line help."""
    if any(a in ("-m", "--multirun") or a.startswith("-") for a in argv):
        return
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    overrides = [a for a in argv if not a.startswith("hydra")]
    try:
        with initialize_config_dir(str(config_dir()), version_base="1.3"):
            compose("config", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"stance-train: error: config: {first}", file=sys.stderr)
        sys.exit(2)


def main() -> None:
    _check_overrides(sys.argv[1:])
    _hydra_main()


if __name__ == "__main__":
    main()
