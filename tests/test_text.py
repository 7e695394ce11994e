"""Negation marking, entity masking and the guideline rules, on sentences written for the test."""

from __future__ import annotations

import pytest

from stance.rules import CueFeatures, RulesClassifier, cues
from stance.text import TextPreprocessor, mark_negation, mask_entities

VOCAB = frozenset(
    [
        "the",
        "president",
        "said",
        "would",
        "not",
        "agree",
        "to",
        "a",
        "ceasefire",
        "on",
        "and",
        "minister",
        "says",
        "push",
        "for",
        "will",
    ]
)


def test_negation_scope_marks_three_words_and_stops_at_punctuation():
    assert (
        mark_negation("They did not reject the offer, officials said.")
        == "They did not NEG_reject NEG_the NEG_offer, officials said."
    )
    assert (
        mark_negation("The union refused to accept it.")
        == "The union refused to NEG_accept NEG_it."
    )
    assert mark_negation("We rejected the offer.") == "We rejected the offer."
    assert (
        mark_negation("We will never sign but we will talk.")
        == "We will never NEG_sign but we will talk."
    )


def test_masking_replaces_names_numbers_and_dates_even_in_headlines():
    assert mask_entities(
        "Lavrov said on Tuesday, 12 March, that Moscow would not agree.", VOCAB
    ) == ("ENT said on DAY, NUM DATE, that ENT would not agree.")
    assert mask_entities("Minister Says Ankara Will Push For A Ceasefire", VOCAB).split() == [
        "Minister",
        "Says",
        "ENT",
        "Will",
        "Push",
        "For",
        "A",
        "Ceasefire",
    ]
    assert mask_entities("Sergey Lavrov's ministry", VOCAB) == "ENT ministry"


def test_preprocessor_learns_its_vocabulary_and_takes_dataframes():
    import pandas as pd

    prep = TextPreprocessor(mask_entities=True).fit(
        ["the talks will resume", "we will push for a deal"]
    )
    frame = pd.DataFrame({"text": ["Kigali will push for a deal"], "other": [1]})
    assert prep.transform(frame) == ["ENT will push for a deal"]
    with pytest.raises(ValueError, match="fitted"):
        TextPreprocessor(mask_entities=True).transform(["x"])
    with pytest.raises(TypeError, match="single str"):
        TextPreprocessor().fit([]).transform("one text")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The government did not rule out talks with the rebels.", "conciliatory"),
        ("The board refused to accept the revised bid.", "rejecting"),
        ("They must release the crew by midnight or face the consequences.", "demanding"),
        ("The delegations met for six hours at a hotel on Monday.", "neutral"),
        (
            "The president said he would not sign the deal until the border is reopened.",
            "rejecting",
        ),
        ("Our door remains open.", "conciliatory"),
    ],
)
def test_rules_follow_the_guidelines_examples(text, label):
    rules = RulesClassifier().fit([], ["conciliatory", "demanding", "neutral", "rejecting"])
    assert rules.predict([text])[0] == label
    if label != "neutral":
        assert any(cue_label == label for _, cue_label, _ in cues(text))


def test_rules_probabilities_and_cue_features():
    rules = RulesClassifier().fit([], ["conciliatory", "demanding", "neutral", "rejecting"])
    proba = rules.predict_proba(["We reject it.", "Talks on Monday."])
    assert proba.shape == (2, 4) and proba.sum(axis=1) == pytest.approx([1, 1])
    features = CueFeatures().fit(["x"]).transform(["We reject it.", "Talks on Monday."])
    assert features.shape == (2, len(CueFeatures().get_feature_names_out()))
    assert features[0].sum() > 0 and features[1].sum() == 0
    with pytest.raises(ValueError):
        RulesClassifier(sharpness=0).fit([], ["a"])
