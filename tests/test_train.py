"""A real training run into a temp SQLite store, checked by querying MLflow."""

from __future__ import annotations

import json
import os

import pytest
from conftest import overrides_for


@pytest.fixture
def client(trained):
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(trained["cfg"].tracking.uri)
    return MlflowClient(trained["cfg"].tracking.uri)


def test_run_records_params_metrics_tags_and_inputs(trained, client):
    run = client.get_run(trained["run_id"])
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "LogisticRegression-FeatureUnion"
    params = run.data.params
    assert params["model.class"] == "LogisticRegression"
    assert params["model.C"] == str(trained["cfg"].model.C)
    assert params["features.transformer_list.0.1.ngram_range"] == "(1, 2)"
    assert params["preprocess.mask_entities"] == "True"
    assert params["labels.names"] == "['conciliatory', 'demanding', 'rejecting', 'neutral']"
    assert params["seed"] == "42"
    metrics = run.data.metrics
    for split in ("validation", "test"):
        assert 0.0 <= metrics[f"{split}_macro_f1"] <= 1.0
        assert 0.0 <= metrics[f"{split}_accuracy"] <= 1.0
        for label in ("conciliatory", "demanding", "rejecting", "neutral"):
            for name in ("precision", "recall", "f1"):
                assert f"{split}_{name}_{label}" in metrics
    assert (
        metrics["fit_seconds"] > 0 and metrics["n_features"] > 100 and metrics["model_bytes"] > 1000
    )
    assert metrics["rows_train"] == 48
    tags = run.data.tags
    assert len(tags["stance.data_fingerprint"]) == 64
    assert tags["stance.git_commit"]
    contexts = sorted(i.tags[0].value for i in run.inputs.dataset_inputs)
    assert contexts == ["test", "train", "validation"]


def test_run_artifacts_and_registered_model(trained, client):
    import mlflow

    names = {a.path for a in client.list_artifacts(trained["run_id"])}
    assert {
        "config.yaml",
        "classification_report.txt",
        "confusion_matrix_validation.png",
        "confusion_matrix_test.png",
        "misclassified_validation.csv",
        "top_ngrams.csv",
        "stance_model",
    } <= names
    top = mlflow.artifacts.load_text(f"runs:/{trained['run_id']}/top_ngrams.csv").splitlines()
    assert top[0] == "label,rank,ngram,weight" and len(top) == 1 + 4 * 20
    versions = client.search_model_versions("name='stance-classifier'")
    assert [v.run_id for v in versions] == [trained["run_id"]]


def test_saved_model_describes_itself_and_latest_points_to_it(trained):
    from stance.io import sha256_file

    model_dir = trained["model_dir"]
    meta = json.loads((model_dir / "model.json").read_text())
    assert meta["labels"] == ["conciliatory", "demanding", "neutral", "rejecting"]
    assert meta["sha256"] == sha256_file(model_dir / "model.joblib")
    assert meta["data_fingerprint"] and meta["run_id"] == trained["run_id"]
    assert meta["config"]["model"]["C"] == trained["cfg"].model.C
    assert {"python", "scikit-learn", "numpy", "joblib"} <= set(meta["versions"])
    assert meta["metrics"]["validation_macro_f1"] == pytest.approx(
        trained["metrics"]["validation_macro_f1"], abs=1e-6
    )
    latest = trained["tmp"] / "experiments" / "models" / "latest"
    assert latest.is_symlink() and os.path.samefile(latest, model_dir)


def test_pyfunc_model_predicts_one_row_per_input_row(trained):
    import mlflow
    import pandas as pd

    model = mlflow.pyfunc.load_model("models:/stance-classifier/latest")
    frame = pd.DataFrame(
        {
            "text": [
                "We reject the offer outright.",
                "The talks resume on Monday.",
                "Release them now.",
            ]
        }
    )
    predictions = model.predict(frame)
    assert len(predictions) == 3
    assert list(predictions["label"]) == trained["model"].predict(frame["text"].tolist())
    probabilities = predictions[[f"p_{label}" for label in trained["model"].labels]].to_numpy()
    assert probabilities == pytest.approx(trained["model"].predict_proba(frame["text"].tolist()))
    assert list(predictions["confidence"]) == pytest.approx(probabilities.max(axis=1))


def test_load_model_from_mlflow_uri_matches_saved_file(trained):
    from stance import load_model

    texts = ["We will not sign.", "Our door remains open.", "They must pay by Friday."]
    by_uri = load_model("models:/stance-classifier/latest")
    by_file = load_model(trained["model_dir"] / "model.joblib")
    assert by_uri.predict(texts) == by_file.predict(texts)
    assert by_uri.predict_proba(texts) == pytest.approx(by_file.predict_proba(texts))


def test_same_seed_same_metrics_and_stance3_drops_neutral(
    trained, compose_cfg, tiny_data, tmp_path
):
    from stance.train import train

    cfg = compose_cfg(overrides_for(tmp_path, tiny_data, "tracking.log_model=false"))
    again, _ = train(cfg)
    for key in ("validation_macro_f1", "test_macro_f1", "validation_f1_rejecting"):
        assert again[key] == trained["metrics"][key]

    cfg = compose_cfg(
        overrides_for(tmp_path / "s3", tiny_data, "labels=stance3", "tracking.log_model=false")
    )
    metrics, objects = train(cfg)
    assert objects["model"].labels == ["conciliatory", "demanding", "rejecting"]
    assert metrics["dropped_rows_train"] == 12 and metrics["rows_train"] == 36
