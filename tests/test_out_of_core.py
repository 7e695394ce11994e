"""Out-of-core training (`experiment=out_of_core`): the same run on chunks of the training file,
the same coefficients as scikit-learn's partial_fit called by hand, no more than chunk_rows
rows in memory at a time, and bad rows named by file and line before anything is written."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import LABELS, TRAIN_PER_LABEL, overrides_for, record, take, use_store, write_csv

from stance import StanceError

BIN = Path(sys.executable).parent
CHUNK = 128  # TRAIN_PER_LABEL * 4 = 600 rows: four full chunks and one of 88


def ooc(tmp: Path, data: Path, *extra: str) -> list[str]:
    return overrides_for(tmp, data, "experiment=out_of_core", f"data.chunk_rows={CHUNK}", *extra)


def read_rows(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"].strip() for r in rows], [r["label"] for r in rows]


def test_out_of_core_run_logs_what_a_normal_run_logs(
    trained, compose_cfg, sample_data, tmp_path, monkeypatch, request
):
    """Same metric keys, artifacts, registered model and `latest` as the default run on the
    same data (both without cross-domain); rows counted without holding them."""
    from mlflow import MlflowClient

    from stance.train import train

    cfg = compose_cfg(ooc(tmp_path, sample_data))
    metrics, objects = train(cfg)
    record(request, "out of core: validation macro-F1", metrics["validation/macro_f1"])
    use_store(cfg.tracking.uri, monkeypatch)
    client = MlflowClient(cfg.tracking.uri, registry_uri=cfg.tracking.uri)
    run = client.get_run(objects["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params["data.streaming"] == "True"
    assert run.data.params["model.class"] == "SGDClassifier"
    assert run.data.params["model.loss"] == "log_loss"

    normal = MlflowClient(trained["cfg"].tracking.uri).get_run(trained["run_id"])
    assert set(run.data.metrics) == set(normal.data.metrics)
    assert run.data.metrics["data/rows_train"] == 4 * TRAIN_PER_LABEL
    assert not any(k.startswith("stance.skipped") for k in run.data.tags)

    def artifacts(client, run_id):
        return {a.path for a in client.list_artifacts(run_id)}

    normal_client = MlflowClient(trained["cfg"].tracking.uri)
    assert artifacts(client, objects["run_id"]) == artifacts(normal_client, trained["run_id"])
    contexts = sorted(i.tags[0].value for i in run.inputs.dataset_inputs)
    assert contexts == ["test", "train", "validation"]
    versions = client.search_model_versions("name='stance-classifier'")
    assert [v.run_id for v in versions] == [objects["run_id"]]
    latest = tmp_path / "experiments" / "models" / "latest"
    assert os.path.samefile(latest, objects["model_dir"])
    # It learns: the same floor as the default pipeline on these rows, less its margin.
    assert metrics["validation/macro_f1"] >= 0.65
    # The model the run saved holds the IDF of all training rows, as scikit-learn's in-memory
    # TfidfTransformer fits it on the same hashed counts.
    from sklearn.base import clone
    from sklearn.feature_extraction.text import TfidfTransformer

    saved = objects["model"].pipeline
    texts, _ = read_rows(sample_data / "train.csv")
    hashing = saved.named_steps["features"].named_steps["hash"]
    counts = clone(hashing).transform(saved.named_steps["prep"].transform(texts))
    tfidf = saved.named_steps["features"].named_steps["tfidf"]
    expected = TfidfTransformer(**tfidf.get_params()).fit(counts).idf_
    np.testing.assert_allclose(tfidf.idf_, expected, rtol=0, atol=1e-12)


def test_streaming_fit_matches_partial_fit_by_hand(compose_cfg, sample_data, tmp_path):
    """The preprocessor's vocabulary and the IDF equal scikit-learn's in-memory fit on all
    rows, and the coefficients equal SGDClassifier.partial_fit called by hand on the same
    chunks in the same order (rows shuffled per epoch by `default_rng([seed, epoch])`)."""
    from sklearn.base import clone
    from sklearn.linear_model import SGDClassifier
    from sklearn.utils.class_weight import compute_class_weight

    from stance.data import load_corpus
    from stance.streaming import fit_streaming
    from stance.train import build_pipeline

    cfg = compose_cfg(ooc(tmp_path, sample_data, "data.epochs=2"))
    corpus = load_corpus(cfg.data, cfg.labels)
    assert "train" not in corpus.dataset  # nothing held: counted, then read per pass
    pipeline = build_pipeline(cfg)
    unfitted = clone(pipeline)
    fit_streaming(pipeline, corpus["train"], chunk_rows=CHUNK, epochs=2, seed=cfg.seed)

    texts, labels = read_rows(sample_data / "train.csv")
    prep = unfitted.named_steps["prep"].fit(texts)
    prepped = prep.transform(texts)
    features = unfitted.named_steps["features"].fit(prepped)
    X = features.transform(prepped).tocsr()
    y = np.asarray(labels)
    assert pipeline.named_steps["prep"].vocabulary_ == prep.vocabulary_
    np.testing.assert_array_equal(
        pipeline.named_steps["features"].named_steps["tfidf"].idf_,
        features.named_steps["tfidf"].idf_,
    )

    classes = np.asarray(sorted(LABELS))
    weights = compute_class_weight("balanced", classes=classes, y=y)
    by_hand = SGDClassifier(
        loss="log_loss",
        alpha=cfg.model.alpha,
        random_state=cfg.seed,
        class_weight=dict(zip(classes, weights, strict=True)),
    )
    for epoch in range(2):
        rng = np.random.default_rng([cfg.seed, epoch])
        for start in range(0, len(y), CHUNK):
            rows = np.arange(start, min(start + CHUNK, len(y)))
            rows = rows[rng.permutation(len(rows))]
            by_hand.partial_fit(X[rows], y[rows], classes=LABELS)
    clf = pipeline.named_steps["clf"]
    assert list(clf.classes_) == list(classes)
    np.testing.assert_allclose(clf.coef_, by_hand.coef_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, by_hand.intercept_, rtol=1e-12, atol=1e-12)


def counting_sgd(params: dict):
    """scikit-learn's SGDClassifier, recording how many rows each partial_fit call is given."""
    from sklearn.linear_model import SGDClassifier

    class CountingSGD(SGDClassifier):
        def partial_fit(self, X, y, classes=None, sample_weight=None):
            self.rows_seen.append(X.shape[0])
            return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    clf = CountingSGD(**params)
    clf.rows_seen = []
    return clf


