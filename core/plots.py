"""One plot style for the whole lab: colour-blind-safe, readable from the back row, light or dark.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
distinguishable under the common colour-vision deficiencies. Fonts are sized for a
projector, and :func:`for_screen` makes them larger still in presenter mode (ticks and
labels ≥ 18 px, the size a back row can read) and swaps black ink for light ink on
Streamlit's dark theme. Every figure carries its :class:`~core.provenance.Provenance` in
its metadata; the page prints it once, as the caption under the chart.

Use :func:`figure` to start a chart and :func:`finish` to stamp it::

    fig = plots.figure(title="Accuracy vs epsilon")
    fig.add_scatter(x=eps, y=acc, name="FGSM")
    plots.finish(fig, provenance)

Why sizes are set on the figure and not only in the template: Streamlit draws charts with its
own theme, which replaces the template's fonts and colours; only the figure's own layout
(``font.size``, ``xaxis.tickfont.size`` ...) reaches the screen. Text colours are left to that
theme, so they follow light and dark mode by themselves.
"""

from __future__ import annotations

import math

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

BASE_FONT = 16  # px; 16+ stays legible on a projector at the back of a lecture hall
PRESENTER_FONT = 22  # px in presenter mode: text, legend, axis titles
# A horizontal legend at the foot of the figure, under the x-axis title (``figure(legend_below=True)``):
# above the plot a legend of 3-5 entries wraps into rows that run into the title, and beside it it
# squeezes the plot. It is anchored to the figure's bottom edge (yref "container"), not to the plot:
# placed at a fraction of the plot's height it ran into the axis title whenever presenter mode's
# larger text or a shorter plot shrank that fraction below the ticks and the title.
LEGEND_BELOW = dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom")
LEGEND_BELOW_MARGIN = 150  # px under the plot at 16 px text: ticks, axis title, two rows of legend
DEFAULT_HEIGHT = 450  # px: plotly's height for a figure that sets none
PRESENTER_TICKS = 20  # px in presenter mode: tick labels (the floor is 18)
LIGHT_INK = "#F0F0F0"  # what BLACK becomes on the dark theme
TEMPLATE_NAME = "lab"

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=dict(
        colorway=list(PALETTE),
        # No text colour and transparent backgrounds: the page's theme (light or dark) shows through.
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=BASE_FONT),
        title=dict(font=dict(size=BASE_FONT + 4), x=0.0, xanchor="left"),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(
            showgrid=True,
            gridcolor="rgba(128,128,128,0.25)",
            zeroline=False,
            linecolor="rgba(128,128,128,0.8)",
            ticks="outside",
        ),
        yaxis=dict(
            showgrid=True,
            gridcolor="rgba(128,128,128,0.25)",
            zeroline=False,
            linecolor="rgba(128,128,128,0.8)",
            ticks="outside",
        ),
        legend=dict(bgcolor="rgba(0,0,0,0)"),
        colorscale=dict(sequential=SEQUENTIAL, diverging=DIVERGING),
        margin=dict(l=60, r=20, t=60, b=60),
        hoverlabel=dict(font_size=BASE_FONT),
    ),
    data=dict(scatter=[go.Scatter(line=dict(width=3), marker=dict(size=9))]),
)


def figure(title: str = "", legend_below: bool = False, **layout) -> go.Figure:
    """A new empty figure in the lab's style; ``legend_below``: the legend under the x-axis title."""
    fig = go.Figure()
    if legend_below:
        layout = dict(legend=LEGEND_BELOW, margin_b=LEGEND_BELOW_MARGIN) | layout
    fig.update_layout(template=TEMPLATE_NAME, title_text=title, **layout)
    return fig


