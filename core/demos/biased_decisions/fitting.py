"""The one model of this demo: a logistic regression from scikit-learn, fitted in closed loop in milliseconds.

Every model on this page is a logistic regression on a few seeded synthetic columns (a few thousand rows,
2-6 features). Fitting one is a small convex problem that L-BFGS solves in a few milliseconds, not a network
training: it does not go through :func:`core.training.fit` (which trains torch networks, measuring their
energy), and nothing here is ledgered. Measured (bench/bench_biased_decisions.py): ~5-20 ms a fit.

scikit-learn is imported inside the function (~1.3 s and ~85 MB the first time): importing this package
must stay light (tests/test_architecture.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression: ``P(y = 1 | x) = 1 / (1 + exp(-(intercept + x · coef)))``.

    Attributes:
        coef: one weight per feature column, in the units of that column (no scaling here).
        intercept: the bias term.
        features: the column names, in the order of ``coef``.
    """

    coef: tuple[float, ...]
    intercept: float
    features: tuple[str, ...]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """``(N,)`` probabilities of class 1 for ``x`` of shape ``(N, len(features))``."""
        z = self.intercept + np.asarray(x, dtype=float) @ np.asarray(self.coef)
        return 1.0 / (1.0 + np.exp(-z))

    def weight(self, feature: str) -> float:
        return self.coef[self.features.index(feature)]


def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...]) -> Logistic:
    """Fit ``sklearn.linear_model.LogisticRegression`` (L-BFGS, weak L2 penalty C = 100) on ``x`` ``(N, F)``, ``y`` ``(N,)``.

    A weak penalty so the weights read as the data's associations, not the prior's. When ``y`` holds a
    single class there is nothing to learn: the model answers that class's rate (a constant) instead of
    scikit-learn's error.
    """
    y = np.asarray(y).astype(int)
    if y.min() == y.max():  # one class only (e.g. a history in which nobody was hired)
        rate = float(y[0])
        return Logistic((0.0,) * len(features), 30.0 if rate else -30.0, tuple(features))
    from sklearn.linear_model import LogisticRegression  # lazily: ~1.3 s, ~85 MB on first use

    model = LogisticRegression(C=100.0, max_iter=1000).fit(np.asarray(x, dtype=float), y)
    return Logistic(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]), tuple(features))
