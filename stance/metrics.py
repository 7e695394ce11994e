"""Scores of predictions against gold labels, as flat dicts MLflow and the CLI can print."""

from __future__ import annotations

from typing import Any


def score(gold: list[str], predicted: list[str], labels: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-label precision/recall/F1/support and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(f1.mean()),
        "per_label": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "labels": list(labels),
        "confusion_matrix": confusion_matrix(gold, predicted, labels=labels).tolist(),
    }


def stance_macro_f1(scores: dict[str, Any]) -> float:
    """Mean F1 of the stance labels (conciliatory, demanding, rejecting) only: a neutral
    answer on a stance row still costs that row's label its recall, but neutral's own F1
    does not count. Equal to ``f1_score(..., labels=stance_labels, average="macro")``."""
    from stance.lexicon import STANCE_LABELS

    f1 = [v["f1"] for label, v in scores["per_label"].items() if label in STANCE_LABELS]
    return sum(f1) / len(f1)


def flat(scores: dict[str, Any], prefix: str) -> dict[str, float]:
    """``validation/macro_f1``, ``validation/f1_rejecting``, … for MLflow."""
    out = {f"{prefix}/accuracy": scores["accuracy"], f"{prefix}/macro_f1": scores["macro_f1"]}
    for label, values in scores["per_label"].items():
        for name in ("precision", "recall", "f1"):
            out[f"{prefix}/{name}_{label}"] = values[name]
    return out


# Metric keys are grouped by their first part (`validation/macro_f1`, `xdomain/f1_legal`), which
# MLflow's run page shows as sections. Runs logged before that used flat keys
# (`validation_macro_f1`); `metric_key` reads those as today's names.
METRIC_GROUPS = (
    "validation",
    "test",
    "xdomain",
    "contrast",
    "seeds",
    "wire",
    "articles",
    "abstain",
)
_RENAMED = {"fit_seconds": "model/fit_seconds", "model_bytes": "model/bytes"}
_RENAMED["n_features"] = "model/n_features"


def metric_key(name: str) -> str:
    """Today's key for a metric name, old flat ones included: ``xdomain_macro_f1`` ->
    ``xdomain/macro_f1``, ``rows_train`` -> ``data/rows_train``, ``best_wire_macro_f1`` ->
    ``best/wire/macro_f1``; a grouped or unknown name is returned as it is."""
    if "/" in name:
        return name
    if name in _RENAMED:
        return _RENAMED[name]
    if name.startswith(("rows_", "dropped_rows_")):
        return f"data/{name}"
    if name.startswith("best_"):
        return f"best/{metric_key(name[5:])}"
    group, sep, rest = name.partition("_")
    return f"{group}/{rest}" if sep and group in METRIC_GROUPS else name


def metric_keys(metrics: dict[str, float]) -> dict[str, float]:
    """``metrics`` under today's keys (a run's own grouped key wins over an old flat one)."""
    out = {metric_key(k): v for k, v in metrics.items() if "/" not in k}
    out.update({k: v for k, v in metrics.items() if "/" in k})
    return out


def table(named_scores: dict[str, dict[str, Any]]) -> str:
    """A plain-text table: one row per label, P/R/F1 per split, then accuracy and macro-F1."""
    splits = list(named_scores)
    labels = named_scores[splits[0]]["labels"]
    width = max(len(label) for label in [*labels, "macro-F1"]) + 2
    head = "".join(f"{split:>24}" for split in splits)
    sub = "".join(f"{'P':>8}{'R':>8}{'F1':>8}" for _ in splits)
    lines = [f"{'':<{width}}{head}", f"{'':<{width}}{sub}"]
    for label in labels:
        cells = ""
        for split in splits:
            v = named_scores[split]["per_label"][label]
            cells += f"{v['precision']:8.3f}{v['recall']:8.3f}{v['f1']:8.3f}"
        lines.append(f"{label:<{width}}{cells}")
    for key, name in (("accuracy", "accuracy"), ("macro_f1", "macro-F1")):
        lines.append(f"{name:<{width}}" + "".join(f"{named_scores[s][key]:24.3f}" for s in splits))
    return "\n".join(lines)


def confusion_text(scores: dict[str, Any]) -> str:
    labels = scores["labels"]
    width = max(len(label) for label in labels) + 2
    lines = ["gold \\ predicted".ljust(width) + "".join(f"{label[:12]:>14}" for label in labels)]
    for label, row in zip(labels, scores["confusion_matrix"], strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{n:>14}" for n in row))
    return "\n".join(lines)
