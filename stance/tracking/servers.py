"""The servers stance starts: MLflow's model server (`stance serve`), the team's tracking
server on PostgreSQL (`stance server`) and the MLflow UI (`stance ui`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stance.tracking.store import check_server, default_uri, experiment_id_for, first_line


def default_workers() -> int:
    """Server worker processes: one on a small machine (each holds MLflow, ~200 MB), up to
    four on larger ones; a command's --workers asks for more."""
    return max(1, min(4, (os.cpu_count() or 1) // 2))


def check_port(host: str, port: int) -> None:
    """A port that is taken is one line before anything is printed or started, instead of
    a link to someone else's server and uvicorn's error after it."""
    import socket

    from stance import StanceError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as err:
        raise StanceError(f"--host {host}: cannot use it ({err.strerror or err})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as err:
            raise StanceError(
                f"port {port} on {host} is in use ({err.strerror}); pick another with --port"
            ) from None


# MLflow's own job runner (7 huey consumers) serves GenAI features stance does not use.
_SERVER_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}


def _check_registered(model_uri: str, uri: str) -> None:
    """A ``models:/name@alias`` that does not exist is one line here, not MLflow's traceback
    from inside the server it would start."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError

    name, _, alias = model_uri.removeprefix("models:/").partition("@")
    if not model_uri.startswith("models:/") or not alias:
        return
    try:
        MlflowClient(uri).get_model_version_by_alias(name, alias)
    except MlflowException:
        raise StanceError(
            f"{model_uri}: no such model in {uri} (train, then `stance promote RUN_ID`)"
        ) from None


def _with_our_bin() -> dict[str, str]:
    """The environment with this interpreter's bin folder first on PATH: `mlflow` and the
    servers it starts are this installation's, also for `.venv/bin/stance` run directly."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}


def serve(host: str, port: int, model_uri: str | None = None, workers: int | None = None) -> None:
    """Replace this process with MLflow's own scoring server for ``model_uri`` (default: the
    champion of `tracking.register_as`), in this environment: no conda or virtualenv, no network."""
    from stance.config import defaults

    check_port(host, port)
    uri = default_uri()
    check_server(uri)
    model_uri = model_uri or f"models:/{defaults().register_as}@champion"
    _check_registered(model_uri, uri)
    command = ["mlflow", "models", "serve", "-m", model_uri, "--env-manager", "local"]
    command += ["-h", host, "-p", str(port), "--workers", str(workers or 1)]
    print(f"serving {model_uri} from {uri} at http://{host}:{port}/invocations", file=sys.stderr)
    os.execvpe(command[0], command, {**_with_our_bin(), "MLFLOW_TRACKING_URI": uri})


def server(
    backend_uri: str,
    artifacts: str,
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int | None = None,
    allowed_hosts: str | None = None,
) -> None:
    """Replace this process with an MLflow tracking server for a team: runs, metrics and the
    model registry in the database at ``backend_uri`` (PostgreSQL), artifacts proxied by the
    server to ``artifacts`` (a folder, or an object-store URI such as ``s3://bucket/path``).
    The database is tried first, so a wrong URI or a database that is down is one line."""
    from stance import StanceError

    if not backend_uri:
        raise StanceError(
            "no database: --backend-store-uri postgresql://USER:PASSWORD@HOST:5432/DB "
            "(make server SERVER_DB=…)"
        )
    backend_uri = postgresql_scheme(backend_uri)
    check_port(host, port)
    shown = _check_database(backend_uri)
    if "://" not in artifacts:
        folder = Path(artifacts).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        artifacts = str(folder)
    command = [sys.executable, "-m", "mlflow", "server", "--serve-artifacts"]
    command += ["--artifacts-destination", artifacts, "--host", host, "--port", str(port)]
    command += ["--workers", str(workers or default_workers())]
    if allowed_hosts:
        command += ["--allowed-hosts", allowed_hosts]
    print(
        f"MLflow tracking server at http://{host}:{port}: runs in {shown}, artifacts in "
        f"{artifacts}\ntrain against it: stance-train tracking=server "
        f"tracking.uri=http://{host}:{port}",
        file=sys.stderr,
    )
    # The URI goes in the environment, not the command line, so `ps` shows no password.
    environment = {**os.environ, **_SERVER_ENV, "MLFLOW_BACKEND_STORE_URI": backend_uri}
    os.execve(sys.executable, command, environment)


def postgresql_scheme(uri: str) -> str:
    """``postgres://`` (Heroku's and libpq's spelling) as ``postgresql://``, which is the
    only one SQLAlchemy reads."""
    for old in ("postgres://", "postgres+"):
        if uri.startswith(old):
            return "postgresql" + uri.removeprefix("postgres")
    return uri


def _check_database(uri: str) -> str:
    """Connect to the database once; return its URI with the password hidden."""
    import sqlalchemy
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    from stance import StanceError

    try:
        url = sqlalchemy.engine.make_url(uri)
    except ArgumentError:
        raise StanceError(
            "--backend-store-uri: not a database URI (postgresql://USER:PASSWORD@HOST:5432/DB)"
        ) from None
    shown = url.render_as_string(hide_password=True)
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    try:
        engine = sqlalchemy.create_engine(url, connect_args=connect_args)
    except (ModuleNotFoundError, NoSuchModuleError) as err:
        raise StanceError(
            f"{shown}: no database driver ({err}); pip install 'stance[server]'"
        ) from None
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as err:
        reason = first_line(getattr(err, "orig", None) or err)
        raise StanceError(f"database {shown}: cannot connect ({reason})") from None
    finally:
        engine.dispose()
    return shown


def ui(host: str, port: int, workers: int | None = None) -> None:
    """Print the link to the runs table (sorted by the metric `stance runs` sorts by, the
    figures that matter as columns), then replace this process with the MLflow UI."""
    from mlflow import MlflowClient

    from stance.config import defaults
    from stance.tracking.view import RUNS_VIEW, save_runs_view

    check_port(host, port)
    uri = default_uri()
    local = uri.startswith("sqlite:///")
    experiment = (
        experiment_id_for(uri, defaults().experiment)
        if not local or Path(uri.removeprefix("sqlite:///")).exists()
        else None
    )
    base = f"http://{host}:{port}"
    if experiment is None:
        print(f"MLflow UI: {base}  (no runs yet: `make train` first)", file=sys.stderr)
    else:
        save_runs_view(MlflowClient(uri), experiment)
        print(
            f"MLflow UI, runs of experiment '{defaults().experiment}', best first: "
            f"{base}/#/experiments/{experiment}/runs?viewStateShareKey={RUNS_VIEW}"
            "&workflowType=machine_learning",
            file=sys.stderr,
        )
    command = ["mlflow", "ui", "--backend-store-uri", uri, "--host", host, "--port", str(port)]
    command += ["--workers", str(workers or default_workers())]
    os.execvpe(command[0], command, {**_with_our_bin(), **_SERVER_ENV})