def finish(fig: go.Figure, provenance: Provenance) -> go.Figure:
    """Apply the lab style and sizes, and stamp the provenance into the figure's metadata.

    The provenance is not drawn inside the plot: the page prints it once, as the caption under
    the chart (``ui.charts.chart``), where it wraps and stays legible; it also heads the CSV.
    """
    fig.update_layout(template=TEMPLATE_NAME, meta={"provenance": dict(provenance.items())})
    _decade_ticks(fig)
    return _sized(fig, text=BASE_FONT, ticks=BASE_FONT, title=BASE_FONT + 4)


def _decade_ticks(fig: go.Figure) -> None:
    """One tick per power of ten on every log axis that chose none, written as 10⁻⁴ rather than 100µ.

    plotly's own log ticks add 2 and 5 between the decades: over six decades at presenter size
    they crowd into an unreadable column ("2 1 5 2 0.1 5 ..."), and its SI suffixes read as units.
    """
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        if axis.type == "log" and axis.dtick is None and axis.tickvals is None:
            axis.update(dtick=1, exponentformat="power")


def _sized(fig: go.Figure, text: int, ticks: int, title: int) -> go.Figure:
    """Font sizes written on the figure itself (see the module docstring for why not the template)."""
    fig.update_layout(font_size=text, legend_font_size=text, title_font_size=title, hoverlabel_font_size=text)
    fig.update_xaxes(tickfont_size=ticks, title_font_size=text)
    fig.update_yaxes(tickfont_size=ticks, title_font_size=text)
    fig.update_annotations(font_size=text)
    fig.for_each_trace(lambda t: t.update(textfont_size=text) if "textfont" in t else None)
    fig.update_coloraxes(colorbar_tickfont_size=ticks)
    fig.for_each_trace(lambda t: t.update(colorbar_tickfont_size=ticks) if "colorbar" in t else None)
    return fig


def for_screen(fig: go.Figure, presenter: bool = False, dark: bool = False) -> go.Figure:
    """A copy of ``fig`` for the screen it is shown on (the original, maybe cached, stays untouched).

    Args:
        presenter: presenter mode: text, legend and axis titles at PRESENTER_FONT px, ticks at
            PRESENTER_TICKS px (≥ 18 px, legible from the back of a lecture hall), a taller plot.
        dark: Streamlit's dark theme: BLACK lines, markers and shapes are drawn in LIGHT_INK.
    """
    if not presenter and not dark:
        return fig
    fig = go.Figure(fig)
    if presenter:
        _sized(fig, text=PRESENTER_FONT, ticks=PRESENTER_TICKS, title=PRESENTER_FONT + 4)
        # Room made for text at the base size (a legend above the plot, long tick labels) grows with it:
        # otherwise a legend sized for 16 px runs into the title at 22 px.
        grow = PRESENTER_FONT / BASE_FONT
        margin = fig.layout.margin
        fig.update_layout(
            margin={
                side: math.ceil(getattr(margin, side) * grow) for side in "tblr" if getattr(margin, side) is not None
            }
        )
        # A figure without a height gets plotly's 450 px; left at that, the grown margins would squeeze
        # its plot to a strip (a 150 px legend margin became 207 px: 160 px of plot were left).
        fig.update_layout(height=int((fig.layout.height or DEFAULT_HEIGHT) * grow))
    if dark:
        fig = go.Figure(_swap_ink(fig.to_dict()))
    return fig


def _swap_ink(node, key: str = ""):
    """The figure dictionary with every colour (a ``*color`` key) equal to BLACK replaced by LIGHT_INK.

    Only colour keys: a word such as "black" in a chart's data or labels stays as it is.
    """
    if isinstance(node, dict):
        return {k: _swap_ink(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap_ink(v, key) for v in node]
    if "color" in key and isinstance(node, str) and node.lower() in (BLACK.lower(), "black"):
        return LIGHT_INK
    return node


def provenance_of(fig: go.Figure) -> dict:
    """The provenance stamped by :func:`finish` (empty if the figure was never finished)."""
    meta = fig.layout.meta
    return dict(meta.get("provenance", {})) if isinstance(meta, dict) else {}
