"""The act verb over its object, and persons that do not lean: features and the default model."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest
from conftest import SEEDS

from stance.rules import ActVerbFeatures
from stance.text import drop_persons

# Function words that must not carry a label. sklearn's English stop list, less the words the
# guidelines make carry an act: negators (R2), the modals of demands ("must", "should": R4) and
# of promises ("will": §1, a pledge is conciliatory, "will not" rejecting).
CARRY_AN_ACT = {
    "not",
    "no",
    "nor",
    "never",
    "cannot",
    "must",
    "should",
    "will",
    "against",
    "without",
}
# ... and the words of conditions, which decide between an offer and a demand (R3, R4, R16).
CARRY_AN_ACT |= {"if", "unless", "until", "only"}
SWAPS = {"we": "they", "they": "we", "our": "their", "their": "our", "i": "we", "us": "them"}


def active(text: str) -> set[str]:
    features = ActVerbFeatures(weight=1.0).fit([text])
    row = features.transform([text]).toarray()[0]
    return {
        name.removeprefix("act ")
        for name, v in zip(features.get_feature_names_out(), row, strict=True)
        if v
    }


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The union rejected the offer on Tuesday.", "first:rejecting"),
        ("Kabul rejected the demands for a prisoner release.", "first:rejecting"),
        ("The junta agreed to the ultimatum.", "first:conciliatory"),
        ("Washington demanded that Caracas accept the plan.", "first:demanding"),
        ("The minister said the rebels must return to the table.", "first:demanding"),
        ("The offer was rejected by the board.", "first:rejecting"),
        ("The board did not accept the bid.", "first:conciliatory:neg"),
        ("The two presidents spoke by phone to discuss the border.", "first:none"),
    ],
)
def test_first_act_verb_is_the_verb_not_its_object(text, first):
    found = active(text)
    assert first in found
    assert sum(name.startswith("first:") for name in found) == 1


def test_objects_are_named_apart_from_the_verb():
    assert {"first:rejecting", "verb:reject", "object:conciliatory"} <= active(
        "The union rejected the latest offer."
    )
    assert "object:demanding" in active("Kabul rejected their demands.")
    # Negation marks of the preprocessing step are read as negation.
    assert "first:conciliatory:neg" in active("The board did not NEG_accept NEG_the NEG_bid.")


def test_act_features_shape_names_and_weight():
    features = ActVerbFeatures(weight=0.25).fit(["x"])
    matrix = features.transform(["The union rejected the offer.", "Talks resumed.", ""])
    names = features.get_feature_names_out()
    assert matrix.shape == (3, len(names)) and len(set(names)) == len(names)
    assert set(np.unique(matrix.toarray())) == {0.0, 0.25}
    assert matrix[2].nnz == 1  # only "first:none"
    with pytest.raises(ValueError, match="weight"):
        ActVerbFeatures(weight=-1).fit(["x"])


def test_drop_persons_keeps_everything_else():
    assert drop_persons("We demand talks.") == drop_persons("They demand talks.") == "demand talks."
    assert drop_persons('"We\'ll never sign," he said.') == '"\'ll never sign," said.'
    assert drop_persons("The US asked us to wait.") == "The US asked to wait."
    assert drop_persons("Talks resume on Monday.") == "Talks resume on Monday."


@pytest.fixture(scope="module")
def default_model(corpus_model):
    """The default pipeline fitted on the real training split (no MLflow run needed here)."""
    return corpus_model


def test_no_pronoun_or_stop_word_among_the_heaviest_features(default_model):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from stance.text import PERSONS

    function_words = (set(ENGLISH_STOP_WORDS) - CARRY_AN_ACT) | PERSONS
    for label, grams in default_model.top_ngrams(30).items():
        leaning = [g for g, _ in grams if g.lower() in function_words]
        assert leaning == [], (label, leaning)


def test_swapping_persons_in_the_seed_statements_changes_no_prediction(default_model):
    with open(SEEDS / "statements.csv", encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]

    def swap(text: str) -> str:
        def one(match: re.Match) -> str:
            word = match.group()
            new = SWAPS[word.lower()]
            return new.capitalize() if word[0].isupper() else new

        return re.sub(r"\b(?:we|they|our|their|I|us)\b", one, text, flags=re.I)

    swapped = [swap(t) for t in texts]
    assert sum(a != b for a, b in zip(texts, swapped, strict=True)) >= 5  # the swap bites
    assert default_model.predict(swapped) == default_model.predict(texts)
    assert default_model.predict_proba(swapped) == pytest.approx(
        default_model.predict_proba(texts), abs=1e-12
    )


def test_short_statements_read_by_their_verb_whoever_speaks(default_model):
    pairs = {
        "We demand talks.": "demanding",
        "They demand talks.": "demanding",
        "We reject the offer.": "rejecting",
        "They rejected the demands.": "rejecting",
        "We agree.": "conciliatory",
        "They agreed.": "conciliatory",
    }
    assert default_model.predict(list(pairs)) == list(pairs.values())


def test_word_ngrams_match_sklearn_and_keep_function_words_only_inside_bigrams():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from stance.lexicon import function_words
    from stance.text import WordNgrams

    text = "The Union agreed with the mediators after talks in Genève, officials said."
    sklearn_grams = TfidfVectorizer(
        ngram_range=(1, 2), strip_accents="unicode", lowercase=True
    ).build_analyzer()(text)
    assert WordNgrams()(text) == sklearn_grams
    grams = WordNgrams(lone=function_words())(text)
    assert "with" not in grams and "after" not in grams and "the" not in grams
    assert {"agreed with", "after talks", "the mediators", "geneve"} <= set(grams)
    assert [g for g in sklearn_grams if " " in g] == [g for g in grams if " " in g]
    # The words that carry an act stay features on their own (R2, R4).
    assert {"not", "must", "will", "unless"} <= set(
        WordNgrams(lone=function_words())("They must not leave unless it will rain.")
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The union rejected the offer on Tuesday.", "rejecting"),
        ("Kabul rejected the demands for a prisoner release.", "rejecting"),
        ("The junta agreed to the ultimatum.", "conciliatory"),
        ("The board did not accept the bid.", "rejecting"),
        ("The president would not sign the deal until the border is reopened.", "rejecting"),
    ],
)
def test_rules_read_the_act_verb_over_its_object(text, label):
    from stance.rules import RulesClassifier

    rules = RulesClassifier().fit([text], None)
    assert rules.predict([text])[0] == label


def test_without_the_verb_vote_the_object_wins():
    """The control for the test above: cues alone read these through their object."""
    from stance.rules import RulesClassifier

    cues_only = RulesClassifier(verb_weight=0).fit(["x"])
    assert cues_only.predict(
        ["Kabul rejected the demands for a prisoner release.", "The junta agreed to the ultimatum."]
    ).tolist() == ["conciliatory", "demanding"]
