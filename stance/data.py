"""The training corpus: each file read once and validated line by line, then held as a
`datasets.DatasetDict` whose ``label`` column is a ``ClassLabel`` of the configured labels."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from stance import StanceError
from stance.io import iter_records, sha256_file

SPLITS = ("train", "validation", "test")
COLUMNS = ("id", "text", "label", "domain", "source", "article_id", "position")
# Columns a split may lack (files written before whole articles, users' own files).
OPTIONAL = ("domain", "source", "article_id", "position")


@dataclass
class Split:
    """One split as the plain lists the pipeline takes, over the rows of ``dataset``.

    The lists are read out of Arrow once and kept: ``dataset["text"]`` is a lazy column whose
    every access re-reads the rows, and a loop that indexed ``labels`` re-decoded the whole
    column per row (quadratic: the leave-one-domain-out refits spent minutes there)."""

    name: str
    path: Path
    dataset: Any  # datasets.Dataset
    streamed = False

    @property
    def rows(self) -> int:
        return len(self.dataset)

    @cached_property
    def _columns(self) -> dict[str, list]:
        return self.dataset.to_dict()

    @property
    def texts(self) -> list[str]:
        return self._columns["text"]

    @cached_property
    def labels(self) -> list[str]:
        return self.dataset.features["label"].int2str(self._columns["label"])

    @property
    def ids(self) -> list[str]:
        return self._columns["id"]

    @property
    def domains(self) -> list[str]:
        return self._columns["domain"]

    @property
    def article_ids(self) -> list[str]:
        """The article each row belongs to ("" for a sentence written alone)."""
        return self._columns["article_id"]

    @property
    def positions(self) -> list[int]:
        """Each row's place in its article (1 is the headline; 0 when it is in none)."""
        return [int(p) if p else 0 for p in self._columns["position"]]


@dataclass
class StreamedSplit:
    """A split read from its file in chunks each time a pass asks for it, never held whole
    (``data.streaming``): validated and counted once by `load_corpus`, before any run starts.

    ``counts`` are the rows kept per label; a pass that finds the file changed since (a bad
    line, a different number of rows) stops with ``file:line``."""

    name: str
    path: Path
    label_names: list[str]
    drop: set[str]
    counts: dict[str, int]
    streamed = True

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def chunks(self, chunk_rows: int, rng=None) -> Iterator[tuple[list[str], list[str]]]:
        """``(texts, labels)`` of at most ``chunk_rows`` rows each, in file order; with a
        numpy ``rng``, the rows inside each chunk are shuffled by it."""
        if chunk_rows < 1:
            raise StanceError(f"config: data.chunk_rows must be at least 1, got {chunk_rows}")
        texts: list[str] = []
        labels: list[str] = []
        seen = 0
        for _, record, label in labelled_rows(self.path, self.label_names, self.drop):
            if label is None:
                continue
            texts.append(record["text"].strip())
            labels.append(label)
            if len(texts) == chunk_rows:
                seen += len(texts)
                yield _shuffled(texts, labels, rng)
                texts, labels = [], []
        seen += len(texts)
        if texts:
            yield _shuffled(texts, labels, rng)
        if seen != self.rows:
            raise StanceError(
                f"{self.path}: {seen} rows now, {self.rows} when training started; "
                "the file changed during the run"
            )


def _shuffled(texts: list[str], labels: list[str], rng) -> tuple[list[str], list[str]]:
    if rng is None:
        return texts, labels
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], [labels[i] for i in order]


@dataclass
class Corpus:
    dataset: Any  # datasets.DatasetDict (the in-memory splits)
    paths: dict[str, Path]
    labels: list[str]
    fingerprint: str
    dropped: dict[str, int]
    streamed: dict[str, StreamedSplit] = field(default_factory=dict)

    @cached_property
    def splits(self) -> dict[str, Split | StreamedSplit]:
        found = {name: Split(name, self.paths[name], self.dataset[name]) for name in self.dataset}
        found.update(self.streamed)
        return {name: found[name] for name in (*SPLITS, *found) if name in found}

    def __getitem__(self, name: str) -> Split:
        return self.splits[name]


