"""CO2 of training (issue #6). Thin page: widgets -> core.demos.carbon (one module per lesson) -> charts.

Five tabs a lecturer can jump to (the tab is in the URL, and only the open tab runs):
measure a run live, the lab's own runs, the extrapolation to GPT-3, grams to tonnes, and
the calculator with the grid comparison. A live run, and the reference set the
extrapolation is fitted on, are trained only on a button (ui.runs.train_gate), once per
configuration for the whole server; while a live run trains, codecarbon's running totals
are drawn at most twice a second. Everything else reads the ledger and published figures.
"""

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

from core.demos.carbon import calculator as calc  # noqa: E402  (after the guard: see ui.shell)
from core.demos.carbon import figures, fit, lab_runs  # noqa: E402
from core.demos.carbon import published as pub  # noqa: E402
from core.demos.carbon import workloads as wl  # noqa: E402
from core.demos.carbon.live import LiveChart, LiveTrace, live_figure, live_provenance, readings_frame  # noqa: E402
from core.errors import BadInput  # noqa: E402
from core.ledger import Ledger, LedgerUnavailable  # noqa: E402
from core.training import Job  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import page_runs, train_gate  # noqa: E402
from ui.shell import aside, header, page_key, seed  # noqa: E402

SLUG = "carbon"
key = page_key(SLUG)  # "carbon.<name>": the URL holds these and "reset" finds them
COMPARE_GRIDS = ["FRA", "USA", "DEU", "POL"]  # nuclear, average, mixed, coal: Patterson's several-fold spread
# The five reference trainings, click to result in Chromium on a fresh 2-core server: 14.1 s (6.0 s of training
# in process; bench/bench_warmup.py --cold and --per-task, 2026-11-30). The warm-up precomputes them.
REFERENCE_TIME = "≈ 14 s on 2 cores"


def country_names() -> dict[str, str]:
    return dict(calc.countries())


def country_label(code: str) -> str:
    return f"{country_names().get(code, code)} ({code})"


def read_ledger() -> tuple[pd.DataFrame, str]:
    """All ledger rows, or an empty frame and the reason the ledger cannot be read."""
    try:
        return Ledger().rows(), ""
    except LedgerUnavailable as err:
        return pd.DataFrame(), str(err)


def reference_fit(measured: pd.DataFrame) -> tuple[pd.DataFrame, fit.EnergyFit | None, str]:
    """The reference points (from the ledger, else from this page's store), their fit or why there is none."""
    return fit.reference_fit(measured, page_runs(SLUG).peek(wl.reference_key(seed())), seed())


# ----------------------------------------------------------------------------- tab: measure a run


def workload_controls() -> wl.Workload:
    def use_preset(preset: wl.Workload) -> None:
        st.session_state[key("size")] = preset.size
        st.session_state[key("epochs")] = preset.epochs
        st.session_state[key("images")] = preset.train_images

    for col, (label, preset) in zip(st.columns(len(wl.PRESETS)), wl.PRESETS.items()):
        col.button(label, on_click=use_preset, args=(preset,), width="stretch")
    c1, c2, c3 = st.columns(3)
    size = c1.selectbox(
        "Model size",
        list(wl.SIZES),
        index=1,
        key=key("size"),
        bind="query-params",
        format_func=lambda s: f"{s}: {wl.SIZES[s].describe()}",
    )
    epochs = c2.slider("Epochs", 1, wl.MAX_EPOCHS, 2, key=key("epochs"), bind="query-params")
    images = c3.select_slider(
        "Training images (Fashion-MNIST)",
        wl.TRAIN_IMAGES,
        value=8_000,
        key=key("images"),
        bind="query-params",
        format_func=lambda n: f"{n:,}",
    )
    return wl.Workload(size, int(epochs), int(images), seed=seed())


def live_chart_job(workload: wl.Workload) -> Job:
    """The live run's job, whose progress also draws codecarbon's running totals (at most every 0.5 s).

    The chart is made when the job runs, under the Train gate's progress bar, and goes with the rerun.
    """
    trace = LiveTrace(redraw_every_s=0.5)
    job = wl.live_job(workload, trace=trace)

    def run(store, on_progress=None):
        chart, slot = LiveChart("Live: power and energy so far", live_provenance(workload)), st.empty()

        def progress(step: int, total: int, metrics: dict) -> None:
            if on_progress:
                on_progress(step, total, metrics)
            if metrics.get("redraw") and trace.readings:
                slot.plotly_chart(chart.update(trace.readings))

        return job.run(store, progress)

    return Job(job.key, job.label, run)


