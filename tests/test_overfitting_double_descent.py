"""core.demos.overfitting.double_descent: min-norm least squares on random ReLU features peaks at N = n.

One preset sweep shared by the module (about a second); the known answers: the peak sits at the
interpolation threshold (Belkin et al. 2019), training error vanishes from N = n on, and nothing is infinite.
"""

import numpy as np
import pytest

from core.demos.overfitting import double_descent as dd
from core.errors import BadInput


@pytest.fixture(scope="module")
def frame():
    return dd.sweep(dd.PRESET)


def test_the_sweep_runs_from_a_tenth_to_ten_times_n_and_includes_n(frame):
    n = dd.PRESET.n_train
    assert list(frame.columns[:4]) == ["features", "ratio", "train_error", "test_error"]
    assert frame["features"].iloc[0] == n // 10 and frame["features"].iloc[-1] == 10 * n
    assert n in set(frame["features"]) and frame["features"].is_monotonic_increasing
    assert np.allclose(frame["ratio"], frame["features"] / n)
    assert 25 <= len(frame) <= 26


def test_the_test_error_peaks_within_a_factor_two_of_n(frame):
    n = dd.PRESET.n_train
    assert n / 2 <= dd.peak(frame) <= 2 * n
    # ... and it is a real peak: far above both ends of the sweep (double descent, not a U or a wall)
    top = frame["test_error"].max()
    assert top > 10 * frame["test_error"].iloc[0] and top > 10 * frame["test_error"].iloc[-1]
    # the second descent: at N = 10n the error is below the classical regime's best (N <= n/2)
    assert frame["test_error"].iloc[-1] < frame.loc[frame["features"] <= n / 2, "test_error"].min()


def test_training_error_is_zero_from_the_interpolation_threshold_on(frame):
    n = dd.PRESET.n_train
    over = frame[frame["features"] >= n]
    under = frame[frame["features"] < n]
    assert (over["train_error"] < 1e-12).all()
    assert (under["train_error"] > 1e-3).all()  # below N = n a least-squares fit cannot interpolate 200 points
    assert under["train_error"].is_monotonic_decreasing  # nested features: more of them never fit worse


def test_everything_is_finite_including_n_equal_to_n(frame):
    assert np.isfinite(frame.drop(columns="features").to_numpy()).all()
    at_n = frame[frame["features"] == dd.PRESET.n_train].iloc[0]
    assert np.isfinite(at_n["test_error"]) and at_n["test_error"] == frame["test_error"].max()


def test_label_noise_raises_the_peak_and_stays_finite():
    config = dd.DoubleDescentConfig(n_train=60, n_test=500, noise=0.5, points=8)
    noisy, clean = dd.sweep(config), dd.sweep(dd.DoubleDescentConfig(n_train=60, n_test=500, points=8))
    assert np.isfinite(noisy.drop(columns="features").to_numpy()).all()
    assert dd.peak(noisy) == 60 and noisy["test_error"].max() > clean["test_error"].max()


def test_same_seed_same_frame_another_seed_other_numbers(frame):
    assert dd.sweep(dd.PRESET).equals(frame)
    other = dd.sweep(dd.DoubleDescentConfig(seed=1))
    assert not np.allclose(other["test_error"], frame["test_error"])


@pytest.mark.parametrize(
    "changes",
    [dict(n_train=5), dict(n_train=5_000), dict(n_test=9_900), dict(n_test=0), dict(noise=-0.1), dict(noise=1.5)],
)
def test_impossible_configs_are_bad_input(changes):
    with pytest.raises(BadInput):
        dd.DoubleDescentConfig(**changes)


def test_figure_marks_the_threshold_and_the_published_claim(frame):
    fig = dd.figure(frame, dd.PRESET, dd.provenance(dd.PRESET))
    names = [trace.name for trace in fig.data]
    assert dd.CLAIM_LABEL in names and "published claim: peak at N ≈ n (Belkin et al. 2019)" in names
    claim = fig.data[names.index(dd.CLAIM_LABEL)]
    assert list(claim.x) == [dd.PRESET.n_train] * 2
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert f"measured peak: N = {dd.peak(frame)}" in names
    assert fig.layout.meta["provenance"]["what"] == "measured"
    assert "Belkin" in dd.BELKIN_2019 and "PNAS" in dd.BELKIN_2019
