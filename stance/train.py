"""`stance-train`: a thin Hydra entry point over a plain ``train(cfg)``."""

from __future__ import annotations

import shutil
import signal
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


# Options whose name alone says nothing in a run's name.
_GENERIC = ("none", "default", "plain")
# Overrides that change where a run writes or what it measures, not the model: left out of names.
_UNNAMED = ("paths.", "tracking.", "hydra.", "evaluation.", "sweep.", "abstention.", "data.dir")


def run_name(cfg: DictConfig) -> str:
    """A short, stable name that tells runs apart: the model, then every override that
    differs from the defaults, a group by its chosen option and a value by its key's last
    part (``logreg-C=3-word_char``, ``logreg-stance3``); class names when run without Hydra."""
    from hydra.core.hydra_config import HydraConfig

    from stance.config import default_choices

    if cfg.tracking.get("run_name"):
        return str(cfg.tracking.run_name)
    if not HydraConfig.initialized():
        model = cfg.model.get("estimator") or cfg.model._target_
        return f"{model.rsplit('.', 1)[-1]}-{cfg.features._target_.rsplit('.', 1)[-1]}"
    hydra_cfg = HydraConfig.get()
    choices = _choices()
    defaults = default_choices()
    values = []
    for override in hydra_cfg.overrides.task:
        key, _, value = override.lstrip("+~").partition("=")
        if ("." in key or key == "seed") and not key.startswith(_UNNAMED):
            value = Path(value).name if "/" in value else value
            values.append((key, f"{key.rsplit('.', 1)[-1]}={value[:24]}"))
    parts = [choices.get("model", "model")]
    parts += [text for key, text in values if key.startswith("model.")]
    parts += [
        option if option not in _GENERIC else f"{group}={option}"  # "register=none", not "none"
        for group, option in choices.items()
        if group != "model" and option != defaults.get(group)
    ]
    parts += [text for key, text in values if not key.startswith("model.")]
    return "-".join(parts)


def build_pipeline(cfg: DictConfig):
    """The sklearn Pipeline whose named steps ``cfg.pipeline`` maps to config groups."""
    from hydra.utils import instantiate
    from sklearn.pipeline import Pipeline

    steps = [
        (step, instantiate(cfg[group], _convert_="all")) for step, group in cfg.pipeline.items()
    ]
    if cfg.get("register"):  # the article register wraps the classifier
        name, clf = steps[-1]
        steps[-1] = (name, instantiate(cfg.register, estimator=clf, _convert_="all"))
    return Pipeline(steps)


def checked_pipeline(cfg: DictConfig):
    """`build_pipeline`, with every step's parameters checked by the estimator's own rules
    (scikit-learn's parameter validation, and ours), so a bad value stops before a run."""
    from hydra.errors import InstantiationException
    from sklearn.base import BaseEstimator

    try:
        pipeline = build_pipeline(cfg)
    except InstantiationException as err:
        raise StanceError(f"config: {_first_line(err)}") from None
    steps = [pipeline, *(v for v in pipeline.get_params().values() if isinstance(v, BaseEstimator))]
    for step in steps:
        own_rules = type(step)._validate_params is not BaseEstimator._validate_params
        if not own_rules and not hasattr(step, "_parameter_constraints"):
            continue
        try:
            step._validate_params()
        except (ValueError, TypeError) as err:
            raise StanceError(f"config: {type(step).__name__}: {_first_line(err)}") from None
    return pipeline


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _fit(pipeline, split, cfg: DictConfig) -> tuple[Any, float]:
    """Fit on the training split: at once, or chunk by chunk when it is streamed."""
    from stance.model import StanceModel

    started = time.perf_counter()
    if split.streamed:
        from stance.streaming import fit_streaming

        fit_streaming(
            pipeline,
            split,
            chunk_rows=cfg.data.chunk_rows,
            epochs=cfg.data.epochs,
            seed=int(cfg.seed),
        )
    else:
        from stance.model import takes_positions

        # The article register learns the label shares of each place of an article.
        where = {f"{pipeline.steps[-1][0]}__positions": split.positions}
        pipeline.fit(split.texts, split.labels, **(where if takes_positions(pipeline) else {}))
    return StanceModel(pipeline, {}), time.perf_counter() - started


def _resolved(cfg: DictConfig) -> dict[str, Any]:
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved.pop("hydra", None)
    return resolved


def _params(resolved: dict[str, Any], seed: int) -> dict[str, str]:
    """The resolved groups as short flat keys, the seed, and each group's chosen option
    (``choice.features=word_char``), by which `stance runs` tells runs apart."""
    from stance.tracking import flatten_params

    groups = ("data", "labels", "preprocess", "features", "model", "register")
    params = {**flatten_params({k: resolved.get(k) or {} for k in groups}), "seed": str(seed)}
    params.update({f"choice.{group}": str(option) for group, option in _choices().items()})
    return params


