"""The overfitting page, driven as a lecturer would (AppTest): each tab's preset renders, sliders refit live.

Tab 5's training is tested by the memorise tests; here the page only shows its Train step without training.
"""

import pytest
from streamlit.testing.v1 import AppTest

from core.demos.overfitting import fuel
from tests.test_pages import assert_clean, charts, metric, open_view

K = "overfitting."
TABS = ("Fuel at 180 km/h", "Bias² + variance", "Ridge = a prior", "Double descent", "Memorised noise")


def open_tab(tab: str, **query) -> AppTest:
    return open_view("overfitting", tab=tab, **query)


@pytest.mark.parametrize("tab", TABS[:4])
def test_each_tab_s_preset_renders(tab):
    app = open_tab(tab)
    assert charts(app), tab
    assert not app.warning, [w.value for w in app.warning]


def test_the_fuel_tab_shows_the_prediction_beside_the_truth_and_a_slider_move_changes_it():
    app = open_tab(TABS[0])
    truth = metric(app, "True value")
    assert truth == f"{float(fuel.true_fuel(fuel.TARGET)):.1f}"
    cubic = metric(app, "Degree 3 predicts")
    app.slider(key=K + "degree").set_value(12).run()
    assert_clean(app)
    assert metric(app, "Degree 12 predicts") != cubic
    assert metric(app, "True value") == truth


def test_degree_30_on_5_points_gets_a_message_and_finite_numbers():
    app = open_tab(TABS[0], degree="30", points="5")
    assert any("not unique" in w.value for w in app.warning)
    assert "nan" not in metric(app, "Degree 30 predicts").lower()


def test_the_ridge_tab_shows_ours_beside_the_published_coefficients():
    app = open_tab(TABS[2], log_lambda="-8")
    table = app.dataframe[0].value
    assert list(table.fit)[0].startswith("published (Galiez, deck 004)")
    assert list(table.iloc[0, 1:]) == list(table.iloc[1, 1:])  # λ = 0 reproduces the published ML vector


def test_the_memorise_tab_does_not_train_on_open():
    app = open_tab(TABS[4])
    assert any(b.label.startswith("Train") for b in app.button)
    assert not app.metric


def test_the_memorise_tab_shows_the_slowdown_beside_zhang_s_once_true_labels_are_trained():
    """Two runs put in the page's store with histories whose answer is known: 95 % at epoch 10 and 30 -> 3.0x."""
    import dataclasses

    import streamlit as st

    from core.demos.overfitting import memorise as mem
    from ui.runs import page_runs

    tiny = mem.train(mem.MemoriseConfig(n_train=40, n_test=40, epochs=1, hidden=8))

    def run_reaching_95_at(epoch: int, shuffled: float) -> "mem.MemoriseRun":
        history = [dict(tiny.result.history[0], epoch=e, train_acc=0.96 if e >= epoch else 0.5) for e in range(1, 41)]
        result = dataclasses.replace(tiny.result, history=history)
        return dataclasses.replace(tiny, config=mem.MemoriseConfig(shuffled=shuffled), result=result)

    st.cache_resource.clear()
    try:
        store = page_runs("overfitting")
        store.get_or_run(mem.run_key(mem.MemoriseConfig(shuffled=1.0)), lambda: run_reaching_95_at(30, 1.0))
        alone = open_tab(TABS[4], shuffled="1.0")
        assert not any(m.label.startswith("Measured slowdown") for m in alone.metric)
        assert any("Train the *True labels* preset" in c.value for c in alone.caption)

        store.get_or_run(mem.run_key(mem.MemoriseConfig(shuffled=0.0)), lambda: run_reaching_95_at(10, 0.0))
        both = open_tab(TABS[4], shuffled="1.0")
        assert metric(both, "Measured slowdown") == "3.0×"
        assert metric(both, "Published slowdown") == "1.5–3.5×"
        assert not any(m.label.startswith("Measured slowdown") for m in open_tab(TABS[4], shuffled="0.0").metric)
    finally:
        st.cache_resource.clear()
