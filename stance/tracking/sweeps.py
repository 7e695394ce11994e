"""A sweep (`stance-train -m`) as one parent run with a child run per job; its winner."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import mlflow
from hydra.experimental.callback import Callback

from stance.tracking.compare import sweep_table
from stance.tracking.registry import register_policy
from stance.tracking.runs import git_commit
from stance.tracking.store import PARENT_RUN_FILE, retry, setup


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
        run = retry(
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
            retry(client.set_terminated, self.run_id)

    def _choose_winner(self, client, config) -> None:
        """Print the jobs' table, point `latest` at the best job, record it on the parent run,
        and register it (tracking.register auto or best)."""
        from stance.model import update_latest

        select_by = str(config.sweep.select_by)
        parent = client.get_run(self.run_id)
        children = retry(
            client.search_runs,
            [parent.info.experiment_id],
            filter_string=f"tags.mlflow.parentRunId = '{self.run_id}'",
        )
        jobs = sorted(children, key=lambda r: int(r.data.tags.get("stance.sweep_job", -1)))
        scored = [r for r in jobs if select_by in r.data.metrics and r.info.status == "FINISHED"]
        best = max(scored, key=lambda r: r.data.metrics[select_by]) if scored else None
        summary = sweep_table(jobs, select_by, best.info.run_id if best else None)
        print(f"\nsweep {self.run_id}: {len(jobs)} jobs\n{summary}")
        retry(client.log_text, self.run_id, summary + "\n", "sweep_summary.txt")
        if best is None:
            print(f"no job logged {select_by}; `latest` is left as the last job set it")
            return
        job = best.data.tags.get("stance.sweep_job", "?")
        value = best.data.metrics[select_by]
        retry(client.set_tag, self.run_id, "stance.best_run_id", best.info.run_id)
        retry(client.set_tag, self.run_id, "stance.best_job", job)
        retry(client.log_metric, self.run_id, f"best_{select_by}", value)
        update_latest(
            Path(best.data.tags["stance.output_dir"]) / "model",
            Path(config.paths.models) / "latest",
        )
        print(f"latest -> job {job} (best {select_by} {value:.3f})")
        if register_policy(config.tracking) in ("auto", "best") and config.tracking.log_model:
            version = retry(
                mlflow.register_model,
                f"runs:/{best.info.run_id}/model",
                config.tracking.register_as,
                tags={"stance.sweep_parent_run_id": self.run_id},
            )
            print(f"registered job {job} as {config.tracking.register_as} v{version.version}")
