"""Tab 2, "Bias² + variance": refit every degree on ~200 fresh data sets and split the expected error.

Deck 004, eq. 2: for a fit f̂ learnt from a random data set D and a new measurement y = f(x) + ε,

    E_D,ε[(y - f̂(x))²] = (E_D[f̂(x)] - f(x))²  +  Var_D[f̂(x)]  +  σ²
                          bias²                   variance         noise

averaged here over the measured range of speeds (30-130 km/h). Each of ``datasets`` data sets is a new test
drive: the same planned speeds (evenly spaced, 30-130 km/h) measured again with new noise from the fuel curve
of :mod:`.fuel` (``resample_speeds=True`` draws new random speeds too: gaps at the ends then make high degrees'
variance explode by orders of magnitude); every degree is fitted to each (least squares in the
same Legendre basis on [-1, 1]); the fitted curves on a grid of speeds give bias² and variance, and a fresh
noisy measurement at each grid speed gives the expected test error measured directly, which the sum must match
within Monte Carlo error (a test). Low degrees miss the curve (bias), high ones chase the noise (variance):
the classical U.

All degrees of one configuration are computed at once (one batched pseudo-inverse per degree, ~0.1 s for the
preset), so the page caches one :class:`Decomposition` per configuration and a slider only picks from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demos.overfitting import fuel
from core.provenance import Provenance


@dataclass(frozen=True)
class BiasVarianceConfig:
    """The resampling experiment.

    Attributes:
        n_points: measurements per data set (fewer than tab 1's 60, so that variance shows by degree ~10).
        resample_speeds: draw new random speeds for every data set (False: the same evenly spaced speeds).
        noise: measurement noise σ, L/100 km (as in tab 1).
        datasets: how many data sets are drawn (the issue's ~200: Monte Carlo error of a few percent).
        max_degree: the highest degree fitted (n_points - 1 interpolates every data set).
        grid: speeds in [30, 130] km/h at which the curves are compared.
        seed: every data set and every fresh test measurement.
    """

    n_points: int = 20
    resample_speeds: bool = False
    noise: float = 0.4
    datasets: int = 200
    max_degree: int = 15
    grid: int = 60
    seed: int = 0


@dataclass(frozen=True)
class Decomposition:
    """What :func:`decompose` measured.

    Attributes:
        frame: per degree: ``bias2``, ``variance``, ``noise``, ``total`` (their sum), ``test_error`` (measured
            directly on fresh noisy measurements) and ``test_error_se`` (its Monte Carlo standard error).
        speeds: the grid of speeds (km/h), shape (grid,).
        truth: the true curve on the grid.
        curves: fitted curves, shape (degrees, datasets, grid); ``curves[d - 1]`` is degree d.
    """

    frame: pd.DataFrame
    speeds: np.ndarray
    truth: np.ndarray
    curves: np.ndarray


def to_window(speed) -> np.ndarray:
    """Speeds mapped from [30, 130] km/h onto [-1, 1], as :func:`.fuel.fit` does."""
    return (np.asarray(speed, dtype=float) - fuel.LOW) / (fuel.HIGH - fuel.LOW) * 2.0 - 1.0


def decompose(config: BiasVarianceConfig) -> Decomposition:
    """Fit degrees 1..max_degree to ``config.datasets`` fresh data sets; bias², variance and noise per degree."""
    rng = np.random.default_rng(config.seed)
    r, n = config.datasets, config.n_points
    if config.resample_speeds:
        speeds = np.sort(rng.uniform(fuel.LOW, fuel.HIGH, (r, n)), axis=1)
    else:
        speeds = np.broadcast_to(np.linspace(fuel.LOW, fuel.HIGH, n), (r, n))
    y = fuel.true_fuel(speeds) + rng.normal(0.0, config.noise, (r, n))
    grid = np.linspace(fuel.LOW, fuel.HIGH, config.grid)
    truth = fuel.true_fuel(grid)
    fresh = truth + rng.normal(0.0, config.noise, (r, config.grid))  # a new measurement at each grid speed
    train_basis = np.polynomial.legendre.legvander(to_window(speeds), config.max_degree)  # (r, n, D + 1)
    grid_basis = np.polynomial.legendre.legvander(to_window(grid), config.max_degree)  # (grid, D + 1)
    rows, curves = [], []
    for d in range(1, config.max_degree + 1):
        coef = np.linalg.pinv(train_basis[:, :, : d + 1]) @ y[:, :, None]  # least squares (min-norm if d >= n)
        fitted = (grid_basis[:, : d + 1] @ coef)[..., 0]  # (r, grid)
        bias2 = float(np.mean((fitted.mean(axis=0) - truth) ** 2))
        variance = float(np.mean(fitted.var(axis=0)))
        per_set = np.mean((fresh - fitted) ** 2, axis=1)
        noise = config.noise**2
        rows.append(
            (d, bias2, variance, noise, bias2 + variance + noise, per_set.mean(), per_set.std(ddof=1) / np.sqrt(r))
        )
        curves.append(fitted)
    frame = pd.DataFrame(rows, columns=["degree", "bias2", "variance", "noise", "total", "test_error", "test_error_se"])
    return Decomposition(frame=frame, speeds=grid, truth=truth, curves=np.stack(curves))


def spread_table(result: Decomposition, degree: int) -> pd.DataFrame:
    """The numbers behind the spread of one degree's fits: ``speed``, ``truth``, ``mean_fit``, ``sd_fit``."""
    fitted = result.curves[degree - 1]
    return pd.DataFrame(
        {"speed": result.speeds, "truth": result.truth, "mean_fit": fitted.mean(axis=0), "sd_fit": fitted.std(axis=0)}
    )


def best_degree(frame: pd.DataFrame) -> int:
    """The bottom of the U: the degree with the smallest bias² + variance + noise."""
    return int(frame.loc[frame.total.idxmin(), "degree"])


def provenance(config: BiasVarianceConfig) -> Provenance:
    return Provenance(
        "measured",
        model="least-squares polynomials, degrees 1-" + str(config.max_degree) + " (Legendre basis)",
        data=f"{config.datasets} simulated data sets of {config.n_points} measurements "
        f"({'random' if config.resample_speeds else 'evenly spaced'} speeds, 30-130 km/h), "
        f"noise σ = {config.noise} L/100 km",
        seed=config.seed,
        source="decomposition of Galiez, deck 004, eq. 2",
    )
