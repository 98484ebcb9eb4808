"""Energy grows with compute: a power law fitted through five seeded reference runs, and how far it can be pushed.

The fit is made on a fixed, seeded set of reference workloads (:data:`.workloads.REFERENCE`)
measured on this machine, never on whatever else happens to be in the ledger: the same five
workloads give about the same line on every day of the lecture, and a lecturer can say in
advance what it will show. :func:`fit_energy` fits ``energy = a x FLOPs^b`` through them (a
straight line on log-log axes) with the slope's 95 % confidence interval and a 95 % prediction
interval. Within the range of the reference runs the line is a measurement summary; beyond it,
e.g. to GPT-3's 3.14e23 FLOPs (Brown et al. 2020), it is an *extrapolation* across a dozen
orders of magnitude and to different hardware, so it is shown as a range, and the width of that
range is the lesson: useful to show how far a CPU is from a GPU cluster, useless as a prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.demos.carbon.lab_runs import measured_runs
from core.demos.carbon.published import BROWN_2020, GPT3_TRAIN_FLOPS, PATTERSON_2021, published
from core.demos.carbon.workloads import DEMO, REFERENCE_RUN, WorkloadRun, reference_workloads, run_label
from core.errors import BadInput
from core.provenance import Provenance

if TYPE_CHECKING:
    import pandas as pd

GPT3 = "GPT-3 (175B)"  # the published figure the fit is pushed to (published.PUBLISHED)


def runs_frame(runs: list[WorkloadRun]) -> pd.DataFrame:
    """Trained :class:`WorkloadRun` objects as rows of :func:`measured_runs` (the measured ones only).

    For when the ledger cannot be read: the page's own store still knows what it measured.
    """
    import pandas as pd

    rows = [
        {
            "id": -1 - i,
            "demo": DEMO,
            "label": run.label,
            "seed": run.workload.seed,
            "method": run.result.carbon.method,
            "duration_s": run.result.carbon.duration_s,
            "energy_kwh": run.result.carbon.energy_kwh,
            "emissions_kg": run.result.carbon.emissions_kg,
            "test_acc": run.result.test_accuracy,
            "train_flops": float(run.flops),
            "parameters": float(run.result.metrics.get("parameters", math.nan)),
        }
        for i, run in enumerate(runs)
        if run.result.carbon.is_measured
    ]
    return measured_runs(pd.DataFrame()) if not rows else pd.DataFrame(rows)


def is_reference(runs: pd.DataFrame, seed: int = 0) -> pd.Series:
    """True for the rows of ``runs`` (from :func:`measured_runs`) that measured a reference workload with ``seed``.

    A row qualifies by what it measured (demo, :func:`run_label`, seed), never by when or
    how often: adding any other run to the ledger cannot change which rows these are.
    """
    import pandas as pd

    if not len(runs):
        return pd.Series([], dtype=bool)
    labels = {run_label(w, REFERENCE_RUN) for w in reference_workloads(seed)}
    seeds = pd.to_numeric(runs["seed"], errors="coerce")
    return (
        (runs["demo"] == DEMO)
        & runs["label"].isin(labels)
        & (seeds == int(seed))
        & (runs["train_flops"] > 0)
        & (runs["energy_kwh"] > 0)
    )


def reference_points(runs: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """One point per reference workload measured: the median energy of its measurements.

    Columns: ``label, train_flops, energy_kwh, runs`` (how many measurements the median is of),
    in the order of :data:`REFERENCE`. Measuring the set twice (a warm-up, then the button)
    moves a point to the median of its measurements; it never adds a sixth point.
    """
    import pandas as pd

    columns = ["label", "train_flops", "energy_kwh", "runs"]
    chosen = runs[is_reference(runs, seed)] if len(runs) else runs
    if not len(chosen):
        return pd.DataFrame(columns=columns).astype({"train_flops": float, "energy_kwh": float, "runs": int})
    order = {run_label(w, REFERENCE_RUN): i for i, w in enumerate(reference_workloads(seed))}
    points = (
        chosen.groupby("label", sort=False)
        .agg(train_flops=("train_flops", "median"), energy_kwh=("energy_kwh", "median"), runs=("energy_kwh", "size"))
        .reset_index()
    )
    return points.sort_values("label", key=lambda col: col.map(order), ignore_index=True)[columns]


class CannotFit(BadInput):
    """Too few reference runs, or runs that do not vary in compute: the message says what to measure."""


CONFIDENCE = 0.95  # the level of every interval the page shows


@dataclass(frozen=True)
class EnergyFit:
    """``energy_kwh = 10**intercept x flops**slope``: a least-squares line in log10-log10 space.

    Attributes:
        slope: the exponent b; 1 would mean energy proportional to compute.
        intercept: log10 of the energy (kWh) of a 1-FLOP run, a fitting constant, not a physical one.
        r2: coefficient of determination of the log-log fit, in [0, 1].
        n: number of points fitted.
        flops_range: smallest and largest compute among them; predictions outside are extrapolations.
        slope_se: standard error of the slope (as ``scipy.stats.linregress`` reports it).
        residual_sd: standard deviation of the residuals, in decades (log10 units), with n - 2 degrees of freedom.
        x_mean, sxx: mean of log10(FLOPs) and the sum of squared deviations from it (for the intervals).
        t: Student's t quantile for a two-sided :data:`CONFIDENCE` interval with n - 2 degrees of freedom
            (12.7 for 3 points, 3.18 for 5: few points buy a wide interval).
    """

    slope: float
    intercept: float
    r2: float
    n: int
    flops_range: tuple[float, float]
    slope_se: float
    residual_sd: float
    x_mean: float
    sxx: float
    t: float

    def predict_kwh(self, flops: float) -> float:
        return float(10 ** (self.intercept + self.slope * math.log10(flops)))

    def slope_ci(self) -> tuple[float, float]:
        """The slope's :data:`CONFIDENCE` confidence interval: ``slope ± t x slope_se``."""
        return self.slope - self.t * self.slope_se, self.slope + self.t * self.slope_se

    def predict_range_kwh(self, flops: float) -> tuple[float, float]:
        """A :data:`CONFIDENCE` prediction interval for one run of ``flops`` FLOPs, in kWh (low, high).

        ``ŷ ± t x s x sqrt(1 + 1/n + (x - x̄)² / Sxx)`` in log10 space: it widens with the
        distance from the measured runs, so far beyond them it spans orders of magnitude.
        It assumes the power law holds out there, which nothing measured here can show:
        the true uncertainty of an extrapolation is larger still.
        """
        x = math.log10(flops)
        half = self.t * self.residual_sd * math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        y = self.intercept + self.slope * x
        return float(10 ** (y - half)), float(10 ** (y + half))

    def is_extrapolation(self, flops: float) -> bool:
        low, high = self.flops_range
        return not low <= flops <= high

    def describe(self) -> str:
        low, high = self.slope_ci()
        return (
            f"energy ≈ {10**self.intercept:.3g} kWh × FLOPs^{self.slope:.2f} (slope {CONFIDENCE:.0%} CI "
            f"{low:.2f} – {high:.2f}; log-log least squares, R² = {self.r2:.2f}, {self.n} reference workloads)"
        )


