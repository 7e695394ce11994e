"""The act verbs of news copy, by the label whose act they carry.

One vocabulary for three uses: the act-verb features of the pipeline
(`stance.features.ActVerbFeatures`), the corpus statistics (a family's share of its own
label's rows and of the other labels' rows), and the contrast rows on which
`contrast_macro_f1` is measured. The families are the reporting verbs that carry most acts
in wire copy (data/briefs/wave3.md, with the "also" verbs there); nouns spelt like a verb ("the demands", "an offer")
match too, which is what makes a row a contrast case when its label is another.
"""

from __future__ import annotations

import functools
import itertools
import os
import re

import numpy as np

FAMILIES: dict[str, dict[str, str]] = {
    "rejecting": {
        "reject": r"reject(?:s|ed|ing)?",
        "refuse": r"refus(?:e|es|ed|ing)",
        "dismiss": r"dismiss(?:es|ed|ing)?",
        "veto": r"veto(?:es|ed|ing)?",
        "rule out": r"rul(?:e|es|ed|ing) out",
        "turn down": r"turn(?:s|ed|ing)? down",
        "oppose": r"oppos(?:e|es|ed|ing)",
        "decline to": r"declin(?:e|es|ed|ing) to",
        "block": r"block(?:s|ed|ing)?",
        "walk out": r"walk(?:s|ed|ing)? out",
        "renege": r"reneg(?:e|es|ed|ing)",
        "back out": r"back(?:s|ed|ing)? out",
        "boycott": r"boycott(?:s|ed|ing)?",
        "spurn": r"(?:spurn|rebuff|snub)(?:s|bed|bing|ed|ing)?",
    },
    "demanding": {
        "demand": r"demand(?:s|ed|ing)?",
        "urge": r"urg(?:e|es|ed|ing)",
        "call on": r"call(?:s|ed|ing)? (?:on|upon|for)",
        "insist": r"insist(?:s|ed|ing)?",
        "must": r"must",
        "press": r"press(?:es|ed|ing)? (?:for\b|(?:\w+ ){1,3}to)",
        "ask": r"ask(?:s|ed|ing)?",
        "order": r"order(?:s|ed|ing)? (?:\w+ ){1,4}to",
        "appeal": r"appeal(?:s|ed|ing)? (?:to|for)",
        "tell to": r"t(?:ell|ells|old|elling) (?:\w+ ){1,4}to",
    },
    "conciliatory": {
        "agree": r"agre(?:e|es|ed|eing)",
        "accept": r"accept(?:s|ed|ing)?",
        "offer": r"offer(?:s|ed|ing)?",
        "pledge": r"pledg(?:e|es|ed|ing)",
        "promise": r"promis(?:e|es|ed|ing)",
        "allow": r"allow(?:s|ed|ing)?",
        "lift": r"lift(?:s|ed|ing)?",
        "ease": r"eas(?:e|es|ed|ing)",
        "release": r"releas(?:e|es|ed|ing)",
        "concede": r"conced(?:e|es|ed|ing)",
        "compromise": r"compromis(?:e|es|ed|ing)",
        "ready to": r"ready to",
        "willing to": r"willing to",
        "free": r"(?:freed|frees|freeing)",
        "reopen": r"reopen(?:s|ed|ing)?",
        "grant": r"grant(?:s|ed|ing)?",
        "welcome": r"welcom(?:e|es|ed|ing)",
    },
}
STANCE_LABELS = tuple(FAMILIES)

# One alternation per family; the group name says which verb matched.
_FAMILY_PATTERNS = {
    label: re.compile(r"\b(?:" + "|".join(verbs.values()) + r")\b", re.IGNORECASE)
    for label, verbs in FAMILIES.items()
}
# Every verb of every family in one pass, each as a named group, for the features.
_GROUP_NAMES = {
    f"v{i}": (label, lemma)
    for i, (label, lemma) in enumerate(
        (label, lemma) for label, verbs in FAMILIES.items() for lemma in verbs
    )
}


_VERB_PATTERNS = {name: FAMILIES[label][lemma] for name, (label, lemma) in _GROUP_NAMES.items()}


