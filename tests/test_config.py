"""Every config group option and every experiment preset composes and instantiates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.pipeline import Pipeline

from stance.config import config_dir
from stance.train import build_pipeline, run_name

CONF = config_dir()
GROUP_OPTIONS = [
    (group, path.stem)
    for group in ("data", "features", "model", "labels", "paths", "tracking", "preprocess")
    for path in sorted((CONF / group).glob("*.yaml"))
]
PRESETS = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))


@pytest.mark.parametrize(
    ("group", "option"), GROUP_OPTIONS, ids=[f"{g}={o}" for g, o in GROUP_OPTIONS]
)
def test_every_group_option_composes_and_builds(compose_cfg, tmp_path, group, option, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/m.db")
    cfg = compose_cfg([f"{group}={option}", f"paths.output_dir={tmp_path}"])
    pipeline = build_pipeline(cfg)
    assert isinstance(pipeline, Pipeline)
    assert [name for name, _ in pipeline.steps] == ["prep", "features", "clf"]
    assert Path(cfg.paths.root).is_absolute() and Path(cfg.paths.experiments).is_absolute()
    assert cfg.tracking.uri.startswith(("sqlite:////", "http"))


@pytest.mark.parametrize("preset", PRESETS)
def test_every_experiment_preset_composes_and_builds(compose_cfg, tmp_path, preset):
    cfg = compose_cfg([f"experiment={preset}", f"paths.output_dir={tmp_path}"])
    assert isinstance(build_pipeline(cfg), Pipeline)


def test_presets_are_the_documented_ones():
    assert PRESETS == ["hashing_sgd", "out_of_core", "search", "stance3", "svc_word_char"]


def test_overrides_reach_the_estimator(compose_cfg, tmp_path):
    cfg = compose_cfg(
        ["model=linear_svc", "model.C=0.5", "features=word_char", f"paths.output_dir={tmp_path}"]
    )
    pipeline = build_pipeline(cfg)
    # The article register wraps the classifier; the calibration wraps the SVM.
    assert type(pipeline.named_steps["clf"]).__name__ == "ArticlePrior"
    assert pipeline.named_steps["clf"].estimator.estimator.C == 0.5
    assert [name for name, _ in pipeline.named_steps["features"].transformer_list] == [
        "word",
        "char",
    ]
    assert pipeline.named_steps["features"].transformer_list[1][1].ngram_range == (2, 5)


def test_default_tracking_uri_is_absolute_sqlite_under_experiments(
    compose_cfg, tmp_path, monkeypatch
):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    cfg = compose_cfg([f"paths.experiments={tmp_path}/exp", f"paths.output_dir={tmp_path}"])
    assert cfg.tracking.uri == f"sqlite:///{tmp_path}/exp/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    assert compose_cfg([f"paths.output_dir={tmp_path}"]).tracking.uri == "http://127.0.0.1:9"


def test_run_name_without_hydra_names_the_classes(compose_cfg, tmp_path):
    cfg = compose_cfg(["model=ridge", f"paths.output_dir={tmp_path}"])
    assert run_name(cfg) == "RidgeClassifier-FeatureUnion"  # the estimator the factory wraps
    cfg = compose_cfg(["tracking.run_name=mine", f"paths.output_dir={tmp_path}"])
    assert run_name(cfg) == "mine"


def test_configs_are_found_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (config_dir() / "config.yaml").is_file()
    monkeypatch.setenv("STANCE_CONFIG_DIR", str(CONF))
    assert config_dir() == CONF


def test_search_preset_sweeps_on_the_joblib_launcher(compose_cfg, tmp_path):
    cfg = compose_cfg(["experiment=search", f"paths.output_dir={tmp_path}"], hydra=True)
    assert "JoblibLauncher" in cfg.hydra.launcher._target_
    assert set(cfg.hydra.sweeper.params) == {"model.C", "features"}
    assert cfg.hydra.job.chdir is False


def test_wheel_carries_the_configs(tmp_path):
    import subprocess
    import sys
    import zipfile

    root = CONF.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            str(root),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("stance-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "stance/conf/config.yaml" in names
    assert {f"stance/conf/model/{m}.yaml" for m in ("logreg", "linear_svc", "rules")} <= set(names)
