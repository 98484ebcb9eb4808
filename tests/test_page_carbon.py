"""The CO2 page (partly built): calculator, grid comparison and their bad input (AppTest)."""
import pytest
from streamlit.testing.v1 import AppTest

from core import footprint
from tests.test_pages import APP, assert_clean

K = "carbon."


@pytest.fixture
def at():
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("pages/carbon.py")
    app.run()
    assert_clean(app)
    return app


def test_calculator_default_is_the_hand_computed_estimate(at):
    expected = footprint.estimate("NVIDIA A100", 8, 24.0, footprint.DEFAULT_PUE, "USA")
    assert expected.energy_kwh == pytest.approx(400 * 8 * 24 * 1.58 / 1000)
    values = [m.value for m in at.metric]
    assert f"{expected.energy_kwh:,.4g} kWh" in values and f"{expected.emissions_kg:,.4g} kg CO2e" in values


def test_no_grid_chosen_is_a_message(at):
    at.multiselect(key=K + "grids").set_value([]).run()
    assert_clean(at)
    assert any("at least one country" in w.value for w in at.warning)


def test_zero_hours_gives_zero_not_an_error(at):
    at.number_input(key=K + "hours").set_value(0.0).run()
    assert_clean(at)
    assert "0 kWh" in [m.value for m in at.metric]


# ------------------------------------------------------------------ the live run (real codecarbon, tiny workload)
QUICK = "Quick (S, 1 epoch, 2k images)"


def test_opening_the_page_trains_nothing(at):
    assert [b.label for b in at.button if b.label == "Train and measure"]
    assert not any(m.label == "Energy" for m in at.metric)  # no report before the button


@pytest.fixture(scope="module")
def trained():
    """One quick live run for the module: preset button, then train (a few seconds on 2 cores)."""
    app = AppTest.from_file(APP, default_timeout=180)
    app.switch_page("pages/carbon.py")
    app.run()
    next(b for b in app.button if b.label == QUICK).click().run()
    next(b for b in app.button if b.label == "Train and measure").click().run()
    assert_clean(app)
    return app


def test_live_run_reports_energy_method_and_assumptions(trained):
    labels = {m.label: m.value for m in trained.metric}
    if "Energy" not in labels:  # codecarbon could not measure here: the page must say so, not invent
        assert any("Not measured" in w.value for w in trained.warning)
        return
    assert labels["Energy"].endswith("Wh") and float(labels["Energy"].split()[0]) > 0
    assert labels["Emissions"].endswith("g CO2e")
    text = " ".join(m.value for m in trained.markdown)
    assert ("Estimated" in text or "Measured" in text) and "RAM power" in text  # method + assumptions listed
    assert len(trained.get("plotly_chart")) >= 3  # the run's power/energy trace among the charts


def test_changing_the_grid_recomputes_the_same_energy(trained):
    from core import footprint
    energy = next(m for m in trained.metric if m.label == "Energy")
    trained.selectbox(key=K + "run_grid").set_value("FRA").run()
    assert_clean(trained)
    same = next(m for m in trained.metric if m.label.startswith("Same "))
    wh = float(energy.help.split()[0])  # the exact kWh is in the metric's help text
    assert same.value == f"{footprint.mass_text(footprint.emissions_kg(wh, 'FRA'))} CO2e"
    usa = footprint.intensity_g_per_kwh("USA")
    assert same.delta.startswith(f"{footprint.intensity_g_per_kwh('FRA') / usa:.2g}×")  # the ratio of the grids
    assert "Train and measure" not in [b.label for b in trained.button]  # a widget move did not retrain


def test_the_run_is_in_the_ledger_with_its_accuracy(trained):
    from core import workloads
    from core.ledger import Ledger
    runs = workloads.measured_runs(Ledger().rows())
    live = runs[runs["label"].str.startswith("live run: SmallCNN(8,16,h32)")]
    assert len(live) >= 1 and live["test_acc"].between(0.1, 1).all() and (live["train_flops"] > 0).all()


def test_bad_workload_in_the_link_is_a_message_not_a_crash():
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("pages/carbon.py")
    app.query_params.update({K + "size": "XXL", K + "epochs": "99", K + "images": "-5"})
    app.run()
    assert_clean(app)


def test_a_tracker_that_raises_leaves_the_run_complete_and_says_not_measured(monkeypatch):
    from core import carbon

    def broken(country):
        raise RuntimeError("no power sensors")
    monkeypatch.setattr(carbon, "tracker_factory", broken)
    app = AppTest.from_file(APP, default_timeout=180)
    app.switch_page("pages/carbon.py")
    app.query_params.update({"seed": "7"})  # a workload no other test trained: the shared cache cannot answer
    app.run()
    next(b for b in app.button if b.label == QUICK).click().run()
    next(b for b in app.button if b.label == "Train and measure").click().run()
    assert_clean(app)
    warning = next(w.value for w in app.warning if "Not measured" in w.value)
    assert "no power sensors" in warning and "test accuracy" in warning  # the training itself finished
    assert not any(m.label in ("Energy", "Emissions") for m in app.metric)  # no invented number
