"""The training corpus: each file read once and validated line by line, then held as a
`datasets.DatasetDict` whose ``label`` column is a ``ClassLabel`` of the configured labels."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from stance import StanceError
from stance.io import iter_records, sha256_file

SPLITS = ("train", "validation", "test")
COLUMNS = ("id", "text", "label", "domain")


@dataclass
class Split:
    """One split as the plain lists the pipeline takes, over the rows of ``dataset``.

    The lists are read out of Arrow once and kept: ``dataset["text"]`` is a lazy column whose
    every access re-reads the rows, and a loop that indexed ``labels`` re-decoded the whole
    column per row (quadratic: the leave-one-domain-out refits spent minutes there)."""

    name: str
    path: Path
    dataset: Any  # datasets.Dataset

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


@dataclass
class Corpus:
    dataset: Any  # datasets.DatasetDict
    paths: dict[str, Path]
    labels: list[str]
    fingerprint: str
    dropped: dict[str, int]

    @cached_property
    def splits(self) -> dict[str, Split]:
        return {name: Split(name, self.paths[name], self.dataset[name]) for name in self.dataset}

    def __getitem__(self, name: str) -> Split:
        return self.splits[name]


def fingerprint(paths: list[Path]) -> str:
    """sha256 over the files' names and contents: changes when any row changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def read_split(path: Path, label_names: list[str], drop: set[str]) -> tuple[dict, int]:
    """The columns of one labelled file, validated row by row (``file:line`` on error);
    rows whose label is in ``drop`` are counted, not kept."""
    known = set(label_names) | drop
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    dropped = 0
    for n, (lineno, record) in enumerate(iter_records(path, require=("text", "label"))):
        label = record["label"].strip()
        if label not in known:
            raise StanceError(
                f"{path}:{lineno}: label {record['label']!r} is not in the configured label set "
                f"({', '.join(label_names)})"
            )
        if label in drop:
            dropped += 1
            continue
        columns["id"].append(str(record.get("id") or n))
        columns["text"].append(record["text"].strip())
        columns["label"].append(label)
        columns["domain"].append(str(record.get("domain") or ""))
    return columns, dropped


def to_dataset(columns: dict[str, list[str]], label_names: list[str]):
    """A `datasets.Dataset` of id/text/label/domain with ``label`` a ClassLabel."""
    import datasets

    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "label": datasets.ClassLabel(names=list(label_names)),
            "domain": datasets.Value("string"),
        }
    )
    return datasets.Dataset.from_dict(columns, features=features)


def load_corpus(data_cfg, labels_cfg, cache_dir: str | Path | None = None) -> Corpus:
    """Read, validate and hold train/validation/test; drop the labels in ``labels_cfg.drop``.

    ``cache_dir`` is unused: the DatasetDict is built in memory from the validated rows
    (kept for callers that pass it).
    """
    import datasets

    datasets.disable_progress_bars()
    label_names = list(labels_cfg.names)
    drop = set(labels_cfg.drop)
    root = Path(data_cfg.dir)
    paths = {name: root / data_cfg[name] for name in SPLITS}
    parts, dropped = {}, {}
    for name, path in paths.items():
        columns, dropped[name] = read_split(path, label_names, drop)
        minimum = (
            data_cfg.min_train_rows_per_label
            if name == "train"
            else data_cfg.min_eval_rows_per_label
        )
        counts = Counter(columns["label"])
        for label in label_names:
            if counts[label] < minimum:
                raise StanceError(
                    f"{path}: label {label!r} has {counts[label]} rows, needs at least {minimum} "
                    f"to {'train' if name == 'train' else 'evaluate'}"
                )
        parts[name] = to_dataset(columns, label_names)
    return Corpus(
        datasets.DatasetDict(parts), paths, label_names, fingerprint(list(paths.values())), dropped
    )
