"""Comparing and choosing runs: `stance runs` in a 120-column terminal, label sets never ranked
together, run-id prefixes, servers on a busy port, orphaned runs, and how `latest` moves."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import child_pids, is_running, overrides_for, use_store
from test_bad_input import assert_one_line_error, run_cli

from stance.cli import main

BIN = Path(sys.executable).parent

# The runs of the Train and Sweeps sections of docs/training.md, as the overrides each job gets.
README_TRAIN = [
    [],
    ["model=linear_svc", "model.C=0.5", "features=word_char"],
    ["labels=stance3"],
    ["experiment=svc_word_char"],
    ["experiment=out_of_core"],
]
README_SWEEPS = [
    [f"model={m}", f"features={f}"] for m in ("logreg", "linear_svc") for f in ("word", "word_char")
] * 2 + [
    ["experiment=search", f"model.C={c}", f"features={f}"]
    for c in (1, 3, 10, 30)
    for f in ("word", "word_char")
]


def _log_run(client, experiment_id: str, overrides: list[str], rng: random.Random) -> str:
    """A finished run logged as `stance-train OVERRIDES` logs its name, params and label set
    (composed from the real configs), with made-up figures: this is about the table."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig
    from mlflow.entities import Metric, Param
    from omegaconf import OmegaConf

    from stance.config import config_dir
    from stance.train import _params, run_name

    GlobalHydra.instance().clear()
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=overrides, return_hydra_config=True)
    HydraConfig.instance().set_config(cfg)
    resolved = OmegaConf.to_container(cfg, resolve=False)
    resolved.pop("hydra")
    labels = [n for n in cfg.labels.names if n not in cfg.labels.drop]
    run = client.create_run(
        experiment_id, run_name=run_name(cfg), tags={"stance.labels": ",".join(labels)}
    )
    params = [Param(k, v[:6000]) for k, v in _params(resolved, cfg.seed).items()]
    keys = ["validation/macro_f1", "test/macro_f1", "xdomain/macro_f1", "wire/macro_f1"]
    metrics = [Metric(k, rng.uniform(0.5, 0.95), 0, 0) for k in keys]
    client.log_batch(run.info.run_id, metrics=metrics, params=params)
    client.set_terminated(run.info.run_id)
    GlobalHydra.instance().clear()
    HydraConfig.instance().cfg = None  # no later test may see this run's Hydra config
    return run.info.run_id


@pytest.fixture
def readme_store(tmp_path, monkeypatch):
    from mlflow import MlflowClient

    uri = use_store(f"sqlite:///{tmp_path / 'mlflow.db'}", monkeypatch)
    client = MlflowClient(uri)
    experiment_id = client.create_experiment("stance")
    rng = random.Random(3)
    ids = [_log_run(client, experiment_id, o, rng) for o in README_TRAIN + README_SWEEPS]
    return client, ids


