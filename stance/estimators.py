"""Estimators the configs name by `_target_`."""

from __future__ import annotations

from typing import Any


def calibrated(*, estimator: str, method: str = "sigmoid", cv: int = 3, **params: Any):
    """A linear model that has only decision scores, wrapped to report calibrated probabilities.

    The hyperparameters sit flat beside ``estimator`` in the config, so a sweep says
    ``model.C=0.5`` for every model alike.

    Parameters
    ----------
    estimator : str
        Import path of the classifier, e.g. ``sklearn.svm.LinearSVC``.
    method : {"sigmoid", "isotonic"}
        Calibration map fitted on held-out folds.
    cv : int
        Folds used to fit the calibration.
    **params
        Passed to the classifier.
    """
    from hydra.utils import get_class
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(estimator=get_class(estimator)(**params), method=method, cv=cv)
