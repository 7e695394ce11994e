"""Scores against answers worked by hand, and against counts and scikit-learn on random inputs."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.metrics import confusion_text, flat, score, stance_macro_f1, table

C, D, R, N = "conciliatory", "demanding", "rejecting", "neutral"
LABELS = [C, D, R, N]

# Ten statements worked by hand (rows: gold, columns: predicted, in LABELS order):
#
#                conciliatory  demanding  rejecting  neutral | support
#   conciliatory        2          1          0         0    |   3
#   demanding           0          1          1         0    |   2
#   rejecting           0          0          2         0    |   2
#   neutral             1          0          0         2    |   3
#
#   conciliatory  P 2/3  R 2/3  F1 2/3
#   demanding     P 1/2  R 1/2  F1 1/2
#   rejecting     P 2/3  R 1    F1 4/5
#   neutral       P 1    R 2/3  F1 4/5
#   accuracy 7/10; macro-F1 (2/3 + 1/2 + 4/5 + 4/5) / 4 = 83/120 (the largest F1 is 4/5);
#   stance macro-F1 (2/3 + 1/2 + 4/5) / 3 = 59/90.
GOLD = [C, C, C, D, D, R, R, N, N, N]
PREDICTED = [C, C, D, D, R, R, R, N, C, N]
BY_HAND = {
    C: (Fraction(2, 3), Fraction(2, 3), Fraction(2, 3), 3),
    D: (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), 2),
    R: (Fraction(2, 3), Fraction(1), Fraction(4, 5), 2),
    N: (Fraction(1), Fraction(2, 3), Fraction(4, 5), 3),
}
CONFUSION = [[2, 1, 0, 0], [0, 1, 1, 0], [0, 0, 2, 0], [1, 0, 0, 2]]


def test_score_on_a_case_worked_by_hand():
    scores = score(GOLD, PREDICTED, LABELS)
    assert scores["accuracy"] == pytest.approx(0.7)
    assert scores["macro_f1"] == pytest.approx(83 / 120)
    assert scores["labels"] == LABELS
    assert list(scores["per_label"]) == LABELS
    for label, (precision, recall, f1, support) in BY_HAND.items():
        got = scores["per_label"][label]
        assert got["precision"] == pytest.approx(float(precision)), label
        assert got["recall"] == pytest.approx(float(recall)), label
        assert got["f1"] == pytest.approx(float(f1)), label
        assert got["support"] == support, label
    assert scores["confusion_matrix"] == CONFUSION
    assert stance_macro_f1(scores) == pytest.approx(59 / 90)


def test_score_follows_the_order_of_the_labels_given():
    order = [N, R, D, C]
    scores = score(GOLD, PREDICTED, order)
    assert list(scores["per_label"]) == order and scores["labels"] == order
    flipped = [row[::-1] for row in CONFUSION[::-1]]
    assert scores["confusion_matrix"] == flipped
    assert scores["per_label"][R]["recall"] == 1.0 and scores["per_label"][N]["precision"] == 1.0
    assert scores["macro_f1"] == pytest.approx(83 / 120)
    assert stance_macro_f1(scores) == pytest.approx(59 / 90)


def test_a_label_nobody_predicts_counts_zero_in_the_mean():
    # conciliatory: P 1/2, R 1, F1 2/3; demanding: never predicted, F1 0; rejecting and
    # neutral: absent from both lists, F1 0 (no warning, no NaN). Macro-F1 = (2/3) / 4.
    scores = score([C, D], [C, C], LABELS)
    assert scores["macro_f1"] == pytest.approx(1 / 6)
    assert scores["accuracy"] == 0.5
    assert scores["per_label"][D] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert scores["per_label"][N] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert scores["confusion_matrix"] == [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert stance_macro_f1(scores) == pytest.approx(2 / 9)


def test_perfect_and_hopeless_predictions():
    perfect = score(GOLD, GOLD, LABELS)
    assert perfect["accuracy"] == perfect["macro_f1"] == stance_macro_f1(perfect) == 1.0
    shifted = {C: D, D: R, R: N, N: C}
    hopeless = score(GOLD, [shifted[g] for g in GOLD], LABELS)
    assert hopeless["accuracy"] == hopeless["macro_f1"] == stance_macro_f1(hopeless) == 0.0


def test_scores_are_plain_python_numbers():
    scores = score(GOLD, PREDICTED, LABELS)
    assert type(scores["accuracy"]) is float and type(scores["macro_f1"]) is float
    values = scores["per_label"][C]
    assert [type(values[k]) for k in ("precision", "recall", "f1", "support")] == [
        float,
        float,
        float,
        int,
    ]
    assert all(type(n) is int for row in scores["confusion_matrix"] for n in row)


def test_stance_macro_f1_ignores_neutral_and_reads_labels_by_name():
    scores = score(GOLD, PREDICTED, LABELS)
    scores["per_label"][N]["f1"] = 0.0  # neutral's F1 does not count
    assert stance_macro_f1(scores) == pytest.approx(59 / 90)
    three = score(
        [g for g in GOLD if g != N],
        [p for g, p in zip(GOLD, PREDICTED, strict=True) if g != N],
        [R, C, D],
    )
    # Without the neutral rows: conciliatory P 1 R 2/3 F1 4/5; demanding 1/2; rejecting 4/5.
    assert stance_macro_f1(three) == pytest.approx((4 / 5 + 1 / 2 + 4 / 5) / 3)


# --- random inputs: counts by hand and scikit-learn ---------------------------------------

labels_lists = st.lists(st.sampled_from(LABELS), min_size=1, max_size=60)


@st.composite
def gold_and_predicted(draw):
    gold = draw(labels_lists)
    predicted = draw(st.lists(st.sampled_from(LABELS), min_size=len(gold), max_size=len(gold)))
    order = draw(st.permutations(LABELS))
    return gold, predicted, list(order)


def _by_counting(gold, predicted, labels):
    """Precision, recall and F1 per label from true/false positives, no library."""
    pairs = Counter(zip(gold, predicted, strict=True))
    out = {}
    for label in labels:
        tp = pairs[(label, label)]
        fp = sum(n for (g, p), n in pairs.items() if p == label and g != label)
        fn = sum(n for (g, p), n in pairs.items() if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        out[label] = (precision, recall, f1, tp + fn)
    return out, [[pairs[(g, p)] for p in labels] for g in labels]


@settings(max_examples=150, deadline=None)
@given(gold_and_predicted())
def test_score_matches_counting_on_random_inputs(case):
    gold, predicted, labels = case
    scores = score(gold, predicted, labels)
    per_label, confusion = _by_counting(gold, predicted, labels)
    assert scores["confusion_matrix"] == confusion
    for label, (precision, recall, f1, support) in per_label.items():
        got = scores["per_label"][label]
        assert got["precision"] == pytest.approx(precision)
        assert got["recall"] == pytest.approx(recall)
        assert got["f1"] == pytest.approx(f1)
        assert got["support"] == support
    assert scores["macro_f1"] == pytest.approx(sum(v[2] for v in per_label.values()) / 4)
    assert scores["accuracy"] == pytest.approx(
        sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    )


@settings(max_examples=150, deadline=None)
@given(gold_and_predicted())
def test_score_matches_sklearn_on_random_inputs(case):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    gold, predicted, labels = case
    scores = score(gold, predicted, labels)
    assert scores["accuracy"] == pytest.approx(accuracy_score(gold, predicted))
    assert scores["macro_f1"] == pytest.approx(
        f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
    )
    assert scores["confusion_matrix"] == confusion_matrix(gold, predicted, labels=labels).tolist()
    each = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    assert [scores["per_label"][label]["f1"] for label in labels] == pytest.approx(list(each))
    assert stance_macro_f1(scores) == pytest.approx(
        f1_score(gold, predicted, labels=[C, D, R], average="macro", zero_division=0)
    )


# --- what MLflow and the terminal get -----------------------------------------------------


def test_flat_names_every_figure_once():
    scores = score(GOLD, PREDICTED, LABELS)
    flattened = flat(scores, "validation")
    assert len(flattened) == 2 + 3 * len(LABELS)
    assert flattened["validation/accuracy"] == pytest.approx(0.7)
    assert flattened["validation/macro_f1"] == pytest.approx(83 / 120)
    for label, (precision, recall, f1, _) in BY_HAND.items():
        assert flattened[f"validation/precision_{label}"] == pytest.approx(float(precision))
        assert flattened[f"validation/recall_{label}"] == pytest.approx(float(recall))
        assert flattened[f"validation/f1_{label}"] == pytest.approx(float(f1))


def test_table_lays_out_labels_by_splits():
    validation = score(GOLD, PREDICTED, LABELS)
    test = score(GOLD, GOLD, LABELS)
    lines = table({"validation": validation, "test": test}).splitlines()
    width = len("conciliatory") + 2  # the longest name, plus two
    assert lines[0] == " " * width + f"{'validation':>24}{'test':>24}"
    assert lines[1] == " " * width + f"{'P':>8}{'R':>8}{'F1':>8}" * 2
    assert lines[2] == "conciliatory  " + "   0.667   0.667   0.667" + "   1.000   1.000   1.000"
    assert lines[3] == "demanding     " + "   0.500   0.500   0.500" + "   1.000   1.000   1.000"
    assert lines[4] == "rejecting     " + "   0.667   1.000   0.800" + "   1.000   1.000   1.000"
    assert lines[5] == "neutral       " + "   1.000   0.667   0.800" + "   1.000   1.000   1.000"
    assert lines[6] == "accuracy      " + f"{0.7:24.3f}" + f"{1.0:24.3f}"
    assert lines[7] == "macro-F1      " + f"{83 / 120:24.3f}" + f"{1.0:24.3f}"
    assert len(lines) == 8


def test_table_width_follows_the_longest_name():
    scores = score(["a", "b"], ["a", "a"], ["a", "b"])
    lines = table({"x": scores}).splitlines()
    assert lines[2] == "a         " + "   0.500   1.000   0.667"  # "macro-F1" + 2 wide
    assert lines[-1] == "macro-F1  " + f"{1 / 3:24.3f}"


def test_confusion_text_rows_are_gold_columns_predicted():
    lines = confusion_text(score(GOLD, PREDICTED, LABELS)).splitlines()
    width = len("conciliatory") + 2
    assert lines[0] == "gold \\ predicted".ljust(width) + "".join(
        f"{label[:12]:>14}" for label in LABELS
    )
    assert lines[1] == "conciliatory  " + "".join(f"{n:>14}" for n in (2, 1, 0, 0))
    assert lines[4] == "neutral       " + "".join(f"{n:>14}" for n in (1, 0, 0, 2))
    assert len(lines) == 5
    name = "x" * 20
    long = confusion_text(score([name, "y"], [name, "y"], [name, "y"])).splitlines()
    assert long[0] == "gold \\ predicted      " + f"{'x' * 12:>14}" + f"{'y':>14}"
    assert long[1] == name + "  " + f"{1:>14}{0:>14}"