MIN_RUNS_TO_FIT = 3


def fit_energy(runs: pd.DataFrame) -> EnergyFit:
    """Fit :class:`EnergyFit` through the rows of ``runs`` that have both energy and compute.

    ``runs`` is what to fit, all of it: the page passes :func:`reference_points`, never the
    whole ledger. Raises :class:`CannotFit` (with what is missing) when fewer than
    :data:`MIN_RUNS_TO_FIT` points qualify or their compute does not vary: a line through
    one point is not a fit, and through two it has no error estimate.
    """
    usable = runs[(runs["train_flops"] > 0) & (runs["energy_kwh"] > 0)] if len(runs) else runs
    if len(usable) < MIN_RUNS_TO_FIT:
        raise CannotFit(
            f"A fit needs at least {MIN_RUNS_TO_FIT} measured reference workloads; there are "
            f"{len(usable)}. Measure the reference workloads first."
        )
    x = np.log10(usable["train_flops"].to_numpy(float))
    y = np.log10(usable["energy_kwh"].to_numpy(float))
    if np.ptp(x) < 0.1:  # less than a 1.26x spread in compute: the slope would be noise
        raise CannotFit(
            "The measured runs all have about the same compute; a fit needs workloads of "
            "different sizes to show how energy grows."
        )
    n = len(x)
    x_mean = float(x.mean())
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_mean)
    residual = y - (intercept + slope * x)
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((residual**2).sum()) / total if total > 0 else 0.0
    residual_sd = math.sqrt(float((residual**2).sum()) / (n - 2))
    from scipy import stats  # here, not at the top: ~0.3 s to import, paid only when there is a fit to make

    return EnergyFit(
        slope,
        intercept,
        r2,
        n,
        (float(10 ** x.min()), float(10 ** x.max())),
        slope_se=residual_sd / math.sqrt(sxx),
        residual_sd=residual_sd,
        x_mean=x_mean,
        sxx=sxx,
        t=float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 2)),
    )


