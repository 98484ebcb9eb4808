"""Benchmark of the compression demo: ``python bench/bench_compression.py``.

Prints markdown rows (figure | target | measured | how) for ``bench/RESULTS.md``: each Train button's work (the
teacher, the bits sweep, the pruning sweep, the students, the comparison), a slider move of each tab, and the
latencies with their spread. Then our numbers beside the papers'. Nothing asserts a time.
"""

from __future__ import annotations

import time

from common import load_average, machine, median_seconds, row, table_header  # bench/ is on sys.path

import core.demos.compression as cmp
from core.demos.compression import jobs, measure, prune, quantise, teacher
from core.training import SharedRuns


def main() -> None:
    print(machine() + "\n")
    load, loaded = load_average()
    busy = f" (UNDER LOAD: load average {load:.1f})" if loaded else ""
    table_header()
    store, config = SharedRuns(), teacher.TeacherConfig()
    for name, todo in (
        ("'Fewer bits': train + bits sweep", jobs.bits_jobs(config)),
        ("'Fewer weights': pruning sweep (model trained)", jobs.pruning_jobs(config)),
        ("'Fewer weights': fine-tune 90 % (button)", jobs.fine_tune_jobs(config, 0.9, "global")),
        ("'A smaller student': two students (button)", jobs.student_jobs(config, 4)),
        ("'One chart for all': measure every variant", jobs.compare_jobs(config)),
    ):
        start = time.perf_counter()
        results = [store.get_or_run(job.key, lambda job=job: job.run(store, None)) for job in todo]
        row(name, "≤ 10 s", f"{time.perf_counter() - start:.1f} s", f"one run{busy}")
    trained = results[0]
    amounts = iter([0.5, 0.6, 0.7, 0.8, 0.9, 0.95] * 5)
    s = median_seconds(lambda: prune.pruned_accuracy(trained.model, trained.test, next(amounts)), 5)
    row("pruning slider move (prune a copy + accuracy, per scope)", "≤ 1 s", f"{1000 * s:.0f} ms", f"median of 5{busy}")
    s = median_seconds(lambda: quantise.quantise_model(trained.model, 4, True), 5)
    row("quantise a copy (4 bits per channel)", "≤ 100 ms", f"{1000 * s:.0f} ms", f"median of 5{busy}")
    for name, model in (
        ("dense", trained.model),
        ("90 % zeros", prune.prune_model(trained.model, 0.9)),
        ("half the channels", prune.slim_channels(trained.model, 0.5)),
    ):
        lat = measure.latency(trained.model if name == "dense" else model, trained.test.images, min_run_time=0.5)
        row(
            f"latency, {name}, 1 image",
            "—",
            f"{1e6 * lat.median_s:.0f} µs ± {1e6 * lat.iqr_s / 2:.0f}",
            f"median{busy}",
        )
    print("\nOurs beside the papers' (settings differ: see the page)\n")
    frame = results[-1]
    print(frame.drop(columns=["energy_method", "note"]).to_string(index=False))  # to_markdown needs tabulate
    bits = store.peek(jobs.bits_key(config))
    print(bits.to_string(index=False))
    print(store.peek(jobs.pruning_key(config)).to_string(index=False))
    for paper, figure, what in cmp.PUBLISHED:
        print(f"- published: {paper}: {figure} {what}")


if __name__ == "__main__":
    main()
