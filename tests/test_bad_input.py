"""Bad input: one clear line naming the file, the line or field and the problem; a non-zero
exit; nothing half-written, and `latest` unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, overrides_for, take, write_csv

from stance import StanceError
from stance.cli import main

BIN = Path(sys.executable).parent


def corpus_with(tmp_path: Path, train_rows: list[dict], columns: list[str] | None = None) -> Path:
    folder = tmp_path / "data"
    write_csv(folder / "train.csv", train_rows, columns)
    write_csv(folder / "validation.csv", take("validation", 2))
    write_csv(folder / "test.csv", take("test", 2))
    return folder


def good_rows() -> list[dict]:
    return take("train", 4)


def with_row(index: int, **changes) -> list[dict]:
    rows = good_rows()
    rows[index] = {**rows[index], **changes}
    return rows


CASES = {
    "unknown label": (
        lambda: with_row(5, label="furious"),
        None,
        r"train\.csv:7: label 'furious' is not in the configured label set",
    ),
    "empty text": (lambda: with_row(2, text="   "), None, r"train\.csv:4: empty text"),
    "missing text column": (
        good_rows,
        ["id", "label", "domain"],
        r"train\.csv:1: missing column 'text'",
    ),
    "missing label column": (good_rows, ["id", "text"], r"train\.csv:1: missing column 'label'"),
    "too few rows": (
        lambda: (
            [r for r in good_rows() if r["label"] != "neutral"]
            + [r for r in good_rows() if r["label"] == "neutral"][:1]
        ),
        None,
        r"label 'neutral' has 1 rows, needs at least 3 to train",
    ),
}


@pytest.fixture
def cfg_for(compose_cfg, trained):
    """A config writing into the trained fixture's store, so `latest` already exists."""

    def _cfg(data_dir: Path, out: Path, *extra: str):
        overrides = [
            o
            for o in overrides_for(trained["tmp"], data_dir, *extra)
            if not o.startswith("paths.output_dir=")
        ]
        return compose_cfg([*overrides, f"paths.output_dir={out}"])

    return _cfg


@pytest.mark.parametrize("case", list(CASES))
def test_bad_training_data_stops_before_anything_is_written(case, tmp_path, cfg_for, trained):
    from stance.train import train

    rows, columns, message = CASES[case]
    data = corpus_with(tmp_path, rows(), columns)
    latest = trained["tmp"] / "experiments" / "models" / "latest"
    before = os.readlink(latest)
    with pytest.raises(StanceError, match=message):
        train(cfg_for(data, tmp_path / "run"))
    assert not (tmp_path / "run" / "model").exists()
    assert os.readlink(latest) == before


def test_bad_bytes_and_missing_file(tmp_path, cfg_for):
    from stance.train import train

    data = corpus_with(tmp_path, good_rows())
    raw = (data / "train.csv").read_bytes().replace(b"\n", b"\n\xff\xfe broken,conciliatory\n", 1)
    (data / "train.csv").write_bytes(raw)
    with pytest.raises(StanceError, match=r"train\.csv:2: bytes are not UTF-8"):
        train(cfg_for(data, tmp_path / "run"))
    with pytest.raises(StanceError, match=r"nowhere/train\.csv: no such file"):
        train(cfg_for(tmp_path / "nowhere", tmp_path / "run"))


def test_failure_inside_a_run_marks_it_failed_and_keeps_latest(
    tmp_path, cfg_for, trained, tiny_data
):
    from mlflow import MlflowClient

    from stance.train import train

    latest = trained["tmp"] / "experiments" / "models" / "latest"
    before = os.readlink(latest)
    # Valid values one by one, an invalid pair that only the fit finds (an L1 penalty on lbfgs).
    with pytest.raises(ValueError, match="supports only 'l2' or None penalties"):
        train(cfg_for(tiny_data, tmp_path / "run", "+model.l1_ratio=1.0"))
    assert not (tmp_path / "run" / "model" / "model.joblib").exists()
    assert os.readlink(latest) == before
    client = MlflowClient(trained["cfg"].tracking.uri)
    runs = client.search_runs(
        [client.get_experiment_by_name("stance").experiment_id], "attributes.status = 'FAILED'"
    )
    assert len(runs) >= 1


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(result: subprocess.CompletedProcess, pattern: str) -> None:
    import re

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(pattern, lines[0]), lines[0]


