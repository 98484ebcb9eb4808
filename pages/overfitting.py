"""Overfitting and generalisation (issue #15). Thin page: widgets -> core.demos.overfitting -> charts.

Five tabs; only the open one runs. Tabs 1-3 fit live (milliseconds, cached by configuration so a slider move
only picks from what is computed); tab 4 sweeps random features once per configuration; tab 5 trains a
network on the Train button (ui.runs.train_gate), once per configuration for the whole server.
"""

import dataclasses

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.overfitting as of  # noqa: E402  (after the guard: see ui.shell)
from core.demos.overfitting import bias_variance as bv  # noqa: E402
from core.demos.overfitting import figures, fuel, ridge  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import page_runs, train_gate  # noqa: E402
from ui.shell import aside, header, page_key, seed, tabs  # noqa: E402

SLUG = "overfitting"
key = page_key(SLUG)


# ----------------------------------------------------------------------------- cached work (by configuration)


@st.cache_data(show_spinner=False, max_entries=64)
def fuel_tables(config: fuel.FuelConfig):
    """Measurements, every degree's prediction at 180 km/h and the cross-validation: one fit pass per config."""
    return fuel.measurements(config), fuel.predictions(config), fuel.cross_validation(config)


@st.cache_data(show_spinner="Fitting every degree to 200 new data sets…", max_entries=16)
def decomposition(config: bv.BiasVarianceConfig) -> bv.Decomposition:
    return bv.decompose(config)


@st.cache_data(show_spinner="Sweeping the number of random features…", max_entries=8)
def double_descent_sweep(config):
    return of.double_descent.sweep(config)


# ----------------------------------------------------------------------------- tabs


def fuel_tab() -> None:
    aside(
        "*You want to know the fuel consumption of this car at 180 km/h… you cannot measure it* (deck 004). "
        "The measurements below were taken only between 30 and 130 km/h (shaded); the true curve is known "
        "because we simulated it (rolling resistance + air drag + the engine's running losses)."
    )
    left, right = st.columns(2)
    degree = left.slider(
        "Polynomial degree", 1, fuel.MAX_DEGREE, fuel.PRESET_DEGREE, key=key("degree"), bind="query-params"
    )
    n = right.slider("Measurements", 5, 200, 60, 5, key=key("points"), bind="query-params")
    config = fuel.FuelConfig(n_points=n, seed=seed())
    data, predictions, cv = fuel_tables(config)
    at = predictions[predictions.degree == degree].iloc[0]
    cols = st.columns(3)
    cols[0].metric(f"Degree {degree} predicts at {fuel.TARGET:.0f} km/h (L/100 km)", f"{at.prediction:.4g}")
    cols[1].metric(f"True value at {fuel.TARGET:.0f} km/h (L/100 km)", f"{at.truth:.1f}")
    cols[2].metric("Best degree by cross-validation", fuel.best_degree(cv))
    if fuel.underdetermined(config, degree):
        st.warning(
            f"Degree {degree} has {degree + 1} coefficients for {n} points: it passes through every point and is "
            "not unique; the one with the smallest coefficients is shown. Its training error is 0 — and it says "
            "nothing about any other speed."
        )
    prov = fuel.provenance(config, f"degree {degree}")
    charts.chart(figures.fuel_figure(data, fuel.curve(config, degree), degree, prov), data, prov, "overfit_fuel")
    prov = fuel.provenance(config, "degrees 1-30")
    charts.chart(figures.predictions_figure(predictions, degree, prov), predictions, prov, "overfit_180")
    prov = fuel.provenance(config, f"{fuel.FOLDS}-fold cross-validation, degrees 1-30")
    charts.chart(figures.cv_figure(cv, degree, prov), cv, prov, "overfit_cv")
    show_code(fuel.fit, fuel.cross_validation)


