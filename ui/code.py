"""Show the code: the very core function that ran, as a lecturer would project it.

The code of a demo is part of its lesson, so every page ends a result with an expander holding
the source of the function that computed it (``inspect.getsource``: always the code that ran,
never a copy that could drift from it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import streamlit as st


def show_code(*functions: Callable | type, title: str = "Show the code") -> None:
    """An expander with the source of each of ``functions`` (functions or classes), one after the other."""
    with st.expander(title):
        st.code("\n\n".join(inspect.getsource(f) for f in functions), language="python")
