"""Carbon measurement and the ledger: honest labels, failure modes, atomicity — on both engines.

Every test that takes the ``ledger`` fixture runs twice: on an SQLite file and on a fresh database of a
throwaway PostgreSQL server (deploy/scale_out/local.py). PostgreSQL's own faults are in tests/test_database.py.
"""

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from types import SimpleNamespace

import pytest

from core import carbon
from core.ledger import Ledger, LedgerRow, LedgerUnavailable


class FakeTracker:
    """Stands in for codecarbon: 2 Wh at 0.5 kg/kWh, CPU power estimated from load."""

    def __init__(self, fail_on=None, stop_returns=1e-3):
        self.fail_on, self.stop_returns = fail_on, stop_returns
        self._hardware = [type("CPU", (), {"_mode": "cpu_load"})()]
        self.final_emissions_data = SimpleNamespace(
            energy_consumed=2e-3,
            cpu_power=10.0,
            ram_power=5.0,
            country_name="France",
            country_iso_code="FRA",
            pue=1.0,
            tracking_mode="machine",
            cpu_count=2,
            cpu_model="Test CPU",
        )

    def start(self):
        if self.fail_on == "start":
            raise RuntimeError("no sensors")

    def stop(self):
        if self.fail_on == "stop":
            raise RuntimeError("sensor vanished")
        return self.stop_returns


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """The ledger's engine under test, as a way to open a ledger: ``open_ledger() -> Ledger``."""
    return request.param


@pytest.fixture
def open_ledger(engine, request, tmp_path):
    """Opens the test's ledger (a new Ledger object each call, the same table), on the engine under test."""
    if engine == "sqlite":
        return lambda: Ledger(tmp_path / "ledger.sqlite3")
    url = request.getfixturevalue("postgres_url")
    return lambda: Ledger(url=url)


@pytest.fixture
def ledger(open_ledger):
    return open_ledger()


def row(**kw):
    base = dict(
        demo="d",
        label="l",
        config_json="{}",
        seed=0,
        duration_s=1.0,
        energy_kwh=1e-3,
        emissions_kg=2e-4,
        country="USA",
        intensity_g_per_kwh=200.0,
        method="estimated: x",
        status="measured",
    )
    return LedgerRow(**{**base, **kw})


def test_report_from_tracker_is_labelled_and_ledgered(monkeypatch, ledger):
    monkeypatch.setattr(carbon, "tracker_factory", lambda country: FakeTracker())
    with carbon.measure("demo", "run", config={"lr": 1}, seed=4, ledger=ledger) as m:
        pass
    r = m.report
    assert r.status == "measured" and r.energy_kwh == 2e-3 and r.emissions_kg == 1e-3
    assert r.intensity_g_per_kwh == pytest.approx(500.0)  # 1e-3 kg / 2e-3 kWh
    assert r.method.startswith("estimated") and r.is_estimate
    assert any("RAM" in a for a in r.assumptions) and r.country == "FRA"
    assert ledger.totals()["methods"] == [r.method] and ledger.totals()["countries"] == ["FRA"]
    rows = ledger.rows()
    assert rows.loc[0, "demo"] == "demo" and rows.loc[0, "seed"] == 4 and m.ledger_id == 1


@pytest.mark.parametrize("fail_on, stop_returns", [("start", 1e-3), ("stop", 1e-3), (None, None)])
def test_failing_tracker_leaves_work_done_and_says_not_measured(monkeypatch, ledger, fail_on, stop_returns):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker(fail_on, stop_returns))
    done = []
    with carbon.measure("demo", "run", ledger=ledger) as m:
        done.append(True)
    assert done and m.report.status == "not measured"
    assert m.report.energy_kwh is None and m.report.emissions_kg is None  # never an invented number
    assert "not measured" in m.report.summary()
    assert ledger.rows().loc[0, "status"] == "not measured"


def test_tracker_constructor_raising_is_not_measured(monkeypatch, ledger):
    def broken(country):
        raise OSError("codecarbon could not read /proc")

    monkeypatch.setattr(carbon, "tracker_factory", broken)
    with carbon.measure("demo", "run", ledger=ledger) as m:
        pass
    assert m.report.status == "not measured" and "codecarbon could not read" in m.report.method


def test_exception_in_block_propagates_and_records_nothing(monkeypatch, ledger):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    with pytest.raises(ZeroDivisionError):
        with carbon.measure("demo", "run", ledger=ledger):
            _ = 1 / 0
    assert len(ledger.rows()) == 0


