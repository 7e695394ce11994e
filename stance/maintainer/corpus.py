"""Build the corpus splits from the authored files, and measure the corpus.

`stance corpus build` reads ``data/authored/*.csv`` (text,label,domain,form,wave,
one file per domain, written by hand), removes exact and near duplicates, splits 70/15/15
stratified by label and domain, and writes ``data/{train,validation,test}.csv`` and the
statistics table of ``data/README.md``. `stance corpus stats` prints the table, and
`stance corpus speakers` scores `stance.speakers` against each reading of the blind speaker
pass.

Waves 1 and 2 are split together, as they were before wave 3 existed, and every later wave
on its own: adding a wave never moves an earlier row to another split.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from stance.io import replace_between, write_text_atomic
from stance.lexicon import FAMILIES, has_family, is_contrast
from stance.text import near_duplicate_pairs, normalise

# The columns of a sentence written alone (the wire test set and the seed statements too),
# then those of a sentence of a whole article.
SENTENCE_COLUMNS = ["id", "text", "label", "domain", "form", "source"]
COLUMNS = [*SENTENCE_COLUMNS, "article_id", "position", "kind", "speaker"]
LABELS = ["conciliatory", "demanding", "rejecting", "neutral"]
FORMS = ["quote", "reported", "headline"]
SPLIT_SHARES = {"train": 0.70, "validation": 0.15, "test": 0.15}
SEED = 13

# What makes a row hard: negation, conditions, hedges, contrast, questions, or length.
HARD_PATTERNS = {
    "negation": r"\b(?:not|never|no longer|n't|nor|refus\w+ to|declin\w+ to)\b|n't\b",
    "conditional": r"\b(?:if|unless|until|provided|as long as|only once|on condition)\b",
    "hedge": r"\b(?:might|may|could|perhaps|possibly|would consider|open to considering)\b",
    "contrast": r"\b(?:but|although|though|while|despite|even as|yet)\b",
    "question": r"\?",
}
LONG_SENTENCE_WORDS = 35
# Rough measures of two kinds of row the wave-3 brief asks for (regexes, stated in the card):
# concessions done as acts (GUIDELINES R25) and consultations (R26).
CONCESSION_ACT = re.compile(
    r"\b(?:lift\w*|eas(?:e|es|ed|ing)|shorten\w*|releas\w*|freed|free[sd]?|pledg\w*|grant\w*|"
    r"allow\w*|reopen\w*|suspend\w*|aid|loans?|pardon\w*|return)\b",
    re.IGNORECASE,
)
CONSULTATION = re.compile(
    r"\b(?:phone\w*|call(?:ed)? \w+ to discuss|spoke|visit\w*|met|meet\w*|resum\w*|envoys?|"
    r"inspectors?|monitors?|investigat\w*|delegations?|arriv\w*|discuss\w*|talks? (?:opened|began|start\w*))\b",
    re.IGNORECASE,
)


# Whole articles (wave 4 and the blind article test set): the columns and the writer's `kind`
# of each row (data/briefs/wave4.md).
ARTICLE_COLUMNS = ["article_id", "position", "text", "label", "domain", "form", "kind", "speaker"]
NEUTRAL_KINDS = ["proposal", "background", "noun", "schedule", "unmet", "commentary", "plain"]
STANCE_KINDS = ["long", "plain"]
# The words of negotiation and of acts: a neutral row holding one uses them in a role that is
# not an act (the brief's kinds 1-6).
NEGOTIATION_WORDS = re.compile(
    r"\b(?:deals?|agree\w*|accords?|treat(?:y|ies)|talks|negotiat\w*|propos\w*|plans?|offer\w*|"
    r"drafts?|framework|ceasefire|truce|demand\w*|concession\w*|conced\w*|compromis\w*|terms|"
    r"ultimatum|reject\w*|refus\w*|settlement|bid|sanctions|tariffs?|mediat\w*|dismiss\w*|"
    r"accept\w*|pledg\w*|urg(?:e|ed|es|ing)|insist\w*|veto\w*|memorandum|roadmap|package)\b",
    re.IGNORECASE,
)


# A second clause beside the main one: a comma-led or subordinate clause (the brief's kind 7
# counts a stance row whose act sits in a sentence of 25 words or more that has one).
SECOND_CLAUSE = re.compile(
    r",\s|\b(?:after|before|following|while|as|because|since|although|though|which|who|when|"
    r"unless|until|if|saying|adding)\b",
    re.IGNORECASE,
)
LONG_WORDS = 25


def long_with_clause(text: str) -> bool:
    return len(text.split()) >= LONG_WORDS and SECOND_CLAUSE.search(text) is not None


def article_rows(path: Path) -> list[dict]:
    """The rows of an article file, checked: one line naming the file, line and field for
    the first thing wrong."""
    rows = read_rows(path)
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    missing = [c for c in ARTICLE_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}:1: missing column(s) {', '.join(missing)}")
    expected: dict[str, int] = {}
    for lineno, row in enumerate(rows, 2):
        text, label = (row["text"] or "").strip(), row["label"]
        kinds = NEUTRAL_KINDS if label == "neutral" else STANCE_KINDS
        problem = (
            "empty text"
            if not text
            else f"label {label!r}"
            if label not in LABELS
            else f"form {row['form']!r}"
            if row["form"] not in FORMS
            else f"kind {row['kind']!r} for a {label} row (one of {', '.join(kinds)})"
            if row["kind"] not in kinds
            else f"position {row['position']!r}, expected {expected.get(row['article_id'], 0) + 1}"
            if row["position"] != str(expected.get(row["article_id"], 0) + 1)
            else "position 1 must be the headline"
            if (row["position"] == "1") != (row["form"] == "headline")
            else ""
        )
        if problem:
            raise ValueError(f"{path}:{lineno}: {problem}")
        expected[row["article_id"]] = int(row["position"])
    return rows


def article_shares(rows: list[dict]) -> dict[str, float]:
    """The brief's measures of whole articles: size, sentence length, neutral share, the
    neutral kinds and negotiation words in neutral rows, acts inside long sentences."""
    articles = Counter(r["article_id"] for r in rows)
    neutral = [r for r in rows if r["label"] == "neutral"]
    stance = [r for r in rows if r["label"] != "neutral"]
    words = sorted(len(r["text"].split()) for r in rows)
    out = {
        "articles": float(len(articles)),
        "rows": float(len(rows)),
        "sentences per article (min)": float(min(articles.values(), default=0)),
        "sentences per article (max)": float(max(articles.values(), default=0)),
        "words per sentence (median)": float(words[len(words) // 2]) if words else 0.0,
    }
    for label in LABELS:
        out[f"label {label}"] = sum(r["label"] == label for r in rows) / max(len(rows), 1)
    out["neutral in kinds 1-6"] = sum(r["kind"] != "plain" for r in neutral) / max(len(neutral), 1)
    out["neutral with negotiation words"] = sum(
        NEGOTIATION_WORDS.search(r["text"]) is not None for r in neutral
    ) / max(len(neutral), 1)
    for kind in NEUTRAL_KINDS:
        out[f"neutral kind {kind}"] = sum(r["kind"] == kind for r in neutral) / max(len(neutral), 1)
    out["stance kind long"] = sum(r["kind"] == "long" for r in stance) / max(len(stance), 1)
    return out


def is_hard(text: str) -> bool:
    lowered = text.lower()
    return len(text.split()) > LONG_SENTENCE_WORDS or any(
        re.search(p, lowered) for p in HARD_PATTERNS.values()
    )


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_authored(folder: Path) -> list[dict]:
    """Every authored row: the sentences of ``<domain>.csv`` (waves 1-3), then the whole
    articles of ``wave<N>/<domain>.csv``, checked (`article_rows`), each sentence one row with
    its article and position."""
    rows = _read_sentences(folder)
    for wave_dir in sorted(folder.glob("wave*/")):
        wave = wave_dir.name.removeprefix("wave")
        for path in sorted(wave_dir.glob("*.csv")):
            for row in article_rows(path):
                rows.append(
                    {
                        "text": row["text"].strip(),
                        "label": row["label"],
                        "domain": row["domain"],
                        "form": row["form"],
                        "source": f"wave{int(wave)}",
                        "article_id": row["article_id"],
                        "position": row["position"],
                        "kind": row["kind"],
                        "speaker": row["speaker"],
                    }
                )
    return rows


def _read_sentences(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        for lineno, row in enumerate(read_rows(path), 2):
            text = (row.get("text") or "").strip()
            label, form = (row.get("label") or "").strip(), (row.get("form") or "").strip()
            wave = (row.get("wave") or "").strip()
            if not text or label not in LABELS or form not in FORMS or not wave.isdigit():
                raise ValueError(
                    f"{path}:{lineno}: bad row (text={text[:40]!r}, label={label!r}, "
                    f"form={form!r}, wave={wave!r})"
                )
            rows.append(
                {
                    "text": text,
                    "label": label,
                    "domain": path.stem,
                    "form": form,
                    "source": f"wave{int(wave)}",
                    **dict.fromkeys(("article_id", "position", "kind", "speaker"), ""),
                }
            )
    return rows


def deduplicate(rows: list[dict]) -> tuple[list[dict], int, int]:
    seen: set[str] = set()
    unique = []
    for row in rows:
        key = normalise(row["text"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    exact = len(rows) - len(unique)
    drop = {j for _, j, _ in near_duplicate_pairs([r["text"] for r in unique])}
    return [r for i, r in enumerate(unique) if i not in drop], exact, len(drop)


def split(rows: list[dict]) -> dict[str, list[dict]]:
    """70/15/15 within every (label, domain) cell, so both are stratified; waves 1 and 2
    together, each later wave apart, so a new wave leaves the earlier rows where they were."""
    out: dict[str, list[dict]] = {name: [] for name in SPLIT_SHARES}
    batches: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        batches["wave1" if row["source"] == "wave2" else row["source"]].append(row)
    for batch, batch_rows in sorted(batches.items()):
        seed = SEED if batch == "wave1" else f"{SEED}-{batch}"
        for name, part in _split_cells(batch_rows, random.Random(seed)).items():
            out[name] += part
    return out


def _split_cells(rows: list[dict], rng: random.Random) -> dict[str, list[dict]]:
    if any(r["article_id"] for r in rows):
        return _split_articles(rows, rng)
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        cells[(row["label"], row["domain"])].append(row)
    out: dict[str, list[dict]] = {name: [] for name in SPLIT_SHARES}
    for key in sorted(cells):
        cell = cells[key]
        rng.shuffle(cell)
        n_val = round(len(cell) * SPLIT_SHARES["validation"])
        n_test = round(len(cell) * SPLIT_SHARES["test"])
        out["validation"] += cell[:n_val]
        out["test"] += cell[n_val : n_val + n_test]
        out["train"] += cell[n_val + n_test :]
    return out


def _split_articles(rows: list[dict], rng: random.Random) -> dict[str, list[dict]]:
    """Whole articles to each split, 70/15/15 of the articles of every domain: a split never
    cuts an article, so no sentence is scored beside its own article's training rows."""
    articles: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        articles[row["article_id"]].append(row)
    by_domain: dict[str, list[str]] = defaultdict(list)
    for article_id, members in articles.items():
        by_domain[members[0]["domain"]].append(article_id)
    out: dict[str, list[dict]] = {name: [] for name in SPLIT_SHARES}
    for domain in sorted(by_domain):
        ids = sorted(by_domain[domain])
        rng.shuffle(ids)
        n_val = round(len(ids) * SPLIT_SHARES["validation"])
        n_test = round(len(ids) * SPLIT_SHARES["test"])
        parts = {
            "validation": ids[:n_val],
            "test": ids[n_val : n_val + n_test],
            "train": ids[n_val + n_test :],
        }
        for name, chosen in parts.items():
            for article_id in sorted(chosen):
                out[name] += sorted(articles[article_id], key=lambda r: int(r["position"]))
    return out


