"""Energy grows with the work a training does: measured live here, fitted, and extrapolated only with a warning.

The CO2 page's own experiment. A *workload* is a model size x epochs x number of
training images; its compute is counted in FLOPs (``6 x MACs x images seen``, see
:func:`core.models.forward_macs`). Each workload is trained through
:func:`core.training.fit`, so codecarbon measures it and the ledger keeps it, and the
page draws codecarbon's running totals (power, cumulative energy) while it runs.

Every measured run in the ledger — from every demo — is a point (compute, energy).
:func:`fit_energy` fits a power law ``energy = a x FLOPs^b`` through them (a straight
line on log-log axes). Within the range of our runs that is a measurement summary;
beyond it, e.g. to GPT-3's 3.14e23 FLOPs (Brown et al. 2020), it is an
*extrapolation* across many orders of magnitude and to different hardware: useful to
show how far a CPU is from a GPU cluster, useless as a prediction. The figures say so.

:func:`accuracy_energy_figure` puts the lab's models on one chart of test accuracy
vs energy — a view codecarbon's own dashboard does not offer. Accuracies of
different tasks are not comparable with each other; the colours keep demos apart.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

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


def train_workload(workload: Workload, on_progress: Callable[[int, int, dict], None] | None = None,
                   trace: LiveTrace | None = None) -> WorkloadRun:
    """Train the workload on the shipped Fashion-MNIST split, measured by codecarbon.

    ``trace`` collects the live readings; ``on_progress(step, total, metrics)`` is
    :func:`core.training.fit`'s callback with one more key, ``redraw``: True when the
    trace says a live chart is due (at most every ``trace.redraw_every_s``).
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

    result = fit(model, train, test, TrainConfig(epochs=workload.epochs, seed=workload.seed), demo=DEMO,
                 label=f"live run: {workload.describe()}", on_progress=progress)
    return WorkloadRun(workload, result, training_flops(workload), trace.readings)


# --------------------------------------------------------------------------- the ledger as data points
def measured_runs(rows: pd.DataFrame) -> pd.DataFrame:
    """Measured ledger rows with their metrics unpacked.

    Columns: ``id, demo, label, method, duration_s, energy_kwh, emissions_kg, test_acc,
    train_flops, parameters`` (NaN where a run did not record a metric, e.g. runs from
    before metrics were stored, or adversarial training whose attack compute is not counted).
    """
    import pandas as pd

    columns = ["id", "demo", "label", "method", "duration_s", "energy_kwh", "emissions_kg", "test_acc",
               "train_flops", "parameters"]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    rows = rows[(rows["status"] == "measured") & rows["energy_kwh"].notna()].copy()
    metrics = [_metrics(text) for text in rows.get("metrics_json", pd.Series([None] * len(rows)))]
    for name in ("test_acc", "train_flops", "parameters"):
        rows[name] = [m.get(name, math.nan) for m in metrics]
    return rows[columns].reset_index(drop=True).astype({"test_acc": float, "train_flops": float,
                                                        "parameters": float})


def _metrics(text) -> dict:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class EnergyFit:
    """``energy_kwh = 10**intercept x flops**slope``: a least-squares line in log10-log10 space.

    Attributes:
        slope: the exponent b; 1 would mean energy proportional to compute.
        intercept: log10 of the energy (kWh) of a 1-FLOP run, a fitting constant, not a physical one.
        r2: coefficient of determination of the log-log fit, in [0, 1].
        n: number of runs fitted.
        flops_range: smallest and largest compute among them; predictions outside are extrapolations.
    """

    slope: float
    intercept: float
    r2: float
    n: int
    flops_range: tuple[float, float]

    def predict_kwh(self, flops: float) -> float:
        return float(10 ** (self.intercept + self.slope * math.log10(flops)))

    def is_extrapolation(self, flops: float) -> bool:
        low, high = self.flops_range
        return not low <= flops <= high

    def describe(self) -> str:
        return (f"energy ≈ {10 ** self.intercept:.3g} kWh × FLOPs^{self.slope:.2f} "
                f"(log-log least squares, R² = {self.r2:.2f}, {self.n} runs)")


MIN_RUNS_TO_FIT = 3


def fit_energy(runs: pd.DataFrame) -> EnergyFit:
    """Fit :class:`EnergyFit` through the runs that have both energy and compute.

    Raises ValueError (with what is missing) when fewer than :data:`MIN_RUNS_TO_FIT`
    runs qualify or their compute does not vary: a line through one point is not a fit.
    """
    usable = runs[(runs["train_flops"] > 0) & (runs["energy_kwh"] > 0)] if len(runs) else runs
    if len(usable) < MIN_RUNS_TO_FIT:
        raise ValueError(f"A fit needs at least {MIN_RUNS_TO_FIT} measured runs with a FLOP count; the ledger "
                         f"has {len(usable)}. Train a few workloads of different sizes above.")
    x = np.log10(usable["train_flops"].to_numpy(float))
    y = np.log10(usable["energy_kwh"].to_numpy(float))
    if np.ptp(x) < 0.1:  # less than a 1.26x spread in compute: the slope would be noise
        raise ValueError("The measured runs all have about the same compute; train workloads of different "
                         "sizes (S and L, or 1 and 5 epochs) to fit how energy grows.")
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((residual ** 2).sum()) / total if total > 0 else 0.0
    return EnergyFit(float(slope), float(intercept), r2, len(usable), (float(10 ** x.min()), float(10 ** x.max())))


