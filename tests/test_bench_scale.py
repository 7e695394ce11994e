"""The scale benchmark's own parts (its figures come from `make bench-scale`, never from a test):
the resampled files are labelled as a scale test and keep each row's label, and the README
table is replaced between its markers only."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from conftest import take

from stance.maintainer.bench_scale import END, START, write_readme, write_scale_file


def _read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_scale_file_resamples_rows_with_their_labels(tmp_path):
    source = take("train", 20)

    def start(text: str) -> str:  # the first word, its numbers aside (they are redrawn)
        return re.sub(r"\d+", "#", text.split(" ")[0])

    by_text_start = {}
    for row in source:
        by_text_start.setdefault(start(row["text"]), set()).add(row["label"])
    out = _read(write_scale_file(source, 500, tmp_path / "a.csv", seed=3))
    assert len(out) == 500
    assert [r["id"] for r in out] == [f"scale_test-{i}" for i in range(500)]
    # The first word is never dropped or swapped: each row keeps a label its source row had.
    assert all(r["label"] in by_text_start[start(r["text"])] for r in out)
    assert set(Counter(r["label"] for r in out)) == {r["label"] for r in source}
    originals = {r["text"] for r in source}
    assert 0 < sum(r["text"] not in originals for r in out) < 500  # perturbed, lightly
    again = _read(write_scale_file(source, 500, tmp_path / "b.csv", seed=3))
    other = _read(write_scale_file(source, 500, tmp_path / "c.csv", seed=4))
    assert again == out and other != out


def test_readme_table_goes_between_the_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{START}\nold table\n{END}\nafter\n", encoding="utf-8")
    write_readme(readme, "| new |")
    assert readme.read_text(encoding="utf-8") == f"# x\n\nbefore\n{START}\n| new |\n{END}\nafter\n"
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]  # no temp file left
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no <!-- bench-scale:start -->"):
        write_readme(readme, "| new |")
    assert readme.read_text(encoding="utf-8") == "no markers\n"
