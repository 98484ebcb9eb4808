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

from core import carbon, workloads  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{datetime.date.today()} · {platform.platform()} · {os.cpu_count()} CPUs · torch {torch.__version__} "
          f"({torch.get_num_threads()} threads) · Python {platform.python_version()}")
    print(f"workload: {WORKLOAD.describe()}, {args.repeats} interleaved pairs each\n")
    carbon.active_method()  # pay codecarbon's one-off hardware probe before timing anything
    train(tracked=False, live_chart=False)  # warm-up: data loading, torch kernels

    plain, tracked = interleaved(dict(tracked=False, live_chart=False), dict(tracked=True, live_chart=False),
                                 args.repeats)
    t_plain, t_tracked = [r[0] for r in plain], [r[0] for r in tracked]
    overhead = statistics.median(t_tracked) / statistics.median(t_plain) - 1
    quiet, live = interleaved(dict(tracked=True, live_chart=False), dict(tracked=True, live_chart=True),
                              args.repeats)
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
    print(f"| live chart slowdown (ratio of medians − 1) | {slowdown:+.1%} | ≤ 5 % {'✔' if slowdown <= 0.05 else '✘'} |")
    print(f"| chart redraws per second of training | {rate:.2f} /s | ≥ 1 /s {'✔' if rate >= 1 else '✘'} |")
    print(f"| cost of one redraw (update figure + JSON) | {per_draw * 1000:.1f} ms | |")


if __name__ == "__main__":
    main()
