"""Render core's figures and tables with their provenance and download buttons.

Every chart is drawn for the screen it is on (presenter mode: ≥ 18 px ticks and labels;
dark theme: light ink; see ``core.plots.for_screen``), with its provenance once, as the
caption under it. plotly's PNG export (the camera icon) puts the provenance in the file
name; the CSV download of the numbers behind it is headed by the provenance as
``# key: value`` lines.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import plots
from core.provenance import Provenance
from ui.shell import presenter


def dark_theme() -> bool:
    """True when the viewer's Streamlit theme is dark (the theme chooser in the menu is theirs)."""
    theme = getattr(st.context, "theme", None)
    return getattr(theme, "type", None) == "dark"


def _csv_download(frame: pd.DataFrame, provenance: Provenance, stem: str, name: str) -> None:
    """The numbers as CSV, headed by the provenance as ``# key: value`` lines."""
    data = (provenance.csv_header() + frame.to_csv(index=False)).encode("utf-8")
    st.download_button(
        "Download CSV", data, file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:", key=f"csv.{name}"
    )


def chart(fig: go.Figure, frame: pd.DataFrame, provenance: Provenance, name: str) -> None:
    """A plotly figure, its provenance caption, and CSV of ``frame`` to download."""
    fig = plots.for_screen(fig, presenter=presenter(), dark=dark_theme())
    filename = f"{name}_{provenance.slug()}"
    st.plotly_chart(
        fig,
        config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}},
        key=f"chart.{name}",
    )
    st.caption(provenance.caption())
    _csv_download(frame, provenance, filename, name)


def table(frame: pd.DataFrame, provenance: Provenance, name: str) -> None:
    """A dataframe, its provenance caption, and a CSV download."""
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(provenance.caption())
    _csv_download(frame, provenance, f"{name}_{provenance.slug()}", name)
