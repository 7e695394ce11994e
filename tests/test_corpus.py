"""The corpus cannot silently regress: schema, labels, balance, variety, duplicates, card."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from conftest import DATA, SEEDS

from stance.corpus import (
    COLUMNS,
    CUE_WORDS,
    FORMS,
    LABELS,
    is_hard,
    load_splits,
    near_duplicate_pairs,
    normalise,
    stats_markdown,
)

SPLITS = load_splits(DATA)
ROWS = [row for part in SPLITS.values() for row in part]


def share(count: int, total: int) -> float:
    return count / total


def test_schema_and_utf8():
    for name in SPLITS:
        raw = (DATA / f"{name}.csv").read_bytes()
        raw.decode("utf-8")
        with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as handle:
            assert csv.DictReader(handle).fieldnames == COLUMNS
    assert all(row["text"].strip() and row["id"] for row in ROWS)
    assert len({row["id"] for row in ROWS}) == len(ROWS)
    assert {row["source"] for row in ROWS} == {"authored"}
    assert {row["form"] for row in ROWS} <= set(FORMS)
    assert {row["label"] for row in ROWS} == set(LABELS)


def test_loads_with_datasets_offline(tmp_path):
    import datasets

    loaded = datasets.load_dataset(
        "csv",
        data_files={n: str(DATA / f"{n}.csv") for n in SPLITS},
        cache_dir=str(tmp_path),
        keep_default_na=False,
    )
    assert {n: len(loaded[n]) for n in SPLITS} == {n: len(rows) for n, rows in SPLITS.items()}


def test_size_and_split_proportions():
    assert len(ROWS) >= 4000
    for name, target in {"train": 0.70, "validation": 0.15, "test": 0.15}.items():
        assert abs(share(len(SPLITS[name]), len(ROWS)) - target) < 0.02


def test_label_balance_in_every_split():
    for rows in [*SPLITS.values(), ROWS]:
        counts = Counter(row["label"] for row in rows)
        assert min(share(counts[label], len(rows)) for label in LABELS) >= 0.18


def test_domains_and_forms():
    domains = Counter(row["domain"] for row in ROWS)
    assert sum(share(n, len(ROWS)) >= 0.03 for n in domains.values()) >= 12
    forms = Counter(row["form"] for row in ROWS)
    assert share(forms["quote"], len(ROWS)) >= 0.30
    assert share(forms["reported"], len(ROWS)) >= 0.40
    quotes = [row["text"] for row in ROWS if row["form"] == "quote"]
    assert all(re.search('["“”]', text) for text in quotes)


def test_no_cue_word_carries_its_label():
    for label in LABELS:
        texts = [row["text"].lower() for row in ROWS if row["label"] == label]
        for cue, pattern in CUE_WORDS.items():
            hits = sum(bool(re.search(pattern, text)) for text in texts)
            assert share(hits, len(texts)) <= 0.15, (label, cue)


def test_hard_cases_share():
    assert share(sum(is_hard(row["text"]) for row in ROWS), len(ROWS)) >= 0.15
    assert is_hard("The government did not rule out talks.") and not is_hard(
        "The union accepted the offer."
    )


def test_no_exact_or_near_duplicates_across_splits():
    names = list(SPLITS)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            left, right = SPLITS[a], SPLITS[b]
            assert not {normalise(r["text"]) for r in left} & {normalise(r["text"]) for r in right}
            assert near_duplicate_pairs([r["text"] for r in left], [r["text"] for r in right]) == []


def test_near_duplicate_detector_finds_a_reworded_copy():
    pairs = near_duplicate_pairs(
        [
            "The nurses union rejected the latest pay offer from the hospital trust on Tuesday, officials said."
        ],
        [
            "Talks resume on Monday at the hospital trust.",
            "The nurses union rejected the latest pay offer from the hospital trust on Tuesday, an official said.",
        ],
    )
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]


def test_splits_are_stratified_by_domain():
    for domain in {row["domain"] for row in ROWS}:
        in_domain = [n for n, rows in SPLITS.items() for row in rows if row["domain"] == domain]
        assert abs(share(in_domain.count("train"), len(in_domain)) - 0.70) < 0.03


def test_dataset_card_statistics_are_current():
    card = (DATA / "README.md").read_text(encoding="utf-8")
    assert stats_markdown(DATA) in card


def test_guidelines_cover_every_label_with_examples():
    guidelines = (DATA / "GUIDELINES.md").read_text(encoding="utf-8")
    for label in LABELS:
        assert "## " in guidelines and label in guidelines
    assert guidelines.count("→") >= 20


@pytest.fixture(scope="module")
def seed_rows():
    with open(SEEDS / "statements.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_seed_statements_cover_the_articles_and_stay_out_of_training(seed_rows):
    from stance.article import split_sentences

    assert list(seed_rows[0]) == COLUMNS
    assert {row["source"] for row in seed_rows} == {"seed"}
    assert {row["label"] for row in seed_rows} <= set(LABELS)
    texts = [row["text"] for row in seed_rows]
    article_sentences = [
        s
        for p in sorted(SEEDS.glob("*.txt"))
        for s in split_sentences(p.read_text(encoding="utf-8"))
    ]
    assert all(text in article_sentences for text in texts)
    assert len(texts) >= 30
    corpus_texts = [row["text"] for row in ROWS]
    assert near_duplicate_pairs(texts, corpus_texts, threshold=0.5) == []


def test_agreement_study_is_reported():
    sample = DATA / "agreement" / "second_pass.csv"
    assert sample.is_file()
    with open(sample, encoding="utf-8", newline="") as handle:
        second = list(csv.DictReader(handle))
    assert len(second) >= 0.10 * len(ROWS) - 1
    assert "Cohen's kappa" in (DATA / "README.md").read_text(encoding="utf-8")
