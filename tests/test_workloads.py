"""The CO2 page's experiment: workloads, live traces, the ledger as data points, the energy fit, the figures."""
import json
import math

import pandas as pd
import pytest

from core import carbon, plots, workloads
from core.carbon import LiveReading
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
    trace = workloads.LiveTrace(redraw_every_s=0.5, keep_every_s=0.25)
    # 128 batches, one every 1/64 s (exact in binary) over two seconds of wall time
    due = [trace.add(reading(i / 64), now=i / 64) for i in range(128)]
    assert due[0] and sum(due) == 4  # at 0, 0.5, 1 and 1.5 s: twice a second, never more
    assert [r.elapsed_s for r in trace.readings] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
    assert trace.add(None, now=5.0) is False and len(trace.readings) == 8  # "not measured" adds nothing


# ------------------------------------------------------------------ the ledger as data points
def ledger_row(demo="d", label="l", energy=1e-3, status="measured", metrics=None):
    return LedgerRow(demo=demo, label=label, config_json="{}", seed=0, duration_s=1.0,
                     energy_kwh=energy if status == "measured" else None,
                     emissions_kg=energy * 0.4 if status == "measured" else None, country="USA",
                     intensity_g_per_kwh=400.0, method="estimated: x", status=status,
                     metrics_json=metrics if isinstance(metrics, str) else json.dumps(metrics or {}))


