"""Measure the energy and CO2 of a piece of work with codecarbon, honestly labelled.

Usage::

    with carbon.measure(demo="adversarial", label="train SmallCNN", config=cfg) as m:
        train()
    m.report.energy_kwh, m.report.method   # filled in when the block exits

How it is measured (Courty et al., codecarbon 3.x): a background thread samples
power every second. CPU power is *measured* only where the machine exposes Intel
RAPL counters; otherwise codecarbon *estimates* it as the CPU's TDP x its load,
and RAM power is a fixed figure per installed GiB. Energy (kWh) x the grid's
carbon intensity of the chosen country (g CO2e/kWh, codecarbon's data) gives
emissions. The report always names which method was used.

Design choices:

* ``OfflineEmissionsTracker`` only: no network (the online tracker geolocates the
  IP and queries cloud metadata hosts), no files (``output_methods=[]``).
* Runs are serialised (a lock per process, a file lock across processes): the
  tracker counts the whole machine, so two runs measured at once would each be
  charged for both.
* codecarbon swallows its own errors (``@suppress(Exception)``), so we check what
  it returns; if measuring fails the work still completes and the report says
  ``"not measured"`` with the reason — never an invented number.
* Every run is appended to the :mod:`core.ledger`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from core.ledger import Ledger, LedgerRow, LedgerUnavailable, config_to_json
from core.paths import data_dir

COUNTRY_ENV = "DLLAB_CARBON_COUNTRY"
# Default grid: the US average, the grid Strubell et al. (2019) used, so our runs sit
# comparably beside the published figures. Set DLLAB_CARBON_COUNTRY to change it.
DEFAULT_COUNTRY = "USA"

_RUN_LOCK = threading.Lock()

METHODS = {
    "intel_rapl": "measured: CPU energy from Intel RAPL counters",
    "cpu_load": "estimated: CPU power = TDP x CPU load (no RAPL on this machine)",
    "constant": "estimated: CPU power = constant share of TDP (no RAPL, no load data)",
}
RAM_ASSUMPTION = "estimated: RAM power is codecarbon's fixed figure per installed GiB (not measured)"


@dataclass(frozen=True)
class CarbonReport:
    """What one measured run cost.

    Attributes:
        status: ``"measured"`` or ``"not measured"`` (then energy/emissions are None).
        energy_kwh: electrical energy of the whole machine during the run, kWh.
        emissions_kg: energy x grid intensity, kg CO2e.
        duration_s: wall time of the run, seconds (always known).
        country: ISO-3166 alpha-3 code of the grid used, e.g. ``"USA"``.
        intensity_g_per_kwh: grid carbon intensity used, g CO2e per kWh.
        method: how CPU power was obtained (see ``METHODS``), or why nothing was.
        assumptions: every assumption the numbers rest on, one sentence each.
        cpu_power_w, ram_power_w: average power codecarbon attributed, watts.
        hardware: CPU model and count as codecarbon saw them.
    """

    status: str
    duration_s: float
    method: str
    country: str = ""
    energy_kwh: float | None = None
    emissions_kg: float | None = None
    intensity_g_per_kwh: float | None = None
    cpu_power_w: float | None = None
    ram_power_w: float | None = None
    hardware: str = ""
    assumptions: tuple[str, ...] = ()

    @property
    def is_measured(self) -> bool:
        return self.status == "measured"

    @property
    def is_estimate(self) -> bool:
        """True when any part of the energy figure is a model, not a meter reading."""
        return self.is_measured and (
            self.method.startswith("estimated") or any(a.startswith("estimated") for a in self.assumptions)
        )

    def summary(self) -> str:
        """One line, e.g. ``0.0004 kWh, 0.15 g CO2e (estimated: ...; grid USA)``."""
        if not self.is_measured:
            return f"not measured ({self.method}); took {self.duration_s:.1f} s"
        return (
            f"{self.energy_kwh:.2e} kWh, {self.emissions_kg * 1000:.3g} g CO2e in {self.duration_s:.1f} s "
            f"({self.method}; grid {self.country} at {self.intensity_g_per_kwh:.0f} g/kWh)"
        )


@dataclass(frozen=True)
class LiveReading:
    """codecarbon's running totals part-way through a run (updated by its 1 s sampler).

    Attributes:
        elapsed_s: seconds since the run started.
        energy_kwh: energy of the whole machine so far, kWh (cumulative).
        power_w: power at the latest sample (CPU + RAM + GPU), watts.
    """

    elapsed_s: float
    energy_kwh: float
    power_w: float


@dataclass
class Measurement:
    """Handed out by :func:`measure`; ``report`` is set when the block exits.

    Put what the work achieved into ``metrics`` (e.g. ``test_acc``) before the block
    ends: it is stored with the run in the ledger.
    """

    demo: str
    label: str
    report: CarbonReport | None = None
    ledger_id: int | None = None
    ledger_error: str = ""
    metrics: dict = field(default_factory=dict)
    _tracker: object = field(default=None, repr=False)
    _t0: float = field(default=0.0, repr=False)

    def live(self) -> LiveReading | None:
        """Energy and power so far, or None when nothing is being measured.

        Reads the totals codecarbon's background sampler keeps (``_total_energy``,
        ``_cpu_power``...): attribute reads only, so calling it after every batch costs
        microseconds and never triggers a measurement. These are codecarbon internals,
        so anything unexpected means "no live reading", never a made-up one.
        """
        tracker = self._tracker
        if tracker is None:
            return None
        try:
            energy = float(tracker._total_energy.kWh)
            power = sum(
                float(getattr(tracker, name).W)
                for name in ("_cpu_power", "_ram_power", "_gpu_power")
                if getattr(tracker, name, None) is not None
            )
        except (AttributeError, TypeError, ValueError):
            return None
        return LiveReading(time.perf_counter() - self._t0, energy, power)


def country() -> str:
    """The grid whose intensity converts energy into emissions."""
    return (os.environ.get(COUNTRY_ENV) or DEFAULT_COUNTRY).upper()


def _new_tracker(country_iso: str):
    """codecarbon's offline tracker: no network, no files, 1 s sampling."""
    from codecarbon import OfflineEmissionsTracker

    logging.getLogger("codecarbon").setLevel(logging.ERROR)  # its __init__ logs before log_level applies

    return OfflineEmissionsTracker(
        country_iso_code=country_iso,
        output_methods=[],
        save_to_file=False,
        measure_power_secs=1,
        log_level="error",
        allow_multiple_runs=True,
    )


