"""The first pipeline step: take texts in any shape, optionally mark negation and mask actors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import strip_accents_unicode

from stance.lexicon import NEGATORS

# Words that open a negated scope: the negation vocabulary of `stance.lexicon`.
_NEGATORS = NEGATORS
# A scope ends at punctuation or a clause-opening conjunction, as in Das & Chen (2001).
_SCOPE_END = re.compile(
    r"[.,;:!?\"“”()]|\b(?:but|and|while|although|though|because|unless|until|if)\b", re.I
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SCOPE_WORDS = 3

_NUMBER = re.compile(
    r"(?<![A-Za-z])[$€£¥]?\d[\d,.:]*(?:%| ?(?:percent|per cent|billion|million|bn|m|pm|am))?", re.I
)
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sept?",
    "Oct",
    "Nov",
    "Dec",
]
# \b(?:January|...|Dec)\.?\b, written as one branch per first letter (in the same order
# within it) so that the regex engine skips to the capitals months start with.
_MONTH = re.compile(
    "(?:"
    + "|".join(
        f"{first}(?<!\\w{first})(?:" + "|".join(m[1:] for m in _MONTH_NAMES if m[0] == first) + ")"
        for first in dict.fromkeys(m[0] for m in _MONTH_NAMES)
    )
    + r")\.?\b"
)
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_TOKEN = re.compile(r"[A-Za-z][\w'’.-]*[\w]|[A-Za-z]")
# Only capitalised tokens can be names: the others are not visited at all.
_CAPITALISED_TOKEN = re.compile(r"[A-Z][\w'’.-]*[\w]|[A-Z]")
_DIGIT = re.compile(r"\d")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_ENT_RUN = re.compile(r"ENT(?:(?:\s+|-)ENT)+")
PLACEHOLDERS = {"ENT", "NUM", "DATE", "DAY", "I"}
# Personal pronouns and possessives: who speaks does not change the act (GUIDELINES R28).
PERSONS = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "us",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
    ]
)
_SPACES = re.compile(r"[ \t]{2,}")
_APOSTROPHE = re.compile(r"['’]")
_NAME_PARTS = re.compile(r"[-.]")


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


def _mark_scopes(
    text: str, opener: re.Pattern, closer: re.Pattern, mark: Callable[[str], str]
) -> str:
    """``text`` with ``mark`` applied to each scope: from the end of an ``opener`` match to
    the next ``closer`` (or the end); an opener inside a marked scope opens none."""
    out: list[str] = []
    pos = 0
    for match in opener.finditer(text):
        if match.start() < pos:
            continue
        out.append(text[pos : match.end()])
        end = closer.search(text, match.end())
        limit = end.start() if end else len(text)
        out.append(mark(text[match.end() : limit]))
        pos = limit
    out.append(text[pos:])
    return "".join(out)


def mark_negation(text: str) -> str:
    """Prefix up to three words in each negated scope with ``NEG_``.

    "did not reject the offer" -> "did not NEG_reject NEG_the NEG_offer", so the model can
    tell a refusal from a refusal refused.
    """

    def negate(scope: str) -> str:
        marked = 0

        def _mark(word: re.Match) -> str:
            nonlocal marked
            if marked >= _SCOPE_WORDS or _NEGATORS.fullmatch(word.group()):
                return word.group()
            marked += 1
            return "NEG_" + word.group()

        return _WORD.sub(_mark, scope)

    return _mark_scopes(text, _NEGATORS, _SCOPE_END, negate)


# Where a side clause opens: background and time (R30, R40), relative clauses, concession and
# reason, and conditions (R3-R5, R16, R38). It runs to the next punctuation mark.
_SIDE_CLAUSE = re.compile(
    r"(?:^|(?<=[\s,;:(—–-]))(?:after|following|since|before|while|whilst|because|amid|amidst|"
    r"despite|although|though|which|who|whom|whose|when|where|if|unless|until|provided|once)\b"
    r"|(?:^|(?<=[,;—–]\s))as\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.,;:!?\"“”()—–]")


def mark_clauses(text: str, prefix: str = "SUB_") -> str:
    """Prefix the words of side clauses with ``SUB_``: "The talks collapsed after the
    employers refused to raise their offer" -> "… after SUB_the SUB_employers SUB_refused …".

    The act of the main clause decides (GUIDELINES R30, R40): an act recalled in a background,
    relative or conditional clause becomes other features than the same act in a main clause,
    and the act-verb and cue features, which look for whole words, no longer see it.
    """
    return _mark_scopes(
        text,
        _SIDE_CLAUSE,
        _CLAUSE_END,
        lambda scope: _WORD.sub(lambda w: prefix + w.group(), scope),
    )


# A personal pronoun as a whole `_WORD` token ("we", "We'll", "their"); `_dropped` checks
# that the token starts there and is not the tail of a longer one ("don't-we"). On ASCII
# text (nearly all news copy) the lower-cased text is searched case-sensitively, which lets
# the regex engine skip to the letters pronouns start with.
_PERSON_WORDS = "|".join(sorted(PERSONS, key=len, reverse=True))
_PERSON = re.compile(
    rf"(?<![A-Za-z])(?:{_PERSON_WORDS})(?:['’][A-Za-z'’-]*)?(?![A-Za-z'’-])",
    re.IGNORECASE | re.ASCII,
)
_PERSON_LOWER = re.compile(rf"(?:{_PERSON_WORDS})(?:['’][a-z'’-]*)?(?![a-z'’-])")


def _dropped(text: str, start: int, end: int) -> str:
    """What replaces the pronoun token ``text[start:end]``: its apostrophe and tail."""
    word, before = text[start:end], start - 1
    while before >= 0 and text[before] in "'’-":
        before -= 1
    if before >= 0 and text[before].isascii() and text[before].isalpha():
        return word  # inside a longer word
    head, sep, tail = (
        re.split(r"(['’])", word, maxsplit=1) if _APOSTROPHE.search(word) else (word, "", "")
    )
    if head.isupper() and head.lower() == "us":
        return word
    return sep + tail


def drop_persons(text: str) -> str:
    """Remove personal pronouns and possessives ("we'll" keeps "'ll"), so that "We demand
    talks" and "They demand talks" read the same. "US" in capitals is a country, not "us"."""
    if text.isascii():
        pieces, done = [], 0
        for match in _PERSON_LOWER.finditer(text.lower()):
            start, end = match.span()
            pieces += [text[done:start], _dropped(text, start, end)]
            done = end
        text = "".join(pieces) + text[done:]
    else:
        text = _PERSON.sub(lambda m: _dropped(m.string, m.start(), m.end()), text)
    return _SPACES.sub(" ", text).strip()


