"""Out-of-distribution figures: leave-one-domain-out, and the seed statements of real articles."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from stance.metrics import score, stance_macro_f1


def _held_out(pipeline, train, rows, domain: str, labels: list[str]):
    from sklearn.base import clone

    keep = [i for i, d in enumerate(train.domains) if d != domain]
    model = clone(pipeline).fit([train.texts[i] for i in keep], [train.labels[i] for i in keep])
    texts = [t for t, _, d in rows if d == domain]
    gold = [y for _, y, d in rows if d == domain]
    predicted = model.predict(texts).tolist()
    return domain, score(gold, predicted, labels)["macro_f1"], texts, gold, predicted


def cross_domain(pipeline, corpus, n_jobs: int = -1) -> dict[str, Any]:
    """For each domain, fit a fresh copy on the other domains' training rows and score it on
    every row of the held-out domain (it saw none of them). Domains run in parallel."""
    from joblib import Parallel, delayed

    train = corpus["train"]
    if len(set(train.domains)) < 2:
        return {}
    rows = [
        (t, y, d)
        for split in corpus.splits.values()
        for t, y, d in zip(split.texts, split.labels, split.domains, strict=True)
    ]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_held_out)(pipeline, train, rows, domain, corpus.labels)
        for domain in sorted(set(train.domains))
    )
    per_domain: dict[str, float] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for domain, macro_f1, texts, gold, predicted in results:
        per_domain[domain] = macro_f1
        for text, g, p in zip(texts, gold, predicted, strict=True):
            if g != p:
                confusions[(g, p)] += 1
                examples.setdefault((g, p), text)
    total_errors = sum(confusions.values()) or 1
    top = [
        {
            "gold": g,
            "predicted": p,
            "count": n,
            "share_of_errors": round(n / total_errors, 3),
            "example": examples[(g, p)],
        }
        for (g, p), n in confusions.most_common(10)
    ]
    return {
        "per_domain": per_domain,
        "mean": sum(per_domain.values()) / len(per_domain),
        "top_confusions": top,
    }


def heldout_scores(model, path: str | Path, labels: list[str]) -> dict[str, Any] | None:
    """Scores on a labelled file that is never trained on (the seed statements, the wire
    test set); rows whose label is outside ``labels`` are dropped. None if there is no file."""
    from stance.io import read_labeled

    path = Path(path)
    if not path.is_file():
        return None
    texts, gold = read_labeled(path)
    kept = [(t, y) for t, y in zip(texts, gold, strict=True) if y in labels]
    texts, gold = [t for t, _ in kept], [y for _, y in kept]
    scores = score(gold, model.predict(texts), labels)
    return {"rows": len(texts), **scores, "stance_macro_f1": stance_macro_f1(scores)}


def contrast_scores(texts, gold, predicted, labels: list[str]) -> dict[str, Any] | None:
    """Scores on the contrast rows only (`stance.lexicon.is_contrast`): where the act verb
    has to outweigh the nouns around it."""
    from stance.lexicon import is_contrast

    rows = [
        (g, p) for t, g, p in zip(texts, gold, predicted, strict=True) if is_contrast(t, g)
    ]
    if not rows:
        return None
    scores = score([g for g, _ in rows], [p for _, p in rows], labels)
    return {"rows": len(rows), **scores}
