"""The training corpus: validated line by line, then loaded with `datasets` from local files."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from stance import StanceError
from stance.io import iter_records, sha256_file

SPLITS = ("train", "validation", "test")


@dataclass
class Split:
    name: str
    path: Path
    texts: list[str]
    labels: list[str]
    ids: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    splits: dict[str, Split]
    labels: list[str]
    fingerprint: str
    dropped: dict[str, int]

    def __getitem__(self, name: str) -> Split:
        return self.splits[name]


def fingerprint(paths: list[Path]) -> str:
    """sha256 over the files' names and contents: changes when any row changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def _validate(path: Path, known: set[str], label_names: list[str]) -> None:
    for lineno, record in iter_records(path, require=("text", "label")):
        if record["label"].strip() not in known:
            raise StanceError(
                f"{path}:{lineno}: label {record['label']!r} is not in the configured label set "
                f"({', '.join(label_names)})"
            )


def load_corpus(data_cfg, labels_cfg, cache_dir: str | Path) -> Corpus:
    """Validate and load train/validation/test; drop the labels in ``labels_cfg.drop``."""
    import datasets

    datasets.disable_progress_bars()
    label_names = list(labels_cfg.names)
    drop = set(labels_cfg.drop)
    known = set(label_names) | drop
    root = Path(data_cfg.dir)
    paths = {name: root / data_cfg[name] for name in SPLITS}
    for path in paths.values():
        _validate(path, known, label_names)

    loaded = datasets.load_dataset(
        "csv",
        data_files={name: str(path) for name, path in paths.items()},
        cache_dir=str(cache_dir),
        keep_default_na=False,
    )
    splits: dict[str, Split] = {}
    dropped: dict[str, int] = {}
    for name, path in paths.items():
        table = loaded[name]
        all_texts, all_labels = list(table["text"]), [label.strip() for label in table["label"]]
        all_ids = (
            [str(i) for i in table["id"]]
            if "id" in table.column_names
            else [str(i) for i in range(len(table))]
        )
        keep = [i for i, label in enumerate(all_labels) if label not in drop]
        dropped[name] = len(table) - len(keep)
        texts = [all_texts[i].strip() for i in keep]
        gold = [all_labels[i] for i in keep]
        ids = [all_ids[i] for i in keep]
        all_domains = [str(d) for d in table["domain"]] if "domain" in table.column_names else []
        domains = [all_domains[i] for i in keep] if all_domains else []
        splits[name] = Split(name, path, texts, gold, ids, domains)
        minimum = (
            data_cfg.min_train_rows_per_label
            if name == "train"
            else data_cfg.min_eval_rows_per_label
        )
        counts = Counter(gold)
        for label in label_names:
            if counts[label] < minimum:
                raise StanceError(
                    f"{path}: label {label!r} has {counts[label]} rows, needs at least {minimum} "
                    f"to {'train' if name == 'train' else 'evaluate'}"
                )
    return Corpus(splits, label_names, fingerprint(list(paths.values())), dropped)
