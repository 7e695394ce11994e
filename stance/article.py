"""Splitting a news article into sentences, tagging each, and rolling them up per label and
per speaker (who speaks in each: `stance.speakers`)."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from stance.speakers import same_speaker, speaker, speakers  # noqa: F401 (the API)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


# Lines of a web page that are not statements: bylines, captions and credits, links.
_FURNITURE_START = re.compile(
    r"^(?:by\s+[A-Z][\w'’.-]*(?:\s+(?:and\s+)?[A-Z][\w'’.-]*){0,4}\s*$|(?:photo|image|picture|"
    r"video|caption|credit|source|file photo|read more|read also|related|see also|share|"
    r"advertisement|updated|published|copyright)\b\s*[:|/-]?|©)",
    re.IGNORECASE,
)
# The boilerplate of news sites, which ends like a sentence and holds verbs: comment forms,
# newsletters and cookies, syndication and reporting credits.
_BOILERPLATE = re.compile(
    r"^(?:your\s+email\s+(?:address\s+)?will\s+not\s+be\s+published|required\s+fields\s+are\s+"
    r"marked|leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|comments?\s+(?:are|is)\s+closed|"
    r"(?:you\s+must\s+be\s+)?log(?:ged)?\s+in\s+to\s+(?:post|comment|reply)|sign\s+up\s+(?:for|to)|"
    r"subscribe\s+(?:to|now|for)|follow\s+us\s+on|click\s+here|all\s+rights\s+reserved|this\s+"
    r"(?:material|article)\s+may\s+not\s+be\s+(?:published|reproduced)|we\s+use\s+cookies|"
    r"(?:accept|manage)\s+(?:all\s+)?cookies|(?:additional\s+)?reporting\s+by\s|(?:\(?\s*)?"
    r"(?:writing|editing|compiled)\s+by\s|listen\s+to\s+this\s+article|save\s+this\s+article|"
    r"report\s+an?\s+(?:error|typo)|filed\s+under|tags?\s*:|topics?\s*:|most\s+read|trending\s+now|"
    r"(?:sign|log)\s+in\b|get\s+(?:our|the)\s+(?:newsletter|app)|download\s+(?:our|the)\s+app)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[-*•·|>»]+|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"[.!?:;…\"”’)]$")
# A word that can be a verb: an inflected form, a modal or auxiliary, or an act verb.
_VERB_LIKE = re.compile(
    r"\b(?:[a-z]+(?:ed|es|s|ing|en)|is|are|was|were|be|been|has|have|had|do|does|did|will|"
    r"would|must|can|could|should|may|might|shall|say|agree|accept|reject|refuse|demand|"
    r"urge|offer|sign|meet|talk|resume|end|hold|halt|stop|seek|vow|warn|ask|call|back|"
    r"quit|strike|free|lift|ease|open|reopen|close|deny|win|lose|fail|rule|veto|block)\b",
    re.IGNORECASE,
)
# Plural nouns of site navigation that the -s rule above would take for verbs.
_NAVIGATION = {
    "news",
    "comments",
    "sports",
    "politics",
    "topics",
    "details",
    "tags",
    "links",
    "videos",
    "photos",
    "opinions",
    "stories",
    "sections",
    "events",
    "updates",
}


def is_furniture(line: str) -> bool:
    """Page furniture rather than a statement: a byline, caption, credit or link line; a
    bullet or menu item of a few words that is no sentence; a line with no verb-like word
    that does not end like a sentence ("- Category", "Latest news", "Photo: Reuters")."""
    line = line.strip()
    if not line or _FURNITURE_START.match(line) or _BOILERPLATE.match(line):
        return True
    if _SENTENCE_END.search(line):
        return False
    words = _BULLET.sub("", line).split()
    if _BULLET.match(line) and len(words) <= 5:
        return True
    verbs = [w for w in _VERB_LIKE.findall(" ".join(words)) if w.lower() not in _NAVIGATION]
    return not verbs


def read_article(path: str) -> str:
    """An article's text; a missing, unreadable or empty file is a `StanceError` naming it."""
    from stance import StanceError
    from stance.io import read_text_file

    text = read_text_file(path)
    if not text.strip():
        raise StanceError(f"{path}: empty article")
    return text


def split_paragraphs(text: str, skip_furniture: bool = True) -> list[list[str]]:
    """The sentences of each paragraph (a paragraph is a line of the plain-text article),
    page furniture left out (`is_furniture`).

    pysbd's rules keep "U.S." and "Mr." inside a sentence and keep a quotation that holds
    several sentences together when it is closed in the same paragraph.
    """
    paragraphs = []
    for paragraph in re.split(r"\n+", text):
        paragraph = paragraph.replace("\xa0", " ").strip()
        if paragraph and not (skip_furniture and is_furniture(paragraph)):
            sentences = [
                s.strip()
                for block in _blocks(paragraph)
                for s in _segmenter().segment(block)
                if s.strip()
            ]
            if skip_furniture:  # "… will not be published. Required fields are marked *"
                sentences = [s for s in sentences if not _BOILERPLATE.match(s)]
            if sentences:
                paragraphs.append(sentences)
    return paragraphs


