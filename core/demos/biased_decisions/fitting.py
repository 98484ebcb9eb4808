"""The one model of this demo: a logistic regression, fitted by Newton's method in milliseconds.

Every model on this page is a logistic regression on a few seeded synthetic columns (a few thousand rows,
2-6 features). Fitting one is a small convex problem: Newton's method (iteratively reweighted least squares)
solves it in ~10 steps of a (F+1) x (F+1) linear system, a few milliseconds. It is not a network training:
it does not go through :func:`core.training.fit` (which trains torch networks, measuring their energy), and
nothing here is ledgered.

The objective is scikit-learn's ``LogisticRegression(C=100)`` (its documented default L2 form, the intercept
unpenalised), and tests/test_biased_decisions.py checks the two agree to 1e-6 on the same data. Why not call
scikit-learn here: importing ``sklearn.linear_model`` costs ~80 MB of server memory and ~1.3 s, and with it the
lab's server went over its 690 MB budget by opening this page (bench/RESULTS.md).
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


C = 100.0  # inverse L2 strength, as scikit-learn's C: weak, so the weights read as the data's associations


def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...]) -> Logistic:
    """Fit ``P(y = 1 | x)`` on ``x`` ``(N, F)``, ``y`` ``(N,)`` in {0, 1}: minimise the log-loss + ``|w|² / (2C)``.

    Newton's method from zero weights: gradient ``Xᵀ(p − y) + w/C``, Hessian ``Xᵀ diag(p(1 − p)) X + I/C``
    (the intercept column unpenalised), each step halved until the loss falls. When ``y`` holds a single class
    there is nothing to learn: the model answers that class's rate (a constant).
    """
    y = np.asarray(y).astype(float)
    if y.min() == y.max():  # one class only (e.g. a history in which nobody was hired)
        return Logistic((0.0,) * len(features), 30.0 if y[0] else -30.0, tuple(features))
    design = np.hstack([np.ones((len(y), 1)), np.asarray(x, dtype=float)])  # column 0: the intercept
    penalty = np.full(design.shape[1], 1.0 / C)
    penalty[0] = 0.0

    def loss(w: np.ndarray) -> float:
        z = design @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(penalty * w * w))

    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size, before = 1.0, loss(w)
        while loss(w - size * step) > before and size > 1e-6:  # damped: a full step can overshoot early on
            size /= 2
        w = w - size * step
        if np.max(np.abs(size * step)) < 1e-10:
            break
    return Logistic(tuple(float(c) for c in w[1:]), float(w[0]), tuple(features))
