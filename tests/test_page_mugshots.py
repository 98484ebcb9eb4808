"""The mugshot page, driven as a user would (AppTest): no training on open, presets, one training, tabs."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import APP, assert_clean

K = "mugshots."
PAGE = "pages/mugshots.py"


def open_page(**query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        app.query_params[name if name == "seed" else K + name] = value
    app.switch_page(PAGE)
    app.run()
    assert_clean(app)
    return app


def text(app: AppTest) -> str:
    return " ".join(m.value for m in [*app.markdown, *app.info, *app.caption])


@pytest.fixture(scope="module")
def trained():
    """One training for the module: the preset, trained by pressing the button (~10 s)."""
    app = open_page()
    next(b for b in app.button if b.label.startswith("Train")).click().run()
    assert_clean(app)
    return app


def test_opening_the_page_trains_nothing_and_says_the_faces_are_synthetic():
    app = open_page()
    assert any(b.label.startswith("Train") for b in app.button)
    assert not app.metric  # no results before training
    assert "synthetic" in text(app) and "No real person" in text(app)
    assert len(app.get("image")) == 2  # the grids of faces labelled "non-criminal" and "criminal"
    assert "base rate" in text(app)  # the harm text is always there


def test_presets_set_the_three_links():
    app = open_page()
    next(b for b in app.button if b.label.startswith("No link")).click().run()
    assert_clean(app)
    assert [app.slider(key=K + n).value for n in ("smile", "wall", "collar")] == [0.5, 0.5, 0.5]
    next(b for b in app.button if b.label.startswith("Wu & Zhang")).click().run()
    assert app.slider(key=K + "smile").value == pytest.approx(0.895)


def test_training_shows_the_headline_beside_the_paper_and_the_collapse(trained):
    values = {m.label: m.value for m in trained.metric}
    ours = float(values["Accuracy, test like training"].rstrip("%")) / 100
    balanced = float(values["Balanced test (confounds unlinked)"].rstrip("%")) / 100
    assert values["Wu & Zhang 2016 (published)"] == "89.5%"
    assert ours > 0.8 and abs(balanced - 0.5) < 0.06  # see tests/test_mugshots.py for the reasoning
    assert not any(b.label.startswith("Train") for b in trained.button)  # the result is shown instead
    assert "kWh" in text(trained) or "not measured" in text(trained)  # the carbon report under the result


def test_counterfactual_and_heatmap_tabs_after_training(trained):
    app = open_page(tab="Counterfactuals")  # same server process: the shared run is found, no retraining
    assert not any(b.label.startswith("Train") for b in app.button)
    flip = next(m for m in app.metric if "flip" in m.label)
    assert float(flip.value.rstrip("%")) >= 75
    app = open_page(tab="Heatmaps", face="3")
    assert len(app.get("plotly_chart")) == 2  # the maps and the mouth-share bars


def test_a_bad_link_in_the_url_is_not_a_traceback():
    app = open_page(smile="7")
    assert_clean(app)
