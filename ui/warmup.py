"""Warm up before class: train every preset of every demo once, so that every Train button answers at once.

A lecture cannot wait 5–15 s at each demo. Before class, one command

    streamlit run app.py -- --warm-up

(or the *Warm up for a lecture* button on the home page) trains every page's presets in the
server process, into the same per-page stores the pages read (:mod:`ui.runs`), and computes the
sweeps kept there (the adversarial curves, the CO2 page's reference workloads). Every training
goes through ``core.training.fit``, so it is carbon-measured and ledgered like any other.

The work runs in one background thread (no Streamlit calls in it), so the lecturer can keep
using the lab while it runs; its progress and total time are kept in :class:`WarmUp`, which
the home page draws and the server log prints. Pages do not wait for it: a page whose preset
is still to come trains it itself on its button, and the store makes sure it is trained once.

What it does not precompute: the per-tab searches a page caches itself (the one-pixel search,
universal perturbation and patch, the Clever Hans heatmap shares and clusters, the mugshot
tables); each takes a few seconds on its tab's first opening (bench/RESULTS.md).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import streamlit as st

from core.demos import DEMOS

if TYPE_CHECKING:
    from core.training import SharedRuns

# The demo modules (and torch with them) are imported inside tasks() and start(): the home page
# reads WarmUp's progress and must stay light.

_log = logging.getLogger("dllab")


@dataclass(frozen=True)
class Task:
    """One unit of warm-up: ``store.get_or_run(key, lambda: run(store))`` on page ``slug``'s store."""

    slug: str
    label: str
    key: tuple
    run: Callable[[SharedRuns], object]


def tasks(seed: int = 0) -> list[Task]:
    """Every preset of every demo that trains, for one seed, in the order a lecture meets them.

    Each demo module says what its presets are: ``warm_up_jobs(seed) -> list[core.training.Job]``
    (a demo without one has nothing to warm). The jobs' keys come from the same functions the
    pages look their runs up with (``adv.run_key``, ``ch.run_key`` ...); ``tests/test_warmup.py``
    opens every preset's view after a warm-up and checks that no Train button is left.
    """
    todo = []
    for demo in DEMOS:
        if not demo.is_live:
            continue
        module = importlib.import_module(demo.core_module)
        for job in getattr(module, "warm_up_jobs", lambda seed: [])(seed):
            todo.append(Task(demo.slug, job.label, job.key, lambda store, job=job: job.run(store, None)))
    return _unique(todo)


def _unique(todo: list[Task]) -> list[Task]:
    """Each (page, key) once: two presets can share a run (Clever Hans' clean baseline)."""
    seen, kept = set(), []
    for task in todo:
        if (task.slug, task.key) not in seen:
            seen.add((task.slug, task.key))
            kept.append(task)
    return kept


@dataclass
class WarmUp:
    """Progress of the server's warm-up, read by the home page (one instance per server)."""

    seed: int = 0
    total: int = 0
    done: int = 0
    current: str = ""
    started: float | None = None
    seconds: float | None = None  # the total time, once finished
    timings: list[tuple[str, float]] = field(default_factory=list)  # (label, seconds) per task
    error: str = ""
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def finished(self) -> bool:
        return self.seconds is not None

    def begin(self, total: int) -> None:
        """Reset the progress for a new warm-up of ``total`` tasks, starting now."""
        self.total, self.done, self.current, self.seconds = total, 0, "", None
        self.timings, self.error, self.started = [], "", time.perf_counter()


def run_all(todo: list[Task], stores: dict[str, SharedRuns], state: WarmUp) -> None:
    """Run ``todo`` into ``stores`` (slug -> store), recording progress in ``state``. No Streamlit calls."""
    if state.started is None:  # start() begins it before the thread, so the home page never reads a blank state
        state.begin(len(todo))
    for task in todo:
        state.current = task.label
        _log.info("warm-up %d/%d: %s", state.done + 1, state.total, task.label)
        t0 = time.perf_counter()
        try:
            stores[task.slug].get_or_run(task.key, lambda task=task: task.run(stores[task.slug]))
        except Exception as err:  # one failed preset must not stop the others; it is said on the home page
            _log.exception("warm-up task %s failed", task.label)
            state.error += f"{task.label}: {type(err).__name__}. "
        state.timings.append((task.label, time.perf_counter() - t0))
        state.done += 1
    state.current, state.seconds = "", time.perf_counter() - state.started
    _log.info("warm-up finished: %d tasks in %.1f s", state.total, state.seconds)


@st.cache_resource(show_spinner=False)
def server_warm_up() -> WarmUp:
    """The server's one warm-up record (shared by every session)."""
    return WarmUp()


_START_GUARD = threading.Lock()


def start(seed: int = 0) -> WarmUp:
    """Start the warm-up in the background unless it is running or done for this seed. Call from a script run."""
    from ui.runs import page_runs

    state = server_warm_up()
    with _START_GUARD:
        if state.running or (state.finished and state.seed == seed and not state.error):
            return state
        todo = tasks(seed)
        stores = {slug: page_runs(slug) for slug in {t.slug for t in todo}}  # resolved here, in the script thread
        state.seed = seed
        state.begin(len(todo))
        state.thread = threading.Thread(target=run_all, args=(todo, stores, state), name="dllab-warm-up", daemon=True)
        state.thread.start()
    return state