def test_stance_train_unknown_option_and_bad_label_are_one_line(tmp_path):
    assert_one_line_error(
        run_cli("stance-train", "model=transformer"),
        r"stance-train: error: config: .*model/transformer",
    )
    assert_one_line_error(
        run_cli("stance-train", "model.not_a_param=3", "+x=1", "hydra/launcher=nope"),
        r"stance-train: error: config:",
    )
    data = corpus_with(tmp_path, with_row(0, label="Furious"))
    result = run_cli("stance-train", f"data.dir={data}", f"paths.experiments={tmp_path}/exp")
    assert_one_line_error(
        result, r"train\.csv:2: label 'Furious' is not in the configured label set"
    )
    assert not (tmp_path / "exp" / "models").exists()


def test_unknown_option_lists_the_valid_ones():
    result = run_cli("stance-train", "model=logregg")
    assert_one_line_error(result, r"Could not find 'model/logregg' \(options: complement_nb, ")
    listed = result.stderr.split("(options: ", 1)[1].rstrip().rstrip(")").split(", ")
    shipped = sorted(p.stem for p in (ROOT / "conf" / "model").glob("*.yaml"))
    assert listed == shipped


@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        (
            "model.C=-1",
            r"config: LogisticRegression: The 'C' parameter of LogisticRegression must be",
        ),
        ("model.max_iter=-1", r"config: LogisticRegression: The 'max_iter' parameter"),
        ("features.transformer_list.1.1.weight=-2", r"config: CueFeatures: weight must be >= 0"),
        ("preprocess.column=''", r"config: TextPreprocessor: column must be a non-empty str"),
        ("register.power=5", r"config: ArticlePrior: power must be between 0 and 2"),
    ],
)
def test_bad_values_are_checked_by_the_estimators_own_rules(
    compose_cfg, tmp_path, override, pattern
):
    """`checked_pipeline` runs every step's parameter validation before a run starts."""
    import re

    from stance import StanceError
    from stance.train import checked_pipeline

    cfg = compose_cfg([override, f"paths.output_dir={tmp_path}"])
    with pytest.raises(StanceError) as raised:
        checked_pipeline(cfg)
    assert re.match(pattern, str(raised.value)), str(raised.value)


def test_a_bad_value_stops_stance_train_before_a_run_in_one_line(tmp_path):
    """End to end, once: exit 2, one line, no MLflow run, no model and no run folder left."""
    store = tmp_path / "mlflow.db"
    result = run_cli(
        "stance-train",
        "model.C=-1",
        f"paths.experiments={tmp_path}/exp",
        f"tracking.uri=sqlite:///{store}",
    )
    assert result.returncode == 2
    assert_one_line_error(result, r"config: LogisticRegression: The 'C' parameter")
    assert not store.exists()
    assert not list(tmp_path.rglob("model.joblib"))
    assert not (tmp_path / "exp" / "runs").exists() or not any(
        (tmp_path / "exp" / "runs").iterdir()
    )


