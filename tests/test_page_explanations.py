"""The explanations page, driven as a lecturer would (AppTest): before training, the Train step; with a
(small) trained tag model in the page's store, each tab's preset renders its charts and headline.

The stand-in run: the tag CNN trained on 600 images (~0.3 s), stored under the preset's key as if Train
had been pressed. LIME and KernelSHAP are asked for 20 samples through the link (their lower bound) to
keep the page test fast; the full-size preset is timed by bench/bench_explanations.py.
"""

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.demos.explanations import model
from tests.test_pages import APP, assert_clean, charts, open_view

K = "explanations."
TABS = ("Side by side", "Stable or not", "Sanity checks", "Faithfulness", "Approximating")


@pytest.fixture(scope="module")
def trained():
    from ui.runs import page_runs

    st.cache_resource.clear()
    st.cache_data.clear()
    real = model.load_split
    mp = pytest.MonkeyPatch()
    small = lambda source, seed: tuple(p.subset(slice(0, n)) for p, n in zip(real(source, seed), (600, 300)))  # noqa: E731
    mp.setattr(model, "load_split", small)
    from core.demos.explanations import surrogate

    mp.setattr(surrogate, "load_split", small)
    for name in ("tag CNN", "tag MLP (no convolution)"):
        config = model.SubjectConfig(subject=name)
        run = model.train(config)
        page_runs("explanations").get_or_run(model.run_key(config), lambda run=run: run)
    yield
    mp.undo()
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(**query) -> AppTest:
    return open_view("explanations", timeout=60, **query)


def test_the_page_shows_the_train_step_before_anything_is_trained():
    st.cache_resource.clear()
    app = open_page()
    assert any(b.label.startswith("Train (≈") for b in app.button)
    assert not charts(app)


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_renders_its_charts_and_headline(trained, tab):
    app = open_page(tab=tab, samples="20")
    assert len(charts(app)) >= 1 and app.metric, tab
    assert not app.warning, [w.value for w in app.warning]
    assert all("nan" not in m.value.lower() for m in app.metric)


def test_grad_cam_on_the_mlp_says_why_it_cannot(trained):
    app = open_page(subject="tag MLP (no convolution)", samples="20")
    assert any("Grad-CAM" in i.value and "no convolution" in i.value for i in app.info)
    grid = charts(app)[0]
    assert "Grad-CAM" not in json.dumps(grid["layout"].get("annotations", []))


def maps_chart(app: AppTest) -> dict:
    """The chart of heatmap panels (on the sanity tab it follows the similarity chart)."""
    return next(c for c in charts(app) if c["data"] and all(t["type"] in ("heatmap", "image") for t in c["data"]))


@pytest.mark.parametrize("tab, rows", [("Side by side", 1), ("Sanity checks", 3)])
def test_presenter_mode_draws_three_maps_large_and_the_lecturer_picks_them(trained, tab, rows):
    """A row of eight 115-px panels is unreadable from the back row: presenter mode shows the input and three maps
    at >= 300 px (as the Clever Hans page does), chosen in a multiselect; the normal page keeps them all."""
    normal = open_page(tab=tab, samples="20")
    assert len(maps_chart(normal)["data"]) > 4 * rows and not normal.multiselect

    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update({"present": "true", K + "tab": tab, K + "samples": "20"})
    app.switch_page("pages/explanations.py")
    app.run()
    assert_clean(app)
    assert len(app.multiselect[0].value) == 3
    grid = maps_chart(app)
    assert len(grid["data"]) == 4 * rows  # the input and three maps per row
    assert grid["layout"]["height"] >= 300 * rows
