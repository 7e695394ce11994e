"""The act vocabulary of the annotation guidelines, as a keyword-rule baseline and as features.

Both read the same lexicon: a phrase cues a label, and a cue in the scope of a negator
flips (R2 of data/GUIDELINES.md): "did not rule out" moves toward the other side,
"refused to accept" turns it down, "no longer insists" drops a demand.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

from stance.lexicon import (
    NEGATORS,
    CandidatePatterns,
    act_verbs_of,
    leading_literals,
    texts_matching,
)
from stance.text import as_texts

LEXICON: dict[str, list[str]] = {
    "conciliatory": [
        r"agree[sd]?\b",
        r"agreement",
        r"accept(?:s|ed|ing)?\b",
        r"offer(?:s|ed|ing)? to",
        r"conce(?:de|ded|ssion)",
        r"compromis",
        r"yield",
        r"pledg",
        r"promis",
        r"ready to",
        r"willing",
        r"open to",
        r"door\w* (?:is |remains? )?open",
        r"welcom",
        r"eas(?:e|es|ed|ing) (?:the )?(?:restrictions|sanctions|curbs|blockade)",
        r"lift(?:s|ed|ing)?\b",
        r"releas",
        r"pardon",
        r"call(?:s|ed)? off",
        r"suspend",
        r"drop(?:s|ped)? (?:its|their|the|his|her) (?:demand|threat|claim|objection)",
        r"withdr[ae]w\w* (?:its|their|the) (?:threat|demand|objection|claim)",
        r"truce",
        r"ceasefire",
        r"settle",
        r"sign(?:s|ed)? (?:the|a|an)\b",
        r"can live with",
        r"\bback(?:s|ed)\b",
        r"resum\w+ talks",
        r"reach(?:ed)? (?:a |an )?(?:deal|agreement)",
        r"confident",
        r"hope",
        r"cooperat",
        r"goodwill",
        r"embrac",
    ],
    "demanding": [
        r"demand",
        r"call(?:s|ed|ing)? (?:on|for|upon)",
        r"\burg(?:e|es|ed|ing)\b",
        r"press(?:es|ed|ing)?\b",
        r"insist",
        r"request",
        r"appeal",
        r"order(?:s|ed)?\b",
        r"\bmust\b",
        r"\bshould\b",
        r"ha(?:ve|s) to\b",
        r"need(?:s)? to",
        r"ultimatum",
        r"deadline",
        r"or face",
        r"precondition",
        r"on condition",
        r"only (?:if|once|when|after)",
        r"ball is in",
        r"their move",
        r"\bwant(?:s|ed)? (?:\w+ ){1,3}to\b",
        r"\bask(?:s|ed)? (?:\w+ ){1,3}to\b",
        r"\btold (?:\w+ ){1,3}to\b",
        r"give[sn]? (?:\w+ ){1,3}until",
        r"\bseek",
        r"push(?:es|ed)? for",
    ],
    "rejecting": [
        r"reject",
        r"refus",
        r"declin",
        r"dismiss",
        r"rul(?:e|es|ed|ing) out",
        r"veto",
        r"\bblock",
        r"boycott",
        r"walk(?:s|ed)? out",
        r"walkout",
        r"\bden(?:y|ies|ied)\b",
        r"non-?starter",
        r"off the table",
        r"spurn",
        r"rebuff",
        r"snub",
        r"turn(?:s|ed)? down",
        r"no deal",
        r"not one inch",
        r"scrap",
        r"vot(?:e|ed|es) (?:down|against)",
        r"brush(?:es|ed)? aside",
        r"shot down",
        r"no way",
        r"out of the question",
        r"not (?:going|prepared) to",
    ],
}
# A bare negated future ("will not sign", "won't return") is itself a refusal.
NEGATED_WILL = re.compile(
    r"\b(?:will|would|shall|could|can)\s+(?:not|never)\b|\b(?:won't|wouldn't|can't|cannot)\b", re.I
)
# Every cue as (label, compiled pattern), in LEXICON's order.
_COMPILED = [
    (label, re.compile(p, re.IGNORECASE)) for label, patterns in LEXICON.items() for p in patterns
]
# The last candidate is NEGATED_WILL, which needs "not", "never" or "n't".
_CANDIDATES = CandidatePatterns(
    [leading_literals(p) for patterns in LEXICON.values() for p in patterns]
    + [("not", "never", "n't")]
)
_FLIP = {"conciliatory": "rejecting", "rejecting": "conciliatory", "demanding": "conciliatory"}
_SCOPE = 30  # characters before a cue in which a negator flips it
_OWN_NEGATION = re.compile(r"\s*(?:no|not)\b", re.I)
_CONDITION = re.compile(r"\b(?:if|unless|until|provided|as long as|once)\b", re.I)


def cues(text: str) -> list[tuple[int, str, str]]:
    """``(position, label, phrase)`` of every cue, already flipped when negated."""
    return cues_of([text])[0]


def cues_of(texts: list[str]) -> list[list[tuple[int, str, str]]]:
    """`cues` of each text, the texts read together (much faster than one by one)."""
    return [
        _cues(text, candidates)
        for text, candidates in zip(texts, _CANDIDATES.for_texts(texts), strict=True)
    ]


def _cues(text: str, candidates: tuple[int, ...]) -> list[tuple[int, str, str]]:
    found = []
    for j in candidates:
        if j == len(_COMPILED):
            found += [
                (m.start(), "rejecting", m.group().lower()) for m in NEGATED_WILL.finditer(text)
            ]
            continue
        label, pattern = _COMPILED[j]
        for match in pattern.finditer(text):
            window = text[max(0, match.start() - _SCOPE) : match.start()]
            negated = bool(NEGATORS.search(window)) and not NEGATORS.fullmatch(match.group())
            if label == "rejecting" and _OWN_NEGATION.match(match.group()):
                negated = False  # "no deal", "not one inch" carry their own negation
            phrase = match.group().lower()
            found.append(
                (
                    match.start(),
                    _FLIP[label] if negated else label,
                    ("not " if negated else "") + phrase,
                )
            )
    return sorted(found)


def _main_clause(text: str) -> str:
    """The text before its first condition: a verb after "until", "if", "unless" is the
    condition (R3, R4, R16), as in "would not sign until the border is reopened"."""
    condition = _CONDITION.search(text)
    return text[: condition.start()] if condition else text


class RulesClassifier(ClassifierMixin, BaseEstimator):
    """A transparent baseline written from the guidelines; it learns nothing from the data.

    Each cue votes for its label; the first act verb of the sentence (the reporting verb of
    news copy, `stance.lexicon`) votes ``verb_weight`` for its family, or for the flipped
    label when negated, so that it outweighs the nouns of its object (R24); the most votes
    win, ties go to the cue reported last (R7); no cue means neutral. Probabilities are a
    softmax of the votes.

    Parameters
    ----------
    labels : list of str
        The label set, in the order ``classes_`` will have (sorted, as sklearn does).
    sharpness : float
        Softmax temperature of the votes.
    verb_weight : float
        The vote of the first act verb (0: cues only).
    """

    def __init__(
        self,
        *,
        labels: tuple[str, ...] = ("conciliatory", "demanding", "neutral", "rejecting"),
        sharpness: float = 1.5,
        verb_weight: float = 1.5,
    ):
        self.labels = labels
        self.sharpness = sharpness
        self.verb_weight = verb_weight

    def _validate_params(self) -> None:
        if self.sharpness <= 0:
            raise ValueError(f"sharpness must be > 0, got {self.sharpness}")
        if self.verb_weight < 0:
            raise ValueError(f"verb_weight must be >= 0, got {self.verb_weight}")

    def fit(self, X, y=None):
        self._validate_params()
        seen = sorted(set(y)) if y is not None else sorted(self.labels)
        self.classes_ = np.asarray(seen, dtype=object)
        return self

    def _votes(self, texts: list[str]) -> np.ndarray:
        votes = np.zeros((len(texts), len(self.classes_)))
        for row, found, verbs in zip(
            votes, cues_of(texts), act_verbs_of([_main_clause(t) for t in texts]), strict=True
        ):
            self._vote(row, found, verbs)
        return votes

    def _vote(self, votes: np.ndarray, found: list, verbs: list) -> None:
        index = {label: i for i, label in enumerate(self.classes_)}
        for rank, (_, label, _) in enumerate(found):
            if label in index:
                votes[index[label]] += 1.0 + 0.01 * rank  # later cues win ties
        if verbs and self.verb_weight:
            _, family, _, negated = verbs[0]
            label = _FLIP[family] if negated else family
            if label in index:
                votes[index[label]] += self.verb_weight
        if "neutral" in index:
            votes[index["neutral"]] += 0.5

    def predict_proba(self, X) -> np.ndarray:
        votes = self._votes(as_texts(X)) * self.sharpness
        votes -= votes.max(axis=1, keepdims=True)
        exp = np.exp(votes)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def explain_text(self, text: str, label: str) -> list[tuple[str, float]]:
        return [(phrase, 1.0) for _, cue_label, phrase in cues(text) if cue_label == label]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class _WeightedColumns(TransformerMixin, BaseEstimator):
    """A few hand-made columns beside the n-grams, scaled by ``weight``; nothing to learn."""

    def __init__(self, *, weight: float = 0.5):
        self.weight = weight

    def _validate_params(self) -> None:
        if self.weight < 0:
            raise ValueError(f"weight must be >= 0, got {self.weight}")

    def fit(self, X, y=None):
        self._validate_params()
        self.n_features_in_ = 1
        return self


class CueFeatures(_WeightedColumns):
    """Counts of the guidelines' cues per label (after negation flips), plus 'negated' and
    'conditional' flags, as a few extra columns beside the n-grams.

    Parameters
    ----------
    weight : float
        Scale of the columns relative to the (unit-norm) TF-IDF block.
    """

    def transform(self, X):
        texts = as_texts(X)
        label_index = {name: i for i, name in enumerate(LEXICON)}
        counts = np.zeros((len(texts), len(LEXICON)))
        last = np.zeros((len(texts), len(LEXICON)))
        negated = np.zeros(len(texts))
        for row, found in enumerate(cues_of(texts)):
            for _, label, phrase in found:
                counts[row, label_index[label]] += 1
                negated[row] += phrase.startswith(("not ", "will not", "won't"))
            if found:
                last[row, label_index[found[-1][1]]] = 1.0
        columns = np.column_stack(
            [
                np.minimum(counts, 3) / 3,
                last,
                np.minimum(negated, 2) / 2,
                texts_matching(_CONDITION, texts),
            ]
        )
        return sparse.csr_matrix(columns * self.weight)

    def get_feature_names_out(self, input_features=None):
        names = (
            [f"cue:{n}" for n in LEXICON]
            + [f"last cue:{n}" for n in LEXICON]
            + ["cue:negated", "cue:conditional"]
        )
        return np.asarray(names, dtype=object)


class ActVerbFeatures(_WeightedColumns):
    """Which act verb carries the sentence, apart from the nouns around it.

    In "The union rejected the offer" both "rejected" and "offer" are words of an act, and
    n-grams weigh them alike. These columns name the **first act verb** of the sentence (the
    main clause's, in wire copy's subject-verb order), its family and whether it is negated,
    the last one, and the families of words used as objects ("the offer", "their demands":
    a family word after a determiner). The verbs are `stance.lexicon.FAMILIES`.

    Parameters
    ----------
    weight : float
        Scale of the columns relative to the (unit-norm) TF-IDF block.
    """

    _determiner = re.compile(
        r"\b(?:the|a|an|its|their|his|her|our|your|this|that|these|those|any|every|all|new|"
        r"latest|fresh|final|revised|further|first|second|ENT'?s?)\s+$",
        re.IGNORECASE,
    )

    @staticmethod
    def _columns() -> list[str]:
        from stance.lexicon import FAMILIES

        names = ["first:none"]
        for family, verbs in FAMILIES.items():
            names += [f"first:{family}", f"first:{family}:neg"]
            names += [f"last:{family}", f"last:{family}:neg", f"object:{family}"]
            for lemma in verbs:
                names += [f"verb:{lemma}", f"verb:{lemma}:neg"]
        return names

    def _active(self, plain: str, found: list[tuple[int, str, str, bool]]) -> list[str]:
        verbs, objects = [], []
        for position, family, lemma, negated in found:
            if self._determiner.search(plain[max(0, position - 40) : position]):
                objects.append(family)
            else:
                verbs.append((family, lemma, ":neg" if negated else ""))
        if not verbs:
            return ["first:none", *(f"object:{f}" for f in objects)]
        (family, lemma, neg), (last_family, _, last_neg) = verbs[0], verbs[-1]
        return [
            f"first:{family}{neg}",
            f"verb:{lemma}{neg}",
            f"last:{last_family}{last_neg}",
            *(f"object:{f}" for f in objects),
        ]

    def transform(self, X):
        index = {name: i for i, name in enumerate(self._columns())}
        plains = [text.replace("NEG_", "") for text in as_texts(X)]
        rows, cols = [], []
        for row, (plain, found) in enumerate(zip(plains, act_verbs_of(plains), strict=True)):
            for name in set(self._active(plain, found)):
                rows.append(row)
                cols.append(index[name])
        data = np.full(len(rows), float(self.weight))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(plains), len(index)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"act {name}" for name in self._columns()], dtype=object)