def test_measured_runs_unpack_metrics_and_skip_unmeasured(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.append(ledger_row(metrics={"test_acc": 0.9, "train_flops": 1e12, "parameters": 1000}))
    ledger.append(ledger_row(status="not measured", metrics={"test_acc": 0.8}))
    ledger.append(ledger_row(metrics="{not json"))  # a damaged cell: no metrics, not a crash
    runs = workloads.measured_runs(ledger.rows())
    assert len(runs) == 2 and list(runs["test_acc"][:1]) == [0.9] and runs["train_flops"][0] == 1e12
    assert math.isnan(runs["test_acc"][1]) and math.isnan(runs["train_flops"][1])
    assert workloads.measured_runs(pd.DataFrame()).empty


# ------------------------------------------------------------------ the fit
def runs_frame(flops, energy, demo="d"):
    return pd.DataFrame({"id": range(len(flops)), "demo": demo, "label": "l", "method": "m", "duration_s": 1.0,
                         "energy_kwh": energy, "emissions_kg": [e * 0.4 for e in energy], "test_acc": 0.9,
                         "train_flops": flops, "parameters": 1.0})


def test_fit_recovers_a_known_power_law():
    flops = [1e9, 1e10, 1e11, 1e12]
    energy = [2e-12 * f ** 0.8 for f in flops]
    fit = workloads.fit_energy(runs_frame(flops, energy))
    assert fit.slope == pytest.approx(0.8) and 10 ** fit.intercept == pytest.approx(2e-12)
    assert fit.r2 == pytest.approx(1.0) and fit.n == 4 and fit.flops_range == pytest.approx((1e9, 1e12))
    assert fit.predict_kwh(1e13) == pytest.approx(2e-12 * 1e13 ** 0.8)
    assert fit.is_extrapolation(1e13) and not fit.is_extrapolation(5e10)


def test_noisy_runs_give_a_fit_below_one():
    flops = [1e9, 1e10, 1e11, 1e12]
    energy = [2e-12 * f ** 0.8 * k for f, k in zip(flops, (1.3, 0.7, 1.2, 0.9))]
    assert 0 < workloads.fit_energy(runs_frame(flops, energy)).r2 < 1


def test_fit_refuses_too_few_or_identical_runs():
    with pytest.raises(ValueError, match="at least 3"):
        workloads.fit_energy(runs_frame([1e9, 1e10], [1e-3, 1e-2]))
    with pytest.raises(ValueError, match="same compute"):
        workloads.fit_energy(runs_frame([1e9, 1e9, 1.01e9], [1e-3, 2e-3, 1e-3]))
    no_flops = runs_frame([1e9, 1e10, 1e11], [1e-3, 1e-2, 1e-1]).assign(train_flops=math.nan)
    with pytest.raises(ValueError, match="has 0"):
        workloads.fit_energy(no_flops)


# ------------------------------------------------------------------ figures
PROV = Provenance("estimated", model="fit")


def test_extrapolation_figure_marks_what_is_measured_fitted_and_extrapolated():
    runs = pd.concat([runs_frame([1e9, 1e10], [1e-4, 1e-3], "carbon"),
                      runs_frame([1e11], [1e-2], "mugshots")], ignore_index=True)
    fit = workloads.fit_energy(runs)
    fig = workloads.extrapolation_figure(runs, fit, 3.14e23, "GPT-3", 1_287_000.0, PROV)
    names = [t.name for t in fig.data]
    assert names[:2] == ["measured: carbon", "measured: mugshots"]
    assert "extrapolation (not a measurement)" in names and "published: GPT-3" in names
    dashed = next(t for t in fig.data if t.name.startswith("extrapolation"))
    assert dashed.line.dash == "dash" and dashed.x[0] == pytest.approx(1e11) and dashed.x[-1] == pytest.approx(3.14e23)
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"
    assert plots.provenance_of(fig)["what"] == "estimated"


def test_accuracy_energy_figure_has_one_series_per_demo_and_skips_runs_without_accuracy():
    runs = pd.concat([runs_frame([1e9, 1e10], [1e-4, 1e-3], "carbon"),
                      runs_frame([1e11], [1e-2], "mugshots").assign(test_acc=math.nan)], ignore_index=True)
    fig = workloads.accuracy_energy_figure(runs, Provenance("measured"))
    assert [t.name for t in fig.data] == ["carbon"]
    assert list(fig.data[0].x) == pytest.approx([0.1, 1.0]) and list(fig.data[0].y) == pytest.approx([90, 90])


def test_live_figure_plots_power_and_energy_in_watt_hours():
    fig = workloads.live_figure([reading(0.0, 0.0, 25.0), reading(1.0, 7e-6, 25.0)], "live", PROV)
    assert list(fig.data[0].y) == [25.0, 25.0] and list(fig.data[1].y) == pytest.approx([0.0, 7e-3])


# ------------------------------------------------------------------ a real (tiny) live run
class TotalsTracker:
    """Like codecarbon: running totals that grow while the run goes on, and a final reading."""

    def __init__(self):
        from types import SimpleNamespace
        self._hardware = [type("CPU", (), {"_mode": "cpu_load"})()]
        self._cpu_power, self._ram_power = SimpleNamespace(W=20.0), SimpleNamespace(W=5.0)
        self._total_energy = SimpleNamespace(kWh=0.0)
        self.final_emissions_data = SimpleNamespace(
            energy_consumed=1e-5, cpu_power=20.0, ram_power=5.0, country_name="France", country_iso_code="FRA",
            pue=1.0, tracking_mode="machine", cpu_count=2, cpu_model="Test CPU")

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

    trace = workloads.LiveTrace(redraw_every_s=0.0, keep_every_s=0.0)
    workload = workloads.Workload("S", 1, 2_000)
    run = workloads.train_workload(workload, on_progress, trace)
    assert run.result.carbon.energy_kwh == 1e-5 and run.flops == workloads.training_flops(workload)
    assert len(run.readings) == 32 == sum(redraws)  # 2,000 / 64 -> 32 batches; the epoch summary has no reading
    assert run.readings[-1].energy_kwh > run.readings[0].energy_kwh
    last = Ledger().rows().iloc[-1]
    assert last["demo"] == "carbon" and json.loads(last["metrics_json"])["train_flops"] == run.flops


def test_live_chart_is_built_once_and_fed_new_points():
    chart = workloads.LiveChart("live", PROV)
    first = chart.update([reading(0.0, 0.0)])
    second = chart.update([reading(0.0, 0.0), reading(1.0, 2e-6, 30.0)])
    assert first is second and list(second.data[0].y) == [20.0, 30.0]
    assert list(second.data[1].y) == pytest.approx([0.0, 2e-3]) and plots.provenance_of(second)["what"] == "estimated"
