"""Splitting a news article into sentences, and finding who speaks in each."""

from __future__ import annotations

import re
from functools import lru_cache

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
_SUBJECT = re.compile(rf"^(?:[A-Z][\w'’]*\s+(?:on|in|at|earlier|later)\b[^,]*,\s*)?(?P<s>{_NAME})\s+(?:has\s+|had\s+|also\s+|repeatedly\s+|on\s+\w+\s+)*{_SAY}\b")
_TRAILING = re.compile(rf",\s*(?P<s>{_NAME}|(?:the|a|an)\s+[\w\s'’-]{{2,60}}?)\s+{_SAY}\s*[^,]*\.?$")
_PRONOUNS = {"He", "She", "They", "It", "We", "I", "This", "That", "There", "he", "she", "they", "we"}


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of an article, paragraph by paragraph.

    pysbd's rules keep "U.S." and "Mr." inside a sentence and keep a quotation that holds
    several sentences together when it is closed in the same paragraph.
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n+", text):
        paragraph = paragraph.replace("\xa0", " ").strip()
        if not paragraph:
            continue
        sentences.extend(s.strip() for s in _segmenter().segment(paragraph) if s.strip())
    return sentences


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
        return found
    return None
