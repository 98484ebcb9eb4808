"""Biased data, biased decisions (issue #16). Thin page: widgets -> core.demos.biased_decisions -> charts.

Four tabs; only the open one runs. Every model is a logistic regression fitted in milliseconds, cached by its
configuration in core (functools.lru_cache), so a slider move refits at most one small model.
"""

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

from core.demos.biased_decisions import asthma, figures, hiring, representation, risk_scores  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.shell import aside, header, page_key, seed, tabs  # noqa: E402

SLUG = "biased_decisions"
key = page_key(SLUG)
rs = risk_scores


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{100 * x:.1f} %"


# ----------------------------------------------------------------------------- tab 1: hiring


def hiring_tab() -> None:
    aside(
        "Amazon trained a CV screener on ten years of its own hiring; it learned to mark down CVs with the word "
        "*women's* (Reuters, 2018). Here the history is synthetic: women and men have the same skills, the past "
        "recruiters turned away a share of the qualified women, the gender column is **dropped** — but three "
        "proxies stay on the CV: a *women's … club* line, a career gap, and a first-name feature."
    )
    left, right = st.columns([2, 1])
    bias = left.slider(
        "How biased was the history? Share of qualified women the past recruiters turned away (%)",
        0,
        100,
        int(100 * hiring.PRESET_BIAS),
        5,
        key=key("bias"),
        bind="query-params",
    )
    remove = right.toggle("Remove the proxies too", False, key=key("no_proxies"), bind="query-params")
    config = hiring.HiringConfig(bias=bias / 100, remove_proxies=remove, seed=seed())
    result = hiring.train(config)
    ratio, history_ratio = result.ratio(), result.ratio("history")
    cols = st.columns(3)
    cols[0].metric("Women's selection rate (model)", _pct(result.rates.loc["women", "model"]))
    cols[1].metric("Men's selection rate (model)", _pct(result.rates.loc["men", "model"]))
    cols[2].metric(
        "Disparate-impact ratio (women / men)",
        "undefined" if ratio is None else f"{ratio:.2f}",
        delta="under the four-fifths line" if ratio is not None and ratio < hiring.FOUR_FIFTHS else None,
        delta_color="inverse",
        delta_arrow="down",  # the ratio is below the line: an up arrow read as "rising"
    )
    if ratio is None:
        st.warning("The model shortlists no man at all, so the ratio women / men is undefined (a division by zero).")
    if bias == 100:
        st.info("At 100 % the history holds no hired woman at all: the model can only learn that women are not hired.")
    if bias == 0:
        st.info("At 0 % the history is fair: the model's ratio should be near 1 (what is left is sampling noise).")
    prov = hiring.provenance(config)
    charts.chart(figures.selection_figure(result, prov), result.rates.reset_index(names="group"), prov, "bd_hiring")
    st.caption(
        f"Past recruiters' own ratio: {'undefined' if history_ratio is None else f'{history_ratio:.2f}'}. "
        "Four-fifths rule (US EEOC, 29 CFR § 1607.4(D)): a ratio under 0.8 is evidence of adverse impact."
    )
    charts.table(hiring.weights_table(result), prov, "bd_hiring_weights")
    sweeps = {
        "skills + proxies": hiring.ratio_sweep(False, config.n, config.seed),
        "skills only (proxies removed)": hiring.ratio_sweep(True, config.n, config.seed),
    }
    frame = pd.concat([f.assign(features=k) for k, f in sweeps.items()])
    charts.chart(figures.ratio_figure(sweeps, config.bias, prov), frame, prov, "bd_hiring_sweep")
    show_code(hiring.history, hiring.train)


# ----------------------------------------------------------------------------- tab 2: COMPAS


