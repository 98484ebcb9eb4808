"""The page's figures (:mod:`core.demos.explanations`): plotly, themed by :mod:`core.plots`, provenance attached."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from core import explain, plots
from core.provenance import Provenance

# One colour per method, the same on every chart of the page (Okabe-Ito palette, then grey for the control).
COLOURS = dict(
    zip(
        ("Saliency", "Integrated Gradients", "Grad-CAM", "LRP", "Occlusion", "LIME", "KernelSHAP"),
        plots.PALETTE,
    )
)


def grid_figure(
    image: torch.Tensor,
    maps: dict[str, torch.Tensor],
    provenance: Provenance,
    title: str,
    box: tuple[int, int, int, int] | None,
    panel_px: int = explain.MAPS_ROW_PX,
    label: str = "",
) -> go.Figure:
    """The input and every method's map in one row (:func:`core.explain.maps_figure`), the tag box outlined."""
    return explain.maps_figure([(label, image[0], _titled(maps))], provenance, title=title, box=box, panel_px=panel_px)


def rows_figure(
    rows: list[tuple[str, torch.Tensor, dict[str, torch.Tensor]]], provenance: Provenance, title: str, box, panel_px
) -> go.Figure:
    """Several rows of maps (seeds, or randomisation steps)."""
    rows = [(label, image, _titled(maps)) for label, image, maps in rows]
    return explain.maps_figure(rows, provenance, title=title, box=box, panel_px=panel_px)


SHORT_TITLES = {"Integrated Gradients": "Int. Gradients"}  # in full it ran into its neighbours in a row of eight


