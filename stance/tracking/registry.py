"""The model registry: which runs register a version, promoting a run's version to an
alias, and loading a logged or registered model by its MLflow URI."""

from __future__ import annotations

import re

import mlflow

from stance.tracking.runs import sweep_parent_id
from stance.tracking.store import connect, default_uri, retry

REGISTER_POLICIES = ("auto", "always", "never", "best")
_RUN_ID = re.compile(r"[0-9a-f]{1,32}")
# Registered model names and aliases as MLflow makes them; nothing else reaches a filter.
_NAME = re.compile(r"[\w][\w .-]{0,255}")


def checked_name(name: str, what: str = "model name") -> str:
    from stance import StanceError

    if not _NAME.fullmatch(name) or "'" in name:
        raise StanceError(f"{name!r}: not a registered {what} (letters, digits, _ . - and spaces)")
    return name


def resolve_run_id(client, text: str) -> str:
    """The full id of the run whose id is or starts with ``text`` (as `stance runs` prints
    the first 8 characters). Anything but hex is refused before it reaches a search filter;
    no run, or more than one, is one line."""
    from stance import StanceError

    if not _RUN_ID.fullmatch(text):
        raise StanceError(
            f"{text!r}: not a run id (hex characters, or the first 8 that `stance runs` prints)"
        )
    if len(text) == 32:
        return text
    experiments = [e.experiment_id for e in retry(client.search_experiments)]
    found = sorted(
        {
            run.info.run_id
            for run in retry(client.search_runs, experiments, max_results=50000)
            if run.info.run_id.startswith(text)
        }
    )
    if not found:
        raise StanceError(f"run {text}: no run id starts with it (in {default_uri()})")
    if len(found) > 1:
        shown = ", ".join(f[:12] for f in found[:5])
        raise StanceError(f"run {text}: ambiguous, {len(found)} run ids start with it ({shown})")
    return found[0]


def resolve_runs_uri(uri: str) -> str:
    """``runs:/<id or prefix>/path`` with the full run id."""
    from mlflow import MlflowClient

    head, _, rest = uri.removeprefix("runs:/").partition("/")
    return f"runs:/{resolve_run_id(MlflowClient(), head)}/{rest}"


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
    return policy == "always" or sweep_parent_id() is None


def load_logged_model(uri: str):
    """The `StanceModel` behind an MLflow model URI (``models:/stance-classifier@champion``)."""
    from mlflow.exceptions import MlflowException

    from stance import StanceError

    connect(default_uri())
    if uri.startswith("runs:/"):
        uri = resolve_runs_uri(uri)
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
    the run ``run_id`` (or a unique prefix of it); return (new, replaced) versions."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError
    from stance.config import defaults

    name = checked_name(name or defaults().register_as)
    alias = checked_name(alias, "alias")
    connect(default_uri())
    client = MlflowClient()
    run_id = resolve_run_id(client, run_id)
    versions = retry(client.search_model_versions, f"name='{name}' and run_id='{run_id}'")
    if not versions:
        raise StanceError(
            f"run {run_id}: no version of {name} was logged by it (in {default_uri()})"
        )
    try:
        replaced = client.get_model_version_by_alias(name, alias).version
    except MlflowException:
        replaced = None
    new = max(versions, key=lambda v: int(v.version)).version
    retry(client.set_registered_model_alias, name, alias, new)
    return str(new), (str(replaced) if replaced else None)
