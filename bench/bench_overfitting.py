"""Benchmark of the overfitting demo: ``python bench/bench_overfitting.py``.

Prints markdown rows (figure | target | measured | how) for ``bench/RESULTS.md``: each tab's preset on its
first visit (AppTest, the whole script with the shell, caches cleared), and each slider move of
tabs 1-3 (what the page computes and draws for a new slider value: the core call and its figures; target
≤ 200 ms). "First visit" is a fresh server's first visitor of the tab with the modules already imported
(bench_startup.py measures the imports of a cold server). Then the demo's numbers beside the deck's and the
papers'. Times are medians; nothing asserts a time.
"""

from __future__ import annotations

import statistics
import time

from common import REPO, load_average, machine, median_seconds, row, table_header  # bench/ is on sys.path

import core.demos.overfitting as of
from core.demos.overfitting import bias_variance as bv
from core.demos.overfitting import figures, fuel, ridge

TABS = ("Fuel at 180 km/h", "Bias² + variance", "Ridge = a prior", "Double descent", "Memorised noise")


def cold_tab_seconds(tab: str) -> float:
    """One AppTest run of the page on ``tab``, caches cleared first (as a fresh server's first visitor)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    app.query_params["overfitting.tab"] = tab
    app.switch_page("pages/overfitting.py")
    start = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - start
    assert not app.exception, [e.value for e in app.exception]
    return seconds


def fuel_tables(config: fuel.FuelConfig) -> tuple:
    return fuel.measurements(config), fuel.predictions(config), fuel.cross_validation(config)


def fuel_move(degree: int, n: int = 60, tables: tuple | None = None) -> None:
    """A degree slider move: the page's cached tables (``tables``) or a new measurement count (refit all)."""
    config = fuel.FuelConfig(n_points=n)
    data, predictions, cv = tables or fuel_tables(config)
    prov = fuel.provenance(config)
    figures.fuel_figure(data, fuel.curve(config, degree), degree, prov)
    figures.predictions_figure(predictions, degree, prov)
    figures.cv_figure(cv, degree, prov)


def bv_move(config: bv.BiasVarianceConfig, degree: int) -> None:
    result = bv.decompose(config)
    prov = bv.provenance(config)
    figures.decomposition_figure(result.frame, degree, prov)
    figures.spread_figure(result, degree, prov)


def ridge_move(log_lambda: float) -> None:
    lam = ridge.lam_of(log_lambda)
    prov = ridge.provenance(lam)
    figures.ridge_figure(ridge.curves(lam), ridge.points(), lam, prov)
    ridge.coefficients(lam)
    figures.path_figure(ridge.path(), log_lambda, prov)


def main() -> None:
    print(machine() + "\n")
    load, loaded = load_average()
    busy = " (UNDER LOAD)" if loaded else ""
    table_header()
    for tab in TABS:
        times = [cold_tab_seconds(tab) for _ in range(3)]
        row(
            f"'{tab}' tab, preset, first visit",
            "≤ 10 s",
            f"{statistics.median(times):.2f} s ({min(times):.2f} – {max(times):.2f})",
            f"AppTest run of the page with caches cleared (modules already imported), median of 3; 1-min load {load:.1f}{busy}"
            + ("; tab 5 shows its Train step (training timed by the memorise bench)" if tab == TABS[4] else ""),
        )
    cached = fuel_tables(fuel.FuelConfig())
    moves = {
        "tab 1: measurements slider (refit 30 degrees + 3-fold CV, 3 figures)": lambda: fuel_move(12, n=55),
        "tab 1: degree slider (tables cached by the page; the curve + 3 figures)": lambda: fuel_move(12, tables=cached),
        "tab 2: new configuration (200 data sets × 15 degrees, 2 figures)": lambda: bv_move(
            bv.BiasVarianceConfig(resample_speeds=True), 7
        ),
        "tab 3: λ slider (ridge, table, 2 figures)": lambda: ridge_move(1.0),
    }
    for name, fn in moves.items():
        row(name, "≤ 200 ms", f"{median_seconds(fn, repeat=7) * 1000:.0f} ms", f"median of 7, core + figures{busy}")
    print()
    config = fuel.FuelConfig()
    predictions, cv = fuel.predictions(config), fuel.cross_validation(config)
    print(
        f"- true fuel at 180 km/h: {predictions.truth.iloc[0]:.2f} L/100 km; predictions by degree 1-6: "
        + ", ".join(f"{p:.4g}" for p in predictions.prediction[:6])
        + f"; degree 30: {predictions.prediction.iloc[-1]:.3g}"
    )
    print(f"- best degree by 3-fold CV: {fuel.best_degree(cv)} (validation RMSE {cv.validation_rmse.min():.3f})")
    frame = bv.decompose(bv.BiasVarianceConfig()).frame
    print(
        f"- bias² + variance U: bottom at degree {bv.best_degree(frame)}; largest |sum − measured| / s.e. "
        f"{((frame.total - frame.test_error).abs() / frame.test_error_se).max():.2f}"
    )
    data = ridge.points()
    print(f"- ridge λ = 0: {ridge.ridge(data.x, data.y, 0.0).round(3)} vs published ML {ridge.PUBLISHED_ML}")
    dd_frame = of.double_descent.sweep(of.double_descent.PRESET)
    print(
        f"- double descent: measured peak at N = {of.double_descent.peak(dd_frame)} for n = "
        f"{of.double_descent.PRESET.n_train} (Belkin et al. 2019: at N ≈ n)"
    )


if __name__ == "__main__":
    main()
