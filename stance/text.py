"""The first pipeline step: take texts in any shape, optionally mark negation and mask actors."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

# Words that open a negated scope. "refused/declined/failed to" act like "not" on the verb after them.
_NEGATORS = re.compile(
    r"\b(?:not|never|no|nor|without|cannot|can't|won't|wouldn't|don't|doesn't|didn't|isn't|aren't|"
    r"wasn't|weren't|hasn't|haven't|hadn't|shouldn't|couldn't|no longer|refused to|refuses to|"
    r"declined to|declines to|failed to|fails to|\w+n't)\b",
    re.IGNORECASE,
)
# A scope ends at punctuation or a clause-opening conjunction, as in Das & Chen (2001).
_SCOPE_END = re.compile(r"[.,;:!?\"“”()]|\b(?:but|and|while|although|though|because|unless|until|if)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SCOPE_WORDS = 3

_NUMBER = re.compile(r"(?<![A-Za-z])[$€£¥]?\d[\d,.:]*(?:%| ?(?:percent|per cent|billion|million|bn|m|pm|am))?", re.I)
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\b"
)
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# A run of capitalised words, with small joiners ("Bank of England", "Abu Dhabi", "al-Shabab").
_NAME = re.compile(
    r"\b(?:[A-Z][\w'’.-]*|al-\w+)(?:\s+(?:of|de|da|al|el|van|von|bin|la|the)?\s*(?:[A-Z][\w'’.-]*))*"
)
# Capitalised words that carry the act or the grammar; never masked.
_KEEP = {
    "I", "We", "They", "He", "She", "It", "You", "Our", "Their", "His", "Her", "The", "A", "An",
    "This", "That", "These", "Those", "There", "No", "Not", "Never", "If", "But", "And", "Or",
    "Unless", "Until", "While", "Although", "Though", "When", "Only", "Any", "All", "Yes", "Let",
    "What", "Why", "How", "Who", "Will", "Would", "Can", "Could", "Should", "Must", "Do", "Does",
    "Is", "Are", "Was", "Were", "Has", "Have", "Had", "In", "On", "At", "For", "With", "To", "As",
    "After", "Before", "Despite", "Even", "So", "Nor", "Mr", "Ms", "Mrs", "Dr", "President",
    "Minister", "Prime", "Foreign", "Secretary", "General", "Chief", "Court", "Judge", "Union",
}


def as_texts(X) -> list[str]:
    """A list of str from a list, array, Series or a DataFrame with a `text` column."""
    if hasattr(X, "columns"):
        column = "text" if "text" in X.columns else X.columns[0]
        X = X[column]
    if isinstance(X, str):
        raise TypeError("expected a sequence of texts, got a single str: wrap it in a list")
    if isinstance(X, np.ndarray) and X.ndim == 2:
        X = X[:, 0]
    return ["" if x is None else str(x) for x in X]


def mark_negation(text: str) -> str:
    """Prefix up to three words in each negated scope with ``NEG_``.

    "did not reject the offer" -> "did not NEG_reject NEG_the NEG_offer", so the model can
    tell a refusal from a refusal refused.
    """
    out: list[str] = []
    pos = 0
    for match in _NEGATORS.finditer(text):
        if match.start() < pos:
            continue
        out.append(text[pos : match.end()])
        pos = match.end()
        end = _SCOPE_END.search(text, pos)
        limit = end.start() if end else len(text)
        marked = 0

        def _mark(word: re.Match) -> str:
            nonlocal marked
            if marked >= _SCOPE_WORDS or _NEGATORS.fullmatch(word.group()):
                return word.group()
            marked += 1
            return "NEG_" + word.group()

        out.append(_WORD.sub(_mark, text[pos:limit]))
        pos = limit
    out.append(text[pos:])
    return "".join(out)


def _looks_like_headline(text: str) -> bool:
    words = _WORD.findall(text)
    if len(words) < 3:
        return False
    capitalised = sum(w[0].isupper() for w in words)
    return capitalised / len(words) > 0.6


def mask_entities(text: str) -> str:
    """Replace numbers, dates and names by placeholders, so the act is learnt, not the actor."""
    text = _MONTH.sub("DATE", text)
    text = _WEEKDAY.sub("DAY", text)
    text = _NUMBER.sub("NUM", text)
    if _looks_like_headline(text):
        return text

    def _replace(match: re.Match) -> str:
        words = match.group().split()
        # Sentence-initial or quote-initial capitals are grammar, not names, unless a run follows.
        start = match.start()
        before = text[:start].rstrip()
        initial = not before or before[-1] in ".!?\"“‘'(:"
        if all(w.strip(".'’") in _KEEP for w in words) or words[0] in {"DATE", "DAY", "NUM"}:
            return match.group()
        if initial and len(words) == 1:
            return match.group()
        if words[0] in _KEEP:
            head, rest = words[0], words[1:]
            if all(w in _KEEP for w in rest):
                return match.group()
            return head + " ENT"
        return "ENT"

    return _NAME.sub(_replace, text)


class TextPreprocessor(TransformerMixin, BaseEstimator):
    """First step of every pipeline: texts in, texts out.

    Parameters
    ----------
    column : str
        Column read when the input is a DataFrame (MLflow's pyfunc passes one).
    lowercase : bool
        Lower-case after masking and marking (vectorizers lower-case by default anyway).
    mark_negation : bool
        Prefix words in the scope of a negator with ``NEG_``.
    mask_entities : bool
        Replace names, places, numbers and dates with ``ENT``, ``NUM``, ``DATE``, ``DAY``.
    """

    def __init__(
        self,
        *,
        column: str = "text",
        lowercase: bool = False,
        mark_negation: bool = False,
        mask_entities: bool = False,
    ):
        self.column = column
        self.lowercase = lowercase
        self.mark_negation = mark_negation
        self.mask_entities = mask_entities

    def fit(self, X, y=None):
        if not isinstance(self.column, str) or not self.column:
            raise ValueError(f"column must be a non-empty str, got {self.column!r}")
        self.n_features_in_ = 1
        return self

    def transform(self, X) -> list[str]:
        if hasattr(X, "columns") and self.column in X.columns:
            X = X[self.column]
        texts = as_texts(X)
        if self.mask_entities:
            texts = [mask_entities(t) for t in texts]
        if self.mark_negation:
            texts = [mark_negation(t) for t in texts]
        if self.lowercase:
            texts = [t.lower() for t in texts]
        return texts

    def get_feature_names_out(self, input_features: Iterable[str] | None = None):
        return np.asarray([self.column], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
