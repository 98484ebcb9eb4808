"""Tab 1, "Fuel at 180 km/h": fit polynomials of degree 1-30 to fuel measured between 30 and 130 km/h.

The deck's question (Galiez, deck 004, "Why deep learning?"): *you want to know the fuel consumption of this
car at 180 km/h... you cannot measure it.* Here ~60 seeded measurements are drawn from a known physical
curve, only between 30 and 130 km/h, so the truth at 180 km/h can be shown beside every fit.

The true curve (a plausible mid-size petrol car, textbook road-load physics): the engine must supply, per
metre driven, the rolling resistance ``C_rr m g``, the aerodynamic drag ``½ ρ C_d A v²`` and the power it
burns just running (friction, pumps, idling: ``P_0 / v`` per metre); fuel is that energy over the engine's
efficiency ``η`` and the fuel's energy density::

    fuel [L/100 km] = 100 km · (C_rr m g + ½ ρ C_d A v² + P_0 / v) / (η · E_fuel)

with m = 1,300 kg, C_rr = 0.012, ρ C_d A = 1.2 · 0.65 m², P_0 = 3 kW, η = 0.25, E_fuel = 32 MJ/L: about
6.8 L/100 km at 30 km/h, a minimum of 5.5 near 60 km/h, 9.8 at 130 and 14.7 at 180 km/h. Measurements add
Gaussian noise (σ = 0.4 L/100 km by default).

Numerically sound up to degree 30: speeds are mapped onto [-1, 1] (30 -> -1, 130 -> +1) and the fit uses the
Legendre basis (:class:`numpy.polynomial.Legendre`, least squares with column scaling), never a raw Vandermonde
matrix of speeds (``130**30 ≈ 2.6e63``). 180 km/h is then x = 2, outside the window every fit saw.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.provenance import Provenance

LOW, HIGH = 30.0, 130.0  # km/h: the speeds that were measured (the deck's range)
TARGET = 180.0  # km/h: the speed nobody measured
MAX_DEGREE = 30  # the slider's end: far beyond what 60 points support
PRESET_DEGREE = 3  # a cubic: the deck's choice for its 4-point example, and a good fit here
FOLDS = 3  # the deck's cross-validation ("red: training set, black: validation set")

# The physical constants of the true curve (see the module docstring).
MASS, C_RR, G = 1300.0, 0.012, 9.81  # kg, rolling-resistance coefficient, m/s²
RHO_CDA = 1.2 * 0.65  # kg/m³ · m²: air density times drag area
P_IDLE = 3000.0  # W: power burnt whatever the speed
EFFICIENCY = 0.25  # engine efficiency (tank to wheel)
ENERGY_PER_LITRE = 32e6  # J/L: petrol


@dataclass(frozen=True)
class FuelConfig:
    """The measurements.

    Attributes:
        n_points: how many measurements (the issue's ~60; 5 shows what degree 30 does with too few points).
        noise: standard deviation of the measurement noise, L/100 km (a fuel gauge's scatter).
        seed: the speeds and the noise drawn.
    """

    n_points: int = 60
    noise: float = 0.4
    seed: int = 0


def true_fuel(speed) -> np.ndarray:
    """The true consumption in L/100 km at ``speed`` km/h (array or scalar), from the road-load formula above."""
    v = np.asarray(speed, dtype=float) / 3.6  # m/s
    force = MASS * G * C_RR + 0.5 * RHO_CDA * v**2 + P_IDLE / v  # N = J per metre
    return force * 100e3 / (EFFICIENCY * ENERGY_PER_LITRE)


def measurements(config: FuelConfig) -> pd.DataFrame:
    """``config.n_points`` seeded measurements, speeds uniform in [30, 130] km/h: columns ``speed``, ``fuel``."""
    rng = np.random.default_rng(config.seed)
    speed = np.sort(rng.uniform(LOW, HIGH, config.n_points))
    fuel = true_fuel(speed) + rng.normal(0.0, config.noise, config.n_points)
    return pd.DataFrame({"speed": speed, "fuel": fuel})


def fit(speed, fuel, degree: int) -> np.polynomial.Legendre:
    """Least-squares polynomial of ``degree`` through (speed, fuel), in the Legendre basis on [30, 130] -> [-1, 1].

    With more coefficients than points (degree >= n) the least-squares problem has many exact solutions and
    this returns the one with the smallest coefficients (numpy's rank-deficiency warning is expected there).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.RankWarning)
        return np.polynomial.Legendre.fit(speed, fuel, degree, domain=[LOW, HIGH])


def underdetermined(config: FuelConfig, degree: int) -> bool:
    """True when the degree has at least as many coefficients as there are points: the fit interpolates."""
    return degree + 1 >= config.n_points


def predictions(config: FuelConfig, at: float = TARGET, degrees=range(1, MAX_DEGREE + 1)) -> pd.DataFrame:
    """Every degree's prediction at ``at`` km/h beside the truth: ``degree``, ``prediction``, ``truth``, ``error``."""
    data = measurements(config)
    pred = np.array([fit(data.speed, data.fuel, d)(at) for d in degrees])
    truth = float(true_fuel(at))
    return pd.DataFrame({"degree": list(degrees), "prediction": pred, "truth": truth, "error": pred - truth})


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    """Indices of ``k`` seeded, near-equal folds of ``n`` points (a shuffled split, as scikit-learn's KFold)."""
    return np.array_split(np.random.default_rng(seed).permutation(n), k)


def rmse(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def cross_validation(config: FuelConfig, degrees=range(1, MAX_DEGREE + 1), k: int = FOLDS) -> pd.DataFrame:
    """k-fold cross-validation: each degree's training and validation RMSE (L/100 km), averaged over the folds.

    Columns ``degree``, ``train_rmse``, ``validation_rmse``; the folds are seeded by ``config.seed``.
    """
    data = measurements(config)
    x, y = data.speed.to_numpy(), data.fuel.to_numpy()
    parts = folds(len(x), k, config.seed)
    rows = []
    for d in degrees:
        train, valid = [], []
        for i, held in enumerate(parts):
            keep = np.concatenate([p for j, p in enumerate(parts) if j != i])
            poly = fit(x[keep], y[keep], d)
            train.append(rmse(poly(x[keep]), y[keep]))
            valid.append(rmse(poly(x[held]), y[held]))
        rows.append((d, float(np.mean(train)), float(np.mean(valid))))
    return pd.DataFrame(rows, columns=["degree", "train_rmse", "validation_rmse"])


def best_degree(cv: pd.DataFrame) -> int:
    """The degree with the lowest validation error."""
    return int(cv.loc[cv.validation_rmse.idxmin(), "degree"])


def curve(config: FuelConfig, degree: int, lo: float = 20.0, hi: float = 190.0, n: int = 171) -> pd.DataFrame:
    """The fit of ``degree`` and the truth on a speed grid from ``lo`` to ``hi``: ``speed``, ``fit``, ``truth``."""
    data = measurements(config)
    speed = np.linspace(lo, hi, n)
    return pd.DataFrame({"speed": speed, "fit": fit(data.speed, data.fuel, degree)(speed), "truth": true_fuel(speed)})


def provenance(config: FuelConfig, what: str = "") -> Provenance:
    """Measured here, on simulated measurements of a known curve (the deck's example, our numbers)."""
    return Provenance(
        "measured",
        model="least-squares polynomial (Legendre basis, speeds scaled to [-1, 1])" + (f"; {what}" if what else ""),
        data=f"{config.n_points} simulated measurements, {LOW:.0f}-{HIGH:.0f} km/h, noise σ = {config.noise} L/100 km "
        "(road-load curve: rolling + drag + engine)",
        seed=config.seed,
        source="example of Galiez, deck 004 'Why deep learning?'",
    )
