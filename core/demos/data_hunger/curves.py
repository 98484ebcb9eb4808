"""Learning curves: test error against the number of labelled images, on log-log axes, and the power law fitted.

Hestness et al. (2017), "Deep Learning Scaling is Predictable, Empirically" (arXiv:1712.00409), trained
state-of-the-art models on shards of a training set growing in steps of ~2x over 2-3 orders of magnitude, in
four domains (machine translation, language modelling, image classification, speech recognition), and found
the generalisation error falling as a power law, ``ε(m) ≈ α m^β_g`` past a "small-data region" and before an
"irreducible error region". Their range of exponents, "β_g between −0.07 and −0.35" (the issue's quote), is
what we show beside ours.

What was checked, and how (2026-12, the ``search`` tool, offline copies): the abstract and the method (shards
of ~2x, the three regions) from a copy of the arXiv v1 text; the range −0.07 to −0.35 only from a summary
of the paper (A. Colyer, "the morning paper", reprinted on KDnuggets, May 2018: "β_g usually seems to be in
the range −0.07 and −0.35"). The per-domain exponents of their figures could NOT be read here, so none is
shown: the page shows the range, labelled as a summary's reading of the paper.

Ours is not their regime: ``n`` from 10 to ~4,000 images of 5 classes spans the small-data region where they
do not fit at all, a small budget of steps per point (``methods.steps``), and no model grown with the data
(they grew it). The
exponent fitted here is what these points show, with its 95 % interval; it is not a scaling law.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demos.data_hunger.methods import METHODS, PointConfig
from core.errors import BadInput

HESTNESS_2017 = (
    "Hestness et al. 2017, 'Deep Learning Scaling is Predictable, Empirically', arXiv:1712.00409 "
    "(range of β_g as summarised by A. Colyer, the morning paper / KDnuggets 2018)"
)
HESTNESS_RANGE = (-0.35, -0.07)  # published β_g across their four domains (see the module docstring)
SIZES = (10, 30, 100, 300, 1_000, 3_000)  # log-spaced; ~4,000 exist (3,983 for seed 0): 3,000 exists for any seed
# t quantiles t_{0.975, df} for a 95 % two-sided interval (checked against scipy.stats.t.ppf in the tests; kept
# as a table so the page never imports scipy.stats: 63 MB of the lab's 690 MB budget).
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
T_975 |= {11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093}
T_975 |= {20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t_975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (the nearest tabulated df at or below)."""
    if df < 1:
        raise BadInput("a t interval needs at least one degree of freedom (3 points for a line)")
    return T_975[max(d for d in T_975 if d <= df)] if df <= 120 else 1.960


@dataclass(frozen=True)
class SweepConfig:
    """A learning-curve sweep: every method at every size, ``repeats`` draws each.

    Attributes:
        methods: keys of :data:`~.methods.METHODS`, in the legend's order.
        sizes: labelled images per point.
        repeats: draws of the images (and initialisations) per (method, size): the spread.
        seed: the page's seed.
    """

    methods: tuple[str, ...] = ("logistic", "transfer")
    sizes: tuple[int, ...] = SIZES
    repeats: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        if not self.methods or unknown:
            raise BadInput(f"pick methods among {', '.join(METHODS)}; got {list(self.methods)}")
        if not self.sizes or min(self.sizes) < 1:
            raise BadInput(f"sizes must be whole numbers >= 1; got {self.sizes}")
        if not 1 <= self.repeats <= 10:
            raise BadInput(f"repeats must be between 1 and 10; got {self.repeats}")

    def points(self) -> list[PointConfig]:
        """Every point, the smallest sizes first (a cancelled sweep has whole columns of small n)."""
        return [
            PointConfig(method, n, repeat, self.seed)
            for repeat in range(self.repeats)
            for n in self.sizes
            for method in self.methods
        ]

    def describe(self) -> str:
        return f"{len(self.methods)} methods × {len(self.sizes)} sizes × {self.repeats} draw(s)"


