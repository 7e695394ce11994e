"""Every model x features option fits a tiny corpus, reports probabilities, and explains itself."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LABELS, take

from stance.model import StanceModel
from stance.train import build_pipeline

MODELS = ["logreg", "linear_svc", "sgd", "ridge", "complement_nb"]
FEATURES = ["word", "char", "word_char", "hashing"]


@pytest.fixture(scope="module")
def tiny_rows():
    rows = take("train", 25)
    return [r["text"] for r in rows], [r["label"] for r in rows]


@pytest.mark.parametrize("features", FEATURES)
@pytest.mark.parametrize("model", MODELS)
def test_fit_every_model_and_features(compose_cfg, tmp_path, tiny_rows, model, features):
    texts, labels = tiny_rows
    cfg = compose_cfg([f"model={model}", f"features={features}", f"paths.output_dir={tmp_path}"])
    stance_model = StanceModel(build_pipeline(cfg).fit(texts, labels))
    assert sorted(stance_model.labels) == sorted(LABELS)
    proba = stance_model.predict_proba(texts[:7])
    assert proba.shape == (7, 4)
    assert np.allclose(proba.sum(axis=1), 1.0)
    predicted = stance_model.predict(texts[:7])
    assert predicted == [stance_model.labels[i] for i in proba.argmax(axis=1)]
    # Learnt something: above the 25% of a constant guess (calibration folds of 33 rows are rough).
    assert np.mean(np.array(stance_model.predict(texts)) == np.array(labels)) > 0.35
    explanation = stance_model.explain(texts[0], k=3)
    assert 1 <= len(explanation) <= 3
    assert all(weight > 0 for _, weight in explanation)
    # Explanations name n-grams of the text itself, hashed features included.
    lowered = texts[0].lower()
    assert all(not gram.startswith("#") for gram, _ in explanation)
    assert any(gram.split()[0] in lowered for gram, _ in explanation)


def test_explain_for_another_label_and_unknown_label(compose_cfg, tmp_path, tiny_rows):
    texts, labels = tiny_rows
    model = StanceModel(
        build_pipeline(compose_cfg([f"paths.output_dir={tmp_path}"])).fit(texts, labels)
    )
    other = next(label for label in model.labels if label != model.predict([texts[0]])[0])
    assert isinstance(model.explain(texts[0], label=other), list)
    with pytest.raises(ValueError, match="unknown label"):
        model.explain(texts[0], label="furious")


def test_top_ngrams_per_label(compose_cfg, tmp_path, tiny_rows):
    texts, labels = tiny_rows
    model = StanceModel(
        build_pipeline(compose_cfg([f"paths.output_dir={tmp_path}"])).fit(texts, labels)
    )
    top = model.top_ngrams(5)
    assert set(top) == set(LABELS)
    assert all(len(grams) == 5 for grams in top.values())
    assert all(
        a[1] >= b[1] for grams in top.values() for a, b in zip(grams, grams[1:], strict=False)
    )
