"""Streamlit-side helpers shared by every page: the app shell (navigation and the
sidebar frame) and the chart/table renderers. Logic lives in ``core``; this package
only draws."""