def write_split(path: Path, rows: list[dict]) -> None:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: row[c] for c in COLUMNS} for row in rows)
    write_text_atomic(path, buffer.getvalue())


def load_splits(data_dir: Path) -> dict[str, list[dict]]:
    return {name: read_rows(data_dir / f"{name}.csv") for name in SPLIT_SHARES}


def family_shares(rows: list[dict]) -> dict[str, tuple[float, float]]:
    """For each stance label: the share of its rows holding a verb of its family, and the
    share of the other labels' rows holding one."""
    out = {}
    for label in FAMILIES:
        own = [r for r in rows if r["label"] == label]
        other = [r for r in rows if r["label"] != label]
        out[label] = (
            sum(has_family(r["text"], label) for r in own) / max(len(own), 1),
            sum(has_family(r["text"], label) for r in other) / max(len(other), 1),
        )
    return out


def contrast_share(rows: list[dict]) -> float:
    return sum(is_contrast(r["text"], r["label"]) for r in rows) / max(len(rows), 1)


def pattern_share(rows: list[dict], label: str, pattern: re.Pattern) -> float:
    """Share of ``label``'s rows that ``pattern`` finds."""
    own = [r for r in rows if r["label"] == label]
    return sum(pattern.search(r["text"]) is not None for r in own) / max(len(own), 1)


