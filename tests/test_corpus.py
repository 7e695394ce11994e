"""The corpus cannot silently regress: schema, labels, balance, variety, duplicates, card."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from conftest import DATA, SEEDS

from stance.lexicon import FAMILIES, has_family, is_contrast
from stance.maintainer.corpus import (
    COLUMNS,
    CONCESSION_ACT,
    CONSULTATION,
    FORMS,
    LABELS,
    NEGOTIATION_WORDS,
    NEUTRAL_KINDS,
    SENTENCE_COLUMNS,
    adjudicated_speaker,
    article_rows,
    article_shares,
    contrast_share,
    family_shares,
    is_hard,
    load_splits,
    long_with_clause,
    near_duplicate_pairs,
    normalise,
    pattern_share,
    stats_markdown,
)

SPLITS = load_splits(DATA)
ROWS = [row for part in SPLITS.values() for row in part]
WAVE3 = [row for row in ROWS if row["source"] == "wave3"]
WIRE = DATA / "heldout" / "wire.csv"
HELD_ARTICLES = [
    r for p in sorted((DATA / "heldout" / "articles").glob("*.csv")) for r in article_rows(p)
]


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
    assert {row["source"] for row in ROWS} == {"wave1", "wave2", "wave3", "wave4", "wave5"}
    in_articles = [row for row in ROWS if row["article_id"]]
    assert {row["source"] for row in in_articles} == {"wave4", "wave5"}
    assert all(
        row["id"] == f"{row['article_id']}-{int(row['position']):02d}" for row in in_articles
    )
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
    assert share(forms["quote"], len(ROWS)) >= 0.20  # whole articles quote less than waves 1-3
    assert share(forms["reported"], len(ROWS)) >= 0.40
    quotes = [row["text"] for row in ROWS if row["form"] == "quote"]
    assert all(re.search('["“”]', text) for text in quotes)


def test_family_measures_on_worked_examples():
    assert has_family("The union rejected the offer.", "rejecting")
    assert has_family("The union rejected the offer.", "conciliatory")  # the object, a noun
    assert not has_family("Talks resumed in Geneva on Monday.", "demanding")
    assert is_contrast("Kabul rejected the demands for talks.", "rejecting")
    assert is_contrast("The two sides failed to agree on the quotas.", "neutral")
    assert is_contrast("The board refused to accept the bid.", "rejecting")
    assert not is_contrast("The union accepted the offer.", "conciliatory")
    assert not is_contrast("The delegations met in Doha.", "neutral")
    rows = [
        {"text": "They rejected the plan.", "label": "rejecting"},
        {"text": "The union said no.", "label": "rejecting"},
        {"text": "He urged calm.", "label": "demanding"},
        {"text": "The rebels refused the demands.", "label": "rejecting"},
    ]
    assert family_shares(rows)["rejecting"] == (2 / 3, 0.0)
    assert family_shares(rows)["demanding"] == (1.0, 1 / 3)
    assert contrast_share(rows) == 1 / 4


def test_wave3_is_in_the_wire_register():
    """The shares data/briefs/wave3.md asks of the wave cannot silently regress."""
    assert len(WAVE3) >= 4000
    counts = Counter(row["label"] for row in WAVE3)
    assert min(counts.values()) / len(WAVE3) >= 0.22
    stance_rows = [row for row in WAVE3 if row["label"] in FAMILIES]
    carried = sum(has_family(row["text"], row["label"]) for row in stance_rows)
    assert carried / len(stance_rows) >= 0.70
    assert contrast_share(WAVE3) >= 0.20
    assert pattern_share(WAVE3, "conciliatory", CONCESSION_ACT) >= 0.25
    assert pattern_share(WAVE3, "neutral", CONSULTATION) >= 0.30
    assert len({row["domain"] for row in WAVE3}) >= 14
    forms = Counter(row["form"] for row in WAVE3)
    assert forms["reported"] > forms["quote"] + forms["headline"]  # mostly reported speech


@pytest.mark.parametrize(
    "wave, least_articles, least_rows", [("wave4", 300, 5000), ("wave5", 100, 2000)]
)
def test_whole_article_waves_are_in_the_article_register(wave, least_articles, least_rows):
    """The shares data/briefs/wave4.md asks of a wave of whole articles (wave 5 is written from
    the same brief) cannot silently regress: whole articles, long sentences, mostly neutral,
    neutral rows full of negotiation words in the six kinds, acts inside long sentences."""
    rows = [row for row in ROWS if row["source"] == wave]
    articles = Counter(row["article_id"] for row in rows)
    assert len(articles) >= least_articles and len(rows) >= least_rows
    assert all(12 <= n <= 30 for n in articles.values())
    assert len({row["domain"] for row in rows}) >= 14
    shares = article_shares(rows)
    assert shares["words per sentence (median)"] >= 24
    assert 0.55 <= shares["label neutral"] <= 0.60
    assert min(shares[f"label {label}"] for label in LABELS) >= 0.10
    assert shares["neutral with negotiation words"] >= 0.40
    assert shares["neutral in kinds 1-6"] >= 0.40
    assert min(shares[f"neutral kind {kind}"] for kind in NEUTRAL_KINDS[:-1]) >= 0.05
    assert shares["stance kind long"] >= 0.15
    stance_rows = [row for row in rows if row["label"] != "neutral"]
    assert sum(long_with_clause(row["text"]) for row in stance_rows) / len(stance_rows) >= 0.15


def test_article_shares_on_a_worked_example():
    rows = [
        {"article_id": "a", "text": "Union rejects offer", "label": "rejecting", "kind": "plain"},
        {"article_id": "a", "text": "The plan would raise pay by 3% over two years.", "label": "neutral", "kind": "proposal"},
        {"article_id": "a", "text": "It rained in Leeds.", "label": "neutral", "kind": "plain"},
        {"article_id": "b", "text": " ".join(["word"] * 30), "label": "demanding", "kind": "long"},
    ]  # fmt: skip
    shares = article_shares(rows)
    assert shares["articles"] == 2 and shares["rows"] == 4
    assert shares["words per sentence (median)"] == 10  # 3, 4, 10, 30: the upper middle
    assert shares["label neutral"] == 0.5
    assert shares["neutral with negotiation words"] == 0.5  # "plan"; not the rain
    assert shares["neutral kind proposal"] == 0.5 and shares["neutral in kinds 1-6"] == 0.5
    assert shares["stance kind long"] == 0.5
    assert NEGOTIATION_WORDS.search("the draft framework") and not NEGOTIATION_WORDS.search("rain")
    assert long_with_clause(
        "The union accepted the offer on Monday, ending a strike that had shut the port for three weeks and cost the city and its traders millions."
    )
    assert not long_with_clause("The union accepted the offer.")


def test_splits_never_cut_an_article():
    split_of: dict[str, set[str]] = {}
    for name, rows in SPLITS.items():
        for row in rows:
            if row["article_id"]:
                split_of.setdefault(row["article_id"], set()).add(name)
    assert split_of and all(len(names) == 1 for names in split_of.values())
    per_split = Counter(next(iter(names)) for names in split_of.values())
    assert abs(per_split["validation"] / len(split_of) - 0.15) < 0.03


def test_article_test_set_is_whole_articles_with_speakers_and_apart_from_the_corpus():
    articles = Counter(row["article_id"] for row in HELD_ARTICLES)
    assert len(articles) >= 40 and len(HELD_ARTICLES) >= 700
    assert len({row["domain"] for row in HELD_ARTICLES}) >= 14
    assert not set(articles) & {row["article_id"] for row in ROWS}
    named = [row for row in HELD_ARTICLES if row["speaker"].strip()]
    assert 0.3 <= len(named) / len(HELD_ARTICLES) < 1
    held = [row["text"] for row in HELD_ARTICLES]
    corpus = [row["text"] for row in ROWS]
    assert not {normalise(t) for t in held} & {normalise(t) for t in corpus}
    assert near_duplicate_pairs(held, corpus) == []


@pytest.mark.parametrize(
    "writer, first, second, expected",
    [
        ("Sergei Lavrov", "Lavrov", "the Kremlin", "Sergei Lavrov"),  # writer and one annotator
        ("the Kremlin", "officials", "Russian officials", "officials"),  # the two annotators
        ("", "the union", "the nurses' union", "the union"),
        ("Hamas", "", "Israel", "Hamas"),  # all three differ: the writer's
        ("Unite", "", "", ""),
    ],
)
def test_speaker_adjudication_worked_by_hand(writer, first, second, expected):
    assert adjudicated_speaker(writer, first, second) == expected


def test_article_test_set_speakers_are_the_adjudicated_ones_of_the_blind_pass():
    with open(DATA / "agreement" / "speaker_pass.csv", encoding="utf-8", newline="") as handle:
        passed = list(csv.DictReader(handle))
    held = {(r["article_id"], r["position"]): r["speaker"] for r in HELD_ARTICLES}
    training = {(r["article_id"], r["position"]): r["speaker"] for r in ROWS if r["article_id"]}
    parts = Counter(r["part"] for r in passed)
    assert parts["heldout"] == len(HELD_ARTICLES) and parts["train"] >= 400
    for row in passed:
        expected = adjudicated_speaker(row["writer"], row["annotator_1"], row["annotator_2"])
        assert row["speaker"] == expected
        where = held if row["part"] == "heldout" else training
        assert where[(row["article_id"], row["position"])] == expected, row


def test_whole_corpus_uses_the_common_verbs_in_and_out_of_their_label():
    for label, (own, other) in family_shares(ROWS).items():
        assert own >= 0.45, label
        assert other >= 0.05, label


def test_wire_test_set_schema_size_and_balance():
    with open(WIRE, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == SENTENCE_COLUMNS
        rows = list(reader)
    assert len(rows) >= 600
    assert {row["source"] for row in rows} == {"wire"}
    assert {row["form"] for row in rows} <= set(FORMS)
    assert len({row["id"] for row in rows}) == len(rows)
    counts = Counter(row["label"] for row in rows)
    assert set(counts) == set(LABELS)
    assert min(counts.values()) / len(rows) >= 0.22
    assert len({row["domain"] for row in rows}) >= 14


def test_wire_test_set_shares_no_sentence_with_the_corpus():
    with open(WIRE, encoding="utf-8", newline="") as handle:
        wire = [row["text"] for row in csv.DictReader(handle)]
    corpus = [row["text"] for row in ROWS]
    assert not {normalise(t) for t in wire} & {normalise(t) for t in corpus}
    assert near_duplicate_pairs(wire, corpus) == []


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
    sections = re.split(r"^## ", guidelines, flags=re.M)
    for number, label in enumerate(["conciliatory", "demanding", "rejecting", "neutral"], 1):
        section = next(s for s in sections if s.startswith(f"{number}. {label}"))
        assert section.count("\n- ") >= 4, label  # a definition and its examples
    for rule in range(1, 48):
        assert f"**R{rule}." in guidelines, rule
    assert guidelines.count("→") >= 40


@pytest.fixture(scope="module")
def seed_rows():
    with open(SEEDS / "statements.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_seed_statements_cover_the_articles_and_stay_out_of_training(seed_rows):
    from stance.article import split_sentences

    assert list(seed_rows[0]) == [*SENTENCE_COLUMNS, "article_id", "position"]
    assert {row["source"] for row in seed_rows} == {"seed"}
    assert {row["label"] for row in seed_rows} <= set(LABELS)
    texts = [row["text"] for row in seed_rows]
    article_sentences = [
        s
        for p in sorted(SEEDS.glob("*.txt"))
        for s in split_sentences(p.read_text(encoding="utf-8"))
    ]
    # Every sentence `stance analyze` finds in the seed articles is a labelled statement: the
    # comment form and the copyright line at their ends are page furniture, left untagged.
    assert sorted(article_sentences) == sorted(texts)
    assert len(texts) >= 30
    corpus_texts = [row["text"] for row in ROWS]
    assert near_duplicate_pairs(texts, corpus_texts, threshold=0.5) == []


def test_agreement_study_is_reported():
    sample = DATA / "agreement" / "second_pass.csv"
    assert sample.is_file()
    with open(sample, encoding="utf-8", newline="") as handle:
        second = list(csv.DictReader(handle))
    assert len(second) >= 0.10 * len(ROWS) - 1
    wave3_ids = {row["id"] for row in WAVE3}
    assert sum(row["id"] in wave3_ids for row in second) >= 0.10 * len(WAVE3)
    assert "Cohen's kappa" in (DATA / "README.md").read_text(encoding="utf-8")


def test_build_drops_duplicates_and_near_copies_of_exam_sentences(tmp_path):
    """`build()` on a temp tree: a near copy of a held-out sentence (one word changed) and an
    exact duplicate are left out, the rest is split, whole articles to one split each."""
    from stance.maintainer.corpus import build, read_rows

    data = tmp_path / "data"
    (data / "authored" / "wave4").mkdir(parents=True)
    (data / "heldout").mkdir()
    (data / "README.md").write_text("card\n<!-- stats:start -->\n<!-- stats:end -->\n")
    exam = "The dockworkers' union rejected the port authority's final wage offer on Thursday."
    with open(data / "heldout" / "wire.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SENTENCE_COLUMNS)
        writer.writerow(["wire-0001", exam, "rejecting", "labour", "reported", "wire"])
    sentences = [
        ("Copper miners in Zambia accepted the improved bonus late on Monday.", "conciliatory"),
        ("The bakers' guild agreed to open its books to the city auditor.", "conciliatory"),
        (
            "Nurses in Leeds welcomed the revised rota and called off Friday's stoppage.",
            "conciliatory",
        ),
        ("The shipyard offered to rehire forty welders laid off in March.", "conciliatory"),
        ("Teachers demanded smaller classes before any talk of new pay scales.", "demanding"),
        ("The port union urged the ministry to publish the safety audit at once.", "demanding"),
        ("Farm workers called on growers to pay the back wages by Easter.", "demanding"),
        ("Pilots insisted that rest rules be written into the new contract.", "demanding"),
        ("Bus drivers in Lyon rejected the transit authority's shift plan.", "rejecting"),
        ("The steel plant's owners refused to reopen the canteen during the dispute.", "rejecting"),
        ("Cleaners at the airport turned down a one-off payment of 300 euros.", "rejecting"),
        ("Council staff voted against the pension reform by a wide margin.", "rejecting"),
        ("The mediator held separate meetings with both sides on Tuesday.", "neutral"),
        ("Output at the smelter fell by a fifth during the three-week strike.", "neutral"),
        ("Negotiations are scheduled to resume in the capital next month.", "neutral"),
        ("Analysts said the settlement would cost the company about $40 million.", "neutral"),
    ]
    articles = [
        (
            "Dockers reject wage deal",
            "Dockers at Felixstowe walked out of the talks after an hour.",
        ),
        ("Rail staff accept new terms", "The deal gives conductors a 5% rise over two years."),
        ("Miners press for safety checks", "Inspectors visited the pit twice last winter."),
        ("Hotel workers end sit-in", "Guests were moved to other hotels during the protest."),
        ("Postal union sets deadline", "Parcel volumes have doubled since the pandemic began."),
        ("Brewery strike spreads north", "Pubs in Glasgow reported shortages of lager by Sunday."),
        ("Cabin crew back pay offer", "The airline flies about 300 routes from its main hub."),
    ]
    near_copy = exam.replace("Thursday", "Friday")
    duplicate = sentences[0][0]
    with open(data / "authored" / "labour.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "domain", "form", "wave"])
        for text, label in [*sentences, (near_copy, "rejecting"), (duplicate, "conciliatory")]:
            writer.writerow([text, label, "labour", "reported", 1])
    with open(data / "authored" / "wave4" / "labour.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["article_id", "position", "text", "label", "domain", "form", "kind", "speaker"]
        )
        for a, (headline, body) in enumerate(articles, 1):
            article = [f"labour-a{a:02d}", "labour", "plain", ""]
            writer.writerow(
                [article[0], 1, headline, "rejecting", "labour", "headline", *article[2:]]
            )
            writer.writerow([article[0], 2, body, "neutral", "labour", "reported", *article[2:]])
    build(data)
    splits = {name: read_rows(data / f"{name}.csv") for name in ("train", "validation", "test")}
    texts = [row["text"] for rows in splits.values() for row in rows]
    assert near_copy not in texts  # near a held-out sentence
    assert texts.count(duplicate) == 1
    kept = [t for t, _ in sentences] + [t for pair in articles for t in pair]
    assert sorted(texts) == sorted(kept)
    where = {}
    for name, rows in splits.items():
        for row in rows:
            if row["article_id"]:
                where.setdefault(row["article_id"], set()).add(name)
                assert row["id"] == f"{row['article_id']}-{int(row['position']):02d}"
    assert len(where) == 7 and all(len(names) == 1 for names in where.values())
    assert "<!-- stats:start -->\n| split |" in (data / "README.md").read_text()


def test_speaker_finder_table_worked_by_hand(tmp_path):
    """`stance corpus speakers` on a temp tree: one article of two sentences whose speakers the
    finder names as Lavrov and nobody; each reading scored by hand."""
    from stance.maintainer.corpus import speaker_finder_table

    data = tmp_path / "data"
    (data / "heldout" / "articles").mkdir(parents=True)
    (data / "agreement").mkdir()
    with open(data / "heldout" / "articles" / "x.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["article_id", "position", "text", "label", "domain", "form", "kind", "speaker"]
        )
        writer.writerow(
            [
                "x-h01",
                "1",
                "Talks resume in Geneva",
                "neutral",
                "diplomacy",
                "headline",
                "schedule",
                "",
            ]
        )
        writer.writerow(
            [
                "x-h01",
                "2",
                "“We will not sign,” Lavrov said.",
                "rejecting",
                "diplomacy",
                "quote",
                "plain",
                "Sergei Lavrov",
            ]
        )
    for name in ("train", "validation", "test"):
        (data / f"{name}.csv").write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    with open(data / "agreement" / "speaker_pass.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "part",
                "article_id",
                "position",
                "writer",
                "annotator_1",
                "annotator_2",
                "speaker",
                "notes",
            ]
        )
        writer.writerow(["heldout", "x-h01", "1", "", "", "the UN", "", ""])
        writer.writerow(
            ["heldout", "x-h01", "2", "Sergei Lavrov", "", "Lavrov", "Sergei Lavrov", ""]
        )
    table = speaker_finder_table(data)
    # writer: both right (1.0); annotator 1: the headline right, Lavrov missed (0.5);
    # annotator 2: the headline wrong, Lavrov right (0.5); adjudicated: both right (1.0)
    assert table[-1] == "| heldout | 2 | 1.000 | 0.500 | 0.500 | 1.000 |"
