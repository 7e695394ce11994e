"""A registered model loads and answers where stance is not installed: a fresh virtual
environment with only the model's own requirements (which pip installs from the registry)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TEXTS = ["We will not sign.", "Our door remains open.", "They must pay by Friday.", "Talks resume."]

PROBE = """
import importlib.util, json, sys
assert importlib.util.find_spec("stance") is None, "stance is importable here"
import mlflow, pandas as pd
model = mlflow.pyfunc.load_model(sys.argv[1])
out = model.predict(pd.DataFrame({"text": json.loads(sys.argv[2])}))
print(json.dumps(out.to_dict(orient="list")))
"""


# Builds a virtual environment and installs MLflow and the model's requirements into it.
@pytest.mark.slow
def test_registered_model_loads_without_stance(tmp_path, tiny_data):
    import mlflow

    from stance.model import load_model

    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "PYTHON"))}
    trained = subprocess.run(
        [
            str(BIN / "stance-train"),
            f"data.dir={tiny_data}",
            f"paths.experiments={tmp_path / 'exp'}",
            f"tracking.uri={store}",
            "evaluation.cross_domain=false",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "cloudpickle" not in (trained.stdout + trained.stderr).lower()

    mlflow.set_tracking_uri(store)
    mlflow.set_registry_uri(store)
    local = Path(
        mlflow.artifacts.download_artifacts(
            "models:/stance-classifier/1", dst_path=str(tmp_path / "model")
        )
    )
    requirements = (local / "requirements.txt").read_text(encoding="utf-8")
    assert "pysbd==" in requirements and "scikit-learn==" in requirements
    assert "stance" not in requirements.split()  # it travels as code, not as a requirement
    assert (local / "code" / "stance" / "serving.py").is_file()

    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-r",
            str(local / "requirements.txt"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    probe = subprocess.run(
        [str(python), "-c", PROBE, str(local), json.dumps(TEXTS)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: `stance` must not be importable from here
        env=env,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    served = json.loads(probe.stdout.strip().splitlines()[-1])

    model = load_model(tmp_path / "exp" / "models" / "latest")
    assert served["label"] == model.predict(TEXTS)
    proba = model.predict_proba(TEXTS)
    for i, label in enumerate(model.labels):
        assert served[f"p_{label}"] == pytest.approx(proba[:, i].tolist(), abs=1e-9)