def register_table(rows: list[dict]) -> list[str]:
    """Per wave and for the whole corpus: each family's share of its label's rows and of
    the other labels' rows, and the share of contrast rows."""
    groups = sorted({r["source"] for r in rows})
    head = "| rows | " + " | ".join(
        f"{label[:4]}. verbs in {label} / in others" for label in FAMILIES
    )
    extra = "contrast rows | concession acts in conciliatory | consultations in neutral"
    lines = [f"| part {head} | {extra} |", "|---|---:|" + "---:|" * (len(FAMILIES) + 3)]
    for name in [*groups, "all"]:
        part = rows if name == "all" else [r for r in rows if r["source"] == name]
        lines.append(register_row(name, part))
    return lines


def register_row(name: str, part: list[dict]) -> str:
    cells = " | ".join(
        f"{100 * own:.1f}% / {100 * other:.1f}%" for own, other in family_shares(part).values()
    )
    return (
        f"| {name} | {len(part)} | {cells} | {100 * contrast_share(part):.1f}% | "
        f"{100 * pattern_share(part, 'conciliatory', CONCESSION_ACT):.1f}% | "
        f"{100 * pattern_share(part, 'neutral', CONSULTATION):.1f}% |"
    )


def agreement(data_dir: Path, rows: list[dict]) -> dict[str, tuple[int, float, float]]:
    """Rows, raw agreement and Cohen's kappa of the blind second pass, per wave and in all."""
    path = data_dir / "agreement" / "second_pass.csv"
    if not path.is_file():
        return {}
    from sklearn.metrics import cohen_kappa_score

    first = {r["id"]: r for r in rows}
    # The writers' labels as they stood when the pass ran, where later rules changed some.
    before = data_dir / "agreement" / "first_pass.csv"
    at_the_time = {r["id"]: r["label"] for r in read_rows(before)} if before.is_file() else {}
    first = {i: {**r, "label": at_the_time.get(i, r["label"])} for i, r in first.items()}
    second = {r["id"]: r["label"] for r in read_rows(path) if r["id"] in first}
    groups: dict[str, list[str]] = defaultdict(list)
    for row_id in sorted(second):
        groups[first[row_id]["source"]].append(row_id)
        groups["all"].append(row_id)
    out = {}
    for name, ids in sorted(groups.items()):
        a, b = [first[i]["label"] for i in ids], [second[i] for i in ids]
        agree = sum(x == y for x, y in zip(a, b, strict=True)) / len(ids)
        out[name] = (len(ids), agree, float(cohen_kappa_score(a, b)) if agree < 1 else 1.0)
    return out


