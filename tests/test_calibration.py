"""Calibration error per label and abstention thresholds, against cases worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from stance.calibration import (
    abstention,
    choose_thresholds,
    expected_calibration_error,
    per_label_ece,
)


def test_ece_on_a_case_worked_by_hand():
    # Ten bins of width 0.1. Bin 0: one row at 0.05, wrong: |0 - 0.05| = 0.05. Bin 1: two rows
    # at 0.15, one right: |0.5 - 0.15| = 0.35. Bin 8: 0.85, right: 0.15. Bin 9: 0.95, right:
    # 0.05. Weighted by rows: (0.05 + 2 * 0.35 + 0.15 + 0.05) / 5 = 0.19.
    hits = np.array([0, 0, 1, 1, 1])
    confidence = np.array([0.05, 0.15, 0.15, 0.85, 0.95])
    assert expected_calibration_error(hits, confidence) == pytest.approx(0.19)
    # Two bins: [0, 0.5) holds 0.05, 0.15, 0.15 (1 right of 3, mean confidence 0.35/3);
    # [0.5, 1] holds 0.85, 0.95 (both right, mean 0.9).
    low = abs(1 / 3 - 0.35 / 3)
    assert expected_calibration_error(hits, confidence, bins=2) == pytest.approx(
        0.6 * low + 0.4 * 0.1
    )


def test_ece_bin_edges_and_extremes():
    # A confidence on an inner edge belongs to the bin above it: 0.5 pools with 0.9
    # (1 right of 2, mean confidence 0.7), while 0.4 stays apart.
    hits = np.array([1, 0])
    assert expected_calibration_error(hits, np.array([0.5, 0.9]), bins=2) == pytest.approx(0.2)
    assert expected_calibration_error(hits, np.array([0.4, 0.9]), bins=2) == pytest.approx(
        (0.6 + 0.9) / 2
    )
    # 1.0 falls in the last bin, 0.0 in the first.
    assert expected_calibration_error(np.array([1, 0]), np.array([1.0, 0.0])) == 0.0
    assert expected_calibration_error(np.array([0, 1]), np.array([1.0, 0.0])) == 1.0
    assert expected_calibration_error(np.array([1, 0, 1, 0]), np.full(4, 0.5)) == 0.0
    assert isinstance(expected_calibration_error(np.array([1]), np.array([0.3])), float)


def test_per_label_ece_reads_each_labels_own_column():
    # One row per bin for every label, so each label's ECE is the mean |hit - p| of its column:
    #   a: p = .9 .3 .2 .5, hits 1 0 0 1 -> (.1 + .3 + .2 + .5) / 4 = .275
    #   b: p = .05 .6 .2 .3, hits 0 1 0 0 -> (.05 + .4 + .2 + .3) / 4 = .2375
    #   c: p = .05 .1 .6 .2, hits 0 0 1 0 -> (.05 + .1 + .4 + .2) / 4 = .1875
    gold = ["a", "b", "c", "a"]
    proba = np.array([[0.9, 0.05, 0.05], [0.3, 0.6, 0.1], [0.2, 0.2, 0.6], [0.5, 0.3, 0.2]])
    ece = per_label_ece(gold, proba, ["a", "b", "c"])
    assert list(ece) == ["a", "b", "c"]
    assert ece["a"] == pytest.approx(0.275)
    assert ece["b"] == pytest.approx(0.2375)
    assert ece["c"] == pytest.approx(0.1875)
    # bins reach the per-label figure: two bins pool b's .05/.2/.3 (one bin, 0 right).
    two = per_label_ece(gold, proba, ["a", "b", "c"], bins=2)
    assert two["b"] == pytest.approx(0.75 * (0.55 / 3) + 0.25 * 0.4)


@st.composite
def probabilities(draw):
    rows = draw(st.integers(1, 40))
    raw = draw(arrays(np.float64, (rows, 3), elements=st.floats(0.01, 1.0)))
    proba = raw / raw.sum(axis=1, keepdims=True)
    gold = draw(st.lists(st.sampled_from("abc"), min_size=rows, max_size=rows))
    return gold, proba


@settings(max_examples=60, deadline=None)
@given(probabilities())
def test_per_label_ece_is_one_vs_rest_on_random_inputs(case):
    gold, proba = case
    ece = per_label_ece(gold, proba, ["a", "b", "c"])
    for i, label in enumerate("abc"):
        hits = np.array([g == label for g in gold])
        assert ece[label] == pytest.approx(expected_calibration_error(hits, proba[:, i]))
        assert 0.0 <= ece[label] <= 1.0


# Ten validation rows over three labels, worked by hand (target precision 0.75):
#   predicted a, by confidence: .95 right, .90 wrong, .80 right, .70 right, .60 wrong
#       precision of the answers at or above each cut: 1, 1/2, 2/3, 3/4, 3/5
#       -> the lowest cut reaching 0.75 is 0.70
#   predicted b: .70 wrong, .55 wrong -> never precise enough -> 1.01 (always uncertain)
#   predicted c: .80 right, .50 right, .45 wrong -> 1, 1, 2/3 -> 0.50
# Answered under those thresholds: the four a's at >= .70 (3 right) and c's .80 and .50 (both
# right): coverage 6/10, accuracy 5/6.
PROBA = np.array(
    [
        [0.95, 0.03, 0.02],
        [0.90, 0.05, 0.05],
        [0.80, 0.10, 0.10],
        [0.70, 0.20, 0.10],
        [0.60, 0.30, 0.10],
        [0.20, 0.70, 0.10],
        [0.10, 0.55, 0.35],
        [0.10, 0.10, 0.80],
        [0.30, 0.20, 0.50],
        [0.35, 0.20, 0.45],
    ]
)
GOLD = ["a", "b", "a", "a", "c", "a", "c", "c", "c", "b"]


def test_thresholds_on_a_case_worked_by_hand():
    thresholds = choose_thresholds(GOLD, PROBA, ["a", "b", "c"], target_precision=0.75)
    assert thresholds == {"a": pytest.approx(0.70), "b": 1.01, "c": pytest.approx(0.50)}
    assert abstention(GOLD, PROBA, ["a", "b", "c"], thresholds) == {
        "coverage": pytest.approx(0.6),
        "accuracy": pytest.approx(5 / 6),
    }
    # A stricter target: only a's top answer (and c's two) are precise enough.
    strict = choose_thresholds(GOLD, PROBA, ["a", "b", "c"], target_precision=0.9)
    assert strict == {"a": pytest.approx(0.95), "b": 1.01, "c": pytest.approx(0.50)}
    assert abstention(GOLD, PROBA, ["a", "b", "c"], strict) == {
        "coverage": pytest.approx(0.3),
        "accuracy": 1.0,
    }


def test_abstention_with_no_thresholds_and_with_none_answered():
    labels = ["a", "b", "c"]
    everything = abstention(GOLD, PROBA, labels, dict.fromkeys(labels, 0.0))
    assert everything == {"coverage": 1.0, "accuracy": pytest.approx(5 / 10)}
    nothing = abstention(GOLD, PROBA, labels, dict.fromkeys(labels, 1.01))
    assert nothing == {"coverage": 0.0, "accuracy": 0.0}


def test_a_label_never_predicted_is_never_answered():
    proba = np.array([[0.9, 0.1], [0.8, 0.2]])
    assert choose_thresholds(["a", "b"], proba, ["a", "b"], 0.5) == {"a": 0.8, "b": 1.01}
