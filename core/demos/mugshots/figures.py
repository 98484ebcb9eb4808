"""The demo's figures, built from the measurements' tables (:mod:`core.demos.mugshots`).

Each chart is finished by :func:`core.plots.finish` with the provenance it is given; :func:`face_grid`
lays faces out as one picture for the page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from core import faces, plots
from core.provenance import Provenance

BASELINE_NAME = "majority baseline"  # short: the legend must fit on one row (the title explains it)
_BAR = 0.38  # bar width in x units: two bars and a gap per test set (centres 1 apart)


def accuracy_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Accuracy and balanced accuracy per test set, each bar with its own baseline as a dashed segment.

    Built from :func:`accuracy_table`. Over each accuracy bar the dashed segment sits at the
    majority-class baseline of that test set (60.7 % with the paper's class shares, 50 % on
    the balanced set); over each balanced-accuracy bar at 50 %, which any constant answer
    scores. The baseline is named in the legend, never written on a bar, and the bars'
    values sit at their base, so no label can collide with a baseline (which is >= 50 %).
    """
    x = np.arange(len(table), dtype=float)
    fig = plots.figure(title="Accuracy beside what always answering the majority class scores")
    accuracy_colours = [plots.GREY if k == "published" else plots.BLUE for k in table["kind"]]
    fig.add_bar(
        x=x,
        y=table["accuracy"],
        width=_BAR,
        offset=-_BAR - 0.01,
        name="accuracy",
        marker_color=accuracy_colours,
        text=[f"{v:.1%}" for v in table["accuracy"]],
        hovertext=table["measure"],
        hovertemplate="%{hovertext}: %{y:.1%}<extra></extra>",
    )
    has_balanced = table["balanced_accuracy"].notna().to_numpy()
    bal = table[has_balanced]
    fig.add_bar(
        x=x[has_balanced],
        y=bal["balanced_accuracy"],
        width=_BAR,
        offset=0.01,
        name="balanced accuracy",
        marker_color=plots.SKY,
        text=[f"{v:.1%}" for v in bal["balanced_accuracy"]],
        hovertemplate="balanced accuracy: %{y:.1%}<extra></extra>",
    )
    fig.update_traces(textposition="inside", insidetextanchor="start", selector=dict(type="bar"))
    # The segments: one over each bar, at that bar's own baseline (None breaks the line between them).
    seg_x, seg_y, seg_hover = [], [], []
    for xi, row, balanced_too in zip(x, table.itertuples(), has_balanced):
        seg_x += [xi - _BAR - 0.03, xi + 0.01, None]
        seg_y += [row.majority_baseline] * 2 + [None]
        seg_hover += [f"always '{row.majority_class}': accuracy {row.majority_baseline:.1%}"] * 2 + [None]
        if balanced_too:
            seg_x += [xi + 0.01, xi + _BAR + 0.03, None]
            seg_y += [row.balanced_chance] * 2 + [None]
            seg_hover += [f"any constant answer: balanced accuracy {row.balanced_chance:.0%}"] * 2 + [None]
    # A light halo under the dashes keeps the baseline visible on the bars and on a dark background alike.
    fig.add_scatter(
        x=seg_x,
        y=seg_y,
        mode="lines",
        line=dict(color="white", width=7),
        showlegend=False,
        hoverinfo="skip",
        connectgaps=False,
    )
    fig.add_scatter(
        x=seg_x,
        y=seg_y,
        mode="lines",
        line=dict(color=plots.BLACK, width=3, dash="dash"),
        name=BASELINE_NAME,
        hovertext=seg_hover,
        hovertemplate="%{hovertext}<extra></extra>",
        connectgaps=False,
    )
    ticks = [
        f"{name}<br>{kind}, {int(faces):,} {'faces' if kind == 'measured' else 'photos'}"
        + ("" if both else "<br>(balanced acc. not reported)")
        for name, kind, faces, both in zip(table["test_set"], table["kind"], table["faces"], has_balanced)
    ]
    fig.update_layout(
        # margin_l by hand: plotly's y-axis automargin would stack the horizontal legend into a column.
        barmode="overlay",
        height=460,
        margin_t=85,
        margin_l=90,
        title=dict(yref="container", y=0.98, yanchor="top"),  # above the legend, which sits on the plot area
        xaxis=dict(tickvals=x, ticktext=ticks, range=[-0.6, len(table) - 0.4], showgrid=False, tickangle=0),
        yaxis=dict(range=[0, 1], tickformat=".0%", title="share of test faces right"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    return plots.finish(fig, provenance)


def baseline_segments(fig: go.Figure) -> list[tuple[float, float, float]]:
    """The dashed baseline segments of :func:`accuracy_figure` as ``(x_from, x_to, y)``, read back from the figure."""
    trace = next(t for t in fig.data if t.name == BASELINE_NAME)
    xs, ys = list(trace.x), list(trace.y)
    return [(xs[i], xs[i + 1], ys[i]) for i in range(0, len(xs), 3)]


def flip_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars: share of predictions that flip when one confound is toggled on the same faces (:func:`flip_table`)."""
    fig = plots.figure(title="Same face, one thing toggled: predictions that flip")
    fig.add_bar(
        x=table["attribute"],
        y=table["value"],
        marker_color=plots.ORANGE,
        text=[f"{v:.0%}" for v in table["value"]],
        textposition="outside",
    )
    fig.update_layout(
        yaxis=dict(range=[0, 1.1], tickformat=".0%", title="share of faces"),
        xaxis_title="toggled attribute",
        showlegend=False,
    )
    return plots.finish(fig, provenance)


def mouth_share_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars per method: share of positive relevance in the mouth box, with the box's area share as a line."""
    fig = plots.figure(title="Where the evidence sits: share of relevance in the mouth box")
    fig.add_bar(
        x=table["method"],
        y=table["share_in_mouth"],
        marker_color=plots.VERMILION,
        text=[f"{v:.0%}" for v in table["share_in_mouth"]],
        textposition="outside",
        name="relevance in box",
    )
    area = float(table["area_share"].mean())
    fig.add_hline(y=area, line_dash="dash", line_color=plots.BLACK)
    fig.update_layout(
        yaxis=dict(range=[0, 1.1], tickformat=".0%", title="share of positive relevance"),
        xaxis_title=f"dashed line: the box's area, {area:.1%} of the image",
        showlegend=False,
    )
    return plots.finish(fig, provenance)


def face_grid(images: torch.Tensor, columns: int = 8) -> np.ndarray:
    """Images ``(N, 3, H, W)`` (uint8, or floats in [0, 1]) -> one uint8 RGB picture ``(rows*H, columns*W, 3)``
    (empty cells white)."""
    n, _, h, w = images.shape
    rows = max(1, -(-n // columns))
    canvas = torch.full((rows * columns, 3, h, w), 255, dtype=torch.uint8)
    canvas[:n] = faces.as_uint8(images) if images.is_floating_point() else images
    return canvas.view(rows, columns, 3, h, w).permute(0, 3, 1, 4, 2).reshape(rows * h, columns * w, 3).numpy()