def adjudicated_speaker(writer: str, first: str, second: str) -> str:
    """The speaker of a row of the blind speaker pass: what two of the three (the writer and two
    annotators) agree on, in the writer's words where they are among them; the writer's when
    all three differ."""
    from stance.speakers import same_speaker

    agreed = (
        first
        if same_speaker(first, second) or same_speaker(first, writer)
        else second
        if same_speaker(second, writer)
        else writer
    )
    return writer if same_speaker(agreed, writer) else agreed


def speaker_agreement(data_dir: Path) -> dict[str, tuple[int, float, float]]:
    """Per part of the blind speaker pass (the article test set, a sample of training articles):
    rows, how often the two annotators name the same speaker, and how often an annotator names
    the writer's (the mean of the two)."""
    path = data_dir / "agreement" / "speaker_pass.csv"
    if not path.is_file():
        return {}
    from stance.speakers import same_speaker

    out = {}
    rows = read_rows(path)
    for part in sorted({r["part"] for r in rows}):
        own = [r for r in rows if r["part"] == part]
        both = sum(same_speaker(r["annotator_1"], r["annotator_2"]) for r in own) / len(own)
        writer = sum(
            same_speaker(r[a], r["writer"]) for r in own for a in ("annotator_1", "annotator_2")
        ) / (2 * len(own))
        out[part] = (len(own), both, writer)
    return out


