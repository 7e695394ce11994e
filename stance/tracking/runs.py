"""One training run in MLflow: its name, params, tags, inputs, metrics, artifacts and logged
model, opened and ended (FINISHED, FAILED or KILLED) around `stance.train.train`."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow

from stance.tracking.store import (
    PARENT_RUN_FILE,
    StoreUnavailable,
    describe,
    quick_requests,
    retry,
    setup,
    store_lock,
    tracking_uri,
    unavailable,
)


def git_commit(root: str | Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def sweep_parent_id() -> str | None:
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

    def call(self, doing: str, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` against the store; the store failing is one
        `StoreUnavailable` naming what was being done."""
        try:
            return retry(fn, *args, **kwargs)
        except Exception as err:
            if unavailable(err):
                raise StoreUnavailable(describe(self.uri, err, doing)) from None
            raise

    def log_params(self, params: dict[str, Any]) -> None:
        self.call("logging params", mlflow.log_params, {k[:250]: v for k, v in params.items()})

    def log_metrics(self, metrics: dict[str, float]) -> None:
        self.call("logging metrics", mlflow.log_metrics, {k: float(v) for k, v in metrics.items()})

    def set_tags(self, tags: dict[str, str]) -> None:
        self.call("setting tags", mlflow.set_tags, tags)

    def log_artifacts(self, folder: Path, artifact_path: str | None = None) -> None:
        self.call("logging artifacts", mlflow.log_artifacts, str(folder), artifact_path)

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
            with store_lock(self.uri):
                self.call(
                    "logging the data sets",
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
        info = self.call(
            "logging the model",
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
        # A sweep registers its winner by this URI (MLflow 3 keeps logged models apart from
        # run artifacts; registering runs:/<id>/model warns and looks it up).
        self.set_tags({"stance.model_uri": info.model_uri})
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


def sweep_job() -> tuple[int, list[str]] | None:
    """(job number, overrides) of this sweep job, or None for a single run."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return None
    hydra_cfg = HydraConfig.get()
    return int(hydra_cfg.job.num), list(hydra_cfg.overrides.task)


def _start_ticks(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks after boot, Linux's /proc), which tells a
    live process from a later one given the same pid; None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, started: str | None) -> bool:
    if Path("/proc/self/stat").exists():
        return _start_ticks(pid) is not None and (not started or _start_ticks(pid) == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_tags() -> dict[str, str]:
    """The process that owns a run, so that a later command can tell the run was orphaned."""
    pid = os.getpid()
    return {
        "stance.host": socket.gethostname(),
        "stance.pid": str(pid),
        "stance.pid_start": _start_ticks(pid) or "",
    }


def _unfinished_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"stance-{os.getuid()}" / "unfinished"


def remember_unfinished(run_id: str, status: str) -> None:
    """A run that could not be ended (its store was unreachable) is ended with ``status`` by
    the next command that reaches the store on this machine (`end_dead_runs`)."""
    folder = _unfinished_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / run_id).write_text(status)


def end_dead_runs(client, experiment_ids: list[str]) -> list[str]:
    """Runs left RUNNING by a process of this machine that is gone (killed, or its store went
    away mid-run) are ended: with the status the process meant to give them if it said so
    (`remember_unfinished`), else KILLED. Returns their ids. Runs of other machines are left
    alone: whether their process lives cannot be seen from here."""
    host = socket.gethostname()
    ended = []
    running = retry(
        client.search_runs, experiment_ids, filter_string="attributes.status = 'RUNNING'"
    )
    for run in running:
        tags = run.data.tags
        if tags.get("stance.host") != host or not tags.get("stance.pid", "").isdigit():
            continue
        if _alive(int(tags["stance.pid"]), tags.get("stance.pid_start")):
            continue
        marker = _unfinished_dir() / run.info.run_id
        status = marker.read_text().strip() if marker.is_file() else "KILLED"
        retry(client.set_terminated, run.info.run_id, status)
        marker.unlink(missing_ok=True)
        ended.append(run.info.run_id)
    return ended


class Heartbeat:
    """While a run works without talking to its tracking server (fitting, the cross-domain
    refits), ask the server about the run every ``every`` seconds; when it has failed to
    answer ``misses`` times in a row (the server or its database is down), stop the run with
    `StoreUnavailable`, so that it ends within a minute instead of at its next log call."""

    def __init__(self, uri: str, run_id: str, every: float = 10.0, misses: int = 2):
        import threading

        self.uri, self.run_id, self.every, self.misses = uri.rstrip("/"), run_id, every, misses
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="stance-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGUSR1, self._raise)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        import signal

        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
            signal.signal(signal.SIGUSR1, self._previous)

    def _raise(self, signum, frame) -> None:
        raise StoreUnavailable(self.reason or f"tracking server {self.uri}: not reachable")

    def _beat(self) -> None:
        import _thread
        import signal
        import urllib.error
        import urllib.request

        missed = 0
        url = f"{self.uri}/api/2.0/mlflow/runs/get?run_id={self.run_id}"
        while not self._stop.wait(self.every):
            try:
                with urllib.request.urlopen(url, timeout=min(self.every, 10)):
                    missed = 0
                    continue
            except urllib.error.HTTPError as err:
                if err.code < 500:
                    missed = 0
                    continue
                detail = err.read().decode("utf-8", "replace")[:300]
                failure: Exception = RuntimeError(f"error code {err.code}: {detail}")
            except OSError as err:
                failure = err
            missed += 1
            if missed >= self.misses and not self._stop.is_set():
                self.reason = describe(self.uri, failure, "the run was working")
                _thread.interrupt_main(signal.SIGUSR1)
                return


@contextmanager
def start_run(tracking_cfg, run_name: str, tags: dict[str, str]) -> Iterator[RunLogger]:
    """An MLflow run, ended in ``finally`` as FINISHED, FAILED or KILLED (an interrupt); a
    sweep job becomes a child run. Runs orphaned by a dead process are ended first."""
    from mlflow import MlflowClient

    from stance.tracking.view import save_runs_view

    experiment_id = setup(tracking_cfg)
    client = MlflowClient()
    end_dead_runs(client, [experiment_id])
    save_runs_view(client, experiment_id)
    tags = {**tags, **process_tags()}
    parent = sweep_parent_id()
    if parent:
        tags["mlflow.parentRunId"] = parent
    active = retry(mlflow.start_run, experiment_id=experiment_id, run_name=run_name, tags=tags)
    run_id = active.info.run_id
    status = "FAILED"
    store_failed = False
    uri = tracking_uri(tracking_cfg)
    try:
        if uri.startswith(("http://", "https://")):
            with Heartbeat(uri, run_id):
                yield RunLogger(run_id, experiment_id, uri)
        else:
            yield RunLogger(run_id, experiment_id, uri)
        status = "FINISHED"
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (stance.train turns it into one)
        status = "KILLED"
        raise
    except StoreUnavailable:
        store_failed = True
        raise
    finally:
        _end(run_id, status, quick=store_failed)


def _end(run_id: str, status: str, quick: bool) -> None:
    """End the run with ``status``; if the store cannot take it now, leave a note so that the
    next command on this machine that reaches the store ends it so (`end_dead_runs`)."""
    try:
        if quick:  # the store has just failed: one short try, not another minute of retries
            with quick_requests(3):
                mlflow.end_run(status=status)
        else:
            retry(mlflow.end_run, status=status)
    except Exception as err:
        if not unavailable(err):
            raise
        remember_unfinished(run_id, status)
