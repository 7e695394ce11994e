"""The saved model's answers and file, on a pipeline whose probabilities are known by hand.

scikit-learn's DummyClassifier (strategy "prior") answers every text with the label shares of
its training rows, so confidence, abstention and rounding can be worked out on paper.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib.metadata import version

import numpy as np
import pytest

from stance import StanceError
from stance.model import (
    META_FILE,
    MODEL_FILE,
    StanceModel,
    is_uri,
    library_versions,
    load_model,
    update_latest,
)

# Training labels: 5 rejecting, 2 neutral, 1 demanding -> probabilities in the sorted label
# order (demanding, neutral, rejecting): 1/8, 2/8, 5/8 = 0.125, 0.25, 0.625, for any text.
TRAIN = ["rejecting"] * 5 + ["neutral"] * 2 + ["demanding"]


@pytest.fixture
def prior_model() -> StanceModel:
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    pipeline = Pipeline(
        [
            ("prep", FunctionTransformer(None)),
            ("features", CountVectorizer()),
            ("clf", DummyClassifier(strategy="prior")),
        ]
    ).fit([f"text number {i}" for i in range(len(TRAIN))], TRAIN)
    return StanceModel(pipeline, {"run_id": "abc123", "thresholds": {"rejecting": 0.7}})


def test_labels_probabilities_and_tags_worked_by_hand(prior_model):
    assert prior_model.labels == ["demanding", "neutral", "rejecting"]
    assert (
        repr(prior_model)
        == "StanceModel(labels=['demanding', 'neutral', 'rejecting'], run_id='abc123')"
    )
    np.testing.assert_allclose(prior_model.predict_proba(["a", "b"]), [[0.125, 0.25, 0.625]] * 2)
    assert prior_model.predict("one text") == ["rejecting"]  # a string is one text, not letters
    (tag,) = prior_model.tag(["We will not sign."])
    assert tag == {
        "text": "We will not sign.",
        "label": "rejecting",
        "confidence": 0.625,
        "probabilities": {"demanding": 0.125, "neutral": 0.25, "rejecting": 0.625},
    }
    # 0.625 is under rejecting's threshold of 0.7: with abstention the answer is withheld.
    assert prior_model.tag(["x"], abstain=True)[0]["label"] == "uncertain"
    assert prior_model.tag(["x"], abstain=True)[0]["confidence"] == 0.625
    prior_model.meta["thresholds"] = {"rejecting": 0.625}  # at the threshold: answered
    assert prior_model.tag(["x"], abstain=True)[0]["label"] == "rejecting"
    prior_model.meta["thresholds"] = {"neutral": 0.99}  # another label's threshold: answered
    assert prior_model.tag(["x"], abstain=True)[0]["label"] == "rejecting"
    assert prior_model.thresholds() == {"neutral": 0.99}


def test_probabilities_are_rounded_to_four_places():
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    pipeline = Pipeline(
        [
            ("prep", FunctionTransformer(None)),
            ("features", CountVectorizer()),
            ("clf", DummyClassifier(strategy="prior")),
        ]
    ).fit(["one two", "three four", "five six"], ["x", "y", "y"])
    (tag,) = StanceModel(pipeline).tag(["z"])
    assert tag["probabilities"] == {"x": 0.3333, "y": 0.6667}
    assert tag["confidence"] == pytest.approx(2 / 3, abs=1e-12)  # the confidence is not rounded


def test_a_model_without_thresholds_says_so(prior_model):
    prior_model.meta.pop("thresholds")
    with pytest.raises(StanceError, match="no abstention thresholds"):
        prior_model.tag(["x"], abstain=True)
    assert prior_model.tag(["x"])[0]["label"] == "rejecting"  # without abstention: fine


def test_save_writes_the_files_checksum_and_versions(prior_model, tmp_path):
    target = prior_model.save(tmp_path / "m")
    assert target == tmp_path / "m" / MODEL_FILE
    meta = json.loads((tmp_path / "m" / META_FILE).read_text(encoding="utf-8"))
    assert meta["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert meta["labels"] == ["demanding", "neutral", "rejecting"]
    assert meta["run_id"] == "abc123" and meta["thresholds"] == {"rejecting": 0.7}
    assert meta["saved_at"].endswith("+00:00")
    assert meta["versions"] == library_versions()
    assert sorted(os.listdir(tmp_path / "m")) == sorted([MODEL_FILE, META_FILE])  # no temp left


def test_library_versions_are_the_installed_ones():
    found = library_versions()
    assert found["python"] == platform.python_version()
    for name in ("scikit-learn", "numpy", "scipy", "joblib", "mlflow", "datasets", "hydra-core"):
        assert found[name] == version(name), name
    assert found["stance"] == version("stance")


def test_load_round_trip_and_refusals(prior_model, tmp_path):
    target = prior_model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")  # the folder or the file
    assert load_model(target).labels == loaded.labels == prior_model.labels
    assert loaded.meta["run_id"] == "abc123"
    np.testing.assert_array_equal(loaded.predict_proba(["x"]), prior_model.predict_proba(["x"]))

    with pytest.raises(StanceError, match="no such model file"):
        load_model(tmp_path / "nowhere")
    meta_path = tmp_path / "m" / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "sha256": "0" * 64}), encoding="utf-8")
    with pytest.raises(StanceError, match="sha256 does not match"):
        load_model(target)
    meta_path.write_text(json.dumps({k: v for k, v in meta.items() if k != "sha256"}))
    with pytest.raises(StanceError, match="field 'sha256' is missing"):
        load_model(target)
    meta_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StanceError, match="not valid JSON"):
        load_model(target)
    meta_path.unlink()
    with pytest.raises(StanceError, match="refusing to load"):
        load_model(target)


def test_latest_link_moves_to_the_newest_model(prior_model, tmp_path):
    first, second = tmp_path / "runs" / "1" / "model", tmp_path / "runs" / "2" / "model"
    prior_model.save(first)
    prior_model.save(second)
    link = tmp_path / "models" / "latest"
    update_latest(first, link)
    assert link.is_symlink() and os.path.samefile(link, first)
    assert not os.path.isabs(os.readlink(link))  # relative: the folder can move
    update_latest(second, link)
    assert os.path.samefile(link, second)
    assert sorted(os.listdir(link.parent)) == ["latest"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("models:/stance-classifier@champion", True),
        ("runs:/abc/model", True),
        ("mlflow-artifacts:/1/abc/artifacts/model", True),
        ("s3://bucket/model", True),
        ("experiments/models/latest", False),
        ("/abs/models:/x", False),
        (None, False),
    ],
)
def test_is_uri(value, expected):
    assert is_uri(value) is expected