FILE_CASES = {
    "malformed jsonl": (
        "predict --file",
        "in.jsonl",
        b'{"text": "fine"}\n{"text": "ok"}\n{"text": oops}\n',
        r"in\.jsonl:3: malformed JSON line",
    ),
    "no text column": (
        "predict --file",
        "in.csv",
        b"id,statement\n1,hello\n",
        r"in\.csv:1: missing column 'text'",
    ),
    "empty text": (
        "predict --file",
        "empty.csv",
        b'text\n"We agree."\n""\n',
        r"empty\.csv:3: empty text",
    ),
    "latin-1 bytes": (
        "predict --file",
        "latin.txt",
        "We agree.\nNous refusons, a déclaré le syndicat.\n".encode("latin-1"),
        r"latin\.txt:2: bytes are not UTF-8",
    ),
    "empty txt": ("predict --file", "empty.txt", b"", r"empty\.txt: no statements to tag"),
    "blank txt": ("predict --file", "blank.txt", b"\n  \n", r"blank\.txt: no statements to tag"),
    "header-only csv": ("predict --file", "head.csv", b"id,text\n", r"head\.csv: no statements"),
    "empty jsonl": ("predict --file", "empty.jsonl", b"", r"empty\.jsonl: no statements to tag"),
    "too long": (
        "predict --file",
        "long.txt",
        b"We agree.\n" + b"x" * 10_001 + b"\n",
        r"long\.txt:2: statement of 10,001 characters, over --max-chars 10,000 \(pass --truncate",
    ),
    "missing file": ("predict --file", "gone.txt", None, r"gone\.txt: no such file"),
    "missing article": ("analyze", "none.txt", None, r"none\.txt: no such file"),
    "article bytes": (
        "analyze",
        "article.txt",
        b"Fine.\nSecond \xe9t\xe9 paragraph.\n",
        r"article\.txt:2: bytes are not UTF-8",
    ),
    "pool not objects": (
        "suggest --pool",
        "pool.jsonl",
        b'{"text": "ok"}\n[1, 2]\n',
        r"pool\.jsonl:2: expected a JSON object",
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_bad_files_are_one_line(case, tmp_path, trained):
    command, name, content, pattern = FILE_CASES[case]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    words = command.split()
    result = run_cli("stance", *words, str(path), "--model", str(trained["model_dir"]))
    assert_one_line_error(result, pattern)


def test_failed_predict_writes_no_output_file(tmp_path, trained):
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": oops}\n', encoding="utf-8")
    out = tmp_path / "out.json"
    result = run_cli(
        "stance",
        "predict",
        "--file",
        str(bad),
        "--model",
        str(trained["model_dir"]),
        "--out",
        str(out),
    )
    assert result.returncode == 2
    assert not out.exists() and not list(tmp_path.glob(".out.json*"))


def test_evaluate_names_a_label_outside_the_model(tmp_path, trained):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"text": "We agree.", "label": "conciliatory"})
        + "\n"
        + json.dumps({"text": "No.", "label": "hostile"})
        + "\n"
    )
    result = run_cli(
        "stance", "evaluate", "--data", str(gold), "--model", str(trained["model_dir"])
    )
    assert_one_line_error(
        result,
        r"gold\.jsonl:2: label 'hostile' is not one of conciliatory, demanding, neutral, rejecting",
    )


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "no json"])
def test_damaged_model_file_is_refused(tmp_path, trained, damage):
    folder = tmp_path / "model"
    shutil.copytree(trained["model_dir"], folder)
    target = folder / "model.joblib"
    data = target.read_bytes()
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "corrupted":
        target.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    else:
        (folder / "model.json").unlink()
    pattern = (
        r"no model\.json beside it"
        if damage == "no json"
        else r"model\.joblib: sha256 does not match model\.json"
    )
    assert_one_line_error(run_cli("stance", "predict", "hello", "--model", str(folder)), pattern)
    with pytest.raises(StanceError, match=pattern):
        from stance import load_model

        load_model(folder)


def test_no_input_and_both_inputs(trained, capsys, tmp_path):
    model = str(trained["model_dir"])
    txt = tmp_path / "a.txt"
    txt.write_text("We agree.\n")
    assert main(["predict", "x", "--file", str(txt), "--model", model]) == 2
    assert "not both" in capsys.readouterr().err


def test_truncate_cuts_long_statements_to_the_limit(tmp_path, trained):
    path = tmp_path / "long.txt"
    path.write_text("We agree.\n" + "We reject it. " * 20 + "\n", encoding="utf-8")
    args = ["predict", "--file", str(path), "--model", str(trained["model_dir"])]
    assert_one_line_error(
        run_cli("stance", *args, "--max-chars", "50"), r"long\.txt:2: statement of 279 characters"
    )
    result = run_cli("stance", *args, "--max-chars", "50", "--truncate", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["text"] for r in rows] == ["We agree.", ("We reject it. " * 20)[:50]]


def test_the_api_refuses_empty_statements_by_index(trained):
    model = trained["model"]
    for call in (model.predict, model.predict_proba, model.tag):
        with pytest.raises(ValueError, match=r"text 1: expected a non-empty string, got '   '"):
            call(["We agree.", "   "])
    with pytest.raises(ValueError, match=r"text 0: expected a non-empty string, got None"):
        model.predict([None])


def test_serve_without_a_champion_is_one_line(tmp_path):
    # A subprocess: `stance serve` replaces its process with MLflow's server when it starts.
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "stance"), "serve", "--port", "5999"],
        capture_output=True,
        text=True,
        env={**os.environ, "MLFLOW_TRACKING_URI": uri},
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr  # above the line, MLflow's notes on a new store
    assert result.stderr.strip().splitlines()[-1] == (
        "stance serve: error: models:/stance-classifier@champion: no such model in "
        f"{uri} (train, then `stance promote RUN_ID`)"
    )
