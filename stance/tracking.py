"""Every MLflow call of stance lives here: store set-up, runs, sweeps, models, registry, serving.

Imported only where MLflow is needed (training, MLflow URIs, promote, serve, ui), never by
`stance predict` on a saved file. It imports `stance.model`; `stance.model` never imports it.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
from hydra.experimental.callback import Callback

# Written into a sweep's folder by the parent process; every job of the sweep reads it.
PARENT_RUN_FILE = ".mlflow_parent_run_id"
EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


def _retry(fn, *args, transient: tuple[str, ...] = ("locked",), **kwargs):
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
def _store_lock(uri: str) -> Iterator[None]:
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


def _connect(uri: str) -> None:
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
    _connect(uri)
    client = MlflowClient()
    name = tracking_cfg.experiment
    try:
        found = _retry(client.get_experiment_by_name, name)
    except MlflowException as err:  # the first request: a server that refuses us says why
        raise StanceError(f"tracking store {uri}: {_first_line(err)[:300]}") from None
    if found is not None:
        return found.experiment_id
    location = (
        Path(tracking_cfg.artifact_root).resolve().as_uri()
        if tracking_cfg.get("artifact_root")
        else None
    )
    try:
        return _retry(
            client.create_experiment, name, artifact_location=location, tags=EXPERIMENT_KIND
        )
    except MlflowException:  # created meanwhile by a parallel job
        return _retry(client.get_experiment_by_name, name).experiment_id


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def git_commit(root: str | Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def _sweep_parent_id() -> str | None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return None
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode != RunMode.MULTIRUN:
        return None
    marker = Path(hydra_cfg.sweep.dir) / PARENT_RUN_FILE
    return marker.read_text().strip() if marker.is_file() else None


def flatten_params(node: Any, prefix: str = "") -> dict[str, str]:
    """A resolved config as short flat keys: ``model.C``, ``features.ngram_range``."""
    out: dict[str, str] = {}
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list | tuple) and any(isinstance(v, dict | list) for v in node):
        items = ((str(i), v) for i, v in enumerate(node))
    else:
        text = str(node)
        return {prefix: text if len(text) <= 500 else text[:497] + "..."}
    for key, value in items:
        if key == "_target_":
            key, value = "class", str(value).rsplit(".", 1)[-1]
        elif str(key).startswith("_"):
            continue
        out.update(flatten_params(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


class RunLogger:
    """What a training run records; one instance per MLflow run."""

    def __init__(self, run_id: str, experiment_id: str, uri: str):
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.uri = uri
        self.model_version: str | None = None

    def log_params(self, params: dict[str, Any]) -> None:

        _retry(mlflow.log_params, {k[:250]: v for k, v in params.items()})

    def log_metrics(self, metrics: dict[str, float]) -> None:

        _retry(mlflow.log_metrics, {k: float(v) for k, v in metrics.items()})

    def set_tags(self, tags: dict[str, str]) -> None:

        _retry(mlflow.set_tags, tags)

    def log_artifacts(self, folder: Path, artifact_path: str | None = None) -> None:

        _retry(mlflow.log_artifacts, str(folder), artifact_path)

    def log_inputs(self, corpus) -> None:
        """Each split as a run input, with its source file and the corpus digest."""
        import pandas as pd
        from mlflow.data.dataset_source_registry import resolve_dataset_source
        from mlflow.data.meta_dataset import MetaDataset

        from stance.io import sha256_file

        for name, split in corpus.splits.items():
            with warnings.catch_warnings():  # a local path matches two equivalent source types
                warnings.simplefilter("ignore", UserWarning)
                if split.streamed:  # never read whole: the file, named by its digest
                    dataset = MetaDataset(
                        resolve_dataset_source(str(split.path)),
                        name=f"stance-{name}",
                        digest=sha256_file(split.path)[:8],
                    )
                else:
                    frame = pd.DataFrame({"text": split.texts, "label": split.labels})
                    dataset = mlflow.data.from_pandas(
                        frame, source=str(split.path), name=f"stance-{name}", targets="label"
                    )
            # Parallel jobs log the same splits; MLflow's get-or-create of the dataset row
            # races (UNIQUE constraint), so take turns, and retry if another store client won.
            with _store_lock(self.uri):
                _retry(
                    mlflow.log_input,
                    dataset,
                    context=name,
                    transient=("locked", "unique constraint"),
                )

    def log_model(self, model_dir: Path, example_texts: list[str], register_as: str | None) -> str:
        """Log the saved classifier as an MLflow model reading a ``text`` column and answering
        label, confidence and one probability per label; register it."""
        import pandas as pd
        from mlflow.models import infer_signature

        import stance
        from stance.serving import StanceServingModel

        served = StanceServingModel()
        served.model = _load_saved(model_dir)
        example = pd.DataFrame({"text": example_texts[:3]})
        signature = infer_signature(
            example, served.predict(None, example), params={"abstain": False}
        )
        package = Path(stance.__file__).parent
        # Models from code: MLflow copies the stance package into the model (code_paths) and
        # runs serving_model.py at load, so the model loads where stance is not installed,
        # and nothing is pickled with CloudPickle.
        info = _retry(
            mlflow.pyfunc.log_model,
            name="model",
            python_model=str(package / "serving_model.py"),
            code_paths=[str(package)],
            artifacts={"stance_model": str(model_dir)},
            signature=signature,
            input_example=example,
            pip_requirements=_requirements(),
            registered_model_name=register_as or None,
        )
        self.model_version = (
            str(info.registered_model_version) if info.registered_model_version else None
        )
        return info.model_uri

    def url(self) -> str:
        if self.uri.startswith(("http://", "https://")):
            return f"{self.uri.rstrip('/')}/#/experiments/{self.experiment_id}/runs/{self.run_id}"
        return f"run {self.run_id} in {self.uri} (see it with `make ui`)"


def _requirements() -> list[str]:
    # Listing them skips MLflow's slow dependency inference (a subprocess per logged model).
    from importlib.metadata import version

    return [
        f"{name}=={version(name)}"
        for name in ("scikit-learn", "numpy", "scipy", "pandas", "joblib", "mlflow", "pysbd")
    ]


def _load_saved(folder: str | Path):
    from stance.model import load_model

    return load_model(Path(folder))


REGISTER_POLICIES = ("auto", "always", "never", "best")


def register_policy(tracking_cfg) -> str:
    """`tracking.register`, checked."""
    from stance import StanceError

    policy = str(tracking_cfg.get("register", "auto"))
    if policy not in REGISTER_POLICIES:
        raise StanceError(
            f"config: tracking.register={policy!r}; expected one of {', '.join(REGISTER_POLICIES)}"
        )
    return policy


def registers_this_run(tracking_cfg) -> bool:
    """Does this run register its model version itself? A sweep job does only under
    ``always``: with ``auto`` or ``best`` the sweep registers its winner when it ends."""
    policy = register_policy(tracking_cfg)
    if policy == "never":
        return False
    return policy == "always" or _sweep_parent_id() is None


def sweep_job() -> tuple[int, list[str]] | None:
    """(job number, overrides) of this sweep job, or None for a single run."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return None
    hydra_cfg = HydraConfig.get()
    return int(hydra_cfg.job.num), list(hydra_cfg.overrides.task)


