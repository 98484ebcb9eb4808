"""Energy grows with the work a training does: measured live here, fitted, and extrapolated only as a range.

The CO2 page's own experiment. A *workload* is a model size x epochs x number of
training images; its compute is counted in FLOPs (``6 x MACs x images seen``, see
:func:`core.models.forward_macs`). Each workload is trained through
:func:`core.training.fit`, so codecarbon measures it and the ledger keeps it, and the
page draws codecarbon's running totals (power, cumulative energy) while it runs.

The fit is made on a fixed, seeded set of :data:`REFERENCE` workloads measured on this
machine (:func:`measure_reference`), never on whatever else happens to be in the ledger:
the same five workloads give about the same line on every day of the lecture, and a
lecturer can say in advance what it will show. :func:`fit_energy` fits a power law
``energy = a x FLOPs^b`` through them (a straight line on log-log axes) with the slope's
95 % confidence interval and a 95 % prediction interval. The ledger's other runs are
drawn beside it, not fitted. Within the range of the reference runs the line is a
measurement summary; beyond it, e.g. to GPT-3's 3.14e23 FLOPs (Brown et al. 2020), it is
an *extrapolation* across a dozen orders of magnitude and to different hardware, so it is
shown as a range, and the width of that range is the lesson: useful to show how far a CPU
is from a GPU cluster, useless as a prediction.

:func:`accuracy_energy_figure` puts the lab's models on one chart of test accuracy
vs energy — a view codecarbon's own dashboard does not offer. Accuracies of
different tasks are not comparable with each other; each demo keeps one colour
(:func:`core.demos.carbon.footprint.demo_colour`) in every chart of the ledger.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.carbon import LiveReading
from core.models import CNNConfig
from core.provenance import Provenance

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from core.training import FitResult

DEMO = "carbon"

# Four SmallCNN widths: parameters and MACs grow ~3-4x per step, training time with them.
SIZES: dict[str, CNNConfig] = {
    "S": CNNConfig(widths=(8, 16), hidden=32),
    "M": CNNConfig(widths=(16, 32), hidden=64),
    "L": CNNConfig(widths=(32, 64), hidden=128),
    "XL": CNNConfig(widths=(64, 128), hidden=256),
}
TRAIN_IMAGES = (2_000, 4_000, 8_000)  # from the shipped 10k split; the other 2,000 are the test set
MAX_EPOCHS = 5


@dataclass(frozen=True)
class Workload:
    """What the live run trains: ``size`` (a key of :data:`SIZES`) x ``epochs`` x ``train_images``."""

    size: str = "M"
    epochs: int = 2
    train_images: int = 8_000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"Unknown model size {self.size!r}; choose one of {', '.join(SIZES)}.")
        if not 1 <= int(self.epochs) <= MAX_EPOCHS:
            raise ValueError(f"Epochs must be between 1 and {MAX_EPOCHS} (got {self.epochs}).")
        if self.train_images not in TRAIN_IMAGES:
            raise ValueError(f"Training images must be one of {TRAIN_IMAGES} (got {self.train_images}).")

    @property
    def model_config(self) -> CNNConfig:
        return SIZES[self.size]

    def describe(self) -> str:
        """e.g. ``SmallCNN(16,32,h64) · 2 epochs · 8,000 images``."""
        epochs = f"{self.epochs} epoch" + ("s" if self.epochs > 1 else "")
        return f"{self.model_config.describe()} · {epochs} · {self.train_images:,} images"


PRESETS: dict[str, Workload] = {
    "Quick (S, 1 epoch, 2k images)": Workload("S", 1, 2_000),
    "Lecture (M, 2 epochs, 8k images)": Workload("M", 2, 8_000),
    "Bigger (L, 3 epochs, 8k images)": Workload("L", 3, 8_000),
}

# The fixed set the energy fit is made on: compute grows ~30x from the first to the last, the whole set
# trains in about ten seconds on 2 cores (the largest is the "Lecture" preset, ~5 s), and the smallest
# still lasts long enough for codecarbon's final sample. Bigger models would widen the range but cost
# tens of seconds each; the prediction interval says honestly what five small points can support.
REFERENCE: tuple[Workload, ...] = (
    Workload("S", 1, 2_000),
    Workload("S", 1, 4_000),
    Workload("S", 1, 8_000),
    Workload("M", 1, 8_000),
    Workload("M", 2, 8_000),
)
LIVE_RUN = "live run"
REFERENCE_RUN = "reference workload"


def reference_workloads(seed: int = 0) -> tuple[Workload, ...]:
    """:data:`REFERENCE` with every workload seeded with ``seed`` (the lab-wide seed of the sidebar)."""
    return tuple(Workload(w.size, w.epochs, w.train_images, seed=int(seed)) for w in REFERENCE)


def run_label(workload: Workload, kind: str = LIVE_RUN) -> str:
    """How a run of ``workload`` is named in the ledger: ``"reference workload: SmallCNN(8,16,h32) · …"``.

    With the seed column and the demo, the label identifies the workload a ledger row measured,
    so the reference runs are found again in the ledger (after a restart, or from a warm-up in
    another process) without mixing in any other run.
    """
    return f"{kind}: {workload.describe()}"


def training_flops(workload: Workload) -> int:
    """Compute of the workload: ``6 x forward MACs per image x images x epochs`` (a FLOP count)."""
    import torch

    from core.models import build_cnn, forward_macs

    model = build_cnn(workload.model_config)
    return 6 * forward_macs(model, torch.zeros(1, 1, 28, 28)) * workload.train_images * workload.epochs


class LiveTrace:
    """codecarbon's readings during one run, and when a chart of them is due for a redraw.

    The training loop calls :meth:`add` after every batch (hundreds per second);
    keeping every reading would be wasteful and redrawing every time would slow the
    run. A reading is kept every ``keep_every_s`` and :meth:`add` returns True at most
    every ``redraw_every_s`` — often enough for a chart that moves at least once a
    second, rarely enough to cost little (measured in bench/bench_carbon.py).
    """

    def __init__(self, redraw_every_s: float = 0.5, keep_every_s: float = 0.2) -> None:
        self.readings: list[LiveReading] = []
        self.redraw_every_s, self.keep_every_s = redraw_every_s, keep_every_s
        self._last_draw = -math.inf

    def add(self, reading: LiveReading | None, now: float | None = None) -> bool:
        """Record ``reading`` (None: nothing measured, ignored); True when the chart should be redrawn."""
        if reading is None:
            return False
        if not self.readings or reading.elapsed_s - self.readings[-1].elapsed_s >= self.keep_every_s:
            self.readings.append(reading)
        now = time.perf_counter() if now is None else now
        if now - self._last_draw >= self.redraw_every_s:
            self._last_draw = now
            return True
        return False


@dataclass
class WorkloadRun:
    """A trained and measured workload: the fit result (with its carbon report) and the live trace."""

    workload: Workload
    result: FitResult
    flops: int
    readings: list[LiveReading] = field(default_factory=list)
    label: str = ""


def train_workload(
    workload: Workload,
    on_progress: Callable[[int, int, dict], None] | None = None,
    trace: LiveTrace | None = None,
    kind: str = LIVE_RUN,
) -> WorkloadRun:
    """Train the workload on the shipped Fashion-MNIST split, measured by codecarbon.

    ``trace`` collects the live readings; ``on_progress(step, total, metrics)`` is
    :func:`core.training.fit`'s callback with one more key, ``redraw``: True when the
    trace says a live chart is due (at most every ``trace.redraw_every_s``). ``kind``
    names the run in the ledger (:func:`run_label`): a live run or a reference workload.
    """
    from core.data import fashion_mnist_10k, train_test_split
    from core.models import build_cnn
    from core.training import TrainConfig, fit

    trace = trace or LiveTrace()
    train, test = train_test_split(fashion_mnist_10k(), test_fraction=0.2, seed=workload.seed)
    train = train.subset(slice(0, workload.train_images))
    model = build_cnn(workload.model_config, seed=workload.seed)

    def progress(step: int, total: int, metrics: dict) -> None:
        redraw = trace.add(metrics.get("carbon"))
        if on_progress:
            on_progress(step, total, {**metrics, "redraw": redraw})

    label = run_label(workload, kind)
    result = fit(
        model,
        train,
        test,
        TrainConfig(epochs=workload.epochs, seed=workload.seed),
        demo=DEMO,
        label=label,
        on_progress=progress,
    )
    return WorkloadRun(workload, result, training_flops(workload), trace.readings, label)


def run_key(workload: Workload) -> tuple:
    """Where the CO2 page's run store keeps the live run of ``workload`` (the page and the warm-up use it)."""
    return ("carbon", workload)


