"""ui/runs.py: each page's run store and the Train step every training page shares (train_gate)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def gate_page():
    """A page with one gate over two jobs; the second reads the first's result from the store."""
    import streamlit as st

    from core.training import Job
    from ui.runs import train_gate

    def first(store, on_progress):
        on_progress(1, 2, {"epoch": 1, "loss": 0.5})
        on_progress(2, 2, {"epoch": 1, "test_acc": 0.9})
        return "A"

    jobs = [
        Job(("gate-test", "a"), "model A", first),
        Job(("gate-test", "b"), "model B", lambda store, on_progress: store.peek(("gate-test", "a")) + "+B"),
    ]
    results = train_gate("gate_test", jobs, button="Train (≈ 1 s)", note="Trains A, then B on top of it.")
    if results is not None:
        st.markdown(f"results: {results}")


def test_the_gate_offers_training_then_shows_the_results_to_every_session():
    at = AppTest.from_function(gate_page, default_timeout=30).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Train (≈ 1 s)"] and at.button[0].key == "gate_test.train"
    assert "Trains A, then B" in at.info[0].value
    assert not any("results" in m.value for m in at.markdown)

    at.button[0].click().run()  # trains both jobs, then reruns without the button
    assert not at.exception
    assert not at.button and not at.info
    assert any(m.value == "results: ['A', 'A+B']" for m in at.markdown)

    other = AppTest.from_function(gate_page, default_timeout=30).run()  # another student, same server
    assert not other.button and any(m.value == "results: ['A', 'A+B']" for m in other.markdown)


def boundary_page():
    import streamlit as st

    from core.errors import BadInput, Unavailable
    from ui.shell import error_boundary

    kind = st.session_state.get("kind", "bad input")
    with error_boundary("boundary_test"):
        st.markdown("before")
        if kind == "bad input":
            raise BadInput("k must be between 1 and 10")
        if kind == "unavailable":
            raise Unavailable("CIFAR-10 is not on disk: the Fashion-MNIST tabs work")
        if kind == "bug":
            raise KeyError("a typo in the lab")
    st.markdown("after")  # the page's frame goes on after the message


def test_the_error_boundary_tells_bad_input_from_a_missing_asset_from_a_bug(caplog):
    at = AppTest.from_function(boundary_page)
    at.session_state["kind"] = "bad input"
    at.run()
    assert not at.exception and [w.value for w in at.warning] == ["k must be between 1 and 10"] and not at.error
    assert [m.value for m in at.markdown] == ["before", "after"]

    at.session_state["kind"] = "unavailable"
    at.run()
    assert [e.value for e in at.error] == ["CIFAR-10 is not on disk: the Fashion-MNIST tabs work"]

    at.session_state["kind"] = "bug"
    with caplog.at_level("ERROR", logger="dllab"):
        at.run()
    assert not at.exception  # no traceback on screen ...
    assert "unexpected error (KeyError)" in at.error[0].value and "not something you did" in at.error[0].value
    assert any("boundary_test" in r.getMessage() and r.exc_info for r in caplog.records)  # ... but in the log


def tabs_page():
    """Three tabs through ui.shell.tabs: the open one (from the link) raises, the others would write a line."""
    import streamlit as st

    from core.errors import BadInput, Unavailable
    from ui.shell import tabs

    def raises(error):
        def show():
            raise error

        return show

    tabs(
        "tabs_test",
        {
            "Fine": lambda: st.markdown("fine tab ran"),
            "Bad input": raises(BadInput("that value cannot be used")),
            "Missing": raises(Unavailable("the asset is not installed")),
        },
    )
    st.markdown("after the tabs")


@pytest.mark.parametrize("tab, say", [("Bad input", "warning"), ("Missing", "error")])
def test_tabs_run_only_the_open_one_and_say_its_lab_error_inside_it(tab, say):
    at = AppTest.from_function(tabs_page, default_timeout=30)
    at.query_params["tabs_test.tab"] = tab
    at.run()
    assert not at.exception
    said = at.warning if say == "warning" else at.error
    assert len(said) == 1 and ("cannot be used" in said[0].value or "not installed" in said[0].value)
    assert not any(m.value == "fine tab ran" for m in at.markdown)  # a closed tab costs nothing
    assert any(m.value == "after the tabs" for m in at.markdown)  # the page goes on after the tab's message
