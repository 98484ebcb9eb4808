"""core.demos.data_hunger: learning curves fall with data, the power-law fit recovers a known exponent, transfer
beats the CNN from scratch at five shots, same seed same numbers, and a stopped sweep keeps exactly what it finished.

Heavy work once per module: the backbone of seed 0 and the few-shot preset (k = 5, three draws of the CNN and of
the transferred head), through the page's own jobs and a store like the page's. Everything else is tiny
(synthetic 4 x 4 images, or linear models of a few hundred steps). One torch thread, as tests/test_forgetting.py
explains (two threads spin against other processes on a shared 2-core machine).
"""

import math

import numpy as np
import pytest
import torch

import core.demos.data_hunger as dh
from core.data import ImageDataset
from core.demos.data_hunger import curves, magnitudes, methods, tasks
from core.errors import BadInput
from core.training import SharedRuns

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def shots():
    """The few-shot preset (k = 5, 3 draws, seed 0) trained through the page's jobs into one store."""
    store = SharedRuns()
    for job in dh.jobs(dh.FewShotConfig()):
        store.get_or_run(job.key, lambda job=job: job.run(store, None))
    return store


# ----------------------------------------------------------------------------- the data


def test_the_two_halves_split_the_classes_and_relabel_the_target_0_to_4():
    parts = tasks.halves(0)
    assert parts.target_train.classes == ("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
    assert set(parts.target_train.labels.tolist()) == set(range(5)) == set(parts.source_train.labels.tolist())
    assert len(parts.source_train) + len(parts.target_train) == 8_000
    assert 3_900 < len(parts.target_train) < 4_100 and len(parts.target_test) + len(parts.source_test) == 2_000


def test_a_draw_is_class_balanced_and_k_shots_are_exactly_k_per_class():
    target = tasks.halves(0).target_train
    assert sorted(torch.bincount(tasks.labelled(target, 12, seed=3).labels).tolist()) == [2, 2, 2, 3, 3]
    assert torch.bincount(tasks.few_shot(target, 5, seed=1).labels).tolist() == [5] * 5
    assert torch.equal(tasks.labelled(target, 30, 7).labels, tasks.labelled(target, 30, 7).labels)


def test_the_step_budget_has_a_floor_for_small_sets_and_three_passes_for_large_ones():
    assert methods.steps(10) == methods.steps(1000) == methods.STEPS
    assert methods.steps(3000) == 282 and 282 * methods.BATCH >= methods.PASSES * 3000
    small = tasks.labelled(tasks.halves(0).target_train, 10, 0)
    laid = tasks.repeated(small, steps=7, batch_size=32, seed=0)
    assert len(laid) == 7 * 32
    assert torch.bincount(laid.labels).max() - torch.bincount(laid.labels).min() <= 32 // 5 + 2  # all classes used


@pytest.mark.parametrize("k", [0, -1])
def test_k_of_zero_or_less_is_refused_with_a_message(k):
    with pytest.raises(BadInput, match="nothing to learn"):
        dh.FewShotConfig(k=k)
    with pytest.raises(BadInput, match="nothing to learn"):
        tasks.few_shot(tasks.halves(0).target_train, k, 0)


def test_more_shots_or_labels_than_exist_are_refused_with_a_message():
    target = tasks.halves(0).target_train
    with pytest.raises(BadInput, match="smallest class has only"):
        tasks.few_shot(target, 5_000, 0)
    with pytest.raises(BadInput, match="holds only"):
        tasks.labelled(target, 100_000, 0)
    with pytest.raises(BadInput, match="holds only"):
        methods.train_point(methods.PointConfig("logistic", 100_000))
    with pytest.raises(BadInput, match="no longer few-shot"):
        dh.FewShotConfig(k=51)
    with pytest.raises(BadInput, match="unknown method"):
        methods.PointConfig("svm", 10)


# ----------------------------------------------------------------------------- the power law


def test_the_power_law_fit_recovers_a_known_exponent_and_its_interval_covers_it():
    rng = np.random.default_rng(0)
    n = np.repeat([10, 30, 100, 300, 1000, 3000], 3)
    error = 0.8 * n**-0.3 * 10 ** rng.normal(0, 0.03, len(n))  # noise of ~7 % on the error
    law = curves.fit_power_law(n, error)
    assert abs(law.b + 0.3) < 0.03 and law.low < law.b < law.high and law.high - law.low < 0.1
    assert abs(10**law.a - 0.8) < 0.1
    # A 95 % interval misses the true exponent 5 % of the time (this draw happens to be one): over 400 noisy
    # data sets it must cover -0.3 about 95 % of the time (binomial spread of 400 draws: ±2.2 points).
    covered = 0
    for _ in range(400):
        noisy = 0.8 * n**-0.3 * 10 ** rng.normal(0, 0.03, len(n))
        fitted = curves.fit_power_law(n, noisy)
        covered += fitted.low < -0.3 < fitted.high
    assert 0.91 <= covered / 400 <= 0.99
    exact = curves.fit_power_law([10, 100, 1000], [0.4, 0.2, 0.1])  # a perfect line: a zero-width interval
    assert exact.b == pytest.approx(math.log10(0.5)) and exact.high - exact.low == pytest.approx(0, abs=1e-9)
    assert math.isnan(curves.fit_power_law([10, 100], [0.3, 0.2]).low)  # two points: a line, no interval
    with pytest.raises(BadInput):
        curves.fit_power_law([10, 10], [0.3, 0.2])


def test_the_t_table_agrees_with_scipy():
    from scipy import stats  # an oracle here; the page uses the table (no scipy.stats in the server)

    for df in (1, 2, 4, 10, 16, 19, 20, 30, 60, 120):
        assert curves.t_975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=1e-3)
    assert curves.t_975(22) >= stats.t.ppf(0.975, 22)  # between tabulated values: the wider interval