def _verb_alternation(names: tuple[str, ...]) -> str:
    return r"\b(?:" + "|".join(f"(?P<{name}>{_VERB_PATTERNS[name]})" for name in names) + r")\b"


ANY_VERB = re.compile(_verb_alternation(tuple(_GROUP_NAMES)), re.IGNORECASE)

# Characters that re.IGNORECASE matches to an ASCII letter although str.lower() gives another
# letter or two characters (found by trying every code point): texts holding one get every
# pattern tried.
_ASCII_LOOKALIKES = re.compile("[\u0130\u0131\u017f\u212a]")
_LEADING_LITERAL = re.compile(r"(?:\\b)?([a-z' -]*)(?:\(\?:([a-z' |-]+)\)(?![?*+{]))?")


def leading_literals(pattern: str) -> tuple[str, ...]:
    """Texts one of which every match of ``pattern`` starts with, lower case: ("agre",) for
    ``agre(?:e|es|ed)``, ("spurn", "rebuff") for ``(?:spurn|rebuff)s?``, ("",) when unknown."""
    match = _LEADING_LITERAL.match(pattern)
    literal, alternatives = match.group(1), match.group(2)
    if alternatives:
        options = [literal + alternative for alternative in alternatives.split("|")]
        shared = os.path.commonprefix(options)
        if len(shared) >= 3:  # one search for "refus", not four for its endings
            return (shared,)
        return tuple(o for o in options if not any(o.startswith(x) for x in options if x != o))
    rest = pattern[match.end(1) :]
    return (literal[:-1] if rest[:1] in ("?", "*", "+", "{") else literal,)


def _joined(texts: list[str]) -> tuple[str, np.ndarray]:
    """The texts joined by NUL, which no pattern of stance matches, and where each starts."""
    starts = np.fromiter(
        itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0),
        dtype=np.int64,
        count=len(texts),
    )
    return "\0".join(texts), starts


def texts_matching(pattern: re.Pattern, texts: list[str]) -> np.ndarray:
    """Whether ``pattern`` occurs in each text, found in one search through them all (the
    pattern must not match NUL)."""
    joined, starts = _joined(texts)
    found = np.zeros(len(texts), dtype=bool)
    positions = [match.start() for match in pattern.finditer(joined)]
    found[np.searchsorted(starts, positions, side="right") - 1] = True
    return found


class CandidatePatterns:
    """Which of many case-insensitive patterns may match each of many texts.

    A pattern can match only where one of its leading literals occurs. Finding each literal
    once in all the texts joined, then running on each text only the patterns whose literal
    it holds, replaces a hundred regex scans per sentence by a few; a pattern is skipped only
    where it cannot match, so the matches are exactly those of trying every pattern.

    Parameters
    ----------
    literals : list of tuples of str
        For each pattern, texts one of which all its matches start with, lower case (as
        `leading_literals` gives them); a pattern with a literal shorter than ``min_literal``
        is always tried.
    min_literal : int
        Literals this short (one letter, or none) occur in nearly every text.
    """

    def __init__(self, literals: list[tuple[str, ...]], min_literal: int = 2):
        self._always = [
            j for j, options in enumerate(literals) if min(map(len, options)) < min_literal
        ]
        self._by_literal: dict[str, list[int]] = {}
        for j, options in enumerate(literals):
            if j not in self._always:
                for literal in set(options):
                    self._by_literal.setdefault(literal, []).append(j)
        self._everything = tuple(range(len(literals)))

    def for_texts(self, texts: list[str]) -> list[tuple[int, ...]]:
        """For each text, the indices of the patterns that may match it, in pattern order."""
        if not texts:
            return []
        unsafe = {i for i, text in enumerate(texts) if _ASCII_LOOKALIKES.search(text)}
        # Lower-cased once, unsafe texts left out (so that every position keeps its place).
        lowered, starts = _joined(["" if i in unsafe else t for i, t in enumerate(texts)])
        lowered = lowered.lower()
        hits: list[set[int]] = [set(self._always) for _ in texts]
        for literal, indices in self._by_literal.items():
            found, at = [], lowered.find(literal)
            while at >= 0:
                found.append(at)
                at = lowered.find(literal, at + 1)
            if found:
                for i in np.unique(np.searchsorted(starts, found, side="right") - 1).tolist():
                    hits[i].update(indices)
        return [self._everything if i in unsafe else tuple(sorted(h)) for i, h in enumerate(hits)]