def show_report(run: wl.WorkloadRun) -> None:
    """The headline first (energy, emissions, duration), then how it was measured and the run's grids."""
    report, prov = run.result.carbon, run.provenance()
    if not report.is_measured:
        st.warning(
            f"**Not measured**: {report.method}. The training finished (test accuracy "
            f"{run.result.test_accuracy:.1%}, {report.duration_s:.1f} s); no energy figure is shown "
            "rather than an invented one."
        )
        return
    top, bottom = st.columns(3), st.columns(3)
    top[0].metric("Energy", f"{report.energy_kwh * 1000:.3g} Wh", help=f"{report.energy_kwh:.3e} kWh")
    top[1].metric("Emissions", f"{figures.mass_text(report.emissions_kg)} CO2e", help=f"{report.emissions_kg:.3e} kg")
    top[2].metric("Duration", f"{report.duration_s:.1f} s")
    bottom[0].metric("Average power", f"{report.energy_kwh * 3.6e6 / report.duration_s:.1f} W")
    bottom[1].metric(
        "Test accuracy",
        f"{run.result.test_accuracy:.1%}",
        delta_color="off",
        delta_arrow="off",
        delta=f"majority class: {run.result.majority_baseline:.1%}",
        help="Always answering the commonest class of the test set scores this much.",
    )
    bottom[2].metric("Compute (FLOPs)", f"{run.flops:.3g}", help="6 × multiply-adds per image × images seen")
    label = "Estimated" if report.is_estimate else "Measured"
    st.markdown(
        f"**{label}** on grid **{country_label(report.country)}** at "
        f"{report.intensity_g_per_kwh:.0f} g CO2e/kWh, on {report.hardware or 'unknown hardware'}."
    )
    with st.expander("Method and every assumption behind these numbers", expanded=True):
        st.markdown("\n".join(f"- {a}" for a in report.assumptions))
        st.caption(
            "codecarbon samples power every second in a background thread; energy is power × time summed "
            "over the samples. On a machine without RAPL counters (most VMs) the CPU figure is a model."
        )
    if run.readings:
        charts.chart(
            live_figure(run.readings, "Power and cumulative energy during the run", prov),
            readings_frame(run.readings),
            prov,
            "live_run",
        )
    else:
        st.caption(prov.caption())

    st.subheader("The same run on another grid")
    names = country_names()
    where = st.selectbox(
        "Grid",
        list(names),
        index=list(names).index(report.country) if report.country in names else 0,
        format_func=country_label,
        key=key("run_grid"),
        bind="query-params",
    )
    other = calc.emissions_kg(report.energy_kwh, where)
    st.metric(
        f"Same {report.energy_kwh * 1000:.3g} Wh in {names[where]}",
        f"{figures.mass_text(other)} CO2e",
        delta=(
            f"{other / report.emissions_kg:.2g}× the emissions in {names.get(report.country, report.country)}"
            if where != report.country
            else None
        ),
        delta_color="off",
    )
    grid_chart(report.energy_kwh, "this live run")


def grid_chart(energy_kwh: float, what: str) -> None:
    names = country_names()
    chosen = st.multiselect(
        "Grids to compare",
        list(names),
        default=COMPARE_GRIDS,
        format_func=country_label,
        key=key("grids"),
        bind="query-params",
    )
    try:
        frame = calc.grid_comparison(energy_kwh, chosen)
    except BadInput as err:
        st.warning(str(err))
        return
    prov = calc.grid_provenance(frame, energy_kwh, what)
    charts.chart(calc.grid_comparison_figure(frame, energy_kwh, what), frame, prov, "grid_comparison")
    aside(
        "Patterson et al. (2021): *geographic location matters* — the same job's emissions vary roughly "
        "5–10× with the grid it runs on. Same kWh, same model; only the power station changes."
    )


def show_measure(rows: pd.DataFrame, measured: pd.DataFrame) -> None:
    """Presets, the three settings, then the Train button; once trained, the result in its place."""
    workload = workload_controls()
    trained = train_gate(SLUG, [live_chart_job(workload)], button="Train and measure", icon=":material/bolt:")
    if trained:
        show_report(trained[0])
        return
    flops = wl.training_flops(workload)  # counted before training: what the fit predicts for it
    _, energy_fit, _ = reference_fit(measured)
    prediction = f" {fit.prediction_sentence(energy_fit, flops)}" if energy_fit else ""
    st.caption(f"Compute of this workload ≈ {flops:.3g} FLOPs.{prediction}")


# ----------------------------------------------------------------------------- tab: the lab's runs


