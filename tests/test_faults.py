"""Faults a hosted demo meets: the app keeps working, says what is degraded, and loses no ledger row.

* the carbon tracker raising (codecarbon cannot start),
* the ledger's disk read-only or full,
* a corrupt ledger file,
* the server killed with ``kill -9`` in the middle of a training, then restarted.

Read-only and full disks are tested twice. *Real*: a tmpfs mounted read-only, or mounted small
and filled to the last byte (needs the right to mount, which root has on this VM; skipped with
a reason elsewhere — chmod is no test, root writes through it). *Simulated* (runs everywhere):
inside ``core.ledger`` only, sqlite3 opens the file with ``mode=ro`` (SQLite itself then refuses
every write, as on a read-only disk), or raises ``OperationalError("database or disk is full")``
— the exact error SQLite gives on ENOSPC — when the row is inserted.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import carbon, database
from core.demos import all_pages
from core.ledger import LEDGER_FILE, Ledger, LedgerRow
from tests.test_ledger import FakeTracker
from tests.test_pages import APP, assert_clean

SEEDED = 3  # ledger rows written before each fault


def seed_ledger(path: Path, n: int = SEEDED) -> list[str]:
    """Write ``n`` measured rows through the real API; returns their labels."""
    ledger = Ledger(path)
    labels = [f"seeded run {i}" for i in range(n)]
    for i, label in enumerate(labels):
        ledger.append(
            LedgerRow(
                demo="faults",
                label=label,
                config_json="{}",
                seed=i,
                duration_s=1.0 + i,
                energy_kwh=1e-3 * (i + 1),
                emissions_kg=4e-4 * (i + 1),
                country="USA",
                intensity_g_per_kwh=400.0,
                method="estimated: test",
                status="measured",
                metrics_json='{"test_acc": 0.5}',
            )
        )
    return labels


# The CO2 page lists the ledger's rows on its "This lab's runs" tab (the page is in tabs since issue #13).
RUNS_TAB = {"carbon.tab": "This lab's runs"}
RUNS_TAB_QUERY = "carbon.tab=This+lab%27s+runs"


def page(path: str, timeout: float = 60, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query)
    at.switch_page(path)
    return at.run()


def texts(at: AppTest) -> str:
    """Everything a user reads: markdown, captions, alerts, metrics (main area and sidebar)."""
    parts = [
        e.value for kind in ("markdown", "caption", "warning", "info", "error", "success") for e in getattr(at, kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


def sidebar_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.sidebar.warning]


def record_a_run() -> carbon.Measurement:
    """What every demo does after training: carbon.measure appends one row to the default ledger."""
    with carbon.measure("faults", "run after the fault") as m:
        pass
    return m


# ----------------------------------------------------------------------------- the tracker raising


def test_home_says_the_carbon_method_is_unavailable_when_the_tracker_raises(data_dir, monkeypatch):
    def broken(country):
        raise RuntimeError("no power sensors")

    monkeypatch.setattr(carbon, "tracker_factory", broken)
    monkeypatch.setattr(carbon, "_probe_result", None)
    carbon.active_method()  # the server's start-up probe, with the broken tracker
    seed_ledger(data_dir / LEDGER_FILE)
    at = page("pages/home.py")
    assert_clean(at)
    shown = texts(at)
    assert "Method:** unavailable: tracker failed to start: RuntimeError: no power sensors" in shown
    assert "Training runs measured 3" in shown  # the ledger is still read
    m = record_a_run()
    assert m.report.status == "not measured" and m.ledger_id is not None  # recorded as not measured


# (The CO2 page with a raising tracker, trained end to end, is in tests/test_page_carbon.py;
#  the combined fault "tracker raising + corrupt ledger" is trained end to end below.)


# ----------------------------------------------------------------------------- read-only and full disks


@functools.cache
def mount_problem() -> str:
    """'' if this process may mount a tmpfs, else why not (the real-disk variants then skip)."""
    probe = Path(f"/tmp/dllab-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True, text=True, timeout=10
        )
        if result.returncode:
            return f"cannot mount a tmpfs here ({result.stderr.strip() or result.returncode})"
        subprocess.run(["umount", str(probe)], check=True, timeout=10)
        return ""
    except (OSError, subprocess.SubprocessError) as err:
        return f"cannot mount a tmpfs here ({err})"
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True, timeout=10)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, timeout=10)


def fill(folder: Path) -> int:
    """Write a filler file until the disk is full; returns the bytes written."""
    written, block = 0, b"\0" * 4096
    with open(folder / "filler", "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(block)
            except OSError as err:
                assert err.errno == errno.ENOSPC, err
                return written


class _SqliteProxy:
    """Stands in for the sqlite3 module inside core.database only; everything but ``connect`` is the real one."""

    def __init__(self, connect):
        self.connect = connect

    def __getattr__(self, name):
        return getattr(sqlite3, name)


class _FullDiskCursor(sqlite3.Cursor):
    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")  # SQLite's own text for SQLITE_FULL
        return super().execute(sql, *args)


class _FullDiskConnection(sqlite3.Connection):
    def cursor(self, factory=_FullDiskCursor):
        return super().cursor(factory)


@contextlib.contextmanager
def disk(kind: str, how: str, folder: Path, monkeypatch):
    """Seed the ledger in ``folder``, then make its disk ``kind`` ("read-only" or "full"), really or simulated."""
    if how == "real":
        if mount_problem():
            pytest.skip(mount_problem())
        with tmpfs(folder, "256k"):
            seed_ledger(folder / LEDGER_FILE)
            if kind == "read-only":
                subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, timeout=10)
                with pytest.raises(OSError, match="Read-only file system"):  # the mount really is read-only
                    (folder / "probe").write_text("x")
            else:
                assert fill(folder) > 0
            yield
        return
    seed_ledger(folder / LEDGER_FILE)
    if kind == "read-only":
        connect = lambda path, **kw: sqlite3.connect(f"file:{path}?mode=ro", uri=True, **kw)  # noqa: E731
    else:
        connect = lambda path, **kw: sqlite3.connect(path, factory=_FullDiskConnection, **kw)  # noqa: E731
    monkeypatch.setattr(database, "sqlite3", _SqliteProxy(connect))
    yield


@pytest.mark.parametrize("how", ["real", "simulated"])
@pytest.mark.parametrize("kind", ["read-only", "full"])
def test_a_read_only_or_full_disk_keeps_every_row_readable_and_every_page_says_runs_are_not_recorded(
    data_dir, monkeypatch, kind, how
):
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    expected = {"read-only": "readonly database", "full": "database or disk is full"}[kind]
    with disk(kind, how, data_dir, monkeypatch):
        ledger = Ledger()
        before = ledger.rows()
        assert len(before) == SEEDED

        m = record_a_run()  # a demo finishes a training: measured, but the row cannot be written
        assert m.report.status == "measured" and m.ledger_id is None
        assert expected in m.ledger_error and str(ledger.path) in m.ledger_error
        assert ledger.write_problem() == m.ledger_error

        after = ledger.rows()
        assert after.equals(before)  # every earlier row is still there, unchanged
        for path in ("pages/home.py", "pages/carbon.py", "pages/word_embeddings.py"):
            at = page(path, **RUNS_TAB if path == "pages/carbon.py" else {})
            assert_clean(at)
            notice = " ".join(sidebar_warnings(at))
            assert "not being recorded" in notice and expected in notice, (path, notice)
            if path == "pages/home.py":
                assert "Training runs measured 3" in texts(at)  # reading still works
            if path == "pages/carbon.py":
                assert f"All {SEEDED} runs" in texts(at)  # the rows are listed...
                assert not any("ledger is unavailable" in w.value for w in at.warning)  # ...as readable
        if kind == "full" and how == "real":  # space comes back: the next run is recorded, the notice goes
            (data_dir / "filler").unlink()
            assert record_a_run().ledger_id == SEEDED + 1
            assert ledger.write_problem() == ""
            assert not sidebar_warnings(page("pages/home.py"))
            assert Ledger().rows()["label"].tolist()[:SEEDED] == before["label"].tolist()


def test_no_notice_while_the_ledger_takes_runs(data_dir, monkeypatch):
    """The notice is about a real failure: a healthy ledger shows none."""
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    seed_ledger(data_dir / LEDGER_FILE)
    assert record_a_run().ledger_id == SEEDED + 1
    assert not sidebar_warnings(page("pages/home.py"))


# ----------------------------------------------------------------------------- a corrupt ledger file


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(16_384))


def _garbage_after_the_header(path: Path) -> None:
    seed_ledger(path)
    data = bytearray(path.read_bytes())
    data[100:] = random.Random(7).randbytes(len(data) - 100)  # SQLite's 100-byte header survives, nothing else
    path.write_bytes(bytes(data))


def _table_page_overwritten(path: Path) -> None:
    """A sound file whose page holding the rows is garbage: opens fine, fails when read."""
    seed_ledger(path)
    with sqlite3.connect(path) as con:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = random.Random(7).randbytes(page_size)
    path.write_bytes(bytes(data))


CORRUPTIONS = {
    "random bytes": _random_bytes,
    "garbage after the header": _garbage_after_the_header,
    "rows page overwritten": _table_page_overwritten,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_ledger_is_reported_on_home_and_co2_and_left_untouched(data_dir, monkeypatch, corrupt):
    path = data_dir / LEDGER_FILE
    corrupt(path)
    damaged = path.read_bytes()
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    for page_path in ("pages/home.py", "pages/carbon.py"):
        at = page(page_path)
        assert_clean(at)
        unavailable = [w.value for w in at.warning if "carbon ledger is unavailable" in w.value]
        assert unavailable and str(path) in unavailable[0], (page_path, texts(at))
    m = record_a_run()
    assert m.report.status == "measured" and m.ledger_id is None and str(path) in m.ledger_error
    assert "not being recorded" in " ".join(sidebar_warnings(page("pages/home.py")))
    assert path.read_bytes() == damaged  # never "repaired" by deleting: an admin can still recover it


def test_every_page_renders_with_a_corrupt_ledger(data_dir):
    _random_bytes(data_dir / LEDGER_FILE)
    for demo in all_pages():
        at = page(demo.page_path)
        assert_clean(at)
        assert at.title, demo.slug


QUICK = "Quick (S, 1 epoch, 2k images)"


def test_training_with_a_raising_tracker_and_a_corrupt_ledger_completes_and_says_both(data_dir, monkeypatch):
    """The worst case of a live run: nothing can be measured and nothing recorded; the model still trains."""

    def broken(country):
        raise RuntimeError("no power sensors")

    monkeypatch.setattr(carbon, "tracker_factory", broken)
    _random_bytes(data_dir / LEDGER_FILE)
    at = page("pages/carbon.py", timeout=180, seed="13")  # a seed no other test trains: no cached result
    next(b for b in at.button if b.label == QUICK).click().run()
    next(b for b in at.button if b.label == "Train and measure").click().run()
    assert_clean(at)
    not_measured = [w.value for w in at.warning if "Not measured" in w.value]
    assert not_measured and "no power sensors" in not_measured[0] and "test accuracy" in not_measured[0]
    assert any("carbon ledger is unavailable" in w.value for w in at.warning)
    assert "not being recorded" in " ".join(sidebar_warnings(at))


# ----------------------------------------------------------------------------- kill -9 mid-training, then restart

LECTURE = "Lecture (M, 2 epochs, 8k images)"


@pytest.mark.browser
def test_a_server_killed_mid_training_restarts_with_every_earlier_row(tmp_path):
    """Browser-driven: a training is running when the server gets SIGKILL; the restarted server on the same
    data dir serves every page, lists every earlier row, and records the next run."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
    from tests.browser import CHROMIUM, CHROMIUM_FLAGS, lab_server, wait_until_rendered

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    data = tmp_path / "lab"
    data.mkdir()
    labels = seed_ledger(data / LEDGER_FILE)
    before = Ledger(data / LEDGER_FILE).rows()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            with lab_server(data) as (base, proc, _):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{base}/carbon?seed=21", timeout=60000)
                wait_until_rendered(page)
                page.get_by_role("button", name=LECTURE).click()
                wait_until_rendered(page)
                page.get_by_role("button", name="Train and measure").click()
                # the progress bar says "Training <workload>: step i/n" after each batch: it is mid-training
                page.wait_for_function(
                    "() => { const m = document.body.innerText.match(/Training .*: step (\\d+)\\/\\d+/);"
                    " return m && Number(m[1]) >= 20; }",
                    timeout=90000,
                )
                progress = page.locator('[data-testid="stProgress"]').inner_text()
                proc.kill()  # SIGKILL: no handler runs, nothing is flushed
                assert proc.wait(timeout=10) == -9
                page.close()
            step, total = map(int, progress.rsplit("step", 1)[1].split("/"))
            assert 0 < step < total, progress  # it really was in the middle

            after_kill = Ledger(data / LEDGER_FILE).rows()
            assert after_kill.equals(before)  # every earlier row, unchanged; the killed run left no half row
            with sqlite3.connect(data / LEDGER_FILE) as con:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

            t0 = time.perf_counter()
            with lab_server(data) as (base, proc, health_s):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{base}/carbon?seed=21&{RUNS_TAB_QUERY}", timeout=60000)
                wait_until_rendered(page)
                restart_s = time.perf_counter() - t0
                body = page.locator("body").inner_text()
                assert f"All {SEEDED} runs" in body and page.locator('[data-testid="stException"]').count() == 0
                assert "not being recorded" not in body and "ledger is unavailable" not in body
                # the lab still records: a quick run after the restart becomes row SEEDED + 1
                page.goto(f"{base}/carbon?seed=21", timeout=60000)
                wait_until_rendered(page)
                page.get_by_role("button", name=QUICK).click()
                wait_until_rendered(page)
                page.get_by_role("button", name="Train and measure").click()
                page.wait_for_function(
                    "() => /Average power|Not measured/.test(document.body.innerText)", timeout=120000
                )
                page.goto(f"{base}/carbon?seed=21&{RUNS_TAB_QUERY}", timeout=60000)
                page.wait_for_function(
                    f"() => document.body.innerText.includes('All {SEEDED + 1} runs')", timeout=120000
                )
                for demo in all_pages():
                    page.goto(f"{base}/{'' if demo.slug == 'home' else demo.slug}", timeout=60000)
                    wait_until_rendered(page)
                    assert page.locator('[data-testid="stException"]').count() == 0, demo.slug
                page.close()
        finally:
            browser.close()
    rows = Ledger(data / LEDGER_FILE).rows()
    assert rows["label"].tolist()[:SEEDED] == labels and len(rows) == SEEDED + 1
    assert rows.iloc[:SEEDED].equals(before)
    print(
        f"\nkill -9 at step {step}/{total}; restart to health {health_s:.1f} s, to the CO2 page drawn "
        f"{restart_s:.1f} s; rows before {len(before)}, after the kill {len(after_kill)}, after a new run {len(rows)}"
    )
