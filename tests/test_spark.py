"""Batch scoring on Spark: real pyspark on a local[2] master (Java from the machine; .ci/run
installs Debian's default JRE), the trained model of the session, and the answers compared
with `load_model` row for row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA

from stance import StanceError
from stance.cli import main

ROWS = 10_000
needs_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="Spark needs Java 17+ (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def spark():
    """One local[2] session for the module (the JVM takes seconds to start); `score_file`
    and the CLI use it as the active session and leave it running."""
    from stance.spark import session

    active = session("local[2]")
    yield active
    active.stop()


@pytest.fixture(scope="module")
def statements(tmp_path_factory):
    """10k sentences resampled from the real splits, with an id, their gold label and domain,
    in one Parquet file of one row group: Spark reads it as one partition."""
    import pandas as pd

    pool = pd.concat(pd.read_csv(DATA / f"{s}.csv") for s in ("train", "validation", "test"))
    rows = pool[["text", "label", "domain"]].sample(n=ROWS, replace=True, random_state=7)
    rows = rows.reset_index(drop=True)
    rows.insert(0, "row_id", range(ROWS))
    path = tmp_path_factory.mktemp("spark-in") / "statements.parquet"
    rows.to_parquet(path, index=False)
    return rows, path


def _read_output(folder: Path, fmt: str = "parquet"):
    import pandas as pd

    if fmt == "parquet":
        return pd.read_parquet(folder)
    parts = sorted(folder.glob("part-*.csv"))
    return pd.concat([pd.read_csv(p, keep_default_na=False) for p in parts], ignore_index=True)


def _assert_same_answers(out, texts: list[str], model) -> None:
    """Labels equal and probabilities within 1e-9 of `model.predict` / `predict_proba`."""
    import numpy as np

    assert out["label"].tolist() == model.predict(texts)
    expected = model.predict_proba(texts)
    got = out[[f"p_{label}" for label in model.labels]].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(out["confidence"].to_numpy(float), expected.max(axis=1), atol=1e-9)


@pytest.mark.slow
@needs_java
def test_spark_scores_10k_rows_as_load_model_does(spark, statements, trained, tmp_path, request):
    from conftest import record

    from stance import load_model
    from stance.spark import score_file

    rows, source = statements
    model = load_model(trained["model_dir"])
    target = tmp_path / "scored"
    assert spark.read.parquet(str(source)).rdd.getNumPartitions() == 1
    report = score_file(source, target, trained["model_dir"], master="local[2]")
    assert report.rows == ROWS
    record(
        request,
        "spark: local[2] rows/s (10k, excluding start-up)",
        report.seconds and ROWS / report.seconds,
    )

    out = _read_output(target)
    labels = [f"p_{label}" for label in model.labels]
    # The input's columns first, its gold `label` renamed, then the answers.
    assert list(out.columns) == [
        "row_id",
        "text",
        "input_label",
        "domain",
        "label",
        "confidence",
        *labels,
    ]
    # Scored on both cores (one part file each), and read back in the input's order.
    assert len(list(target.glob("part-*.parquet"))) == 2
    assert out["row_id"].tolist() == list(range(ROWS))
    assert out["text"].tolist() == rows["text"].tolist()
    assert out["input_label"].tolist() == rows["label"].tolist()
    _assert_same_answers(out, rows["text"].tolist(), model)
    # Not a constant answer: the resample covers every label.
    assert set(out["label"]) == set(model.labels)
    # Spark's temp folder was renamed into place; nothing else is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scored"]
    assert (target / "_SUCCESS").is_file()


TRICKY = [
    'The minister said "we will not sign", and walked out.',
    "We reject the offer.\nTalks are over.",
    "Our door remains open, the envoy said; talks resume Monday.",
    "They must pay by Friday, or the strike goes on.",
    "Ça suffit: the union accepted the deal.",
]


@pytest.mark.slow
@needs_java
def test_cli_reads_and_writes_csv_and_replaces_its_previous_output(
    spark, trained, tmp_path, capsys
):
    import csv

    from stance import load_model

    source = tmp_path / "statements.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows([[f"s{i}", text] for i, text in enumerate(TRICKY)])
    target = tmp_path / "tags.csv"
    argv = ["score-spark", str(source), str(target), "--model", str(trained["model_dir"])]
    argv += ["--master", "local[2]"]
    assert main(argv) == 0
    assert f"wrote 5 rows to {target}" in capsys.readouterr().err
    first = _read_output(target, "csv")
    assert main(argv) == 0  # a second run replaces the first output
    out = _read_output(target, "csv")
    assert out.equals(first)
    assert out["id"].tolist() == [f"s{i}" for i in range(len(TRICKY))]  # the input's order
    assert out["text"].tolist() == TRICKY  # quotes, a line break and accents survive both ways
    _assert_same_answers(out, TRICKY, load_model(trained["model_dir"]))


@pytest.mark.slow
@needs_java
def test_abstain_answers_as_tag_does(spark, trained):
    import pandas as pd

    from stance import load_model
    from stance.spark import score

    model = load_model(trained["model_dir"])
    texts = [*TRICKY, "Talks.", "The offer.", "Fine."]
    df = spark.createDataFrame(pd.DataFrame({"text": texts}))
    out = score(df, model, abstain=True).toPandas()
    expected = [row["label"] for row in model.tag(texts, abstain=True)]
    assert out["label"].tolist() == expected
    assert "uncertain" in expected  # the check means something only if one abstains


@pytest.mark.slow
@needs_java
@pytest.mark.parametrize(
    "case, problem",
    [
        ("no_text_column", "no column 'text' (found: id, body)"),
        ("blank_text", "1 of 3 rows have a null or blank 'text'"),
        ("null_text", "1 of 3 rows have a null or blank 'text'"),
        ("number_text", "column 'text' holds bigint, not strings"),
        ("no_rows", "no rows to score"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(spark, trained, tmp_path, capsys, case, problem):
    import pandas as pd

    frames = {
        "no_text_column": pd.DataFrame({"id": [1, 2], "body": ["We reject it.", "Fine."]}),
        "blank_text": pd.DataFrame({"text": ["We reject it.", " \t", "Talks resume."]}),
        "null_text": pd.DataFrame({"text": ["We reject it.", None, "Talks resume."]}),
        "number_text": pd.DataFrame({"text": [1, 2]}),
        "no_rows": pd.DataFrame({"text": pd.Series([], dtype=str)}),
    }
    source = tmp_path / "in.parquet"
    frames[case].to_parquet(source, index=False)
    target = tmp_path / "out"
    argv = ["score-spark", str(source), str(target), "--model", str(trained["model_dir"])]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"stance score-spark: error: {source}: {problem}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


def test_missing_input_and_a_foreign_output_folder_stop_before_spark(tmp_path, capsys):
    """Checked before any model is loaded or Spark started: no Java needed."""
    from stance.spark import score_file

    assert main(["score-spark", str(tmp_path / "nope.parquet"), str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.endswith(
        f"{tmp_path / 'nope.parquet'}: no such file or folder\n"
    )
    source = tmp_path / "in.csv"
    source.write_text("text\nWe reject it.\n", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(StanceError, match="exists and is not a folder Spark wrote"):
        score_file(source, mine)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(StanceError, match="is the input"):
        score_file(source, source)


def test_importing_the_spark_module_loads_no_pyspark():
    """`stance --help` and `stance predict` stay quick: pyspark loads inside the functions."""
    import subprocess
    import sys

    code = (
        "import sys, stance.spark, stance.cli; "
        "print(sorted(m for m in ('pyspark', 'mlflow', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_udf_answers_pair_each_probability_with_its_label(trained):
    """The pandas function behind the UDF, without Spark: its columns are `output_columns`, in
    order, and each ``p_<label>`` holds that label's probability as the model gives it."""
    import numpy as np

    from stance.spark import _answers, output_columns

    model = trained["model"]
    texts = [
        "We will never accept this offer.",
        "They must pay the crews by Friday.",
        "The union agreed to the deal.",
        "Talks resume in Geneva on Monday.",
    ]
    frame = _answers(model, texts, {})
    assert list(frame.columns) == output_columns(model.labels)
    proba = model.predict_proba(texts)
    for i, label in enumerate(model.labels):
        np.testing.assert_allclose(frame[f"p_{label}"], proba[:, i])
    assert list(frame["label"]) == model.predict(texts)
    assert len({tuple(row) for row in proba.argsort(axis=1)}) > 1  # the rows disagree: a swap shows
