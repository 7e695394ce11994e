"""Reading statements from .txt/.csv/.jsonl with line-exact errors, and writing files atomically."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from stance import StanceError

SUFFIXES = (".txt", ".csv", ".jsonl")


def _decoded_lines(path: Path) -> Iterator[str]:
    with open(path, "rb") as handle:
        for lineno, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise StanceError(
                    f"{path}:{lineno}: bytes are not UTF-8 (byte {err.start + 1} of the line); "
                    "save the file as UTF-8"
                ) from None
            yield line.lstrip("\ufeff") if lineno == 1 else line


def _check_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise StanceError(f"{path}: no such file")
    if path.suffix.lower() not in SUFFIXES:
        raise StanceError(
            f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(SUFFIXES)}"
        )
    return path


def iter_records(
    path: str | Path, *, require: tuple[str, ...] = ("text",)
) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, record)`` from a .txt, .csv or .jsonl file, streaming.

    Every record has a non-empty ``text``; the columns named in ``require`` must exist.
    A .txt file holds one statement per line; blank lines are skipped.
    """
    path = _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        if set(require) - {"text"}:
            raise StanceError(
                f"{path}: a .txt file has no {', '.join(set(require) - {'text'})} column; use .csv or .jsonl"
            )
        for lineno, line in enumerate(_decoded_lines(path), 1):
            if line.strip():
                yield lineno, {"text": line.strip()}
        return
    if suffix == ".csv":
        reader = csv.DictReader(_decoded_lines(path))
        try:
            fields = reader.fieldnames or []
        except csv.Error as err:
            raise StanceError(f"{path}:1: malformed CSV header ({err})") from None
        missing = [c for c in require if c not in fields]
        if missing:
            raise StanceError(
                f"{path}:1: missing column {', '.join(repr(c) for c in missing)} (found: {', '.join(fields) or 'nothing'})"
            )
        try:
            for record in reader:
                lineno = reader.line_num
                if None in record or any(record.get(c) is None for c in require):
                    raise StanceError(
                        f"{path}:{lineno}: wrong number of fields (expected {len(fields)})"
                    )
                yield lineno, _checked(path, lineno, record, require)
        except csv.Error as err:
            raise StanceError(f"{path}:{reader.line_num}: malformed CSV ({err})") from None
        return
    for lineno, line in enumerate(_decoded_lines(path), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise StanceError(
                f"{path}:{lineno}: malformed JSON line ({err.msg} at column {err.colno})"
            ) from None
        if not isinstance(record, dict):
            raise StanceError(f"{path}:{lineno}: expected a JSON object with a 'text' field")
        missing = [c for c in require if c not in record]
        if missing:
            raise StanceError(
                f"{path}:{lineno}: missing field {', '.join(repr(c) for c in missing)}"
            )
        yield lineno, _checked(path, lineno, record, require)


def _checked(path: Path, lineno: int, record: dict, require: tuple[str, ...]) -> dict:
    for field in require:
        value = record[field]
        if not isinstance(value, str):
            raise StanceError(
                f"{path}:{lineno}: field {field!r} must be a string, got {type(value).__name__}"
            )
        if not value.strip():
            raise StanceError(f"{path}:{lineno}: empty {field}")
    return record


def read_text_file(path: str | Path) -> str:
    """A whole UTF-8 text file; a missing file or a bad byte is named with its line."""
    path = Path(path)
    if not path.is_file():
        raise StanceError(f"{path}: no such file")
    return "".join(_decoded_lines(path))


def read_records(path: str | Path, chunk_size: int = 2048) -> Iterator[list[dict]]:
    """Records of a file (``text`` stripped, other columns as given) in chunks of at most
    ``chunk_size``, so memory stays bounded."""
    chunk: list[dict] = []
    for _, record in iter_records(path):
        chunk.append({**record, "text": record["text"].strip()})
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def read_texts(path: str | Path, chunk_size: int = 2048) -> Iterator[list[str]]:
    """Texts of a file in chunks of at most ``chunk_size``."""
    for chunk in read_records(path, chunk_size):
        yield [record["text"] for record in chunk]


def _labeled_records(path: Path) -> Iterator[tuple[str, dict]]:
    """``(where, record)`` of a labelled dataset written by `datasets`: a ``save_to_disk``
    folder (a Dataset, or a DatasetDict whose ``test`` split is read) or a Parquet file.
    A ``ClassLabel`` label column is read as its names."""
    import datasets

    datasets.disable_progress_bars()
    try:
        if path.is_dir():
            found = datasets.load_from_disk(str(path))
            if isinstance(found, datasets.DatasetDict):
                if "test" not in found:
                    raise StanceError(f"{path}: a DatasetDict without a 'test' split")
                found = found["test"]
        else:
            found = datasets.Dataset.from_parquet(str(path))
    except (FileNotFoundError, ValueError, OSError) as err:
        raise StanceError(f"{path}: not a readable dataset ({str(err).splitlines()[0]})") from None
    missing = [c for c in ("text", "label") if c not in found.column_names]
    if missing:
        raise StanceError(f"{path}: missing column {', '.join(repr(c) for c in missing)}")
    names = found.features["label"].names if hasattr(found.features["label"], "names") else None
    for row, record in enumerate(found):
        if names is not None:
            record = {**record, "label": names[record["label"]]}
        yield f"{path}: row {row}", _checked(path, row, record, ("text", "label"))


def read_labeled(path: str | Path, labels: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Texts and labels of a labelled .csv/.jsonl, Parquet file or `datasets` folder; a
    label outside ``labels`` is named with its line (or row)."""
    texts: list[str] = []
    gold: list[str] = []
    allowed = set(labels) if labels is not None else None
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".parquet":
        records = _labeled_records(path)
    else:
        records = ((f"{path}:{n}", r) for n, r in iter_records(path, require=("text", "label")))
    for where, record in records:
        label = record["label"].strip()
        if allowed is not None and label not in allowed:
            raise StanceError(f"{where}: label {label!r} is not one of {', '.join(labels)}")
        texts.append(record["text"].strip())
        gold.append(label)
    if not texts:
        raise StanceError(f"{path}: no rows")
    return texts, gold


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | Path):
    """Yield a temp path beside ``target``; it replaces ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(target: str | Path, content: str) -> None:
    with atomic_path(target) as tmp:
        Path(tmp).write_text(content, encoding="utf-8")


def replace_between(path: str | Path, start: str, end: str, block: str) -> None:
    """Put ``block`` between the ``start`` and ``end`` marker lines of a text file (the
    generated part of a README), atomically; a file without both markers is left alone."""
    text = Path(path).read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{path}: no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    write_text_atomic(path, f"{head}{start}\n{block}\n{end}{tail}")
