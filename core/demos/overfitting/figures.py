"""The figures of tabs 1-3 (fuel, bias² + variance, ridge), each finished with its provenance by core.plots.

Tabs 4-5 draw their own figures (:mod:`.double_descent`, :mod:`.memorise`). Colours follow the deck where it
names them ("red: training set, black: validation set"): vermilion for training, black (light ink on the dark
theme) for validation; the truth is green, our fit blue, published numbers orange.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.demos.overfitting import fuel, ridge
from core.demos.overfitting.bias_variance import Decomposition
from core.provenance import Provenance

FUEL_RANGE = (0.0, 30.0)  # L/100 km shown: a fit leaving it is drawn to the edge, its value in the hover


def fuel_figure(data: pd.DataFrame, curve: pd.DataFrame, degree: int, provenance: Provenance) -> go.Figure:
    """The measurements, the true curve, the fit of ``degree`` from 20 to 190 km/h, and both values at 180 km/h."""
    fig = plots.figure(
        title=f"Degree {degree}: fitted on 30-130 km/h, asked at {fuel.TARGET:.0f} km/h",
        xaxis_title="speed (km/h)",
        yaxis_title="fuel (L/100 km)",
        yaxis_range=list(FUEL_RANGE),
        legend_below=True,
        margin_t=70,
    )
    fig.add_vrect(x0=fuel.LOW, x1=fuel.HIGH, fillcolor=plots.GREY, opacity=0.12, line_width=0)
    fig.add_scatter(x=data.speed, y=data.fuel, mode="markers", name="measurements", marker_color=plots.GREY)
    fig.add_scatter(x=curve.speed, y=curve.truth, mode="lines", name="true curve", line_color=plots.GREEN)
    shown = curve.fit.clip(*FUEL_RANGE)
    fig.add_scatter(
        x=curve.speed,
        y=shown,
        customdata=curve.fit,
        mode="lines",
        name=f"fit, degree {degree}",
        line_color=plots.BLUE,
        hovertemplate="%{x:.0f} km/h: %{customdata:.4g} L/100 km<extra>fit</extra>",
    )
    at = curve.iloc[(curve.speed - fuel.TARGET).abs().idxmin()]
    for value, name, colour in ((at.truth, "true", plots.GREEN), (at.fit, "predicted", plots.BLUE)):
        fig.add_scatter(
            x=[fuel.TARGET],
            y=[float(np.clip(value, *FUEL_RANGE))],
            mode="markers",
            name=f"{name} at {fuel.TARGET:.0f} km/h: {value:.4g}",
            marker=dict(size=16, color=colour, symbol="diamond", line=dict(width=1, color="white")),
            hoverinfo="skip",
        )
    return plots.finish(fig, provenance)


def predictions_figure(frame: pd.DataFrame, degree: int, provenance: Provenance) -> go.Figure:
    """Each degree's prediction at 180 km/h beside the truth (symmetric log scale: they reach 10¹⁶)."""
    fig = plots.figure(
        title=f"Prediction at {fuel.TARGET:.0f} km/h for every degree (log scale): none extrapolates",
        xaxis_title="polynomial degree",
        # Short: an axis title does not wrap, and a longer one ran off the plot in presenter mode.
        yaxis_title="prediction (L/100 km)",
        legend_below=True,
        margin_t=70,
    )
    signed = np.sign(frame.prediction) * np.log10(1 + np.abs(frame.prediction))
    ticks = [v for v in range(-16, 17, 4)]
    fig.update_yaxes(
        tickvals=[np.sign(v) * np.log10(1 + 10.0 ** abs(v)) if v else 0 for v in ticks],
        ticktext=["0" if v == 0 else ("−" if v < 0 else "") + f"10<sup>{abs(v)}</sup>" for v in ticks],
        range=[float(min(signed.min(), 0)) - 0.5, float(max(signed.max(), 2)) + 0.5],
    )
    truth = float(frame.truth.iloc[0])
    fig.add_scatter(
        x=frame.degree,
        y=[np.sign(truth) * np.log10(1 + abs(truth))] * len(frame),
        mode="lines",
        name=f"true value, {truth:.1f} L/100 km",
        line=dict(color=plots.GREEN, dash="dash"),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=frame.degree,
        y=signed,
        customdata=frame.prediction,
        mode="lines+markers",
        name="prediction of the fit",
        line_color=plots.BLUE,
        hovertemplate="degree %{x}: %{customdata:.4g} L/100 km<extra></extra>",
    )
    chosen = frame[frame.degree == degree]
    if len(chosen):
        fig.add_scatter(
            x=chosen.degree,
            y=signed[chosen.index],
            mode="markers",
            name=f"degree {degree} (the slider)",
            marker=dict(size=18, color=plots.ORANGE, symbol="circle-open", line_width=3),
            hoverinfo="skip",
        )
    return plots.finish(fig, provenance)


def cv_figure(cv: pd.DataFrame, degree: int, provenance: Provenance) -> go.Figure:
    """3-fold cross-validation: training (vermilion) and validation (black) RMSE against degree, log scale."""
    fig = plots.figure(
        title=f"{fuel.FOLDS}-fold cross-validation, log scale (deck: red = training, black = validation)",
        xaxis_title="polynomial degree",
        yaxis_title="RMSE (L/100 km)",
        yaxis_type="log",
        legend_below=True,
        margin_t=70,
    )
    fig.add_scatter(x=cv.degree, y=cv.train_rmse, name="training error", line_color=plots.VERMILION)
    fig.add_scatter(x=cv.degree, y=cv.validation_rmse, name="validation error", line_color=plots.BLACK)
    fig.add_vline(x=degree, line=dict(color=plots.ORANGE, width=3, dash="dot"))
    best = fuel.best_degree(cv)
    fig.add_annotation(x=best, y=float(np.log10(cv.validation_rmse.min())), text=f"best: {best}", ay=40, showarrow=True)
    return plots.finish(fig, provenance)


