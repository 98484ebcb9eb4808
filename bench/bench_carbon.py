"""Benchmark of the CO2 demo: ``python bench/bench_carbon.py [--repeats 5]``.

Two questions from issue #6, each answered by timing the same training with and without
the thing under test, interleaved (A B A B ...) so slow drifts of the machine hit both:

1. **Tracking overhead** — the page's "Lecture" workload trained by ``core.training.fit``
   with codecarbon's offline tracker (1 s sampling) vs with no tracker at all (the
   factory raises, so ``measure`` records "not measured" and nothing samples).
2. **Live chart cost** — the same tracked training with the page's live-chart callback
   (``LiveTrace`` + ``LiveChart.update`` + serialise the figure to JSON, which is what
   ``st.plotly_chart`` sends, at most every 0.5 s) vs with no callback. Also reports
   how often the chart was redrawn (target: at least once a second).

3. **Reference set** (``--reference``) — wall time of ``workloads.measure_reference``, the
   five seeded trainings the CO2 page's energy fit is made on (its button promises ≈ 10 s on
   2 cores), with each workload's own time and energy, and the slope of the fit with its 95 %
   confidence interval: run it a few times to see how much the slope moves between measurements.

Prints markdown rows for ``bench/RESULTS.md``; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DLLAB_DATA_DIR", tempfile.mkdtemp(prefix="bench_carbon_"))  # keep the real ledger clean

import plotly.io as pio  # noqa: E402
import torch  # noqa: E402

from core import carbon  # noqa: E402
from core.demos.carbon import workloads  # noqa: E402
from core.provenance import Provenance  # noqa: E402

WORKLOAD = workloads.PRESETS["Lecture (M, 2 epochs, 8k images)"]


def no_tracker(_country: str):
    raise RuntimeError("tracking switched off for the benchmark")


def train(tracked: bool, live_chart: bool) -> tuple[float, int, float]:
    """(wall seconds of fit, chart redraws, seconds spent drawing) for one training of WORKLOAD."""
    carbon.tracker_factory = carbon._new_tracker if tracked else no_tracker
    trace = workloads.LiveTrace(redraw_every_s=0.5)
    chart = workloads.LiveChart("live", Provenance("estimated", model="bench"))
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


def interleaved(a: dict, b: dict, repeats: int) -> tuple[list, list]:
    results_a, results_b = [], []
    for _ in range(repeats):
        results_a.append(train(**a))
        results_b.append(train(**b))
    return results_a, results_b


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
        frame = workloads.runs_frame(runs)
        frame["label"] = [run.label for run in runs if run.result.carbon.is_measured]
        fit = workloads.fit_energy(workloads.reference_points(frame, 0))
        low, high = fit.slope_ci()
        slopes.append(fit.slope)
        print(
            f"| set {repeat + 1}: "
            + "; ".join(
                f"{run.workload.size}·{run.workload.epochs}·{run.workload.train_images // 1000}k "
                f"{run.result.seconds:.2f} s {run.result.carbon.energy_kwh or 0:.2e} kWh"
                for run in runs
            )
            + f" | slope {fit.slope:.2f} (95 % CI {low:.2f} – {high:.2f}) |"
        )
    within = "✔" if statistics.median(totals) <= 10 else "✘"
    print(f"| reference set, wall time (measure_reference) | {spread(totals)} | ≤ 10 s {within} |")
    print(
        f"| slope across the {repeats} sets | {statistics.median(slopes):.2f} "
        f"({min(slopes):.2f} – {max(slopes):.2f}) | |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reference", action="store_true", help="time the CO2 page's reference set only")
    args = parser.parse_args()
    print(
        f"{datetime.date.today()} · {platform.platform()} · {os.cpu_count()} CPUs · torch {torch.__version__} "
        f"({torch.get_num_threads()} threads) · Python {platform.python_version()}"
    )
    if args.reference:
        carbon.active_method()  # codecarbon's one-off probe, and a warm-up of data loading and kernels
        train(tracked=False, live_chart=False)
        print("| figure | measured | target |\n|---|---|---|")
        reference(args.repeats)
        return
    print(f"workload: {WORKLOAD.describe()}, {args.repeats} interleaved pairs each\n")
    carbon.active_method()  # pay codecarbon's one-off hardware probe before timing anything
    train(tracked=False, live_chart=False)  # warm-up: data loading, torch kernels

    plain, tracked = interleaved(
        dict(tracked=False, live_chart=False), dict(tracked=True, live_chart=False), args.repeats
    )
    t_plain, t_tracked = [r[0] for r in plain], [r[0] for r in tracked]
    overhead = statistics.median(t_tracked) / statistics.median(t_plain) - 1
    quiet, live = interleaved(dict(tracked=True, live_chart=False), dict(tracked=True, live_chart=True), args.repeats)
    t_quiet, t_live = [r[0] for r in quiet], [r[0] for r in live]
    slowdown = statistics.median(t_live) / statistics.median(t_quiet) - 1
    rate = statistics.median(r[1] / r[0] for r in live)
    per_draw = statistics.median(r[2] / r[1] for r in live if r[1])

    print("| figure | measured | target |\n|---|---|---|")
    print(f"| training without tracking | {spread(t_plain)} | |")
    print(f"| training with codecarbon (1 s sampling) | {spread(t_tracked)} | |")
    print(f"| tracking overhead (ratio of medians − 1) | {overhead:+.1%} | ≤ 3 % {'✔' if overhead <= 0.03 else '✘'} |")
    print(f"| tracked training, no live chart | {spread(t_quiet)} | |")
    print(f"| tracked training with the live chart | {spread(t_live)} | |")
    print(
        f"| live chart slowdown (ratio of medians − 1) | {slowdown:+.1%} | ≤ 5 % {'✔' if slowdown <= 0.05 else '✘'} |"
    )
    print(f"| chart redraws per second of training | {rate:.2f} /s | ≥ 1 /s {'✔' if rate >= 1 else '✘'} |")
    print(f"| cost of one redraw (update figure + JSON) | {per_draw * 1000:.1f} ms | |")


if __name__ == "__main__":
    main()