def speaker_finder_table(data_dir: Path) -> list[str]:
    """How often `stance.speakers` names the speaker of each reading of the blind speaker
    pass (the writer's, each annotator's, the adjudicated one), per part."""
    from stance.speakers import same_speaker, speakers

    path = data_dir / "agreement" / "speaker_pass.csv"
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    sources = sorted((data_dir / "heldout" / "articles").glob("*.csv"))
    sources += [data_dir / f"{name}.csv" for name in SPLIT_SHARES]
    for source in sources:
        for row in read_rows(source):
            if row.get("article_id"):
                texts[row["article_id"]][row["position"]] = row["text"]
    found = {}
    for article_id, sentences in texts.items():
        order = sorted(sentences, key=int)
        for position, who in zip(order, speakers([sentences[p] for p in order]), strict=True):
            found[(article_id, position)] = who
    readings = ["writer", "annotator_1", "annotator_2", "speaker"]
    lines = ["| part | rows | " + " | ".join(readings) + " |", "|---|---:|" + "---:|" * 4]
    rows = read_rows(path)
    for part in sorted({r["part"] for r in rows}):
        own = [r for r in rows if r["part"] == part]
        shares = [
            sum(same_speaker(found[(r["article_id"], r["position"])], r[k]) for r in own) / len(own)
            for k in readings
        ]
        lines.append(f"| {part} | {len(own)} | " + " | ".join(f"{x:.3f}" for x in shares) + " |")
    return lines


