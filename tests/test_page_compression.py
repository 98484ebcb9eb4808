"""The compression page, driven as a lecturer would (AppTest).

Nothing trains here: a small run (384 training images, one epoch) and sweeps on 200 test images stand in for
the presets in the page's store, as if Train had been pressed; the presets are timed in bench/bench_compression.py.
"""

import dataclasses

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.demos.compression import distil, jobs, prune, quantise, teacher
from tests.test_pages import assert_clean, charts, open_view
from ui.runs import page_runs

K = "compression."
TABS = ("Fewer bits", "Fewer weights", "A smaller student", "One chart for all")


def open_tab(tab: str, **query) -> AppTest:
    return open_view("compression", tab=tab, **query)


def no_nan(app: AppTest) -> None:
    for m in app.metric:
        assert "nan" not in m.value.lower(), m.label


@pytest.fixture(scope="module")
def stand_ins():
    st.cache_resource.clear()
    st.cache_data.clear()
    config = teacher.TeacherConfig()
    train, test = teacher.load_split(0)
    run = teacher.train(
        dataclasses.replace(config, epochs=1), split=(train.subset(slice(0, 384)), test.subset(slice(0, 200)))
    )
    run = dataclasses.replace(run, config=config)
    store = page_runs("compression")
    put = lambda key, value: store.get_or_run(key, lambda: value)  # noqa: E731
    put(teacher.run_key(config), run)
    put(jobs.bits_key(config), quantise.sweep(run.model, run.test, bits=(32, 8, 4, 2, 1)))
    put(jobs.pruning_key(config), prune.sweep(run.model, run.test, amounts=(0.0, 0.5, 0.9, 0.99)))
    for t in (4, 20):
        for job in jobs.student_jobs(config, t)[1:]:
            soft = job.key[-1].soft
            put(job.key, distil.train_student(run, distil.StudentConfig(soft=soft, temperature=t, epochs=1)))
    hard = store.peek(distil.run_key(config, distil.StudentConfig(soft=False)))
    soft = store.peek(distil.run_key(config, distil.StudentConfig(temperature=4)))
    frame = pd.DataFrame(
        [
            {
                "variant": "CNN float32",
                "accuracy": run.test_accuracy,
                "bytes": 828472,
                "latency_us": 200.0,
                "iqr_us": 2.0,
                "energy_wh": 1e-3,
                "energy_method": "estimated",
                "note": "",
            },
            {
                "variant": "MLP",
                "accuracy": hard.test_accuracy,
                "bytes": 200000,
                "latency_us": 20.0,
                "iqr_us": 1.0,
                "energy_wh": None,
                "energy_method": "estimated",
                "note": "",
            },
            {
                "variant": "MLP soft",
                "accuracy": soft.test_accuracy,
                "bytes": 200000,
                "latency_us": 20.0,
                "iqr_us": 1.0,
                "energy_wh": 1e-4,
                "energy_method": "estimated",
                "note": "",
            },
        ]
    )
    put(jobs.compare_key(config, 4.0), frame)
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_offers_its_train_button_and_trains_nothing_on_open(tab):
    st.cache_resource.clear()
    app = open_tab(tab)
    assert any(b.label.startswith("Train (≈") for b in app.button), tab
    assert not app.metric


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_draws_its_results(stand_ins, tab):
    app = open_tab(tab)
    assert charts(app), tab
    no_nan(app)


def test_one_bit_is_an_honest_number_and_a_message(stand_ins):
    app = open_tab(TABS[0], bits="1")
    no_nan(app)
    assert any("sign" in i.value for i in app.info)
    app.select_slider(key=K + "bits").set_value(2).run()
    assert_clean(app)
    assert any("round" in i.value for i in app.info)


def test_99_percent_pruning_shows_numbers_and_a_message(stand_ins):
    app = open_tab(TABS[1], prune="99")
    no_nan(app)
    assert any("almost nothing" in i.value for i in app.info)
    assert len(charts(app)) >= 2  # accuracy against sparsity, latency


def test_the_temperature_slider_asks_for_the_students_it_has_not(stand_ins):
    app = open_tab(TABS[2], temperature="20")
    assert charts(app)
    app.select_slider(key=K + "temperature").set_value(8).run()
    assert_clean(app)
    assert any(b.label.startswith("Train (≈") for b in app.button)