def bias_variance_tab() -> None:
    aside(
        "Deck 004, eq. 2: the expected error of a fit on a *new* measurement is bias² (how far the average fit "
        "is from the truth) + variance (how much the fit moves from one data set to the next) + noise. Here "
        f"each degree is refitted to {bv.BiasVarianceConfig.datasets} new test drives of "
        f"{bv.BiasVarianceConfig.n_points} measurements."
    )
    left, right = st.columns(2)
    degree = left.slider(
        "Degree drawn", 1, bv.BiasVarianceConfig.max_degree, 3, key=key("bv_degree"), bind="query-params"
    )
    resample = right.toggle(
        "New random speeds for every data set", False, key=key("bv_random_speeds"), bind="query-params"
    )
    config = bv.BiasVarianceConfig(resample_speeds=resample, seed=seed())
    result = decomposition(config)
    row = result.frame[result.frame.degree == degree].iloc[0]
    cols = st.columns(4)
    for col, (label, value) in zip(
        cols, (("bias²", row.bias2), ("variance", row.variance), ("noise σ²", row.noise), ("sum", row.total))
    ):
        col.metric(f"Degree {degree}: {label}", f"{value:.3g}")
    prov = bv.provenance(config)
    charts.chart(figures.decomposition_figure(result.frame, degree, prov), result.frame, prov, "overfit_bv")
    spread = bv.spread_table(result, degree)
    charts.chart(figures.spread_figure(result, degree, prov), spread, prov, "overfit_spread")
    st.caption(
        f"Bottom of the U: degree {bv.best_degree(result.frame)}. Measured test error and the sum agree within "
        "Monte Carlo error at every degree (error bars: ±2 standard errors)."
    )
    show_code(bv.decompose)


def ridge_tab() -> None:
    aside(
        "Deck 004's 4-point cubic. Maximum likelihood (least squares) puts a cubic exactly through 4 points, with "
        "huge coefficients; a Gaussian prior β ~ N(0, η²) on the coefficients gives ridge regression, "
        "λ = σ²/η²: the larger λ, the smaller the coefficients and the flatter the curve."
    )
    log_lambda = st.slider(
        "log10 λ (left end: λ = 0, maximum likelihood)",
        ridge.LOG_LAMBDA_MIN,
        ridge.LOG_LAMBDA_MAX,
        ridge.PRESET_LOG_LAMBDA,
        0.5,
        key=key("log_lambda"),
        bind="query-params",
    )
    lam = ridge.lam_of(log_lambda)
    prov = ridge.provenance(lam)
    curves = ridge.curves(lam)
    charts.chart(figures.ridge_figure(curves, ridge.points(), lam, prov), curves, prov, "overfit_ridge")
    charts.table(ridge.coefficients(lam), prov, "overfit_ridge_coefficients")
    st.info(
        "**What is ours and what is published.** The deck does not give its 4 points. A cubic through 4 points "
        f"interpolates them, so we placed 4 points at x = {', '.join(map(str, ridge.POSITIONS))} (our choice) on "
        "the published maximum-likelihood cubic: our λ = 0 reproduces its coefficients exactly. The published MAP "
        "vector is out of reach of ridge on *any* points of that cubic (a one-line proof in the code's docstring), "
        "so it is shown beside ours, not reproduced."
    )
    path = ridge.path()
    charts.chart(figures.path_figure(path, log_lambda, prov), path, prov, "overfit_ridge_path")
    show_code(ridge.ridge, ridge.points)


def double_descent_tab() -> None:
    dd = of.double_descent
    aside(
        "Deck 004: *variance increasing with the number of parameters is not true for SGD-learnt ANN*. Fit "
        "n training images by the smallest-norm least squares on N random ReLU features, N swept past n: the "
        "test error peaks where the fit first interpolates (N = n) and falls again (Belkin et al. 2019)."
    )
    config = dataclasses.replace(dd.PRESET, seed=seed())
    frame = double_descent_sweep(config)
    cols = st.columns(2)
    cols[0].metric(f"Measured: test error peaks at (n = {config.n_train})", f"N = {dd.peak(frame):,}")
    cols[1].metric("Published (Belkin et al. 2019): peak at", "N ≈ n")
    prov = dd.provenance(config)
    charts.chart(dd.figure(frame, config, prov), frame, prov, "overfit_double_descent")
    show_code(dd.sweep)