def spread_figure(result: Decomposition, degree: int, provenance: Provenance, shown: int = 40) -> go.Figure:
    """``shown`` of the fitted curves of ``degree`` (one per data set), their mean, and the truth."""
    fitted = result.curves[degree - 1]
    fig = plots.figure(
        title=f"Degree {degree}: {shown} of {len(fitted)} fits, each to a new data set",
        xaxis_title="speed (km/h)",
        yaxis_title="fuel (L/100 km)",
        yaxis_range=[3.0, 12.0],
        legend_below=True,
        margin_t=70,
    )
    for i, row in enumerate(fitted[:shown]):
        fig.add_scatter(
            x=result.speeds,
            y=row,
            mode="lines",
            line=dict(color=plots.SKY, width=1),
            opacity=0.5,
            name="fits to other data sets",
            legendgroup="fits",
            showlegend=i == 0,
            hoverinfo="skip",
        )
    fig.add_scatter(x=result.speeds, y=fitted.mean(axis=0), mode="lines", name="mean fit", line_color=plots.BLUE)
    fig.add_scatter(
        x=result.speeds, y=result.truth, mode="lines", name="true curve", line=dict(color=plots.GREEN, dash="dash")
    )
    return plots.finish(fig, provenance)


def decomposition_figure(frame: pd.DataFrame, degree: int, provenance: Provenance) -> go.Figure:
    """Bias², variance, noise, their sum and the directly measured test error against degree (log scale)."""
    fig = plots.figure(
        title="Expected test error = bias² + variance + noise (log scale)",
        xaxis_title="polynomial degree",
        yaxis_title="squared error, (L/100 km)²",
        yaxis_type="log",
        legend_below=True,
        margin_t=90,
    )
    for column, name, colour, dash in (
        ("bias2", "bias²", plots.VERMILION, "solid"),
        ("variance", "variance", plots.SKY, "solid"),
        ("noise", "noise σ²", plots.GREY, "dot"),
        ("total", "sum", plots.BLACK, "solid"),
    ):
        fig.add_scatter(x=frame.degree, y=frame[column], name=name, line=dict(color=colour, dash=dash))
    fig.add_scatter(
        x=frame.degree,
        y=frame.test_error,
        error_y=dict(array=2 * frame.test_error_se, visible=True),
        mode="markers",
        name="test error, measured (±2 s.e.)",
        marker=dict(color=plots.ORANGE, symbol="x", size=11),
    )
    fig.add_vline(x=degree, line=dict(color=plots.ORANGE, width=3, dash="dot"))
    return plots.finish(fig, provenance)


def ridge_figure(curves: pd.DataFrame, points: pd.DataFrame, lam: float, provenance: Provenance) -> go.Figure:
    """The four points, the ML cubic through them, ours at λ, and the published MAP cubic (dashed)."""
    fig = plots.figure(
        title=f"Ridge λ = {lam:.3g}: the prior pulls the cubic flat",
        xaxis_title="x",
        yaxis_title="y",
        yaxis_range=[-3.0, 6.0],
        legend_below=True,
        margin_t=90,
    )
    fig.add_scatter(
        x=curves.x,
        y=curves["maximum likelihood"],
        mode="lines",
        name="maximum likelihood (λ = 0)",
        line_color=plots.GREY,
    )
    fig.add_scatter(x=curves.x, y=curves["ridge"], mode="lines", name=f"ours, λ = {lam:.3g}", line_color=plots.BLUE)
    fig.add_scatter(
        x=curves.x,
        y=curves["published MAP"],
        mode="lines",
        name=f"MAP, {ridge.PUBLISHED}",
        line=dict(color=plots.ORANGE, dash="dash"),
    )
    fig.add_scatter(
        x=points.x, y=points.y, mode="markers", name="the 4 points", marker=dict(color=plots.BLACK, size=13)
    )
    return plots.finish(fig, provenance)


def path_figure(path: pd.DataFrame, log_lambda: float, provenance: Provenance) -> go.Figure:
    """Our four coefficients against log10 λ: from the ML values (±155) to 0; the published MAP values as marks."""
    fig = plots.figure(
        title="Coefficients shrink as λ grows",
        xaxis_title="log10 λ",
        yaxis_title="coefficient (signed log scale)",
        legend_below=True,
        margin_t=70,
    )
    for i, column in enumerate(["β0", "β1", "β2", "β3"]):
        y = path[column]
        fig.add_scatter(
            x=path.log_lambda,
            y=np.sign(y) * np.log10(1 + np.abs(y)),
            customdata=y,
            mode="lines",
            name=column,
            line_color=plots.PALETTE[[0, 2, 3, 5][i]],
            hovertemplate=f"{column} = %{{customdata:.4g}}<extra></extra>",
        )
    ticks = [-100, -10, -1, 0, 1, 10, 100]
    fig.update_yaxes(tickvals=[np.sign(v) * np.log10(1 + abs(v)) for v in ticks], ticktext=[str(v) for v in ticks])
    if log_lambda > ridge.LOG_LAMBDA_MIN:
        fig.add_vline(x=log_lambda, line=dict(color=plots.ORANGE, width=3, dash="dot"))
    return plots.finish(fig, provenance)
