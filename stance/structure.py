"""What a sentence's structure says about its act: the role each act word plays, and the
frames of news copy in which act words report no act (GUIDELINES R35-R40).

In "The union rejected the offer" the act word is the main verb; in "the rejected offer" it is
a participle, in "the union's demands" a noun, in "would see both sides agree" the content of a
plan, in "is yet to sign" an act that has not happened, in "critics say the deal concedes too
much" a commentator's view. Word n-grams see the same words in all of them.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse

from stance.lexicon import act_verbs_of
from stance.rules import _WeightedColumns
from stance.text import as_texts

# What stands just before an act word and makes it something other than a main verb.
_ROLE_BEFORE = {
    # "the demands", "its offer", "a proposed truce", "talks on a proposed truce"
    "noun": re.compile(
        r"\b(?:the|a|an|its|their|his|her|our|your|this|that|these|those|any|every|no|new|"
        r"latest|fresh|final|revised|further|first|second|earlier|previous|such|ENT'?s?|'s)\s+$",
        re.IGNORECASE,
    ),
    # "would see both sides agree", "could accept", "may reject"
    "modal": re.compile(
        r"\b(?:would|could|might|may|should)\s+(?:\w+\s+){0,3}$",
        re.IGNORECASE,
    ),
    # "is expected to agree", "is likely to reject", "plans to offer", "is due to sign"
    "expected": re.compile(
        r"\b(?:expected|likely|unlikely|set|due|poised|planning|plans|hopes|hoping|ready)\s+to\s+"
        r"(?:\w+\s+)?$",
        re.IGNORECASE,
    ),
    # "is yet to sign", "has not yet agreed", "no indication that he would lift"
    "unmet": re.compile(
        r"\b(?:yet\s+to|not\s+yet|no\s+(?:sign|indication)\s+(?:that\s+)?\w*\s*(?:\w+\s+)?|"
        r"whether\s+(?:\w+\s+){0,3})$",
        re.IGNORECASE,
    ),
}
ROLES = ("verb", *_ROLE_BEFORE)

# Whole-sentence frames of news copy that report no act of their own.
FRAMES = {
    # R35: what a plan, draft or deal contains or would do
    "proposal": re.compile(
        r"^(?:under\s+)?(?:the|a|an|this|that)\s+(?:\w+\s+){0,3}(?:plan|proposal|draft|deal|"
        r"agreement|framework|offer|text|bill|package|accord|memorandum|roadmap|terms|"
        r"settlement|treaty|compromise)s?\b(?:[^,.]{0,60})\b(?:would|will|includes?|including|"
        r"sets?\s+out|calls?\s+for|requires?|provides?|covers?|leaves?|says?\s+nothing|"
        r"does\s+not|makes?\s+no)\b",
        re.IGNORECASE,
    ),
    # R30, R40: "The move comes after …", "The statement followed …"
    "background": re.compile(
        r"^(?:the|this|that|it|his|her|their)\s+(?:\w+\s+){0,3}(?:comes?|came|follows?|followed|"
        r"was\s+the\s+first|is\s+the\s+first)\b",
        re.IGNORECASE,
    ),
    # R37: travel, schedules, expectations
    "schedule": re.compile(
        r"\b(?:arrived?|arrives|landed|lands|travell?ed|travels|flew|flies|visit(?:ed|s)?|"
        r"scheduled|due\s+to\s+(?:meet|resume|begin|start|hold|vote)|expected\s+to\s+(?:meet|"
        r"resume|speak|begin|start|vote|hold|travel|arrive)|will\s+(?:meet|resume|hold|travel)|"
        r"is\s+to\s+(?:meet|hold)|(?:talks|negotiations|meeting|round)\s+(?:will|is\s+set\s+to)\s+"
        r"(?:resume|begin|open|take\s+place))\b",
        re.IGNORECASE,
    ),
    # R38: acts that have not happened
    "unmet": re.compile(
        r"\b(?:yet\s+to|has\s+not\s+(?:yet\s+)?(?:said|responded|replied|commented|decided)|"
        r"have\s+not\s+(?:yet\s+)?(?:said|responded|replied)|gave\s+no\s+(?:indication|sign)|"
        r"no\s+(?:indication|sign)\s+(?:that|of)|did\s+not\s+say\s+(?:whether|when|if)|"
        r"it\s+(?:is|was|remains)\s+(?:not\s+)?(?:unclear|clear)\s+whether|if\s+no\s+deal|"
        r"if\s+(?:a|the)\s+deal\s+(?:is|was)\s+not)\b",
        re.IGNORECASE,
    ),
    # R39: commentators, markets and the law
    "commentary": re.compile(
        r"\b(?:analysts?|critics?|economists?|experts?|observers?|commentators?|investors?|"
        r"lecturer|professor|consultant|researcher|strategist|traders?|markets?|shares|"
        r"residents?|fans?|supporters|campaigners)\b[^.]{0,80}\b(?:said|say|says|argued?|argues|"
        r"warned?|warns|noted?|notes|expect\w*|believe\w*|fear\w*|called|described|rallied|fell|"
        r"rose)\b|\b(?:under\s+the\s+(?:law|constitution|rules)|by\s+law)\b|"
        r"\baccording\s+to\s+(?:analysts|economists|experts)\b",
        re.IGNORECASE,
    ),
}
# The words of side clauses marked by `stance.text.mark_clauses`.
_SIDE_WORD = re.compile(r"\bSUB_\S+")


class StructureFeatures(_WeightedColumns):
    """The role of each act word of the main clause, and the frames in which act words report
    no act, as a few columns beside the n-grams.

    For every act verb of `stance.lexicon.FAMILIES` found outside side clauses (words marked
    ``SUB_`` by the preprocessor are left out): its family crossed with its role, one of
    ``verb`` (a main verb), ``noun`` (after a determiner: "the demands", "a proposed truce"),
    ``modal`` (under would/could/may), ``expected`` ("is expected to agree") or ``unmet`` ("is
    yet to sign"); and whether a side clause held an act word at all. Then one column per
    frame of `FRAMES`: a proposal described, a background sentence, a schedule, an unmet
    expectation, commentary or law.

    Parameters
    ----------
    weight : float
        Scale of the columns relative to the (unit-norm) TF-IDF block.
    """

    @staticmethod
    def _columns() -> list[str]:
        from stance.lexicon import FAMILIES

        names = [f"{family}:{role}" for family in FAMILIES for role in ROLES]
        return [*names, "side clause act", *(f"frame:{name}" for name in FRAMES)]

    def transform(self, X):
        texts = [text.replace("NEG_", "") for text in as_texts(X)]
        index = {name: i for i, name in enumerate(self._columns())}
        mains = [_SIDE_WORD.sub(" ", text) for text in texts]
        sides = [" ".join(w[4:] for w in _SIDE_WORD.findall(text)) for text in texts]
        rows, cols = [], []
        for row, (main, found, side) in enumerate(
            zip(mains, act_verbs_of(mains), act_verbs_of(sides), strict=True)
        ):
            active = {f"{family}:{_role(main[max(0, at - 60) : at])}" for at, family, *_ in found}
            if side:
                active.add("side clause act")
            active |= {f"frame:{name}" for name, frame in FRAMES.items() if frame.search(main)}
            rows += [row] * len(active)
            cols += [index[name] for name in active]
        data = np.full(len(rows), float(self.weight))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(index)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"structure {name}" for name in self._columns()], dtype=object)


def _role(before: str) -> str:
    for role, pattern in _ROLE_BEFORE.items():
        if pattern.search(before):
            return role
    return "verb"
