"""Benchmark of the forgetting demo: ``python bench/bench_forgetting.py``.

Prints markdown rows (figure | target | measured | how) for ``bench/RESULTS.md``: each tab's preset from the
click on Train to the result (AppTest: the whole page, the live chart drawn while it trains, caches cleared,
the carbon meter already started as a server starts it), each remedy's training alone, a slider move on a
trained view, and the replay buffer's memory; then our numbers beside Hsu et al. 2018's. Medians; nothing
asserts a time. ``--threads 1`` runs torch with one thread (see the note printed with the results).
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import REPO, load_note, machine, median_seconds, row, table_header  # bench/ is on sys.path

import core.demos.forgetting as fg
from core.demos.forgetting import figures, sequential, tasks


def click_to_result(tab: str, repeat: int = 3) -> list[float]:
    """Seconds from pressing the tab's Train button to the finished page, on a fresh store each time."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    times = []
    for _ in range(repeat):
        st.cache_resource.clear()
        st.cache_data.clear()
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
        app.query_params["forgetting.tab"] = tab
        app.switch_page("pages/forgetting.py")
        app.run()
        button = next(b for b in app.button if b.label.startswith("Train"))
        start = time.perf_counter()
        button.click().run()
        times.append(time.perf_counter() - start)
        assert not app.exception, [e.value for e in app.exception]
    st.cache_resource.clear()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    import torch

    from core import carbon

    if args.threads:
        torch.set_num_threads(args.threads)
    carbon.warm_up_in_background().join()  # a server pays the meter's first start at launch (ui.shell)
    print(machine() + "\n")
    busy = load_note()
    table_header()
    for tab, target in (("A, then B", "≤ 10 s"), ("Remedies", "≤ 10 s")):
        times = click_to_result(tab)
        row(
            f"'{tab}' preset, click on Train to result",
            target,
            f"{statistics.median(times):.1f} s ({min(times):.1f} – {max(times):.1f})",
            f"AppTest, live chart drawn, median of 3, torch threads {torch.get_num_threads()}{busy}",
        )
    config = fg.ForgettingConfig()
    phase_a = sequential.train_a(config)
    row("task A alone", "", f"{median_seconds(lambda: sequential.train_a(config), 3):.2f} s", f"fit + curve{busy}")
    for remedy in fg.preset_remedies():
        run = (lambda: sequential.train_joint(config)) if remedy.kind == "joint" else (
            lambda remedy=remedy: sequential.train_b(phase_a, remedy))  # fmt: skip
        row(f"remedy: {remedy.describe()}", "", f"{median_seconds(run, 3):.2f} s", f"after A (cached){busy}")
    runs = [sequential.train_b(phase_a, r) for r in fg.preset_remedies()[:3]] + [sequential.train_joint(config)]
    prov = figures.provenance(config)

    def redraw() -> None:  # a trained view drawn again (a slider moved back to a trained setting)
        figures.results_table(figures.order(runs))
        figures.remedies_figure(figures.order(runs), prov)
        figures.curves_figure(runs[0].curve, runs[0].b_starts, "t", prov)
        figures.confusion_figure(runs[0], tasks.split(config.split).a_test.classes, prov)

    row("redraw a trained view (table + 3 figures)", "≤ 200 ms", f"{median_seconds(redraw, 7) * 1000:.0f} ms", busy[2:])
    buffer = tasks.replay_buffer(tasks.split(config.split).a_train, fg.remedies.MAX_REPLAY, 0)
    row("replay buffer of 1,000 images", "", f"{buffer.pixels.nbytes / 1e6:.2f} MB", "uint8 pixels + int64 labels")
    print()
    for run in figures.order(runs):
        kind = run.remedy.kind
        print(
            f"- {run.remedy.describe()}: A {run.acc_a:.1%}, B {run.acc_b:.1%}, A∪B {run.acc_both:.1%} "
            f"(Hsu et al. 2018, Split MNIST 5 tasks, {figures.HSU_NAMES[kind]}: {figures.HSU_PUBLISHED[kind]} %)"
        )
    print(f"- task A after A: {phase_a.acc_a:.1%}; majority class of A∪B test: {runs[0].majority:.1%}")


if __name__ == "__main__":
    main()
