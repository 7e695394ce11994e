"""`stance predict` and `stance evaluate` on real files, with the default model path and others."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import take, write_csv

from stance.cli import main

LABELS = {"conciliatory", "demanding", "rejecting", "neutral"}
STATEMENTS = [
    "We will not sign this deal.",
    "The union accepted the new offer.",
    "Talks resume on Monday.",
]


@pytest.fixture
def model_dir(trained) -> str:
    return str(trained["model_dir"])


def test_predict_texts_as_json(model_dir, capsys):
    assert main(["predict", *STATEMENTS, "--model", model_dir, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["text"] for r in rows] == STATEMENTS
    for row in rows:
        assert row["label"] in LABELS
        assert set(row["probabilities"]) == LABELS
        assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
        assert row["label"] == max(row["probabilities"], key=row["probabilities"].get)


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".jsonl"])
def test_predict_file_formats_in_small_chunks(model_dir, tmp_path, capsys, suffix, trained):
    path = tmp_path / f"in{suffix}"
    if suffix == ".txt":
        path.write_text("\n".join(STATEMENTS) + "\n\n", encoding="utf-8")
    elif suffix == ".csv":
        write_csv(path, [{"id": i, "text": t} for i, t in enumerate(STATEMENTS)])
    else:
        path.write_text(
            "".join(json.dumps({"text": t}) + "\n" for t in STATEMENTS), encoding="utf-8"
        )
    assert (
        main(
            [
                "predict",
                "--file",
                str(path),
                "--model",
                model_dir,
                "--format",
                "csv",
                "--chunk-size",
                "2",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [r["text"] for r in rows] == STATEMENTS
    assert [r["label"] for r in rows] == trained["model"].predict(STATEMENTS)
    assert {"p_conciliatory", "p_demanding", "p_rejecting", "p_neutral", "confidence"} <= set(
        rows[0]
    )


def test_predict_table_with_explanations_and_out_file(model_dir, tmp_path, capsys):
    assert main(["predict", STATEMENTS[0], "--model", model_dir, "--explain"]) == 0
    out = capsys.readouterr().out
    assert STATEMENTS[0] in out and "because:" in out
    target = tmp_path / "tags.json"
    assert (
        main(
            [
                "predict",
                *STATEMENTS,
                "--model",
                model_dir,
                "--format",
                "json",
                "--explain",
                "--out",
                str(target),
            ]
        )
        == 0
    )
    rows = json.loads(target.read_text())
    # Each row's explanation is the model's own, n-gram by n-gram, weight by weight.
    from stance import load_model

    model = load_model(model_dir)
    assert [r["explanation"] for r in rows] == [
        [[gram, weight] for gram, weight in model.explain(text, k=5)] for text in STATEMENTS
    ]
    assert any(r["explanation"] for r in rows)


def test_predict_uses_latest_model_by_default(trained, monkeypatch, capsys, tmp_path):
    """With no --model, `stance predict` answers as experiments/models/latest does, and
    follows the link when it moves."""
    import shutil

    from stance.model import StanceModel, load_model, update_latest

    monkeypatch.setenv("STANCE_ROOT", str(tmp_path))
    latest = tmp_path / "experiments" / "models" / "latest"
    update_latest(trained["model_dir"], latest)
    texts = ["We will never accept this.", "Talks resume on Monday.", "Pay us by Friday."]
    assert main(["predict", *texts, "--format", "json"]) == 0
    answered = [r["label"] for r in json.loads(capsys.readouterr().out)]
    assert answered == trained["model"].predict(texts)
    # Another model, whose every answer is "neutral": latest now points at it.
    other = tmp_path / "other"
    shutil.copytree(trained["model_dir"], other)
    from sklearn.dummy import DummyClassifier

    model = load_model(other)
    features = model.pipeline[:-1].transform(texts + ["x"])
    always = DummyClassifier(strategy="constant", constant="neutral")
    model.pipeline.steps[-1] = ("clf", always.fit(features, [*model.labels]))
    StanceModel(model.pipeline, model.meta).save(other)
    update_latest(other, latest)
    assert main(["predict", *texts, "--format", "json"]) == 0
    assert [r["label"] for r in json.loads(capsys.readouterr().out)] == ["neutral"] * 3


def test_evaluate_prints_scores_and_json(model_dir, tmp_path, capsys, trained):
    data = write_csv(tmp_path / "gold.csv", take("test", 3))
    assert main(["evaluate", "--data", str(data), "--model", model_dir]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "gold \\ predicted" in out
    assert main(["evaluate", "--data", str(data), "--model", model_dir, "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["rows"] == 12
    assert set(scores["per_label"]) == LABELS
    assert sum(map(sum, scores["confusion_matrix"])) == 12
    jsonl = tmp_path / "gold.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"text": r["text"], "label": r["label"]}) + "\n" for r in take("test", 3)
        )
    )
    assert main(["evaluate", "--data", str(jsonl), "--model", model_dir, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["macro_f1"] == scores["macro_f1"]


def test_console_script_predicts_without_importing_mlflow_hydra_or_datasets(model_dir):
    code = (
        f"import sys; from stance.cli import main; main(['predict', 'We refuse.', '--model', {model_dir!r}]);"
        "print(sorted(m for m in ('mlflow', 'hydra', 'datasets') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_help_lists_commands():
    out = subprocess.run(
        [str(Path(sys.executable).parent / "stance"), "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "predict" in out.stdout and "evaluate" in out.stdout


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_predict_keeps_the_input_columns_so_rows_join_back(model_dir, tmp_path, capsys, fmt):
    """An id (and any other column) comes back on its row; a gold `label` column becomes
    `input_label` beside the predicted one; written with --out, the file is 0644 like any."""
    path = tmp_path / "in.jsonl"
    records = [
        {"id": f"s{i}", "text": t, "label": "neutral", "source": i}
        for i, t in enumerate(STATEMENTS)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    previous = os.umask(0o022)
    try:
        args = ["predict", "--file", str(path), "--model", model_dir, "--format", fmt]
        assert main([*args, "--out", str(out), "--chunk-size", "2"]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    if fmt == "csv":
        with open(out, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        assert reader.fieldnames[:5] == ["id", "input_label", "source", "text", "label"]
    else:
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert list(rows[0])[:5] == ["id", "input_label", "source", "text", "label"]
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert [r["text"] for r in rows] == STATEMENTS
    assert {r["input_label"] for r in rows} == {"neutral"}
    assert [str(r["source"]) for r in rows] == [str(i) for i in range(len(STATEMENTS))]
    assert {r["label"] for r in rows} <= LABELS