def lowercase_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Words seen written in lower case: everything else capitalised is taken for a name."""
    return frozenset(w for text in texts for w in _WORD.findall(text) if w.islower())


def mask_entities(text: str, vocabulary: frozenset[str]) -> str:
    """Replace numbers, dates and names by placeholders, so the act is learnt, not the actor.

    A capitalised word is a name when its lower-case form was never seen in lower case
    (``vocabulary``), which also works for Title Case and ALL CAPS headlines.
    """
    text = _MONTH.sub("DATE", text)
    if "day" in text:  # every weekday's name holds it
        text = _WEEKDAY.sub("DAY", text)
    if _DIGIT.search(text):
        text = _NUMBER.sub("NUM", text)

    def _replace(match: re.Match) -> str:
        word = match.group()
        if word in PLACEHOLDERS or _inside_token(match):
            return word
        if word.isalpha():  # most words: no possessive, apostrophe, hyphen or dot to split at
            return word if word.lower() in vocabulary else "ENT"
        bare = _POSSESSIVE.sub("", word).lower()
        head = _APOSTROPHE.split(bare)[0]  # "He’ll", "Don't"
        parts = [p for p in _NAME_PARTS.split(head) if p]
        if parts and all(p in vocabulary for p in parts):
            return word
        return "ENT"

    return _ENT_RUN.sub("ENT", _CAPITALISED_TOKEN.sub(_replace, text))


def _inside_token(match: re.Match) -> bool:
    """Is this capitalised word the tail of a `_TOKEN` that starts earlier ("iPhone", "al-Sadr")?
    A token starts at an ASCII letter and runs on through word characters, apostrophes,
    dots and hyphens."""
    text, before = match.string, match.start() - 1
    while before >= 0 and (text[before].isalnum() or text[before] in "_'’.-"):
        if text[before].isascii() and text[before].isalpha():
            return True
        before -= 1
    return False


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
    drop_persons : bool
        Remove personal pronouns and possessives, so no person leans to a label.
    mark_clauses : bool
        Prefix the words of side clauses (background, relative, conditional) with ``SUB_``, so
        that the main clause's act decides.
    """

    def __init__(
        self,
        *,
        column: str = "text",
        lowercase: bool = False,
        mark_negation: bool = False,
        mask_entities: bool = False,
        drop_persons: bool = False,
        mark_clauses: bool = False,
    ):
        self.column = column
        self.lowercase = lowercase
        self.mark_negation = mark_negation
        self.mask_entities = mask_entities
        self.drop_persons = drop_persons
        self.mark_clauses = mark_clauses

    def _validate_params(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ValueError(f"column must be a non-empty str, got {self.column!r}")

    def fit(self, X, y=None):
        self._validate_params()
        self.n_features_in_ = 1
        texts = self._texts(X)
        if self.drop_persons:
            texts = [drop_persons(t) for t in texts]
        self.vocabulary_ = lowercase_vocabulary(texts) if self.mask_entities else frozenset()
        return self

    def _texts(self, X) -> list[str]:
        if hasattr(X, "columns") and self.column in X.columns:
            X = X[self.column]
        return as_texts(X)

    def transform(self, X) -> list[str]:
        texts = self._texts(X)
        if self.drop_persons:
            texts = [drop_persons(t) for t in texts]
        if self.mask_entities:
            vocabulary = getattr(self, "vocabulary_", None)
            if vocabulary is None:
                raise ValueError("TextPreprocessor with mask_entities=True must be fitted first")
            texts = [mask_entities(t, vocabulary) for t in texts]
        if getattr(self, "mark_clauses", False):  # models saved before it existed lack it
            texts = [mark_clauses(t) for t in texts]
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
        return tags


# Two texts whose character 5-gram sets overlap this much are one statement reworded.
NEAR_DUPLICATE = 0.8


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def near_duplicate_pairs(
    texts_a: list[str], texts_b: list[str] | None = None, threshold: float = NEAR_DUPLICATE
):
    """Index pairs whose character 5-gram sets have Jaccard >= ``threshold``.

    With one list, pairs (i, j) with i < j inside it; with two, pairs across them.
    """
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    norm_a = [normalise(t) for t in texts_a]
    norm_b = norm_a if texts_b is None else [normalise(t) for t in texts_b]
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(5, 5), binary=True, lowercase=False)
    vectorizer.fit(norm_a + (norm_b if texts_b is not None else []))
    a = vectorizer.transform(norm_a).astype(np.float32).tocsr()
    b = a if texts_b is None else vectorizer.transform(norm_b).astype(np.float32).tocsr()
    size_a = np.asarray(a.sum(axis=1)).ravel()
    size_b = np.asarray(b.sum(axis=1)).ravel()
    pairs = []
    for start in range(0, a.shape[0], 512):
        inter = (a[start : start + 512] @ b.T).toarray()
        union = size_a[start : start + 512, None] + size_b[None, :] - inter
        jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        for i, j in zip(*np.nonzero(jaccard >= threshold), strict=True):
            i = int(i) + start
            if texts_b is not None or i < j:
                pairs.append((i, int(j), float(jaccard[i - start, j])))
    return pairs


# scikit-learn's default token_pattern, (?u)\b\w\w+\b: without the boundaries, which a
# greedy run of word characters implies, the search skips faster.
_WORD_TOKEN = re.compile(r"\w\w+")


class WordNgrams:
    """A ``TfidfVectorizer`` analyzer: lowercased, accent-stripped word 1- and 2-grams, with
    the ``lone`` words left out as unigrams but kept inside bigrams. Alone, "with" or "after"
    says nothing about the act and leaned to a label through the style of the rows; inside
    "agreed with" or "after talks" it is part of the phrase, and the phrases carry the act
    (dropping function words everywhere cost 4 points of validation macro-F1)."""

    def __init__(self, lone: Iterable[str] = ()):
        self.lone = frozenset(lone)

    def __call__(self, text: str) -> list[str]:
        tokens = _WORD_TOKEN.findall(strip_accents_unicode(text.lower()))
        grams = [t for t in tokens if t not in self.lone]
        grams += [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        return grams

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordNgrams) and other.lone == self.lone

    def __hash__(self) -> int:
        return hash(self.lone)

    def __repr__(self) -> str:
        return f"WordNgrams(lone=<{len(self.lone)} words>)"
