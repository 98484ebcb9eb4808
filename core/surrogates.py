"""LIME's and KernelSHAP's local linear models, fitted in float64 without scikit-learn.

Both methods explain one prediction with a *local surrogate*: a linear model of the network's score on
``n`` perturbed copies of the image, each described by ``p`` binary "interpretable features" (1 = this
patch kept, 0 = blacked out), and weighted by how close the copy is to the original:

* **LIME** (Ribeiro, Singh & Guestrin 2016, KDD, arXiv:1602.04938, Sec. 3.3-3.4) wants few features:
  a weighted **Lasso** (Tibshirani 1996, JRSS-B 58(1)); captum's default is scikit-learn's
  ``Lasso(alpha=0.01)``.
* **KernelSHAP** (Lundberg & Lee 2017, NeurIPS, arXiv:1705.07874, Sec. 4.1, Theorem 2): with the Shapley
  kernel as weights, plain weighted **least squares** recovers Shapley values; captum's default is
  scikit-learn's ``LinearRegression()``.

Why not scikit-learn: captum trains both through ``sklearn_train_linear_model``, which imports
``sklearn.linear_model``: ~1 s and ~80-110 MB of server memory kept for the server's life, on the
explanations page's first map (bench/RESULTS.md). The two fits below are a few lines of linear algebra:
the same objectives (tests/test_explanations_surrogates.py checks them against scikit-learn to 1e-9), in
float64 where captum hands scikit-learn float32 (whose KernelSHAP answer is off by ~1e-3 on the page's
defaults, by float32 rounding alone).

Shapes: ``x`` ``(n, p)``, ``y`` ``(n,)`` (one score per perturbed image), ``w`` ``(n,)`` >= 0; a fit
returns ``coef`` ``(p,)`` float64 and the intercept (a float64 scalar tensor). :func:`lasso_model` and
:func:`least_squares_model` wrap them as captum ``LinearModel``\\ s: ``Lime(net, interpretable_model=...)``.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
import torch

LIME_ALPHA = 0.01  # captum's Lime default, SkLearnLasso(alpha=0.01)
LSTSQ_RCOND = 1e-6  # scikit-learn 1.9's LinearRegression(tol=1e-6), passed as scipy.linalg.lstsq's cond
LASSO_TOL = 1e-12  # stop when the duality gap <= LASSO_TOL * weighted variance of y (scikit-learn: 1e-4)
LASSO_MAX_SWEEPS = 10_000  # passes over the features; the lab's fits need 5-200


def _as_float64(x: Any, y: Any, w: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Validated float64 copies: ``x`` ``(n, p)``, ``y`` ``(n,)`` (or ``(n, 1)``), ``w`` ``(n,)`` >= 0, sum > 0."""
    x, y, w = (torch.as_tensor(a).detach().to(torch.float64) for a in (x, y, w))
    n = x.shape[0]
    if x.ndim != 2 or y.numel() != n or w.shape != (n,):
        raise ValueError(f"expected x (n, p), y (n,), w (n,); got {tuple(x.shape)}, {tuple(y.shape)}, {tuple(w.shape)}")
    if bool((w < 0).any()) or not float(w.sum()) > 0:
        raise ValueError("sample weights must be >= 0 with a positive sum")
    return x, y.reshape(n), w


