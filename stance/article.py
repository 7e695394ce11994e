"""Splitting a news article into sentences, and finding who speaks in each."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

# Speech verbs of news reporting, in the past and present tense.
_SAY = (
    r"(?:said|says|told|tells|added|adds|stated|states|declared|declares|insisted|insists|warned|warns|"
    r"demanded|demands|urged|urges|argued|argues|noted|notes|responded|responds|replied|replies|"
    r"acknowledged|acknowledges|reiterated|reiterates|announced|announces|suggested|suggests|"
    r"rejected|rejects|ruled out|rules out|dismissed|dismisses|offered|offers|agreed|agrees|"
    r"called|calls|asked|asks|wrote|writes|tweeted|posted)"
)
_NAME = r"(?:[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|of|the|de|al|bin|von|van))*)"
# "…," Lavrov said / "…," said Lavrov / Trump demanded … / The president said …
_AFTER_QUOTE = re.compile(
    rf"[,.!?]?[”\"]\s*,?\s*(?:(?P<a>{_NAME}|he|she|they|we|(?:the|a|an)\s+[\w\s'’-]{{2,60}}?)\s+{_SAY}|{_SAY}\s+(?P<b>{_NAME}))"
)
_SUBJECT = re.compile(
    rf"^(?:[A-Z][\w'’]*\s+(?:on|in|at|earlier|later)\b[^,]*,\s*)?(?P<s>{_NAME})\s+(?:has\s+|had\s+|also\s+|repeatedly\s+|on\s+\w+\s+)*{_SAY}\b"
)
_TRAILING = re.compile(
    rf",\s*(?P<s>{_NAME}|(?:the|a|an)\s+[\w\s'’-]{{2,60}}?)\s+{_SAY}\s*[^,]*\.?$"
)
_PRONOUNS = {
    "He",
    "She",
    "They",
    "It",
    "We",
    "I",
    "This",
    "That",
    "There",
    "he",
    "she",
    "they",
    "we",
}


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
    if not line or _FURNITURE_START.match(line):
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
            paragraphs.append([s.strip() for s in _segmenter().segment(paragraph) if s.strip()])
    return paragraphs


def split_sentences(text: str) -> list[str]:
    """All sentences of an article, in order."""
    return [sentence for paragraph in split_paragraphs(text) for sentence in paragraph]


def analyze(model, text: str, *, abstain: bool = False, k: int = 5) -> dict[str, Any]:
    """Every sentence of ``text`` with its label, confidence, deciding n-grams and speaker,
    rolled up per label and per speaker."""
    sentences: list[dict[str, Any]] = []
    paragraphs = split_paragraphs(text)
    flat = [(p, s) for p, paragraph in enumerate(paragraphs, 1) for s in paragraph]
    tags = model.tag([s for _, s in flat], abstain=abstain) if flat else []
    found = speakers([s for _, s in flat])
    for index, ((paragraph, sentence), tag, who) in enumerate(
        zip(flat, tags, found, strict=True), 1
    ):
        explained = model.explain(
            sentence, k=k, label=tag["label"] if tag["label"] in model.labels else None
        )
        sentences.append(
            {
                "index": index,
                "paragraph": paragraph,
                "text": sentence,
                "label": tag["label"],
                "confidence": round(tag["confidence"], 4),
                "probabilities": tag["probabilities"],
                "explanation": [[gram, weight] for gram, weight in explained],
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


def speakers(sentences: list[str]) -> list[str | None]:
    """The speaker of each sentence of an article, in order (`speaker`, carrying the last
    named speaker to a pronoun)."""
    found: list[str | None] = []
    previous = None
    for sentence in sentences:
        who = speaker(sentence, previous)
        previous = who or previous
        found.append(who)
    return found


_POSSESSIVE_END = re.compile(r"(?:['’]s?)$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def _speaker_words(name: str) -> list[str]:
    name = _LEADING_ARTICLE.sub("", name.strip())
    return [_POSSESSIVE_END.sub("", w).lower() for w in re.findall(r"[\w'’.-]+", name)]


def same_speaker(found: str | None, gold: str | None) -> bool:
    """Does ``found`` name the speaker an annotator wrote as ``gold``? Both empty, or the
    last word of one among the words of the other ("Lavrov" for "Sergei Lavrov", "the
    union" for "the nurses' union"); case, leading articles and possessives aside."""
    found_words, gold_words = _speaker_words(found or ""), _speaker_words(gold or "")
    if not found_words or not gold_words:
        return not found_words and not gold_words
    return found_words[-1] in gold_words or gold_words[-1] in found_words


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
            row = {k: str(record.get(k) or "").strip() for k in ("text", "label", "speaker")}
            articles.setdefault(record["article_id"], []).append((int(record["position"]), row))
    return [[row for _, row in sorted(rows, key=lambda p: p[0])] for rows in articles.values()]


def speaker(sentence: str, previous: str | None = None) -> str | None:
    """Who the sentence quotes or reports, if it names them; a pronoun takes the previous speaker."""
    for pattern, group in ((_AFTER_QUOTE, None), (_SUBJECT, "s"), (_TRAILING, "s")):
        match = pattern.search(sentence)
        if not match:
            continue
        found = match.group(group) if group else (match.group("a") or match.group("b"))
        if not found:
            continue
        found = found.strip()
        if found in _PRONOUNS:
            return previous
        if found.split()[0].lower() in ("the", "a", "an"):
            return found  # "the union leader"
        # "U.S. President Donald Trump" and "Trump" are one speaker: keep the surname.
        return found.split()[-1].rstrip(".,;:")
    return None