def test_labels_to_match_interpolates_on_log_axes():
    import pandas as pd

    table = pd.DataFrame(dict(method=["slow"] * 3 + ["fast"], n=[10, 100, 1000, 10], error=[0.4, 0.2, 0.1, 0.2]))
    assert curves.labels_to_match(table, "slow", "fast", 10) == pytest.approx(100)
    table.loc[3, "error"] = 0.05  # better than slow ever gets
    assert curves.labels_to_match(table, "slow", "fast", 10) is None


# ----------------------------------------------------------------------------- training


def synthetic(n_per_class: int, seed: int) -> tasks.Halves:
    """Two noisy classes of 1 x 4 x 4 images, target only (the learning curve's known answer: more data, less error)."""
    g = torch.Generator().manual_seed(seed)
    means = torch.tensor([0.35, 0.65])

    def make(count: int) -> ImageDataset:
        labels = torch.arange(2).repeat_interleave(count)
        pixels = (means[labels][:, None, None, None] + 0.35 * torch.randn(len(labels), 1, 4, 4, generator=g)).clamp(
            0, 1
        )
        return ImageDataset(pixels, labels, ("dark", "light"), tasks.halves(0).target_train.info)

    train, test = make(n_per_class), make(500)
    return tasks.Halves(train, test, train, test)


def test_error_does_not_grow_with_more_data_on_average(monkeypatch):
    monkeypatch.setattr(tasks, "N_CLASSES", 2)
    monkeypatch.setattr(methods.tasks, "N_CLASSES", 2)
    parts = synthetic(200, seed=1)
    mean_error = {
        n: np.mean([methods.train_point(methods.PointConfig("logistic", n, r), parts=parts).error for r in range(6)])
        for n in (2, 8, 64)
    }
    assert mean_error[2] >= mean_error[8] >= mean_error[64] - 0.005
    assert mean_error[2] - mean_error[64] > 0.03  # and it really falls


def test_the_same_seed_gives_the_same_numbers():
    config = methods.PointConfig("logistic", 30, repeat=1, seed=0)
    assert methods.train_point(config).error == methods.train_point(config).error
    other = methods.train_point(methods.PointConfig("logistic", 30, repeat=2, seed=0)).error
    assert other != methods.train_point(config).error  # another draw is another point


def test_augmentation_moves_each_image_within_the_frame():
    images = torch.zeros(64, 1, 28, 28)
    images[:, :, 10:18, 6:10] = 1.0  # a bar, away from the edges
    out = methods.random_shift(torch.Generator().manual_seed(0))(None, images, None)
    assert out.shape == images.shape and out.min() >= 0 and out.max() <= 1
    assert torch.allclose(out.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)))  # a 1-px move keeps the bar whole
    columns = (out[:, 0].sum(1) * torch.arange(28)).sum(1) / out[:, 0].sum((1, 2))
    assert set(torch.round(columns - 7.5).tolist()) == {-1.0, 0.0, 1.0}  # moved left, kept, moved right
    again = methods.random_shift(torch.Generator().manual_seed(0))(None, images, None)
    assert torch.equal(out, again)


def test_transfer_beats_the_cnn_from_scratch_at_five_shots_on_the_preset_seed(shots):
    points = dh.trained([shots.peek(j.key) for j in dh.jobs(dh.FewShotConfig())])
    table = dh.shots_frame(points)
    accuracy = table.groupby("method").accuracy.mean()
    assert accuracy["transfer"] > accuracy["cnn"]
    assert min(accuracy) > 1 - table.majority_error.iloc[0] + 0.4  # both far above the majority class (~22 %)
    backbone = shots.peek(methods.backbone_key(0))
    assert backbone.source_accuracy > 0.8 and backbone.test_features.pixels.shape[1:] == (1568, 1, 1)


def test_a_stopped_sweep_keeps_its_finished_points_and_resumes_with_the_rest(shots):
    """Stopped inside the third job (as Streamlit stops a script), the store holds the first two and nothing else."""
    config = dh.SweepConfig(methods=("logistic",), sizes=(10, 30, 100), seed=0)
    jobs = dh.jobs(config)
    store, calls = SharedRuns(), []

    class Stopped(Exception):
        pass

    def stop_in_third(step, total, metrics):
        if len(calls) == 3:
            raise Stopped

    with pytest.raises(Stopped):
        for job in jobs:
            calls.append(job.key)
            store.get_or_run(job.key, lambda job=job: job.run(store, stop_in_third))
    assert [store.peek(j.key) is not None for j in jobs] == [True, True, False]
    resumed = []
    for job in jobs:
        store.get_or_run(job.key, lambda job=job: resumed.append(job.key) or job.run(store, None))
    assert resumed == [jobs[2].key]  # only the missing point was trained
    assert all(isinstance(store.peek(j.key), dh.Point) for j in jobs)


def test_the_warm_up_holds_every_preset_once():
    keys = [job.key for job in dh.warm_up_jobs(0)]
    assert len(keys) == len(set(keys))
    for config in (dh.PRESET, dh.FULL, *(dh.FewShotConfig(k=k) for k in dh.SHOTS)):
        assert {job.key for job in dh.jobs(config)} <= set(keys)
    assert keys[0] == methods.backbone_key(0)


def test_the_orders_of_magnitude_carry_their_units_and_sources():
    table = magnitudes.frame({"ours": 3_000})
    assert (table.value > 0).all() and table.unit.str.len().min() > 0 and table.source.str.len().min() > 0
    assert set(table.kind) == {"published", "measured"}
    fig = magnitudes.figure(table, magnitudes.provenance())
    assert fig.layout.xaxis.type == "log" and len(fig.data[0].y) == len(table)
