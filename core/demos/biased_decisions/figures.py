"""The plotly figures of the four tabs (built here, drawn by the page through ``ui.charts.chart``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import plots
from core.demos.biased_decisions import hiring, risk_scores
from core.provenance import Provenance


def selection_figure(result: hiring.HiringResult, provenance: Provenance) -> go.Figure:
    """Selection rate of women and men: a fair recruiter, the past recruiters, the model (new applicants)."""
    ratio = result.ratio()
    headline = f"disparate-impact ratio {ratio:.2f}" if ratio is not None else "nobody shortlisted: no ratio"
    fig = plots.figure(
        title=f"Who gets shortlisted: {headline}",
        yaxis=dict(title="selection rate (%)", range=[0, 100]),
        barmode="group",
        legend_below=True,
    )
    columns = {"merit": "fair recruiter (skills only)", "history": "past recruiters", "model": "the model"}
    for (column, label), colour in zip(columns.items(), (plots.GREY, plots.ORANGE, plots.BLUE)):
        fig.add_bar(
            x=list(result.rates.index),
            y=100 * result.rates[column],
            name=label,
            marker_color=colour,
            text=[f"{100 * v:.0f} %" for v in result.rates[column]],
            textposition="outside",
        )
    return plots.finish(fig, provenance)


def ratio_figure(sweeps: dict[str, pd.DataFrame], bias: float, provenance: Provenance) -> go.Figure:
    """The model's disparate-impact ratio against the history's bias, with and without proxies, and the 4/5 line."""
    fig = plots.figure(
        title="Disparate-impact ratio (women's rate / men's) as the history grows more biased",
        xaxis=dict(title="share of qualified women the past recruiters turned away (%)"),
        yaxis=dict(title="ratio", range=[0, 1.3]),
        legend_below=True,
    )
    for (label, frame), colour in zip(sweeps.items(), (plots.BLUE, plots.GREEN)):
        fig.add_scatter(x=100 * frame.bias, y=frame.ratio, mode="lines+markers", name=label, line_color=colour)
    fig.add_hline(y=hiring.FOUR_FIFTHS, line=dict(color=plots.VERMILION, dash="dash"))
    fig.add_annotation(x=0, y=hiring.FOUR_FIFTHS, text="four-fifths rule", showarrow=False, xanchor="left", yshift=12)
    fig.add_vline(x=100 * bias, line=dict(color=plots.GREY, dash="dot"))
    return plots.finish(fig, provenance)


def confusion_figure(counts: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """One 2 x 2 confusion matrix per group: rows what happened, columns what the threshold said."""
    # Shared rows: the second matrix's row labels ran into the first matrix. One colour scale for both, so a
    # colour means the same count in each group.
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=[risk_scores.GROUP_LABEL[g] for g in risk_scores.GROUPS],
    )
    highest = int(counts[["TN", "FP", "FN", "TP"]].to_numpy().max())
    for col, group in enumerate(risk_scores.GROUPS, start=1):
        c = counts.loc[group]
        z = [[c.TN, c.FP], [c.FN, c.TP]]
        fig.add_heatmap(
            z=z,
            x=["not flagged", "flagged"],
            y=["did not reoffend", "reoffended"],
            text=[[f"TN {c.TN}", f"FP {c.FP}"], [f"FN {c.FN}", f"TP {c.TP}"]],
            texttemplate="%{text}",
            colorscale=plots.SEQUENTIAL,
            zmin=0,
            zmax=highest,
            showscale=False,
            row=1,
            col=col,
        )
    fig.update_yaxes(autorange="reversed")
    # The top margin holds the title and, under it, the groups' titles (at 60 px they overlapped).
    fig.update_layout(template=plots.TEMPLATE_NAME, title_text="Confusion matrix per group", height=400, margin_t=110)
    return plots.finish(fig, provenance)


def error_rates_figure(rates: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """FPR and FNR per group at these thresholds, beside ProPublica's published rates (one threshold for all)."""
    fig = plots.figure(
        title="Error rates: ours at these thresholds, ProPublica's as published",
        yaxis=dict(title="rate (%)", range=[0, 100]),
        barmode="group",
        legend_below=True,
    )
    x = [f"{m}, group {g}" for g in risk_scores.GROUPS for m in ("FPR", "FNR")]
    ours = [100 * rates.loc[g, m] for g in risk_scores.GROUPS for m in ("FPR", "FNR")]
    published = [100 * risk_scores.PROPUBLICA_2016[g][m] for g in risk_scores.GROUPS for m in ("FPR", "FNR")]
    fig.add_bar(x=x, y=ours, name="measured here", marker_color=plots.BLUE, text=[f"{v:.1f}" for v in ours])
    fig.add_bar(
        x=x,
        y=published,
        name="published: ProPublica 2016 (A = Black, B = white defendants)",
        marker_color=plots.GREY,
        text=[f"{v:.1f}" for v in published],
    )
    fig.update_traces(textposition="outside")
    return plots.finish(fig, provenance)


