"""The fast paths give the answers of the plain definitions (`tests/reference.py`): the same
cues, act verbs, masked and pronoun-free texts and n-grams on texts made to be awkward, and
the same probabilities on the whole corpus. How much faster they are is `make bench`'s to say."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import reference
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.lexicon import act_verbs_of
from stance.rules import cues_of
from stance.text import WordNgrams, drop_persons, mask_entities

# Pieces that meet the edge of each fast path: cue and verb words inside longer words, their
# negations, pronouns glued to apostrophes and hyphens, capitals inside words, characters that
# case-insensitive matching folds to ASCII letters (İ ı ſ K), the NUL that joins texts, and
# the NEG_ marks of the preprocessor.
PIECES = [
    "agree", "disagreement", "Agreed", "reject", "REJECTED", "refused to", "declined to",
    "will not", "won't", "can't", "cannot", "never", "no deal", "not going to", "no longer",
    "told them to", "asked ENT to", "ready to", "call on", "called off", "must", "urge",
    "the offer", "their demands", "an agreement", "ease the sanctions", "releases the curbs",
    "backed", "denied", "non-starter", "vote against", "spurned", "freed", "ruled out",
    "if", "unless", "until", "once", "only if", "ha", "has to", "have to",
    "we", "We'll", "us", "US", "Us", "they’ve", "-we", "'we", "don't-we", "a'we", "ourselves",
    "I", "i", "his", "him's", "Monday", "May", "Sept.", "Jan", "January", "xMay", "_Dec", "Mayor", "Sep", "5", "$3.5m", "10%",
    "iPhone", "al-Sadr", "O'Neil", "U.S.", "Minister", "ENT", "ENT's", "NEG_", "NUM",
    "İ", "ı", "ſ", "\u212a", "é", "’", "'", "-", ".", ",", " ", "  ", "\t", "\n", "\0",
    "Unless", "NOT", "Won’t",
]  # fmt: skip
# A piece with its i, s, k or I swapped for the character that folds to it ("wıllıng").
LOOKALIKE = st.sampled_from([("i", "ı"), ("s", "ſ"), ("k", "\u212a"), ("I", "İ"), ("i", "İ")])
FOLDED = st.tuples(st.sampled_from(PIECES), LOOKALIKE).map(lambda p: p[0].replace(*p[1]))
TEXTS = st.lists(
    st.sampled_from(PIECES) | FOLDED | st.text(alphabet="aegnorstuİıſ' -", max_size=4),
    max_size=25,
).map("".join)
VOCABULARY = frozenset(["minister", "we", "agreed", "said", "the", "us", "may", "sadr", "o"])


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_cues_and_act_verbs_read_together_are_those_of_each_text_alone(texts):
    assert cues_of(texts) == [reference.cues(t) for t in texts]
    assert act_verbs_of(texts) == [reference.act_verbs(t) for t in texts]


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_pronouns_names_and_word_ngrams_as_the_plain_definitions(text):
    assert drop_persons(text) == reference.drop_persons(text)
    assert mask_entities(text, VOCABULARY) == reference.mask_entities(text, VOCABULARY)
    lone = frozenset(["the", "to"])
    assert WordNgrams(lone)(text) == reference.word_ngrams(lone, text)


def test_hand_made_edges():
    # Worked by hand: the pronoun inside a longer word stays; "US" in capitals stays.
    assert drop_persons("don't-we agree, a'we said; -we went; US and us") == (
        "don't-we agree, a'we said; - went; US and"
    )
    # "iPhone" is one token that starts in lower case: not a name; "Al-Sadr" is.
    assert mask_entities("iPhone maker Al-Sadr met on May 5", VOCABULARY) == (
        "iPhone maker ENT met on DATE NUM"
    )
    # A dotless i matches "i" under case-insensitive matching, though "ı".lower() is not "i":
    # the text that holds one is not skipped.
    assert cues_of(["They AGREED", "They are wıllıng"]) == [
        [(5, "conciliatory", "agreed")],
        [(9, "conciliatory", "wıllıng")],
    ]


@pytest.fixture(scope="module")
def corpus_texts() -> tuple[list[str], list[str], list[str]]:
    splits = {}
    for split in ("train", "validation", "test"):
        with open(DATA / f"{split}.csv", newline="", encoding="utf-8") as handle:
            splits[split] = list(csv.DictReader(handle))
    train = splits["train"]
    everything = [row["text"] for rows in splits.values() for row in rows]
    return [r["text"] for r in train], [r["label"] for r in train], everything


def test_default_pipeline_gives_the_plain_definitions_probabilities_on_the_corpus(
    corpus_texts, corpus_model
):
    _, _, everything = corpus_texts
    pipeline = corpus_model.pipeline
    plain = reference.as_reference(pipeline)

    features = pipeline[:-1].transform(everything)
    plain_features = plain[:-1].transform(everything)
    assert features.shape == plain_features.shape
    assert abs(features - plain_features).max() == 0
    # The same classifier on each: its probabilities are the pipelines' predict_proba.
    classifier = pipeline[-1]
    np.testing.assert_allclose(
        classifier.predict_proba(features),
        classifier.predict_proba(plain_features),
        rtol=0,
        atol=1e-9,
    )
