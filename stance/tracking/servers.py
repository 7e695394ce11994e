"""The servers stance starts: MLflow's model server (`stance serve`), the team's tracking
server on PostgreSQL (`stance server`) and the MLflow UI (`stance ui`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stance.tracking.store import check_server, default_uri, experiment_id_for, first_line


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


def serve(host: str, port: int, model_uri: str | None = None) -> None:
    """Replace this process with MLflow's own scoring server for ``model_uri`` (default: the
    champion of `tracking.register_as`), in this environment: no conda or virtualenv, no network."""
    from stance.config import defaults

    uri = default_uri()
    check_server(uri)
    model_uri = model_uri or f"models:/{defaults().register_as}@champion"
    _check_registered(model_uri, uri)
    command = ["mlflow", "models", "serve", "-m", model_uri, "--env-manager", "local"]
    command += ["-h", host, "-p", str(port)]
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
    shown = _check_database(backend_uri)
    if "://" not in artifacts:
        folder = Path(artifacts).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        artifacts = str(folder)
    command = [sys.executable, "-m", "mlflow", "server", "--serve-artifacts"]
    command += ["--artifacts-destination", artifacts, "--host", host, "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    if allowed_hosts:
        command += ["--allowed-hosts", allowed_hosts]
    print(
        f"MLflow tracking server at http://{host}:{port}: runs in {shown}, artifacts in "
        f"{artifacts}\ntrain against it: stance-train tracking=server "
        f"tracking.uri=http://{host}:{port}",
        file=sys.stderr,
    )
    # The URI goes in the environment, not the command line, so `ps` shows no password.
    os.execve(sys.executable, command, {**os.environ, "MLFLOW_BACKEND_STORE_URI": backend_uri})


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


def ui(host: str, port: int) -> None:
    """Print the link to the runs table, then replace this process with the MLflow UI."""
    from stance.config import defaults

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
        print(
            f"MLflow UI, runs of experiment '{defaults().experiment}': "
            f"{base}/#/experiments/{experiment}/runs?workflowType=machine_learning",
            file=sys.stderr,
        )
    command = ["mlflow", "ui", "--backend-store-uri", uri, "--host", host, "--port", str(port)]
    os.execvpe(command[0], command, _with_our_bin())
