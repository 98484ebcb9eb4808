"""Deep Learning Limits Lab — all models, data and measurement.

Everything here runs without Streamlit (a notebook, a test, a benchmark). The
pages in ``pages/`` are thin: they read widgets, call a function in here and
draw what it returns.
"""
