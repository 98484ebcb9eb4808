"""The CO2 page's experiment: workloads, live traces, the ledger as data points, the energy fit, the figures."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from core import carbon, plots
from core.carbon import LiveReading
from core.demos.carbon import figures, lab_runs, live, published, workloads
from core.demos.carbon import fit as energy_fit
from core.ledger import Ledger, LedgerRow
from core.provenance import Provenance


# ------------------------------------------------------------------ workloads
def test_workload_rejects_what_the_page_cannot_offer():
    for bad in (dict(size="XXL"), dict(epochs=0), dict(epochs=workloads.MAX_EPOCHS + 1), dict(train_images=123)):
        with pytest.raises(ValueError):
            workloads.Workload(**bad)
    assert workloads.Workload().describe() == "SmallCNN(16,32,h64) · 2 epochs · 8,000 images"


def test_training_flops_is_six_macs_per_image_seen():
    s = workloads.Workload("S", 3, 4_000)  # conv 1->8 at 28x28, conv 8->16 at 14x14, 784->32, 32->10
    macs = 28 * 28 * 8 * 9 + 14 * 14 * 16 * 8 * 9 + 16 * 7 * 7 * 32 + 32 * 10
    assert workloads.training_flops(s) == 6 * macs * 4_000 * 3
    sizes = [workloads.training_flops(workloads.Workload(k, 1, 2_000)) for k in workloads.SIZES]
    assert sizes == sorted(sizes) and sizes[-1] > 20 * sizes[0]  # the sizes span a real range of compute


# ------------------------------------------------------------------ live trace
def reading(t, kwh=1e-6, w=20.0):
    return LiveReading(elapsed_s=t, energy_kwh=kwh, power_w=w)


def test_live_trace_throttles_redraws_and_thins_readings():
    trace = live.LiveTrace(redraw_every_s=0.5, keep_every_s=0.25)
    # 128 batches, one every 1/64 s (exact in binary) over two seconds of wall time
    due = [trace.add(reading(i / 64), now=i / 64) for i in range(128)]
    assert due[0] and sum(due) == 4  # at 0, 0.5, 1 and 1.5 s: twice a second, never more
    assert [r.elapsed_s for r in trace.readings] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
    assert trace.add(None, now=5.0) is False and len(trace.readings) == 8  # "not measured" adds nothing


# ------------------------------------------------------------------ the ledger as data points
def ledger_row(demo="d", label="l", energy=1e-3, status="measured", metrics=None, seed=0):
    return LedgerRow(
        demo=demo,
        label=label,
        config_json="{}",
        seed=seed,
        duration_s=1.0,
        energy_kwh=energy if status == "measured" else None,
        emissions_kg=energy * 0.4 if status == "measured" else None,
        country="USA",
        intensity_g_per_kwh=400.0,
        method="estimated: x",
        status=status,
        metrics_json=metrics if isinstance(metrics, str) else json.dumps(metrics or {}),
    )


def test_measured_runs_unpack_metrics_and_skip_unmeasured(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.append(ledger_row(metrics={"test_acc": 0.9, "train_flops": 1e12, "parameters": 1000}))
    ledger.append(ledger_row(status="not measured", metrics={"test_acc": 0.8}))
    ledger.append(ledger_row(metrics="{not json"))  # a damaged cell: no metrics, not a crash
    runs = lab_runs.measured_runs(ledger.rows())
    assert len(runs) == 2 and list(runs["test_acc"][:1]) == [0.9] and runs["train_flops"][0] == 1e12
    assert math.isnan(runs["test_acc"][1]) and math.isnan(runs["train_flops"][1])
    assert lab_runs.measured_runs(pd.DataFrame()).empty


# ------------------------------------------------------------------ the fit
def runs_frame(flops, energy, demo="d"):
    return pd.DataFrame(
        {
            "id": range(len(flops)),
            "demo": demo,
            "label": "l",
            "seed": 0,
            "method": "m",
            "duration_s": 1.0,
            "energy_kwh": energy,
            "emissions_kg": [e * 0.4 for e in energy],
            "test_acc": 0.9,
            "train_flops": flops,
            "parameters": 1.0,
        }
    )


def test_fit_recovers_a_known_power_law():
    flops = [1e9, 1e10, 1e11, 1e12]
    energy = [2e-12 * f**0.8 for f in flops]
    fit = energy_fit.fit_energy(runs_frame(flops, energy))
    assert fit.slope == pytest.approx(0.8) and 10**fit.intercept == pytest.approx(2e-12)
    assert fit.r2 == pytest.approx(1.0) and fit.n == 4 and fit.flops_range == pytest.approx((1e9, 1e12))
    assert fit.predict_kwh(1e13) == pytest.approx(2e-12 * 1e13**0.8)
    assert fit.is_extrapolation(1e13) and not fit.is_extrapolation(5e10)


def test_noisy_runs_give_a_fit_below_one():
    flops = [1e9, 1e10, 1e11, 1e12]
    energy = [2e-12 * f**0.8 * k for f, k in zip(flops, (1.3, 0.7, 1.2, 0.9))]
    assert 0 < energy_fit.fit_energy(runs_frame(flops, energy)).r2 < 1


def test_fit_refuses_too_few_or_identical_runs():
    with pytest.raises(ValueError, match="at least 3"):
        energy_fit.fit_energy(runs_frame([1e9, 1e10], [1e-3, 1e-2]))
    with pytest.raises(ValueError, match="same compute"):
        energy_fit.fit_energy(runs_frame([1e9, 1e9, 1.01e9], [1e-3, 2e-3, 1e-3]))
    no_flops = runs_frame([1e9, 1e10, 1e11], [1e-3, 1e-2, 1e-1]).assign(train_flops=math.nan)
    with pytest.raises(ValueError, match="there are 0"):
        energy_fit.fit_energy(no_flops)


NOISY_FLOPS = [3.7e9, 7.4e9, 1.5e10, 5.4e10, 1.1e11]
NOISY_ENERGY = [2e-12 * f**0.8 * k for f, k in zip(NOISY_FLOPS, (1.3, 0.8, 1.1, 0.9, 1.05))]


def test_fit_slope_intercept_and_standard_error_match_scipy_linregress():
    from scipy import stats

    fit = energy_fit.fit_energy(runs_frame(NOISY_FLOPS, NOISY_ENERGY))
    oracle = stats.linregress(np.log10(NOISY_FLOPS), np.log10(NOISY_ENERGY))
    assert fit.slope == pytest.approx(oracle.slope) and fit.intercept == pytest.approx(oracle.intercept)
    assert fit.slope_se == pytest.approx(oracle.stderr) and fit.r2 == pytest.approx(oracle.rvalue**2)
    t = stats.t.ppf(0.975, len(NOISY_FLOPS) - 2)  # 3.18 for 5 points
    low, high = fit.slope_ci()
    assert (low, high) == pytest.approx((oracle.slope - t * oracle.stderr, oracle.slope + t * oracle.stderr))
    assert low < fit.slope < high  # the interval contains the slope it is the interval of


def test_prediction_range_brackets_the_estimate_and_widens_away_from_the_runs():
    fit = energy_fit.fit_energy(runs_frame(NOISY_FLOPS, NOISY_ENERGY))
    widths = []
    for flops in (2e10, 1e13, 3.14e23):
        low, high = fit.predict_range_kwh(flops)
        assert low < fit.predict_kwh(flops) < high
        widths.append(math.log10(high / low))
    assert widths == sorted(widths) and widths[-1] > 3  # at GPT-3's compute: more than three decades wide
    # the same interval by hand: t x s x sqrt(1 + 1/n + (x - mean)^2 / Sxx), in log10 units
    x, y = np.log10(NOISY_FLOPS), np.log10(NOISY_ENERGY)
    s = math.sqrt(((y - (fit.intercept + fit.slope * x)) ** 2).sum() / 3)
    x0 = math.log10(3.14e23)
    half = 3.182446 * s * math.sqrt(1 + 1 / 5 + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    assert math.log10(fit.predict_range_kwh(3.14e23)[1]) == pytest.approx(
        fit.intercept + fit.slope * x0 + half, rel=1e-5
    )


@pytest.mark.parametrize(
    "factors, says, never",
    [
        ((1.0, 1.0, 1.0, 1.0, 1.0), "below 1", "above 1"),  # slope 0.8 exactly: the interval is a point below 1
        ((1.3, 0.6, 1.4, 0.7, 1.2), "reaches 1", "below 1"),  # noisy: the interval reaches past 1
    ],
)
def test_slope_sentence_follows_from_the_interval_shown(factors, says, never):
    energy = [2e-12 * f**0.8 * k for f, k in zip(NOISY_FLOPS, factors)]
    fit = energy_fit.fit_energy(runs_frame(NOISY_FLOPS, energy))
    sentence = energy_fit.slope_sentence(fit)
    low, high = fit.slope_ci()
    assert f"Slope {fit.slope:.2f}" in sentence and f"{low:.2f} – {high:.2f}" in sentence
    assert says in sentence and never not in sentence


def test_an_interval_printed_as_reaching_1_00_is_not_called_below_1():
    fit = energy_fit.EnergyFit(
        slope=0.77,
        intercept=-12.0,
        r2=0.97,
        n=5,
        flops_range=(1e9, 1e11),
        slope_se=0.0713,
        residual_sd=0.05,
        x_mean=10.0,
        sxx=1.5,
        t=3.1824,
    )
    assert fit.slope_ci()[1] == pytest.approx(0.9969, abs=1e-4)  # below 1, but printed as 1.00
    sentence = energy_fit.slope_sentence(fit)
    assert "0.54 – 1.00" in sentence and "below 1" not in sentence and "reaches 1" in sentence


def test_a_slope_of_1_01_is_never_called_usually_below_1():
    """Issue #13, defect 3: "usually below 1" was printed beside a slope of 1.01."""
    energy = [1e-15 * f**1.01 for f in NOISY_FLOPS]
    energy[1] *= 0.85  # some noise, so the interval has a width
    fit = energy_fit.fit_energy(runs_frame(NOISY_FLOPS, energy))
    assert fit.slope > 1
    assert "below 1" not in energy_fit.slope_sentence(fit)


