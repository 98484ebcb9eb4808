"""The CO2 page's charts: grams beside tonnes on one log axis, the energy fit pushed to GPT-3, accuracy vs energy.

Every chart is a plotly ``Figure`` finished by :func:`core.plots.finish` with its provenance.
Two conventions hold across them: a demo's runs have one colour in every chart
(:func:`demo_colour`), and a log axis labels whole decades only (:func:`log_axis`), because a
lecture hall cannot read "2 3 … 9 0.1 2 3".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from core.demos.carbon.fit import CONFIDENCE, EnergyFit, power_of_ten
from core.demos.carbon.lab_runs import DEMO
from core.demos.carbon.published import PUBLISHED, PublishedFigure
from core.provenance import Provenance

if TYPE_CHECKING:  # imported lazily below: pandas and plotly cost ~0.5 s each at import
    import pandas as pd
    import plotly.graph_objects as go


# --------------------------------------------------------------------------- grams to tonnes
def scale_ladder_figure(
    our_runs: list[tuple[str, float]], published: tuple[PublishedFigure, ...] | list[PublishedFigure] = PUBLISHED
) -> go.Figure:
    """Our measured runs and the published figures on one log axis of kg CO2e.

    A log axis because the values span ~10⁻⁶ kg (a small CPU run) to ~10⁵ kg (GPT-3):
    on a linear axis everything but the largest point would sit at zero. Colour and
    legend separate what we *measured* from what papers *published*. Runs with no
    positive emissions cannot sit on a log axis and are left out (the caption says how many).
    """
    from core import plots

    ours = _unique([(str(label), float(kg)) for label, kg in our_runs if kg is not None and kg > 0])
    dropped = len(our_runs) - len(ours)
    pubs = sorted(published, key=lambda p: p.kg_co2e)
    fig = plots.figure(title="From grams to tonnes: CO2e of training (log scale)")
    # Published first, then ours: one categorical y axis, sorted by value within each group.
    fig.add_scatter(
        x=[p.kg_co2e for p in pubs],
        y=[p.name for p in pubs],
        mode="markers+text",
        name="published (papers)",
        marker=dict(color=plots.ORANGE, size=12, symbol="diamond"),
        text=[mass_text(p.kg_co2e) for p in pubs],
        textposition="middle right",
        customdata=[p.citation for p in pubs],
        hovertemplate="%{y}: %{x:,.4g} kg CO2e<br>%{customdata}<extra>published</extra>",
    )
    ours.sort(key=lambda pair: pair[1])
    fig.add_scatter(
        x=[kg for _, kg in ours],
        y=[label for label, _ in ours],
        mode="markers+text",
        name="measured here (codecarbon)",
        marker=dict(color=plots.BLUE, size=12),
        text=[mass_text(kg) for _, kg in ours],
        textposition="middle right",
        hovertemplate="%{y}: %{x:.3g} kg CO2e<extra>measured here</extra>",
    )
    axis = log_axis([p.kg_co2e for p in pubs] + [kg for _, kg in ours], pad_decades=1)
    if "range" in axis:  # one more decade to the right: room for the value labels beside the largest points
        axis["range"][1] += axis["dtick"]
    fig.update_xaxes(title_text="kg CO2e (log scale)", **axis)
    fig.update_yaxes(title_text="", automargin=True)  # the left margin grows to fit the longest label
    fig.update_layout(height=max(420, 32 * (len(pubs) + len(ours)) + 180), legend=dict(x=0.99, xanchor="right"))

    sources = "; ".join(sorted({p.citation.split(",")[0] for p in pubs}))
    data = (
        f"{len(ours)} runs measured here with codecarbon (see the ledger for method and grid)"
        + (f", {dropped} without positive emissions not shown" if dropped else "")
        + f"; {len(pubs)} published figures ({sum(p.verified for p in pubs)} checked against the papers)"
    )
    if ours:
        prov = Provenance(kind="measured", model="training runs of this lab", data=data, source=f"published: {sources}")
    else:
        prov = Provenance(kind="published", data=data, source=sources)
    return plots.finish(fig, prov)


def _unique(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Suffix repeated labels (" (2)", " (3)"): on a categorical axis equal labels would share one row."""
    seen: dict[str, int] = {}
    out = []
    for label, kg in pairs:
        seen[label] = seen.get(label, 0) + 1
        out.append((label if seen[label] == 1 else f"{label} ({seen[label]})", kg))
    return out


def mass_text(kg: float) -> str:
    """Readable mass: mg / g / kg / t, so a label is read at a glance."""
    if kg >= 1000:
        return f"{kg / 1000:,.3g} t"
    if kg >= 1:
        return f"{kg:,.3g} kg"
    if kg >= 1e-3:
        return f"{kg * 1000:.3g} g"
    return f"{kg * 1e6:.3g} mg"


