"""Tabs 1-3 of the overfitting demo (issue #15): known answers on tiny data, properties, same seed same numbers.

Tabs 4-5 (double descent, memorised noise) are tested beside their modules by their own files.
"""

import numpy as np
import pytest

from core.demos.overfitting import bias_variance, figures, fuel, ridge
from core.errors import BadInput
from core.plots import provenance_of

# ----------------------------------------------------------------------------- tab 1: fuel


def test_the_true_curve_is_a_plausible_car():
    at = dict(zip((30, 60, 130, 180), fuel.true_fuel([30, 60, 130, 180])))
    assert 5 < at[60] < at[30] < at[130] < at[180] < 20  # a minimum near 60 km/h, drag dominating above
    assert at[180] == pytest.approx(14.85, abs=0.01)


def test_degree_n_minus_1_interpolates_n_points():
    rng = np.random.default_rng(1)
    for n in (2, 5, 10):
        x = np.sort(rng.uniform(fuel.LOW, fuel.HIGH, n))
        y = rng.normal(7.0, 2.0, n)
        assert fuel.fit(x, y, n - 1)(x) == pytest.approx(y, abs=1e-8)


def test_degree_30_is_sound_where_a_raw_vandermonde_is_not():
    """Nested least-squares models: the training error can only fall with the degree. A fit on raw speeds
    (``np.polyfit``, a Vandermonde matrix with entries up to 130**30) cannot reach what degree 30 can."""
    data = fuel.measurements(fuel.FuelConfig())
    errors = [fuel.rmse(fuel.fit(data.speed, data.fuel, d)(data.speed), data.fuel) for d in range(1, 31)]
    assert all(b <= a + 1e-9 for a, b in zip(errors, errors[1:]))
    assert 0.15 < errors[-1] < 0.4  # below the noise (0.4), as an overfit should be, and finite
    with pytest.warns(np.exceptions.RankWarning):
        raw = np.polyval(np.polyfit(data.speed, data.fuel, 30), data.speed)
    # numpy truncates the raw matrix's tiny singular values: its "degree 30" is not the degree-30 least squares
    assert fuel.rmse(raw, data.fuel) > 1.1 * errors[-1]
    # ... which another well-conditioned basis (Chebyshev on the same window) finds too: the same projection
    cheb = np.polynomial.Chebyshev.fit(data.speed, data.fuel, 30, domain=[fuel.LOW, fuel.HIGH])
    assert fuel.fit(data.speed, data.fuel, 30)(data.speed) == pytest.approx(cheb(data.speed), abs=1e-6)


def test_no_fit_extrapolates():
    frame = fuel.predictions(fuel.FuelConfig())
    assert frame.truth.iloc[0] == pytest.approx(float(fuel.true_fuel(180.0)))
    assert frame.error.abs().iloc[8:].min() > 100  # from degree 9 on, off by more than 100 L/100 km
    assert np.isfinite(frame.prediction).all()


def test_cross_validation_has_the_deck_s_shape():
    cv = fuel.cross_validation(fuel.FuelConfig())
    assert cv.train_rmse.iloc[-1] < cv.train_rmse.iloc[0]  # training error falls with the degree
    assert cv.validation_rmse.iloc[-1] > 10 * cv.validation_rmse.min()  # validation error rises again
    assert 2 <= fuel.best_degree(cv) <= 6


def test_five_points_and_degree_30_give_numbers_not_nan():
    config = fuel.FuelConfig(n_points=5)
    assert fuel.underdetermined(config, 30) and not fuel.underdetermined(fuel.FuelConfig(), 30)
    assert np.isfinite(fuel.predictions(config).prediction).all()
    assert np.isfinite(fuel.cross_validation(config)[["train_rmse", "validation_rmse"]].to_numpy()).all()
    assert np.isfinite(fuel.curve(config, 30).fit).all()


def test_same_seed_same_numbers_another_seed_others():
    a, b, c = (fuel.cross_validation(fuel.FuelConfig(seed=s)) for s in (3, 3, 4))
    assert a.equals(b) and not a.equals(c)


# ----------------------------------------------------------------------------- tab 2: bias and variance


@pytest.fixture(scope="module")
def decomposition():
    return bias_variance.decompose(bias_variance.BiasVarianceConfig())


def test_bias2_plus_variance_plus_noise_is_the_expected_test_error(decomposition):
    """The measured test error on fresh measurements matches the sum within Monte Carlo error (4 s.e.)."""
    frame = decomposition.frame
    assert ((frame.total - frame.test_error).abs() <= 4 * frame.test_error_se + 1e-12).all()


