"""How far to trust a probability: reliability per label, and thresholds for abstaining."""

from __future__ import annotations

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