def article_register_row(name: str, part: list[dict]) -> str:
    """The brief's measures of the article register for one part of the corpus: median
    words, neutral share, neutral rows with negotiation words, the writers' six neutral kinds
    (rows without a `kind` show -), stance rows with the act in a long sentence with a second
    clause (by the regex, for every wave)."""
    words = sorted(len(r["text"].split()) for r in part)
    neutral = [r for r in part if r["label"] == "neutral"]
    stance = [r for r in part if r["label"] != "neutral"]

    def pct(count: int, total: int) -> str:
        return f"{100 * count / total:.1f}%" if total else "-"

    kinds = [
        pct(sum(r.get("kind") == k for r in neutral), len(neutral))
        if any(r.get("kind") for r in part)
        else "-"
        for k in NEUTRAL_KINDS[:-1]
    ]
    articles = len({r["article_id"] for r in part if r.get("article_id")})
    cells = [
        name,
        str(len(part)),
        str(articles or "-"),
        str(words[len(words) // 2]) if words else "-",
        pct(len(neutral), len(part)),
        pct(sum(NEGOTIATION_WORDS.search(r["text"]) is not None for r in neutral), len(neutral)),
        *kinds,
        pct(sum(long_with_clause(r["text"]) for r in stance), len(stance)),
    ]
    return "| " + " | ".join(cells) + " |"


def article_register_table(rows: list[dict], extra: list[tuple[str, list[dict]]]) -> list[str]:
    kinds = " | ".join(f"neutral: {k}" for k in NEUTRAL_KINDS[:-1])
    lines = [
        "| part | rows | articles | median words | neutral | neutral with negotiation words | "
        f"{kinds} | stance rows long with a second clause |",
        "|---|" + "---:|" * 12,
    ]
    for name in sorted({r["source"] for r in rows}):
        lines.append(article_register_row(name, [r for r in rows if r["source"] == name]))
    lines.append(article_register_row("all", rows))
    lines += [article_register_row(name, part) for name, part in extra]
    return lines


def stats_markdown(data_dir: Path) -> str:
    splits = load_splits(data_dir)
    rows = [r for part in splits.values() for r in part]
    n = len(rows)

    def pct(count: int, total: int = n) -> str:
        return f"{count} ({100 * count / total:.1f}%)"

    lines = ["| split | rows | " + " | ".join(LABELS) + " |", "|---|---:|" + "---:|" * len(LABELS)]
    for name, part in [*splits.items(), ("all", rows)]:
        counts = Counter(r["label"] for r in part)
        lines.append(
            f"| {name} | {len(part)} | "
            + " | ".join(pct(counts[lab], len(part)) for lab in LABELS)
            + " |"
        )
    lines += ["", "| domain | rows | share |", "|---|---:|---:|"]
    for domain, count in sorted(Counter(r["domain"] for r in rows).items()):
        lines.append(f"| {domain} | {count} | {100 * count / n:.1f}% |")
    forms = Counter(r["form"] for r in rows)
    hard = sum(is_hard(r["text"]) for r in rows)
    lines += ["", "| measure | value |", "|---|---:|"]
    lines += [f"| form: {form} | {pct(forms[form])} |" for form in FORMS]
    lines.append(
        f"| hard cases (negation, condition, hedge, contrast, question or > {LONG_SENTENCE_WORDS} words) | {pct(hard)} |"
    )
    words = sorted(len(r["text"].split()) for r in rows)
    lines.append(f"| words per sentence (median, max) | {words[len(words) // 2]}, {words[-1]} |")
    for name, (count, raw, kappa) in agreement(data_dir, rows).items():
        lines.append(
            f"| blind second pass ({name}): rows, raw agreement, Cohen's kappa | "
            f"{count}, {100 * raw:.1f}%, {kappa:.3f} |"
        )
    for part, (count, both, writer) in speaker_agreement(data_dir).items():
        lines.append(
            f"| blind speaker pass ({part}): rows, annotators agree, an annotator agrees with "
            f"the writer | {count}, {100 * both:.1f}%, {100 * writer:.1f}% |"
        )
    lines += ["", *register_table(rows)]
    # The exams' register, described like the corpus (no model looks at them here).
    wire = data_dir / "heldout" / "wire.csv"
    if wire.exists():
        lines.append(register_row("wire test set (held out)", read_rows(wire)))
    held_articles = [
        r
        for p in sorted((data_dir / "heldout" / "articles").glob("*.csv"))
        for r in article_rows(p)
    ]
    extra = [("article test set (held out)", held_articles)] if held_articles else []
    lines += ["", *article_register_table(rows, extra)]
    return "\n".join(lines)


START, END = "<!-- stats:start -->", "<!-- stats:end -->"


def write_stats(data_dir: Path) -> None:
    replace_between(data_dir / "README.md", START, END, stats_markdown(data_dir))


def exams(data_dir: Path) -> list[str]:
    """Sentences that must never be trained on: the held-out files (the wire test set, the
    article test set) and the seed statements."""
    paths = sorted((data_dir / "heldout").rglob("*.csv"))
    paths += [p for p in [data_dir.parent / "seeds" / "statements.csv"] if p.is_file()]
    return [row["text"] for path in paths for row in read_rows(path)]


def build(data_dir: Path) -> None:
    rows, exact, near = deduplicate(read_authored(data_dir / "authored"))
    counters: Counter[str] = Counter()
    for row in rows:
        if row["article_id"]:  # a sentence of an article: its article and place in it
            row["id"] = f"{row['article_id']}-{int(row['position']):02d}"
            continue
        counters[row["domain"]] += 1
        row["id"] = f"{row['domain']}-{counters[row['domain']]:04d}"
    # Numbered first, so an id never moves when a row near an exam sentence is left out.
    held = exams(data_dir)
    held_keys = {normalise(t) for t in held}
    clash = {i for i, _, _ in near_duplicate_pairs([r["text"] for r in rows], held)}
    clash |= {i for i, r in enumerate(rows) if normalise(r["text"]) in held_keys}
    rows = [r for i, r in enumerate(rows) if i not in clash]
    for name, part in split(rows).items():
        write_split(data_dir / f"{name}.csv", part)
    print(
        f"{len(rows)} rows kept; dropped {exact} exact and {near} near duplicates, "
        f"and {len(clash)} rows near a held-out or seed sentence",
        file=sys.stderr,
    )
    write_stats(data_dir)


def main(argv: list[str] | None = None) -> int:
    from stance.config import project_root

    parser = argparse.ArgumentParser(prog="stance corpus", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "stats", "check", "speakers"])
    parser.add_argument("files", nargs="*", type=Path, help="check: article files")
    parser.add_argument("--data", type=Path, default=project_root() / "data")
    args = parser.parse_args(argv)
    if args.command == "check":
        rows = []
        for path in args.files:
            try:
                rows += article_rows(path)
            except ValueError as err:
                print(f"stance corpus: error: {err}", file=sys.stderr)
                return 2
        for name, value in article_shares(rows).items():
            shown = (
                f"{100 * value:.1f}%"
                if value <= 1 and name.startswith(("label", "neutral", "stance"))
                else f"{value:g}"
            )
            print(f"{name:<34} {shown}")
        return 0
    if args.command == "speakers":
        print("\n".join(speaker_finder_table(args.data)))
    elif args.command == "build":
        build(args.data)
    else:
        print(stats_markdown(args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
