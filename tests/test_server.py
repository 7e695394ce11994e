"""The team tracking server: a real PostgreSQL cluster in a temp folder, the real MLflow server
on it (started by `stance server`, artifacts proxied to a temp folder), and training runs, a
joblib sweep, `stance promote` and `load_model` going through it. And a server that is down
or refuses: one line, nothing saved."""

from __future__ import annotations

import glob
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import LABELS, sweep
from test_bad_input import assert_one_line_error, run_cli

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without MLflow's variables (the autouse fixture clears them only
    around each test), plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}, **extra}


def postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are: `pg_config --bindir`, else Debian's versioned folders."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    return next((Path(c) for c in candidates if c and (Path(c) / "initdb").is_file()), None)


@dataclass
class Server:
    uri: str  # the tracking server, http://127.0.0.1:PORT
    database: str  # its PostgreSQL database
    artifacts: Path  # where it puts the artifacts it is sent


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster: its URI, and how to stop and start it again."""

    uri: str
    pg_ctl: list[str]

    def stop(self) -> None:
        run = subprocess.run([*self.pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True)
        assert run.returncode == 0, run.stderr

    def start(self) -> None:
        run = subprocess.run([*self.pg_ctl, "-w", "-t", "60", "start"], capture_output=True)
        assert run.returncode == 0, run.stderr


@contextmanager
def pg_cluster():
    """A throwaway PostgreSQL cluster on a free loopback port (initdb refuses root: as root it
    runs as the `postgres` user, which Debian's package creates); a database `mlflow` in it."""
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI"):  # .ci/run installs it: a skip there would hide a broken set-up
            pytest.fail("PostgreSQL not found, though .ci/run installs it")
        pytest.skip("PostgreSQL not found (apt-get install postgresql; .ci/run installs it)")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="stance-pg-"))
    if os.geteuid() == 0:
        import pwd

        as_user = ["runuser", "-u", "postgres", "--"]
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no `postgres` user to run PostgreSQL as")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, port = folder / "data", free_port()

    def pg(*args: str, user: list[str] = as_user) -> None:
        done = subprocess.run([*user, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{args[0]}: {done.stdout}{done.stderr}"

    options = f"-h 127.0.0.1 -p {port} -k {folder} -F"  # loopback only; no fsync
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", f"{folder}/log"]
    try:
        pg(str(bindir / "initdb"), *f"-D {data} -U stance --auth=trust -E UTF8".split())
        pg(*pg_ctl[len(as_user) :], "-w", "-t", "60", "-o", options, "start")
        pg(str(bindir / "createdb"), *f"-h 127.0.0.1 -p {port} -U stance mlflow".split(), user=[])
        yield Cluster(f"postgresql://stance@127.0.0.1:{port}/mlflow", [*pg_ctl, "-o", options])
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    with pg_cluster() as cluster:
        yield cluster.uri


@contextmanager
def mlflow_server(database: str, artifacts: Path, log: Path):
    """The real MLflow server on ``database``, started the way `make server` starts it."""
    port = free_port()
    command = [str(BIN / "stance"), "server", "--backend-store-uri", database]
    command += ["--artifacts-destination", str(artifacts), "--port", str(port), "--workers", "1"]
    with open(log, "w") as out:
        # Its own process group: the teardown stops the server and the workers it starts.
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=clean_env(), start_new_session=True
        )
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a new database is migrated first (~30 s)
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield Server(uri, database, artifacts)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def tracking_server(postgres, tmp_path_factory):
    """The real MLflow server on that database, started the way `make server` starts it."""
    artifacts = tmp_path_factory.mktemp("server-artifacts")
    log = tmp_path_factory.mktemp("server-log") / "mlflow.log"
    with mlflow_server(postgres, artifacts, log) as server:
        yield server


def database_rows(database: str, sql: str, **params) -> list[tuple]:
    """Read MLflow's tables in PostgreSQL directly: what the server wrote is really there."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(database)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sqlalchemy.text(sql), params)]
    finally:
        engine.dispose()


def artifact_paths(client, run_id: str, path: str | None = None) -> set[str]:
    """Every artifact path of a run, listed through the server."""
    found: set[str] = set()
    for item in client.list_artifacts(run_id, path):
        found.add(item.path)
        if item.is_dir:
            found |= artifact_paths(client, run_id, item.path)
    return found


def logged_model_files(client, run) -> set[str]:
    """The files of the MLflow model a run logged (MLflow 3 keeps them apart from the run's
    artifacts), listed through the server."""
    [model] = client.search_logged_models(
        [run.info.experiment_id], filter_string=f"source_run_id = '{run.info.run_id}'"
    )
    assert model.artifact_location.startswith("mlflow-artifacts:/")
    return {item.path for item in client.list_logged_model_artifacts(model.model_id)}


@pytest.mark.slow
def test_a_training_run_lands_on_the_server(tracking_server, tiny_data, compose_cfg, tmp_path):
    from mlflow import MlflowClient

    from stance.train import train

    cfg = compose_cfg(
        [
            f"paths.experiments={tmp_path / 'exp'}",
            f"paths.output_dir={tmp_path / 'run'}",
            f"data.dir={tiny_data}",
            "tracking=server",
            f"tracking.uri={tracking_server.uri}",
            "evaluation.cross_domain=false",
        ]
    )
    metrics, objects = train(cfg)
    client = MlflowClient(tracking_server.uri)
    run = client.get_run(objects["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.metrics["validation/macro_f1"] == pytest.approx(metrics["validation/macro_f1"])
    assert run.data.params["model.C"] == str(cfg.model.C)
    # Artifacts go through the server (proxied), into its artifacts destination.
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    listed = artifact_paths(client, run.info.run_id)
    assert {"config.yaml", "classification_report.txt", "stance_model/model.joblib"} <= listed
    assert {"MLmodel", "code"} <= logged_model_files(client, run)
    on_disk = list(tracking_server.artifacts.rglob(f"{run.info.run_id}/artifacts/config.yaml"))
    assert len(on_disk) == 1
    # The run, its metrics and its registered version are rows in PostgreSQL.
    assert database_rows(
        tracking_server.database, "select status from runs where run_uuid = :id", id=run.info.run_id
    ) == [("FINISHED",)]
    assert database_rows(
        tracking_server.database,
        "select value from latest_metrics where run_uuid = :id and key = 'validation/macro_f1'",
        id=run.info.run_id,
    ) == [(pytest.approx(metrics["validation/macro_f1"]),)]
    versions = client.search_model_versions(f"run_id = '{run.info.run_id}'")
    assert [v.name for v in versions] == ["stance-classifier"]
    assert str(versions[0].version) == objects["run"].model_version


@pytest.fixture(scope="module")
def server_sweep(tracking_server, tiny_data, tmp_path_factory):
    """A 4-job joblib sweep against the server, as a user runs it."""
    tmp = tmp_path_factory.mktemp("server-sweep")
    started = time.perf_counter()
    result = sweep(
        tmp / "exp",
        tiny_data,
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "model=logreg,complement_nb",
        "features=word,char",
        "evaluation.cross_domain=false",  # its 14 refits per job would double the time
        "sweep.select_by=validation/macro_f1",
        "tracking=server",
        f"tracking.uri={tracking_server.uri}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {"tmp": tmp, "result": result, "seconds": time.perf_counter() - started}


@pytest.mark.slow
def test_a_joblib_sweep_lands_on_the_server_as_parent_and_children(
    tracking_server, server_sweep, request
):
    from conftest import record
    from mlflow import MlflowClient

    record(request, "server: 4-job joblib sweep seconds", server_sweep["seconds"])
    client = MlflowClient(tracking_server.uri)
    experiment = client.get_experiment_by_name("stance")
    marker = server_sweep["result"].stdout.split("\nsweep ", 1)[1].split(":", 1)[0]
    parent = client.get_run(marker)
    assert parent.data.tags["stance.sweep"] == "true" and parent.info.status == "FINISHED"
    children = client.search_runs(
        [experiment.experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert sorted(r.data.tags["stance.sweep_job"] for r in children) == ["0", "1", "2", "3"]
    assert all(r.info.status == "FINISHED" for r in children)
    assert all("validation/macro_f1" in r.data.metrics for r in children)
    for child in children:
        assert {"config.yaml", "stance_model/model.joblib"} <= artifact_paths(
            client, child.info.run_id
        )
        assert "MLmodel" in logged_model_files(client, child)
    assert "sweep_summary.txt" in artifact_paths(client, parent.info.run_id)
    best = max(children, key=lambda r: r.data.metrics["validation/macro_f1"])
    assert parent.data.tags["stance.best_run_id"] == best.info.run_id
    # One registered version for the sweep: the winner's, tagged with its sweep.
    versions = client.search_model_versions("name = 'stance-classifier'")
    tagged = [v for v in versions if v.tags.get("stance.sweep_parent_run_id") == parent.info.run_id]
    assert [v.run_id for v in tagged] == [best.info.run_id]
    # Parent and children are rows of PostgreSQL, linked by the parent's id.
    assert database_rows(
        tracking_server.database,
        "select count(*) from tags where key = 'mlflow.parentRunId' and value = :id",
        id=parent.info.run_id,
    ) == [(4,)]


@pytest.mark.slow
def test_promote_and_load_the_champion_through_the_server(
    tracking_server, server_sweep, monkeypatch
):
    from mlflow import MlflowClient

    from stance import load_model

    client = MlflowClient(tracking_server.uri)
    best = server_sweep["result"].stdout.split("registered job ", 1)[1].split()[0]
    parent_id = server_sweep["result"].stdout.split("\nsweep ", 1)[1].split(":", 1)[0]
    best_run = client.get_run(client.get_run(parent_id).data.tags["stance.best_run_id"])
    assert best_run.data.tags["stance.sweep_job"] == best
    promoted = subprocess.run(
        [str(BIN / "stance"), "promote", best_run.info.run_id],
        capture_output=True,
        text=True,
        env=clean_env(MLFLOW_TRACKING_URI=tracking_server.uri),
        timeout=120,
    )
    assert promoted.returncode == 0, promoted.stderr
    version = client.get_model_version_by_alias("stance-classifier", "champion")
    assert version.run_id == best_run.info.run_id
    assert promoted.stdout.startswith(f"stance-classifier v{version.version} is now @champion")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_server.uri)
    model = load_model("models:/stance-classifier@champion")
    assert model.meta["run_id"] == best_run.info.run_id
    assert model.meta["source"] == "models:/stance-classifier@champion"
    assert set(model.predict(["We reject the offer.", "Talks resume on Monday."])) <= set(LABELS)


class Refusing(http.server.BaseHTTPRequestHandler):
    """A server in front of MLflow that is up (/health answers) but refuses every request."""

    health = 200

    def do_GET(self):  # noqa: N802 (the handler's API)
        self.send_response(self.health if self.path == "/health" else 403)
        self.end_headers()
        self.wfile.write(b"OK" if self.path == "/health" else b"Forbidden")

    def log_message(self, *args):
        pass


class Unhealthy(Refusing):
    """A proxy whose MLflow behind it is gone: /health is a 503."""

    health = 503


def serve_in_thread(handler):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture
def refusing_server():
    httpd, uri = serve_in_thread(Refusing)
    yield uri
    httpd.shutdown()
    httpd.server_close()


def test_a_server_error_on_health_is_one_line_at_once():
    from stance import StanceError
    from stance.tracking import check_server

    httpd, uri = serve_in_thread(Unhealthy)
    try:
        with pytest.raises(
            StanceError, match=rf"^tracking server {uri} is not reachable \(HTTP 503 "
        ):
            check_server(uri)
        check_server(f"sqlite:///{uri}")  # a store that is not a server is not asked
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_tracking_server_without_a_uri_is_one_line(tmp_path):
    result = run_cli("stance-train", "tracking=server", f"paths.experiments={tmp_path}/exp")
    assert_one_line_error(result, r"^stance-train: error: config: tracking\.uri is not set")
    assert not list(tmp_path.rglob("model.joblib"))


@pytest.mark.parametrize("how", ["down", "refusing"])
@pytest.mark.parametrize(
    "sweep", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["run", "sweep"]
)
def test_a_server_that_is_down_or_refuses_is_one_line_and_saves_nothing(
    tmp_path, tiny_data, how, sweep, request
):
    uri = request.getfixturevalue("refusing_server") if how == "refusing" else None
    uri = uri or f"http://127.0.0.1:{free_port()}"  # nothing listens there
    models = tmp_path / "exp" / "models"
    previous = tmp_path / "previous" / "model"
    previous.mkdir(parents=True)
    models.mkdir(parents=True)
    (models / "latest").symlink_to(previous)
    started = time.perf_counter()
    result = run_cli(
        "stance-train",
        *(["-m", "model=logreg,complement_nb"] if sweep else []),
        "tracking=server",
        f"tracking.uri={uri}",
        f"data.dir={tiny_data}",
        f"paths.experiments={tmp_path / 'exp'}",
        env={"MLFLOW_TRACKING_URI": ""},
    )
    assert time.perf_counter() - started < 60  # no minutes of retries
    expected = "is not reachable" if how == "down" else "failed with error code 403"
    assert_one_line_error(result, rf"^stance-train: error: tracking .*{uri}.*{expected}")
    assert result.returncode == 2
    assert os.readlink(models / "latest") == str(previous)
    assert sorted(p.name for p in models.iterdir()) == ["latest"]  # no half-written link
    assert not list(tmp_path.rglob("model.joblib"))


def test_promote_against_a_server_that_is_down_is_one_line(capsys, monkeypatch):
    from stance.cli import main

    uri = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert main(["promote", "0123abcd"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"stance promote: error: tracking server {uri} is not reachable (")
    assert len(err.strip().splitlines()) == 1


def test_serve_from_a_server_that_is_down_is_one_line():
    uri = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [str(BIN / "stance"), "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=clean_env(MLFLOW_TRACKING_URI=uri),
        timeout=60,
    )
    assert_one_line_error(result, rf"^stance serve: error: tracking server {uri} is not reachable")


def test_server_command_names_a_database_it_cannot_reach_in_one_line(tmp_path):
    port = free_port()
    result = run_cli(
        "stance",
        "server",
        "--backend-store-uri",
        f"postgresql://stance:secret@127.0.0.1:{port}/mlflow",
        "--artifacts-destination",
        str(tmp_path / "artifacts"),
    )
    assert_one_line_error(
        result,
        rf"^stance server: error: database postgresql://stance:\*\*\*@127\.0\.0\.1:{port}/mlflow: "
        r"cannot connect \(.*Connection refused",
    )
    assert "secret" not in result.stderr
    assert_one_line_error(run_cli("stance", "server"), r"no database: --backend-store-uri")