def risk_tab() -> None:
    aside(
        "ProPublica (2016) found COMPAS flagged Black defendants who did not reoffend twice as often as white ones; "
        "Northpointe answered that the score is equally *calibrated* for both. Here a synthetic score, calibrated "
        "within each group by construction, for two groups whose base rates differ. Move the thresholds: which "
        "fairness criteria can you meet at once?"
    )
    config = rs.CohortConfig(seed=seed())
    presets = {
        "One threshold for all (0.5)": (0.5, 0.5),
        "Equal false positive rates": (0.5, rs.matching_threshold(config, "FPR")),
        "Equal false negative rates": (0.5, rs.matching_threshold(config, "FNR")),
    }

    def use(pair) -> None:
        st.session_state[key("t_a")], st.session_state[key("t_b")] = pair

    for col, (label, pair) in zip(st.columns(len(presets)), presets.items()):
        col.button(label, on_click=use, args=(pair,), width="stretch")
    left, right = st.columns(2)
    t_a = left.slider("Threshold, group A", 0.0, 1.0, 0.5, 0.01, key=key("t_a"), bind="query-params")
    t_b = right.slider("Threshold, group B", 0.0, 1.0, 0.5, 0.01, key=key("t_b"), bind="query-params")
    thresholds = {"A": t_a, "B": t_b}
    frame = rs.cohort(config)
    flagged = rs.flag(frame, thresholds)
    rates = rs.metric_frame(frame, flagged)
    for group, t in thresholds.items():
        if t == 0.0:
            st.info(
                f"Threshold 0 for group {group}: everyone is flagged (false negative rate 0, false positive rate 1)."
            )
        if t == 1.0:
            st.info(
                f"Threshold 1 for group {group}: nobody is flagged, so the share of the flagged who reoffend is undefined."
            )
    st.markdown("**Which criteria does this setting meet?**")
    for criterion in rs.criteria(rates, thresholds):
        mark = "✅" if criterion.met else ("❔" if criterion.met is None else "❌")
        st.markdown(f"{mark} {criterion.name}: {criterion.detail}")
    st.caption(
        f"Two rates count as equal within {100 * rs.TOLERANCE:.0f} points. The score itself stays calibrated within "
        "each group whatever the thresholds (chart below). Chouldechova 2017: with different base rates, equal "
        "predictive values and equal FNR force unequal FPR; Kleinberg et al. 2016: calibration and balance for both "
        "classes cannot hold together."
    )
    prov = rs.provenance(config, f"thresholds A ≥ {t_a:.2f}, B ≥ {t_b:.2f}; metrics: fairlearn MetricFrame")
    counts = rs.confusion(frame, flagged)
    charts.chart(figures.confusion_figure(counts, prov), counts.reset_index(names="group"), prov, "bd_confusion")
    charts.chart(figures.error_rates_figure(rates, prov), rates.reset_index(), prov, "bd_error_rates")
    st.caption("Published: " + rs.PROPUBLICA_SOURCE + ' — one threshold for all ("Medium or High").')
    grid = rs.impossibility_grid(config)
    both = rs.pairs_meeting(grid, ("FPR", "FNR"))
    all_three = rs.pairs_meeting(grid, ("FPR", "FNR", "PPV"))
    st.markdown(
        f"**Every threshold pair** (step 0.02, each group 10–90 % flagged): **{len(both)}** equalise FPR *and* FNR; "
        f"of those, **{len(all_three)}** also keep predictive parity."
    )
    table = rs.calibration_table(frame)
    charts.chart(figures.calibration_figure(table, prov), table, prov, "bd_calibration")
    if st.button("Fix it: fairlearn ThresholdOptimizer (equalized odds)", key=key("fix")):
        _, fixed = rs.equalized_odds(config)
        st.markdown("**After ThresholdOptimizer (randomised group-specific thresholds):**")
        for criterion in rs.criteria(fixed, thresholds)[:3]:
            mark = "✅" if criterion.met else ("❔" if criterion.met is None else "❌")
            st.markdown(f"{mark} {criterion.name}: {criterion.detail}")
        st.caption(
            "It equalises both error rates by flipping coins near the thresholds — and breaks predictive parity."
        )
    show_code(rs.metric_frame, rs.criteria)


# ----------------------------------------------------------------------------- tab 3: representation