def test_the_classical_u(decomposition):
    frame = decomposition.frame
    assert frame.bias2.iloc[0] > 10 * frame.bias2.iloc[4]  # bias falls with the degree
    assert frame.variance.is_monotonic_increasing  # variance rises
    best = bias_variance.best_degree(frame)
    assert 2 <= best <= 5 and frame.total.iloc[-1] > 3 * frame.total.min()


def test_the_batched_fit_is_tab_1_s_fit():
    config = bias_variance.BiasVarianceConfig(datasets=3, max_degree=6)
    result = bias_variance.decompose(config)
    rng = np.random.default_rng(config.seed)  # the first data set, drawn as decompose draws it
    speeds = np.linspace(fuel.LOW, fuel.HIGH, config.n_points)
    y = fuel.true_fuel(np.broadcast_to(speeds, (3, config.n_points))) + rng.normal(
        0, config.noise, (3, config.n_points)
    )
    assert result.curves[5, 0] == pytest.approx(fuel.fit(speeds, y[0], 6)(result.speeds), abs=1e-8)


def test_decomposition_same_seed_same_numbers():
    config = bias_variance.BiasVarianceConfig(datasets=20, resample_speeds=True)
    a, b = bias_variance.decompose(config), bias_variance.decompose(config)
    assert a.frame.equals(b.frame) and np.array_equal(a.curves, b.curves)


# ----------------------------------------------------------------------------- tab 3: ridge


def test_lambda_0_reproduces_the_published_maximum_likelihood_coefficients():
    data = ridge.points()
    assert ridge.ridge(data.x, data.y, 0.0) == pytest.approx(ridge.PUBLISHED_ML, abs=1e-8)


def test_ridge_to_least_squares_as_lambda_to_0_and_to_0_as_lambda_grows():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1, 12), rng.normal(0, 1, 12)
    least_squares = np.linalg.lstsq(ridge.design(x), y, rcond=None)[0]
    assert ridge.ridge(x, y, 1e-10) == pytest.approx(least_squares, abs=1e-5)
    norms = [np.linalg.norm(ridge.ridge(x, y, lam)) for lam in (1e-3, 1, 1e3, 1e9)]
    assert norms == sorted(norms, reverse=True) and norms[-1] < 1e-8


def test_the_published_map_is_out_of_ridge_s_reach():
    """Ridge needs (β_ML − β_MAP)ᵀβ_MAP >= 0 (docstring); the published pair gives −413: not reproducible."""
    assert ridge.map_gap() == pytest.approx(-413.2358, abs=1e-3)
    data = ridge.points()
    ml = np.array(ridge.PUBLISHED_ML)
    for lam in 10.0 ** np.arange(-8, 7):
        beta = ridge.ridge(data.x, data.y, lam)
        assert (ml - beta) @ beta >= -1e-9  # ridge's property holds for ours, every λ


def test_ridge_refuses_a_negative_or_nan_lambda():
    for lam in (-1.0, float("nan"), float("inf")):
        with pytest.raises(BadInput):
            ridge.ridge([0, 1, 2, 3], [0, 1, 0, 1], lam)


def test_the_slider_s_left_end_is_lambda_0():
    assert ridge.lam_of(ridge.LOG_LAMBDA_MIN) == 0.0 and ridge.lam_of(2.0) == 100.0


# ----------------------------------------------------------------------------- figures


def test_every_figure_carries_its_provenance(decomposition):
    config = fuel.FuelConfig()
    cv = fuel.cross_validation(config)
    figs = [
        figures.fuel_figure(fuel.measurements(config), fuel.curve(config, 30), 30, fuel.provenance(config)),
        figures.predictions_figure(fuel.predictions(config), 30, fuel.provenance(config)),
        figures.cv_figure(cv, 3, fuel.provenance(config)),
        figures.spread_figure(decomposition, 15, bias_variance.provenance(bias_variance.BiasVarianceConfig())),
        figures.decomposition_figure(
            decomposition.frame, 3, bias_variance.provenance(bias_variance.BiasVarianceConfig())
        ),
        figures.ridge_figure(ridge.curves(0.01), ridge.points(), 0.01, ridge.provenance(0.01)),
        figures.path_figure(ridge.path(), -2.0, ridge.provenance(0.01)),
    ]
    for fig in figs:
        assert provenance_of(fig)["what"] == "measured"
        for trace in fig.data:
            y = np.asarray(trace.y, dtype=float) if trace.y is not None else np.array([])
            assert np.isfinite(y).all(), trace.name
