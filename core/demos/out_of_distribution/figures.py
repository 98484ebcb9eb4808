"""The pictures of the demo: one image as the network sees it, its ten probabilities, a row of images."""

from __future__ import annotations

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core import plots
from core.provenance import Provenance

IMAGE_PX = 320  # presenter mode's floor for an image is 300 px


def _grey(image: torch.Tensor) -> go.Heatmap:
    """A (1, H, W) image in [0, 1] as a heatmap: 0 black, 1 white, row 0 at the top."""
    return go.Heatmap(
        z=image[0].numpy()[::-1],
        colorscale="Greys_r",
        zmin=0.0,
        zmax=1.0,
        showscale=False,
        hovertemplate="%{z:.2f}<extra></extra>",
    )


def _bare(fig: go.Figure) -> None:
    fig.update_xaxes(visible=False, scaleanchor="y", constrain="domain")
    fig.update_yaxes(visible=False, constrain="domain")


def image_figure(image: torch.Tensor, title: str, provenance: Provenance) -> go.Figure:
    """One 28 x 28 image, big enough to see from the back row."""
    fig = plots.figure(title=title, height=IMAGE_PX + 80, width=IMAGE_PX + 40, margin=dict(l=10, r=10, t=60, b=10))
    fig.add_trace(_grey(image))
    _bare(fig)
    return plots.finish(fig, provenance)


def probabilities_figure(
    probabilities: torch.Tensor, classes: tuple[str, ...], truth: int | None, provenance: Provenance
) -> go.Figure:
    """The ten softmax probabilities as horizontal bars; the true class (if known) in green, the others blue."""
    colours = [plots.GREEN if i == truth else plots.BLUE for i in range(len(classes))]
    fig = plots.figure(
        title="What the network answers",
        # Room past 100 for the label of a bar at 100 %, which was cut off at the plot's edge.
        xaxis=dict(title="probability (%)", range=[0, 118], tickvals=[0, 20, 40, 60, 80, 100]),
        yaxis=dict(autorange="reversed"),
        height=IMAGE_PX + 80,
        margin=dict(l=120, r=20, t=60, b=60),
    )
    fig.add_bar(
        x=(100 * probabilities).tolist(),
        y=list(classes),
        orientation="h",
        marker_color=colours,
        text=[f"{100 * p:.0f} %" for p in probabilities.tolist()],
        textposition="outside",
        cliponaxis=False,
        showlegend=False,
    )
    return plots.finish(fig, provenance)


def row_figure(images: torch.Tensor, titles: list[str], provenance: Provenance, title: str = "") -> go.Figure:
    """A row of images ``(N, 1, H, W)`` with a title over each (e.g. real above, permuted below)."""
    n = len(images)
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles, horizontal_spacing=0.02)
    for i, image in enumerate(images):
        fig.add_trace(_grey(image), row=1, col=i + 1)
    fig.update_layout(template=plots.TEMPLATE_NAME, title_text=title, height=260, margin=dict(l=10, r=10, t=80, b=10))
    _bare(fig)
    return plots.finish(fig, provenance)