# pysbd's time grows with the square of a paragraph's length (its abbreviation rules rescan the
# whole paragraph), so a paragraph longer than this is cut, between sentences, into blocks that
# are segmented one by one: time linear in the article, whatever its layout.
BLOCK_CHARS = 2000
# Where a block may end: a full stop, question or exclamation mark (and a closing quote),
# then a capital; not after a short word that may be an abbreviation ("U.S.", "Mr.", "No.").
_BLOCK_END = re.compile(r"(?<=[a-z0-9%)][a-z0-9%)][a-z0-9%)][.!?])[\"”’]?\s+(?=[A-Z“\"])")


def _blocks(paragraph: str) -> list[str]:
    if len(paragraph) <= BLOCK_CHARS:
        return [paragraph]
    blocks, start = [], 0
    while len(paragraph) - start > BLOCK_CHARS:
        cut = None
        for match in _BLOCK_END.finditer(paragraph, start + BLOCK_CHARS // 2, start + BLOCK_CHARS):
            cut = match.end()
        if cut is None:  # no sentence end in reach: a run-on text, cut at a space
            space = paragraph.rfind(" ", start + BLOCK_CHARS // 2, start + BLOCK_CHARS)
            cut = space + 1 if space > start else start + BLOCK_CHARS
        blocks.append(paragraph[start:cut])
        start = cut
    blocks.append(paragraph[start:])
    return blocks


def split_sentences(text: str) -> list[str]:
    """All sentences of an article, in order."""
    return [sentence for paragraph in split_paragraphs(text) for sentence in paragraph]


def analyze(
    model,
    text: str,
    *,
    abstain: bool = False,
    k: int = 5,
    max_chars: int | None = None,
    truncate: bool = False,
    source: str = "article",
) -> dict[str, Any]:
    """Every sentence of ``text`` with its label, confidence, deciding n-grams and speaker,
    rolled up per label and per speaker. A sentence longer than ``max_chars`` is refused
    (naming ``source`` and the sentence) or, with ``truncate``, cut."""
    from stance import StanceError

    paragraphs = split_paragraphs(text)
    flat = [(p, s) for p, paragraph in enumerate(paragraphs, 1) for s in paragraph]
    if max_chars is not None:
        for index, (_, sentence) in enumerate(flat, 1):
            if len(sentence) > max_chars and not truncate:
                raise StanceError(
                    f"{source}: sentence {index} has {len(sentence):,} characters, over "
                    f"--max-chars {max_chars:,} (pass --truncate to cut it)"
                )
        flat = [(p, s[:max_chars]) for p, s in flat]
    # Each sentence at its place in the article (1 is the headline), for the article register.
    positions = list(range(1, len(flat) + 1))
    texts = [s for _, s in flat]
    tags = model.tag(texts, abstain=abstain, positions=positions) if flat else []
    found = speakers(texts)
    chosen = [tag["label"] if tag["label"] in model.labels else None for tag in tags]
    explained = model.explain_many(texts, k, chosen, positions) if flat else []
    sentences: list[dict[str, Any]] = []
    for index, ((paragraph, sentence), tag, who, why) in enumerate(
        zip(flat, tags, found, explained, strict=True), 1
    ):
        sentences.append(
            {
                "index": index,
                "paragraph": paragraph,
                "text": sentence,
                "label": tag["label"],
                "confidence": round(tag["confidence"], 4),
                "probabilities": tag["probabilities"],
                "explanation": [[gram, weight] for gram, weight in why],
                "speaker": who,
            }
        )
    return {"labels": model.labels, "sentences": sentences, "summary": summarise(sentences)}


def summarise(sentences: list[dict[str, Any]]) -> dict[str, dict]:
    """Sentences per label, and per label for each named speaker."""
    labels: Counter[str] = Counter(s["label"] for s in sentences)
    speakers: dict[str, Counter[str]] = {}
    for s in sentences:
        if s.get("speaker"):
            speakers.setdefault(s["speaker"], Counter())[s["label"]] += 1
    return {"labels": dict(labels), "speakers": {name: dict(c) for name, c in speakers.items()}}


def read_article_rows(folder: str | Path) -> list[list[dict[str, str]]]:
    """The labelled articles of a folder of CSVs (article_id, position, text, label, speaker),
    each as its rows in position order; a missing column is named with the file."""
    from stance import StanceError
    from stance.io import iter_records

    articles: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for path in sorted(Path(folder).glob("*.csv")):
        for lineno, record in iter_records(path, require=("text", "label")):
            missing = [c for c in ("article_id", "position") if not record.get(c)]
            if missing:
                raise StanceError(f"{path}:{lineno}: missing {', '.join(missing)}")
            keys = ("text", "label", "speaker", "position")
            row = {k: str(record.get(k) or "").strip() for k in keys}
            articles.setdefault(record["article_id"], []).append((int(record["position"]), row))
    return [[row for _, row in sorted(rows, key=lambda p: p[0])] for rows in articles.values()]
