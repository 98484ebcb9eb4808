"""The page's charts: accuracy against bits, against the share of weights removed, and the one chart for all."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.provenance import Provenance

SCHEME_COLOURS = {"per tensor": plots.BLUE, "per channel": plots.VERMILION}
METHOD_COLOURS = {"global": plots.BLUE, "per layer": plots.VERMILION, "channels": plots.GREEN}


def _baseline(fig: go.Figure, x: list, majority: float) -> None:
    fig.add_scatter(
        x=x,
        y=[100 * majority] * 2,
        mode="lines",
        name=f"majority-class baseline ({100 * majority:.1f} %)",
        line=dict(color=plots.GREY, dash="dash"),
    )


def bits_figure(frame: pd.DataFrame, chosen: int, majority: float, provenance: Provenance) -> go.Figure:
    """Test accuracy against bits per weight (1-32, log axis), one line per scheme; the chosen bits marked."""
    fig = plots.figure(
        title=f"Accuracy against bits per weight (chosen: {chosen})",
        xaxis=dict(title="bits per weight", type="log", tickvals=sorted(frame.bits.unique()), ticktext=None),
        yaxis=dict(title="test accuracy (%)", range=[0, 100]),
        legend_below=True,
    )
    for scheme, part in frame.groupby("scheme", sort=False):
        fig.add_scatter(
            x=part.bits,
            y=100 * part.accuracy,
            mode="lines+markers",
            name=scheme,
            line_color=SCHEME_COLOURS.get(scheme, plots.BLACK),
            customdata=part.bytes / 1000,
            hovertemplate="%{x} bits: %{y:.1f} %, %{customdata:.0f} kB<extra></extra>",
        )
    _baseline(fig, [1, 32], majority)
    fig.add_vline(x=chosen, line=dict(color=plots.BLACK, dash="dot"))
    fig.update_xaxes(tickvals=sorted(frame.bits.unique()), ticktext=[str(b) for b in sorted(frame.bits.unique())])
    return plots.finish(fig, provenance)


def pruning_figure(frame: pd.DataFrame, chosen: float, majority: float, provenance: Provenance) -> go.Figure:
    """Test accuracy against the share of weights removed, one line per method; the chosen share marked."""
    fig = plots.figure(
        title=f"Accuracy against weights removed (chosen: {chosen:.0%})",
        xaxis=dict(title="weights removed (%)", range=[0, 100]),
        yaxis=dict(title="test accuracy (%)", range=[0, 100]),
        legend_below=True,
    )
    for method, part in frame.groupby("method", sort=False):
        fig.add_scatter(
            x=100 * part.removed,
            y=100 * part.accuracy,
            mode="lines+markers",
            name={"channels": "whole channels (structured)"}.get(method, f"{method} magnitude"),
            line_color=METHOD_COLOURS.get(method, plots.BLACK),
        )
    _baseline(fig, [0, 100], majority)
    fig.add_vline(x=100 * chosen, line=dict(color=plots.BLACK, dash="dot"))
    return plots.finish(fig, provenance)


def latency_figure(frame: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Median microseconds per image of each model, as bars with the interquartile range."""
    fig = plots.figure(
        title="Time per image: zeros are not faster, fewer channels are",
        xaxis=dict(title="microseconds per image (median)"),
        yaxis=dict(autorange="reversed"),
        margin=dict(l=260),
    )
    fig.add_bar(
        x=frame.latency_us,
        y=frame.model,
        orientation="h",
        marker_color=plots.BLUE,
        error_x=dict(type="data", array=(frame.iqr_us / 2).tolist()),
        text=[f"{v:.0f} µs" for v in frame.latency_us],
        textposition="outside",
        cliponaxis=False,
        showlegend=False,
    )
    return plots.finish(fig, provenance)


def students_figure(frame: pd.DataFrame, majority: float, provenance: Provenance) -> go.Figure:
    """Test accuracy of the teacher and each student, as bars."""
    fig = plots.figure(
        title="Teacher and students on the same test images",
        yaxis=dict(title="test accuracy (%)", range=[0, 100]),
        legend_below=True,
    )
    fig.add_bar(
        x=frame.model,
        y=100 * frame.accuracy,
        marker_color=[plots.GREY, plots.BLUE, plots.VERMILION][: len(frame)],
        text=[f"{100 * a:.1f} %" for a in frame.accuracy],
        textposition="outside",
        showlegend=False,
    )
    fig.add_scatter(
        x=[frame.model.iloc[0], frame.model.iloc[-1]],
        y=[100 * majority] * 2,
        mode="lines",
        name=f"majority-class baseline ({100 * majority:.1f} %)",
        line=dict(color=plots.GREY, dash="dash"),
    )
    return plots.finish(fig, provenance)


def pareto_front(frame: pd.DataFrame, x: str) -> pd.DataFrame:
    """The rows no other row beats on both ``x`` (smaller is better) and accuracy (larger is better)."""
    ordered = frame.sort_values([x, "accuracy"], ascending=[True, False])
    best, keep = -1.0, []
    for index, row in ordered.iterrows():
        if row.accuracy > best:
            keep.append(index)
            best = row.accuracy
    return ordered.loc[keep]


def pareto_figure(frame: pd.DataFrame, x: str, title: str, majority: float, provenance: Provenance) -> go.Figure:
    """Accuracy against ``x`` (bytes, µs or Wh, log axis) for every variant, the Pareto front drawn through them."""
    axis_titles = {
        "bytes": "size (bytes)",
        "latency_us": "µs per image (median)",
        "energy_wh": "Wh per 10,000 predictions",
    }
    fig = plots.figure(
        title=title,
        xaxis=dict(title=axis_titles.get(x, x), type="log"),
        yaxis=dict(title="test accuracy (%)", range=[0, 100]),
        legend_below=True,
    )
    shown = frame.dropna(subset=[x])
    front = pareto_front(shown, x)
    fig.add_scatter(
        x=front[x], y=100 * front.accuracy, mode="lines", name="Pareto front", line=dict(color=plots.GREY, dash="dot")
    )
    for i, row in enumerate(shown.itertuples()):
        fig.add_scatter(
            x=[getattr(row, x)],
            y=[100 * row.accuracy],
            mode="markers",
            name=row.variant,
            marker=dict(size=14, color=plots.PALETTE[i % len(plots.PALETTE)]),
        )
    if len(shown):
        _baseline(fig, [shown[x].min(), shown[x].max()], majority)
    return plots.finish(fig, provenance)