# Tests replace this to simulate a broken tracker.
tracker_factory: Callable[[str], object] = _new_tracker


@contextlib.contextmanager
def _serialised() -> Iterator[None]:
    """One measured run at a time: in this process (threads) and across processes (file lock)."""
    with _RUN_LOCK:
        try:
            handle = open(data_dir() / "carbon.lock", "a+")
        except OSError:  # read-only or missing data dir: the in-process lock still holds
            handle = None
        try:
            if handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            if handle:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


def _start(country_iso: str):
    """Start a tracker; returns (tracker, None) or (None, reason)."""
    try:
        tracker = tracker_factory(country_iso)
        tracker.start()
        return tracker, None
    except Exception as err:  # codecarbon or hardware probing failed: measure nothing, say why
        return None, f"tracker failed to start: {type(err).__name__}: {err}"


def _stop(tracker, duration_s: float, country_iso: str, error: str | None) -> CarbonReport:
    """Stop the tracker and turn what it returns into a report (or an honest 'not measured')."""
    if tracker is None:
        return CarbonReport("not measured", duration_s, error or "no tracker")
    try:
        emissions = tracker.stop()
        data = tracker.final_emissions_data
    except Exception as err:
        return CarbonReport("not measured", duration_s, f"tracker failed to stop: {type(err).__name__}: {err}")
    if emissions is None or data is None or data.energy_consumed is None:
        return CarbonReport("not measured", duration_s, "codecarbon returned no data (it swallows its own errors)")
    energy = float(data.energy_consumed)
    if energy <= 0:  # a run shorter than one sample: nothing was metered, so say so
        return CarbonReport("not measured", duration_s, "run too short for codecarbon's 1 s sampling")
    try:
        return _report_from(data, float(emissions), energy, duration_s, _cpu_mode(tracker), country_iso)
    except (TypeError, ValueError) as err:  # a field codecarbon left empty: no invented numbers
        return CarbonReport("not measured", duration_s, f"codecarbon returned incomplete data ({err})")


