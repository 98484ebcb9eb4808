"""What every benchmark script shares: timing, the machine line, and markdown rows for bench/RESULTS.md.

Benchmarks measure; they never assert a time (a timed test fails on a busy machine and says
nothing about the code). Each script prints a header line naming the machine and the date,
then markdown rows ``| figure | target | measured | how |`` to paste into ``bench/RESULTS.md``.

Usage, at the top of a script in ``bench/``::

    from common import REPO, machine, median_seconds, row, table_header  # bench/ is on sys.path
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # scripts run as `python bench/bench_<slug>.py` import core from the repo root
    sys.path.insert(0, str(REPO))


def machine() -> str:
    """The machine, the versions that matter and the date, for the line above a table of results."""
    import torch  # lazily: bench_load and bench_startup measure a server and keep torch out of their own process

    return (
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads); {datetime.date.today().isoformat()}"
    )


def load_average() -> tuple[float, bool]:
    """The 1-minute load average, and whether it is high enough (over half the cores busy) that the figures
    measured now are upper bounds: "under load", as the tables say."""
    load = os.getloadavg()[0]
    return load, load > 0.5 * (os.cpu_count() or 1)


def load_note() -> str:
    """``"; 1-min load 1.3"``, with ``" (UNDER LOAD)"`` after it when :func:`load_average` says so."""
    load, busy = load_average()
    return f"; 1-min load {load:.1f}" + (" (UNDER LOAD)" if busy else "")


def median_seconds(fn: Callable[[], object], repeat: int, warm_up: bool = True) -> float:
    """The median wall time of ``repeat`` calls of ``fn`` (after one untimed call when ``warm_up``)."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_ratio(fn_a: Callable[[], object], fn_b: Callable[[], object], repeat: int) -> tuple[float, ...]:
    """``fn_a``'s time over ``fn_b``'s, timed alternately: ``(median ratio, q25, q75, median a, median b)``.

    Timed one block after the other, whichever runs first is slower on a VM (measured:
    ours/torchattacks FGSM 1.10 when ours ran first, 0.94 when theirs did), so a ratio of two
    sequential blocks measures the order, not the code. Here each repeat times A and B back to
    back (A first on even repeats, B first on odd ones) and the ratio is taken within the pair,
    so slow drifts of the machine cancel; the quartiles of the pair ratios show the noise left.
    """
    fn_a(), fn_b()  # warm-up
    times_a, times_b = [], []
    for i in range(repeat):
        for fn, times in ((fn_a, times_a), (fn_b, times_b)) if i % 2 == 0 else ((fn_b, times_b), (fn_a, times_a)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(times_a, times_b)]
    q25, _, q75 = statistics.quantiles(ratios, n=4)
    return statistics.median(ratios), q25, q75, statistics.median(times_a), statistics.median(times_b)


def table_header() -> None:
    """Print the columns every benchmark table has."""
    print("| figure | target | measured | how |")
    print("|---|---|---|---|")


def row(figure: str, target: str, measured: str, how: str) -> None:
    """Print one result as a markdown row."""
    print(f"| {figure} | {target} | {measured} | {how} |")


def ms(seconds: float) -> str:
    """Seconds as milliseconds, one decimal."""
    return f"{seconds * 1000:.1f} ms"


def markdown(frame) -> str:
    """A DataFrame as a markdown table (pandas' ``to_markdown`` needs tabulate, not a lab dependency)."""
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += [
        "| " + " | ".join(f"{v:.1%}" if isinstance(v, float) else str(v) for v in r) + " |"
        for r in frame.itertuples(index=False)
    ]
    return "\n".join(lines)