def test_the_model_never_sees_more_than_chunk_rows(compose_cfg, sample_data, tmp_path, capsys):
    from stance.data import load_corpus
    from stance.streaming import fit_streaming
    from stance.train import build_pipeline

    cfg = compose_cfg(ooc(tmp_path, sample_data))
    corpus = load_corpus(cfg.data, cfg.labels)
    pipeline = build_pipeline(cfg)
    clf = counting_sgd(pipeline.named_steps["clf"].get_params())
    pipeline.steps[-1] = ("clf", clf)
    seen = fit_streaming(pipeline, corpus["train"], chunk_rows=CHUNK, epochs=3, seed=1)
    rows = 4 * TRAIN_PER_LABEL
    per_epoch = [CHUNK] * (rows // CHUNK) + [rows % CHUNK]
    assert clf.rows_seen == per_epoch * 3
    assert seen == {"passes": 5, "chunks": len(per_epoch), "max_chunk_rows": CHUNK}
    assert capsys.readouterr().err == ""  # no progress bar when stderr is not a terminal


def test_traced_memory_does_not_grow_with_rows(compose_cfg, sample_data, tmp_path):
    """Peak memory allocated while fitting 4x the rows stays within 1.5x (4x if the reader
    held the file). Hashed into 1,024 columns so the model's own arrays stay small."""
    import tracemalloc

    from stance.data import load_corpus
    from stance.streaming import fit_streaming
    from stance.train import build_pipeline

    texts, labels = read_rows(sample_data / "train.csv")
    peaks = []
    for times in (1, 4):
        data = tmp_path / f"x{times}"
        rows = [
            {"id": f"{k}-{i}", "text": f"{t} ({k})", "label": y}
            for k in range(times)
            for i, (t, y) in enumerate(zip(texts, labels, strict=True))
        ]
        write_csv(data / "train.csv", rows)
        for split in ("validation", "test"):
            (data / f"{split}.csv").write_bytes((sample_data / f"{split}.csv").read_bytes())
        cfg = compose_cfg(ooc(tmp_path / f"run{times}", data, "features.steps.0.1.n_features=1024"))
        corpus = load_corpus(cfg.data, cfg.labels)
        pipeline = build_pipeline(cfg)
        tracemalloc.start()
        fit_streaming(pipeline, corpus["train"], chunk_rows=CHUNK, epochs=1, seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks


def test_bad_row_in_a_later_chunk_stops_before_a_run(tmp_path):
    """An unknown label on line 402 of train.csv: one line naming it, exit 2, no MLflow run, no
    model and no `latest`, though the first 400 rows (three chunks) were good."""
    rows = take("train", TRAIN_PER_LABEL)
    rows[400] = {**rows[400], "label": "furious"}
    data = tmp_path / "data"
    write_csv(data / "train.csv", rows)
    write_csv(data / "validation.csv", take("validation", 2))
    write_csv(data / "test.csv", take("test", 2))
    store = tmp_path / "mlflow.db"
    result = subprocess.run(
        [str(BIN / "stance-train"), *ooc(tmp_path, data)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"stance-train: error: {data / 'train.csv'}:402: label 'furious' is not in the "
        "configured label set (conciliatory, demanding, rejecting, neutral)"
    ], result.stderr
    assert not store.exists()
    assert not list(tmp_path.rglob("model.joblib"))
    assert not (tmp_path / "experiments" / "models").exists()


def test_row_broken_during_the_run_fails_it_and_keeps_latest(
    compose_cfg, sample_data, tmp_path, monkeypatch
):
    """A label emptied after the file was checked (written to while training): the pass
    that reads it stops with file:line, the run is FAILED, no model, `latest` unchanged."""
    from mlflow import MlflowClient

    import stance.data
    from stance.train import train

    data = tmp_path / "data"
    for split in ("train", "validation", "test"):
        (data / f"{split}.csv").parent.mkdir(parents=True, exist_ok=True)
        (data / f"{split}.csv").write_bytes((sample_data / f"{split}.csv").read_bytes())
    first = compose_cfg(ooc(tmp_path, data, "tracking.log_model=false"))
    train(first)
    latest = tmp_path / "experiments" / "models" / "latest"
    before = os.readlink(latest)

    real = stance.data.count_split

    def count_then_break(path, label_names, drop):
        found = real(path, label_names, drop)
        rows = take("train", TRAIN_PER_LABEL)
        rows[300] = {**rows[300], "label": ""}
        write_csv(path, rows)
        return found

    monkeypatch.setattr(stance.data, "count_split", count_then_break)
    second = [o for o in ooc(tmp_path, data) if not o.startswith("paths.output_dir=")]
    cfg = compose_cfg([*second, f"paths.output_dir={tmp_path / 'run2'}"])
    with pytest.raises(StanceError, match=r"train\.csv:302: empty label"):
        train(cfg)
    assert not (tmp_path / "run2" / "model" / "model.joblib").exists()
    assert os.readlink(latest) == before
    client = MlflowClient(cfg.tracking.uri)
    runs = client.search_runs(
        [client.get_experiment_by_name("stance").experiment_id], "attributes.status = 'FAILED'"
    )
    assert len(runs) == 1


@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        ("model=sgd", r"data\.streaming: CalibratedClassifierCV has no partial_fit"),
        ("features=word", r"data\.streaming: TfidfVectorizer learns from all training rows"),
        ("data.chunk_rows=0", r"config: data\.chunk_rows must be an integer >= 1, got 0"),
        ("data.epochs=1.5", r"config: data\.epochs must be an integer >= 1, got 1\.5"),
    ],
)
def test_pipeline_that_cannot_stream_is_refused_before_a_run(
    compose_cfg, tiny_data, tmp_path, override, pattern
):
    from stance.train import train

    cfg = compose_cfg(ooc(tmp_path, tiny_data, override))
    with pytest.raises(StanceError, match=pattern):
        train(cfg)
    assert not (tmp_path / "mlflow.db").exists()


def test_cross_domain_is_skipped_with_a_reason_when_streaming(
    compose_cfg, tiny_data, tmp_path, monkeypatch
):
    from mlflow import MlflowClient

    from stance.train import train

    cfg = compose_cfg(
        ooc(tmp_path, tiny_data, "evaluation.cross_domain=true", "tracking.log_model=false")
    )
    metrics, objects = train(cfg)
    assert not any(k.startswith("xdomain") for k in metrics)
    tags = MlflowClient(cfg.tracking.uri).get_run(objects["run_id"]).data.tags
    assert "leave-one-domain-out refits in memory" in tags["stance.skipped.cross_domain"]
    assert objects["model"].meta["skipped"] == {"cross_domain": tags["stance.skipped.cross_domain"]}