def show_ledger(rows: pd.DataFrame, measured: pd.DataFrame) -> None:
    ledger_prov = lab_runs.ledger_provenance()
    if not len(rows):
        st.caption("No training run has been recorded on this installation yet: the demos that train will add rows.")
        return
    per_demo = lab_runs.per_demo_frame(rows)
    charts.table(per_demo, ledger_prov, "ledger_per_demo")
    methods = sorted(set(rows.loc[rows["status"] == "measured", "method"]))
    st.caption("Methods in these sums: " + ("; ".join(methods) or "none measured"))
    with st.expander(f"All {len(rows):,} runs"):
        charts.table(rows, ledger_prov, "ledger_runs")
    if len(measured):
        st.subheader("Accuracy vs energy")
        acc_prov = lab_runs.accuracy_provenance(measured)
        charts.chart(figures.accuracy_energy_figure(measured, acc_prov), measured, acc_prov, "accuracy_energy")
        aside(
            "Accuracy is measured on each demo's own test set, so compare points of one colour only. Within a "
            "demo the curve flattens: the last points of accuracy cost the most energy."
        )


# ----------------------------------------------------------------------------- tab: extrapolate


def show_extrapolation(rows: pd.DataFrame, measured: pd.DataFrame) -> None:
    points, energy_fit, why = reference_fit(measured)
    st.markdown(
        f"The fit uses only **{len(wl.REFERENCE)} fixed reference workloads** (seed {seed()}), measured "
        "on this machine; the ledger's other runs are drawn in grey, not fitted, so the line does not "
        "move with whatever else was trained today."
    )
    aside("Reference workloads: " + "; ".join(w.describe() for w in wl.reference_workloads(seed())) + ".")
    if len(points) < len(wl.REFERENCE):  # the ledger lacks some: measure them here (or find them in the store)
        train_gate(
            SLUG,
            [wl.reference_job(seed())],
            button=f"Measure the reference workloads ({len(wl.REFERENCE)} trainings, {REFERENCE_TIME})",
            icon=":material/bolt:",
            key="reference",
        )
    if energy_fit is None:
        st.info(why + f" ({len(points)} of {len(wl.REFERENCE)} measured so far.)", icon=":material/info:")
        return
    gpt3 = pub.published(fit.GPT3)
    slope_low, slope_high = energy_fit.slope_ci()
    m1, m2 = st.columns(2)
    m1.metric(
        "Slope of the fit",
        f"{energy_fit.slope:.2f} ({slope_low:.2f} – {slope_high:.2f})",
        help=f"The exponent b of energy ∝ FLOPs^b, with its {fit.CONFIDENCE:.0%} confidence interval in "
        "brackets; 1 would mean energy proportional to compute.",
    )
    m2.metric("GPT-3, published", f"{gpt3.energy_kwh:,.0f} kWh", help=pub.PATTERSON_2021)
    st.metric(
        f"GPT-3 by our fit: extrapolated, {fit.CONFIDENCE:.0%} prediction range",
        fit.range_text(energy_fit, pub.GPT3_TRAIN_FLOPS),
        help=f"Point estimate {energy_fit.predict_kwh(pub.GPT3_TRAIN_FLOPS):.3g} kWh; the range assumes the "
        "power law holds that far beyond the reference runs.",
    )
    others = measured[~fit.is_reference(measured, seed())] if len(measured) else measured
    fit_prov = fit.fit_provenance(energy_fit, len(others), seed())
    figure = figures.extrapolation_figure(
        points, others, energy_fit, pub.GPT3_TRAIN_FLOPS, "GPT-3", gpt3.energy_kwh, fit_prov
    )
    charts.chart(figure, points, fit_prov, "energy_fit")
    st.markdown(fit.gpt3_sentence(energy_fit))
    st.markdown(fit.slope_sentence(energy_fit))
    show_code(fit.fit_energy, title="Show the code: the fit")


# ----------------------------------------------------------------------------- tab: grams to tonnes


