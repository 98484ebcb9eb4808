"""The page's figures: learning curves on log-log axes with the fitted power laws, and few shots per class."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.demos.data_hunger import curves
from core.demos.data_hunger.methods import METHODS
from core.provenance import Provenance

ERROR_TICKS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]
COLOURS = {"logistic": plots.GREY, "cnn": plots.VERMILION, "cnn_aug": plots.PINK, "transfer": plots.BLUE}


def learning_curves(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Test error against labelled images, both log: mean over draws (bars: min-max), each method's fitted line."""
    stats = curves.summary(table)
    fig = plots.figure(
        title="Test error falls as a power of the number of labels",
        legend_below=True,
        # Ticks at every size and at round errors: plotly's decade ticks alone left one label (10⁻¹) on the error
        # axis, whose range spans less than a decade.
        xaxis=dict(
            title=dict(text="labelled training images, classes 5-9 (log)", standoff=12),
            type="log",
            tickvals=list(curves.SIZES),
            automargin=True,  # the title below the ticks, not over them (seen in presenter mode)
        ),
        yaxis=dict(
            title="test error (%, log)",
            type="log",
            tickvals=ERROR_TICKS,
            ticktext=[f"{100 * e:g}" for e in ERROR_TICKS],
        ),
        height=560,
    )
    for method, part in stats.groupby("method", sort=False):
        colour = COLOURS[method]
        law = curves.fit_power_law(table[table.method == method].n, table[table.method == method].error)
        fig.add_scatter(
            x=part.n,
            y=part["mean"],
            mode="markers",
            name=f"{METHODS[method]}: {law.describe()}",
            marker=dict(color=colour, size=11),
            error_y=dict(
                type="data",
                symmetric=False,
                array=part["max"] - part["mean"],
                arrayminus=part["mean"] - part["min"],
                visible=bool((part["count"] > 1).any()),
            ),
        )
        span = np.array([part.n.min(), part.n.max()], dtype=float)
        fig.add_scatter(
            x=span, y=law.predict(span), mode="lines", line=dict(color=colour, dash="dash", width=2), showlegend=False
        )
    majority = float(table.majority_error.iloc[0])
    fig.add_scatter(
        x=[table.n.min(), table.n.max()],
        y=[majority] * 2,
        mode="lines",
        name=f"majority-class baseline ({majority:.0%} error)",
        line=dict(color=plots.BLACK, dash="dot"),
    )
    return plots.finish(fig, provenance)


def few_shot(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Accuracy against k labelled examples per class: every draw as a dot, the mean as a bar, per method."""
    fig = plots.figure(
        title="k examples per class: from scratch vs transferred features",
        legend_below=True,
        xaxis=dict(title="labelled examples per class (k)", type="category"),
        yaxis=dict(title="test accuracy (%)", range=[0, 100]),
        barmode="group",
        scattermode="group",  # each draw's dot over its own method's bar
        height=520,
    )
    for method, part in table.groupby("method", sort=False):
        means = part.groupby("k").accuracy.mean()
        fig.add_bar(
            x=[str(k) for k in means.index],
            y=100 * means.to_numpy(),
            name=f"{METHODS[method]} (mean)",
            marker_color=COLOURS[method],
            offsetgroup=method,
            text=[f"{100 * v:.0f} %" for v in means],
            textposition="inside",
            insidetextanchor="start",  # at the foot of the bar: the draws' dots are near its top
        )
        fig.add_scatter(
            x=[str(k) for k in part.k],
            y=100 * part.accuracy,
            mode="markers",
            name=f"{METHODS[method]} (each draw)",
            marker=dict(color=plots.BLACK, size=8, symbol="circle-open"),
            offsetgroup=method,
            showlegend=False,
        )
    majority = 100 * (1 - float(table.majority_error.iloc[0]))
    fig.add_hline(
        y=majority,
        line=dict(color=plots.BLACK, dash="dot"),
        annotation_text=f"majority class {majority:.0f} %",
        annotation_position="top left",
    )
    return plots.finish(fig, provenance)
