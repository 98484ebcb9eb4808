"""Each page's store of trained runs: shared by every session, never by two pages.

Why one store per page, held here and not in each page: Streamlit keys ``st.cache_resource``
on the function's module, name and source. Every page script runs as ``__main__``, so two
pages that each define a character-identical ``@st.cache_resource def shared_runs()`` get
*one* cache entry between them: training Clever Hans twice evicted the adversarial model
(issue #13). Here there is one cached dictionary, keyed by the page's slug, so a page can only
ever see, fill and evict its own runs.

:func:`train_gate` is the one "Train" step every training page shares: if the page's runs
exist it returns them; otherwise it shows what will be trained and a button that trains them
with one progress bar (time left estimated as it goes), then redraws the page with the results.
On a lab of several servers sharing trained models (``DLLAB_MODEL_STORE``), runs another server has
trained are loaded at once, without a button.

A store is a :class:`core.training.SharedRuns`: 20 students pressing "Train" on one preset
wait for one training. Its bound (``max_entries``) is per page and sized so that every preset
of the page, trained in one lecture, fits with room to spare; past it, the run stored longest
ago is dropped and trained again if asked for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import streamlit as st

from core import model_store
from core.training import Job, ProgressText, SharedRuns

_GUARD = threading.Lock()  # two sessions opening the same page at once must get the same store

# Runs kept per page. Every preset of a page, for one seed, fits with room for a few slider positions:
# adversarial 4 (model, curves, defence, its curves), Clever Hans 3 (two tag shares, one shared
# clean baseline), mugshots 3 (~29 MB of uint8 faces each), CO2 3 presets + the reference set, forgetting
# 5 (task A once, then B with no remedy, EWC, replay and joint; ~1 MB each) and two per boundary moved,
# out of distribution 8 (two models, their two sweeps, four shuffled-pixel runs) and room for one more seed,
# compression 7 presets (the model, sweeps, a fine-tuning, students) and room for a few T or share moves,
# data hunger ~91 small runs a seed (72 learning-curve points, 18 few-shot points, a few hundred bytes each, and
# one ~7 MB backbone): each point is its own run so that a sweep is resumable, and two seeds fit.
# A page not named here keeps DEFAULT_CAPACITY: name it when its presets need more, or its runs are large.
DEFAULT_CAPACITY = 8
REDRAW_S = 0.1  # the Train gate's progress bar is redrawn at most ten times a second
CAPACITY = {
    "adversarial": 8,
    "clever_hans": 8,
    "mugshots": 4,
    "carbon": 12,
    "forgetting": 12,
    "out_of_distribution": 10,
    "data_hunger": 200,
}


@st.cache_resource(show_spinner=False)
def _stores() -> dict[str, SharedRuns]:
    """One dictionary for the whole server: slug -> that page's store."""
    return {}


def page_runs(slug: str) -> SharedRuns:
    """The run store of page ``slug`` (created on first use with room for ``CAPACITY[slug]`` runs)."""
    stores = _stores()
    with _GUARD:
        if slug not in stores:
            stores[slug] = SharedRuns(max_entries=CAPACITY.get(slug, DEFAULT_CAPACITY))
        return stores[slug]


def train_gate(
    slug: str,
    jobs: Sequence[Job],
    *,
    button: str,
    note: str = "",
    where=None,
    icon: str = ":material/play_arrow:",
    key: str = "train",
) -> list | None:
    """The results of ``jobs`` (in order) if all are in page ``slug``'s store; otherwise the Train step.

    The Train step is ``note`` (what will be trained, as an info box) and a primary button labelled
    ``button`` (which should say the time measured for it). Pressed, it runs the missing jobs one
    after the other with one progress bar, then reruns the script so the page draws the results,
    for every session at once. Twenty sessions pressing together wait for one run (SharedRuns).

    Args:
        slug: the page's slug: its store, and the prefix of the button's key ``"<slug>.<key>"``.
        jobs: the runs the view needs, e.g. ``ch.jobs(config)``: a tag model and its clean baseline.
        where: the container to draw in (a column, say); the page itself by default.
        key: the button's name within the page, when a page has more than one gate ("defence").

    Returns:
        the results, or None while something is still to be trained.
    """
    store = page_runs(slug)
    results = [store.peek(job.key) for job in jobs]
    if all(result is not None for result in results):
        return results
    missing = [job for job, result in zip(jobs, results) if result is None]
    if _all_shared(missing):  # another server trained them: load at once, no button (core/model_store.py)
        with where if where is not None else st.container():
            _run_with_progress(store, missing)
        return [store.peek(job.key) for job in jobs]
    where = where if where is not None else st.container()
    if note:
        where.info(note)
    if where.button(button, type="primary", icon=icon, key=f"{slug}.{key}"):
        with where:
            _run_with_progress(store, [job for job, result in zip(jobs, results) if result is None])
        st.rerun()  # redraw without the button: the results now exist for everyone
    return None


def _all_shared(jobs: Sequence[Job]) -> bool:
    """True when a shared model store holds a model under every job's key (a job whose training is one
    ``fit(..., shared_as=job.key)``), so running them loads instead of training."""
    shared = model_store.configured()
    return shared is not None and all(shared.has(job.key) for job in jobs)


def _run_with_progress(store: SharedRuns, jobs: Sequence[Job]) -> None:
    """Run ``jobs`` in the script thread, drawing fit's progress callback as one bar."""
    bar = st.progress(0.0, text="Starting…")
    drawn = [0.0]  # when the bar was last drawn
    for i, job in enumerate(jobs):
        say = ProgressText(job.label + (f" ({i + 1} of {len(jobs)})" if len(jobs) > 1 else ""))

        def progress(step: int, total: int, metrics: dict, i=i, say=say) -> None:
            text = say(step, total, metrics)  # every step: it counts the epochs for its time-left estimate
            # Drawn at most every REDRAW_S: each draw is a message to every browser watching, and a small model's
            # batch takes a few ms, so drawing after each one made the memorised-noise preset take 14.2 s from click to result instead of 5.9 s.
            if time.perf_counter() - drawn[0] >= REDRAW_S or step == total:
                drawn[0] = time.perf_counter()
                bar.progress(min((i + step / max(total, 1)) / len(jobs), 1.0), text=text)

        store.get_or_run(job.key, lambda job=job, progress=progress: job.run(store, progress))
    bar.empty()
