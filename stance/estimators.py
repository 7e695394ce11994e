"""Estimators the configs name by `_target_`."""

from __future__ import annotations

from typing import Any


def calibrated(
    *,
    estimator: str,
    method: str = "sigmoid",
    cv: int = 3,
    ensemble: bool | str = "auto",
    **params: Any,
):
    """A linear model that has only decision scores, wrapped to report calibrated probabilities.

    The hyperparameters sit flat beside ``estimator`` in the config, so a sweep says
    ``model.C=0.5`` for every model alike.

    Parameters
    ----------
    estimator : str
        Import path of the classifier, e.g. ``sklearn.svm.LinearSVC``.
    method : {"sigmoid", "isotonic", "temperature"}
        Calibration map fitted on held-out folds ("temperature": one scale for all labels).
    cv : int
        Folds used to fit the calibration.
    ensemble : bool or "auto"
        False: one classifier fitted on all rows, calibrated on the folds' predictions (as fast
        to predict as the bare classifier); True: the folds' classifiers averaged.
    **params
        Passed to the classifier.
    """
    from hydra.utils import get_class
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(
        estimator=get_class(estimator)(**params), method=method, cv=cv, ensemble=ensemble
    )
