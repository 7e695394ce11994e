"""The model registry: which runs register a version, promoting a run's version to an
alias, and loading a logged or registered model by its MLflow URI."""

from __future__ import annotations

import mlflow

from stance.tracking.runs import sweep_parent_id
from stance.tracking.store import connect, default_uri, retry

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
    return policy == "always" or sweep_parent_id() is None


def load_logged_model(uri: str):
    """The `StanceModel` behind an MLflow model URI (``models:/stance-classifier@champion``)."""
    from mlflow.exceptions import MlflowException

    from stance import StanceError

    connect(default_uri())
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

    connect(default_uri())
    client = MlflowClient()
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
