"""Each page's store of trained runs: shared by every session, never by two pages.

Why one store per page, held here and not in each page: Streamlit keys ``st.cache_resource``
on the function's module, name and source. Every page script runs as ``__main__``, so two
pages that each define a character-identical ``@st.cache_resource def shared_runs()`` get
*one* cache entry between them: training Clever Hans twice evicted the adversarial model
(issue #13). Here there is one cached dictionary, keyed by the page's slug, so a page can only
ever see, fill and evict its own runs.

A store is a :class:`core.training.SharedRuns`: 20 students pressing "Train" on one preset
wait for one training. Its bound (``max_entries``) is per page and sized so that every preset
of the page, trained in one lecture, fits with room to spare; past it, the run stored longest
ago is dropped and trained again if asked for.
"""

from __future__ import annotations

import threading

import streamlit as st

from core.training import SharedRuns

_GUARD = threading.Lock()  # two sessions opening the same page at once must get the same store

# Runs kept per page. Every preset of a page, for one seed, fits with room for a few slider positions:
# adversarial 4 (model, curves, defence, its curves), Clever Hans 3 (two tag shares, one shared
# clean baseline), mugshots 3 (~100 MB of faces each: the tightest), CO2 3 presets + the reference set.
CAPACITY = {"adversarial": 8, "clever_hans": 8, "mugshots": 4, "carbon": 12}


@st.cache_resource(show_spinner=False)
def _stores() -> dict[str, SharedRuns]:
    """One dictionary for the whole server: slug -> that page's store."""
    return {}


def page_runs(slug: str) -> SharedRuns:
    """The run store of page ``slug`` (created on first use with room for ``CAPACITY[slug]`` runs)."""
    stores = _stores()
    with _GUARD:
        if slug not in stores:
            stores[slug] = SharedRuns(max_entries=CAPACITY[slug])
        return stores[slug]
