"""Benchmark of the data-hunger demo: ``python bench/bench_data_hunger.py [--threads 1] [--repeat 3]``.

Prints markdown rows (figure | target | measured | how) for ``bench/RESULTS.md``: each preset from a cold page
(AppTest: the whole page, caches and stores cleared, the carbon meter already started as a server starts it),
from the click on Train to the drawn result; the full learning-curve sweep after the preset (its own button);
each kind of point alone; slider moves on trained views (what the page computes and draws). Then our exponents
beside Hestness et al.'s range, and what transfer buys. Medians; nothing asserts a time.

"""

from __future__ import annotations

import argparse
import statistics
import time

from common import REPO, load_note, machine, median_seconds, row, table_header  # bench/ is on sys.path

import core.demos.data_hunger as dh
from core.demos.data_hunger import curves, methods


def click_to_result(query: dict, button: str, repeat: int) -> list[float]:
    """Seconds from pressing ``button`` on a cold page opened with ``query`` to the finished page."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    times = []
    for _ in range(repeat):
        st.cache_resource.clear()
        st.cache_data.clear()
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
        for k, v in query.items():
            app.query_params[f"data_hunger.{k}"] = v
        app.switch_page("pages/data_hunger.py")
        app.run()
        start = time.perf_counter()
        next(b for b in app.button if b.label.startswith(button)).click().run()
        times.append(time.perf_counter() - start)
        assert not app.exception, [e.value for e in app.exception]
    return times


def full_sweep_after_preset() -> tuple[float, object]:
    """The full sweep's button pressed once the preset is trained (the points it adds), and the app after it."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=900)
    app.switch_page("pages/data_hunger.py")
    app.run()  # the preset is in the store from the last click_to_result
    start = time.perf_counter()
    next(b for b in app.button if b.label.startswith("Train the full sweep")).click().run()
    seconds = time.perf_counter() - start
    assert not app.exception, [e.value for e in app.exception]
    return seconds, app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import torch

    from core import carbon
    from ui.runs import page_runs

    if args.threads:
        torch.set_num_threads(args.threads)
    carbon.warm_up_in_background().join()  # a server pays the meter's first start at launch (ui.shell)
    print(machine() + "\n")
    busy = load_note()
    how = f"AppTest, cold page and store, median of {args.repeat}, torch threads {torch.get_num_threads()}{busy}"
    table_header()
    shots = click_to_result({"tab": "Few shots"}, "Train (", args.repeat)
    row("'Few shots' preset (k = 5, 3 draws), click to result", "≤ 10 s", spread(shots), how)
    preset = click_to_result({}, "Train (", args.repeat)
    row("'Learning curves' preset (2 methods × 6 sizes + backbone), click to result", "≤ 10 s", spread(preset), how)
    seconds, app = full_sweep_after_preset()
    row("full sweep (4 methods × 6 sizes × 3 draws) after the preset", "progress shown", f"{seconds:.0f} s", how)
    store = page_runs("data_hunger")
    points = dh.trained([store.peek(j.key) for j in dh.jobs(dh.FULL)])
    table = curves.frame(points)
    for method, part in table.groupby("method"):
        row(f"one point: {methods.METHODS[method]}", "", f"{part.seconds.median():.2f} s", f"median over 18 fits{busy}")
    backbone = store.peek(methods.backbone_key(0))
    row("the backbone (pretraining, once per seed)", "", f"{backbone.result.seconds:.1f} s", f"fit's own time{busy}")

    prov = methods.provenance(0)
    row(
        "redraw of the full curves (fit 4 power laws, 2 figures)",
        "≤ 200 ms",
        f"{1000 * median_seconds(lambda: (curves.exponents(table), dh.figures.learning_curves(table, prov)), 7):.0f} ms",
        f"median of 7{busy}",
    )
    for k in dh.SHOTS:  # the warm-up trains every k; a slider move to a trained k only redraws
        for job in dh.jobs(dh.FewShotConfig(k=k)):
            store.get_or_run(job.key, lambda job=job: job.run(store, None))
    shot_points = [store.peek(dh.point_key(p)) for k in dh.SHOTS for p in dh.FewShotConfig(k=k).points()]
    row(
        "k slider moved to a trained k (table + figure)",
        "≤ 200 ms",
        f"{1000 * median_seconds(lambda: dh.figures.few_shot(dh.shots_frame(shot_points), prov), 7):.0f} ms",
        f"median of 7{busy}",
    )
    print()
    for law in curves.exponents(table).itertuples():
        print(f"- {law.method}: b = {law.exponent_b:+.3f} (95 % CI {law.ci95_low:+.3f} … {law.ci95_high:+.3f})")
    print(f"- Hestness et al. 2017 (published range): {curves.HESTNESS_RANGE}")
    for slow in ("logistic", "cnn", "cnn_aug"):
        for n in (30, 100):
            match = curves.labels_to_match(table, slow, "transfer", n)
            print(f"- {methods.METHODS[slow]} needs ≈ {match and round(match)} labels for transfer's error at n = {n}")
    means = dh.shots_frame(shot_points).groupby(["k", "method"]).accuracy.agg(["mean", "min", "max"])
    print(means.round(3).to_string())
    print(f"- mean error per (method, n):\n{curves.summary(table).round(3).to_string()}")


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} s ({min(times):.1f} – {max(times):.1f})"


if __name__ == "__main__":
    main()
