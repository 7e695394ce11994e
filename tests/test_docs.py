"""Docs that run: every Python block of README.md and docs/*.md, in order, page by page, in a
temp project that holds a small corpus, the held-out files and a trained model."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Pages whose blocks need Spark (a JVM, seconds to start): the slow tier.
SPARK_PAGES = {"team.md"}


def python_blocks(page: Path) -> list[str]:
    return _BLOCK.findall(page.read_text(encoding="utf-8"))


def test_every_page_with_python_is_run_here():
    with_python = {p.name for p in PAGES if python_blocks(p)}
    assert with_python == {"README.md", "training.md", "using.md", "team.md"}


@pytest.fixture
def project(tmp_path, sample_data, trained, monkeypatch):
    """A project root as a user's checkout would be after `make train`: data/ (a small sample
    of the splits, the held-out files), seeds/, experiments/models/latest."""
    root = tmp_path / "project"
    shutil.copytree(sample_data, root / "data")
    shutil.copytree(ROOT / "data" / "heldout", root / "data" / "heldout")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    (root / "experiments" / "models").mkdir(parents=True)
    (root / "experiments" / "models" / "latest").symlink_to(trained["model_dir"])
    monkeypatch.setenv("STANCE_ROOT", str(root))
    monkeypatch.chdir(root)
    return root


def _run(page: Path) -> dict:
    namespace: dict = {"__name__": "__docs__"}
    for number, block in enumerate(python_blocks(page), 1):
        exec(compile(block, f"{page.name}, Python block {number}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(
    "name", [p.name for p in PAGES if python_blocks(p) and p.name not in SPARK_PAGES]
)
def test_the_python_blocks_of_a_page_run(name, project, capsys):
    page = next(p for p in PAGES if p.name == name)
    namespace = _run(page)
    out = capsys.readouterr().out
    if name == "training.md":  # a real run, recorded in the project's own store
        assert namespace["metrics"]["validation/macro_f1"] > 0.5
        assert (project / "experiments" / "mlflow.db").is_file()
        assert out.splitlines()[-1].startswith("latest -> ")
    else:
        assert "rejecting" in out  # "We will never trade land …" is read as a refusal


@pytest.mark.slow
def test_the_spark_pages_run(project, trained):
    """Run as a user runs them: a fresh Python (and so a fresh Spark, whose JVM keeps the working
    directory it started in) in the project, against a copy of the trained store where the
    run is the champion."""
    import os
    import subprocess
    import sys

    import pandas as pd

    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17+ (.ci/run installs it)")
    store = project / "store.db"
    shutil.copy(trained["cfg"].tracking.uri.removeprefix("sqlite:///"), store)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")},
        "MLFLOW_TRACKING_URI": f"sqlite:///{store}",
        "STANCE_ROOT": str(project),
    }
    stance = Path(sys.executable).parent / "stance"
    promoted = subprocess.run(
        [str(stance), "promote", trained["run_id"]], env=env, capture_output=True, text=True
    )
    assert promoted.returncode == 0, promoted.stderr
    texts = ["We reject the offer.", "Talks resume in Geneva on Monday.", "Pay us by Friday."]
    for name in SPARK_PAGES:
        pd.DataFrame({"text": texts}).to_parquet(project / "statements.parquet")
        script = project / f"{name}.py"
        script.write_text("\n\n".join(python_blocks(ROOT / "docs" / name)), encoding="utf-8")
        ran = subprocess.run(
            [sys.executable, str(script)], cwd=project, env=env, capture_output=True, text=True
        )
        assert ran.returncode == 0, ran.stderr[-3000:]
        tags = pd.read_parquet(project / "tags.parquet")
        assert list(tags["label"]) == trained["model"].predict(texts)