# ------------------------------------------------------------------ the reference workloads
def test_reference_set_is_fixed_seeded_and_spans_compute():
    ref = workloads.reference_workloads(7)
    assert [w.seed for w in ref] == [7] * len(workloads.REFERENCE) and len(ref) >= 5
    flops = [workloads.training_flops(w) for w in ref]
    assert flops == sorted(flops) and flops[-1] / flops[0] > 20  # more than a decade to fit a slope on
    assert workloads.PRESETS["Lecture (M, 2 epochs, 8k images)"] in workloads.REFERENCE  # the largest: ~5 s


def reference_rows(seed, flops=NOISY_FLOPS, energy=NOISY_ENERGY):
    """Ledger rows as measure_reference writes them, for ``seed``."""
    return [
        ledger_row(
            demo="carbon",
            label=workloads.run_label(w, workloads.REFERENCE_RUN),
            energy=e,
            metrics={"train_flops": f, "test_acc": 0.7},
            seed=seed,
        )
        for w, f, e in zip(workloads.reference_workloads(seed), flops, energy)
    ]


def junk_rows(seed):
    """Rows that are not reference runs of ``seed``, with energies far off the reference line (and an
    accuracy, as every real run records one: the page tests share one ledger)."""
    quick = workloads.reference_workloads(seed)[0]
    reference_label = workloads.run_label(quick, workloads.REFERENCE_RUN)

    def metrics(flops):
        return {"train_flops": flops, "test_acc": 0.5}

    return [
        ledger_row(demo="adversarial", label="train", energy=5.0, metrics=metrics(1e9), seed=seed),
        ledger_row(demo="mugshots", label="faces", energy=1e-9, metrics=metrics(1e13), seed=seed),
        ledger_row(
            demo="carbon",
            label=workloads.run_label(quick),
            energy=3.0,  # the same workload, but a live run
            metrics=metrics(NOISY_FLOPS[0]),
            seed=seed,
        ),
        ledger_row(
            demo="carbon", label=reference_label, energy=7.0, metrics=metrics(NOISY_FLOPS[0]), seed=seed + 1
        ),  # a reference run, but of another seed
        ledger_row(
            demo="carbon", label=reference_label, status="not measured", metrics=metrics(NOISY_FLOPS[0]), seed=seed
        ),
    ]


