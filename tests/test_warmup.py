"""The lecture warm-up (ui/warmup.py): every preset once, into the very store and key each page reads.

The check that matters is the last one: after a warm-up, no page offers a Train button for its
presets. The trainings are stood in for (a sentinel object) so the test takes seconds: a page that
finds its run does not draw the button, whatever it then does with the stand-in.
"""

from dataclasses import replace

import pytest
import streamlit as st

from tests.test_pages import run_page
from ui import warmup
from ui.runs import CAPACITY, DEFAULT_CAPACITY, page_runs


class StandIn:
    """What a store holds after a stood-in training."""


@pytest.fixture
def fresh_stores():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()  # later modules expect a server on which nothing is trained


def test_every_training_page_is_warmed_and_no_run_twice():
    todo = warmup.tasks(seed=0)
    assert {t.slug for t in todo} >= {"adversarial", "clever_hans", "mugshots", "carbon"}
    assert len({(t.slug, t.key) for t in todo}) == len(todo)
    for slug in {t.slug for t in todo}:  # every preset of a page fits its store: nothing the warm-up trains is evicted
        assert sum(t.slug == slug for t in todo) <= CAPACITY.get(slug, DEFAULT_CAPACITY), slug


def test_run_all_records_progress_and_total_time_and_survives_a_failing_preset():
    calls = []
    todo = [
        warmup.Task("a", "first", ("k", 1), lambda s: calls.append(1) or "one"),
        warmup.Task("a", "broken", ("k", 2), lambda s: 1 / 0),
        warmup.Task("a", "third", ("k", 3), lambda s: s.peek(("k", 1)) + "+three"),
    ]
    from core.training import SharedRuns

    stores, state = {"a": SharedRuns(max_entries=5)}, warmup.WarmUp()
    warmup.run_all(todo, stores, state)
    assert (
        state.done == state.total == 3
        and state.seconds >= 0
        and [t[0] for t in state.timings] == ["first", "broken", "third"]
    )
    assert "broken: ZeroDivisionError" in state.error
    assert stores["a"].peek(("k", 3)) == "one+three" and stores["a"].peek(("k", 2)) is None


# One view per preset: the page's settings as a link carries them (a format_func's text, as Streamlit writes it).
# The adversarial curves and defence sit behind the model: their keys come from the same adv.curves_key.
PRESET_VIEWS = [
    ("pages/adversarial.py", {}, "Train ("),
    ("pages/clever_hans.py", {}, "Train ("),
    ("pages/clever_hans.py", {"clever_hans.fraction": "1.0"}, "Train ("),
    ("pages/mugshots.py", {}, "Train ("),
    ("pages/mugshots.py", {"mugshots.smile": "0.5", "mugshots.wall": "0.5", "mugshots.collar": "0.5"}, "Train ("),
    ("pages/mugshots.py", {"mugshots.smile": "0.8", "mugshots.wall": "0.8", "mugshots.collar": "0.8"}, "Train ("),
    ("pages/carbon.py", {}, "Train and measure"),
    (
        "pages/carbon.py",
        {"carbon.size": "S: SmallCNN(8,16,h32)", "carbon.epochs": "1", "carbon.images": "2,000"},
        "Train and measure",
    ),
    ("pages/carbon.py", {"carbon.tab": "Extrapolate"}, "Measure the reference workloads"),
    *(
        ("pages/overfitting.py", {"overfitting.tab": "Memorised noise", "overfitting.shuffled": share}, "Train (")
        for share in ("0.0", "0.5", "1.0")
    ),
    ("pages/forgetting.py", {}, "Train A, then B"),
    ("pages/forgetting.py", {"forgetting.tab": "Remedies"}, "Train the remedies"),
    ("pages/data_hunger.py", {}, "Train ("),
    ("pages/data_hunger.py", {"data_hunger.tab": "Few shots"}, "Train ("),
    ("pages/out_of_distribution.py", {}, "Train ("),
    ("pages/out_of_distribution.py", {"out_of_distribution.tab": "Augmentation covers what it saw"}, "Train ("),
    ("pages/out_of_distribution.py", {"out_of_distribution.tab": "Shuffle the pixels"}, "Train ("),
    *(
        ("pages/compression.py", {"compression.tab": tab}, "Train (")
        for tab in ("Fewer bits", "Fewer weights", "A smaller student", "One chart for all")
    ),
    ("pages/explanations.py", {}, "Train ("),
]


@pytest.mark.parametrize("path, query, button", PRESET_VIEWS)
def test_after_a_warm_up_no_preset_needs_its_train_button(fresh_stores, path, query, button):
    before = run_page(path, **query)
    assert any(b.label.startswith(button) for b in before.button), "the view did not offer the button to begin with"
    todo = [replace(t, run=lambda s: StandIn()) for t in warmup.tasks(seed=0)]
    warmup.run_all(todo, {t.slug: page_runs(t.slug) for t in todo}, warmup.WarmUp())
    after = run_page(path, **query)
    assert not any(b.label.startswith(button) for b in after.button), [b.label for b in after.button]