# --------------------------------------------------------------------------- shared by every ledger chart
def _demo_colours() -> dict[str, str]:
    from core import plots

    # One colour per demo, for every chart of ledger runs, so a demo is the same colour everywhere.
    # Not orange (published figures), blue (our fit) or grey (runs not fitted): those mean something else.
    return {
        "carbon": plots.VERMILION,
        "adversarial": plots.PINK,
        "clever_hans": plots.GREEN,
        "mugshots": plots.SKY,
        "word_embeddings": plots.YELLOW,
        # Okabe-Ito has no colour left: Paul Tol's "muted" scheme (colour-blind safe); black stays spare.
        "overfitting": "#882255",  # wine
        "biased_decisions": "#332288",  # indigo (no training runs: kept so every demo has its colour)
        "out_of_distribution": "#44AA99",  # teal
        "forgetting": "#999933",  # olive
        "data_hunger": "#117733",  # green (darker than Okabe-Ito's bluish green, Clever Hans's)
        "compression": "#CC6677",  # rose
        "explanations": "#AA4499",  # purple
    }


def demo_colour(demo: str) -> str:
    """The colour of ``demo``'s runs in every ledger chart (a fixed mapping, not the order runs appear in).

    A demo the mapping does not know (a test's, a future one's) gets a colour from its name, so it too
    keeps one colour across charts and sessions.
    """
    import zlib

    from core import plots

    colours = _demo_colours()
    if demo in colours:
        return colours[demo]
    spare = [c for c in plots.PALETTE if c not in colours.values() and c not in (plots.ORANGE, plots.BLUE)]
    return spare[zlib.crc32(str(demo).encode("utf-8")) % len(spare)]