def memorise_tab() -> None:
    mem = of.memorise
    aside(
        "Zhang et al. (2017) trained networks on images whose labels were shuffled: nothing left to learn, yet the "
        "networks fitted every training label. Here an MLP on 500 Fashion-MNIST images, trained live."
    )

    def use_preset(share: float) -> None:
        st.session_state[key("shuffled")] = share

    for col, (label, share) in zip(st.columns(len(mem.PRESETS)), mem.PRESETS.items()):
        col.button(label, on_click=use_preset, args=(share,), width="stretch")
    shuffled = st.slider(
        "Share of training labels shuffled", 0.0, 1.0, 1.0, 0.1, key=key("shuffled"), bind="query-params", format="%.1f"
    )
    config = dataclasses.replace(mem.MemoriseConfig(), shuffled=shuffled, seed=seed())
    seconds = getattr(mem, "PRESET_SECONDS", None)
    runs = train_gate(
        SLUG,
        mem.jobs(config),
        button=f"Train (≈ {seconds:.0f} s on 2 cores)" if seconds else "Train",
        note=f"Train an MLP on {config.n_train} Fashion-MNIST images with {shuffled:.0%} of their labels shuffled "
        f"({config.epochs} epochs): can it still fit them?",
    )
    if not runs:
        return
    run = runs[0]
    st.caption(run.result.summary())
    cols = st.columns(3)
    cols[0].metric("Training accuracy (labels given)", f"{run.train_accuracy:.0%}")
    cols[1].metric("Test accuracy (true labels)", f"{run.test_accuracy:.0%}")
    cols[2].metric("Chance (commonest test class)", f"{run.result.majority_baseline:.0%}")
    prov = run.provenance(f"{config.n_train} training, {config.n_test} test images")
    charts.chart(mem.curves_figure(run, prov), pd.DataFrame(run.result.history), prov, "overfit_memorise")
    epochs = mem.epochs_to_fit(run)
    st.markdown(
        (
            f"Training accuracy reached 95 % at epoch **{epochs}**. "
            if epochs
            else "Training accuracy never reached 95 %. "
        )
        + mem.ZHANG_2017_FINDING
    )
    slowdown_vs_true_labels(run)
    show_code(mem.train, mem.shuffle_labels)


def slowdown_vs_true_labels(run) -> None:
    """Zhang et al.'s Fig. 1b beside ours: epochs to fit these labels over epochs to fit the true ones."""
    mem = of.memorise
    if run.config.shuffled == 0:
        return
    true_labels = page_runs(SLUG).peek(mem.run_key(dataclasses.replace(run.config, shuffled=0.0)))
    low, high = mem.ZHANG_2017_SLOWDOWN
    published = f"Published: {low}–{high}× (Zhang et al. 2017, Fig. 1b, as read from the figure)"
    if true_labels is None:
        st.caption(f"Train the *True labels* preset too to measure the slowdown here. {published}.")
        return
    ratio = mem.slowdown(run, true_labels)
    cols = st.columns(2)
    cols[0].metric("Measured slowdown", f"{ratio:.1f}×" if ratio else "not reached")
    cols[1].metric("Published slowdown (Zhang et al. 2017)", f"{low}–{high}×")
    st.caption(
        f"Slowdown: epochs to reach 95 % training accuracy on these labels, over the same on the true labels "
        f"(same images, MLP, seed and epochs; only the labels differ). {published}."
    )


# ----------------------------------------------------------------------------- page

header(SLUG)
TABS = {
    "Fuel at 180 km/h": fuel_tab,
    "Bias² + variance": bias_variance_tab,
    "Ridge = a prior": ridge_tab,
    "Double descent": double_descent_tab,
    "Memorised noise": memorise_tab,
}
tabs(SLUG, TABS)
