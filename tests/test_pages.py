"""Every registered page runs under AppTest without an exception (new pages are picked up automatically)."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.demos import all_pages
from core.paths import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
TIMEOUT = 60  # pages that import torch take seconds on a cold process


def run_page(page_path: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page_path)
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception escaped, and none was caught by the shell's error boundary either."""
    assert not at.exception, [e.message for e in at.exception]
    caught = [e.value for e in at.error if "unexpected error" in e.value]
    assert not caught, caught


def open_view(slug: str, timeout: float = TIMEOUT, **settings) -> AppTest:
    """Demo ``slug`` opened from a link that sets its widgets (``tab="Ridge"`` -> ``<slug>.tab``), checked clean."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for name, value in settings.items():
        at.query_params[f"{slug}.{name}"] = value
    at.switch_page(f"pages/{slug}.py")
    at.run()
    assert_clean(at)
    return at


def charts(at: AppTest) -> list[dict]:
    """Every plotly chart the page drew, as its figure dictionary."""
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def metric(at: AppTest, starts: str) -> str:
    """The value of the first metric whose label starts with ``starts``."""
    return next(m.value for m in at.metric if m.label.startswith(starts))


@pytest.mark.parametrize("demo", all_pages(), ids=lambda d: d.slug)
def test_page_runs_without_exception_and_shows_its_title(demo):
    at = run_page(demo.page_path)
    assert_clean(at)
    titles = [t.value for t in at.title]
    expected = "Deep Learning Limits Lab" if demo.slug == "home" else demo.title
    assert titles and titles[0] == expected


def test_sidebar_frame_is_on_every_page_and_reads_the_url():
    at = run_page("pages/adversarial.py", seed="42", present="true")
    assert at.sidebar.number_input(key="seed").value == 42
    assert at.sidebar.toggle(key="present").value is True
    assert any("Reset" in b.label for b in at.sidebar.button)


def test_reset_forgets_the_page_keys_only():
    at = run_page("pages/adversarial.py")
    at.session_state["adversarial.eps"] = 0.3
    at.session_state["word_embeddings.k"] = 5
    next(b for b in at.sidebar.button if "Reset" in b.label).click().run()
    assert "adversarial.eps" not in at.session_state
    assert at.session_state["word_embeddings.k"] == 5
