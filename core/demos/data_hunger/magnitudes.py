"""The orders of magnitude of the decks: how much data famous systems were given, beside this page's own.

Every figure is drawn as published, with its unit (they do not share one: images, hours, tokens, frames, years,
parameters, examples) and where it comes from; ``checked`` says how far it was checked here (2026-12, the
``search`` tool, offline copies of pages, no access to the papers' PDFs):

* ImageNet, 14 M images: image-net.org's own count today, as the deck quotes it. Deng et al. 2009 (CVPR)
  described the database when it held far fewer (the figure of the 2009 paper was not checked here).
* LibriSpeech, 1,000 h: Panayotov et al. 2015 (ICASSP), "approximately 1000 hours" in its title line and
  abstract, as the deck quotes it; not checked here.
* GPT-3, 300 B tokens: Brown et al. 2020, §2.2 and Table 2.2 ("all models were trained for a total of 300
  billion tokens"); checked against two secondary summaries only.
* DQN, 200 M frames ≈ 38 days of play: as quoted in the lecture deck (001, Vitay); Mnih et al. 2015's Methods
  count training in agent steps (each repeating its action for 4 emulator frames); not checked here.
* AlphaStar, up to 200 years of real-time play per agent: DeepMind's blog (January 2019) and Vinyals et al.
  2019; checked against secondary summaries ("equivalent to 200 years of gameplay in 14 days").
* VGG-16, 138 M parameters for 1.2 M training images: Simonyan & Zisserman 2015 (ICLR), Table 2 (133-144 M
  for their nets A-E) and §4 (ILSVRC-2012's 1.3 M training images); the deck's "140 M for 1.2 M"; not checked.
* A child learns a new word from one example ("fast mapping"): Carey & Bartlett 1978; the deck's "schmister".
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.provenance import Provenance

DECK = "as quoted in the lecture deck (001, Vitay)"
PUBLISHED = [
    # (what, value, unit, source, checked)
    ("ImageNet (images)", 14e6, "images", "image-net.org; Deng et al. 2009", DECK),
    ("LibriSpeech (hours of speech)", 1_000, "hours", "Panayotov et al. 2015, ICASSP", DECK),
    ("GPT-3 (training tokens)", 300e9, "tokens", "Brown et al. 2020, §2.2, Table 2.2", "secondary summaries"),
    ("DQN on one Atari game (frames)", 200e6, "frames ≈ 38 days of play", "Mnih et al. 2015, Methods", DECK),
    ("AlphaStar (years of play per agent)", 200, "years of play", "Vinyals et al. 2019; DeepMind blog", "secondary"),
    ("VGG-16 (parameters)", 138e6, "parameters", "Simonyan & Zisserman 2015, Table 2", DECK),
    ("VGG-16 (training images)", 1.2e6, "images", "Simonyan & Zisserman 2015, §4 (ILSVRC-2012)", DECK),
    ("A child learning a word", 1, "example", "Carey & Bartlett 1978 ('fast mapping')", DECK),
]


def frame(ours: dict[str, float] | None = None) -> pd.DataFrame:
    """The published figures, then ``ours`` (label -> number of images, measured on this page)."""
    rows = [
        dict(what=what, value=value, unit=unit, kind="published", source=source, checked=checked)
        for what, value, unit, source, checked in PUBLISHED
    ]
    rows += [
        dict(what=what, value=value, unit="images", kind="measured", source="this page", checked="measured here")
        for what, value in (ours or {}).items()
    ]
    return pd.DataFrame(rows)


def _short(value: float) -> str:
    """14000000 -> '14 M', 3e11 -> '300 B', 1000 -> '1,000'."""
    for size, suffix in ((1e9, " B"), (1e6, " M")):
        if value >= size:
            return f"{value / size:,.3g}{suffix}"
    return f"{value:,.0f}"


def figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Horizontal bars on a log axis, largest at the top; published in orange, ours in blue, each with its unit."""
    table = table.sort_values("value")
    colours = [plots.ORANGE if kind == "published" else plots.BLUE for kind in table.kind]
    fig = plots.figure(
        title="How much data: published systems (orange) and this page (blue)",
        xaxis=dict(title="amount (log scale; the units differ, see each bar)", type="log"),
        yaxis=dict(automargin=True),
        height=110 + 48 * len(table),
        margin_l=20,
    )
    fig.add_bar(
        y=table.what,
        x=table.value,
        orientation="h",
        marker_color=colours,
        text=[f"{_short(v)} {u}" for v, u in zip(table.value, table.unit)],
        textposition="outside",
        cliponaxis=False,
        customdata=table.source,
        hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>",
        showlegend=False,
    )
    top = math.log10(table.value.max())
    fig.update_xaxes(range=[-0.5, top + 3.2])  # room on the right for the largest bar's label
    return plots.finish(fig, provenance)


def provenance() -> Provenance:
    return Provenance(
        "published",
        data="the decks' figures (each bar's source in the CSV) beside this page's training sets (measured)",
        source="Deng 2009; Panayotov 2015; Brown 2020; Mnih 2015; Vinyals 2019; Simonyan & Zisserman 2015; "
        "Carey & Bartlett 1978",
    )