# --------------------------------------------------------------------------- figures
def live_figure(readings: list[LiveReading], title: str, provenance: Provenance) -> go.Figure:
    """Power (W, left axis) and cumulative energy (Wh, right axis) against seconds since the start."""
    from core import plots

    t = [r.elapsed_s for r in readings]
    fig = plots.figure(title=title)
    fig.add_scatter(x=t, y=[r.power_w for r in readings], name="power (W)", line=dict(color=plots.ORANGE),
                    line_shape="hv", hovertemplate="%{x:.1f} s: %{y:.1f} W<extra></extra>")
    fig.add_scatter(x=t, y=[r.energy_kwh * 1000 for r in readings], name="energy so far (Wh)", yaxis="y2",
                    line=dict(color=plots.BLUE), line_shape="hv",  # codecarbon adds energy once per sample
                    hovertemplate="%{x:.1f} s: %{y:.3g} Wh<extra></extra>")
    fig.update_layout(xaxis_title="seconds since the run started", yaxis=dict(title="power (W)", rangemode="tozero"),
                      yaxis2=dict(title="energy so far (Wh)", overlaying="y", side="right", rangemode="tozero",
                                  showgrid=False, tickformat=".2g"),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), height=380, margin_r=70)
    return plots.finish(fig, provenance)


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
        t = [r.elapsed_s for r in readings]
        with self.figure.batch_update():
            self.figure.data[0].update(x=t, y=[r.power_w for r in readings])
            self.figure.data[1].update(x=t, y=[r.energy_kwh * 1000 for r in readings])
        return self.figure


def extrapolation_figure(runs: pd.DataFrame, fit: EnergyFit, target_flops: float, target_label: str,
                         published_kwh: float | None, provenance: Provenance) -> go.Figure:
    """Our runs (points by demo), the fitted line over their range (solid) and beyond it (dashed) to a target."""
    from core import plots

    fig = plots.figure(title="Energy vs compute: our runs, the fit, and how far it is pushed (log-log)")
    usable = runs[(runs["train_flops"] > 0) & (runs["energy_kwh"] > 0)]
    for i, (demo, group) in enumerate(usable.groupby("demo", sort=True)):
        fig.add_scatter(x=group["train_flops"], y=group["energy_kwh"], mode="markers", name=f"measured: {demo}",
                        marker=dict(color=plots.PALETTE[i % len(plots.PALETTE)], size=10),
                        text=group["label"], hovertemplate="%{text}<br>%{x:.3g} FLOPs, %{y:.3g} kWh<extra></extra>")
    low, high = fit.flops_range
    inside = np.logspace(math.log10(low), math.log10(high), 20)
    fig.add_scatter(x=inside, y=[fit.predict_kwh(f) for f in inside], mode="lines", name="fit (within our runs)",
                    line=dict(color=plots.BLACK, width=2), hoverinfo="skip")
    beyond = np.logspace(math.log10(high), math.log10(max(target_flops, high)), 20)
    fig.add_scatter(x=beyond, y=[fit.predict_kwh(f) for f in beyond], mode="lines",
                    name="extrapolation (not a measurement)", line=dict(color=plots.GREY, width=2, dash="dash"),
                    hoverinfo="skip")
    fig.add_scatter(x=[target_flops], y=[fit.predict_kwh(target_flops)], mode="markers+text",
                    name=f"extrapolated: {target_label}", marker=dict(color=plots.GREY, size=12, symbol="x"),
                    text=[f"{fit.predict_kwh(target_flops):,.3g} kWh "], textposition="middle left")
    if published_kwh:
        fig.add_scatter(x=[target_flops], y=[published_kwh], mode="markers+text", name=f"published: {target_label}",
                        marker=dict(color=plots.ORANGE, size=13, symbol="diamond"),
                        text=[f"{published_kwh:,.3g} kWh "], textposition="middle left")
    fig.update_xaxes(type="log", title_text="training compute (FLOPs, log scale)", exponentformat="power")
    fig.update_yaxes(type="log", title_text="energy (kWh, log scale)", exponentformat="power")
    fig.update_layout(height=520, legend=dict(x=0.99, xanchor="right", y=0.02, yanchor="bottom",
                                              bgcolor="rgba(255,255,255,0.85)"))
    return plots.finish(fig, provenance)


def accuracy_energy_figure(runs: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Test accuracy (%) vs energy (Wh, log axis) of every measured run that recorded an accuracy."""
    from core import plots

    usable = runs[runs["test_acc"].notna() & (runs["energy_kwh"] > 0)]
    fig = plots.figure(title="Accuracy vs energy: every model this lab trained")
    for i, (demo, group) in enumerate(usable.groupby("demo", sort=True)):
        fig.add_scatter(x=group["energy_kwh"] * 1000, y=group["test_acc"] * 100, mode="markers", name=demo,
                        marker=dict(color=plots.PALETTE[i % len(plots.PALETTE)], size=11), text=group["label"],
                        hovertemplate="%{text}<br>%{x:.3g} Wh, %{y:.1f} %<extra></extra>")
    fig.update_xaxes(type="log", title_text="energy of the training run (Wh, log scale)")
    fig.update_yaxes(title_text="test accuracy (%) on that demo's own task")
    fig.update_layout(height=460)
    return plots.finish(fig, provenance)
