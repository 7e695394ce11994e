"""The tracking store: connecting to it (a SQLite file or a tracking server), the one-line
check that a server answers, the experiment, and retries of SQLite's single writer."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mlflow

# Written into a sweep's folder by the parent process; every job of the sweep reads it.
PARENT_RUN_FILE = ".mlflow_parent_run_id"


EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


def retry(fn, *args, transient: tuple[str, ...] = ("locked",), **kwargs):
    """SQLite allows one writer: parallel sweep jobs wait and retry instead of failing."""
    for attempt in range(10):
        try:
            return fn(*args, **kwargs)
        except Exception as err:
            if not any(marker in str(err).lower() for marker in transient) or attempt == 9:
                raise
            time.sleep(0.1 * 2**attempt * (1 + random.random()))
    return None


@contextmanager
def store_lock(uri: str) -> Iterator[None]:
    """Serialise a get-or-create across processes sharing one SQLite store."""
    if not uri.startswith("sqlite:///"):
        yield
        return
    import fcntl

    with open(f"{uri.removeprefix('sqlite:///')}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def default_uri() -> str:
    """`tracking.uri` of the default config (``MLFLOW_TRACKING_URI`` wins)."""
    from stance.config import defaults

    return defaults().tracking_uri


# Seconds to wait for a tracking server's /health before saying it is not reachable.
HEALTH_TIMEOUT = 10.0


def tracking_uri(tracking_cfg) -> str:
    """`tracking.uri`; `tracking=server` with neither ``tracking.uri=`` nor
    ``MLFLOW_TRACKING_URI`` is one line."""
    from omegaconf.errors import OmegaConfBaseException

    from stance import StanceError

    try:
        uri = str(tracking_cfg.uri)
    except OmegaConfBaseException:
        raise StanceError(
            "config: tracking.uri is not set (tracking=server tracking.uri=http://HOST:PORT, "
            "or export MLFLOW_TRACKING_URI)"
        ) from None
    return uri


def check_server(uri: str) -> None:
    """One quick request to an http(s) tracking server's /health: a server that is down or
    answers with a server error is one line naming it, instead of MLflow's minutes of
    retries and a traceback. Stores that are not servers pass."""
    if not uri.startswith(("http://", "https://")):
        return
    import ssl
    import urllib.error
    import urllib.request

    from stance import StanceError

    try:
        with urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=HEALTH_TIMEOUT):
            return
    except urllib.error.HTTPError as err:
        if err.code < 500:  # it answers (a proxy asking for a login, say): MLflow's calls say more
            return
        reason = f"HTTP {err.code} {err.reason}"
    except (urllib.error.URLError, OSError, ValueError) as err:
        cause = getattr(err, "reason", err)
        if isinstance(cause, ssl.SSLError):  # MLflow has its own TLS settings: let it decide
            return
        reason = str(cause)
    raise StanceError(f"tracking server {uri} is not reachable ({reason})")


def connect(uri: str) -> None:
    check_server(uri)
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)


def setup(tracking_cfg) -> str:
    """Connect to the store and return the experiment's id, creating it once."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError

    uri = tracking_uri(tracking_cfg)
    connect(uri)
    client = MlflowClient()
    name = tracking_cfg.experiment
    try:
        found = retry(client.get_experiment_by_name, name)
    except MlflowException as err:  # the first request: a server that refuses us says why
        raise StanceError(f"tracking store {uri}: {first_line(err)[:300]}") from None
    if found is not None:
        return found.experiment_id
    location = (
        Path(tracking_cfg.artifact_root).resolve().as_uri()
        if tracking_cfg.get("artifact_root")
        else None
    )
    try:
        return retry(
            client.create_experiment, name, artifact_location=location, tags=EXPERIMENT_KIND
        )
    except MlflowException:  # created meanwhile by a parallel job
        return retry(client.get_experiment_by_name, name).experiment_id


def first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def experiment_id_for(uri: str, name: str) -> str | None:
    from mlflow import MlflowClient

    connect(uri)
    found = MlflowClient().get_experiment_by_name(name)
    return found.experiment_id if found else None