@contextmanager
def start_run(tracking_cfg, run_name: str, tags: dict[str, str]) -> Iterator[RunLogger]:
    """An MLflow run, ended in ``finally`` as FINISHED or FAILED; a sweep job becomes a child run."""

    experiment_id = setup(tracking_cfg)
    tags = dict(tags)
    parent = _sweep_parent_id()
    if parent:
        tags["mlflow.parentRunId"] = parent
    active = _retry(mlflow.start_run, experiment_id=experiment_id, run_name=run_name, tags=tags)
    status = "FAILED"
    try:
        yield RunLogger(active.info.run_id, experiment_id, tracking_uri(tracking_cfg))
        status = "FINISHED"
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        _retry(mlflow.end_run, status=status)


class SweepParentRun(Callback):
    """Opens one parent run per multirun in the launching process; jobs attach as children."""

    def __init__(self) -> None:
        self.run_id: str | None = None

    def on_multirun_start(self, config, **kwargs: Any) -> None:
        from hydra.core.hydra_config import HydraConfig
        from mlflow import MlflowClient

        from stance import StanceError
        from stance.config import register_resolvers

        register_resolvers()
        try:
            experiment_id = setup(config.tracking)
        except StanceError as err:  # before any job: one line, as a single run says it
            print(f"stance-train: error: {err}", file=sys.stderr)
            sys.exit(2)
        overrides = list(HydraConfig.get().overrides.task) if HydraConfig.initialized() else []
        sweep_dir = Path(config.hydra.sweep.dir)
        run = _retry(
            MlflowClient().create_run,
            experiment_id,
            run_name=f"sweep-{sweep_dir.name}",
            tags={
                "stance.sweep": "true",
                "stance.sweep_overrides": " ".join(overrides)[:5000],
                "stance.git_commit": git_commit(config.paths.root),
            },
        )
        self.run_id = run.info.run_id
        sweep_dir.mkdir(parents=True, exist_ok=True)
        (sweep_dir / PARENT_RUN_FILE).write_text(self.run_id)

    def on_multirun_end(self, config, **kwargs: Any) -> None:
        from mlflow import MlflowClient

        if not self.run_id:
            return
        client = MlflowClient()
        try:
            self._choose_winner(client, config)
        finally:
            _retry(client.set_terminated, self.run_id)

    def _choose_winner(self, client, config) -> None:
        """Print the jobs' table, point `latest` at the best job, record it on the parent run,
        and register it (tracking.register auto or best)."""
        from stance.model import update_latest

        select_by = str(config.sweep.select_by)
        parent = client.get_run(self.run_id)
        children = _retry(
            client.search_runs,
            [parent.info.experiment_id],
            filter_string=f"tags.mlflow.parentRunId = '{self.run_id}'",
        )
        jobs = sorted(children, key=lambda r: int(r.data.tags.get("stance.sweep_job", -1)))
        scored = [r for r in jobs if select_by in r.data.metrics and r.info.status == "FINISHED"]
        best = max(scored, key=lambda r: r.data.metrics[select_by]) if scored else None
        summary = sweep_table(jobs, select_by, best.info.run_id if best else None)
        print(f"\nsweep {self.run_id}: {len(jobs)} jobs\n{summary}")
        _retry(client.log_text, self.run_id, summary + "\n", "sweep_summary.txt")
        if best is None:
            print(f"no job logged {select_by}; `latest` is left as the last job set it")
            return
        job = best.data.tags.get("stance.sweep_job", "?")
        value = best.data.metrics[select_by]
        _retry(client.set_tag, self.run_id, "stance.best_run_id", best.info.run_id)
        _retry(client.set_tag, self.run_id, "stance.best_job", job)
        _retry(client.log_metric, self.run_id, f"best_{select_by}", value)
        update_latest(
            Path(best.data.tags["stance.output_dir"]) / "model",
            Path(config.paths.models) / "latest",
        )
        print(f"latest -> job {job} (best {select_by} {value:.3f})")
        if register_policy(config.tracking) in ("auto", "best") and config.tracking.log_model:
            version = _retry(
                mlflow.register_model,
                f"runs:/{best.info.run_id}/model",
                config.tracking.register_as,
                tags={"stance.sweep_parent_run_id": self.run_id},
            )
            print(f"registered job {job} as {config.tracking.register_as} v{version.version}")


