"""Fixtures: real configs composed with Hydra's Compose API, real corpus samples, temp MLflow
stores, and a clean MLflow state around every test."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Before anything imports `datasets`, `huggingface_hub`, matplotlib or mlflow: no hub, and
# their caches and configs in one scratch folder instead of ~/.cache and ~/.config. The
# folder is removed when the session ends (`pytest_unconfigure`), so no run leaves one.
_SCRATCH_HOME = tempfile.mkdtemp(prefix="stance-tests-home-")
os.environ["HF_HOME"] = os.path.join(_SCRATCH_HOME, "hf")
os.environ["MPLCONFIGDIR"] = os.path.join(_SCRATCH_HOME, "matplotlib")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SCRATCH_HOME, "config")
os.environ["XDG_CACHE_HOME"] = os.path.join(_SCRATCH_HOME, "cache")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS thread per process: on 2 cores that are also running loky workers (cross-domain
# refits, sweeps) OpenBLAS's second thread spins, and a LogisticRegression fit took 3x longer.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
for _key in [k for k in os.environ if k.startswith("MLFLOW_")]:
    del os.environ[_key]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT / "seeds"
LABELS = ["conciliatory", "demanding", "rejecting", "neutral"]

# The shared training run (`trained`) learns from this many rows per label of data/train.csv,
# and is scored on this many per label of data/validation.csv and data/test.csv: enough to
# learn (its validation macro-F1 is checked against a floor in test_train.py), small enough
# to train in seconds.
TRAIN_PER_LABEL = 150
EVAL_PER_LABEL = 40


def pytest_configure(config):
    # Figures measured during the session, printed at its end (`pytest_terminal_summary`), are written as files here, so those measured in pytest-xdist's workers reach
    # the summary the controlling process prints (workers inherit the variable).
    if not hasattr(config, "workerinput"):
        os.environ["STANCE_TEST_FIGURES"] = tempfile.mkdtemp(prefix="stance-figures-")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ.pop("STANCE_TEST_FIGURES", ""), ignore_errors=True)
    shutil.rmtree(_SCRATCH_HOME, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The quality figures this run measured, and the seed of the random test order."""
    import json

    folder = Path(os.environ.get("STANCE_TEST_FIGURES", "/nonexistent"))
    figures = {
        json.loads(p.read_text())[0]: json.loads(p.read_text())[1]
        for p in sorted(folder.glob("*.json"))
    }
    seed = (
        config.getoption("randomly_seed", default=None)
        if config.pluginmanager.hasplugin("randomly")
        else None
    )
    if not figures and not isinstance(seed, int):
        return
    terminalreporter.section("stance figures")
    for name, value in figures.items():
        terminalreporter.write_line(f"{name}: {value}")
    if isinstance(seed, int):
        terminalreporter.write_line(
            f"random test order seed: {seed} (same order again: -p randomly -p "
            f"no:cacheprovider --randomly-seed={seed})"
        )


def record(request, name: str, value) -> None:
    """Keep a figure for the end-of-session summary (rounded floats read better)."""
    import hashlib
    import json

    value = round(value, 3) if isinstance(value, float) else value
    folder = Path(os.environ["STANCE_TEST_FIGURES"])
    (folder / f"{hashlib.sha1(name.encode()).hexdigest()}.json").write_text(
        json.dumps([name, value])
    )


def _reset_mlflow() -> None:
    """No MLFLOW_* variable, no tracking or registry URI, no active run."""
    mlflow = sys.modules.get("mlflow")
    if mlflow is not None:
        while mlflow.active_run() is not None:
            mlflow.end_run()
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)
    for key in [k for k in os.environ if k.startswith("MLFLOW_")]:
        del os.environ[key]


@pytest.fixture(autouse=True)
def mlflow_isolated():
    """Every test starts with MLflow pointing nowhere, whatever ran before it (mlflow's
    ``set_tracking_uri`` also sets MLFLOW_TRACKING_URI, which then leaks into every later
    test and subprocess): a test that needs a store names it."""
    _reset_mlflow()
    yield
    _reset_mlflow()


