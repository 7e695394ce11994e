"""The plain definitions that stance's fast paths must agree with, character for character.

Each is the code stance ran before the fast paths: every cue pattern and the act-verb
alternation run on each text alone, every token of a sentence visited by the masking and
pronoun callbacks, scikit-learn's own token pattern. `tests/test_fast_paths.py` compares
them with `stance.rules`, `stance.lexicon` and `stance.text` on random and corpus texts.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse

from stance.lexicon import _GROUP_NAMES, ANY_VERB, NEGATOR, NEGATORS
from stance.rules import (
    _CONDITION,
    _FLIP,
    _SCOPE,
    LEXICON,
    NEGATED_WILL,
    ActVerbFeatures,
    CueFeatures,
)
from stance.text import (
    _APOSTROPHE,
    _ENT_RUN,
    _NUMBER,
    _POSSESSIVE,
    _SPACES,
    _WEEKDAY,
    PERSONS,
    PLACEHOLDERS,
    TextPreprocessor,
    WordNgrams,
    as_texts,
    mark_clauses,
    mark_negation,
    strip_accents_unicode,
)

_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\b"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_TOKEN = re.compile(r"[A-Za-z][\w'’.-]*[\w]|[A-Za-z]")
_COMPILED = {
    label: [re.compile(p, re.IGNORECASE) for p in patterns] for label, patterns in LEXICON.items()
}


def cues(text: str) -> list[tuple[int, str, str]]:
    found = []
    for label, patterns in _COMPILED.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                window = text[max(0, match.start() - _SCOPE) : match.start()]
                negated = bool(NEGATORS.search(window)) and not NEGATORS.fullmatch(match.group())
                if label == "rejecting" and re.match(r"\s*(?:no|not)\b", match.group(), re.I):
                    negated = False
                phrase = match.group().lower()
                found.append(
                    (
                        match.start(),
                        _FLIP[label] if negated else label,
                        ("not " if negated else "") + phrase,
                    )
                )
    for match in NEGATED_WILL.finditer(text):
        found.append((match.start(), "rejecting", match.group().lower()))
    return sorted(found)


def act_verbs(text: str) -> list[tuple[int, str, str, bool]]:
    found = []
    for match in ANY_VERB.finditer(text):
        label, lemma = _GROUP_NAMES[match.lastgroup]
        negated = NEGATOR.search(text[max(0, match.start() - 60) : match.start()]) is not None
        found.append((match.start(), label, lemma, negated))
    return found


def drop_persons(text: str) -> str:
    def _drop(match: re.Match) -> str:
        word = match.group()
        head, sep, tail = (
            re.split(r"(['’])", word, maxsplit=1) if _APOSTROPHE.search(word) else (word, "", "")
        )
        lowered = head.lower()
        if lowered not in PERSONS or (head.isupper() and lowered == "us"):
            return word
        return sep + tail

    return _SPACES.sub(" ", _WORD.sub(_drop, text)).strip()


def mask_entities(text: str, vocabulary: frozenset[str]) -> str:
    text = _MONTH.sub("DATE", text)
    text = _WEEKDAY.sub("DAY", text)
    text = _NUMBER.sub("NUM", text)

    def _replace(match: re.Match) -> str:
        word = match.group()
        if word in PLACEHOLDERS or not word[0].isupper():
            return word
        bare = _POSSESSIVE.sub("", word).lower()
        head = re.split(r"['’]", bare)[0]
        parts = [p for p in re.split(r"[-.]", head) if p]
        if parts and all(p in vocabulary for p in parts):
            return word
        return "ENT"

    return _ENT_RUN.sub("ENT", _TOKEN.sub(_replace, text))


def word_ngrams(lone: frozenset[str], text: str) -> list[str]:
    tokens = re.findall(r"(?u)\b\w\w+\b", strip_accents_unicode(text.lower()))
    return [t for t in tokens if t not in lone] + [
        f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)
    ]


class ReferencePreprocessor(TextPreprocessor):
    def transform(self, X):
        texts = self._texts(X)
        if self.drop_persons:
            texts = [drop_persons(t) for t in texts]
        if self.mask_entities:
            texts = [mask_entities(t, self.vocabulary_) for t in texts]
        if self.mark_clauses:
            texts = [mark_clauses(t) for t in texts]
        if self.mark_negation:
            texts = [mark_negation(t) for t in texts]
        if self.lowercase:
            texts = [t.lower() for t in texts]
        return texts


class ReferenceWordNgrams(WordNgrams):
    def __call__(self, text: str) -> list[str]:
        return word_ngrams(self.lone, text)


class ReferenceCueFeatures(CueFeatures):
    def transform(self, X):
        rows = []
        for text in as_texts(X):
            found = cues(text)
            counts = [sum(1 for _, label, _ in found if label == name) for name in LEXICON]
            negated = sum(
                1
                for _, _, phrase in found
                if phrase.startswith("not ") or phrase.startswith(("will not", "won't"))
            )
            last = [1.0 if found and found[-1][1] == name else 0.0 for name in LEXICON]
            rows.append(
                [min(c, 3) / 3 for c in counts]
                + last
                + [min(negated, 2) / 2, float(bool(_CONDITION.search(text)))]
            )
        return sparse.csr_matrix(np.asarray(rows, dtype=float) * self.weight)


class ReferenceActVerbFeatures(ActVerbFeatures):
    def transform(self, X):
        index = {name: i for i, name in enumerate(self._columns())}
        texts = as_texts(X)
        rows, cols = [], []
        for row, text in enumerate(texts):
            plain = text.replace("NEG_", "")
            for name in set(self._active(plain, act_verbs(plain))):
                rows.append(row)
                cols.append(index[name])
        data = np.full(len(rows), float(self.weight))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(index)))


def as_reference(pipeline):
    """A copy of a fitted default pipeline whose steps run the plain definitions."""
    import copy

    reference = copy.deepcopy(pipeline)
    reference.named_steps["prep"].__class__ = ReferencePreprocessor
    for name, step in reference.named_steps["features"].transformer_list:
        if name == "word":
            step.analyzer.__class__ = ReferenceWordNgrams
        elif isinstance(step, CueFeatures):
            step.__class__ = ReferenceCueFeatures
        elif isinstance(step, ActVerbFeatures):
            step.__class__ = ReferenceActVerbFeatures
    return reference