# The figures that matter when runs are compared: the sweep's table and `stance runs`.
SUMMARY_COLUMNS = (
    ("validation_macro_f1", "validation"),
    ("test_macro_f1", "test"),
    ("xdomain_macro_f1", "x-domain"),
    ("seeds_macro_f1", "seeds"),
    ("wire_macro_f1", "wire"),
)


def summary_columns(extra: str) -> list[tuple[str, str]]:
    """SUMMARY_COLUMNS, plus ``extra`` (the metric runs are ranked by) if it is not one."""
    columns = list(SUMMARY_COLUMNS)
    if extra not in dict(columns):
        columns.append((extra, extra))
    return columns


def metric_cells(metrics: dict[str, float], columns: list[tuple[str, str]]) -> str:
    return "".join(
        f"{metrics[key]:>12.3f}" if key in metrics else f"{'-':>12}" for key, _ in columns
    )


def sweep_table(runs, select_by: str, best_run_id: str | None) -> str:
    """One line per job: number, the metrics that matter, its overrides; the best marked *."""
    columns = summary_columns(select_by)
    lines = ["job  " + "".join(f"{title:>12}" for _, title in columns) + "  overrides"]
    for run in runs:
        mark = "*" if run.info.run_id == best_run_id else " "
        cells = metric_cells(run.data.metrics, columns)
        job = run.data.tags.get("stance.sweep_job", "?")
        overrides = run.data.tags.get("stance.sweep_overrides", "")
        status = "" if run.info.status == "FINISHED" else f"  [{run.info.status}]"
        lines.append(f"{job:>3}{mark} {cells}  {overrides}{status}")
    return "\n".join(lines)


