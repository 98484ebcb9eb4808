"""The demo's pictures: original | change | adversarial, the top-5 bars, the ε-curves and the universal δ.

Every figure is a plotly ``Figure`` finished by :func:`core.plots.finish` (fonts, theme) with the
provenance of what it shows. Image panels are drawn ``image_px`` high: :data:`IMAGE_PX` in the
centred page, :data:`PRESENTER_IMAGE_PX` (≥ 300 px, for the back row) in presenter mode.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core import plots
from core.demos.adversarial.curves import GOODFELLOW_EPS, GOODFELLOW_ERROR
from core.demos.adversarial.single import amplification, change_wording
from core.provenance import Provenance


def _rgb(image: torch.Tensor) -> np.ndarray:
    """``(C, H, W)`` in [0, 1] -> ``(H, W, 3)`` uint8 for ``go.Image`` (grey repeated to RGB)."""
    image = image.expand(3, -1, -1) if image.shape[0] == 1 else image
    return (image.clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)


IMAGE_PX = 230  # side of each image panel in the normal view (the centred page is ~700 px wide)
PRESENTER_IMAGE_PX = 320  # presenter mode: >= 300 px, legible from the back row (issue #13)
_TITLE_PX = 80  # room above an image for a subplot title of up to two lines


def triptych_figure(
    original: torch.Tensor,
    adversarial: torch.Tensor,
    titles: tuple[str, str],
    provenance: Provenance,
    image_px: int = IMAGE_PX,
) -> go.Figure:
    """Original | change | adversarial, ``(C, H, W)`` each, every panel ``image_px`` high.

    The middle panel is the change scaled by :func:`amplification` around mid-grey (grey =
    unchanged); its title says whether that amplified or toned it down (:func:`change_wording`).
    """
    delta = adversarial - original
    factor = amplification(delta)
    panels = (original, 0.5 + factor * delta, adversarial)
    names = (titles[0], change_wording(factor, delta)[0] + " (grey = none)", titles[1])
    fig = make_subplots(1, 3, subplot_titles=names, horizontal_spacing=0.03)
    for col, panel in enumerate(panels, start=1):
        fig.add_trace(go.Image(z=_rgb(panel), hoverinfo="skip"), 1, col)
    fig.update_xaxes(visible=False).update_yaxes(visible=False)
    fig.update_layout(height=image_px + _TITLE_PX + 10, margin=dict(t=_TITLE_PX, b=10, l=10, r=10))
    return plots.finish(fig, provenance)


def top5_figure(before: pd.DataFrame, after: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Two bar charts: the top-5 classes before and after the attack, on the same 0–100 % axis.

    Both axes carry the same ticks up to 100 %, and the right margin leaves room for the last
    label: without it plotly hides "100%" on the right-hand chart (it would overflow the figure)
    and the "after" axis seems to stop at 50 % while "before" runs to 100 %.
    """
    fig = make_subplots(1, 2, subplot_titles=("before", "after"), horizontal_spacing=0.25)
    for col, (frame, colour) in enumerate(((before, plots.BLUE), (after, plots.VERMILION)), start=1):
        frame = frame.iloc[::-1]  # most probable on top
        fig.add_bar(
            x=frame["probability"],
            y=frame["class"],
            orientation="h",
            marker_color=colour,
            text=[f"{p:.0%}" for p in frame["probability"]],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            row=1,
            col=col,
        )
    fig.update_xaxes(range=[0, 1], tickvals=[0, 0.5, 1], tickformat=".0%", ticklabeloverflow="allow")
    fig.update_layout(height=330, title_text="Top-5 probabilities", margin_r=60)
    return plots.finish(fig, provenance)


CURVE_STYLE = {
    "FGSM": (plots.VERMILION, "FGSM (crafted)"),
    "PGD": (plots.PINK, "PGD (crafted)"),
    "noise": (plots.GREY, "random ±ε noise (control)"),
}


