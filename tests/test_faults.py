"""Nothing lost, nothing hung: runs and commands under faults, with real processes, real signals
and a real PostgreSQL behind a real MLflow server (slow tier where they need them)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import child_pids, is_running, overrides_for
from test_bad_input import assert_one_line_error, run_cli
from test_server import clean_env, free_port, mlflow_server, pg_cluster

BIN = Path(sys.executable).parent

# --- outputs that are inputs, and what analyze takes ----------------------------------------


def test_out_may_not_be_the_input_of_predict(trained, tmp_path):
    statements = tmp_path / "x.txt"
    statements.write_text("We reject the offer.\nTalks resume Monday.\n", encoding="utf-8")
    before = statements.read_bytes()
    link = tmp_path / "link.txt"
    link.symlink_to(statements)
    model = str(trained["model_dir"])
    for out in (statements, link):
        result = run_cli(
            "stance", "predict", "--file", str(statements), "--format", "csv", "--out", str(out),
            "--model", model,
        )  # fmt: skip
        assert result.returncode == 2
        assert_one_line_error(
            result, rf"^stance predict: error: --out {re.escape(str(out))}: is the input"
        )
        assert statements.read_bytes() == before


def test_out_may_not_be_an_input_of_analyze(trained, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("Union rejects pay offer\n\nThe union said no.\n", encoding="utf-8")
    before = article.read_bytes()
    model = str(trained["model_dir"])
    for args in (
        [str(article), "--out", str(article)],
        [str(folder), "--out", str(folder)],  # the table would be written over a.txt
    ):
        result = run_cli("stance", "analyze", *args, "--model", model)
        assert result.returncode == 2
        assert_one_line_error(result, r"^stance analyze: error: --out .*: is the input")
        assert article.read_bytes() == before


def test_analyze_takes_several_files_and_folders_and_refuses_a_file_name_for_them(
    trained, tmp_path
):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Union {name} rejects offer\n", encoding="utf-8")
    other = tmp_path / "c.txt"
    other.write_text("Talks resume in Geneva on Monday.\n", encoding="utf-8")
    model = str(trained["model_dir"])
    out = tmp_path / "out"
    result = run_cli(
        "stance", "analyze", str(folder), str(other), "--format", "json", "--out", str(out),
        "--model", model,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json", "c.json"]
    result = run_cli(
        "stance", "analyze", str(folder), "--format", "html", "--out", str(tmp_path / "a.html"),
        "--model", model,
    )  # fmt: skip
    assert_one_line_error(
        result, r"^stance analyze: error: --out .*a\.html: names a file, but 2 articles"
    )
    assert not (tmp_path / "a.html").exists()


def test_an_article_over_the_limit_is_one_line_before_the_model_loads(tmp_path):
    article = tmp_path / "big.txt"
    article.write_text("The union rejected the offer. " * 40_000, encoding="utf-8")  # 1.2 MB
    started = time.perf_counter()
    result = run_cli("stance", "analyze", str(article), "--model", str(tmp_path / "none"))
    assert time.perf_counter() - started < 10
    assert_one_line_error(
        result,
        r"^stance analyze: error: .*big\.txt: article of 1,200,000 characters, over "
        r"--max-article-chars 100,000 \(pass --truncate to cut it\)",
    )


@pytest.mark.slow
def test_a_long_article_is_truncated_and_analysed_in_linear_time(trained, tmp_path):
    """--truncate cuts a 1 MB article to the limit; the analysis stays under 10 s."""
    article = tmp_path / "big.txt"
    sentence = "The union rejected the latest pay offer from the hospital trust on Tuesday. "
    article.write_text(sentence * 14_000, encoding="utf-8")
    started = time.perf_counter()
    result = run_cli(
        "stance", "analyze", str(article), "--truncate", "--format", "json",
        "--model", str(trained["model_dir"]),
    )  # fmt: skip
    assert time.perf_counter() - started < 10
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('"index"') == pytest.approx(100_000 / len(sentence), abs=2)


def test_postgres_scheme_is_read_as_postgresql(tmp_path):
    port = free_port()
    result = run_cli(
        "stance", "server", "--backend-store-uri", f"postgres://u:secret@127.0.0.1:{port}/db",
        "--artifacts-destination", str(tmp_path / "a"), "--port", str(free_port()),
    )  # fmt: skip
    assert_one_line_error(
        result, r"^stance server: error: database postgresql://u:\*\*\*@.*cannot connect"
    )


# --- runs started together, and stopped by a signal --------------------------------------------


@pytest.mark.slow
def test_two_runs_started_together_keep_their_own_folders(tmp_path, tiny_data):
    env = clean_env()
    common = [
        f"paths.experiments={tmp_path / 'exp'}",
        f"data.dir={tiny_data}",
        "evaluation.cross_domain=false",
        "tracking.log_model=false",
    ]
    runs = [
        subprocess.Popen(
            [str(BIN / "stance-train"), *common, *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for extra in ([], ["model=complement_nb"])
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    import json

    folders = sorted((tmp_path / "exp" / "runs").iterdir())
    assert len(folders) == 2
    for (stdout, _), expected in zip(outputs, ("LogisticRegression", "ComplementNB"), strict=True):
        model_file = Path(re.search(r"^model: (\S+)", stdout, re.M).group(1))
        run_id = re.search(r"^MLflow: run (\w+)", stdout, re.M).group(1)
        meta = json.loads((model_file.parent / "model.json").read_text())
        assert meta["run_id"] == run_id  # the path printed holds this run's own model
        assert expected in json.dumps(meta["config"]["model"])


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_run_killed_and_leaves_no_process(tmp_path, sample_data, how):
    from mlflow import MlflowClient

    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    run = subprocess.Popen(
        [str(BIN / "stance-train"), *overrides_for(tmp_path, sample_data)],
        env=clean_env(),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        # The default SIGINT handler, whatever the suite was started with (nohup, a
        # background job): the child must see Ctrl-C as a user's shell sends it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and not workers:  # the cross-domain refits
        time.sleep(0.5)
        workers = child_pids(run.pid)
    assert workers, "the run started no worker process"
    os.kill(run.pid, getattr(signal, how))
    _, err = run.communicate(timeout=60)
    assert run.returncode == (143 if how == "SIGTERM" else 130)
    assert err.strip().splitlines()[-1] == (
        f"stance-train: stopped by {how}: the run is marked KILLED, no model was kept"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [p for p in workers if is_running(p)]:
        time.sleep(0.2)
    assert not [p for p in workers if is_running(p)]
    [found] = MlflowClient(store).search_runs(["1"])
    assert found.info.status == "KILLED"
    assert not list((tmp_path / "run").rglob("model.joblib"))


# --- the tracking server's database -----------------------------------------------------------


@pytest.fixture
def own_server(tmp_path):
    """A PostgreSQL cluster and an MLflow server of this test's own, to stop and start."""
    with (
        pg_cluster() as cluster,
        mlflow_server(cluster.uri, tmp_path / "artifacts", tmp_path / "mlflow.log") as server,
    ):
        yield cluster, server