def calibration_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Share who reoffended per score bin, per group: both on the diagonal means calibrated within groups."""
    fig = plots.figure(
        title="Calibration: at the same score, both groups reoffend at the same rate",
        xaxis=dict(title="risk score (bin centre)", range=[0, 1]),
        yaxis=dict(title="share who reoffended", range=[0, 1]),
        legend_below=True,
    )
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration", line=dict(color=plots.GREY, dash="dot")
    )
    for group, colour in zip(risk_scores.GROUPS, (plots.VERMILION, plots.BLUE)):
        g = table[(table.group == group) & (table.people >= 20)]  # bins with fewer than 20 people are noise
        fig.add_scatter(x=g.score, y=g.reoffended, mode="lines+markers", name=f"group {group}", line_color=colour)
    return plots.finish(fig, provenance)


def representation_figure(frame: pd.DataFrame, share: float, provenance: Provenance) -> go.Figure:
    """Per-group test accuracy against the minority's share of the training set (log axis), chance beside it."""
    fig = plots.figure(
        title="Test accuracy per group as the minority's share of the training data shrinks",
        # The slider's own stops as ticks: one per decade left only "10, 1, 10⁻¹" on an axis starting at 50 %.
        xaxis=dict(
            title="minority share of the training set (%)",
            type="log",
            autorange="reversed",
            tickvals=[50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1],
            ticktext=["50", "20", "10", "5", "2", "1", "0.5", "0.2", "0.1"],
        ),
        yaxis=dict(title="test accuracy (%)", range=[40, 100]),
        legend_below=True,
    )
    shown = frame[frame["minority share"] > 0]  # 0 % has no place on a log axis; its numbers are in the metrics
    for group, colour in (("majority", plots.BLUE), ("minority", plots.VERMILION)):
        g = shown[shown.group == group]
        fig.add_scatter(
            x=100 * g["minority share"], y=100 * g.accuracy, mode="lines+markers", name=group, line_color=colour
        )
    baseline = 100 * frame.baseline.max()
    fig.add_hline(y=baseline, line=dict(color=plots.BLACK, dash="dash"))
    fig.add_annotation(
        x=0, xref="paper", y=baseline, text=f"majority-class baseline ({baseline:.0f} %)", showarrow=False, yshift=-14
    )
    if share > 0:
        fig.add_vline(x=100 * share, line=dict(color=plots.GREY, dash="dot"))
    return plots.finish(fig, provenance)


def asthma_figure(policy: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """For the patients the model sends home: the risk it predicted vs their true risk at home, by asthma."""
    fig = plots.figure(
        title="Patients sent home: the risk the model promised vs the risk they ran",
        yaxis=dict(title="mean risk of dying (%)"),
        barmode="group",
        legend_below=True,
    )
    for column, colour in (("predicted risk at home", plots.BLUE), ("true risk at home", plots.VERMILION)):
        values = [None if v is None or v != v else 100 * v for v in policy[column]]
        fig.add_bar(
            x=list(policy.index),
            y=values,
            name=column,
            marker_color=colour,
            text=["nobody sent home" if v is None else f"{v:.1f} %" for v in values],
            textposition="outside",
        )
    return plots.finish(fig, provenance)
