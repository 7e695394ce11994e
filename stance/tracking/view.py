"""The figures that matter when runs are compared, as columns: of a sweep's table, of
`stance runs`, and of the MLflow runs table `stance ui` links to (a saved view)."""

from __future__ import annotations

from typing import Any

from stance.metrics import metric_key
from stance.tracking.store import retry

# The figures that matter when runs are compared: the sweep's table, `stance runs`, and the
# columns of the MLflow runs table (`stance ui`).
SUMMARY_COLUMNS = (
    ("validation/macro_f1", "valid"),
    ("test/macro_f1", "test"),
    ("xdomain/macro_f1", "x-dom"),
    ("articles/macro_f1_4", "artic"),
    ("wire/macro_f1", "wire"),
    ("seeds/macro_f1", "seeds"),
)
CELL = 7


def summary_columns(extra: str) -> list[tuple[str, str]]:
    """SUMMARY_COLUMNS, plus ``extra`` (the metric runs are ranked by) if it is not one."""
    columns = list(SUMMARY_COLUMNS)
    extra = metric_key(extra)
    if extra not in dict(columns):
        columns.append((extra, extra.rsplit("/", 1)[-1][: CELL - 1]))
    return columns


# The saved view of MLflow's runs table that `stance ui` links to: an experiment tag the UI
# reads as a shared view (its "Share" button writes the same), holding the sort and columns.
RUNS_VIEW = "stance-runs"


def runs_view(sort_by: str = "xdomain/macro_f1") -> dict[str, Any]:
    """The runs table sorted by ``sort_by``, best first, the figures that matter as columns."""
    columns = [f"metrics.`{key}`" for key, _ in summary_columns(sort_by)]
    return {
        "orderByKey": f"metrics.`{metric_key(sort_by)}`",
        "orderByAsc": False,
        "lifecycleFilter": "Active",
        "selectedColumns": ["attributes.`Run Name`", *columns],
    }


def save_runs_view(client, experiment_id: str, sort_by: str = "xdomain/macro_f1") -> None:
    import json

    retry(
        client.set_experiment_tag,
        experiment_id,
        f"mlflow.sharedViewState.{RUNS_VIEW}",
        json.dumps(runs_view(sort_by)),
    )
