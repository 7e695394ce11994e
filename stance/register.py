"""The article register: where a sentence stands in an article says how likely it is to carry
an act. A headline or a lede usually reports the act; most sentences after them are background,
quotes, figures and reactions (GUIDELINES R34-R40). `stance analyze` knows each sentence's place;
`stance predict` on single statements does not, and gets the classifier's answers unchanged.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone

# Where a sentence stands: 1 is the headline, 2 the lede, anything later the body; 0 (or no
# position) is a statement outside an article.
PLACES = ("headline", "lede", "body")


def place(position: int) -> str | None:
    """``headline``, ``lede``, ``body``, or None for a statement outside an article."""
    if position <= 0:
        return None
    return PLACES[min(position, 3) - 1]


class ArticlePrior(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities, for a sentence of an article, are reweighted by how
    often each label occurs at that place of an article (headline, lede, body).

    ``fit`` learns the classifier on every row, and the label shares of each place from the
    training rows that have a position; ``predict_proba(X, positions=…)`` multiplies the
    classifier's probabilities of a sentence at a place by those shares to the power
    ``power``, and renormalises. Rows without a position (statements alone) are left as the
    classifier gives them. The classifier is trained with balanced classes, so a full Bayes
    correction would be ``power=1``; part of the register is already in its words, and the
    tempered correction was chosen on validation and cross-domain article rows.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``
        The classifier to wrap (cloned at fit).
    power : float
        Strength of the correction: 0 leaves the probabilities alone, 1 is the full prior.
    """

    def __init__(self, estimator=None, *, power: float = 0.5):
        self.estimator = estimator
        self.power = power

    def _validate_params(self) -> None:
        if self.estimator is None or not hasattr(self.estimator, "predict_proba"):
            raise ValueError("estimator must be a classifier with predict_proba")
        if not 0 <= self.power <= 2:
            raise ValueError(f"power must be between 0 and 2, got {self.power}")

    def fit(self, X, y, positions=None, **fit_params):
        """Fit the classifier on all rows; ``positions`` (1 = headline, 0 = none) gives the
        label shares of each place of an article."""
        self._validate_params()
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = getattr(self.estimator_, "n_features_in_", None)
        y = np.asarray(y)
        places = np.asarray([place(int(p)) for p in positions]) if positions is not None else None
        self.priors_: dict[str, np.ndarray] = {}
        for name in PLACES:
            if places is None:
                break
            labels = y[places == name]
            if len(labels):
                counts = np.array([(labels == c).sum() for c in self.classes_], dtype=float)
                # One pseudo-count per label, so that a label never seen at a place is rare
                # there, not impossible.
                self.priors_[name] = (counts + 1) / (counts.sum() + len(self.classes_))
        return self

    def shift(self, position: int) -> np.ndarray:
        """The factor each label's probability is multiplied by at ``position``."""
        name = place(int(position))
        if name is None or name not in self.priors_:
            return np.ones(len(self.classes_))
        factor = self.priors_[name] ** self.power
        return factor / factor.mean()

    def predict_proba(self, X, positions=None) -> np.ndarray:
        proba = self.estimator_.predict_proba(X)
        if positions is None or not self.priors_:
            return proba
        shifted = proba * np.vstack([self.shift(p) for p in positions])
        return shifted / shifted.sum(axis=1, keepdims=True)

    def predict(self, X, positions=None) -> np.ndarray:
        return self.classes_[self.predict_proba(X, positions).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