def reference_key(seed: int = 0) -> tuple:
    """The key under which the CO2 page's run store keeps :func:`measure_reference`'s result.

    A warm-up in the server process fills the page's store with
    ``page_runs("carbon", ...).get_or_run(reference_key(seed), lambda: measure_reference(seed=seed))``;
    a warm-up in another process needs no key: the page finds the runs in the ledger.
    """
    return ("reference", int(seed))


def measure_reference(
    on_progress: Callable[[int, int, dict], None] | None = None,
    seed: int = 0,
    workloads: tuple[Workload, ...] | None = None,
) -> list[WorkloadRun]:
    """Train and measure every reference workload, smallest first; each run is ledgered.

    Args:
        on_progress: called as ``on_progress(step, total, metrics)`` after every batch, with
            ``step``/``total`` counted over the whole set, and ``metrics["workload"]`` the
            workload being trained (its description) and ``metrics["index"]`` its position.
        seed: seeds every workload (:func:`reference_workloads`).
        workloads: the set to measure (default: :data:`REFERENCE` with ``seed``); tests pass a smaller one.

    Returns:
        one :class:`WorkloadRun` per workload, in order (a run codecarbon could not measure is
        kept: its report says why, and :func:`reference_points` leaves it out).
    """
    from core.training import TrainConfig

    chosen = reference_workloads(seed) if workloads is None else tuple(workloads)
    batch = TrainConfig().batch_size  # what train_workload trains with
    steps = [-(-w.train_images // batch) * w.epochs for w in chosen]
    total, done, runs = sum(steps), 0, []
    for index, workload in enumerate(chosen):

        def progress(
            step: int, _total: int, metrics: dict, offset: int = done, i: int = index, w: Workload = workload
        ) -> None:
            if on_progress:
                on_progress(offset + step, total, {**metrics, "workload": w.describe(), "index": i})

        runs.append(train_workload(workload, progress, kind=REFERENCE_RUN))
        done += steps[index]
    return runs


# --------------------------------------------------------------------------- the ledger as data points
def measured_runs(rows: pd.DataFrame) -> pd.DataFrame:
    """Measured ledger rows with their metrics unpacked.

    Columns: ``id, demo, label, seed, method, duration_s, energy_kwh, emissions_kg, test_acc,
    train_flops, parameters`` (NaN where a run did not record a metric, e.g. runs from
    before metrics were stored, or adversarial training whose attack compute is not counted).
    """
    import pandas as pd

    columns = [
        "id",
        "demo",
        "label",
        "seed",
        "method",
        "duration_s",
        "energy_kwh",
        "emissions_kg",
        "test_acc",
        "train_flops",
        "parameters",
    ]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    rows = rows[(rows["status"] == "measured") & rows["energy_kwh"].notna()].copy()
    if "seed" not in rows:
        rows["seed"] = math.nan
    metrics = [_metrics(text) for text in rows.get("metrics_json", pd.Series([None] * len(rows)))]
    for name in ("test_acc", "train_flops", "parameters"):
        rows[name] = [m.get(name, math.nan) for m in metrics]
    return rows[columns].reset_index(drop=True).astype({"test_acc": float, "train_flops": float, "parameters": float})


def _metrics(text) -> dict:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


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
            "parameters": math.nan,
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
    whole ledger. Raises ValueError (with what is missing) when fewer than
    :data:`MIN_RUNS_TO_FIT` points qualify or their compute does not vary: a line through
    one point is not a fit, and through two it has no error estimate.
    """
    usable = runs[(runs["train_flops"] > 0) & (runs["energy_kwh"] > 0)] if len(runs) else runs
    if len(usable) < MIN_RUNS_TO_FIT:
        raise ValueError(
            f"A fit needs at least {MIN_RUNS_TO_FIT} measured reference workloads; there are "
            f"{len(usable)}. Measure the reference workloads first."
        )
    x = np.log10(usable["train_flops"].to_numpy(float))
    y = np.log10(usable["energy_kwh"].to_numpy(float))
    if np.ptp(x) < 0.1:  # less than a 1.26x spread in compute: the slope would be noise
        raise ValueError(
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


def energy_unit(kwh: float) -> tuple[str, float]:
    """The unit that shows ``kwh`` as a number >= 1 (mWh, Wh or kWh), and its factor from kWh."""
    for unit, factor in (("kWh", 1.0), ("Wh", 1e3)):
        if kwh * factor >= 1:
            return unit, factor
    return "mWh", 1e6


# --------------------------------------------------------------------------- figures
def live_figure(readings: list[LiveReading], title: str, provenance: Provenance) -> go.Figure:
    """Power (W, left axis) and cumulative energy (right axis, in mWh, Wh or kWh: :func:`energy_unit`)
    against seconds since the start."""
    from core import plots

    fig = plots.figure(title=title)
    fig.add_scatter(
        x=[],
        y=[],
        name="power (W)",
        line=dict(color=plots.ORANGE),
        line_shape="hv",
        hovertemplate="%{x:.1f} s: %{y:.1f} W<extra></extra>",
    )
    fig.add_scatter(
        x=[], y=[], name="energy so far", yaxis="y2", line=dict(color=plots.BLUE), line_shape="hv"
    )  # codecarbon adds energy once per sample
    # No d3 tickformat on either axis: plotly's own tick labels round to the tick spacing, so the
    # zero tick reads "0" (a ".2g" format printed the float residue of 0 as "4.6e-17").
    fig.update_layout(
        xaxis_title="seconds since the run started",
        yaxis=dict(title="power (W)", rangemode="tozero"),
        # tickmode "auto": plotly.js 3 syncs an overlaying axis's ticks to the left grid by
        # default, which labels energy at 7.8, 15.5, 23.3 … instead of round numbers.
        yaxis2=dict(overlaying="y", side="right", rangemode="tozero", showgrid=False, tickmode="auto"),
        # The legend under the axis title: above the plot it ran into the chart's title once
        # presenter mode enlarged both (issue #13, defect 9).
        legend=dict(orientation="h", y=-0.3, yanchor="top", x=0),
        height=420,
        margin_r=70,
        margin_b=110,
    )
    _fill_live(fig, readings)
    return plots.finish(fig, provenance)


def _fill_live(fig: go.Figure, readings: list[LiveReading]) -> None:
    """Put ``readings`` into the live figure, energy in the unit its largest value reads best in."""
    t = [r.elapsed_s for r in readings]
    unit, factor = energy_unit(max((r.energy_kwh for r in readings), default=0.0))
    fig.data[0].update(x=t, y=[r.power_w for r in readings])
    fig.data[1].update(
        x=t,
        y=[r.energy_kwh * factor for r in readings],
        name=f"energy so far ({unit})",
        hovertemplate=f"%{{x:.1f}} s: %{{y:.3g}} {unit}<extra></extra>",
    )
    fig.layout.yaxis2.title = f"energy so far ({unit})"


class LiveChart:
    """The live figure, built once and then only fed new points while the run goes on.

    Building a plotly figure costs ~50 ms here (plotly validates the whole layout and
    template); replacing the data of an existing one costs under a millisecond. At two
    redraws a second that is the difference between a 10 % slower training and an
    unmeasurable one (bench/bench_carbon.py).
    """

    def __init__(self, title: str, provenance: Provenance) -> None:
        self.figure = live_figure([], title, provenance)

    def update(self, readings: list[LiveReading]) -> go.Figure:
        with self.figure.batch_update():
            _fill_live(self.figure, readings)
        return self.figure


OTHER_RUNS = "other ledger runs (not fitted)"


def extrapolation_figure(
    reference: pd.DataFrame,
    others: pd.DataFrame,
    fit: EnergyFit,
    target_flops: float,
    target_label: str,
    published_kwh: float | None,
    provenance: Provenance,
) -> go.Figure:
    """The fitted reference points, the ledger's other runs (grey, not fitted), the fit with its
    prediction band, and the target: the fit's range at ``target_flops`` beside the published figure.

    Args:
        reference: the fitted points (:func:`reference_points`: ``train_flops``, ``energy_kwh``, ``label``).
        others: any other measured runs (:func:`measured_runs` rows), drawn for context only.
        fit: the fit of ``reference``.
        target_flops, target_label: where to extrapolate to, e.g. GPT-3's 3.14e23 FLOPs.
        published_kwh: the energy published for the target, or None.

    The legend sits below the plot, where it cannot cover a point.
    """
    from core import plots
    from core.demos.carbon import footprint

    fig = plots.figure(title="Energy vs compute: the reference fit, and how far it is pushed (log-log)")
    others = others[(others["train_flops"] > 0) & (others["energy_kwh"] > 0)] if len(others) else others
    if len(others):
        fig.add_scatter(
            x=others["train_flops"],
            y=others["energy_kwh"],
            mode="markers",
            name=OTHER_RUNS,
            marker=dict(color=plots.GREY, size=8, symbol="circle-open", line=dict(width=2)),
            text=others["demo"].astype(str) + ": " + others["label"].astype(str),
            hovertemplate="%{text}<br>%{x:.3g} FLOPs, %{y:.3g} kWh<extra>not fitted</extra>",
        )
    low, high = fit.flops_range
    end = max(target_flops, high)
    band_x = np.logspace(math.log10(low), math.log10(end), 60)
    band = [fit.predict_range_kwh(f) for f in band_x]
    fig.add_scatter(
        x=band_x,
        y=[hi for _, hi in band],
        mode="lines",
        line=dict(width=0),
        hoverinfo="skip",
        showlegend=False,
        name="prediction interval, upper",
    )
    fig.add_scatter(
        x=band_x,
        y=[lo for lo, _ in band],
        mode="lines",
        line=dict(width=0),
        hoverinfo="skip",
        fill="tonexty",
        fillcolor="rgba(0,114,178,0.18)",
        name=f"{CONFIDENCE:.0%} prediction range",
    )
    inside = np.logspace(math.log10(low), math.log10(high), 20)
    fig.add_scatter(
        x=inside,
        y=[fit.predict_kwh(f) for f in inside],
        mode="lines",
        name="fit",
        line=dict(color=plots.BLUE, width=3),
        hoverinfo="skip",
    )
    beyond = np.logspace(math.log10(high), math.log10(end), 20)
    fig.add_scatter(
        x=beyond,
        y=[fit.predict_kwh(f) for f in beyond],
        mode="lines",
        name="extrapolation (not a measurement)",
        line=dict(color=plots.BLUE, width=2, dash="dash"),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=reference["train_flops"],
        y=reference["energy_kwh"],
        mode="markers",
        name=f"reference workloads ({len(reference)}, fitted)",
        marker=dict(color=footprint.demo_colour(DEMO), size=12, line=dict(width=1, color="white")),
        text=reference["label"],
        hovertemplate="%{text}<br>%{x:.3g} FLOPs, %{y:.3g} kWh<extra>fitted</extra>",
    )
    estimate = fit.predict_kwh(target_flops)
    range_low, range_high = fit.predict_range_kwh(target_flops)
    # The values go in the legend, not beside the markers: two labels at one x collide, and the
    # range's label ran off the right edge.
    fig.add_scatter(
        x=[target_flops],
        y=[estimate],
        mode="markers",
        name=(
            f"{target_label} by our fit: {footprint.power_of_ten(range_low)} – {footprint.power_of_ten(range_high)} kWh"
        ),
        marker=dict(color=plots.BLUE, size=13, symbol="x"),
        error_y=dict(
            type="data",
            symmetric=False,
            array=[range_high - estimate],
            arrayminus=[estimate - range_low],
            color=plots.BLUE,
            thickness=2,
            width=10,
        ),
        hovertemplate=(
            f"extrapolated: %{{y:.3g}} kWh<br>{CONFIDENCE:.0%} range {range_low:.3g} – "
            f"{range_high:.3g} kWh<extra></extra>"
        ),
    )
    y_values = [*reference["energy_kwh"], range_low, range_high, *(others["energy_kwh"] if len(others) else [])]
    if published_kwh:
        fig.add_scatter(
            x=[target_flops],
            y=[published_kwh],
            mode="markers",
            name=f"{target_label} published: {published_kwh:,.0f} kWh",
            marker=dict(color=plots.ORANGE, size=14, symbol="diamond"),
            hovertemplate="published: %{y:,.0f} kWh<extra></extra>",
        )
        y_values.append(published_kwh)
    x_values = [*reference["train_flops"], target_flops, *(others["train_flops"] if len(others) else [])]
    fig.update_xaxes(title_text="training compute (FLOPs, log scale)", **footprint.log_axis(x_values))
    fig.update_yaxes(title_text="energy (kWh, log scale)", automargin=True, **footprint.log_axis(y_values))
    # Below the plot area (under the x-axis title): it can no longer cover the target's points.
    fig.update_layout(
        height=640, legend=dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top", traceorder="normal")
    )
    return plots.finish(fig, provenance)


def accuracy_energy_figure(runs: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Test accuracy (%) vs energy (Wh, log axis) of every measured run that recorded an accuracy.

    Each demo has its own colour (:func:`core.demos.carbon.footprint.demo_colour`), the same in every ledger chart.
    """
    from core import plots
    from core.demos.carbon import footprint

    usable = runs[runs["test_acc"].notna() & (runs["energy_kwh"] > 0)]
    fig = plots.figure(title="Accuracy vs energy: every model this lab trained")
    for demo, group in usable.groupby("demo", sort=True):
        fig.add_scatter(
            x=group["energy_kwh"] * 1000,
            y=group["test_acc"] * 100,
            mode="markers",
            name=demo,
            marker=dict(color=footprint.demo_colour(demo), size=11),
            text=group["label"],
            hovertemplate="%{text}<br>%{x:.3g} Wh, %{y:.1f} %<extra></extra>",
        )
    fig.update_xaxes(
        title_text="energy of the training run (Wh, log scale)", **footprint.log_axis(usable["energy_kwh"] * 1000)
    )
    fig.update_yaxes(title_text="test accuracy (%) on that demo's own task", automargin=True)
    fig.update_layout(height=460)
    return plots.finish(fig, provenance)
