"""The out-of-distribution page, driven as a lecturer would (AppTest).

Nothing trains here: small runs (256 training images, one epoch) stand in for the presets in the page's
store, as if Train had been pressed; the presets themselves are tested in tests/test_out_of_distribution.py.
"""

import dataclasses

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.demos.out_of_distribution import model, shuffle, sweep
from tests.test_pages import assert_clean, charts, metric, open_view
from ui.runs import page_runs

K = "out_of_distribution."
TABS = ("Turn it", "Augmentation covers what it saw", "Knowing that it does not know", "Shuffle the pixels")


def open_tab(tab: str, **query) -> AppTest:
    return open_view("out_of_distribution", tab=tab, **query)


@pytest.fixture(scope="module")
def stand_ins():
    """Small runs under the presets' keys in the page's store; the store is cleared afterwards."""
    train, test = model.load_split(0)
    split = (train.subset(slice(0, 256)), test)
    st.cache_resource.clear()
    st.cache_data.clear()
    store = page_runs("out_of_distribution")
    for config in (model.ModelConfig(), model.ModelConfig(augment=model.AUGMENT_DEGREES)):
        run = model.train(dataclasses.replace(config, epochs=1), split=split)
        run = dataclasses.replace(run, config=config)
        store.get_or_run(model.run_key(config), lambda run=run: run)
        store.get_or_run(model.sweep_key(config), lambda run=run: sweep.sweep(run.model, run.test, n=200))
    tiny = shuffle.ShuffleConfig(n_train=100, epochs=1)
    for job in shuffle.jobs(shuffle.ShuffleConfig()):
        _, _, arch, permuted, _ = job.key
        store.get_or_run(job.key, lambda a=arch, p=permuted: shuffle.train(a, p, tiny))
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_offers_its_train_button_and_trains_nothing_on_open(tab):
    st.cache_resource.clear()
    app = open_tab(tab)
    assert any(b.label.startswith("Train (≈") for b in app.button), tab
    assert not any(m.label.startswith("Accuracy") for m in app.metric)


def test_the_image_turns_before_any_training():
    app = open_tab(TABS[0], angle="90")
    assert charts(app) and any("turned 90°" in c["layout"]["title"]["text"] for c in charts(app))
    assert any("Train the network above" in i.value for i in app.info)


def test_turn_it_shows_the_sweep_and_a_slider_move_changes_the_answer(stand_ins):
    app = open_tab(TABS[0])
    assert metric(app, "Majority-class baseline").endswith("%")
    assert len(charts(app)) >= 3  # the sweep, the image, the probabilities
    upright = metric(app, "Confidence")
    app.slider(key=K + "angle").set_value(120).run()
    assert_clean(app)
    assert any("turned 120°" in c["layout"]["title"]["text"] for c in charts(app))
    assert metric(app, "Confidence") != upright or metric(app, "Prediction")


def test_a_preset_button_sets_the_sliders(stand_ins):
    app = open_tab(TABS[0])
    next(b for b in app.button if b.label == "Upside down").click().run()
    assert_clean(app)
    assert app.slider(key=K + "angle").value == 180


def test_an_image_shifted_out_of_the_frame_gets_a_message_and_still_an_answer(stand_ins):
    app = open_tab(TABS[0], shift_x="28")
    assert any("blank" in w.value for w in app.warning)
    assert "nan" not in metric(app, "Confidence").lower()


@pytest.mark.parametrize("tab", TABS[1:])
def test_the_other_tabs_draw_their_results(stand_ins, tab):
    app = open_tab(tab)
    assert charts(app), tab
    assert not app.warning, [w.value for w in app.warning]
    for m in app.metric:
        assert "nan" not in m.value.lower(), m.label
