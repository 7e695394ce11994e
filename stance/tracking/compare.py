"""Comparing runs: the figures that matter as columns, the sweep's table, `stance runs`."""

from __future__ import annotations

from typing import Any

from stance.tracking.store import connect, default_uri, retry

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
    connect(default_uri())
    client = MlflowClient()
    found = retry(client.get_experiment_by_name, experiment)
    if found is None:
        raise StanceError(f"no experiment {experiment!r} in {default_uri()}")
    runs = [
        r
        for r in retry(client.search_runs, [found.experiment_id], max_results=5000)
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
