"""Live: codecarbon's running totals (power, energy so far) drawn while a training runs, twice a second at most.

codecarbon samples power once a second in a background thread; :func:`core.training.fit` hands
its running totals (:class:`core.carbon.LiveReading`) to the progress callback after every batch.
:class:`LiveTrace` keeps a reading every 0.2 s and says when a redraw is due (at most every
0.5 s); :class:`LiveChart` builds the figure once and only feeds it new points, so drawing costs
the training almost nothing (measured in ``bench/bench_carbon.py``).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from core.carbon import LiveReading
from core.demos.carbon.lab_runs import codecarbon_name
from core.provenance import Provenance

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from core.demos.carbon.workloads import Workload


def live_provenance(workload: Workload) -> Provenance:
    """What the live chart of ``workload``'s run shows: codecarbon's running totals, measured or estimated.

    Estimated when codecarbon models the power instead of reading counters (a VM without RAPL:
    TDP x load), which :func:`core.carbon.active_method` says without waiting for its probe.
    """
    from core import carbon

    method = carbon.active_method(wait=False) or "estimated"
    return Provenance(
        "measured" if method.startswith("measured") else "estimated",
        model=f"{codecarbon_name()} running totals (1 s samples)",
        data=workload.describe(),
        seed=workload.seed,
    )


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


def energy_unit(kwh: float) -> tuple[str, float]:
    """The unit that shows ``kwh`` as a number >= 1 (mWh, Wh or kWh), and its factor from kWh."""
    for unit, factor in (("kWh", 1.0), ("Wh", 1e3)):
        if kwh * factor >= 1:
            return unit, factor
    return "mWh", 1e6


def readings_frame(readings: list[LiveReading]) -> pd.DataFrame:
    """The readings as a table (``elapsed_s, energy_kwh, power_w``), for the chart's CSV download."""
    import pandas as pd

    return pd.DataFrame([reading.__dict__ for reading in readings])


# --------------------------------------------------------------------------- the chart
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
        legend=plots.LEGEND_BELOW,
        height=420,
        margin_r=70,
        margin_b=plots.LEGEND_BELOW_MARGIN,
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