def curves_figure(
    curves: dict[str, pd.DataFrame],
    metric: str,
    provenance: Provenance,
    published: bool = True,
    majority: float | None = None,
) -> go.Figure:
    """Accuracy (or success rate) vs ε: one line per attack, solid for the first model, dashed for the second.

    ``curves`` maps a model label to :func:`core.attacks.epsilon_curves`' frame. With
    ``published``, Goodfellow et al.'s figure is drawn as a single marker, labelled as a
    different model and data. ``majority`` (accuracy only): the accuracy of always answering
    the commonest class of these images (:func:`core.baselines.majority_baseline`), drawn as
    a dotted floor: an attacked model below it is worse than one that ignores its input.
    """
    label = {"accuracy": "accuracy", "success_rate": "attack success rate"}[metric]
    fig = plots.figure(
        title=f"{label.capitalize()} vs ε",
        xaxis_title="ε (L∞ budget, share of the pixel range)",
        yaxis_title=label,
        yaxis_tickformat=".0%",
        yaxis_range=[0, 1.02],
        height=620,
    )
    for i, (model_name, frame) in enumerate(curves.items()):
        for attack, part in frame.groupby("attack", sort=False):
            colour, name = CURVE_STYLE.get(attack, (plots.BLACK, attack))
            fig.add_scatter(
                x=part["epsilon"],
                y=part[metric],
                mode="lines+markers",
                name=f"{name} · {model_name}",
                line=dict(color=colour, dash="solid" if i == 0 else "dash"),
            )
    if majority is not None and metric == "accuracy":
        eps = pd.concat(list(curves.values()))["epsilon"]
        fig.add_scatter(
            x=[eps.min(), eps.max()],
            y=[majority] * 2,
            mode="lines",
            line=dict(dash="dot", color=plots.GREY),
            name=f"always the commonest class ({majority:.0%})",
        )
    if published and metric == "accuracy":
        fig.add_scatter(
            x=[GOODFELLOW_EPS],
            y=[1 - GOODFELLOW_ERROR],
            mode="markers",
            marker=dict(symbol="star", size=16, color=plots.BLACK),
            name="published: FGSM, maxout net, MNIST (Goodfellow 2015) — other model & data",
        )
    # Legend between the title and the plot: beside the plot it would squeeze the curves in a narrow page.
    fig.update_layout(
        legend=dict(orientation="h", yanchor="bottom", y=1.03, x=0),
        margin_t=60 + 22 * (len(curves) * 3 + int(published) + int(majority is not None)),
        title_y=0.99,
        title_yanchor="top",
    )
    return plots.finish(fig, provenance)


def universal_figure(
    delta: torch.Tensor,
    examples: torch.Tensor,
    provenance: Provenance,
    captions: list[str] | None = None,
    image_px: int = 200,
    per_row: int = 3,
) -> go.Figure:
    """The universal perturbation (scaled, see :func:`change_wording`) and unseen images with it added.

    Laid out ``per_row`` panels to a row, each ``image_px`` high: six 28×28 thumbnails in one
    row of a ~700 px page would be ~100 px each; three to a row keeps them large.
    ``captions`` go above each image (two lines at most).
    """
    factor = amplification(delta)
    panels = [0.5 + factor * delta[0]] + [torch.clamp(x + delta[0], 0, 1) for x in examples]
    names = [f"δ, {change_wording(factor, delta)[0].removeprefix('change, ')}"] + (
        captions or [f"unseen {i + 1} + δ" for i in range(len(examples))]
    )
    rows = -(-len(panels) // per_row)
    height = rows * (image_px + _TITLE_PX) + 10
    fig = make_subplots(
        rows,
        per_row,
        subplot_titles=names,
        horizontal_spacing=0.02,
        vertical_spacing=_TITLE_PX / (height - _TITLE_PX - 10),
    )
    for i, panel in enumerate(panels):
        fig.add_trace(go.Image(z=_rgb(panel), hoverinfo="skip"), i // per_row + 1, i % per_row + 1)
    fig.update_xaxes(visible=False).update_yaxes(visible=False)
    fig.update_layout(height=height, margin=dict(t=_TITLE_PX, b=10, l=10, r=10))
    return plots.finish(fig, provenance)
