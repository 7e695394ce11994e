"""One path through the code: persistence without MLflow, defaults from conf/, datasets used
for what it is for, one CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import DATA, LABELS, take, write_csv


def test_importing_the_model_module_loads_no_mlflow():
    code = "import sys, stance.model; print(sorted(m for m in ('mlflow', 'stance.tracking', 'hydra') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_defaults_come_from_the_config_files(monkeypatch, tmp_path):
    from omegaconf import OmegaConf

    from stance.config import config_dir, defaults

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    tracking = OmegaConf.load(config_dir() / "tracking" / "local.yaml")
    found = defaults()
    assert found.register_as == tracking.register_as == "stance-classifier"
    assert found.experiment == tracking.experiment
    assert found.latest == found.models / "latest" and found.models.is_absolute()
    assert found.tracking_uri.startswith("sqlite:///") and found.tracking_uri.endswith("mlflow.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/x.db")
    assert defaults().tracking_uri == f"sqlite:///{tmp_path}/x.db"


def test_corpus_is_a_datasetdict_with_a_classlabel(compose_cfg, tiny_data, tmp_path):
    import datasets
    from conftest import overrides_for

    from stance.data import load_corpus

    cfg = compose_cfg(overrides_for(tmp_path, tiny_data))
    corpus = load_corpus(cfg.data, cfg.labels)
    assert isinstance(corpus.dataset, datasets.DatasetDict)
    feature = corpus.dataset["train"].features["label"]
    assert isinstance(feature, datasets.ClassLabel) and feature.names == LABELS
    train = corpus["train"]
    rows = take("train", 12)
    assert train.texts == [r["text"] for r in rows]
    assert train.labels == [r["label"] for r in rows]  # names, in file order
    assert train.ids == [r["id"] for r in rows]


@pytest.mark.parametrize("kind", ["parquet", "save_to_disk", "dict_folder"])
def test_evaluate_reads_datasets_formats_like_csv(trained, tmp_path, kind, capsys):
    import datasets

    from stance.cli import main
    from stance.data import to_dataset

    rows = take("test", 5)
    csv_path = write_csv(tmp_path / "eval.csv", rows)
    columns = {c: [r[c] for r in rows] for c in ("id", "text", "label", "domain")}
    dataset = to_dataset(columns, LABELS)
    if kind == "parquet":
        target = tmp_path / "eval.parquet"
        dataset.to_parquet(str(target))
    elif kind == "save_to_disk":
        target = tmp_path / "eval_ds"
        dataset.save_to_disk(str(target))
    else:
        target = tmp_path / "eval_dd"
        datasets.DatasetDict({"test": dataset}).save_to_disk(str(target))
    model = str(trained["model_dir"])
    assert main(["evaluate", "--data", str(csv_path), "--model", model, "--json"]) == 0
    expected = capsys.readouterr().out.split('"rows"', 1)[1]
    assert main(["evaluate", "--data", str(target), "--model", model, "--json"]) == 0
    assert capsys.readouterr().out.split('"rows"', 1)[1] == expected


def test_one_cli_lists_every_command(capsys):
    from stance.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    for command in (
        "train",
        "predict",
        "evaluate",
        "analyze",
        "promote",
        "serve",
        "server",
        "ui",
        "suggest",
        "corpus",
        "bench",
    ):
        assert f"    {command} " in listed, command


def test_promote_takes_a_registered_name(trained, monkeypatch, capsys):
    from stance.cli import main

    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained["cfg"].tracking.uri)
    assert main(["promote", trained["run_id"], "--name", "no-such-model"]) == 2
    assert "no version of no-such-model" in capsys.readouterr().err
    assert main(["promote", trained["run_id"], "--name", "stance-classifier", "--alias", "qa"]) == 0
    assert capsys.readouterr().out.startswith("stance-classifier v")


def test_corpus_builder_stays_out_of_the_runtime_package():
    assert (DATA.parent / "stance" / "maintainer" / "corpus.py").is_file()
    pyproject = (DATA.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'exclude = ["stance/maintainer"]' in pyproject