def slope_sentence(fit: EnergyFit) -> str:
    """What the slope says, derived from its confidence interval (so it can never contradict the number)."""
    low, high = (round(bound, 2) for bound in fit.slope_ci())  # decided on the numbers as printed beside it
    head = f"Slope {fit.slope:.2f} ({CONFIDENCE:.0%} CI {low:.2f} – {high:.2f}), from {fit.n} reference workloads. "
    if high < 1:
        return head + (
            "The whole interval is below 1: on this machine a bigger run costs *less* energy per FLOP, "
            "because start-up, evaluation and idle power are paid by every run and weigh most on the "
            "small ones. A reason not to push the line far."
        )
    if low > 1:
        return head + (
            "The whole interval is above 1: on this machine a bigger run costs *more* energy per FLOP "
            "(e.g. a larger model no longer fits the CPU's caches). A reason not to push the line far."
        )
    return head + (
        "The interval reaches 1, so these runs cannot tell whether energy grows faster or slower than "
        "compute: consistent with energy proportional to compute, and with a good deal else."
    )


# --------------------------------------------------------------------------- what the page shows of it
def reference_fit(
    measured: pd.DataFrame, stored: list[WorkloadRun] | None, seed: int = 0
) -> tuple[pd.DataFrame, EnergyFit | None, str]:
    """The reference points, their fit (or None) and why there is none ('' when there is one).

    The points come from the ledger's ``measured`` runs (:func:`measured_runs`); when it lacks some
    (the ledger cannot be read, say), from the ``stored`` runs of the page's own store, if any.
    """
    points = reference_points(measured, seed)
    if len(points) < len(reference_workloads(seed)) and stored:
        points = reference_points(runs_frame(stored), seed)
    try:
        return points, fit_energy(points), ""
    except CannotFit as err:
        return points, None, str(err)


def fit_provenance(fit: EnergyFit, other_runs: int, seed: int) -> Provenance:
    """What the energy-vs-compute chart is: an estimate from ``fit``, with ``other_runs`` drawn beside it, not fitted."""
    return Provenance(
        "estimated",
        model=fit.describe(),
        data=f"{fit.n} reference workloads measured here (median of each one's runs); "
        f"{other_runs} other ledger runs drawn, not fitted; beyond "
        f"{fit.flops_range[1]:.2g} FLOPs the line is an extrapolation",
        seed=seed,
        source=f"GPT-3 compute: {BROWN_2020}; energy: {PATTERSON_2021}",
    )


def prediction_sentence(fit: EnergyFit, flops: float) -> str:
    """What the fit predicts for a workload of ``flops`` before it is trained: a range, and how far it is pushed."""
    low, high = fit.predict_range_kwh(flops)
    where = "an extrapolation" if fit.is_extrapolation(flops) else "within the measured range"
    return (
        f"The reference fit (tab *Extrapolate*) *predicts* {low * 1000:.2g} – {high * 1000:.2g} Wh "
        f"({CONFIDENCE:.0%} prediction range; {where}): train it to see the measurement."
    )


def gpt3_sentence(fit: EnergyFit) -> str:
    """The GPT-3 paragraph: our range at its compute, how wide it is, and whether the published energy is in it."""
    published_kwh = published(GPT3).energy_kwh
    low, high = fit.predict_range_kwh(GPT3_TRAIN_FLOPS)
    inside = "inside" if low <= published_kwh <= high else "outside"
    return (
        f"**Extrapolation, not a measurement:** pushed {power_of_ten(GPT3_TRAIN_FLOPS / fit.flops_range[1])}× "
        f"beyond our largest reference run, the fit puts GPT-3's compute at **{range_text(fit, GPT3_TRAIN_FLOPS)}** "
        f"on this machine's CPU (a {CONFIDENCE:.0%} prediction range {math.log10(high / low):.0f} orders of "
        f"magnitude wide, and only if the power law held that far); Patterson et al. report {published_kwh:,.0f} "
        f"kWh on 10,000 V100 GPUs, {inside} that range. The width of the range is the lesson: "
        f"{fit.n} small runs on a CPU cannot say what a GPU cluster costs."
    )


def range_text(fit: EnergyFit, flops: float) -> str:
    """The fit's prediction range at ``flops`` as ``"3 × 10⁵ – 2 × 10⁹ kWh"``."""
    low, high = fit.predict_range_kwh(flops)
    return f"{power_of_ten(low)} – {power_of_ten(high)} kWh"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float) -> str:
    """``3.1e+07`` as ``"3 × 10⁷"``: one significant digit, all a range over many decades can claim."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
