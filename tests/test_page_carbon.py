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