def list_runs(
    experiment: str | None = None, sort_by: str = "xdomain_macro_f1", limit: int = 20
) -> list[dict[str, Any]]:
    """The training runs of an experiment (sweep parents left out), best ``sort_by`` first
    (runs without it last): id, name, status, start, metrics, params, registry versions."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError
    from stance.config import defaults

    settings = defaults()
    experiment = experiment or settings.experiment
    _connect(default_uri())
    client = MlflowClient()
    found = _retry(client.get_experiment_by_name, experiment)
    if found is None:
        raise StanceError(f"no experiment {experiment!r} in {default_uri()}")
    runs = [
        r
        for r in _retry(client.search_runs, [found.experiment_id], max_results=5000)
        if r.data.tags.get("stance.sweep") != "true"
    ]
    runs.sort(key=lambda r: (sort_by not in r.data.metrics, -r.data.metrics.get(sort_by, 0.0)))
    versions: dict[str, list[str]] = {}
    try:
        registered = client.search_model_versions(f"name='{settings.register_as}'")
        aliases = client.get_registered_model(settings.register_as).aliases if registered else {}
    except MlflowException:  # no registry behind this store, or no such model: nothing to show
        registered, aliases = [], {}
    for version in sorted(registered, key=lambda v: int(v.version)):
        tags = [f"@{a}" for a, v in sorted(aliases.items()) if str(v) == str(version.version)]
        versions.setdefault(version.run_id, []).extend([f"v{version.version}", *tags])
    return [
        {
            "run_id": r.info.run_id,
            "name": r.info.run_name,
            "status": r.info.status,
            "start_time": r.info.start_time,
            "metrics": dict(r.data.metrics),
            "params": dict(r.data.params),
            "registry": " ".join(versions.get(r.info.run_id, [])),
        }
        for r in runs[:limit]
    ]


def load_logged_model(uri: str):
    """The `StanceModel` behind an MLflow model URI (``models:/stance-classifier@champion``)."""
    from mlflow.exceptions import MlflowException

    from stance import StanceError

    _connect(default_uri())
    try:
        served = mlflow.pyfunc.load_model(uri).unwrap_python_model()
    except (MlflowException, OSError) as err:
        raise StanceError(
            f"{uri}: cannot load from {default_uri()} ({str(err).splitlines()[0]})"
        ) from None
    served.model.meta["source"] = uri
    return served.model


def promote(
    run_id: str, alias: str = "champion", name: str | None = None
) -> tuple[str, str | None]:
    """Point ``name@alias`` (default name: `tracking.register_as`) at the version logged by
    ``run_id``; return (new, replaced) versions."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError
    from stance.config import defaults

    name = name or defaults().register_as

    _connect(default_uri())
    client = MlflowClient()
    versions = _retry(client.search_model_versions, f"name='{name}' and run_id='{run_id}'")
    if not versions:
        raise StanceError(
            f"run {run_id}: no version of {name} was logged by it (in {default_uri()})"
        )
    try:
        replaced = client.get_model_version_by_alias(name, alias).version
    except MlflowException:
        replaced = None
    new = max(versions, key=lambda v: int(v.version)).version
    _retry(client.set_registered_model_alias, name, alias, new)
    return str(new), (str(replaced) if replaced else None)


def experiment_id_for(uri: str, name: str) -> str | None:
    from mlflow import MlflowClient

    _connect(uri)
    found = MlflowClient().get_experiment_by_name(name)
    return found.experiment_id if found else None


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
        reason = _first_line(getattr(err, "orig", None) or err)
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
