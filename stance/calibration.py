"""How far to trust a probability: reliability per label, and thresholds for abstaining."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def expected_calibration_error(hits: np.ndarray, confidence: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(hits[inside].mean() - confidence[inside].mean())
    return float(error)


def per_label_ece(
    gold: list[str], proba: np.ndarray, labels: list[str], bins: int = 10
) -> dict[str, float]:
    """One-vs-rest ECE of each label's probability column."""
    gold_arr = np.asarray(gold)
    return {
        label: expected_calibration_error(gold_arr == label, proba[:, i], bins)
        for i, label in enumerate(labels)
    }


def reliability_png(
    gold: list[str], proba: np.ndarray, labels: list[str], target: Path, bins: int = 10
) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gold_arr = np.asarray(gold)
    ece = per_label_ece(gold, proba, labels, bins)
    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=110)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    edges = np.linspace(0, 1, bins + 1)
    for i, label in enumerate(labels):
        which = np.clip(np.digitize(proba[:, i], edges[1:-1]), 0, bins - 1)
        xs, ys = [], []
        for b in range(bins):
            inside = which == b
            if inside.sum() >= 3:
                xs.append(proba[inside, i].mean())
                ys.append((gold_arr[inside] == label).mean())
        ax.plot(xs, ys, marker="o", linewidth=1.5, label=f"{label} (ECE {ece[label]:.3f})")
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("reliability (validation)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
    return target


def choose_thresholds(
    gold: list[str], proba: np.ndarray, labels: list[str], target_precision: float
) -> dict[str, float]:
    """Per label, the lowest confidence at which answers of that label reach ``target_precision``.

    A label that never reaches it gets a threshold above 1: it is always answered `uncertain`.
    """
    gold_arr = np.asarray(gold)
    predicted = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    thresholds = {}
    for i, label in enumerate(labels):
        mine = predicted == i
        conf, correct = confidence[mine], gold_arr[mine] == label
        order = np.argsort(-conf)
        precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
        # Lowest cut whose answers above it, taken together, are precise enough.
        ok = np.nonzero(precision >= target_precision)[0]
        thresholds[label] = float(conf[order][ok[-1]]) if len(ok) else 1.01
    return thresholds


def abstention(
    gold: list[str], proba: np.ndarray, labels: list[str], thresholds: dict[str, float]
) -> dict[str, float]:
    """Coverage (share answered) and accuracy of the answered rows under ``thresholds``."""
    gold_arr = np.asarray(gold)
    predicted = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    limit = np.asarray([thresholds[labels[p]] for p in predicted])
    answered = confidence >= limit
    accuracy = (
        float((gold_arr[answered] == np.asarray(labels)[predicted[answered]]).mean())
        if answered.any()
        else 0.0
    )
    return {"coverage": float(answered.mean()), "accuracy": accuracy}


def coverage_png(
    gold: list[str], proba: np.ndarray, labels: list[str], chosen: dict[str, float], target: Path
) -> Path:
    """Accuracy of the answered rows against coverage as one confidence cut moves, and the chosen point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
