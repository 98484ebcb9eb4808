"""The page's figures and table: the curves (A collapses when B starts), the remedies side by side, the confusion matrix.

Colours: task A vermilion, task B blue on the curves; on the remedies' figure one colour per remedy, A solid and
B dotted. Published numbers (Hsu et al. 2018) sit in the table beside ours, labelled with their setting.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.demos.forgetting import sequential
from core.demos.forgetting.sequential import ForgettingRun
from core.provenance import Provenance

CHANCE = 0.1  # ten outputs: guessing at random is right once in ten
REMEDY_COLOURS = {"none": plots.VERMILION, "replay": plots.GREEN, "ewc": plots.ORANGE, "joint": plots.BLUE}

HSU_2018 = (
    "Hsu, Liu, Ramasamy & Kira 2018, 'Re-evaluating continual learning scenarios: a categorization and case for "
    "strong baselines', NeurIPS Continual Learning workshop (arXiv:1810.12488), Table 2, Split MNIST, "
    "'incremental class' column"
)
# Their Table 2, class-incremental Split MNIST: 5 tasks of 2 digits, an MLP 2x400, average accuracy over all ten
# digits after the last task (%). Adam's and EWC's agree with the authors' own logs in their code release
# (GT-RIPL/Continual-Learning-Benchmark, outputs/split_MNIST_incremental_class/Adam.log and EWC.log: 19.73 %
# and 19.77 % per run). Naive rehearsal and offline are the figures, not re-checked against the PDF.
HSU_PUBLISHED = {"none": 19.71, "ewc": 19.80, "replay": 90.78, "joint": 97.53}
HSU_NAMES = {"none": "Adam", "ewc": "EWC", "replay": "Naive rehearsal", "joint": "Offline (joint)"}


def curves_figure(
    curve: list[dict], b_starts: int | None, title: str, provenance: Provenance, total_steps: int | None = None
) -> go.Figure:
    """Accuracy on A's and B's held-out images against the batches trained, with where B starts and chance.

    ``curve``: the run's points (``step, acc_a, acc_b``); ``total_steps`` fixes the x range while a run is still
    being drawn, so the axis does not grow under the audience's eyes.
    """
    steps = [p["step"] for p in curve]
    fig = plots.figure(
        title=title,
        xaxis=dict(title="batches trained", range=[0, total_steps or max(steps[-1], 1)]),
        yaxis=dict(title="test accuracy (%)", range=[0, 102]),
        legend_below=True,
        margin_t=70,
    )
    if b_starts is not None:
        fig.add_vrect(x0=b_starts, x1=total_steps or steps[-1], fillcolor=plots.GREY, opacity=0.10, line_width=0)
        fig.add_vline(x=b_starts, line=dict(color=plots.GREY, width=2, dash="dash"))
        fig.add_annotation(x=b_starts, y=100, text=" task B starts", showarrow=False, xanchor="left", yanchor="top")
    fig.add_scatter(
        x=steps,
        y=[100 * p["acc_a"] for p in curve],
        mode="lines",
        name="task A (old classes)",
        line_color=plots.VERMILION,
    )
    fig.add_scatter(
        x=steps, y=[100 * p["acc_b"] for p in curve], mode="lines", name="task B (new classes)", line_color=plots.BLUE
    )
    fig.add_scatter(
        x=[0, total_steps or steps[-1]],
        y=[100 * CHANCE] * 2,
        mode="lines",
        name="chance (10 classes)",
        line=dict(color=plots.GREY, dash="dot"),
    )
    return plots.finish(fig, provenance)


def live_figure(label: str, curve: list[dict], config, provenance: Provenance) -> go.Figure:
    """The curve of the run being trained (``label``, e.g. "Task A"), drawn while it trains, on its final x axis."""
    a_steps, total = sequential.planned_steps(config)
    joint = bool(curve) and curve[-1]["phase"] == "joint"
    title = f"Training now: {label}" + ("" if joint else " (A, then B)")
    return curves_figure(curve, None if joint else a_steps, title, provenance, max(total, curve[-1]["step"]))


def provenance(config, what: str = "") -> Provenance:
    """What our numbers are: measured, this MLP, this split of the shipped Fashion-MNIST, this seed."""
    split = config.split
    data = (
        f"Split Fashion-MNIST (shipped 10k), {split.describe()}; up to {split.n_train:,} training and "
        f"{split.n_test:,} test images per task"
    )
    return Provenance(
        "measured",
        model=f"MLP(784-{config.hidden}-{config.hidden}-10), Adam lr {config.lr:g}, {config.epochs} epochs per task",
        data=data + (f"; {what}" if what else ""),
        seed=config.seed,
    )


def curve_frame(run: ForgettingRun) -> pd.DataFrame:
    """The run's points as a table (the CSV behind the curves), accuracies in %."""
    frame = pd.DataFrame(run.curve)
    return frame.assign(acc_a=100 * frame.acc_a, acc_b=100 * frame.acc_b).rename(
        columns={"acc_a": "task A accuracy (%)", "acc_b": "task B accuracy (%)"}
    )


def remedies_frame(runs: list[ForgettingRun]) -> pd.DataFrame:
    """Every remedy's points, one row per measurement (the CSV behind the remedies' figure)."""
    return pd.concat([curve_frame(run).assign(remedy=run.remedy.describe()) for run in runs], ignore_index=True)