def log_axis(values, pad_decades: float = 0.0) -> dict:
    """Settings for a log axis whose ticks sit on whole decades only (``10^-3, 10^-2 …``).

    Plotly's default for a log axis spanning a decade or two labels every digit
    (``2 3 … 9 0.1 2 3``): unreadable from the back row. Here the range is widened to
    whole decades around ``values`` (plus ``pad_decades`` each side), so at least two
    ticks show, and ``dtick`` steps by one decade, or more on a very wide axis, so that
    at most about eight ticks are labelled.
    """
    logs = [math.log10(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    if not logs:
        return dict(type="log", dtick=1, exponentformat="power")
    # A tenth of a decade to spare, so that a point on a decade (1e-9) is not cut in half by the edge.
    low = math.floor(min(logs) - pad_decades - 0.1)
    high = math.ceil(max(logs) + pad_decades + 0.1)
    high = max(high, low + 1)
    step = max(1, math.ceil((high - low) / 8))
    low -= low % step  # ticks at multiples of the step: 10^0, 10^3, 10^6 … rather than 10^1, 10^4 …
    return dict(type="log", range=[low, high], dtick=step, tick0=0, exponentformat="power")


# --------------------------------------------------------------------------- the energy fit
OTHER_RUNS = "other ledger runs (not fitted)"


def extrapolation_figure(
    reference: pd.DataFrame,
    others: pd.DataFrame,
    fit: EnergyFit,
    target_flops: float,
    target_label: str,
    published_kwh: float | None,
    provenance: Provenance,
) -> go.Figure:
    """The fitted reference points, the ledger's other runs (grey, not fitted), the fit with its
    prediction band, and the target: the fit's range at ``target_flops`` beside the published figure.

    Args:
        reference: the fitted points (:func:`reference_points`: ``train_flops``, ``energy_kwh``, ``label``).
        others: any other measured runs (:func:`measured_runs` rows), drawn for context only.
        fit: the fit of ``reference``.
        target_flops, target_label: where to extrapolate to, e.g. GPT-3's 3.14e23 FLOPs.
        published_kwh: the energy published for the target, or None.

    The legend sits below the plot, where it cannot cover a point.
    """
    from core import plots

    fig = plots.figure(title="Energy vs compute: the reference fit, and how far it is pushed (log-log)")
    others = others[(others["train_flops"] > 0) & (others["energy_kwh"] > 0)] if len(others) else others
    if len(others):
        fig.add_scatter(
            x=others["train_flops"],
            y=others["energy_kwh"],
            mode="markers",
            name=OTHER_RUNS,
            marker=dict(color=plots.GREY, size=8, symbol="circle-open", line=dict(width=2)),
            text=others["demo"].astype(str) + ": " + others["label"].astype(str),
            hovertemplate="%{text}<br>%{x:.3g} FLOPs, %{y:.3g} kWh<extra>not fitted</extra>",
        )
    low, high = fit.flops_range
    end = max(target_flops, high)
    band_x = np.logspace(math.log10(low), math.log10(end), 60)
    band = [fit.predict_range_kwh(f) for f in band_x]
    fig.add_scatter(
        x=band_x,
        y=[hi for _, hi in band],
        mode="lines",
        line=dict(width=0),
        hoverinfo="skip",
        showlegend=False,
        name="prediction interval, upper",
    )
    fig.add_scatter(
        x=band_x,
        y=[lo for lo, _ in band],
        mode="lines",
        line=dict(width=0),
        hoverinfo="skip",
        fill="tonexty",
        fillcolor="rgba(0,114,178,0.18)",
        name=f"{CONFIDENCE:.0%} prediction range",
    )
    inside = np.logspace(math.log10(low), math.log10(high), 20)
    fig.add_scatter(
        x=inside,
        y=[fit.predict_kwh(f) for f in inside],
        mode="lines",
        name="fit",
        line=dict(color=plots.BLUE, width=3),
        hoverinfo="skip",
    )
    beyond = np.logspace(math.log10(high), math.log10(end), 20)
    fig.add_scatter(
        x=beyond,
        y=[fit.predict_kwh(f) for f in beyond],
        mode="lines",
        name="extrapolation (not a measurement)",
        line=dict(color=plots.BLUE, width=2, dash="dash"),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=reference["train_flops"],
        y=reference["energy_kwh"],
        mode="markers",
        name=f"reference workloads ({len(reference)}, fitted)",
        marker=dict(color=demo_colour(DEMO), size=12, line=dict(width=1, color="white")),
        text=reference["label"],
        hovertemplate="%{text}<br>%{x:.3g} FLOPs, %{y:.3g} kWh<extra>fitted</extra>",
    )
    estimate = fit.predict_kwh(target_flops)
    range_low, range_high = fit.predict_range_kwh(target_flops)
    # The values go in the legend, not beside the markers: two labels at one x collide, and the
    # range's label ran off the right edge.
    fig.add_scatter(
        x=[target_flops],
        y=[estimate],
        mode="markers",
        name=(f"{target_label} by our fit: {power_of_ten(range_low)} – {power_of_ten(range_high)} kWh"),
        marker=dict(color=plots.BLUE, size=13, symbol="x"),
        error_y=dict(
            type="data",
            symmetric=False,
            array=[range_high - estimate],
            arrayminus=[estimate - range_low],
            color=plots.BLUE,
            thickness=2,
            width=10,
        ),
        hovertemplate=(
            f"extrapolated: %{{y:.3g}} kWh<br>{CONFIDENCE:.0%} range {range_low:.3g} – "
            f"{range_high:.3g} kWh<extra></extra>"
        ),
    )
    y_values = [*reference["energy_kwh"], range_low, range_high, *(others["energy_kwh"] if len(others) else [])]
    if published_kwh:
        fig.add_scatter(
            x=[target_flops],
            y=[published_kwh],
            mode="markers",
            name=f"{target_label} published: {published_kwh:,.0f} kWh",
            marker=dict(color=plots.ORANGE, size=14, symbol="diamond"),
            hovertemplate="published: %{y:,.0f} kWh<extra></extra>",
        )
        y_values.append(published_kwh)
    x_values = [*reference["train_flops"], target_flops, *(others["train_flops"] if len(others) else [])]
    fig.update_xaxes(title_text="training compute (FLOPs, log scale)", **log_axis(x_values))
    fig.update_yaxes(title_text="energy (kWh, log scale)", automargin=True, **log_axis(y_values))
    # Below the plot area (under the x-axis title): it can no longer cover the target's points.
    fig.update_layout(
        height=640, legend=dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top", traceorder="normal")
    )
    return plots.finish(fig, provenance)


# --------------------------------------------------------------------------- accuracy vs energy
def accuracy_energy_figure(runs: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Test accuracy (%) vs energy (Wh, log axis) of every measured run that recorded an accuracy.

    Each demo has its own colour (:func:`core.demos.carbon.demo_colour`), the same in every ledger chart.
    """
    from core import plots

    usable = runs[runs["test_acc"].notna() & (runs["energy_kwh"] > 0)]
    fig = plots.figure(title="Accuracy vs energy: every model this lab trained")
    for demo, group in usable.groupby("demo", sort=True):
        fig.add_scatter(
            x=group["energy_kwh"] * 1000,
            y=group["test_acc"] * 100,
            mode="markers",
            name=demo,
            marker=dict(color=demo_colour(demo), size=11),
            text=group["label"],
            hovertemplate="%{text}<br>%{x:.3g} Wh, %{y:.1f} %<extra></extra>",
        )
    fig.update_xaxes(title_text="energy of the training run (Wh, log scale)", **log_axis(usable["energy_kwh"] * 1000))
    fig.update_yaxes(title_text="test accuracy (%) on that demo's own task", automargin=True)
    fig.update_layout(height=460)
    return plots.finish(fig, provenance)
