"""stance: train, track and use stance classifiers for negotiation statements."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

# Nothing in stance may reach a model or dataset hub; `datasets` reads these at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

__version__ = "0.1.0"
# The longest statement taken, in characters, by `stance predict` and the served model (a
# news sentence is under 500; a longer text is not one, and costs memory and minutes).
MAX_CHARS = 10_000
__all__ = ["StanceError", "load_model", "__version__"]


class StanceError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""


if TYPE_CHECKING:
    from stance.model import StanceModel


def load_model(path_or_uri=None) -> StanceModel:
    """Load a saved classifier: a ``model.joblib``, its folder, or an MLflow model URI
    (``models:/stance-classifier@champion``); by default the latest trained model.

    Joblib files run code when loaded: load only files you trust. The sha256 recorded in
    ``model.json`` is checked before unpickling.
    """
    from stance.model import is_uri
    from stance.model import load_model as load_saved

    if is_uri(path_or_uri):
        from stance.tracking import load_logged_model

        return load_logged_model(path_or_uri)
    return load_saved(path_or_uri)