def fingerprint(paths: list[Path]) -> str:
    """sha256 over the files' names and contents: changes when any row changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def labelled_rows(
    path: Path, label_names: list[str], drop: set[str]
) -> Iterator[tuple[int, dict, str | None]]:
    """``(row number, record, label)`` of a labelled file, streaming and validated row by row
    (``file:line`` on error); ``label`` is None for a row whose label is in ``drop``."""
    known = set(label_names) | drop
    for n, (lineno, record) in enumerate(iter_records(path, require=("text", "label"))):
        label = record["label"].strip()
        if label not in known:
            raise StanceError(
                f"{path}:{lineno}: label {record['label']!r} is not in the configured label set "
                f"({', '.join(label_names)})"
            )
        yield n, record, None if label in drop else label


def read_split(path: Path, label_names: list[str], drop: set[str]) -> tuple[dict, int]:
    """The columns of one labelled file, validated row by row (``file:line`` on error);
    rows whose label is in ``drop`` are counted, not kept."""
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    dropped = 0
    for n, record, label in labelled_rows(path, label_names, drop):
        if label is None:
            dropped += 1
            continue
        columns["id"].append(str(record.get("id") or n))
        columns["text"].append(record["text"].strip())
        columns["label"].append(label)
        for name in OPTIONAL:
            columns[name].append(str(record.get(name) or ""))
    return columns, dropped


def to_dataset(columns: dict[str, list[str]], label_names: list[str]):
    """A `datasets.Dataset` of `COLUMNS` with ``label`` a ClassLabel (a missing optional
    column is empty)."""
    import datasets

    rows = len(columns["text"])
    columns = {name: columns.get(name) or [""] * rows for name in COLUMNS}
    features = datasets.Features(
        {
            name: datasets.ClassLabel(names=list(label_names))
            if name == "label"
            else datasets.Value("string")
            for name in COLUMNS
        }
    )
    return datasets.Dataset.from_dict(columns, features=features)


def count_split(path: Path, label_names: list[str], drop: set[str]) -> tuple[Counter, int]:
    """Rows per kept label and rows dropped, validating every row, holding none."""
    counts: Counter[str] = Counter()
    dropped = 0
    for _, _, label in labelled_rows(path, label_names, drop):
        if label is None:
            dropped += 1
        else:
            counts[label] += 1
    return counts, dropped


def keep_articles(columns: dict[str, list[str]], fraction: float, seed: int) -> dict:
    """``columns`` with only ``fraction`` of its articles (whole articles, drawn with ``seed``);
    sentences written alone are all kept. For learning curves (`data.article_fraction`)."""
    import random

    if not 0 <= fraction <= 1:
        raise StanceError(f"config: data.article_fraction must be in [0, 1], got {fraction}")
    articles = sorted({a for a in columns["article_id"] if a})
    random.Random(seed).shuffle(articles)
    kept = set(articles[: round(fraction * len(articles))])
    rows = [i for i, a in enumerate(columns["article_id"]) if not a or a in kept]
    return {name: [values[i] for i in rows] for name, values in columns.items()}


def load_corpus(data_cfg, labels_cfg, cache_dir: str | Path | None = None, seed: int = 0) -> Corpus:
    """Read, validate and hold train/validation/test; drop the labels in ``labels_cfg.drop``.

    With ``data.streaming`` the training split is validated and counted here but not held:
    it becomes a `StreamedSplit` that training reads in chunks.

    ``cache_dir`` is unused: the DatasetDict is built in memory from the validated rows
    (kept for callers that pass it).
    """
    import datasets

    datasets.disable_progress_bars()
    label_names = list(labels_cfg.names)
    drop = set(labels_cfg.drop)
    root = Path(data_cfg.dir)
    paths = {name: root / data_cfg[name] for name in SPLITS}
    streaming = bool(data_cfg.get("streaming", False))
    parts, dropped, streamed = {}, {}, {}
    for name, path in paths.items():
        if streaming and name == "train":
            counts, dropped[name] = count_split(path, label_names, drop)
        else:
            columns, dropped[name] = read_split(path, label_names, drop)
            fraction = float(data_cfg.get("article_fraction", 1.0))
            if name == "train" and fraction < 1:
                columns = keep_articles(columns, fraction, seed)
            counts = Counter(columns["label"])
        minimum = (
            data_cfg.min_train_rows_per_label
            if name == "train"
            else data_cfg.min_eval_rows_per_label
        )
        for label in label_names:
            if counts[label] < minimum:
                raise StanceError(
                    f"{path}: label {label!r} has {counts[label]} rows, needs at least {minimum} "
                    f"to {'train' if name == 'train' else 'evaluate'}"
                )
        if streaming and name == "train":
            counts = {label: counts[label] for label in label_names}
            streamed[name] = StreamedSplit(name, path, label_names, drop, counts)
        else:
            parts[name] = to_dataset(columns, label_names)
    return Corpus(
        datasets.DatasetDict(parts),
        paths,
        label_names,
        fingerprint(list(paths.values())),
        dropped,
        streamed,
    )
