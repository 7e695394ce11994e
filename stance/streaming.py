"""Out-of-core training (``data.streaming``, ``experiment=out_of_core``): the run's own Pipeline
(``prep`` -> ``features`` -> ``clf``) fitted chunk by chunk from a `StreamedSplit`, so no pass
holds more than ``data.chunk_rows`` training rows.

Each step that learns a statistic from the training texts gets one pass of its own, in
pipeline order, reading the chunks through the steps already fitted:

- `TextPreprocessor` with ``mask_entities``: the words seen in lower case (the union over
  chunks is the set a fit on all rows finds);
- `TfidfTransformer`: document frequencies summed over chunks, turned into ``idf_`` with
  scikit-learn's own formula;
- stateless steps (`HashingVectorizer`: scikit-learn's ``requires_fit`` tag is False): none.

Then the classifier learns by ``partial_fit`` over ``epochs`` passes, the rows inside each
chunk shuffled per epoch with the seed (chunks come in file order: a file larger than memory
cannot be shuffled whole, so write it in random order). Anything else (a vocabulary-holding
vectorizer, a calibrated model) is refused before the run starts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from stance import StanceError


def _flatten(steps) -> Iterator[Any]:
    from sklearn.pipeline import Pipeline

    for _, step in steps:
        if isinstance(step, Pipeline):
            yield from _flatten(step.steps)
        elif step is not None and not isinstance(step, str):  # "passthrough"
            yield step


def _leaves(pipeline) -> list[Any]:
    """The transformers before the classifier, nested Pipelines flattened, in order."""
    return list(_flatten(pipeline.steps[:-1]))


def _pass_kind(step) -> str | None:
    """'vocabulary', 'idf', None (stateless), or raises: what fitting ``step`` out of core takes."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.utils import get_tags

    from stance.text import TextPreprocessor

    if isinstance(step, TextPreprocessor):
        return "vocabulary" if step.mask_entities else None
    if isinstance(step, TfidfTransformer):
        return "idf" if step.use_idf else None
    if not get_tags(step).requires_fit:
        return None
    raise StanceError(
        f"config: data.streaming: {type(step).__name__} learns from all training rows at once "
        "and cannot be fitted in chunks; use features=hashing (or experiment=out_of_core)"
    )


def check_streamable(pipeline, chunk_rows: int = 1, epochs: int = 1) -> None:
    """Refuse, before a run starts, a pipeline that cannot be fitted in chunks, or chunks and
    epochs that are not at least one."""
    for name, value in (("chunk_rows", chunk_rows), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise StanceError(f"config: data.{name} must be an integer >= 1, got {value!r}")
    clf = pipeline.steps[-1][1]
    if not hasattr(clf, "partial_fit"):
        raise StanceError(
            f"config: data.streaming: {type(clf).__name__} has no partial_fit; use model=sgd_log "
            "(or experiment=out_of_core)"
        )
    for step in _leaves(pipeline):
        _pass_kind(step)


def _progress(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=" rows",
        unit_scale=True,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=True,
    )


def _read(split, chunk_rows: int, desc: str, rng=None) -> Iterator[tuple[list[str], list[str]]]:
    with _progress(split.rows, desc) as bar:
        for texts, labels in split.chunks(chunk_rows, rng):
            yield texts, labels
            bar.update(len(texts))


def _transform(steps: list[Any], texts: list[str]):
    X: Any = texts
    for step in steps:
        X = step.transform(X)
    return X


def _fit_vocabulary(step, before: list[Any], split, chunk_rows: int) -> None:
    from stance.text import drop_persons, lowercase_vocabulary

    words: set[str] = set()
    first: list[str] | None = None
    for texts, _ in _read(split, chunk_rows, "vocabulary"):
        texts = _transform(before, texts)
        first = texts if first is None else first
        if step.drop_persons:
            texts = [drop_persons(t) for t in texts]
        words |= lowercase_vocabulary(texts)
    step.fit(first or [])  # validates and sets every fitted attribute; the words of all chunks:
    step.vocabulary_ = frozenset(words)


def _fit_idf(step, before: list[Any], split, chunk_rows: int) -> None:
    import scipy.sparse as sp

    df: np.ndarray | None = None
    n_samples = 0
    for texts, _ in _read(split, chunk_rows, "idf"):
        X = sp.csr_array(_transform(before, texts))
        X.sum_duplicates()
        if df is None:
            step.fit(X)  # validates and sets every fitted attribute; idf_ of all chunks below
            df = np.zeros(X.shape[1], dtype=np.int64)
        df += np.bincount(X.indices, minlength=X.shape[1])
        n_samples += X.shape[0]
    # TfidfTransformer.fit's own arithmetic, on the counts of every chunk.
    dtype = step.idf_.dtype
    df = df.astype(dtype)
    df += float(step.smooth_idf)
    n_samples += int(step.smooth_idf)
    idf = np.full_like(df, fill_value=n_samples, dtype=dtype)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    step.idf_ = idf


def balanced_weights(counts: dict[str, int]) -> dict[str, float]:
    """``class_weight="balanced"`` from row counts: n_samples / (n_classes * rows of the class),
    scikit-learn's formula (`compute_class_weight`), which ``partial_fit`` cannot apply itself."""
    total = sum(counts.values())
    return {label: total / (len(counts) * n) for label, n in counts.items()}


def fit_streaming(pipeline, split, *, chunk_rows: int, epochs: int, seed: int) -> dict[str, int]:
    """Fit ``pipeline`` on ``split`` (a `StreamedSplit`) chunk by chunk, in place.

    Returns what the passes saw: ``passes``, ``chunks`` (per pass) and ``max_chunk_rows``.
    """
    check_streamable(pipeline, chunk_rows, epochs)
    labels = list(split.label_names)
    leaves = _leaves(pipeline)
    passes = 0
    for i, step in enumerate(leaves):
        kind = _pass_kind(step)
        if kind == "vocabulary":
            _fit_vocabulary(step, leaves[:i], split, chunk_rows)
            passes += 1
        elif kind == "idf":
            _fit_idf(step, leaves[:i], split, chunk_rows)
            passes += 1
        else:
            step.fit([])  # stateless: validates its parameters only
    clf = pipeline.steps[-1][1]
    if getattr(clf, "class_weight", None) == "balanced":
        clf.set_params(class_weight=balanced_weights(split.counts))
    chunks = max_rows = 0
    for epoch in range(epochs):
        rng = np.random.default_rng([seed, epoch])
        chunks = 0
        for texts, y in _read(split, chunk_rows, f"epoch {epoch + 1}/{epochs}", rng):
            clf.partial_fit(_transform(leaves, texts), y, classes=labels)
            chunks += 1
            max_rows = max(max_rows, len(texts))
        passes += 1
    return {"passes": passes, "chunks": chunks, "max_chunk_rows": max_rows}
