"""The demo's figures, built from the measurements' tables (:mod:`core.demos.clever_hans`).

Each returns a plotly figure finished by :func:`core.plots.finish` with the provenance it is given.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core import explain, plots
from core.demos.clever_hans.strategies import SprayResult
from core.provenance import Provenance


def accuracy_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Grouped bars: each model's numbers from :func:`~core.demos.clever_hans.evidence.measurements`, in percent."""
    fig = plots.figure(
        title="Same images, with and without the tag",
        yaxis_title="share of images (%)",
        yaxis_range=[0, 115],
        barmode="group",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        margin_t=120,
    )
    for i, (model, rows) in enumerate(table.groupby("model", sort=False)):
        fig.add_bar(
            x=rows["measure"],
            y=rows["value"] * 100,
            name=model,
            marker_color=plots.PALETTE[i],
            text=[f"{v:.0%}" for v in rows["value"]],
            textposition="outside",
        )
    return plots.finish(fig, provenance)


def paste_figure(table: pd.DataFrame, tagged_class: str, provenance: Provenance) -> go.Figure:
    """Per other class: share predicted as the tagged class before and after pasting the tag."""
    fig = plots.figure(
        title=f"Paste the tag: now called '{tagged_class}'",
        yaxis_title="share of images (%)",
        yaxis_range=[0, 105],
        barmode="group",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        margin_t=120,
    )
    fig.add_bar(x=table["class"], y=table["before"] * 100, name="without tag", marker_color=plots.GREY)
    fig.add_bar(x=table["class"], y=table["after"] * 100, name="tag pasted on", marker_color=plots.VERMILION)
    return plots.finish(fig, provenance)


def share_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars: positive relevance inside the tag box per method and model; a line at the box's area share."""
    fig = plots.figure(
        title="How much of the evidence sits on the tag?",
        yaxis_title="positive relevance in box (%)",
        yaxis_range=[0, 115],
        barmode="group",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        margin_t=120,
    )
    for i, (model, rows) in enumerate(table.groupby("model", sort=False)):
        fig.add_bar(
            x=rows["method"],
            y=rows["share_inside"] * 100,
            name=model,
            marker_color=plots.PALETTE[i],
            text=[f"{v:.0%}" for v in rows["share_inside"]],
            textposition="outside",
        )
    area = float(table["area_share"].iloc[0]) * 100
    fig.add_scatter(
        x=list(table["method"].unique()),
        y=[area] * table["method"].nunique(),
        mode="lines",
        line=dict(dash="dash", color=plots.BLACK),
        name=f"box's share of the image ({area:.0f} %)",
    )
    return plots.finish(fig, provenance)


SPRAY_HEIGHT = 520  # px: the scatter and k small mean maps on a centred page


def spray_figure(result: SprayResult, provenance: Provenance, panel_px: int | None = None) -> go.Figure:
    """Left: the maps in PCA coordinates, coloured by cluster, tagged images as crosses.
    Right: each cluster's mean relevance map (the strategy it stands for).

    ``panel_px``: draw each mean map at least that tall (presenter mode: >= 300 px); the two
    columns then share the width equally, so the maps are as wide as they are tall."""
    k = len(result.summary)
    spacing = 0.06
    fig = make_subplots(
        rows=k,
        cols=2,
        column_widths=[0.68, 0.32] if panel_px is None else [0.5, 0.5],
        specs=[[{"rowspan": k}, {}]] + [[None, {}] for _ in range(k - 1)],
        horizontal_spacing=0.08,
        vertical_spacing=spacing,
        subplot_titles=["maps in 2-D (PCA)", *[f"cluster {c} mean map" for c in range(k)]],
    )
    for c in range(k):
        members = result.labels == c
        name = f"cluster {c}" + (" — tag strategy" if c == result.tag_cluster else "")
        for is_tagged, symbol in ((False, "circle"), (True, "x")):
            sel = members & (result.tagged.numpy() == is_tagged)
            fig.add_scatter(
                x=result.coords[sel, 0],
                y=result.coords[sel, 1],
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=not is_tagged,
                marker=dict(color=plots.PALETTE[c], symbol=symbol, size=9),
                row=1,
                col=1,
                hovertemplate=("tagged" if is_tagged else "untagged") + f"<extra>{name}</extra>",
            )
        mean = explain.normalized(result.maps[torch.from_numpy(members)].mean(0, keepdim=True))[0]
        fig.add_trace(
            go.Heatmap(
                z=mean.flip(0).numpy(), zmin=-1, zmax=1, colorscale=plots.DIVERGING, showscale=False, hoverinfo="skip"
            ),
            row=c + 1,
            col=2,
        )
        fig.update_xaxes(visible=False, row=c + 1, col=2)
        fig.update_yaxes(visible=False, scaleanchor=f"x{c + 2}", row=c + 1, col=2)
    fig.update_layout(
        template=plots.TEMPLATE_NAME,
        height=SPRAY_HEIGHT,
        title_text=f"SpRAy: strategies among the maps ({result.method}); × = image carries the tag",
        legend=dict(orientation="h", y=-0.12),
    )
    fig = plots.finish(fig, provenance)
    if panel_px is not None:  # after finish(), which sets the bottom margin the height must add
        fig.update_layout(height=max(SPRAY_HEIGHT, explain.grid_height(k, panel_px, spacing, explain.margins_px(fig))))
    return fig
