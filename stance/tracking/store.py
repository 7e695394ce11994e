"""The tracking store: connecting to it (a SQLite file or a tracking server), the one-line
check that a server answers, the experiment, and retries of SQLite's single writer."""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mlflow

# Written into a sweep's folder by the parent process; every job of the sweep reads it.
PARENT_RUN_FILE = ".mlflow_parent_run_id"


EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


# Every request to a tracking server waits at most this long and is retried this often
# (MLflow's defaults, 120 s and 7 retries with backoff, hang a run for ten minutes when the
# server or its database dies); the environment overrides them.
HTTP_LIMITS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "15",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0.5",
}


def limit_requests() -> None:
    for key, value in HTTP_LIMITS.items():
        os.environ.setdefault(key, value)


@contextmanager
def quick_requests(seconds: int = 5) -> Iterator[None]:
    """One try of at most ``seconds`` per request: for the checks before a run, and for
    ending a run whose store has just failed."""
    saved = {k: os.environ.get(k) for k in HTTP_LIMITS}
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(seconds)
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class StoreUnavailable(Exception):
    """The tracking store stopped answering during a run (one line: `describe`)."""


_DATABASE_DOWN = re.compile(
    r"operationalerror|could not connect|connection refused.*5432|server closed the connection|"
    r"terminating connection|database system is (?:shutting down|starting up)|psycopg|"
    r"connection to server|no connection to the server|database is locked",
    re.IGNORECASE,
)
_NOT_REACHABLE = re.compile(
    r"max retries exceeded|connection refused|connectionerror|failed to establish|"
    r"name or service not known|timed out|read timeout|connection aborted|remote end closed",
    re.IGNORECASE,
)


# Server errors that mean the server cannot do its work (not 501, a method it lacks).
_SERVER_ERROR = re.compile(
    r"(?:error code|status code|too many) 50[0234]\b|\b50[0234]\b.*(?:error|server)"
)


def unavailable(err: BaseException) -> bool:
    """Is ``err`` the store failing (down, unreachable, its database gone), not a bad request?"""
    text = f"{type(err).__name__}: {err}"
    return bool(
        _DATABASE_DOWN.search(text) or _NOT_REACHABLE.search(text) or _SERVER_ERROR.search(text)
    )


def describe(uri: str, err: BaseException, doing: str) -> str:
    """``tracking server http://…: database unavailable while logging metrics (…)``."""
    text = f"{type(err).__name__}: {err}"
    server = uri.startswith(("http://", "https://"))
    where = f"tracking server {uri}" if server else f"tracking store {uri}"
    if _DATABASE_DOWN.search(text):
        reason = "database unavailable"
    elif server and (_NOT_REACHABLE.search(text) or _SERVER_ERROR.search(text)):
        # A server that still answers /health but fails its requests has lost its store.
        reason = "database unavailable" if _answers_health(uri) else "not reachable"
    elif _NOT_REACHABLE.search(text):
        reason = "not reachable"
    else:
        reason = first_line(err)[:200]
    return f"{where}: {reason} while {doing}"


def _answers_health(uri: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=3):
            return True
    except OSError:
        return False


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
        uri = str(tracking_cfg.uri or "")
    except OmegaConfBaseException:
        uri = ""
    if not uri.strip():
        raise StanceError(
            "config: tracking.uri is not set (tracking=server tracking.uri=http://HOST:PORT, "
            "or export MLFLOW_TRACKING_URI)"
        )
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


def check_store(uri: str) -> None:
    """A tracking server that answers /health may still have lost its database: one cheap
    read that touches the store, tried once with a short timeout."""
    if not uri.startswith(("http://", "https://")):
        return
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError

    try:
        with quick_requests(10):
            MlflowClient(uri).get_experiment_by_name("Default")
    except Exception as err:
        if unavailable(err):
            raise StanceError(describe(uri, err, "checking it before the run")) from None
        if isinstance(err, MlflowException):  # it answers, and refuses: it says why
            raise StanceError(f"tracking store {uri}: {first_line(err)[:300]}") from None
        raise


def connect(uri: str) -> None:
    limit_requests()
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
    name = tracking_cfg.experiment
    # The first client of a new SQLite store creates its tables: two runs started together
    # would both migrate it, and one fail. They take turns.
    with store_lock(uri):
        client = MlflowClient()
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