_VERB_CANDIDATES = CandidatePatterns([leading_literals(p) for p in _VERB_PATTERNS.values()])
_VERB_NAMES = tuple(_GROUP_NAMES)


@functools.lru_cache(maxsize=4096)
def _verbs_among(indices: tuple[int, ...]) -> re.Pattern:
    # The alternatives keep their order, so each position matches as ANY_VERB would.
    return re.compile(_verb_alternation(tuple(_VERB_NAMES[j] for j in indices)), re.IGNORECASE)


# The one negation vocabulary of stance: the words that turn the act after them ("did not
# reject", "refused to accept", "failed to reach"). Negation marking (`stance.text`), the
# guideline cues (`stance.rules`) and the act verbs below all read it.
NEGATOR_WORDS = (
    r"not|never|no longer|no|nor|without|cannot|\w+n['’]t|refus\w* to|declin\w* to|fail\w* to"
)
NEGATORS = re.compile(rf"\b(?:{NEGATOR_WORDS})\b", re.IGNORECASE)
# A negator in the few words before a verb turns it.
NEGATOR = re.compile(rf"\b(?:{NEGATOR_WORDS})\s+(?:\w+\s+){{0,2}}$", re.IGNORECASE)


def has_family(text: str, label: str) -> bool:
    """Does ``text`` hold a verb of ``label``'s family?"""
    return _FAMILY_PATTERNS[label].search(text) is not None


def act_verbs(text: str) -> list[tuple[int, str, str, bool]]:
    """``(position, family, lemma, negated)`` of every act verb, in order of appearance."""
    return act_verbs_of([text])[0]


def act_verbs_of(texts: list[str]) -> list[list[tuple[int, str, str, bool]]]:
    """`act_verbs` of each text, the texts read together (much faster than one by one)."""
    found = []
    for text, candidates in zip(texts, _VERB_CANDIDATES.for_texts(texts), strict=True):
        verbs = []
        for match in _verbs_among(candidates).finditer(text) if candidates else ():
            label, lemma = _GROUP_NAMES[match.lastgroup]
            negated = NEGATOR.search(text[max(0, match.start() - 60) : match.start()]) is not None
            verbs.append((match.start(), label, lemma, negated))
        found.append(verbs)
    return found


def is_contrast(text: str, label: str) -> bool:
    """A contrast row: it holds a verb of another label's family (any family, for a neutral
    row), or, for a stance row, a negated act verb. These are the rows where the verb that
    carries the act must outweigh the words around it."""
    others = [family for family in STANCE_LABELS if family != label]
    if any(has_family(text, family) for family in others):
        return True
    return label in FAMILIES and any(negated for *_, negated in act_verbs(text))


# Words of scikit-learn's English stop list that carry an act under the guidelines, and so stay
# features: negators (R2), the modals of demands and of promises ("must ...", "will ...": R4,
# §1), the words of conditions that decide between an offer and a demand (R3, R4, R16).
ACT_FUNCTION_WORDS = frozenset(
    ["not", "no", "nor", "never", "cannot", "without", "against", "must", "should", "will"]
    + ["if", "unless", "until", "only"]
)
# What is left of "we're", "they've", "she'd" once the pronoun is gone (`drop_persons`).
_CONTRACTION_TAILS = frozenset(["re", "ve", "d", "m", "s"])


def function_words() -> list[str]:
    """Stop words for the word n-grams: words that say nothing about the act, so that none of
    them can lean to a label ("after", "with", "and" did, through the style of the rows)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted((ENGLISH_STOP_WORDS - ACT_FUNCTION_WORDS) | _CONTRACTION_TAILS)
