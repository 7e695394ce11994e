"""Fixtures: real configs composed with Hydra's Compose API, tiny corpora, temp MLflow stores."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports `datasets` or `huggingface_hub`: no hub, no writes to ~/.cache.
_HOME = tempfile.mkdtemp(prefix="stance-tests-hf-")
os.environ["HF_HOME"] = _HOME
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.pop("MLFLOW_TRACKING_URI", None)
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT / "seeds"
LABELS = ["conciliatory", "demanding", "rejecting", "neutral"]


def take(split: str, per_label: int) -> list[dict]:
    """``per_label`` rows of each label from a real split, spread over domains (fixed shuffle)."""
    import random

    rows: list[dict] = []
    counts = dict.fromkeys(LABELS, 0)
    with open(DATA / f"{split}.csv", encoding="utf-8", newline="") as handle:
        pool = list(csv.DictReader(handle))
    random.Random(7).shuffle(pool)
    for row in pool:
        if counts[row["label"]] < per_label:
            counts[row["label"]] += 1
            rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    """A small corpus in the real format: 12 rows per label to train, 4 to validate and test."""
    folder = tmp_path_factory.mktemp("tiny-data")
    write_csv(folder / "train.csv", take("train", 12))
    write_csv(folder / "validation.csv", take("validation", 4))
    write_csv(folder / "test.csv", take("test", 4))
    return folder


def overrides_for(tmp: Path, data_dir: Path, *extra: str) -> list[str]:
    return [
        f"paths.experiments={tmp / 'experiments'}",
        f"paths.output_dir={tmp / 'run'}",
        f"data.dir={data_dir}",
        f"tracking.uri=sqlite:///{tmp / 'mlflow.db'}",
        *extra,
    ]


@pytest.fixture
def compose_cfg():
    """compose(overrides) -> DictConfig from the real conf/, with Hydra's global state reset."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from stance.config import config_dir, register_resolvers

    register_resolvers()

    def _compose(overrides: list[str], hydra: bool = False):
        GlobalHydra.instance().clear()
        with initialize_config_dir(str(config_dir()), version_base="1.3"):
            return compose("config", overrides=overrides, return_hydra_config=hydra)

    yield _compose
    GlobalHydra.instance().clear()


@pytest.fixture(scope="session")
def trained(tmp_path_factory, tiny_data):
    """One real training run (default config) into a temp store, shared by read-only tests."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from stance.config import config_dir, register_resolvers
    from stance.train import train

    register_resolvers()
    tmp = tmp_path_factory.mktemp("trained")
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=overrides_for(tmp, tiny_data))
    GlobalHydra.instance().clear()
    metrics, objects = train(cfg)
    return {"tmp": tmp, "cfg": cfg, "metrics": metrics, **objects}
