"""The article register: side clauses marked, each act word's role, the place of a sentence in
its article, and the figures of the article register, each against answers worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from stance.register import ArticlePrior, place
from stance.structure import FRAMES, StructureFeatures
from stance.text import mark_clauses

# --- side clauses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "The talks collapsed after the employers refused to raise their offer.",
            "The talks collapsed after SUB_the SUB_employers SUB_refused SUB_to SUB_raise "
            "SUB_their SUB_offer.",
        ),
        (
            "The offer, which drops most demands, was handed over on Monday.",
            "The offer, which SUB_drops SUB_most SUB_demands, was handed over on Monday.",
        ),
        (
            "After months of talks, the union agreed to the deal.",
            "After SUB_months SUB_of SUB_talks, the union agreed to the deal.",
        ),
        (
            "He would not sign until the border is reopened.",
            "He would not sign until SUB_the SUB_border SUB_is SUB_reopened.",
        ),
        # "as" opens a clause only after a comma; "such as", "as well" are no clause.
        (
            "The union rejected the offer, as the strike entered its third week.",
            "The union rejected the offer, as SUB_the SUB_strike SUB_entered SUB_its SUB_third "
            "SUB_week.",
        ),
        ("Ports such as Lagos agreed as well.", "Ports such as Lagos agreed as well."),
        # A word that only starts like a subordinator ("Whenever", "iffy", "afterwards").
        ("Afterwards the ministry agreed.", "Afterwards the ministry agreed."),
    ],
)
def test_mark_clauses_on_worked_examples(text, expected):
    assert mark_clauses(text) == expected


def test_marked_act_verbs_leave_the_act_features():
    """An act verb in a side clause is no act verb of the sentence any more."""
    from stance.lexicon import act_verbs_of

    text = mark_clauses("The talks collapsed after the employers refused to raise their offer.")
    assert act_verbs_of([text]) == [[]]
    main = mark_clauses("The employers refused to raise their offer after the talks collapsed.")
    assert [family for _, family, _, _ in act_verbs_of([main])[0]][0] == "rejecting"


# --- the role of each act word and the frames -----------------------------------------------


def _active(texts: list[str]) -> list[set[str]]:
    features = StructureFeatures(weight=1.0).fit(texts)
    matrix = features.transform(texts).toarray()
    names = [n.removeprefix("structure ") for n in features.get_feature_names_out()]
    return [{names[j] for j in np.nonzero(row)[0]} for row in matrix]


def test_roles_of_act_words_worked_by_hand():
    found = _active(
        [
            "The union rejected the offer.",
            "The rejected bill would have capped rents.",
            "The board could accept the bid.",
            "The union is expected to accept the deal.",
            "The club is yet to sign the striker.",
            mark_clauses("Talks collapsed after the board rejected the bid."),
        ]
    )
    assert {"rejecting:verb", "conciliatory:noun"} <= found[0]
    assert "rejecting:noun" in found[1] and "rejecting:verb" not in found[1]
    assert "conciliatory:modal" in found[2]
    assert "conciliatory:expected" in found[3]
    assert "unmet" in "".join(found[4]) and "frame:unmet" in found[4]
    assert found[5] == {"side clause act"}


@pytest.mark.parametrize(
    "frame, text",
    [
        ("proposal", "The draft would see both armies pull back 15 kilometres."),
        ("background", "The move comes after Hanoi agreed to buy more aircraft."),
        ("schedule", "The envoy arrived in Beirut late on Tuesday."),
        ("unmet", "The minister gave no indication that he would lift the ban."),
        ("commentary", "Critics say the deal rewards the aggressor."),
    ],
)
def test_frames_on_the_guidelines_kinds(frame, text):
    assert FRAMES[frame].search(text)
    others = [name for name, pattern in FRAMES.items() if name != frame and pattern.search(text)]
    assert others == [] or frame == "background"  # a background sentence recalls an act


def test_structure_features_follow_the_estimator_contract():
    features = StructureFeatures(weight=0.5)
    assert clone(features).get_params() == {"weight": 0.5}
    with pytest.raises(ValueError, match="weight must be >= 0"):
        StructureFeatures(weight=-1).fit(["x"])
    matrix = features.fit(["a"]).transform(["The union rejected the offer.", "Rain."])
    assert matrix.shape == (2, len(features.get_feature_names_out()))
    assert set(matrix.data) == {0.5}


# --- the place of a sentence in its article ---------------------------------------------------


@pytest.fixture
def prior_fit():
    """Two features, three labels; positions: 1 headline, 2 lede, 3+ body, 0 none."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.array(["a", "b", "c", "c"] * 10)
    positions = [1, 2, 3, 4] * 5 + [0] * 20
    return X, y, positions


def test_prior_of_each_place_counted_by_hand(prior_fit):
    X, y, positions = prior_fit
    model = ArticlePrior(LogisticRegression(), power=1.0).fit(X, y, positions=positions)
    # Headlines: 5 rows, all "a"; with one pseudo-count per label: (5+1, 0+1, 0+1) / 8.
    np.testing.assert_allclose(model.priors_["headline"], [6 / 8, 1 / 8, 1 / 8])
    np.testing.assert_allclose(model.priors_["lede"], [1 / 8, 6 / 8, 1 / 8])
    # Body: 10 rows (positions 3 and 4), all "c".
    np.testing.assert_allclose(model.priors_["body"], [1 / 13, 1 / 13, 11 / 13])
    assert [place(p) for p in (0, 1, 2, 3, 9)] == [None, "headline", "lede", "body", "body"]


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_probabilities_reweighted_by_the_place_worked_by_hand(prior_fit, power):
    X, y, positions = prior_fit
    model = ArticlePrior(LogisticRegression(), power=power).fit(X, y, positions=positions)
    inner = LogisticRegression().fit(X, y).predict_proba(X[:3])
    got = model.predict_proba(X[:3], positions=[1, 0, 7])
    factor = np.array([6 / 8, 1 / 8, 1 / 8]) ** power
    expected_headline = inner[0] * factor / (inner[0] * factor).sum()
    factor = np.array([1 / 13, 1 / 13, 11 / 13]) ** power
    expected_body = inner[2] * factor / (inner[2] * factor).sum()
    np.testing.assert_allclose(got[0], expected_headline)
    np.testing.assert_allclose(got[1], inner[1])  # a statement alone: unchanged
    np.testing.assert_allclose(got[2], expected_body)
    # Without positions every row is a statement, as `stance predict` reads it.
    np.testing.assert_allclose(model.predict_proba(X[:3]), inner)
    assert list(model.predict(X[:3], positions=[1, 0, 7])) == [
        model.classes_[i] for i in got.argmax(axis=1)
    ]


def test_article_prior_follows_the_estimator_contract(prior_fit):
    X, y, _ = prior_fit
    model = ArticlePrior(LogisticRegression(C=2.0), power=0.5)
    assert clone(model).get_params()["estimator__C"] == 2.0
    fitted = model.fit(X, y)  # no positions: nothing to learn about places
    assert fitted.priors_ == {} and list(fitted.classes_) == ["a", "b", "c"]
    assert not hasattr(model.estimator, "coef_")  # the estimator given is left unfitted
    with pytest.raises(ValueError, match="power must be between 0 and 2"):
        ArticlePrior(LogisticRegression(), power=3).fit(X, y)
    with pytest.raises(ValueError, match="predict_proba"):
        ArticlePrior(None).fit(X, y)