@dataclass(frozen=True)
class PowerLaw:
    """``log10(error) = a + b log10(n)``: error = 10^a n^b, fitted by least squares.

    Attributes:
        a, b: intercept and exponent (slope on log-log axes); b < 0 when error falls with data.
        low, high: the 95 % t-interval of ``b`` from the residuals (``nan`` with only 2 distinct sizes).
        points: how many (n, error) pairs were fitted.
    """

    a: float
    b: float
    low: float
    high: float
    points: int

    def predict(self, n) -> np.ndarray:
        return 10.0 ** (self.a + self.b * np.log10(np.asarray(n, dtype=float)))

    def describe(self) -> str:
        interval = "" if math.isnan(self.low) else f" (95 % CI {self.low:+.2f} … {self.high:+.2f})"
        return f"b = {self.b:+.2f}{interval}"


def fit_power_law(n, error, floor: float = 1e-3) -> PowerLaw:
    """Least squares of ``log10(error)`` on ``log10(n)``; the slope's 95 % interval from Student's t.

    Args:
        n: labelled images per point (≥ 2 distinct values), any repeats included as separate points.
        error: test errors in [0, 1]; a 0 (every test image right) is raised to ``floor`` so its log exists.

    The interval is ``b ± t_{0.975, m-2} · s / sqrt(Σ (x - x̄)²)`` with ``s²`` the residual variance: the textbook
    slope interval, which assumes independent, equally noisy log-errors.
    """
    x = np.log10(np.asarray(n, dtype=float))
    y = np.log10(np.clip(np.asarray(error, dtype=float), floor, None))
    if len(x) != len(y) or len(np.unique(x)) < 2:
        raise BadInput("a power law needs errors at two or more different sizes")
    sxx = float(((x - x.mean()) ** 2).sum())
    b = float(((x - x.mean()) * (y - y.mean())).sum() / sxx)
    a = float(y.mean() - b * x.mean())
    df = len(x) - 2
    if df < 1:
        return PowerLaw(a, b, math.nan, math.nan, len(x))
    s = math.sqrt(float(((y - (a + b * x)) ** 2).sum()) / df)
    half = t_975(df) * s / math.sqrt(sxx)
    return PowerLaw(a, b, b - half, b + half, len(x))


def frame(points: list) -> pd.DataFrame:
    """One row per trained point: method, n, repeat, error, majority error, seconds."""
    return pd.DataFrame(
        [
            dict(
                method=p.config.method,
                label=METHODS[p.config.method],
                n=p.config.n,
                repeat=p.config.repeat,
                error=p.error,
                majority_error=p.majority,
                seconds=p.seconds,
            )
            for p in points
        ]
    )


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per method and size: mean, min and max error over the draws."""
    return table.groupby(["method", "label", "n"], sort=False).error.agg(["mean", "min", "max", "count"]).reset_index()


def exponents(table: pd.DataFrame) -> pd.DataFrame:
    """Per method: the power law fitted to all its points, beside Hestness et al.'s range."""
    rows = []
    for method, part in table.groupby("method", sort=False):
        law = fit_power_law(part.n, part.error)
        rows.append(
            dict(
                method=METHODS[method],
                exponent_b=round(law.b, 3),
                ci95_low=round(law.low, 3),
                ci95_high=round(law.high, 3),
                points=law.points,
                published_range=f"{HESTNESS_RANGE[0]} … {HESTNESS_RANGE[1]} (Hestness et al. 2017, other domains)",
            )
        )
    return pd.DataFrame(rows)


def labels_to_match(table: pd.DataFrame, slow: str, fast: str, n: int) -> float | None:
    """How many labels ``slow`` needs to reach the error ``fast`` has at ``n`` (log-log interpolation of means).

    None when ``slow`` never gets that low within the sizes trained (then it needs more than the largest).
    """
    means = table.groupby(["method", "n"]).error.mean()
    if (fast, n) not in means:
        return None
    target = means[(fast, n)]
    curve = means[slow].sort_index() if slow in means.index.get_level_values(0) else None
    if curve is None or len(curve) < 2:
        return None
    sizes, errors = np.log10(curve.index.to_numpy(float)), np.log10(np.clip(curve.to_numpy(float), 1e-3, None))
    goal = math.log10(max(target, 1e-3))
    if errors[0] <= goal:
        return float(curve.index[0])
    for i in range(1, len(sizes)):
        if errors[i] <= goal:  # first crossing: interpolate between sizes i-1 and i
            t = (errors[i - 1] - goal) / (errors[i - 1] - errors[i])
            return float(10 ** (sizes[i - 1] + t * (sizes[i] - sizes[i - 1])))
    return None
