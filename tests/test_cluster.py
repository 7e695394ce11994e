"""Sweeps through Hydra's submitit launcher: `submitit_local` runs each job as a submitit job
(a process of its own, as `submitit_slurm` runs it on a node), and the sweep still lands as
one parent run with a child per job, its winner chosen and registered."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import sweep

BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_a_submitit_local_sweep_gives_a_parent_and_two_children(tmp_path, tiny_data):
    from mlflow import MlflowClient

    store = f"sqlite:///{tmp_path}/mlflow.db"
    result = sweep(
        tmp_path / "exp",
        tiny_data,
        "hydra/launcher=submitit_local",
        "hydra.launcher.timeout_min=10",
        "model=logreg,complement_nb",
        "features=word",
        "evaluation.cross_domain=false",
        "sweep.select_by=validation/macro_f1",
        f"tracking.uri={store}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Submitit 'local' sweep output dir" in result.stdout + result.stderr
    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("stance")
    runs = client.search_runs([experiment.experiment_id])
    [parent] = [r for r in runs if r.data.tags.get("stance.sweep") == "true"]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert parent.info.status == "FINISHED"
    assert [r.data.tags["mlflow.parentRunId"] for r in children] == [parent.info.run_id] * 2
    assert sorted(r.info.run_name for r in children) == [
        "complement_nb-word",
        "logreg-word",
    ]
    assert all(r.info.status == "FINISHED" for r in children)
    # Each job ran as a submitit job: its own log folder, holding that job's printout.
    [sweep_dir] = (tmp_path / "exp" / "sweeps").iterdir()
    logs = sorted((sweep_dir / ".submitit").glob("*/*_log.out"))
    assert len(logs) == 2
    printed = "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs)
    assert "== job 0: " in printed and "== job 1: " in printed
    # The winner, chosen in the launching process once both jobs are done.
    best = max(children, key=lambda r: r.data.metrics["validation/macro_f1"])
    job = best.data.tags["stance.sweep_job"]
    assert client.get_run(parent.info.run_id).data.tags["stance.best_run_id"] == best.info.run_id
    latest = tmp_path / "exp" / "models" / "latest"
    assert os.path.samefile(latest, sweep_dir / job / "model")
    assert f"best: job {job} (validation/macro_f1 " in result.stdout
    versions = client.search_model_versions("name='stance-classifier'")
    assert [v.run_id for v in versions] == [best.info.run_id]


def test_the_readme_slurm_sweep_composes_with_its_settings(compose_cfg):
    """The SLURM command of docs/team.md, as written there (one choice per swept group), composes
    with the plugin's config and sets what the README says it sets."""
    from conftest import ROOT

    readme = (ROOT / "docs" / "team.md").read_text(encoding="utf-8")
    block = readme.split("stance-train -m hydra/launcher=submitit_slurm", 1)[1].split("```", 1)[0]
    args = block.replace("\\\n", " ").split()
    overrides = ["hydra/launcher=submitit_slurm"] + [a.split(",")[0] for a in args]
    cfg = compose_cfg(overrides, hydra=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.partition, launcher.timeout_min) == ("cpu", 60)
    assert (launcher.cpus_per_task, launcher.mem_gb) == (4, 8)
    assert cfg.tracking.uri == "http://mlflow.internal:5000"
    assert str(cfg.paths.experiments) == "/shared/stance/experiments"
