"""Benchmark of the CO2 demo: ``python bench/bench_carbon.py [--repeats 5] [--reference]``.

Two questions from issue #6, each answered by timing the same training with and without
the thing under test, in pairs (A B, then B A ...: ``common.paired_ratio``) so slow drifts of
the machine hit both:

1. **Tracking overhead** — the page's "Lecture" workload trained by ``core.training.fit``
   with codecarbon's offline tracker (1 s sampling) vs with no tracker at all (the
   factory raises, so ``measure`` records "not measured" and nothing samples).
2. **Live chart cost** — the same tracked training with the page's live-chart callback
   (``LiveTrace`` + ``LiveChart.update`` + serialise the figure to JSON, which is what
   ``st.plotly_chart`` sends, at most every 0.5 s) vs with no callback. Also reports
   how often the chart was redrawn (target: at least once a second).

3. **Reference set** (``--reference``) — wall time of ``workloads.measure_reference``, the
   five seeded trainings the CO2 page's energy fit is made on, with each workload's own time
   and energy, and the slope of the fit with its 95 % confidence interval: run it a few times
   to see how much the slope moves between measurements.

Prints markdown rows for ``bench/RESULTS.md``; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from common import machine, paired_ratio, row, table_header  # puts the repo root on sys.path

os.environ.setdefault("DLLAB_DATA_DIR", tempfile.mkdtemp(prefix="bench_carbon_"))  # keep the real ledger clean

import plotly.io as pio  # noqa: E402

from core import carbon  # noqa: E402
from core.demos.carbon import fit, workloads  # noqa: E402
from core.demos.carbon.live import LiveChart, LiveTrace  # noqa: E402
from core.provenance import Provenance  # noqa: E402

WORKLOAD = workloads.PRESETS["Lecture (M, 2 epochs, 8k images)"]


def no_tracker(_country: str):
    raise RuntimeError("tracking switched off for the benchmark")


def train(tracked: bool, live_chart: bool) -> tuple[float, int, float]:
    """(seconds of fit, chart redraws, seconds spent drawing) for one training of WORKLOAD."""
    carbon.tracker_factory = carbon._new_tracker if tracked else no_tracker
    trace = LiveTrace(redraw_every_s=0.5)
    chart = LiveChart("live", Provenance("estimated", model="bench"))
    redraws, drawing = 0, 0.0

    def on_progress(step, total, metrics):
        nonlocal redraws, drawing
        if metrics.get("redraw") and trace.readings:
            t = time.perf_counter()
            pio.to_json(chart.update(trace.readings))
            drawing += time.perf_counter() - t
            redraws += 1

    run = workloads.train_workload(WORKLOAD, on_progress if live_chart else None, trace)
    return run.result.seconds, redraws, drawing


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f} – {max(values):.2f})"


def reference(repeats: int) -> None:
    """Time the reference set ``repeats`` times (each a fresh measurement) and fit each one."""
    carbon.tracker_factory = carbon._new_tracker
    totals, slopes = [], []
    for repeat in range(repeats):
        t = time.perf_counter()
        runs = workloads.measure_reference(seed=0)
        totals.append(time.perf_counter() - t)
        energy_fit = fit.fit_energy(fit.reference_points(fit.runs_frame(runs), 0))
        low, high = energy_fit.slope_ci()
        slopes.append(energy_fit.slope)
        each = "; ".join(
            f"{run.workload.size}·{run.workload.epochs}·{run.workload.train_images // 1000}k "
            f"{run.result.seconds:.2f} s {run.result.carbon.energy_kwh or 0:.2e} kWh"
            for run in runs
        )
        row(f"set {repeat + 1}", "", f"slope {energy_fit.slope:.2f} (95 % CI {low:.2f} – {high:.2f})", each)
    row("reference set, wall time", "≤ 10 s", spread(totals), "workloads.measure_reference, seed 0")
    slope_range = f"{statistics.median(slopes):.2f} ({min(slopes):.2f} – {max(slopes):.2f})"
    row(f"slope across the {repeats} sets", "", slope_range, "median (min – max)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reference", action="store_true", help="time the CO2 page's reference set only")
    args = parser.parse_args()
    print(machine())
    carbon.active_method()  # pay codecarbon's one-off hardware probe before timing anything
    train(tracked=False, live_chart=False)  # warm-up: data loading, torch kernels
    if args.reference:
        table_header()
        reference(args.repeats)
        return
    print(f"workload: {WORKLOAD.describe()}, {args.repeats} pairs each\n")
    ratio, q25, q75, tracked_s, plain_s = paired_ratio(
        lambda: train(tracked=True, live_chart=False), lambda: train(tracked=False, live_chart=False), args.repeats
    )
    live_runs = []  # (seconds, redraws, drawing seconds) of each training with the live chart
    slow, s25, s75, live_s, quiet_s = paired_ratio(
        lambda: live_runs.append(train(tracked=True, live_chart=True)),
        lambda: train(tracked=True, live_chart=False),
        args.repeats,
    )
    rate = statistics.median(redraws / seconds for seconds, redraws, _ in live_runs)
    per_draw = statistics.median(drawing / redraws for _, redraws, drawing in live_runs if redraws)

    table_header()
    row("training without tracking", "", f"{plain_s:.2f} s", "median wall time of the untracked half of each pair")
    row("training with codecarbon (1 s sampling)", "", f"{tracked_s:.2f} s", "median wall time, tracked half")
    row(
        "tracking overhead",
        "≤ 3 %",
        f"{ratio - 1:+.1%} (IQR {q25 - 1:+.1%} – {q75 - 1:+.1%})",
        "median of the paired ratios tracked / untracked − 1",
    )
    row("tracked training, no live chart", "", f"{quiet_s:.2f} s", "median wall time")
    row("tracked training with the live chart", "", f"{live_s:.2f} s", "median wall time")
    row(
        "live chart slowdown",
        "≤ 5 %",
        f"{slow - 1:+.1%} (IQR {s25 - 1:+.1%} – {s75 - 1:+.1%})",
        "median of the paired ratios with / without the chart − 1",
    )
    row("chart redraws per second of training", "≥ 1 /s", f"{rate:.2f} /s", "redraws / fit seconds, median")
    row("cost of one redraw (update figure + JSON)", "", f"{per_draw * 1000:.1f} ms", "median over the runs")


if __name__ == "__main__":
    main()
