"""Figures written to a run's reports folder (and logged to MLflow from there)."""

from __future__ import annotations

from pathlib import Path


def confusion_matrix_png(scores: dict, title: str, target: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = scores["labels"]
    matrix = np.asarray(scores["confusion_matrix"])
    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=110)
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"{title}  (macro-F1 {scores['macro_f1']:.3f})")
    high = matrix.max() / 2 if matrix.size else 0
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(j, i, str(n), ha="center", va="center", color="white" if n > high else "black")
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
    return target