def _titled(maps: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The maps under column titles that fit a narrow panel (on two lines, a title ran into the figure's)."""
    return {SHORT_TITLES.get(name, name): m for name, m in maps.items()}


def correlation_figure(names: list[str], matrix: np.ndarray, provenance: Provenance) -> go.Figure:
    """The methods' pairwise Spearman correlations as a matrix; "n/a" where a map has no ranking (constant)."""
    text = [["n/a" if np.isnan(v) else f"{v:.2f}" for v in row] for row in matrix]
    z = np.where(np.isnan(matrix), None, matrix).tolist()
    fig = plots.figure(
        title="Do the methods agree? Spearman rank correlation of |relevance| over the 784 pixels",
        margin_t=70,
        height=560,
    )
    fig.add_heatmap(
        z=z,
        x=names,
        y=names,
        zmin=-1,
        zmax=1,
        colorscale=plots.DIVERGING,
        text=text,
        texttemplate="%{text}",
        hovertemplate="%{y} vs %{x}: %{text}<extra></extra>",
        colorbar=dict(title="ρ"),
    )
    fig.update_yaxes(autorange="reversed")
    return plots.finish(fig, provenance)


def stability_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Per method, how alike its re-runs are: mean pairwise Spearman and top-patch overlap (1 = identical)."""
    fig = plots.figure(
        title=f"Same image, same model, {int(table['seeds'].max())} seeds: how alike are the maps?",
        legend_below=True,
        yaxis=dict(title="agreement between seeds", range=[0, 1.05]),
        margin_t=70,
    )
    for column, name, colour in (
        ("spearman", "rank correlation of the maps", plots.BLUE),
        ("top_overlap", "overlap of the top-5 patches (Jaccard)", plots.ORANGE),
    ):
        fig.add_bar(
            x=table["method"],
            y=table[column],
            name=name,
            marker_color=colour,
            text=table[column].round(2),
            textposition="outside",
        )
    fig.update_layout(barmode="group")
    return plots.finish(fig, provenance)


def sanity_figure(similarity: pd.DataFrame, output: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Similarity of each method's map to the trained model's as layers are randomised (top down);
    the model's own probability of the class, dashed, shows the model did change."""
    labels = list(output["layer"])
    fig = plots.figure(
        title="Cascading randomisation (Adebayo et al. 2018): does the map change with the model?",
        legend_below=True,
        xaxis=dict(
            title="layers randomised, from the top",
            tickmode="array",
            tickvals=list(range(len(labels))),
            ticktext=labels,
        ),
        yaxis=dict(title="Spearman with the trained model's map", range=[-0.4, 1.05]),
        margin_t=70,
        height=560,
    )
    for method, group in similarity.groupby("method", sort=False):
        fig.add_scatter(
            x=group["step"], y=group["spearman"], mode="lines+markers", name=method, line_color=COLOURS.get(method)
        )
    fig.add_scatter(
        x=output["step"],
        y=output["probability"],
        mode="lines+markers",
        name="model's probability of the class",
        line=dict(color=plots.GREY, dash="dash"),
    )
    return plots.finish(fig, provenance)


def deletion_figure(curves: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Deletion curves: the class probability as the most relevant pixels are blacked out first."""
    fig = plots.figure(
        title="Delete the most relevant pixels first: how fast does the score fall?",
        legend_below=True,
        xaxis=dict(title="pixels blacked out (%)"),
        yaxis=dict(title="probability of the class (%)", range=[0, 101]),
        margin_t=70,
        height=560,
    )
    for method, group in curves.groupby("method", sort=False):
        control = method not in COLOURS
        fig.add_scatter(
            x=100 * group["removed"],
            y=100 * group["probability"],
            mode="lines",
            name=method,
            line=dict(color=plots.GREY if control else COLOURS[method], dash="dot" if control else "solid"),
        )
    return plots.finish(fig, provenance)


def tag_share_figure(shares: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Share of each method's positive relevance inside the tag box, best first, beside the box's own area."""
    area = float(shares["area"].iloc[0])
    fig = plots.figure(
        title="Which methods find the tag? Positive relevance inside the tag's box",
        legend_below=True,
        yaxis=dict(title="share inside the box (%)", range=[0, 105]),
        margin_t=70,
    )
    fig.add_bar(
        x=shares["method"],
        y=100 * shares["share"],
        marker_color=[COLOURS.get(m, plots.GREY) for m in shares["method"]],
        text=[f"{v:.0%}" for v in shares["share"]],
        textposition="outside",
        name="share inside the box",
    )
    fig.add_scatter(
        x=list(shares["method"]),
        y=[100 * area] * len(shares),
        mode="lines",
        name=f"the box's share of the image ({area:.0%}): a map blind to the tag",
        line=dict(color=plots.BLACK, dash="dash"),
    )
    return plots.finish(fig, provenance)


def fidelity_figure(table: pd.DataFrame, network_accuracy: float, majority: float, provenance: Provenance) -> go.Figure:
    """A decision tree imitating the network: fidelity (agreement with it) and accuracy against depth."""
    fig = plots.figure(
        title="A tree that imitates the network: readable when shallow, faithful only when deep",
        legend_below=True,
        xaxis=dict(title="tree depth (questions asked)", dtick=1),
        yaxis=dict(title="%", range=[0, 101]),
        margin_t=70,
    )
    fig.add_scatter(
        x=table["depth"],
        y=100 * table["fidelity"],
        mode="lines+markers",
        name="fidelity: agrees with the network",
        line_color=plots.BLUE,
    )
    fig.add_scatter(
        x=table["depth"],
        y=100 * table["accuracy"],
        mode="lines+markers",
        name="tree's accuracy (true labels)",
        line_color=plots.VERMILION,
    )
    span = [int(table["depth"].min()), int(table["depth"].max())]
    fig.add_scatter(
        x=span,
        y=[100 * network_accuracy] * 2,
        mode="lines",
        name=f"network's accuracy ({network_accuracy:.0%})",
        line=dict(color=plots.GREEN, dash="dash"),
    )
    fig.add_scatter(
        x=span,
        y=[100 * majority] * 2,
        mode="lines",
        name=f"majority-class baseline ({majority:.0%})",
        line=dict(color=plots.BLACK, dash="dot"),
    )
    return plots.finish(fig, provenance)