def representation_tab() -> None:
    aside(
        "Speech recognisers trained mostly on some voices, cars tested with dummies of an average man: a model works "
        "best for whoever filled its training data. Two synthetic groups whose answer sits in different features; "
        "one model, no group column; shrink the minority's share of the training set."
    )
    share = st.select_slider(
        "Minority share of the training set (%)",
        options=[100 * s for s in representation.SHARES],
        value=100 * representation.PRESET_SHARE,
        format_func=lambda v: f"{v:g}",
        key=key("share"),
        bind="query-params",
    )
    config = representation.RepresentationConfig(minority_share=share / 100, seed=seed())
    result = representation.train(config)
    if config.n_minority <= 1:
        st.info(
            f"The training set holds {config.n_minority} minority example(s): the model has (almost) never seen "
            "the group; its accuracy there is whatever the majority's rule happens to give."
        )
    cols = st.columns(3)
    cols[0].metric("Majority: test accuracy", _pct(result.accuracy["majority"]))
    cols[1].metric("Minority: test accuracy", _pct(result.accuracy["minority"]))
    cols[2].metric("Majority-class baseline (each group)", _pct(max(result.baseline.values())))
    prov = representation.provenance(config)
    frame = representation.sweep(config)
    charts.chart(figures.representation_figure(frame, config.minority_share, prov), frame, prov, "bd_representation")
    st.markdown("**Published, on real systems (a different setting: commercial products, not this toy):**")
    charts.table(representation.PUBLISHED, prov.but(kind="published", model="", seed=None), "bd_published")
    show_code(representation.sample, representation.train)


# ----------------------------------------------------------------------------- tab 4: asthma


def asthma_tab() -> None:
    aside(
        "Caruana et al. (2015): a model meant to send low-risk pneumonia patients home learned that **asthma lowers "
        "the risk of dying**. True in the data — asthmatics were sent straight to intensive care. Here a synthetic "
        "hospital where asthma truly *raises* the risk."
    )
    left, right = st.columns([3, 2])
    home = left.slider(
        "Send home every patient the model puts under this risk of dying (%)",
        0.0,
        20.0,
        100 * asthma.PRESET_HOME_BELOW,
        0.5,
        key=key("home"),
        bind="query-params",
    )
    icu = right.toggle(
        "Asthmatics go to the ICU",
        True,
        key=key("icu"),
        bind="query-params",
        help="On: the hospital sends every asthmatic pneumonia patient to intensive care, as in Caruana et al.",
    )
    config = asthma.HospitalConfig(icu_for_asthma=icu, home_below=home / 100, seed=seed())
    result = asthma.train(config)
    cols = st.columns(3)
    cols[0].metric("Asthma: true weight (untreated)", f"{asthma.TRUE_WEIGHTS['asthma']:+.2f}")
    cols[1].metric("Asthma: learned weight", f"{result.learned_asthma_weight:+.2f}")
    cols[2].metric(
        "Asthmatics sent home: deaths / 1,000",
        f"{result.policy.loc['asthma', 'deaths at home per 1,000']:.0f}",
        help="Deaths per 1,000 asthmatics the policy sends home, from the simulation's true risk.",
    )
    if result.learned_asthma_weight < 0:
        st.warning("The model learned the wrong sign: asthma *lowers* the predicted risk. The ICU hid the danger.")
    if home == 0:
        st.info("Threshold 0 %: nobody is sent home, so there is no policy outcome to compare.")
    prov = asthma.provenance(config)
    charts.chart(
        figures.asthma_figure(result.policy, prov), result.policy.reset_index(names="group"), prov, "bd_asthma"
    )
    charts.table(asthma.weights_table(result), prov, "bd_asthma_weights")
    st.caption("Published: " + asthma.CARUANA_2015 + ". Their numbers are not reproduced: the data are synthetic.")
    show_code(asthma.patients, asthma.train)


# ----------------------------------------------------------------------------- page

header(SLUG)
TABS = {
    "Hiring from history": hiring_tab,
    "One score, two groups": risk_tab,
    "Who is in the data": representation_tab,
    "The asthma paradox": asthma_tab,
}
tabs(SLUG, TABS)