def test_runs_fit_120_columns_and_never_rank_label_sets_together(readme_store, capsys):
    client, ids = readme_store
    assert main(["runs", "-n", "100"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 120, max(lines, key=len)
    sections = [s.splitlines() for s in out.strip().split("\n\n")]
    assert [s[0].split(":")[0] for s in sections] == [
        "labels conciliatory, demanding, rejecting, neutral",
        "labels conciliatory, demanding, rejecting",
    ]
    four, three = ([line.split()[0] for line in s[2:]] for s in sections)
    assert len(four) == len(ids) - 1 and len(three) == 1
    stance3 = [r for r in ids if client.get_run(r).data.tags["stance.labels"].count(",") == 2]
    assert three == [stance3[0][:8]]
    # Ranked by cross-domain macro-F1 within the section (the figures as MLflow has them).
    figures = {r[:8]: client.get_run(r).data.metrics["xdomain/macro_f1"] for r in ids}
    assert four == sorted(four, key=lambda r: -figures[r])
    # A whole group shows as its choice, not as the flattened keys under it; what the run's
    # name does not say is shown beside it; names in full.
    [default] = [line for line in sections[0] if "  logreg_calibrated  [" in line]
    assert default.endswith("  logreg_calibrated  [features=word_cues_acts]")
    assert main(["runs", "-n", "100", "--json"]) == 0
    differing = json.loads(capsys.readouterr().out)[0]["differing_params"]
    assert "choice.features" in differing and "choice.model" in differing
    assert not [k for k in differing if k.startswith(("features.", "model."))]
    names = {client.get_run(r).info.run_name for r in ids}
    assert "linear_svc-C=0.5-word_char" in names and "logreg_calibrated-stance3" in names
    assert all(name in out for name in names)
    # --labels keeps one section; --json keeps its fields.
    assert main(["runs", "--labels", "stance3"]) == 0
    assert capsys.readouterr().out.count("\n") == 3


def test_old_flat_metric_keys_read_as_todays(tmp_path, monkeypatch, capsys):
    from mlflow import MlflowClient

    uri = use_store(f"sqlite:///{tmp_path / 'mlflow.db'}", monkeypatch)
    client = MlflowClient(uri)
    experiment_id = client.create_experiment("stance")
    old = client.create_run(experiment_id, run_name="old")
    client.log_metric(old.info.run_id, "xdomain_macro_f1", 0.8)
    new = client.create_run(experiment_id, run_name="new")
    client.log_metric(new.info.run_id, "xdomain/macro_f1", 0.7)
    for run in (old, new):
        client.set_terminated(run.info.run_id)
    assert main(["runs", "--sort", "xdomain_macro_f1"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [r.split()[0] for r in rows] == [old.info.run_id[:8], new.info.run_id[:8]]
    assert "0.800" in rows[0] and "0.700" in rows[1]


def test_promote_by_prefix_and_refusals(trained, monkeypatch, capsys):
    from mlflow import MlflowClient

    uri = use_store(trained["cfg"].tracking.uri, monkeypatch)
    run_id = trained["run_id"]
    assert main(["promote", run_id[:8]]) == 0
    assert "is now @champion" in capsys.readouterr().out
    version = MlflowClient(uri).get_model_version_by_alias("stance-classifier", "champion")
    assert version.run_id == run_id
    assert main(["promote", "x' or name='y"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"stance promote: error: .x' or name='y.: not a run id .*\n", err), err
    assert main(["promote", "0" * 31 + "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(
        "stance promote: error: run 00000000000000000000000000000001: no version of "
        "stance-classifier was logged by it"
    )


def test_an_ambiguous_prefix_is_one_line(tmp_path, monkeypatch, capsys):
    from mlflow import MlflowClient

    uri = use_store(f"sqlite:///{tmp_path / 'mlflow.db'}", monkeypatch)
    client = MlflowClient(uri)
    experiment_id = client.create_experiment("stance")
    # 17 runs and 16 hex digits: two runs share a first character.
    ids = [client.create_run(experiment_id).info.run_id for _ in range(17)]
    shared = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    count = sum(i.startswith(shared) for i in ids)
    for command in ("promote", "runs"):
        assert main([command, shared]) == 2
        captured = capsys.readouterr().err
        err = [line for line in captured.splitlines() if " INFO " not in line]  # MLflow's log
        assert (
            "Traceback" not in captured
            and len(err) == 1
            and err[0].startswith(
                f"stance {command}: error: run {shared}: ambiguous, {count} run ids start with it ("
            )
        ), err


@pytest.mark.parametrize(
    "command",
    [
        ["stance", "ui"],
        ["stance", "serve"],
        ["stance", "server", "--backend-store-uri", "postgresql://u:p@127.0.0.1:1/db"],
        ["make"],
    ],
    ids=["ui", "serve", "server", "make-ui"],
)
def test_a_busy_port_is_one_line_before_any_link(command, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        if command == ["make"]:
            # `make ui` as users run it; -o: the venv is taken as up to date.
            args = ["make", "-s", "-o", ".venv/.installed", "ui", f"PORT={port}"]
            cwd = Path(__file__).resolve().parent.parent
            result = subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=60)
            assert result.returncode == 2
            lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
            assert lines == [
                f"stance ui: error: port {port} on 127.0.0.1 is in use (Address already in use); "
                "pick another with --port"
            ]
            assert "http://" not in result.stdout + result.stderr
            return
        env = {"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"}
        result = run_cli(*command, "--port", str(port), env=env)
    assert result.returncode == 2
    assert_one_line_error(result, rf"^stance \w+: error: port {port} on 127.0.0.1 is in use")
    assert "http://" not in result.stdout + result.stderr


def test_latest_always_moves_and_says_how_it_compares(
    trained, compose_cfg, sample_data, tmp_path, capsys
):
    """The rule: `latest` is the newest model, and the run's printout says in one line how it
    compares with the one it replaced on the sweep's selection metric."""
    import json

    from stance.model import move_latest

    link = tmp_path / "models" / "latest"
    good = trained["model_dir"]
    first = move_latest(good, link, "xdomain/macro_f1")
    good_figure = trained["metrics"]["validation/macro_f1"]
    # No cross-domain figure in the shared run: both are compared on validation.
    assert (
        first
        == f"latest -> {trained['model'].meta['run_name']} (run {trained['run_id'][:8]}): validation/macro_f1 {good_figure:.3f}"
    )
    worse = tmp_path / "worse"
    worse.mkdir()
    meta = json.loads((good / "model.json").read_text())
    meta.update(run_id="f" * 32, run_name="rules", metrics={"validation/macro_f1": 0.5})
    (worse / "model.json").write_text(json.dumps(meta))
    line = move_latest(worse, link, "xdomain/macro_f1")
    assert os.path.samefile(link, worse)
    assert line.startswith("latest -> rules (run ffffffff): validation/macro_f1 0.500; ")
    assert f"was {good_figure:.3f} ({trained['model'].meta['run_name']}" in line
    assert "worse" in line and "stance promote" in line
    back = move_latest(good, link, "xdomain/macro_f1")
    assert back.endswith(": as good or better") and "was 0.500 (rules" in back


@pytest.mark.slow
def test_a_run_killed_with_sigkill_is_marked_killed_and_leaves_no_process(tmp_path, sample_data):
    """A real `kill -9` during the cross-domain refits: the next `stance runs` marks the run
    KILLED, and none of its worker processes outlives it."""
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    run = subprocess.Popen(
        [str(BIN / "stance-train"), *overrides_for(tmp_path, sample_data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and not workers:
        time.sleep(0.5)
        workers = child_pids(run.pid)
    assert workers, "the run started no worker process"
    time.sleep(2)
    workers = child_pids(run.pid)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(is_running(p) for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if is_running(p)]
    listed = run_cli("stance", "runs", env={"MLFLOW_TRACKING_URI": store})
    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[2]
    assert row.split()[1] == "KILLED"


@pytest.mark.slow
def test_the_runs_table_in_chromium_after_a_sweep(tmp_path, tiny_data):
    """After a 3-job sweep, `stance ui` prints a link to the runs table; headless Chromium
    finds the metric columns there and the sweep's winner on the first row."""
    import shutil

    from conftest import sweep
    from mlflow import MlflowClient

    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    result = sweep(tmp_path / "exp", tiny_data, "model.C=0.01,1,100", "evaluation.wire=null")
    assert result.returncode == 0, result.stderr
    store = f"sqlite:///{tmp_path / 'exp' / 'mlflow.db'}"
    client = MlflowClient(store)
    [parent] = client.search_runs(["1"], filter_string="tags.`stance.sweep` = 'true'")
    winner = client.get_run(parent.data.tags["stance.best_run_id"]).info.run_name
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    server = subprocess.Popen(
        [str(BIN / "stance"), "ui", "--port", str(port)],
        env={**env, "MLFLOW_TRACKING_URI": store},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        link = server.stderr.readline().split(": ", 1)[1].split("best first: ")[-1].strip()
        assert "viewStateShareKey=" in link and "workflowType=machine_learning" in link
        _wait_for(f"http://127.0.0.1:{port}/health", 60)
        shot = tmp_path / "runs.png"
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1600,900",
            "--virtual-time-budget=20000",
        ]  # fmt: skip
        dom = subprocess.run(
            [binary, *flags, "--dump-dom", link], capture_output=True, text=True, timeout=120
        ).stdout
        subprocess.run([binary, *flags, f"--screenshot={shot}", link], timeout=120, check=False)
        assert shot.is_file() and shot.stat().st_size > 10_000
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    headers = set(re.findall(r">((?:validation|test|xdomain|wire|seeds|articles)/[\w]+)<", dom))
    assert len(headers) >= 3, headers
    names = re.findall(r">((?:logreg|sweep)[^<]*)<", dom)
    assert names and names[0] == winner, names[:5]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds} s")