def test_runs_are_serialised_across_threads(monkeypatch, ledger):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    spans = []

    def work():
        with carbon.measure("demo", "run", ledger=ledger):
            t0 = time.perf_counter()
            time.sleep(0.15)
            spans.append((t0, time.perf_counter()))

    threads = [threading.Thread(target=work) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    spans.sort()
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert len(ledger.rows()) == 3


def test_real_codecarbon_offline_tracker_measures_and_labels_its_method(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")  # about the tracker, not the engine: once is enough
    with carbon.measure("test", "busy loop", ledger=ledger) as m:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 1.2:
            pass
    r = m.report
    assert r.status == "measured", r.method
    assert r.energy_kwh > 0 and r.emissions_kg > 0 and r.intensity_g_per_kwh > 0
    assert r.method.startswith(("measured", "estimated"))
    assert r.country == carbon.country()


def test_totals_equal_the_sum_of_measured_rows(ledger):
    for e in (1e-3, 2e-3, 4e-3):
        ledger.append(row(energy_kwh=e, emissions_kg=e / 2, demo="a" if e < 3e-3 else "b"))
    ledger.append(row(energy_kwh=None, emissions_kg=None, status="not measured"))
    t = ledger.totals()
    assert t["runs"] == 4 and t["measured_runs"] == 3
    assert t["energy_kwh"] == pytest.approx(7e-3) and t["emissions_kg"] == pytest.approx(3.5e-3)
    assert t["per_demo"]["a"]["energy_kwh"] == pytest.approx(3e-3)


def test_corrupt_ledger_file_raises_a_clear_error(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerUnavailable, match="cannot be"):
        Ledger(path).rows()
    with pytest.raises(LedgerUnavailable):
        Ledger(path).append(row())


def test_unwritable_ledger_does_not_break_a_measured_run(monkeypatch, tmp_path):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    target = tmp_path / "is_a_dir.sqlite3"
    target.mkdir()  # sqlite cannot open a directory as a database, even as root
    with carbon.measure("demo", "run", ledger=Ledger(target)) as m:
        pass
    assert (
        m.report.status == "measured"
        and m.ledger_id is None
        and "ledger" in m.ledger_error
        and str(target) in m.ledger_error
    )


# A transaction left open by a process about to be killed: one row half-written, one earlier row deleted.
_HALF_WRITE = {
    "sqlite": """
        import sqlite3, sys, time
        con = sqlite3.connect(sys.argv[1])
        con.execute("BEGIN")
        con.execute("INSERT INTO runs (demo, label, status) VALUES ('x', 'half-written', 'measured')")
        con.execute("DELETE FROM runs WHERE label = 'run 0'")  # a write that must not survive
        print("in transaction", flush=True)
        time.sleep(60)
    """,
    "postgresql": """
        import sys, time
        import psycopg
        con = psycopg.connect(sys.argv[1])  # psycopg opens a transaction at the first statement
        con.execute("INSERT INTO runs (demo, label, status) VALUES ('x', 'half-written', 'measured')")
        con.execute("DELETE FROM runs WHERE label = 'run 0'")
        print("in transaction", flush=True)
        time.sleep(60)
    """,
}


def test_kill_during_a_write_loses_no_earlier_row(engine, open_ledger):
    """A process killed with SIGKILL in the middle of a transaction: earlier rows survive, the ledger is sound."""
    ledger = open_ledger()
    for i in range(3):
        ledger.append(row(label=f"run {i}"))
    target = str(ledger.path) if engine == "sqlite" else ledger.engine.url
    script = textwrap.dedent(_HALF_WRITE[engine])
    proc = subprocess.Popen([sys.executable, "-c", script, target], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "in transaction"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert open_ledger().rows()["label"].tolist() == ["run 0", "run 1", "run 2"]
    if engine == "sqlite":
        assert sqlite3.connect(ledger.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ledger.append(row(label="after the crash"))
    assert len(open_ledger().rows()) == 4


def test_concurrent_appends_from_two_processes_all_land_once(engine, open_ledger):
    """Two server processes appending at the same time: every row lands, once, with its own id."""
    ledger = open_ledger()
    ledger.totals()  # create the table first, as a running server would have
    target = f"path={str(ledger.path)!r}" if engine == "sqlite" else f"url={ledger.engine.url!r}"
    script = textwrap.dedent(f"""
        import sys
        from core.ledger import Ledger, LedgerRow
        ledger = Ledger({target})
        print("ready", flush=True)
        sys.stdin.readline()  # both start appending together
        for i in range(40):
            ledger.append(LedgerRow("d", f"{{sys.argv[1]}} {{i}}", "{{}}", 0, 1.0, 1e-3, 2e-4, "USA", 200.0, "m",
                                    "measured"))
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    assert [p.stdout.readline().strip() for p in procs] == ["ready", "ready"]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    rows = open_ledger().rows()
    assert sorted(rows["label"]) == sorted(f"{name} {i}" for name in "ab" for i in range(40))
    assert rows["id"].is_unique and rows["run_id"].is_unique


def test_unknown_cpu_mode_is_labelled_an_estimate(monkeypatch, ledger):
    tracker = FakeTracker()
    tracker._hardware = [type("CPU", (), {"_mode": "some_future_mode"})()]
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: tracker)
    with carbon.measure("demo", "run", ledger=ledger) as m:
        pass
    assert m.report.method.startswith("estimated") and m.report.is_estimate


@pytest.mark.parametrize(
    "field, value, reason", [("energy_consumed", 0.0, "too short"), ("cpu_power", None, "incomplete")]
)
def test_zero_or_incomplete_data_is_not_measured(monkeypatch, ledger, field, value, reason):
    tracker = FakeTracker()
    setattr(tracker.final_emissions_data, field, value)
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: tracker)
    with carbon.measure("demo", "run", ledger=ledger) as m:
        pass
    assert m.report.status == "not measured" and reason in m.report.method
    assert "not measured" in m.report.summary()


def test_unwritable_data_dir_is_a_clear_ledger_error(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DLLAB_DATA_DIR", str(blocker / "lab"))
    with pytest.raises(LedgerUnavailable, match="DLLAB_DATA_DIR"):
        Ledger()
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    with carbon.measure("demo", "run") as m:  # the run still completes and is reported
        pass
    assert m.report.status == "measured" and "DLLAB_DATA_DIR" in m.ledger_error


def test_live_reading_reports_the_trackers_running_totals(monkeypatch, ledger):
    tracker = FakeTracker()
    tracker._total_energy = SimpleNamespace(kWh=1e-4)
    tracker._cpu_power, tracker._ram_power = SimpleNamespace(W=12.0), SimpleNamespace(W=3.0)
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: tracker)
    with carbon.measure("demo", "run", ledger=ledger) as m:
        first = m.live()
        tracker._total_energy = SimpleNamespace(kWh=3e-4)
        second = m.live()
    assert (first.energy_kwh, first.power_w) == (1e-4, 15.0)  # CPU + RAM; no GPU attribute
    assert second.energy_kwh == 3e-4 and second.elapsed_s >= first.elapsed_s >= 0
    assert m.live() is None  # after the block nothing is being measured


def test_live_reading_is_none_when_the_tracker_lacks_the_totals(monkeypatch, ledger):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())  # no _total_energy: internals changed
    with carbon.measure("demo", "run", ledger=ledger) as m:
        assert m.live() is None
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker(fail_on="start"))
    with carbon.measure("demo", "run", ledger=ledger) as m:
        assert m.live() is None


def test_metrics_are_stored_with_the_run(monkeypatch, ledger):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    with carbon.measure("demo", "run", ledger=ledger) as m:
        m.metrics["test_acc"] = 0.875
    assert ledger.rows().loc[0, "metrics_json"] == '{"test_acc": 0.875}'


# The table as the lab wrote it before metrics_json and run_id existed.
_OLD_TABLE = (
    "CREATE TABLE runs (id {id}, demo TEXT, label TEXT, config_json TEXT, seed INTEGER, duration_s REAL, "
    "energy_kwh REAL, emissions_kg REAL, country TEXT, intensity_g_per_kwh REAL, method TEXT, status TEXT, "
    "started_utc TEXT)"
)
_OLD_ROW = (
    "INSERT INTO runs (demo, label, config_json, seed, duration_s, energy_kwh, emissions_kg, country, "
    "intensity_g_per_kwh, method, status, started_utc) VALUES "
    "('old', 'l', '{}', 0, 1.0, 0.001, 0.0002, 'USA', 200.0, 'estimated: x', 'measured', 't')"
)


def test_a_ledger_from_an_older_version_gains_new_columns_and_keeps_its_rows(engine, open_ledger):
    old = open_ledger()
    if engine == "sqlite":
        with sqlite3.connect(old.path) as con:
            con.execute(_OLD_TABLE.format(id="INTEGER PRIMARY KEY AUTOINCREMENT"))
            con.execute(_OLD_ROW)
    else:
        import psycopg

        with psycopg.connect(old.engine.url) as con:
            con.execute(_OLD_TABLE.format(id="SERIAL PRIMARY KEY"))
            con.execute(_OLD_ROW)
    old.append(row(metrics_json='{"test_acc": 0.5}'))
    old.append(row(label="second new"))  # the old row's empty run_id does not collide with new ones
    rows = open_ledger().rows()
    assert list(rows["demo"]) == ["old", "d", "d"]
    assert rows.loc[0, "metrics_json"] == "{}" and rows.loc[1, "metrics_json"] == '{"test_acc": 0.5}'
    assert rows["run_id"].isna().tolist() == [True, False, False]
    assert old.totals()["energy_kwh"] == pytest.approx(3e-3)
