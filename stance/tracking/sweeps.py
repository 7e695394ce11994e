"""A sweep (`stance-train -m`) as one parent run with a child run per job; its winner."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import mlflow
from hydra.experimental.callback import Callback

from stance.metrics import metric_key, metric_keys
from stance.tracking.compare import sweep_table
from stance.tracking.registry import register_policy
from stance.tracking.runs import end_dead_runs, git_commit, process_tags
from stance.tracking.store import PARENT_RUN_FILE, retry, setup
from stance.tracking.view import summary_columns


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
        end_dead_runs(MlflowClient(), [experiment_id])
        overrides = list(HydraConfig.get().overrides.task) if HydraConfig.initialized() else []
        sweep_dir = Path(config.hydra.sweep.dir)
        run = retry(
            MlflowClient().create_run,
            experiment_id,
            run_name=f"sweep-{sweep_dir.name}",
            tags={
                "stance.sweep": "true",
                "stance.sweep_overrides": " ".join(overrides)[:5000],
                "stance.git_commit": git_commit(config.paths.root),
                **process_tags(),
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
            retry(client.set_terminated, self.run_id)

    def _choose_winner(self, client, config) -> None:
        """Print the jobs' table, point `latest` at the best job, record it on the parent run,
        and register it (tracking.register auto or best)."""
        from stance.model import move_latest

        select_by = metric_key(str(config.sweep.select_by))
        parent = client.get_run(self.run_id)
        children = retry(
            client.search_runs,
            [parent.info.experiment_id],
            filter_string=f"tags.mlflow.parentRunId = '{self.run_id}'",
        )
        jobs = sorted(children, key=lambda r: int(r.data.tags.get("stance.sweep_job", -1)))
        best = winner(jobs, select_by)
        summary = sweep_table(jobs, select_by, best.info.run_id if best else None)
        print(f"\nsweep {self.run_id}: {len(jobs)} jobs\n{summary}")
        retry(client.log_text, self.run_id, summary + "\n", "sweep_summary.txt")
        if best is None:
            print(f"no job logged {select_by}; `latest` is left where it was")
            return
        job = best.data.tags.get("stance.sweep_job", "?")
        figures = metric_keys(dict(best.data.metrics))
        retry(client.set_tag, self.run_id, "stance.best_run_id", best.info.run_id)
        retry(client.set_tag, self.run_id, "stance.best_job", job)
        # The parent shows its winner's figures, so a sweep sorts among single runs by them.
        shown = {k: figures[k] for k, _ in summary_columns(select_by) if k in figures}
        retry(client.log_batch, self.run_id, metrics=_metric_entities(shown))
        retry(
            client.update_run, self.run_id, name=f"{parent.info.run_name} best={best.info.run_name}"
        )
        line = move_latest(
            Path(best.data.tags["stance.output_dir"]) / "model",
            Path(config.paths.models) / "latest",
            select_by,
        )
        print(f"best: job {job} ({select_by} {figures[select_by]:.3f})\n{line}")
        if register_policy(config.tracking) in ("auto", "best") and config.tracking.log_model:
            version = retry(
                mlflow.register_model,
                best.data.tags.get("stance.model_uri") or f"runs:/{best.info.run_id}/model",
                config.tracking.register_as,
                tags={"stance.sweep_parent_run_id": self.run_id},
            )
            print(f"registered job {job} as {config.tracking.register_as} v{version.version}")


def winner(jobs, select_by: str):
    """The finished job with the highest ``select_by`` (old flat metric names read as
    today's), the first of them on a tie; None when no job logged it."""
    select_by = metric_key(select_by)
    best, best_value = None, None
    for run in jobs:
        value = metric_keys(dict(run.data.metrics)).get(select_by)
        if run.info.status != "FINISHED" or value is None:
            continue
        if best_value is None or value > best_value:
            best, best_value = run, value
    return best


def _metric_entities(metrics: dict[str, float]):
    import time

    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    return [Metric(key, float(value), now, 0) for key, value in metrics.items()]
