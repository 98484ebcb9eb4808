"""The word-embedding page, driven as a user would: presets, bad input, debiasing (AppTest)."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import APP, assert_clean

K = "word_embeddings."


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=120)
    app.switch_page("pages/word_embeddings.py")
    app.run()
    assert_clean(app)
    return app


def metric_values(app):
    return [m.value for m in app.metric]


def test_default_view_answers_queen_and_flags_the_excluded_king(at):
    assert "queen" in metric_values(at)
    assert any("would be **king**" in w.value for w in at.warning)


def test_preset_loads_the_words_and_shows_nurse(at):
    at.selectbox(key=K + "preset").set_value("man : doctor :: woman : ?").run()
    assert_clean(at)
    assert at.text_input(key=K + "b").value == "doctor"
    assert "nurse" in metric_values(at)
    assert any("would be **doctor**" in w.value for w in at.warning)


@pytest.mark.parametrize("typed, expected", [
    ("", "empty"),
    ("Kingg", "king"),           # unknown: suggests close spellings
    ("new york city", "single word"),
    ("żółw", "not in the vocabulary"),
])
def test_bad_analogy_input_gets_a_message_not_a_traceback(at, typed, expected):
    at.text_input(key=K + "a").set_value(typed).run()
    assert_clean(at)
    messages = " ".join(w.value for w in at.warning).lower()
    assert expected in messages, messages
    at.text_input(key=K + "a").set_value("man").run()


def test_uppercase_is_lowercased_with_a_notice(at):
    at.text_input(key=K + "word").set_value("NURSE").run()
    assert_clean(at)
    assert any("lower" in c.value.lower() for c in at.caption) or not at.warning


def test_ten_thousand_words_in_the_map_is_refused_clearly(at):
    at.text_area(key=K + "map_words").set_value(", ".join(f"w{i}" for i in range(10_000))).run()
    assert_clean(at)
    assert at.warning, "a 10,000-word list must get a message"
    at.text_area(key=K + "map_words").set_value("he, she, nurse").run()


def test_debiasing_shows_the_lipstick_numbers(at):
    at.toggle(key=K + "debias").set_value(True).run()
    assert_clean(at)
    shares = [v for v in metric_values(at) if v.endswith("%")]
    assert len(shares) == 2 and all(50.0 < float(v[:-1]) <= 100.0 for v in shares)