def confusion_frame(run: ForgettingRun, class_names: tuple[str, ...]) -> pd.DataFrame:
    """The confusion matrix as a table: one row per true class, one column per predicted class (counts)."""
    names = [f"{i} {name}" for i, name in enumerate(class_names)]
    return (
        pd.DataFrame(run.confusion.numpy(), columns=names)
        .assign(true_class=names)
        .set_index("true_class")
        .reset_index()
    )


def remedies_figure(runs: list[ForgettingRun], provenance: Provenance) -> go.Figure:
    """Task A's accuracy (solid) and task B's (dotted) for every remedy, on one time axis."""
    b_starts = next((r.b_starts for r in runs if r.b_starts is not None), None)
    fig = plots.figure(
        title="What each remedy keeps of task A (solid) while it learns task B (dotted)",
        xaxis_title="batches trained",
        yaxis=dict(title="test accuracy (%)", range=[0, 102]),
        legend_below=True,
        margin_t=70,
        margin_b=plots.LEGEND_BELOW_MARGIN + 40,  # up to eight entries: three rows of legend
    )
    if b_starts is not None:
        fig.add_vline(x=b_starts, line=dict(color=plots.GREY, width=2, dash="dash"))
        fig.add_annotation(x=b_starts, y=100, text=" task B starts", showarrow=False, xanchor="left", yanchor="top")
    for run in runs:
        colour, steps = REMEDY_COLOURS[run.remedy.kind], [p["step"] for p in run.curve]
        name = run.remedy.describe()
        fig.add_scatter(
            x=steps, y=[100 * p["acc_a"] for p in run.curve], mode="lines", name=f"{name}: A", line=dict(color=colour)
        )
        fig.add_scatter(
            x=steps,
            y=[100 * p["acc_b"] for p in run.curve],
            mode="lines",
            name=f"{name}: B",
            line=dict(color=colour, dash="dot", width=2),
        )
    return plots.finish(fig, provenance)


def confusion_figure(run: ForgettingRun, class_names: tuple[str, ...], provenance: Provenance) -> go.Figure:
    """The confusion matrix on A's and B's test images after the run: rows the true class, columns the answer.

    After plain A-then-B training, A's rows (the top) are empty on the left: every A image is called a B class.
    """
    counts = run.confusion.numpy()
    names = [f"{i} {name}" for i, name in enumerate(class_names)]
    fig = plots.figure(
        title=f"After task B ({run.remedy.describe()}): what each test image is called",
        xaxis=dict(title="predicted class", tickangle=-45, side="bottom"),
        yaxis=dict(title="true class", autorange="reversed"),
        height=620,
        margin_t=70,
    )
    fig.add_heatmap(
        z=counts,
        x=names,
        y=names,
        colorscale=plots.SEQUENTIAL,
        text=counts,
        texttemplate="%{text}",
        hovertemplate="true %{y}<br>called %{x}: %{z}<extra></extra>",
        colorbar_title="images",
    )
    boundary = run.config.boundary - 0.5
    if run.config.variant == "classes":  # the border between A's classes and B's
        for kind in ("x", "y"):
            line = dict(type="line", line=dict(color=plots.PINK, width=3))
            if kind == "x":
                fig.add_shape(**line, x0=boundary, x1=boundary, y0=-0.5, y1=9.5)
            else:
                fig.add_shape(**line, x0=-0.5, x1=9.5, y0=boundary, y1=boundary)
    return plots.finish(fig, provenance)


def share_called_b(run: ForgettingRun) -> float:
    """The share of task A's test images that the final network calls one of B's classes, in [0, 1]."""
    a_rows = run.confusion[: run.config.boundary]
    return float(a_rows[:, run.config.boundary :].sum() / a_rows.sum())


def results_table(runs: list[ForgettingRun]) -> pd.DataFrame:
    """One row per remedy: ours on A, B and A∪B (Split Fashion-MNIST, 2 tasks) beside Hsu et al.'s (Split MNIST).

    The last rows are the baselines an accuracy must clear: the majority class of A∪B's test images, and chance.
    """
    rows = [
        {
            "method": run.remedy.describe(),
            "ours: task A (%)": round(100 * run.acc_a, 1),
            "ours: task B (%)": round(100 * run.acc_b, 1),
            "ours: A∪B (%)": round(100 * run.acc_both, 1),
            "Hsu et al. 2018: Split MNIST, 5 tasks (%)": HSU_PUBLISHED[run.remedy.kind],
            "published method": HSU_NAMES[run.remedy.kind],
        }
        for run in runs
    ]
    majority = runs[0].majority if runs else float("nan")
    for name, value in (("majority class of the A∪B test images", majority), ("chance (10 classes)", CHANCE)):
        rows.append(
            {
                "method": name,
                "ours: task A (%)": None,
                "ours: task B (%)": None,
                "ours: A∪B (%)": round(100 * value, 1),
                "Hsu et al. 2018: Split MNIST, 5 tasks (%)": 10.0 if "chance" in name else None,
                "published method": "",
            }
        )
    return pd.DataFrame(rows)


def order(runs: list[ForgettingRun]) -> list[ForgettingRun]:
    """Runs in the table's order: none, EWC, replay, joint (worst to best in every published table)."""
    rank = {kind: i for i, kind in enumerate(("none", "ewc", "replay", "joint"))}
    return sorted(runs, key=lambda run: rank[run.remedy.kind])