def _report_from(
    data, emissions: float, energy: float, duration_s: float, cpu_mode: str, country_iso: str
) -> CarbonReport:
    # An unknown mode is labelled an estimate: only RAPL (or a GPU meter) is a measurement.
    method = METHODS.get(cpu_mode, f"estimated: codecarbon CPU mode '{cpu_mode}'")
    intensity = emissions / energy * 1000.0
    assumptions = (
        method,
        RAM_ASSUMPTION,
        f"grid intensity of {data.country_name} ({data.country_iso_code}) from codecarbon's data, "
        f"{intensity:.0f} g CO2e/kWh",
        f"PUE {data.pue:g} (no data-centre overhead counted)",
        f"tracking mode '{data.tracking_mode}': the whole machine is counted, not just this process",
    )
    return CarbonReport(
        status="measured",
        duration_s=duration_s,
        method=method,
        country=data.country_iso_code or country_iso,
        energy_kwh=energy,
        emissions_kg=emissions,
        intensity_g_per_kwh=intensity,
        cpu_power_w=float(data.cpu_power),
        ram_power_w=float(data.ram_power),
        hardware=f"{data.cpu_count} x {data.cpu_model}",
        assumptions=assumptions,
    )


def _cpu_mode(tracker) -> str:
    for hw in getattr(tracker, "_hardware", []):
        if type(hw).__name__ == "CPU":
            return str(getattr(hw, "_mode", "unknown"))
    return "unknown"


@contextlib.contextmanager
def measure(
    demo: str, label: str, config=None, seed: int | None = None, ledger: Ledger | None = None
) -> Iterator[Measurement]:
    """Measure the energy/CO2 of the ``with`` block and append it to the ledger.

    Args:
        demo: which demo ran it (ledger grouping), e.g. ``"adversarial"``.
        label: what ran, e.g. ``"SmallCNN on Fashion-MNIST 10k, 3 epochs"``.
        config: the run's config dataclass or dict (stored as JSON).
        seed: the run's seed, if any.
        ledger: where to record it (default: the lab's ledger).

    Yields:
        a :class:`Measurement`; its ``report`` is set when the block exits without
        an exception. If the tracker fails, the block still runs and the report
        says ``"not measured"``. If the ledger is unavailable, ``ledger_error`` says why.
    """
    measurement = Measurement(demo, label)
    country_iso = country()
    with _serialised():
        tracker, error = _start(country_iso)
        t0 = time.perf_counter()
        measurement._tracker, measurement._t0 = tracker, t0
        try:
            yield measurement
        except BaseException:
            if tracker is not None:
                with contextlib.suppress(Exception):
                    tracker.stop()
            raise
        measurement.report = _stop(tracker, time.perf_counter() - t0, country_iso, error)
        measurement._tracker = None
    report = measurement.report
    row = LedgerRow(
        demo=demo,
        label=label,
        config_json=config_to_json(config) if config is not None else "{}",
        seed=seed,
        duration_s=report.duration_s,
        energy_kwh=report.energy_kwh,
        emissions_kg=report.emissions_kg,
        country=report.country or country_iso,
        intensity_g_per_kwh=report.intensity_g_per_kwh,
        method=report.method,
        status=report.status,
        metrics_json=config_to_json(measurement.metrics),
    )
    try:
        measurement.ledger_id = (ledger or Ledger()).append(row)
    except LedgerUnavailable as err:
        measurement.ledger_error = str(err)


def active_method(wait: bool = True) -> str | None:
    """Which CPU power method codecarbon uses on this machine.

    The first call probes the hardware (~1.5 s). With ``wait=False`` it returns
    None instead of waiting while that probe has not finished yet.
    """
    if not wait and _probe_result is None:
        return None
    mode, error = _probe()
    return METHODS.get(
        mode, f"unavailable: {error}" if mode == "unavailable" else f"estimated: codecarbon CPU mode '{mode}'"
    )


_probe_result: tuple[str, str] | None = None
_probe_lock = threading.Lock()


def _probe() -> tuple[str, str]:
    """Start and stop one tracker (codecarbon's ~1.5 s hardware probe), once per process."""
    global _probe_result
    with _probe_lock:
        if _probe_result is None:
            with _serialised():
                tracker, error = _start(country())
                if tracker is None:
                    _probe_result = ("unavailable", error or "")
                else:
                    mode = _cpu_mode(tracker)
                    with contextlib.suppress(Exception):
                        tracker.stop()
                    _probe_result = (mode, "")
        return _probe_result


def warm_up_in_background() -> threading.Thread:
    """Pay codecarbon's first-start hardware probe now, off the caller's thread.

    The first ``tracker.start()`` in a process takes ~1.5 s (it probes CPU, RAM and
    GPUs); later ones take milliseconds. The app calls this at server start so the
    first live demo does not pay it.
    """
    thread = threading.Thread(target=_probe, name="codecarbon-warm-up", daemon=True)
    thread.start()
    return thread
