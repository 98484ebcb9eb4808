"""The demo's charts: plotly figures built here, drawn by the page, each with its provenance.

One builder per lesson: the analogy answers with the inputs' would-be scores, the explained
variance of the definitional pairs, projections on a direction, a 2-D word map, a WEAT's two
clouds and the comparison with Caliskan et al.'s Table 1 (published), debiasing before/after,
and Gonen & Goldberg's recovery map. Text sizes follow :mod:`core.plots` (presenter mode
scales them centrally).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.glove import Embeddings, WordListError
from core.provenance import Provenance

from .analogies import AnalogyResult
from .debias import RecoveryResult
from .direction import Direction
from .sources import BOLUKBASI_SOURCE, CALISKAN_SOURCE, GONEN_SOURCE, NISSIM_SOURCE, provenance
from .weat import WeatReport

_TOP_LEGEND = dict(orientation="h", x=0, y=1.0, yanchor="bottom")  # above the plot, clear of the data


def _finish(fig: go.Figure, provenance: Provenance) -> go.Figure:
    """:func:`core.plots.finish`, with the base font size set on the figure itself.

    Streamlit's chart theme replaces the font sizes a plotly *template* sets: it draws
    text at the figure's own ``layout.font.size`` (12 px when only the template sets
    one), ticks and legend at 0.75 and axis titles at 0.875 of it (measured in Chromium
    at 1600 x 900: word-map labels, the analogy legend and the projection chart's words
    were 12 px; issue #13 defect 8). Sizes in the figure's own layout are kept, so the
    base size is set here for every kind of label, after the builder's own layout
    (a later ``xaxis_title="..."`` would drop a title font set earlier). Presenter
    mode replaces them centrally in ``ui.charts.chart``; no text sets a size of its own.
    """
    size = plots.BASE_FONT
    fig.update_layout(font_size=size, legend_font_size=size)
    fig.update_xaxes(tickfont_size=size, title_font_size=size)
    fig.update_yaxes(tickfont_size=size, title_font_size=size)
    return plots.finish(fig, provenance)


def analogy_figure(result: AnalogyResult, emb: Embeddings) -> go.Figure:
    """Bar chart of the top answers, with the three inputs' would-be scores as dashed lines.

    Each input's line is named in the legend above the plot ("man (rank 995)"), not
    labelled inside it: a label inside lands on the dark bars, and two inputs that score
    alike overprint each other. The lines live on a hidden second y-axis spanning [0, 1]
    so that they cross the whole plot and hover like any trace.
    """
    table = result.candidates.iloc[::-1]
    fig = plots.figure(f"{result.a} : {result.b} :: {result.c} : ?  ({result.method})")
    fig.add_bar(
        x=table["score"],
        y=table["word"],
        orientation="h",
        marker_color=plots.BLUE,
        name="answers",
        hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        showlegend=False,
    )
    for (_, row), colour in zip(result.inputs.iterrows(), (plots.GREY, plots.VERMILION, plots.GREEN)):
        searched = not pd.isna(row["rank"])  # None when vocab_limit left the input word out
        label = f"{row['word']} (rank {int(row['rank']):,})" if searched else f"{row['word']} (not searched)"
        fig.add_scatter(
            x=[row["score"]] * 2 if searched else [],
            y=[0, 1] if searched else [],
            yaxis="y2",
            mode="lines",
            line=dict(dash="dash", color=colour, width=2),
            name=label,
            hovertemplate=f"{label}: %{{x:.3f}}<extra></extra>",
        )
    scores = pd.concat([table["score"], result.inputs["score"]]).dropna().to_numpy()
    low, high = min(float(scores.min()), 0.0), float(scores.max())
    fig.update_xaxes(range=[low, high + 0.04 * (high - low)])  # a line at the top score stays clear of the edge
    fig.update_layout(
        xaxis_title="score",
        height=max(450, 230 + 28 * len(table)),
        legend=_TOP_LEGEND,
        yaxis2=dict(overlaying="y", range=[0, 1], visible=False, fixedrange=True),
        yaxis_automargin=True,
        margin_t=110,
    )  # t: the title and a legend that wraps at presenter sizes
    excluded = "inputs excluded" if result.exclude_inputs else "inputs allowed"
    return _finish(fig, provenance(emb, f"analogy over the vocabulary, {excluded}", source=NISSIM_SOURCE))


def explained_variance_figure(direction: Direction, emb: Embeddings) -> go.Figure:
    """Share of variance of each principal component of the centred definitional pairs."""
    if not direction.explained_variance:
        raise ValueError(f"{direction.name} was not computed by PCA")
    share = np.asarray(direction.explained_variance)
    fig = plots.figure("How one-dimensional is gender? Variance of the definitional pairs per component")
    fig.add_bar(
        x=[f"PC{i + 1}" for i in range(len(share))],
        y=share,
        marker_color=[plots.VERMILION] + [plots.BLUE] * (len(share) - 1),
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_layout(yaxis_title="share of variance", yaxis_tickformat=".0%", showlegend=False)
    return _finish(
        fig, provenance(emb, f"{len(direction.used)} pairs: {', '.join(direction.used)}", source=BOLUKBASI_SOURCE)
    )


def projection_figure(
    table: pd.DataFrame,
    direction: Direction,
    emb: Embeddings,
    highlight: Iterable[str] = (),
    n_labels: int = 8,
    data: str = "",
) -> go.Figure:
    """The words at both ends of ``direction``, and ``highlight``, one row each, above a rug of all words.

    Each labelled word gets a row, sorted by projection, and its name is the row's
    tick label: plotly makes room for tick labels, so no label is cut at the plot's
    edge and none lies over a line or another label, at any font size. (Labels with
    leader lines beside the points crossed each other's lines and ran off the edge:
    issue #13, defect 9.) The bottom row is a rug of every word, so the extremes are
    seen against the whole distribution; hovering one of its marks names the word.

    Args:
        table: DataFrame with ``word`` and ``projection`` (e.g. :func:`profession_projections`).
        highlight: words to mark with a black diamond and always list (e.g. the words a user typed).
        n_labels: how many words to list at each end.
    """
    table = table.dropna(subset=["projection"]).sort_values("projection", kind="stable").reset_index(drop=True)
    table = table.drop_duplicates("word")  # one row per word: a category axis would merge repeats anyway
    n_end = min(n_labels, len(table) // 2)
    marked = table["word"].isin(set(highlight))
    ends = (table.index < n_end) | (table.index >= len(table) - n_end)
    shown = table[ends | marked]
    rug = f"all {len(table)} words"
    rows = [rug, *shown["word"]]  # bottom to top: the rug, then the listed words from most negative up

    def colours(values: pd.Series) -> np.ndarray:
        return np.where(values > 0, plots.VERMILION, plots.BLUE)

    fig = plots.figure(f"Projection on the {direction.name} direction")
    fig.add_scatter(
        x=table["projection"],
        y=[rug] * len(table),
        mode="markers",
        text=table["word"],
        name=rug,
        marker=dict(symbol="line-ns-open", size=22, line=dict(width=1.5, color=colours(table["projection"]))),
        hovertemplate="%{text}: %{x:.3f}<extra></extra>",
    )
    mine = marked[shown.index].to_numpy()
    for part, name, symbol, size in ((shown[~mine], "ends", "circle", 11), (shown[mine], "your words", "diamond", 14)):
        colour = plots.BLACK if name == "your words" else colours(part["projection"])
        fig.add_scatter(
            x=part["projection"],
            y=part["word"],
            mode="markers",
            name=name,
            marker=dict(color=colour, size=size, symbol=symbol),
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    fig.add_vline(x=0, line_color=plots.GREY)
    fig.update_layout(
        xaxis_title=f"← {direction.negative}   projection   {direction.positive} →",
        showlegend=False,
        height=max(450, 230 + 30 * len(rows)),
    )  # 30 px a row: a label at presenter size fits
    # Every row named (an automatic category axis skips labels when crowded), in this order.
    fig.update_yaxes(categoryorder="array", categoryarray=rows, tickmode="array", tickvals=rows, automargin=True)
    return _finish(fig, provenance(emb, data or f"{len(table)} words", source=BOLUKBASI_SOURCE))


def scatter_figure(emb: Embeddings, words: Sequence[str], x_axis: Direction, y_axis: Direction) -> go.Figure:
    """Words placed by their projections on two directions; hover shows the word."""
    words = [w for w in words if w in emb.index]
    if not words:
        raise WordListError("No known words to plot.")
    vectors = emb.matrix(words)
    x, y = vectors @ x_axis.vector, vectors @ y_axis.vector
    angle = math.degrees(math.acos(float(np.clip(x_axis.vector @ y_axis.vector, -1, 1))))
    fig = plots.figure(f"{x_axis.name} × {y_axis.name} (axes {angle:.0f}° apart)")
    # cliponaxis=False: a label may run past the axis into the margin rather than be cut.
    fig.add_scatter(
        x=x,
        y=y,
        mode="markers+text",
        text=words,
        textposition="top center",
        cliponaxis=False,
        marker=dict(color=plots.BLUE),
        hovertemplate="%{text}<br>x %{x:.3f}<br>y %{y:.3f}<extra></extra>",
    )
    fig.add_hline(y=0, line_color=plots.GREY)
    fig.add_vline(x=0, line_color=plots.GREY)
    fig.update_layout(
        xaxis_title=f"← {x_axis.negative}   {x_axis.positive} →",
        yaxis_title=f"← {y_axis.negative}   {y_axis.positive} →",
        showlegend=False,
        height=650,
        margin_r=60,
    )  # tall: 16 px labels of nearby words need the room to stay apart
    fig.update_xaxes(range=_padded(x, 0.15))  # room for the labels of the outermost words
    fig.update_yaxes(range=_padded(y, 0.15))
    return _finish(fig, provenance(emb, f"{len(words)} words"))


def _padded(values: np.ndarray, share: float) -> list[float]:
    """An axis range around ``values`` (and 0) with ``share`` of the span added on each side."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    pad = share * (high - low or 1.0)
    return [low - pad, high + pad]


def weat_figure(report: WeatReport, emb: Embeddings) -> go.Figure:
    """Each target word's association s(w, A, B): the two clouds whose gap d measures."""
    r, (x_name, y_name, a_name, b_name) = report.result, report.names
    fig = plots.figure(f"{report.title.split(':')[0]}: d = {r.effect_size:.2f}, {r.p_text()}")
    for words, values, name, colour in ((r.X, r.s_x, x_name, plots.BLUE), (r.Y, r.s_y, y_name, plots.ORANGE)):
        fig.add_box(
            x=values,
            name=name,
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            text=list(words),
            marker_color=colour,
            hovertemplate="%{text}: %{x:.3f}<extra></extra>",
            orientation="h",
        )
    fig.add_vline(x=0, line_color=plots.GREY)
    fig.update_layout(xaxis_title=f"← closer to {b_name}    s(w, A, B)    closer to {a_name} →", showlegend=False)
    fig.update_yaxes(automargin=True)
    seed = r.seed if r.p_method == "monte carlo" else None
    return _finish(
        fig, provenance(emb, f"{report.title}; p {r.p_method}, {r.n_splits:,} splits", seed, source=CALISKAN_SOURCE)
    )


def weat_comparison_figure(table: pd.DataFrame, emb: Embeddings) -> go.Figure:
    """Our d per WEAT next to Caliskan et al.'s Table 1 d on GloVe 840B (published)."""
    fig = plots.figure("WEAT effect sizes: measured here vs published")
    fig.add_bar(x=table["test"], y=table["d"], name=f"measured, {emb.name}", marker_color=plots.BLUE)
    fig.add_bar(
        x=table["test"],
        y=table["paper_d"],
        name="published, GloVe 840B (Caliskan et al. 2017)",
        marker_color=plots.GREY,
    )
    fig.update_layout(barmode="group", yaxis_title="effect size d", legend=_TOP_LEGEND)
    return _finish(fig, provenance(emb, "WEAT 1-10 word lists of the paper", source=CALISKAN_SOURCE))


def debias_projection_figure(table: pd.DataFrame, direction: Direction, emb: Embeddings) -> go.Figure:
    """Dumbbells: each word's projection before (hollow) and after (filled) debiasing."""
    fig = plots.figure("Projection on the gender direction, before and after hard debiasing")
    for _, row in table.iterrows():
        fig.add_scatter(
            x=[row["before"], row["after"]],
            y=[row["word"]] * 2,
            mode="lines",
            line=dict(color=plots.GREY, width=2),
            hoverinfo="skip",
            showlegend=False,
        )
    fig.add_scatter(
        x=table["before"],
        y=table["word"],
        mode="markers",
        name="before",
        marker=dict(symbol="circle-open", color=plots.VERMILION, size=11),
    )
    fig.add_scatter(
        x=table["after"], y=table["word"], mode="markers", name="after", marker=dict(color=plots.BLUE, size=9)
    )
    fig.update_layout(
        xaxis_title=f"← {direction.negative}   projection   {direction.positive} →",
        height=max(450, 200 + 26 * len(table)),
        legend=_TOP_LEGEND,
    )
    fig.update_yaxes(automargin=True)
    return _finish(fig, provenance(emb, f"{len(table)} words", source=BOLUKBASI_SOURCE))


def recovery_figure(result: RecoveryResult, emb: Embeddings) -> go.Figure:
    """The most biased words in the debiased space (2-D PCA), coloured by their original lean."""
    fig = plots.figure(
        f"Debiased, still sorted by gender: k-means {result.cluster_after:.0%}, SVM {result.classify_after:.0%}"
    )
    words = np.array(result.words)
    for label, name, colour in ((1, "leaned to she", plots.VERMILION), (0, "leaned to he", plots.BLUE)):
        mask = result.labels == label
        fig.add_scatter(
            x=result.coords_after[mask, 0],
            y=result.coords_after[mask, 1],
            mode="markers",
            text=words[mask],
            name=name,
            marker=dict(color=colour, size=7, opacity=0.7),
            hovertemplate="%{text}<extra></extra>",
        )
    fig.update_layout(xaxis_title="PC1 of debiased vectors", yaxis_title="PC2", legend=_TOP_LEGEND)
    return _finish(
        fig,
        provenance(
            emb,
            f"{len(words)} most gender-biased of the {result.config.vocab_limit:,} most frequent words",
            result.config.seed,
            source=GONEN_SOURCE,
        ),
    )
