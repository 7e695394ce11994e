"""The files a training run writes to its reports folder, all logged to MLflow from there."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from stance.evaluation import EVALUATED, Evaluation


def _write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_reports(folder: Path, model, corpus, result: Evaluation, config: dict[str, Any]) -> Path:
    """Classification report, confusion matrices, misclassified validation rows, top n-grams,
    cross-domain tables, reliability and coverage plots, and the resolved config."""
    from omegaconf import OmegaConf
    from sklearn.metrics import classification_report

    from stance.metrics import confusion_text
    from stance.plots import confusion_matrix_png, coverage_png, reliability_png

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "classification_report.txt", "w", encoding="utf-8") as handle:
        for split in EVALUATED:
            report = classification_report(
                corpus[split].labels,
                result.predicted[split],
                labels=corpus.labels,
                digits=3,
                zero_division=0,
            )
            handle.write(f"== {split} ==\n{report}\n{confusion_text(result.scores[split])}\n\n")
    for split in EVALUATED:
        confusion_matrix_png(result.scores[split], split, folder / f"confusion_matrix_{split}.png")

    validation = corpus["validation"]
    confidence = result.proba["validation"].max(axis=1)
    _write_csv(
        folder / "misclassified_validation.csv",
        ["id", "text", "gold", "predicted", "confidence"],
        (
            [validation.ids[i], validation.texts[i], gold, pred, f"{confidence[i]:.3f}"]
            for i, (gold, pred) in enumerate(
                zip(validation.labels, result.predicted["validation"], strict=True)
            )
            if gold != pred
        ),
    )
    if result.cross_domain:
        _write_csv(
            folder / "xdomain_per_domain.csv",
            ["held_out_domain", "macro_f1"],
            ([d, f"{v:.4f}"] for d, v in result.cross_domain["per_domain"].items()),
        )
        fields = ["gold", "predicted", "count", "share_of_errors", "example"]
        _write_csv(
            folder / "xdomain_top_confusions.csv",
            fields,
            ([c[f] for f in fields] for c in result.cross_domain["top_confusions"]),
        )
    _write_csv(
        folder / "top_ngrams.csv",
        ["label", "rank", "ngram", "weight"],
        (
            [label, rank, gram, weight]
            for label, grams in model.top_ngrams(20).items()
            for rank, (gram, weight) in enumerate(grams, 1)
        ),
    )
    reliability_png(
        validation.labels,
        result.proba["validation"],
        model.labels,
        folder / "reliability_validation.png",
    )
    coverage_png(
        corpus["test"].labels,
        result.proba["test"],
        model.labels,
        result.abstained["test"],
        folder / "abstention_coverage_test.png",
    )
    (folder / "config.yaml").write_text(OmegaConf.to_yaml(config), encoding="utf-8")
    return folder
