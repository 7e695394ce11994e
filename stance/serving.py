"""What MLflow loads and serves: the saved stance model behind a ``text`` column.

This module is part of every logged model (MLflow copies the stance package into it, and
`serving_model.py` hands MLflow an instance), so it imports only what the model's
requirements install: MLflow, pandas, numpy and stance's own pipeline steps.
"""

from __future__ import annotations

from pathlib import Path

from mlflow.pyfunc import PythonModel


class StanceServingModel(PythonModel):
    """What MLflow loads and serves: the saved stance model (checksum verified on load).

    ``predict`` takes a DataFrame with a ``text`` column and returns one row per input row:
    ``label``, ``confidence`` and ``p_<label>`` for every label. A text over
    `stance.MAX_CHARS` characters is refused (HTTP 400 from the server). With ``params={"abstain":
    true}`` (declared in the signature), a label under its threshold chosen on validation
    is answered ``uncertain``, as ``stance predict --abstain`` does.
    """

    model = None
    # The signature logged with the model validates input; MLflow's type-hint wrapper would
    # only warn that `predict` has no hints.
    _skip_type_hint_validation = True

    def load_context(self, context) -> None:
        from stance.model import load_model

        self.model = load_model(Path(context.artifacts["stance_model"]))

    def predict(self, context, model_input, params=None):
        import numpy as np
        import pandas as pd
        from mlflow.exceptions import MlflowException
        from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

        from stance import MAX_CHARS

        column = model_input["text"] if hasattr(model_input, "columns") else model_input
        texts = list(column)
        limit = int(self.model.meta.get("max_chars", MAX_CHARS))
        for i, text in enumerate(texts):
            # MLflow's schema check lets any JSON value through a string column.
            if not isinstance(text, str) or not text.strip():
                raise MlflowException(
                    f"row {i}: 'text' must be a non-empty string, got {repr(text)[:80]}",
                    error_code=INVALID_PARAMETER_VALUE,
                )
            if len(text) > limit:  # a 400, before the text costs seconds and memory
                raise MlflowException(
                    f"row {i}: 'text' has {len(text):,} characters, over the limit of {limit:,}",
                    error_code=INVALID_PARAMETER_VALUE,
                )
        labels = self.model.labels
        proba = self.model.predict_proba(texts) if texts else np.empty((0, len(labels)))
        answers = [labels[i] for i in proba.argmax(axis=1)]
        if (params or {}).get("abstain"):
            from stance.model import UNCERTAIN

            thresholds = self.model.thresholds()
            best = proba.max(axis=1)
            answers = [
                UNCERTAIN if p < thresholds.get(label, 0.0) else label
                for label, p in zip(answers, best, strict=True)
            ]
        frame = pd.DataFrame(proba, columns=[f"p_{label}" for label in labels])
        frame.insert(0, "confidence", proba.max(axis=1))
        frame.insert(0, "label", answers)
        return frame