def _train_on(server, tmp_path, data, *extra: str):
    return [
        str(BIN / "stance-train"),
        "tracking=server",
        f"tracking.uri={server.uri}",
        f"data.dir={data}",
        f"paths.experiments={tmp_path / 'exp'}",
        *extra,
    ]


@pytest.mark.slow
def test_database_down_at_start_is_one_line_before_training(own_server, tmp_path, tiny_data):
    cluster, server = own_server
    cluster.stop()
    started = time.perf_counter()
    result = subprocess.run(
        _train_on(server, tmp_path, tiny_data), capture_output=True, text=True, env=clean_env()
    )
    assert time.perf_counter() - started < 30
    assert result.returncode == 2
    assert_one_line_error(
        result,
        rf"^stance-train: error: tracking server {server.uri}: database unavailable while "
        "checking it before the run",
    )
    assert not (tmp_path / "exp" / "runs").exists() or not any(
        (tmp_path / "exp" / "runs").iterdir()
    )


@pytest.mark.slow
def test_database_stopped_mid_run_ends_it_in_a_minute_and_marks_it_failed(
    own_server, tmp_path, sample_data
):
    from mlflow import MlflowClient

    cluster, server = own_server
    models = tmp_path / "exp" / "models"
    run = subprocess.Popen(
        _train_on(server, tmp_path, sample_data),
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    client = MlflowClient(server.uri)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not child_pids(run.pid):  # fitting: cross-domain
        time.sleep(0.5)
    assert run.poll() is None
    cluster.stop()
    stopped = time.perf_counter()
    _, err = run.communicate(timeout=120)
    assert time.perf_counter() - stopped < 90
    assert run.returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert re.match(
        rf"^stance-train: error: tracking server {server.uri}: database unavailable while ",
        lines[0],
    ), lines[0]
    assert not models.exists() or not (models / "latest").exists()
    assert not list((tmp_path / "exp").rglob("model.joblib"))
    cluster.start()
    # The next command that reaches the store ends the run as FAILED.
    listed = subprocess.run(
        [str(BIN / "stance"), "runs"],
        capture_output=True,
        text=True,
        env=clean_env(MLFLOW_TRACKING_URI=server.uri),
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    [found] = client.search_runs([client.get_experiment_by_name("stance").experiment_id])
    assert found.info.status == "FAILED"
    assert "FAILED" in listed.stdout
