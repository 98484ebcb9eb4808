"""Benchmark of the biased-decisions demo: ``python bench/bench_biased_decisions.py``.

Prints markdown rows (figure | target | measured | how): each tab's preset on its first visit (AppTest, the
whole script with the shell, core caches cleared), each slider move (the core call and its figures for a new
value; target ≤ 200 ms), one logistic-regression fit, and the "fix it" button. Then our numbers beside the
published ones. Times are medians; nothing asserts a time.
"""

from __future__ import annotations

import statistics
import time

from common import REPO, load_average, machine, median_seconds, row, table_header  # bench/ is on sys.path

from core.demos.biased_decisions import asthma, figures, hiring, representation, risk_scores

TABS = ("Hiring from history", "One score, two groups", "Who is in the data", "The asthma paradox")
CACHED = (
    hiring.history,
    hiring.train,
    risk_scores.cohort,
    risk_scores.equalized_odds,
    representation.train,
    asthma.patients,
    asthma._fitted,
    asthma.train,
)


def clear() -> None:
    for fn in CACHED:
        fn.cache_clear()


def cold_tab_seconds(tab: str) -> float:
    """One AppTest run of the page on ``tab``, caches cleared first (as a fresh server's first visitor)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    clear()
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    app.query_params["biased_decisions.tab"] = tab
    app.switch_page("pages/biased_decisions.py")
    start = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - start
    assert not app.exception, [e.value for e in app.exception]
    return seconds


def hiring_move(bias: float) -> None:
    config = hiring.HiringConfig(bias=bias)
    result, prov = hiring.train(config), hiring.provenance(config)
    figures.selection_figure(result, prov)
    hiring.weights_table(result)
    sweeps = {"a": hiring.ratio_sweep(False), "b": hiring.ratio_sweep(True)}  # cached fits
    figures.ratio_figure(sweeps, bias, prov)


def risk_move(t_b: float) -> None:
    config = risk_scores.CohortConfig()
    frame = risk_scores.cohort(config)
    thresholds = {"A": 0.5, "B": t_b}
    flagged = risk_scores.flag(frame, thresholds)
    rates = risk_scores.metric_frame(frame, flagged)
    risk_scores.criteria(rates, thresholds)
    prov = risk_scores.provenance(config, "bench")
    figures.confusion_figure(risk_scores.confusion(frame, flagged), prov)
    figures.error_rates_figure(rates, prov)


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
            f"AppTest run, core caches cleared (modules imported), median of 3; 1-min load {load:.1f}{busy}",
        )
    hiring_move(0.6)
    fresh = iter(0.3 + i / 1000 for i in range(1, 100))  # a bias off the slider's stops: one new fit
    moves = {
        "tab 1: bias slider (a stop: fit cached by the sweep; 2 figures, table)": lambda: hiring_move(0.35),
        "tab 1: a bias off the stops (one new fit, 2 figures, table)": lambda: hiring_move(next(fresh)),
        "tab 2: threshold slider (MetricFrame, criteria, 2 figures)": lambda: risk_move(0.41),
        "tab 3: share slider (one new fit)": lambda: (
            representation.train.cache_clear(),
            representation.train(representation.RepresentationConfig(minority_share=0.1)),
        ),
        "tab 4: send-home slider (model cached, policy + figure)": lambda: (
            asthma.train.cache_clear(),
            figures.asthma_figure(
                asthma.train(asthma.HospitalConfig(home_below=0.08)).policy, asthma.provenance(asthma.HospitalConfig())
            ),
        ),
    }
    for name, fn in moves.items():
        row(name, "≤ 200 ms", f"{median_seconds(fn, repeat=7) * 1000:.0f} ms", f"median of 7{busy}")
    fix = median_seconds(
        lambda: (risk_scores.equalized_odds.cache_clear(), risk_scores.equalized_odds(risk_scores.CohortConfig())),
        repeat=3,
    )
    row("tab 2: 'Fix it' (ThresholdOptimizer fit + predict, 5,278 people)", "—", f"{fix:.2f} s", f"median of 3{busy}")
    print()
    preset = hiring.train(hiring.HiringConfig())
    print(
        f"- hiring, 60 % bias: model ratio {preset.ratio():.2f} (history {preset.ratio('history'):.2f}); "
        f"proxies removed {hiring.train(hiring.HiringConfig(remove_proxies=True)).ratio():.2f}; "
        f"fair history {hiring.train(hiring.HiringConfig(bias=0)).ratio():.2f}"
    )
    frame = risk_scores.cohort(risk_scores.CohortConfig())
    rates = risk_scores.metric_frame(frame, risk_scores.flag(frame, {"A": 0.5, "B": 0.5}))
    for g in risk_scores.GROUPS:
        pub = risk_scores.PROPUBLICA_2016[g]
        print(
            f"- group {g} at 0.5: FPR {rates.loc[g, 'FPR']:.2%} (published {pub['FPR']:.2%}), "
            f"FNR {rates.loc[g, 'FNR']:.2%} (published {pub['FNR']:.2%})"
        )
    for share in (0.5, 0.02, 0.0):
        r = representation.train(representation.RepresentationConfig(minority_share=share))
        print(f"- share {share:.0%}: majority {r.accuracy['majority']:.1%}, minority {r.accuracy['minority']:.1%}")
    a = asthma.train(asthma.HospitalConfig())
    print(
        f"- asthma: learned weight {a.learned_asthma_weight:+.2f} (true +1.00); asthmatics sent home: predicted "
        f"{a.policy.loc['asthma', 'predicted risk at home']:.1%}, true {a.policy.loc['asthma', 'true risk at home']:.1%}"
    )


if __name__ == "__main__":
    main()
