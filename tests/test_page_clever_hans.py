"""The Clever Hans page, driven as a user would: no training on open, one button, three tabs (AppTest).

The trained pair lives in the page's st.cache_resource (SharedRuns), which AppTest shares across
the module's app instances: the first test trains once (~10 s), the tab tests reuse it.
"""
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import APP, assert_clean

K = "clever_hans."


def open_page(**query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        app.query_params[K + name] = value
    app.switch_page("pages/clever_hans.py")
    app.run()
    assert_clean(app)
    return app


def train_button(app: AppTest):
    return next((b for b in app.button if b.label.startswith("Train")), None)


@pytest.fixture(scope="module")
def trained():
    app = open_page()
    assert not app.metric, "the page must not train on load"
    train_button(app).click().run()
    assert_clean(app)
    return app


def test_opening_the_page_does_not_train_and_offers_presets():
    app = open_page(fraction="0.35")  # a configuration nobody trains in this module
    assert not app.metric and train_button(app) is not None
    assert app.slider(key=K + "fraction").value == pytest.approx(0.35)
    assert [r.options for r in app.radio if r.key == K + "source"] == [["Fashion-MNIST (shipped)"]]  # offline
    next(b for b in app.button if b.label.startswith("Every pullover")).click().run()
    assert_clean(app)
    assert app.slider(key=K + "fraction").value == 1.0


def test_training_shows_the_tag_effect_and_its_energy(trained):
    values = [m.value for m in trained.metric]
    assert len(values) == 3 and all(v.endswith("%") for v in values)
    with_tag, without_tag, baseline = (float(v[:-1]) for v in values)
    assert with_tag > without_tag  # the preset (20 % tagged) already leans on the tag
    assert train_button(trained) is None  # results exist: no button, shown at once
    energy = [c.value for c in trained.caption if "trained in" in c.value]
    assert len(energy) == 2 and all("kWh" in c or "not measured" in c for c in energy)
    assert len(trained.get("plotly_chart")) == 2


def test_the_result_is_shown_at_once_on_the_next_visit(trained):
    app = open_page()
    assert len(app.metric) == 3 and train_button(app) is None


def test_heatmaps_tab_with_and_without_the_tag(trained):
    app = open_page(tab="Heatmaps")
    assert len(app.get("plotly_chart")) == 2  # the maps grid and the box shares
    app.toggle(key=K + "with_tag").set_value(False).run()
    assert_clean(app)
    app.slider(key=K + "image").set_value(7).run()
    assert_clean(app)
    assert any("def attribute" in c.value for c in app.code)


def test_spray_tab_shows_the_clusters(trained):
    app = open_page(tab="Strategies (SpRAy)", k="4")
    assert_clean(app)
    assert len(app.dataframe[0].value) == 4
    assert len(app.get("plotly_chart")) == 2  # the cluster map and the examples


def test_a_bad_value_in_a_link_falls_back_to_the_preset():
    app = open_page(cls="Horse", fraction="7")
    assert app.selectbox(key=K + "cls").value == "Pullover"
    assert 0.0 <= app.slider(key=K + "fraction").value <= 1.0
