"""Figures written to a run's reports folder (and logged to MLflow from there).

Drawn with scikit-learn's own displays where one exists (confusion matrix, reliability bins).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix_png(scores: dict, title: str, target: Path) -> Path:
    from sklearn.metrics import ConfusionMatrixDisplay

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=110)
    display = ConfusionMatrixDisplay(
        np.asarray(scores["confusion_matrix"]), display_labels=scores["labels"]
    )
    display.plot(ax=ax, cmap="Blues", colorbar=False, xticks_rotation=30)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"{title}  (macro-F1 {scores['macro_f1']:.3f})")
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
    return target


def reliability_png(
    gold: list[str], proba: np.ndarray, labels: list[str], target: Path, bins: int = 10
) -> Path:
    """One-vs-rest reliability curve per label (sklearn's ``calibration_curve`` bins)."""
    from sklearn.calibration import calibration_curve

    from stance.calibration import per_label_ece

    plt = _pyplot()
    gold_arr = np.asarray(gold)
    ece = per_label_ece(gold, proba, labels, bins)
    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=110)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    for i, label in enumerate(labels):
        observed, predicted = calibration_curve(gold_arr == label, proba[:, i], n_bins=bins)
        ax.plot(
            predicted, observed, marker="o", linewidth=1.5, label=f"{label} (ECE {ece[label]:.3f})"
        )
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("reliability (validation)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
    return target


def coverage_png(
    gold: list[str], proba: np.ndarray, labels: list[str], chosen: dict[str, float], target: Path
) -> Path:
    """Accuracy of the answered rows against coverage as one confidence cut moves, and the chosen point."""
    plt = _pyplot()
    gold_arr = np.asarray(gold)
    predicted = np.asarray(labels)[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    order = np.argsort(-confidence)
    correct = (gold_arr == predicted)[order]
    coverage = np.arange(1, len(order) + 1) / len(order)
    accuracy = np.cumsum(correct) / np.arange(1, len(order) + 1)
    fig, ax = plt.subplots(figsize=(5.2, 4.2), dpi=110)
    ax.plot(coverage, accuracy, linewidth=1.8, label="one confidence cut")
    ax.scatter(
        [chosen["coverage"]],
        [chosen["accuracy"]],
        color="crimson",
        zorder=3,
        label=f"per-label thresholds ({chosen['coverage']:.0%} answered, {chosen['accuracy']:.0%} right)",
    )
    ax.set_xlabel("coverage (share of statements answered)")
    ax.set_ylabel("accuracy of answered statements")
    ax.set_ylim(min(0.5, float(accuracy.min())), 1.01)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("abstention (test split)")
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
    return target
