"""Catastrophic forgetting (issue #18). Thin page: widgets -> core.demos.forgetting -> charts.

Two tabs; only the open one runs. Each trains on its Train button (ui.runs.train_gate), once per configuration
for the whole server, and draws the curve being trained live while it does.
"""

import time

import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.forgetting as fg  # noqa: E402  (after the guard: see ui.shell)
from core import plots  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import train_gate  # noqa: E402
from ui.shell import aside, header, page_key, presenter, seed, tabs  # noqa: E402

SLUG = "forgetting"
key = page_key(SLUG)
LIVE_REDRAW_S = 0.3  # the live chart is redrawn at most ~3 times a second: each draw is a message to every browser


def live_chart(config: fg.ForgettingConfig):
    """A placeholder, and the callback that redraws the run being trained into it (core calls it as it measures)."""
    holder, drawn = st.empty(), {"at": 0.0, "count": 0}
    prov = fg.figures.provenance(config, "live, while training")

    def draw(label: str, curve: list[dict]) -> None:
        if time.perf_counter() - drawn["at"] < LIVE_REDRAW_S:
            return
        drawn["at"], drawn["count"] = time.perf_counter(), drawn["count"] + 1
        fig = plots.for_screen(fg.figures.live_figure(label, curve, config, prov), presenter(), charts.dark_theme())
        holder.plotly_chart(fig, key=key(f"live.{drawn['count']}"))  # a new key per draw: one chart in the holder

    return draw


def forgetting_tab() -> None:
    aside(
        "Vitay (deck 001): *if you learn A then B, you forget A*. One network with ten outputs learns task A "
        "(five kinds of clothing), then task B (the other five), with nothing done to keep A. Its accuracy on "
        "held-out images of both tasks is measured every few batches."
    )
    boundary = st.slider(
        "Classes in task A (task B gets the rest)",
        1,
        9,
        5,
        key=key("boundary"),
        bind="query-params",
        help="Task A = classes 0 … k−1, task B = classes k … 9 of Fashion-MNIST.",
    )
    config = fg.ForgettingConfig(boundary=boundary, seed=seed())
    live = live_chart(config)
    runs = train_gate(
        SLUG,
        fg.jobs(config, [fg.Remedy()], live),
        button=f"Train A, then B (≈ {fg.PRESET_SECONDS} s on 2 cores)",
        note=f"Train an MLP on task A ({config.split.describe()}), then the same network on task B, "
        f"{config.epochs} epochs each: what is left of A?",
    )
    if not runs:
        return
    phase_a, run = runs
    st.caption(f"Task A: {phase_a.result.summary()} · task B: {run.results[-1].summary()}")
    cols = st.columns(4)
    cols[0].metric("Task A, after learning A", f"{phase_a.acc_a:.0%}")
    cols[1].metric(
        "Task A, after learning B", f"{run.acc_a:.0%}", delta=f"{100 * (run.acc_a - phase_a.acc_a):+.0f} points"
    )
    cols[2].metric("Task B, after learning B", f"{run.acc_b:.0%}")
    cols[3].metric("Majority-class baseline (A∪B)", f"{run.majority:.0%}")
    if boundary in (1, 9):
        one = "A" if boundary == 1 else "B"
        st.info(
            f"Task {one} has a single class: a network that always gives that answer is 100 % right on it, "
            "so there is nothing to learn there — but it is forgotten all the same."
        )
    prov = fg.figures.provenance(config)
    title = f"Task A: {phase_a.acc_a:.0%} after A, {run.acc_a:.0%} after B"
    charts.chart(
        fg.figures.curves_figure(run.curve, run.b_starts, title, prov),
        fg.figures.curve_frame(run),
        prov,
        "forgetting_curves",
    )
    st.markdown(
        f"**{fg.figures.share_called_b(run):.0%} of task A's test images are now called one of B's classes.** "
        "Nothing in B's loss asks the network to keep A's answers, so it learns that the answer is always B."
    )
    classes = fg.tasks.split(config.split).a_test.classes
    charts.chart(
        fg.figures.confusion_figure(run, classes, prov),
        fg.figures.confusion_frame(run, classes),
        prov,
        "forgetting_confusion",
    )
    show_code(fg.sequential.train_b, fg.sequential.recorder)


def remedies_tab() -> None:
    aside(
        "Three remedies, each one more training: **replay** mixes k old images of A into B's training set; "
        "**EWC** (Kirkpatrick et al. 2017) holds the weights that mattered for A on springs of stiffness λ·F; "
        "**joint** training on A and B together is the upper bound (not continual learning at all)."
    )
    left, right = st.columns(2)
    replay = left.slider(
        "Replay buffer: images of A kept",
        0,
        fg.remedies.MAX_REPLAY,
        fg.PRESET_REPLAY,
        100,
        key=key("replay"),
        bind="query-params",
    )
    lam = right.select_slider(
        "EWC's λ",
        fg.LAMBDAS,
        fg.PRESET_LAMBDA,
        key=key("ewc_lambda"),
        bind="query-params",
        format_func=fg.remedies.lambda_label,
    )
    config = fg.ForgettingConfig(seed=seed())
    remedies = fg.preset_remedies(replay, lam)
    live = live_chart(config)
    runs = train_gate(
        SLUG,
        fg.jobs(config, remedies, live),
        button=f"Train the remedies (≈ {fg.REMEDIES_SECONDS} s on 2 cores)",
        note="Train task A once, then task B three ways (nothing, EWC, replay), and a fresh network on A and B "
        "together.",
        key="train_remedies",
    )
    if not runs:
        return
    results = fg.figures.order(runs[1:])
    by_kind = {run.remedy.kind: run for run in results}
    st.markdown("**What is left of task A after task B**")
    cols = st.columns(4)
    short = {"none": "No remedy", "ewc": "EWC", "replay": "Replay", "joint": "Joint (upper bound)"}
    for col, kind in zip(cols, short):
        # Short labels: the full remedy names ran out of a quarter of the screen in presenter mode.
        col.metric(short[kind], f"{by_kind[kind].acc_a:.0%}", help=by_kind[kind].remedy.describe())
    table = fg.figures.results_table(results)
    charts.table(table, fg.figures.provenance(config).but(source=fg.figures.HSU_2018), "forgetting_table")
    st.caption(
        "Ours: Split Fashion-MNIST, **2 tasks** of 5 classes. Hsu et al. 2018 (published, Table 2): Split MNIST, "
        "**5 tasks** of 2 digits, accuracy over all ten digits after the last task. A network that forgets all "
        "but the last task scores about 1/(number of tasks): ~50 % over our two, ~20 % over their five."
    )
    prov = fg.figures.provenance(config)
    charts.chart(
        fg.figures.remedies_figure(results, prov), fg.figures.remedies_frame(results), prov, "forgetting_remedies"
    )
    if lam == 0 or replay == 0:
        st.info(
            "λ = 0 or an empty buffer is no remedy at all: that run is the same training as 'no remedy' "
            "(the same numbers)."
        )
    show_code(fg.remedies.fisher_diagonal, fg.remedies.ewc_penalty, fg.tasks.replay_buffer)


# ----------------------------------------------------------------------------- page

header(SLUG)
TABS = {"A, then B": forgetting_tab, "Remedies": remedies_tab}
tabs(SLUG, TABS)