def show_scale(rows: pd.DataFrame, measured: pd.DataFrame) -> None:
    published_prov, table = pub.published_provenance(), pub.published_table()
    lab_kg = float(measured["emissions_kg"].sum()) if len(measured) else 0.0
    points = lab_runs.ladder_runs(rows, lab_kg)
    charts.chart(figures.scale_ladder_figure(points), table, published_prov, "scale_ladder")
    aside(
        "Scopes differ (one training run, a whole search, a life cycle with hardware manufacture): read "
        "*includes* before comparing two rows. *verified* means the number was checked against the paper's own "
        "text; each note says what was checked."
    )
    charts.table(table, published_prov, "published_figures")

    st.subheader("In everyday terms")
    choices = {"all runs of this lab": lab_kg} | {
        p.name: p.kg_co2e for p in pub.PUBLISHED if "life" not in p.name and "flight" not in p.name
    }
    what = st.selectbox("Emissions of", list(choices), key=key("equivalent"), bind="query-params")
    kg = choices[what]
    cols = st.columns(len(calc.EQUIVALENTS))
    for col, (equivalent, amount) in zip(cols, calc.equivalents(kg)):
        col.metric(equivalent.name, equivalent.readable(kg), help=f"{amount:,.4g} {equivalent.unit}")
    st.caption(
        f"{what}: {kg:,.4g} kg CO2e "
        + ("(measured here)" if what.startswith("all runs") else "(published)")
        + " · factors: "
        + "; ".join(f"{e.kg_per_unit:g} kg per {e.unit.rstrip('s')} ({e.source})" for e in calc.EQUIVALENTS)
    )

    st.subheader("Power: a brain and AlphaGo")
    cols = st.columns(len(pub.POWER_COMPARISONS))
    for col, comparison in zip(cols, pub.POWER_COMPARISONS):
        col.metric(f"{comparison.name} (estimate)", f"{comparison.watts:,.0f} W")
        col.caption(f"{comparison.caveat} Source: {comparison.citation}.")
    ratio = pub.POWER_COMPARISONS[1].watts / pub.POWER_COMPARISONS[0].watts
    st.markdown(
        f"Order of magnitude only: AlphaGo's hardware drew roughly **{ratio:,.0f}×** the power of the "
        "brain of the human it played — both figures are estimates, neither was metered."
    )


# ----------------------------------------------------------------------------- tab: calculator & grids


def show_calculator(rows: pd.DataFrame, measured: pd.DataFrame) -> None:
    aside(calc.__doc__.split("\n\n")[-1])
    st.subheader("Same energy, different grid")
    filled = float(measured["energy_kwh"].sum()) if len(measured) else 0.0
    filled = round(filled, 6) or 1.0  # what the box shows; 1 kWh when no run has been measured
    energy = st.number_input(
        "Energy (kWh)",
        min_value=0.0,
        max_value=1e9,
        value=filled,
        format="%.6f",
        key=key("energy"),
        bind="query-params",
        help="Filled in with the total energy of this lab's measured runs (or 1 kWh when "
        "there are none); type any other value.",
    )
    grid_chart(energy, calc.energy_source(energy, filled, len(measured)))

    st.subheader("Calculator")
    names = country_names()
    c1, c2, c3 = st.columns(3)
    hardware = c1.selectbox("Hardware", list(calc.HARDWARE), index=1, key=key("hw"), bind="query-params")
    count = c2.number_input("How many", min_value=1, max_value=100_000, value=8, key=key("count"), bind="query-params")
    hours = c3.number_input("Hours", min_value=0.0, max_value=1e7, value=24.0, key=key("hours"), bind="query-params")
    c4, c5 = st.columns(2)
    pue = c4.number_input(
        "PUE (data-centre overhead, ≥ 1)",
        min_value=1.0,
        max_value=3.0,
        value=calc.DEFAULT_PUE,
        key=key("pue"),
        bind="query-params",
    )
    country = c5.selectbox(
        "Grid",
        list(names),
        index=list(names).index(calc.DEFAULT_COUNTRY),
        format_func=country_label,
        key=key("country"),
        bind="query-params",
    )
    try:
        result = calc.estimate(hardware, int(count), float(hours), float(pue), country)
    except BadInput as err:
        st.warning(str(err))
        return
    m1, m2 = st.columns(2)
    m1.metric("Energy (estimated)", f"{result.energy_kwh:,.4g} kWh")
    m2.metric("Emissions (estimated)", f"{result.emissions_kg:,.4g} kg CO2e")
    st.caption(result.formula)
    st.caption(result.provenance.caption())
    device = calc.HARDWARE[hardware]
    aside(
        f"{device.name}: {device.tdp_w:g} W nominal ({device.note}). TDP is a ceiling; real average draw is "
        "often 50–80 % of it, so this tends to overestimate."
    )


# ----------------------------------------------------------------------------- page

TABS = {
    "Measure a run": show_measure,
    "This lab's runs": show_ledger,
    "Extrapolate": show_extrapolation,
    "Grams to tonnes": show_scale,
    "Calculator & grids": show_calculator,
}

header(SLUG)
ledger_rows, ledger_error = read_ledger()
if ledger_error:
    st.warning(f"The carbon ledger is unavailable: {ledger_error}")
measured_rows = lab_runs.measured_runs(ledger_rows)
for tab, show in zip(st.tabs(list(TABS), key=key("tab"), on_change="rerun", bind="query-params"), TABS.values()):
    if tab.open:
        with tab:
            show(ledger_rows, measured_rows)
