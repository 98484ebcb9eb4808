"""The biased-decisions page, driven as a lecturer would (AppTest): each tab's preset renders, sliders recompute live."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import assert_clean, charts, metric, open_view

K = "biased_decisions."
TABS = ("Hiring from history", "One score, two groups", "Who is in the data", "The asthma paradox")


def open_tab(tab: str, **query) -> AppTest:
    return open_view("biased_decisions", tab=tab, **query)


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_s_preset_renders_with_charts_and_no_nan(tab):
    app = open_tab(tab)
    assert charts(app), tab
    assert not [m.value for m in app.metric if "nan" in m.value.lower()]


def test_the_hiring_preset_is_under_four_fifths_and_removing_proxies_lifts_the_ratio():
    app = open_tab(TABS[0])
    biased = float(metric(app, "Disparate-impact ratio"))
    assert biased < 0.8
    app.toggle(key=K + "no_proxies").set_value(True).run()
    assert_clean(app)
    assert float(metric(app, "Disparate-impact ratio")) > biased + 0.2


def test_the_risk_tab_says_which_criteria_hold_and_a_preset_button_moves_the_thresholds():
    app = open_tab(TABS[1])
    text = " ".join(m.value for m in app.markdown)
    assert "❌ Equal false positive rates" in text and "✅ One rule for all" in text
    next(b for b in app.button if b.label == "Equal false positive rates").click().run()
    assert_clean(app)
    assert app.slider(key=K + "t_b").value != 0.5
    text = " ".join(m.value for m in app.markdown)
    assert "✅ Equal false positive rates" in text and "❌ One rule for all" in text


def test_the_fix_button_equalises_both_error_rates_and_breaks_predictive_parity():
    app = open_tab(TABS[1])
    next(b for b in app.button if b.label.startswith("Fix it")).click().run()
    assert_clean(app)
    after = " ".join(m.value for m in app.markdown).split("After ThresholdOptimizer")[1]
    assert "✅ Equal false positive rates" in after and "✅ Equal false negative rates" in after
    assert "❌ Predictive parity" in after


def test_thresholds_0_and_1_get_a_message_and_no_nan():
    app = open_tab(TABS[1], t_a="0.0", t_b="1.0")
    shown = " ".join(i.value for i in app.info)
    assert "everyone is flagged" in shown and "nobody is flagged" in shown
    assert "❔ Predictive parity" in " ".join(m.value for m in app.markdown)


def test_the_asthma_tab_shows_the_wrong_sign_and_the_toggle_restores_it():
    app = open_tab(TABS[3])
    assert float(metric(app, "Asthma: learned weight")) < 0
    assert any("wrong sign" in w.value for w in app.warning)
    app.toggle(key=K + "icu").set_value(False).run()
    assert float(metric(app, "Asthma: learned weight")) > 0