def test_the_fit_ignores_every_ledger_row_that_is_not_a_reference_run(tmp_path):
    """Issue #13, defect 3: the slope swung from 1.01 to 0.45 with whatever else was in the ledger."""
    ledger = Ledger(tmp_path / "l.sqlite3")
    for row in reference_rows(3):
        ledger.append(row)
    before = energy_fit.fit_energy(energy_fit.reference_points(lab_runs.measured_runs(ledger.rows()), 3))
    for row in junk_rows(3):
        ledger.append(row)
    runs = lab_runs.measured_runs(ledger.rows())
    points = energy_fit.reference_points(runs, 3)
    after = energy_fit.fit_energy(points)
    assert after == before and after.n == len(workloads.REFERENCE)
    assert list(points["train_flops"]) == NOISY_FLOPS and list(points["runs"]) == [1] * 5
    assert int(energy_fit.is_reference(runs, 3).sum()) == 5  # the other rows are drawn, not fitted
    assert energy_fit.reference_points(runs, 4)["runs"].tolist() == [1]  # seed 4 has one reference run


def test_a_repeated_reference_measurement_moves_its_point_to_the_median(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    for energies in (NOISY_ENERGY, [e * 2 for e in NOISY_ENERGY], [e * 3 for e in NOISY_ENERGY]):
        for row in reference_rows(0, energy=energies):
            ledger.append(row)
    points = energy_fit.reference_points(lab_runs.measured_runs(ledger.rows()), 0)
    assert len(points) == 5 and points["runs"].tolist() == [3] * 5
    assert points["energy_kwh"].tolist() == pytest.approx([e * 2 for e in NOISY_ENERGY])


# ------------------------------------------------------------------ figures
PROV = Provenance("estimated", model="fit")


def figure_dict(fig) -> dict:
    """The figure as Streamlit sends it: parsed JSON, never searched as a string."""
    return json.loads(fig.to_json())


def values(array) -> list:
    """A data array of figure JSON as a list: plotly writes numpy arrays as ``{"dtype", "bdata"}`` (base64)."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def trace(spec: dict, name_start: str) -> dict:
    """The first trace whose name starts with ``name_start``, its data arrays decoded."""
    found = next(t for t in spec["data"] if t.get("name", "").startswith(name_start))
    return {k: values(v) if k in ("x", "y") else v for k, v in found.items()}


def extrapolation_spec():
    reference = energy_fit.reference_points(
        runs_frame(NOISY_FLOPS, NOISY_ENERGY).assign(
            demo="carbon",
            seed=0,
            label=[workloads.run_label(w, workloads.REFERENCE_RUN) for w in workloads.reference_workloads(0)],
        ),
        0,
    )
    others = pd.concat(
        [runs_frame([1e9, 1e12], [1e-6, 1e-2], "mugshots"), runs_frame([2e10], [1e-3], "carbon")], ignore_index=True
    )
    fit = energy_fit.fit_energy(reference)
    fig = figures.extrapolation_figure(reference, others, fit, 3.14e23, "GPT-3", 1_287_000.0, PROV)
    return fit, fig, figure_dict(fig)


def test_extrapolation_figure_fits_the_references_draws_the_rest_grey_and_shows_a_range():
    fit, fig, spec = extrapolation_spec()
    ref = trace(spec, "reference workloads")
    assert list(ref["x"]) == pytest.approx(NOISY_FLOPS) and ref["marker"]["color"] == figures.demo_colour("carbon")
    grey = trace(spec, figures.OTHER_RUNS)
    assert len(grey["x"]) == 3 and grey["marker"]["color"] == plots.GREY  # drawn, every demo, not fitted
    dashed = trace(spec, "extrapolation")
    assert dashed["line"]["dash"] == "dash" and dashed["x"][-1] == pytest.approx(3.14e23)
    target = trace(spec, "GPT-3 by our fit")
    estimate = target["y"][0]
    low, high = estimate - target["error_y"]["arrayminus"][0], estimate + target["error_y"]["array"][0]
    assert (low, high) == pytest.approx(fit.predict_range_kwh(3.14e23)) and low < estimate < high
    lower, upper = trace(spec, "95% prediction range"), trace(spec, "prediction interval, upper")
    assert lower["fill"] == "tonexty" and all(lo < hi for lo, hi in zip(lower["y"], upper["y"]))  # a band, filled
    assert trace(spec, "GPT-3 published: 1,287,000 kWh")["y"] == [1_287_000.0]
    assert plots.provenance_of(fig)["what"] == "estimated"


def test_extrapolation_legend_is_outside_the_plot_so_it_covers_no_point():
    """Issue #13, defect 3: the legend (inside, bottom right) covered the GPT-3 point."""
    legend = extrapolation_spec()[2]["layout"]["legend"]
    assert legend.get("y", 1) < 0 or legend.get("x", 1.02) > 1  # below or right of the plot area


def decade_ticks(axis: dict) -> list[int]:
    """The exponents a log axis labels, from its range and dtick (plotly: ticks at 10^(tick0 + k·dtick))."""
    assert axis["type"] == "log" and isinstance(axis["dtick"], int) and axis["dtick"] >= 1  # "D1"/"D2": every digit
    low, high = axis["range"]
    assert low == int(low) and high == int(high)  # whole decades: plotly puts the ticks on them
    return [e for e in range(int(low), int(high) + 1) if (e - axis.get("tick0", 0)) % axis["dtick"] == 0]


def test_log_axes_show_only_decades_even_over_a_narrow_range():
    """Issue #13, defect 10: a log axis read "2 3 … 9 0.1 2 3"."""
    runs = runs_frame([1e9, 2e9, 3e9], [5e-5, 1.5e-4, 3.8e-4], "carbon")  # 0.05 – 0.38 Wh: under a decade
    axis = figure_dict(figures.accuracy_energy_figure(runs, PROV))["layout"]["xaxis"]
    assert len(decade_ticks(axis)) >= 2 and axis["exponentformat"] == "power"
    spec = extrapolation_spec()[2]["layout"]
    for name in ("xaxis", "yaxis"):
        ticks = decade_ticks(spec[name])
        assert 2 <= len(ticks) <= 10, (name, ticks)  # a dozen decades: every other or third one, not 15 labels


def test_each_demo_has_one_colour_in_every_ledger_chart():
    """Issue #13, defect 10: a demo's colour depended on which other demos had runs in that chart."""
    alone = figures.accuracy_energy_figure(runs_frame([1e9], [1e-4], "mugshots"), PROV)
    both = figures.accuracy_energy_figure(
        pd.concat([runs_frame([1e9], [1e-4], "carbon"), runs_frame([1e9], [1e-4], "mugshots")]), PROV
    )
    colours = {t.name: t.marker.color for t in both.data}
    assert alone.data[0].marker.color == colours["mugshots"] == figures.demo_colour("mugshots")
    # the fitted points of the energy chart are the carbon demo's runs, in the carbon demo's colour
    assert trace(extrapolation_spec()[2], "reference workloads")["marker"]["color"] == colours["carbon"]


def test_accuracy_energy_figure_has_one_series_per_demo_and_skips_runs_without_accuracy():
    runs = pd.concat(
        [
            runs_frame([1e9, 1e10], [1e-4, 1e-3], "carbon"),
            runs_frame([1e11], [1e-2], "mugshots").assign(test_acc=math.nan),
        ],
        ignore_index=True,
    )
    fig = figures.accuracy_energy_figure(runs, Provenance("measured"))
    assert [t.name for t in fig.data] == ["carbon"]
    assert list(fig.data[0].x) == pytest.approx([0.1, 1.0]) and list(fig.data[0].y) == pytest.approx([90, 90])


def test_live_figure_plots_power_and_energy_in_a_readable_unit():
    fig = live.live_figure([reading(0.0, 0.0, 25.0), reading(1.0, 7e-6, 25.0)], "live", PROV)
    assert list(fig.data[0].y) == [25.0, 25.0] and list(fig.data[1].y) == pytest.approx([0.0, 7.0])  # 7 mWh
    assert fig.layout.yaxis2.title.text == "energy so far (mWh)" == fig.data[1].name


def test_live_energy_axis_prints_zero_as_zero():
    """Issue #13, defect 10: the energy axis's ".2g" tick format printed the zero tick as 4.6e-17."""
    spec = figure_dict(live.live_figure([reading(0.0, 0.0), reading(2.0, 3e-3)], "live", PROV))["layout"]
    for axis in ("yaxis", "yaxis2"):
        fmt = spec[axis].get("tickformat", "")
        assert not fmt or fmt.rstrip("~")[-1:] in "f%d", (axis, fmt)  # g, e, r and s print float residue
    assert spec["yaxis2"]["title"]["text"] == "energy so far (Wh)"  # 3 Wh, not 0.003 kWh


def test_energy_unit_keeps_the_number_at_least_one():
    assert live.energy_unit(7e-6) == ("mWh", 1e6) and live.energy_unit(3e-4) == ("mWh", 1e6)
    assert live.energy_unit(2e-3) == ("Wh", 1e3) and live.energy_unit(5.0) == ("kWh", 1.0)
    assert live.energy_unit(0.0) == ("mWh", 1e6)


# ------------------------------------------------------------------ a real (tiny) live run
class TotalsTracker:
    """Like codecarbon: running totals that grow while the run goes on, and a final reading."""

    def __init__(self):
        from types import SimpleNamespace

        self._hardware = [type("CPU", (), {"_mode": "cpu_load"})()]
        self._cpu_power, self._ram_power = SimpleNamespace(W=20.0), SimpleNamespace(W=5.0)
        self._total_energy = SimpleNamespace(kWh=0.0)
        self.final_emissions_data = SimpleNamespace(
            energy_consumed=1e-5,
            cpu_power=20.0,
            ram_power=5.0,
            country_name="France",
            country_iso_code="FRA",
            pue=1.0,
            tracking_mode="machine",
            cpu_count=2,
            cpu_model="Test CPU",
        )

    def start(self):
        pass

    def stop(self):
        return 5e-7


def test_train_workload_traces_readings_and_ledgers_its_compute(monkeypatch):
    tracker = TotalsTracker()
    monkeypatch.setattr(carbon, "tracker_factory", lambda country: tracker)
    redraws = []

    def on_progress(step, total, metrics):
        tracker._total_energy.kWh += 1e-8  # the sampler's totals move on
        redraws.append(metrics["redraw"])

    trace = live.LiveTrace(redraw_every_s=0.0, keep_every_s=0.0)
    workload = workloads.Workload("S", 1, 2_000)
    run = workloads.train_workload(workload, on_progress, trace)
    assert run.result.carbon.energy_kwh == 1e-5 and run.flops == workloads.training_flops(workload)
    assert len(run.readings) == 32 == sum(redraws)  # 2,000 / 64 -> 32 batches; the epoch summary has no reading
    assert run.readings[-1].energy_kwh > run.readings[0].energy_kwh
    last = Ledger().rows().iloc[-1]
    assert last["demo"] == "carbon" and json.loads(last["metrics_json"])["train_flops"] == run.flops


def test_live_chart_is_built_once_and_fed_new_points():
    chart = live.LiveChart("live", PROV)
    first = chart.update([reading(0.0, 0.0)])
    second = chart.update([reading(0.0, 0.0), reading(1.0, 2e-6, 30.0)])
    assert first is second and list(second.data[0].y) == [20.0, 30.0]
    assert list(second.data[1].y) == pytest.approx([0.0, 2.0]) and plots.provenance_of(second)["what"] == "estimated"
    third = chart.update([reading(0.0, 0.0), reading(9.0, 2e-3, 30.0)])  # past 1 Wh the unit follows
    assert third is first and list(third.data[1].y) == pytest.approx([0.0, 2.0])
    assert third.layout.yaxis2.title.text == "energy so far (Wh)"


def test_measure_reference_trains_each_workload_as_a_reference_run(monkeypatch):
    tracker = TotalsTracker()
    monkeypatch.setattr(carbon, "tracker_factory", lambda country: tracker)
    small = workloads.reference_workloads(11)[:2]  # the two smallest: S · 1 epoch · 2,000 and 4,000 images
    calls = []
    runs = workloads.measure_reference(
        lambda step, total, m: calls.append((step, total, m.get("index"))), seed=11, workloads=small
    )
    assert [r.workload for r in runs] == list(small) and all(r.result.carbon.is_measured for r in runs)
    steps = [c[0] for c in calls]
    assert steps == sorted(steps) and steps[-1] == calls[-1][1] == 32 + 63  # batches of 64, over both runs
    assert {c[2] for c in calls} == {0, 1}
    found = energy_fit.reference_points(lab_runs.measured_runs(Ledger().rows()), 11)
    assert found["label"].tolist() == [r.label for r in runs]  # the page finds them again in the ledger
    assert found["train_flops"].tolist() == [r.flops for r in runs]
    frame = energy_fit.runs_frame(runs)  # and from the store, when the ledger cannot be read
    assert energy_fit.reference_points(frame, 11)["energy_kwh"].tolist() == [1e-5, 1e-5]
    # the page's reference_fit: an unreadable ledger (no rows) falls back to the store's runs
    points, no_fit, why = energy_fit.reference_fit(lab_runs.measured_runs(pd.DataFrame()), runs, 11)
    assert points["label"].tolist() == [r.label for r in runs] and no_fit is None and "at least 3" in why


# ------------------------------------------------------------------ jobs: the Train buttons and the warm-up
def test_warm_up_jobs_are_the_presets_then_the_reference_set_under_the_page_s_keys():
    """Same tasks, labels and keys as the warm-up listed for the CO2 page before issue #14."""
    import core.demos.carbon as co2

    jobs = co2.warm_up_jobs(seed=5)
    assert [job.label for job in jobs] == [
        "CO2: Quick (S, 1 epoch, 2k images)",
        "CO2: Lecture (M, 2 epochs, 8k images)",
        "CO2: Bigger (L, 3 epochs, 8k images)",
        "CO2: the reference workloads of the energy fit",
    ]
    presets = [workloads.Workload(w.size, w.epochs, w.train_images, seed=5) for w in workloads.PRESETS.values()]
    assert [job.key for job in jobs] == [*map(workloads.run_key, presets), workloads.reference_key(5)]
    (live_run,) = co2.jobs(presets[0])
    assert live_run.key == workloads.run_key(presets[0]) and live_run.label == presets[0].describe()


def test_a_job_runs_without_a_progress_callback_and_counts_what_fit_counted(monkeypatch):
    """Job.run(store, None) as the warm-up calls it; the run's FLOPs are fit's own (FitResult.metrics), equal to
    the count the page shows before training (training_flops), so the prediction and the result compare."""
    from core.training import SharedRuns

    monkeypatch.setattr(carbon, "tracker_factory", lambda country: TotalsTracker())
    workload = workloads.Workload("S", 1, 2_000, seed=12)
    (job,) = workloads.jobs(workload)
    store = SharedRuns()
    run = store.get_or_run(job.key, lambda: job.run(store, None))
    assert store.peek(workloads.run_key(workload)) is run
    assert run.flops == run.result.metrics["train_flops"] == workloads.training_flops(workload)
    assert run.result.metrics["parameters"] == sum(p.numel() for p in run.result.model.parameters())
    frame = energy_fit.runs_frame([run])
    assert frame["parameters"].tolist() == [run.result.metrics["parameters"]]  # was NaN: the runs never knew it
    prov = run.provenance()
    assert prov.seed == 12 and workload.describe() in prov.data and prov.model.startswith(lab_runs.codecarbon_name())


def test_the_live_chart_names_the_codecarbon_installed_now(monkeypatch):
    monkeypatch.setattr(lab_runs, "library_version", lambda name: "9.9.9")
    monkeypatch.setattr(carbon, "active_method", lambda wait=True: "estimated: CPU power from TDP x load")
    prov = live.live_provenance(workloads.Workload(seed=4))
    assert prov.kind == "estimated" and prov.model == "codecarbon 9.9.9 running totals (1 s samples)" and prov.seed == 4


# ------------------------------------------------------------------ what the page says of the fit
def test_a_fit_that_cannot_be_made_is_the_lab_s_own_error():
    """The page catches only LabErrors: too few reference runs must be one (it was a plain ValueError)."""
    from core.errors import BadInput

    with pytest.raises(energy_fit.CannotFit) as info:
        energy_fit.fit_energy(runs_frame([1e9, 1e10], [1e-3, 1e-2]))
    assert isinstance(info.value, BadInput)


def test_the_prediction_and_the_gpt3_sentence_follow_from_the_fit():
    fit = energy_fit.fit_energy(runs_frame(NOISY_FLOPS, NOISY_ENERGY))
    low, high = fit.predict_range_kwh(2e10)
    inside = energy_fit.prediction_sentence(fit, 2e10)
    assert f"{low * 1000:.2g} – {high * 1000:.2g} Wh" in inside and "within the measured range" in inside
    assert "an extrapolation" in energy_fit.prediction_sentence(fit, 1e14)
    sentence = energy_fit.gpt3_sentence(fit)
    low, high = fit.predict_range_kwh(published.GPT3_TRAIN_FLOPS)
    published_kwh = published.published(energy_fit.GPT3).energy_kwh
    assert energy_fit.range_text(fit, published.GPT3_TRAIN_FLOPS) in sentence
    assert ("inside that range" in sentence) == (low <= published_kwh <= high)
    assert f"{fit.n} small runs" in sentence
    prov = energy_fit.fit_provenance(fit, other_runs=7, seed=3)
    assert prov.kind == "estimated" and "7 other ledger runs" in prov.data and prov.seed == 3