def _choices() -> dict[str, str]:
    """The option chosen in each config group (none when run without Hydra)."""
    from hydra.core.hydra_config import HydraConfig

    from stance.config import CHOICE_GROUPS

    if not HydraConfig.initialized():
        return {}
    choices = HydraConfig.get().runtime.choices
    return {g: str(choices[g]) for g in CHOICE_GROUPS if choices.get(g) not in (None, "null")}


def _tags(cfg: DictConfig, corpus) -> dict[str, str]:
    from stance.tracking import git_commit, sweep_job

    commit = git_commit(cfg.paths.root)
    tags = {
        "stance.git_commit": commit,
        "mlflow.source.git.commit": commit,
        "stance.data_fingerprint": corpus.fingerprint,
        "stance.labels": ",".join(corpus.labels),
        "stance.output_dir": str(cfg.paths.output_dir),
    }
    job = sweep_job()
    if job is not None:
        tags["stance.sweep_job"] = str(job[0])
        tags["stance.sweep_overrides"] = " ".join(job[1])[:5000]
    return tags


def _corpus_counts(corpus, model) -> dict[str, float]:
    counts = {f"data/rows_{name}": float(split.rows) for name, split in corpus.splits.items()}
    counts.update({f"data/dropped_rows_{name}": float(n) for name, n in corpus.dropped.items()})
    counts["model/n_features"] = float(getattr(model.pipeline[-1], "n_features_in_", 0))
    return counts


def train(cfg: DictConfig) -> tuple[dict[str, float], dict[str, Any]]:
    """Validate the data, fit, evaluate, save, write reports and track the run.

    Returns ``(metrics, objects)``: the flat metrics (``validation/macro_f1`` is what a
    sweeper optimises) and the model, its folder, the evaluation and the MLflow run.
    """
    from stance import tracking
    from stance.data import load_corpus
    from stance.model import move_latest

    register_resolvers()
    register_as = cfg.tracking.register_as if tracking.registers_this_run(cfg.tracking) else None
    pipeline = checked_pipeline(cfg)
    if cfg.data.get("streaming"):
        from stance.streaming import check_streamable

        check_streamable(pipeline, cfg.data.chunk_rows, cfg.data.epochs)
    # A tracking server that is down, or whose database is, stops the run here, before the
    # data is read.
    uri = tracking.tracking_uri(cfg.tracking)
    tracking.check_server(uri)
    tracking.check_store(uri)
    out_dir = Path(cfg.paths.output_dir)
    corpus = load_corpus(cfg.data, cfg.labels, Path(cfg.paths.cache) / "datasets", int(cfg.seed))
    resolved = _resolved(cfg)
    model_dir = out_dir / "model"
    try:
        run, model, metrics, result = _tracked_run(cfg, pipeline, corpus, resolved, register_as)
    except BaseException:
        shutil.rmtree(model_dir, ignore_errors=True)  # a run that fails leaves no model
        raise
    # Only a run that ended well moves `latest`; a sweep's jobs leave it alone (the sweep
    # points it at its winner when it ends).
    latest = None
    if tracking.sweep_job() is None:
        latest = move_latest(model_dir, Path(cfg.paths.models) / "latest", cfg.sweep.select_by)
    return metrics, {
        "latest": latest,
        "model": model,
        "model_dir": model_dir,
        "evaluation": result,
        "run": run,
        "run_id": run.run_id,
    }


def _tracked_run(cfg: DictConfig, pipeline, corpus, resolved: dict, register_as: str | None):
    """The MLflow run: fit, evaluate, save the model, log everything."""
    from stance import tracking
    from stance.artifacts import write_reports
    from stance.evaluation import evaluate

    out_dir = Path(cfg.paths.output_dir)
    with tracking.start_run(cfg.tracking, run_name(cfg), _tags(cfg, corpus)) as run:
        run.log_params(_params(resolved, cfg.seed))
        run.log_inputs(corpus)
        model, fit_seconds = _fit(pipeline, corpus["train"], cfg)
        result = evaluate(model, corpus, cfg, lambda: build_pipeline(cfg))
        if result.skipped:
            run.set_tags({f"stance.skipped.{k}": v for k, v in result.skipped.items()})
        metrics = {
            **result.metrics(),
            **_corpus_counts(corpus, model),
            "model/fit_seconds": fit_seconds,
        }
        model.meta.update(
            run_id=run.run_id,
            run_name=run_name(cfg),
            metrics={k: round(v, 6) for k, v in metrics.items()},
            config=resolved,
            data_fingerprint=corpus.fingerprint,
            thresholds=result.thresholds,
            skipped=result.skipped,
            abstention={
                "target_precision": cfg.abstention.target_precision,
                "chosen_on": "validation",
            },
        )
        model_dir = out_dir / "model"
        metrics["model/bytes"] = float(model.save(model_dir).stat().st_size)
        run.log_metrics(metrics)
        run.log_artifacts(write_reports(out_dir / "reports", model, corpus, result, resolved))
        run.log_artifacts(model_dir, "stance_model")
        if cfg.tracking.log_model:
            run.log_model(model_dir, corpus["validation"].texts, register_as)
    return run, model, metrics, result


