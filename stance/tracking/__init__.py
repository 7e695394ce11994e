"""Every MLflow call of stance lives in this package, one module per concern:

- `store`: connecting to the tracking store, the server check, the experiment;
- `runs`: a training run and what it logs;
- `sweeps`: a sweep's parent run and its winner;
- `registry`: registered versions, promote, loading MLflow model URIs;
- `compare`: the runs table of `stance runs` and of a sweep;
- `view`: the figures that matter as columns, and the saved view of the MLflow runs table;
- `servers`: `stance serve`, `stance server`, `stance ui`.

Imported only where MLflow is needed (training, MLflow URIs, promote, serve, ui), never by
`stance predict` on a saved file. It imports `stance.model`; `stance.model` never imports it.
"""

from stance.tracking.compare import (
    differing_params,
    list_runs,
    metric_cells,
    runs_table,
    sweep_table,
)
from stance.tracking.registry import load_logged_model, promote, register_policy, registers_this_run
from stance.tracking.runs import RunLogger, flatten_params, git_commit, start_run, sweep_job
from stance.tracking.servers import serve, server, ui
from stance.tracking.store import (
    StoreUnavailable,
    check_server,
    check_store,
    default_uri,
    setup,
    tracking_uri,
)
from stance.tracking.sweeps import SweepParentRun
from stance.tracking.view import summary_columns

__all__ = [
    "RunLogger",
    "SweepParentRun",
    "StoreUnavailable",
    "check_server",
    "check_store",
    "default_uri",
    "differing_params",
    "flatten_params",
    "git_commit",
    "list_runs",
    "load_logged_model",
    "metric_cells",
    "promote",
    "runs_table",
    "register_policy",
    "registers_this_run",
    "serve",
    "server",
    "setup",
    "start_run",
    "summary_columns",
    "sweep_job",
    "sweep_table",
    "tracking_uri",
    "ui",
]