def _centre(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Subtract the weighted means: the intercept then drops out of the fit (``c = ȳ - x̄ · coef``)."""
    v = w / w.sum()
    x_mean, y_mean = v @ x, v @ y
    return x - x_mean, y - y_mean, x_mean, y_mean


def weighted_least_squares(x: Any, y: Any, w: Any, rcond: float = LSTSQ_RCOND) -> tuple[torch.Tensor, torch.Tensor]:
    """``argmin_{b, c} Σ_i w_i (y_i - x_i · b - c)²``: KernelSHAP's regression (Lundberg & Lee 2017, Theorem 2).

    What scikit-learn's ``LinearRegression().fit(x, y, sample_weight=w)`` computes: centre ``x`` and ``y`` on
    their weighted means, multiply each row by ``sqrt(w_i)`` (then the weighted sum of squares is an ordinary
    one), and solve by SVD (LAPACK's gelsd), treating singular values below ``rcond`` x the largest as zero.
    Where the features do not pin ``b`` down (fewer distinct samples than features, a constant column) that
    gives the *smallest* ``b`` that fits best, as scikit-learn does.

    Args:
        x: ``(n, p)`` features; y: ``(n,)`` targets; w: ``(n,)`` weights >= 0 (KernelSHAP: the Shapley kernel,
            captum puts 1e6 on the empty and the full coalition).
        rcond: relative cutoff for singular values.

    Returns:
        ``(coef (p,), intercept ())``, float64.
    """
    x, y, w = _as_float64(x, y, w)
    xc, yc, x_mean, y_mean = _centre(x, y, w)
    root = w.sqrt()
    solution = torch.linalg.lstsq(xc * root[:, None], (yc * root)[:, None], rcond=rcond, driver="gelsd").solution
    coef = solution[:, 0]
    return coef, y_mean - x_mean @ coef


def weighted_lasso(
    x: Any, y: Any, w: Any, alpha: float = LIME_ALPHA, tol: float = LASSO_TOL, max_sweeps: int = LASSO_MAX_SWEEPS
) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's ``Lasso(alpha).fit(x, y, sample_weight=w)``, solved to a tighter tolerance: LIME's model.

    The objective (scikit-learn's, with its weights rescaled to sum to ``n``, ``w̃ = n w / Σ w``)::

        (1 / (2n)) Σ_i w̃_i (y_i - x_i · b - c)²  +  alpha ||b||₁   =   ½ Σ_i v_i (y_i - x_i · b - c)²  +  alpha ||b||₁

    with ``v = w / Σ w``: half the weighted *mean* squared error, so alpha does not grow with ``n``. The
    intercept ``c`` is not penalised and drops out by weighted centring.

    Solved by cyclic coordinate descent (Friedman, Hastie & Tibshirani 2010, J. Stat. Softw. 33(1), "covariance
    updates"): with ``G = Xcᵀ diag(v) Xc`` ``(p, p)`` and ``q = Xcᵀ diag(v) yc`` ``(p,)``, feature ``j`` alone
    is optimal at ``b_j = S(q_j - Σ_{k≠j} G_jk b_k, alpha) / G_jj``, ``S`` the soft threshold
    ``sign(z) max(|z| - alpha, 0)``: that is where a Lasso's exact zeros come from. Sweeps go over the
    nonzero features, with a sweep over all every time those settle. Stops when the duality gap (an upper
    bound on how far the objective is from its minimum, the certificate scikit-learn uses too) is below
    ``tol`` x the weighted variance of ``y``. scikit-learn stops at 1e-4 of it: its answer (captum's default)
    is within ~1e-4 of this one where the objective is steep (the page's 200 samples on 49 patches), ~1e-2
    where it is flat (60 samples on 196 patches).
    A feature constant under the weights (``G_jj = 0``) keeps ``b_j = 0``.

    Args:
        x: ``(n, p)``; y: ``(n,)``; w: ``(n,)`` >= 0 (LIME: an exponential kernel of the distance to the image).
        alpha: the L1 strength; tol: relative duality gap to stop at; max_sweeps: a bound (a warning if reached).

    Returns:
        ``(coef (p,), intercept ())``, float64.
    """
    x, y, w = _as_float64(x, y, w)
    xc, yc, x_mean, y_mean = _centre(x, y, w)
    v = (w / w.sum()).numpy()
    xc_np, yc_np = xc.numpy(), yc.numpy()
    weighted = xc_np * v[:, None]
    gram, q = xc_np.T @ weighted, weighted.T @ yc_np
    y_var = float(yc_np @ (v * yc_np))
    diag = np.diag(gram).copy()
    b, grad = np.zeros(len(q)), q.copy()  # grad = q - G b: minus the gradient of the smooth part
    live = [j for j in range(len(q)) if diag[j] > 0]
    full = True
    for _ in range(max_sweeps):
        moved = 0.0
        for j in live if full else [j for j in live if b[j] != 0.0]:
            z = grad[j] + diag[j] * b[j]
            new = np.sign(z) * max(abs(z) - alpha, 0.0) / diag[j]
            if new != b[j]:
                grad -= gram[:, j] * (new - b[j])
                moved = max(moved, abs(new - b[j]))
                b[j] = new
        if _duality_gap(b, grad, q, y_var, alpha) <= tol * y_var:
            break
        full = not full and moved <= 1e-6 * np.abs(b).max(initial=0.0)  # the nonzero ones have settled
    else:
        warnings.warn(f"weighted_lasso: no convergence to tol={tol} in {max_sweeps} sweeps", stacklevel=2)
    coef = torch.from_numpy(b)
    return coef, y_mean - x_mean @ coef


def _duality_gap(b: np.ndarray, grad: np.ndarray, q: np.ndarray, y_var: float, alpha: float) -> float:
    """Primal minus the best dual value at the scaled residual (scikit-learn's cd_fast, in Gram form).

    With ``r = yc - Xc b``: ``Σ v r² = y_var - qᵀb - bᵀ grad`` and ``Xcᵀ diag(v) r = grad``; the residual,
    shrunk until ``||grad||_∞ <= alpha``, is a feasible dual point.
    """
    residual2, residual_y = y_var - q @ b - b @ grad, y_var - q @ b
    largest = float(np.abs(grad).max(initial=0.0))
    if largest > alpha:
        shrink = alpha / largest
        gap = 0.5 * residual2 * (1.0 + shrink**2)
    else:
        shrink, gap = 1.0, residual2
    return float(gap + alpha * np.abs(b).sum() - shrink * residual_y)


# ----------------------------------------------------------------------------- captum's side


def _train(model, dataloader, solve, **kwargs) -> dict[str, float]:
    """A captum ``train_fn``: read every ``(x, y[, w])`` batch, fit, and set the ``LinearModel``'s layer.

    What ``captum._utils.models.linear_model.train.sklearn_train_linear_model`` does with scikit-learn:
    ``_construct_model_params`` with ``weight_values`` ``(1, p)`` and ``bias_value`` ``(1,)``, float32.
    """
    xs, ys, ws = [], [], []
    for batch in dataloader:
        x, y, *w = batch
        xs.append(x)
        ys.append(y.reshape(len(x)))
        ws.append(w[0].reshape(len(x)) if w else torch.ones(len(x)))
    start = time.perf_counter()
    coef, intercept = solve(torch.cat(xs), torch.cat(ys), torch.cat(ws), **kwargs)
    model._construct_model_params(
        norm_type=None, weight_values=coef.float().view(1, -1), bias_value=intercept.float().view(1)
    )
    return {"train_time": time.perf_counter() - start}


def train_lasso(model, dataloader, construct_kwargs: dict, **fit_kwargs) -> dict[str, float]:
    """captum ``train_fn`` for LIME: :func:`weighted_lasso` with ``construct_kwargs['alpha']``."""
    return _train(model, dataloader, weighted_lasso, alpha=construct_kwargs.get("alpha", LIME_ALPHA), **fit_kwargs)


def train_least_squares(model, dataloader, construct_kwargs: dict, **fit_kwargs) -> dict[str, float]:
    """captum ``train_fn`` for KernelSHAP: :func:`weighted_least_squares`."""
    return _train(model, dataloader, weighted_least_squares, **fit_kwargs)


def lasso_model(alpha: float = LIME_ALPHA):
    """A captum ``LinearModel`` fitted by :func:`weighted_lasso`: in place of ``SkLearnLasso(alpha=alpha)``."""
    from captum._utils.models.linear_model import LinearModel  # lazily: captum is ~35 MB

    return LinearModel(train_fn=train_lasso, alpha=alpha)


def least_squares_model():
    """A captum ``LinearModel`` fitted by :func:`weighted_least_squares`: in place of ``SkLearnLinearRegression()``."""
    from captum._utils.models.linear_model import LinearModel

    return LinearModel(train_fn=train_least_squares)
