"""The data-hunger page, driven as a lecturer would (AppTest).

The learning-curve preset is trained for real by pressing its button (the backbone and twelve linear layers,
a few seconds on one core); the full sweep and the few-shot views get stand-in points put in the page's store
under their real keys (with known errors, so the headline and the exponents are known answers). The page's
store keeps every point of the full sweep (ui.runs.CAPACITY names the page: checked below). One torch thread,
as in tests/test_data_hunger.py.
"""

import pytest
import streamlit as st

import core.demos.data_hunger as dh
from tests.test_pages import assert_clean, charts, metric, open_view
from ui import runs as ui_runs
from ui.runs import page_runs


@pytest.fixture(scope="module", autouse=True)
def one_thread_and_fresh_stores(one_torch_thread):
    # Every point of a seed's full sweep and few shots fits the page's store (else Train would loop).
    assert ui_runs.CAPACITY["data_hunger"] >= len({job.key for job in dh.warm_up_jobs(0)})
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()  # later tests expect a server on which nothing is trained


def open_page(**query):
    return open_view("data_hunger", timeout=120, **query)


def stand_in(configs, error_of) -> None:
    """Points with known errors under ``configs``' keys, as if Train had been pressed (nothing trains).

    On a fresh store: a point trained by an earlier test would otherwise stay in place of its stand-in.
    """
    st.cache_resource.clear()
    store = page_runs("data_hunger")
    for config in configs:
        point = dh.Point(config, error_of(config), 0.78, 0.1, "0 Wh")
        store.get_or_run(dh.point_key(config), lambda point=point: point)
    backbone = dh.methods.backbone_key(0)
    store.get_or_run(backbone, lambda: "a stand-in backbone")


def test_the_preset_trains_on_its_button_and_shows_the_curves_beside_hestness():
    app = open_page()
    button = next(b for b in app.button if b.label.startswith("Train ("))
    assert f"{dh.PRESET_SECONDS} s" in button.label and not app.metric
    button.click().run()
    assert_clean(app)
    assert metric(app, "Published b").startswith("-0.35")
    b = float(metric(app, "Exponent b: transfer"))
    assert -1.0 < b < 0  # error falls with more labels
    assert any("Logistic regression on pixels" in m.value for m in app.markdown)
    figure = charts(app)[0]
    assert figure["layout"]["xaxis"]["type"] == "log" and figure["layout"]["yaxis"]["type"] == "log"
    assert any("majority-class baseline" in trace.get("name", "") for trace in figure["data"])
    assert any(b.label.startswith("Train the full sweep") for b in app.button)  # the next step is offered
    assert any("Not Hestness et al.'s regime" in c.value for c in app.caption)


def test_the_full_sweep_shows_four_exponents_and_a_known_headline():
    # Known answer: error = 0.8 n^-0.25 for every method but transfer, 0.4 n^-0.25: transfer's error at n = 30
    # is reached by the others at n = 30 x 2^4 = 480 labels.
    stand_in(dh.FULL.points(), lambda c: (0.4 if c.method == "transfer" else 0.8) * c.n**-0.25)
    app = open_page()
    assert not any(b.label.startswith("Train") for b in app.button)
    assert metric(app, "Exponent b: CNN + augmentation") == "-0.25"
    assert any("≈ 480 labels" in m.value for m in app.markdown), [m.value for m in app.markdown]
    table = app.dataframe[0].value
    assert len(table) == 4 and (table.exponent_b == -0.25).all()


def test_the_few_shot_tab_shows_both_methods_beside_the_majority_class():
    stand_in(dh.FewShotConfig(k=1).points(), lambda c: 0.5 if c.method == "cnn" else 0.4)
    app = open_page(tab="Few shots", k="1")
    assert metric(app, "Transfer, k = 1") == "60%" and metric(app, "CNN from scratch, k = 1") == "50%"
    assert metric(app, "Majority class") == "22%"
    assert any("One example per class" in i.value for i in app.info)
    assert len(charts(app)) == 1


def test_an_untrained_k_offers_its_train_button():
    app = open_page(tab="Few shots", k="10")
    assert any(b.label.startswith("Train (") for b in app.button) and not app.metric


def test_the_orders_of_magnitude_draw_every_figure_with_its_source():
    app = open_page(tab="Orders of magnitude")
    table = app.dataframe[0].value
    assert {"ImageNet (images)", "GPT-3 (training tokens)", "A child learning a word"} <= set(table.what)
    assert (table.source.str.len() > 0).all()
    figure = charts(app)[0]
    assert figure["layout"]["xaxis"]["type"] == "log"
