"""One plot style for the whole lab: colour-blind-safe, readable from the back row.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
distinguishable under the common colour-vision deficiencies. Fonts are sized for a
projector. Every figure carries its :class:`~core.provenance.Provenance` as a small
caption inside the figure, so a PNG exported from the chart keeps it.

Use :func:`figure` to start a chart and :func:`finish` to stamp it::

    fig = plots.figure(title="Accuracy vs epsilon")
    fig.add_scatter(x=eps, y=acc, name="FGSM")
    plots.finish(fig, provenance)
"""
from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from core.provenance import Provenance

# Okabe–Ito, in the order that keeps the first few most distinct.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, PINK, SKY, VERMILION, YELLOW, BLACK = PALETTE
GREY = "#7F7F7F"
# Diverging scale for signed values (relevance, projections): blue - white - vermilion.
DIVERGING = [[0.0, BLUE], [0.5, "#FFFFFF"], [1.0, VERMILION]]
# Sequential scale that stays readable in greyscale and for colour-blind viewers.
SEQUENTIAL = "Cividis"

BASE_FONT = 16  # pt; 16+ stays legible on a projector at the back of a lecture hall
TEMPLATE_NAME = "lab"

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=dict(
        colorway=list(PALETTE),
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=BASE_FONT, color="#222"),
        title=dict(font=dict(size=BASE_FONT + 4), x=0.0, xanchor="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#444", ticks="outside"),
        yaxis=dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#444", ticks="outside"),
        legend=dict(bgcolor="rgba(255,255,255,0.8)"),
        colorscale=dict(sequential=SEQUENTIAL, diverging=DIVERGING),
        margin=dict(l=60, r=20, t=60, b=110),
        hoverlabel=dict(font_size=BASE_FONT),
    ),
    data=dict(scatter=[go.Scatter(line=dict(width=3), marker=dict(size=9))]),
)


def figure(title: str = "", **layout) -> go.Figure:
    """A new empty figure in the lab's style."""
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE_NAME, title_text=title, **layout)
    return fig


def finish(fig: go.Figure, provenance: Provenance) -> go.Figure:
    """Apply the lab style and write the provenance under the plot (kept in PNG exports)."""
    lines = textwrap.wrap(provenance.caption(), 80)  # plotly does not wrap text itself
    fig.update_layout(template=TEMPLATE_NAME, margin_b=95 + 15 * len(lines))
    fig.add_annotation(
        # A fixed distance in pixels below the plot area, under the x-axis title, whatever the height.
        text="<br>".join(lines), showarrow=False, xref="paper", yref="paper",
        x=0, y=0, yshift=-72, xanchor="left", yanchor="top", align="left",
        font=dict(size=BASE_FONT - 4, color=GREY), name="provenance",
    )
    fig.update_layout(meta={"provenance": dict(provenance.items())})
    return fig


def provenance_of(fig: go.Figure) -> dict:
    """The provenance stamped by :func:`finish` (empty if the figure was never finished)."""
    meta = fig.layout.meta
    return dict(meta.get("provenance", {})) if isinstance(meta, dict) else {}
