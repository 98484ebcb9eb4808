"""The forgetting page, driven as a lecturer would (AppTest): Train on the first tab, the remedies' table beside Hsu's.

The first tab's preset is trained for real by pressing its button (two small MLP trainings, ~2 s on one core);
the remedies tab gets small runs put in the page's store under the preset's keys (their numbers are tested in
tests/test_forgetting.py). One torch thread, as there (see its docstring).
"""

import dataclasses
import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core.demos.forgetting as fg
from core.demos.forgetting import sequential
from tests.test_pages import assert_clean, metric, open_view
from ui.runs import page_runs

K = "forgetting."
SMALL = fg.ForgettingConfig(n_train=200, n_test=100, epochs=1, hidden=32)


@pytest.fixture(scope="module", autouse=True)
def one_thread_and_fresh_stores(one_torch_thread):
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()  # later tests expect a server on which nothing is trained


def open_page(**query) -> AppTest:
    return open_view("forgetting", timeout=120, **query)


def store_small_runs(config: fg.ForgettingConfig, remedies: list) -> None:
    """Small runs under ``config``'s keys, as if Train had been pressed on that view."""
    store, small = page_runs("forgetting"), dataclasses.replace(SMALL, boundary=config.boundary)
    phase_a = sequential.train_a(small)
    store.get_or_run(fg.phase_a_key(config), lambda: phase_a)
    for remedy in remedies:
        run = sequential.train_joint(small) if remedy.kind == "joint" else sequential.train_b(phase_a, remedy)
        store.get_or_run(fg.run_key(config, remedy), lambda run=run: run)


def test_the_first_tab_trains_on_its_button_and_shows_a_collapse():
    app = open_page()
    button = next(b for b in app.button if b.label.startswith("Train A, then B"))
    assert f"{fg.PRESET_SECONDS} s" in button.label and not app.metric
    button.click().run()
    assert_clean(app)
    assert metric(app, "Task A, after learning B") == "0%"
    assert int(metric(app, "Task A, after learning A").rstrip("%")) >= 70
    assert metric(app, "Majority-class baseline").endswith("%")
    figures = [json.loads(e.proto.spec) for e in app.get("plotly_chart")]
    assert len(figures) == 2  # the curves and the confusion matrix; the live chart is gone after the rerun
    assert any("called one of B's classes" in m.value for m in app.markdown)


def test_a_one_class_task_is_run_and_explained():
    store_small_runs(fg.ForgettingConfig(boundary=1), [fg.Remedy()])
    app = open_page(boundary="1")
    assert any("single class" in i.value for i in app.info)
    assert metric(app, "Task A, after learning A") == "100%"


def test_the_remedies_tab_shows_ours_beside_hsu_et_al_and_the_baselines():
    store_small_runs(fg.ForgettingConfig(), fg.preset_remedies())
    app = open_page(tab="Remedies")
    table = app.dataframe[0].value
    assert list(table["published method"][:4]) == ["Adam", "EWC", "Naive rehearsal", "Offline (joint)"]
    assert table["method"].iloc[-2].startswith("majority class")
    assert any("2 tasks" in c.value and "5 tasks" in c.value for c in app.caption)
    assert metric(app, "Replay").endswith("%")
    assert len(app.get("plotly_chart")) == 1


def test_an_untrained_remedy_setting_offers_its_train_button():
    app = open_page(tab="Remedies", replay="300")
    assert any(b.label.startswith("Train the remedies") for b in app.button) and not app.dataframe
