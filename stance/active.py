"""Active learning: the unlabeled statements the model is least sure about, worth labelling next."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Suggestion:
    text: str
    predicted: str
    confidence: float
    margin: float


def least_certain(model, batches: Iterable[list[str]], n: int) -> tuple[list[Suggestion], int]:
    """The ``n`` statements with the smallest margin between the two most probable labels,
    without near duplicates of one another, and how many statements were read.

    Streams ``batches``, keeping only a few times ``n`` candidates in memory.
    """
    import numpy as np

    from stance.text import near_duplicate_pairs

    keep = n * 4
    candidates: list[tuple[float, int, str, str, float]] = []
    seen = 0
    for batch in batches:
        proba = model.predict_proba(batch)
        top2 = np.sort(proba, axis=1)[:, -2:]
        for text, row, (second, first) in zip(batch, proba, top2, strict=True):
            item = (-(first - second), seen, text, model.labels[int(row.argmax())], float(first))
            seen += 1
            if len(candidates) < keep:
                heapq.heappush(candidates, item)
            else:
                heapq.heappushpop(candidates, item)
    ranked = sorted(candidates, reverse=True)
    texts = [c[2] for c in ranked]
    duplicate_of_earlier = (
        {j for _, j, _ in near_duplicate_pairs(texts)} if len(texts) > 1 else set()
    )
    chosen = [c for k, c in enumerate(ranked) if k not in duplicate_of_earlier][:n]
    return [
        Suggestion(text, predicted, confidence, -negative_margin)
        for negative_margin, _, text, predicted, confidence in chosen
    ], seen
