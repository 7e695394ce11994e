"""A parallel sweep on the joblib launcher: one parent run, a child run per job, no lock errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import sweep, use_store

BIN = Path(sys.executable).parent


# A real joblib sweep: four Hydra jobs in worker processes, each a full training run.
@pytest.mark.slow
def test_parallel_multirun_on_joblib_gives_parent_and_children(tmp_path, tiny_data):
    from mlflow import MlflowClient

    store = f"sqlite:///{tmp_path}/mlflow.db"
    result = sweep(
        tmp_path / "exp",
        tiny_data,
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "model=logreg,complement_nb",
        "features=word,char",
        f"tracking.uri={store}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "locked" not in result.stderr.lower()
    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("stance")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if r.data.tags.get("stance.sweep") == "true"]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    assert len(children) == 4
    assert {r.data.tags["mlflow.parentRunId"] for r in children} == {parents[0].info.run_id}
    assert sorted(r.info.run_name for r in children) == [
        "complement_nb-char",
        "complement_nb-word",
        "logreg-char",
        "logreg-word",
    ]
    assert all(
        r.info.status == "FINISHED" and "validation/macro_f1" in r.data.metrics for r in children
    )
    sweep_dirs = list((tmp_path / "exp" / "sweeps").iterdir())
    assert len(sweep_dirs) == 1
    assert sorted(p.name for p in sweep_dirs[0].iterdir() if p.is_dir()) == ["0", "1", "2", "3"]
    assert all((sweep_dirs[0] / n / "model" / "model.joblib").is_file() for n in "0123")

    # The sweep picks its winner by sweep.select_by (default: the cross-domain macro-F1),
    # worked out here from the children's metrics as MLflow holds them.
    best = max(children, key=lambda r: r.data.metrics["xdomain/macro_f1"])
    best_job = best.data.tags["stance.sweep_job"]
    assert sorted(r.data.tags["stance.sweep_job"] for r in children) == ["0", "1", "2", "3"]
    latest = tmp_path / "exp" / "models" / "latest"
    assert os.path.samefile(latest, sweep_dirs[0] / best_job / "model")
    assert f"best: job {best_job} (xdomain/macro_f1 " in result.stdout
    parent = client.get_run(parents[0].info.run_id)
    assert parent.data.tags["stance.best_run_id"] == best.info.run_id
    assert parent.data.metrics["xdomain/macro_f1"] == best.data.metrics["xdomain/macro_f1"]
    # One table: a header and a line per job, the winner marked; also kept on the parent run.
    table = result.stdout.split(f"sweep {parent.info.run_id}: 4 jobs\n", 1)[1]
    lines = table.splitlines()[:5]
    assert lines[0].split()[:7] == ["job", "valid", "test", "x-dom", "artic", "wire", "seeds"]
    assert [line[:4].strip() for line in lines[1:]] == [
        f"{n}*" if n == best_job else n for n in "0123"
    ]
    logged = client.download_artifacts(parent.info.run_id, "sweep_summary.txt", str(tmp_path))
    assert Path(logged).read_text(encoding="utf-8").splitlines() == lines
    # Registry: one version for the whole sweep, the winner's, tagged with the sweep.
    versions = client.search_model_versions("name='stance-classifier'")
    assert [(v.run_id, v.tags.get("stance.sweep_parent_run_id")) for v in versions] == [
        (best.info.run_id, parent.info.run_id)
    ]
    # No MLflow warning on a normal sweep (it once warned when registering runs:/<id>/model).
    assert "WARNING" not in result.stdout + result.stderr, result.stderr[-2000:]
    # Each job's printout says which job it is.
    assert all(f"== job {n}: " in result.stdout for n in "0123")


def test_the_sweep_chooses_its_winner_from_the_children_metrics(tmp_path, monkeypatch):
    """The sweep's winner, from child runs in a real MLflow store (no sweep needed): the
    finished job with the highest figure, old flat metric names read as today's; `latest`
    points at its model and the parent records it."""
    import json

    from mlflow import MlflowClient
    from omegaconf import OmegaConf

    from stance.tracking.sweeps import SweepParentRun, winner

    store = use_store(f"sqlite:///{tmp_path / 'mlflow.db'}", monkeypatch)
    client = MlflowClient(store)
    experiment = client.create_experiment("stance")
    parent = client.create_run(experiment, tags={"stance.sweep": "true"})
    figures = {0: 0.71, 1: 0.93, 2: 0.55, 3: 0.99}  # job 3 is best, but it failed
    for job, figure in figures.items():
        folder = tmp_path / str(job)
        (folder / "model").mkdir(parents=True)
        (folder / "model" / "model.json").write_text(
            json.dumps({"labels": ["a"], "run_name": f"job{job}"})
        )
        child = client.create_run(
            experiment,
            run_name=f"job{job}",
            tags={
                "mlflow.parentRunId": parent.info.run_id,
                "stance.sweep_job": str(job),
                "stance.output_dir": str(folder),
            },
        )
        key = "xdomain_macro_f1" if job == 0 else "xdomain/macro_f1"  # an old run's flat key
        client.log_metric(child.info.run_id, key, figure)
        client.set_terminated(child.info.run_id, "FAILED" if job == 3 else "FINISHED")
    jobs = client.search_runs(
        [experiment], filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert winner(jobs, "xdomain/macro_f1").data.tags["stance.sweep_job"] == "1"
    assert winner(jobs, "xdomain_macro_f1").data.tags["stance.sweep_job"] == "1"
    assert winner(jobs, "wire/macro_f1") is None

    callback = SweepParentRun()
    callback.run_id = parent.info.run_id
    config = OmegaConf.create(
        {
            "sweep": {"select_by": "xdomain/macro_f1"},
            "paths": {"models": str(tmp_path / "models")},
            "tracking": {"register": "never", "log_model": False, "register_as": "x"},
        }
    )
    callback._choose_winner(client, config)
    assert os.path.samefile(tmp_path / "models" / "latest", tmp_path / "1" / "model")
    recorded = client.get_run(parent.info.run_id).data
    assert recorded.tags["stance.best_job"] == "1"
    assert recorded.metrics["xdomain/macro_f1"] == pytest.approx(0.93)