SUMMARY = (
    ("validation/articles_macro_f1_4", "validation's article rows, macro-F1 over all labels"),
    ("xdomain/macro_f1", "cross-domain macro-F1 (leave one domain out)"),
    ("contrast/macro_f1", "contrast rows of validation+test, macro-F1"),
    ("seeds/macro_f1", "seed statements, stance macro-F1"),
    ("seeds/macro_f1_4", "seed statements, macro-F1 over all labels"),
    ("wire/macro_f1", "wire test set, stance macro-F1"),
    ("wire/macro_f1_4", "wire test set, macro-F1 over all labels"),
    ("articles/macro_f1_4", "article test set, macro-F1 over all labels"),
    ("articles/macro_f1", "article test set, stance macro-F1"),
    ("articles/neutral_precision", "article test set, precision of neutral"),
    ("articles/ece", "article test set, expected calibration error of the top label"),
    ("articles/speaker_accuracy", "article test set, speakers named as the annotators did"),
)


def print_summary(cfg: DictConfig, metrics: dict[str, float], objects: dict[str, Any]) -> None:
    from stance.metrics import table
    from stance.tracking import sweep_job

    job = sweep_job()
    if job is not None:
        print(f"\n== job {job[0]}: {' '.join(job[1])}")
    print(table(objects["evaluation"].scores))
    for key, name in SUMMARY:
        if key in metrics:
            print(f"{name}: {metrics[key]:.3f}")
    for key, reason in objects["evaluation"].skipped.items():
        print(f"skipped {key}: {reason}")
    run = objects["run"]
    print(f"\nmodel: {objects['model_dir'] / 'model.joblib'}")
    if objects.get("latest"):
        print(objects["latest"])
    registered = (
        f"; registered as {cfg.tracking.register_as} v{run.model_version}"
        if run.model_version
        else ""
    )
    print(f"MLflow: {run.url()}{registered}")


class Stopped(KeyboardInterrupt):
    """SIGTERM (what SLURM and `kill` send) during a run: ended like Ctrl-C, the run KILLED."""


def _stop(signum, frame) -> None:
    raise Stopped(signum)


@hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")
def _hydra_main(cfg: DictConfig) -> float:
    from stance.tracking.store import StoreUnavailable

    try:
        metrics, objects = train(cfg)
    except (StanceError, StoreUnavailable) as err:
        if isinstance(err, StanceError):
            _forget_output_dir(cfg)  # refused before it started: no run folder
        print(f"stance-train: error: {err}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt as err:
        name = "SIGTERM" if isinstance(err, Stopped) else "SIGINT"
        print(
            f"stance-train: stopped by {name}: the run is marked KILLED, no model was kept",
            file=sys.stderr,
        )
        sys.exit(143 if isinstance(err, Stopped) else 130)
    print_summary(cfg, metrics, objects)
    return metrics["validation/macro_f1"]


def _forget_output_dir(cfg: DictConfig) -> None:
    """Remove this run's folder if it holds nothing but what Hydra wrote into it."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return
    folder = Path(HydraConfig.get().runtime.output_dir)
    if folder.is_dir() and all(p.name == ".hydra" or p.suffix == ".log" for p in folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)


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
        print(f"stance-train: error: config: {_one_line(err)}", file=sys.stderr)
        sys.exit(2)


def _one_line(err: Exception) -> str:
    """Hydra's first line, and the valid options it lists below it, on one line."""
    text = str(err).strip()
    first = _first_line(err)
    if "Available options" in text:
        options = []
        for line in text.split("Available options", 1)[1].splitlines()[1:]:
            if not line[:1].isspace() or not line.strip():
                break  # the options are indented; the search path follows them
            options.append(line.strip())
        if options:
            first += f" (options: {', '.join(options)})"
    return first


def main() -> None:
    _check_overrides(sys.argv[1:])
    signal.signal(signal.SIGTERM, _stop)
    _hydra_main()


if __name__ == "__main__":
    main()