def use_store(uri: str, monkeypatch) -> str:
    """Point this test's MLflow (tracking and registry) and stance's default URI at ``uri``."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


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
    """A small corpus in the real format: 12 rows per label to train, 4 to validate and test.
    For plumbing (bad input, sweeps, label sets); too small to learn much."""
    folder = tmp_path_factory.mktemp("tiny-data")
    write_csv(folder / "train.csv", take("train", 12))
    write_csv(folder / "validation.csv", take("validation", 4))
    write_csv(folder / "test.csv", take("test", 4))
    return folder


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory) -> Path:
    """A balanced sample of the real corpus big enough to learn from (see TRAIN_PER_LABEL)."""
    folder = tmp_path_factory.mktemp("sample-data")
    write_csv(folder / "train.csv", take("train", TRAIN_PER_LABEL))
    write_csv(folder / "validation.csv", take("validation", EVAL_PER_LABEL))
    write_csv(folder / "test.csv", take("test", EVAL_PER_LABEL))
    return folder


def overrides_for(tmp: Path, data_dir: Path, *extra: str) -> list[str]:
    return [
        f"paths.experiments={tmp / 'experiments'}",
        f"paths.output_dir={tmp / 'run'}",
        f"data.dir={data_dir}",
        f"tracking.uri=sqlite:///{tmp / 'mlflow.db'}",
        *extra,
    ]


# The shared run skips the leave-one-domain-out refits (they would triple its time); the
# stance3 run in test_train.py keeps them on, on the tiny corpus.
TRAINED_OVERRIDES = ("evaluation.cross_domain=false",)


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
def trained(request, tmp_path_factory, sample_data):
    """One real training run (default config) on the learnable sample into a temp store,
    shared by read-only tests."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from stance.config import config_dir, register_resolvers
    from stance.train import train

    register_resolvers()
    tmp = tmp_path_factory.mktemp("trained")
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=overrides_for(tmp, sample_data, *TRAINED_OVERRIDES))
    GlobalHydra.instance().clear()
    metrics, objects = train(cfg)
    record(request, "trained: validation macro-F1", metrics["validation/macro_f1"])
    record(request, "trained: test macro-F1", metrics["test/macro_f1"])
    return {"tmp": tmp, "cfg": cfg, "metrics": metrics, **objects}


@pytest.fixture(scope="session")
def corpus_model(tmp_path_factory):
    """The default pipeline fitted on the whole real training split (no MLflow run), shared
    by the tests that read what it learnt from the corpus. Fitted once per test session: the
    first pytest-xdist worker saves it, the others load it (the pattern of xdist's docs)."""
    from filelock import FileLock

    from stance.model import StanceModel, load_model

    shared = tmp_path_factory.getbasetemp().parent / "corpus-model"
    with FileLock(f"{shared}.lock"):
        if (shared / "model.json").is_file():
            return load_model(shared)
        model = StanceModel(_fit_on_the_corpus(tmp_path_factory.mktemp("corpus-model")))
        model.save(shared)
        return model


def _fit_on_the_corpus(tmp: Path):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from stance.config import config_dir, register_resolvers
    from stance.data import load_corpus
    from stance.train import build_pipeline

    register_resolvers()
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=overrides_for(tmp, DATA))
    GlobalHydra.instance().clear()
    corpus = load_corpus(cfg.data, cfg.labels)
    train = corpus["train"]
    return build_pipeline(cfg).fit(train.texts, train.labels, clf__positions=train.positions)


def sweep(experiments: Path, data_dir: Path, *overrides: str) -> subprocess.CompletedProcess:
    """`stance-train -m OVERRIDES` as a user runs it: on ``data_dir``, outputs under
    ``experiments``, and no MLflow variable from this environment."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "stance-train"),
            "-m",
            *overrides,
            f"data.dir={data_dir}",
            f"paths.experiments={experiments}",
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")},
        timeout=600,
    )


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (a run's workers)."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def is_running(pid: int) -> bool:
    """Is ``pid`` a live process (not gone, not a zombie waiting for its parent)?"""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
