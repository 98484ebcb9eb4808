"""No page's work can evict another page's results (issue #13, defect 2).

Before, pages/adversarial.py and pages/clever_hans.py each defined a character-identical
``@st.cache_resource def shared_runs()``; every page runs as ``__main__``, so Streamlit gave both one
store of 6, and training Clever Hans at a few tag shares threw the adversarial model out mid-lecture.
Here the adversarial model is trained (small split), then Clever Hans fills its store well past any
bound, and the adversarial page must still have its model.
"""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core.demos.clever_hans as ch
from core.data import fashion_mnist_10k, train_test_split
from core.demos import adversarial as adv
from tests.test_pages import APP, assert_clean
from ui.runs import page_runs


def open_page(path: str, **query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        app.query_params[name] = value
    app.switch_page(path)
    return app.run()


class StandInRun:
    """What Clever Hans' store holds after 'Train', without ten seconds of training per run."""

    def __init__(self, config):
        self.config = config


@pytest.fixture
def clean_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()  # later modules expect a fresh server: nothing trained
    st.cache_data.clear()


def test_training_on_one_page_never_evicts_another_pages_model(monkeypatch, clean_caches):
    train, test = train_test_split(fashion_mnist_10k(), 0.2, 0)
    monkeypatch.setattr(
        adv.classifier, "load_split", lambda seed: (train.subset(slice(0, 1000)), test.subset(slice(0, 200)))
    )
    app = open_page("pages/adversarial.py")
    next(b for b in app.button if b.label.startswith("Train")).click().run()
    assert_clean(app)
    assert any("clean test accuracy" in c.value for c in open_page("pages/adversarial.py").caption)

    monkeypatch.setattr(ch, "train", lambda config, on_progress=None: StandInRun(config))
    for share in ("0.1", "0.3", "0.5", "0.7", "0.9"):  # 10 runs (tag model + baseline each), past the page's bound
        hans = open_page("pages/clever_hans.py", **{"clever_hans.fraction": share})
        train_button = next((b for b in hans.button if b.label.startswith("Train")), None)
        if train_button is not None:
            train_button.click().run()

    app = open_page("pages/adversarial.py")
    assert any("clean test accuracy" in c.value for c in app.caption), "the adversarial model was evicted"
    assert not any("First train the classifier" in i.value for i in app.info)


def test_each_page_has_its_own_store_and_the_same_one_on_every_call(clean_caches):
    assert page_runs("adversarial") is page_runs("adversarial")
    assert page_runs("adversarial") is not page_runs("clever_hans")
