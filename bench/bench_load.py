"""Load: N concurrent browser sessions use the demos at once — ``python bench/bench_load.py [--sessions 20]``.

Issue #7 (hosted-demo readiness). One fresh ``streamlit run app.py`` on loopback (a temporary
``DLLAB_DATA_DIR``), one headless Chromium (Debian's /usr/bin/chromium) with N browser contexts:
N separate Streamlit sessions, driven concurrently from one asyncio event loop. Every session:

1. opens the CO2 page (``/carbon``) and clicks the preset "Quick (S, 1 epoch, 2k images)";
2. waits at a barrier until every session is there, then all click "Train and measure" at once:
   the page keeps one ``SharedRuns`` per server, so one session trains and the others wait for
   it; each must then show the result (an "Energy" metric, or the "Not measured" warning);
3. uses three more demos as a student would, through the sidebar navigation (one session, no
   reload): word embeddings (open, untick "exclude the inputs"), Clever Hans (open, click a
   preset), smiling mugshots (open, click a preset). Their training buttons are not clicked.

Each interaction is timed from the click (or navigation) until the page is finished again: the
interaction's own result is visible (URL parameter, title, metric), then Streamlit's
"running" widget and every skeleton are gone and stay gone for 0.5 s (``tests/browser.py``'s
rule; the time is when the finished page was first seen). The server's RSS (its process tree)
is sampled every 0.25 s. Afterwards the ledger must hold exactly one row for the preset, and no
page may have shown an exception or the shell's "unexpected error" message.

The browser runs on the same 2 cores as the server, so the latencies under load include the
client's own rendering work: they are an upper bound for what remote users would see.

Then the same with 1 session on a fresh server (the single-user baseline), and a markdown table.
Results: bench/RESULTS.md. ``tests/test_load.py`` runs this driver with 5 sessions on the CO2 page
and asserts what must hold at any load (one training, every session served, no error, RSS bound).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.demos import all_pages  # noqa: E402
from core.ledger import LEDGER_FILE, Ledger  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, lab_server  # noqa: E402

QUICK = "Quick (S, 1 epoch, 2k images)"
# core.demos.carbon.workloads.PRESETS[QUICK].describe() starts so; written out to keep torch out of this process
TRAINING_LABEL = "live run: SmallCNN(8,16,h32)"
TITLES = {d.slug: d.title for d in all_pages()}
IDLE_JS = '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')'
RESULT_JS = (
    "() => [...document.querySelectorAll('[data-testid=\"stMetricLabel\"]')]"
    ".some(e => e.innerText.trim() === 'Energy') || document.body.innerText.includes('Not measured:')"
)
VIEWPORT = {"width": 1280, "height": 900}
# Off-screen tabs would still animate Streamlit's "running" icon and skeleton shimmer at full frame rate,
# each on the same 2 cores as the server; a student's laptop animates only its own tab.
STILL_JS = (
    "document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style'); "
    "s.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; }'; "
    "document.head.appendChild(s); });"
)
ERROR_TEXT = "hit an unexpected error"  # ui.shell.run_app's last line of defence
ERROR_JS = (
    "() => { if (document.querySelector('[data-testid=\"stException\"]')) return 'an exception'; "
    "const alert = [...document.querySelectorAll('[data-testid=\"stAlert\"]')]"
    f".find(e => e.innerText.includes({ERROR_TEXT!r})); "
    "return alert ? alert.innerText.split('.')[0] : ''; }"
)
# Interactions in the order a session does them (names are the table's columns).
KINDS = (
    "open CO2 page",
    "click preset",
    "train (shared)",
    "open word embeddings",
    "toggle exclusion",
    "open Clever Hans",
    "Clever Hans preset",
    "open mugshots",
    "mugshots preset",
)


@dataclass
class SessionLog:
    """What one browser session did and saw."""

    index: int
    latencies: dict[str, float] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)  # perf_counter() at each interaction's start
    result: str = ""  # "Energy" or "Not measured": the shared training's result as this session saw it
    errors: list[str] = field(default_factory=list)  # exceptions shown, timeouts, failed steps
    js_errors: list[str] = field(default_factory=list)  # uncaught errors in the page's JavaScript
    finished: bool = False  # went through every step it was given (with or without errors)


@dataclass
class LoadResult:
    """The figures of one load run (see :func:`run_load`)."""

    sessions: int
    logs: list[SessionLog]
    trainings: int  # ledger rows of the preset: 1 when the sessions shared one training
    live_rows: int  # every "live run:" row (any workload)
    rss_start: int  # bytes, server tree right after /_stcore/health
    rss_peak: int
    rss_end: int
    wall_s: float  # from the first session's start to the last one's end (server start not included)
    server_alive: bool
    timed_out: bool
    server_cpu_s: float = 0.0  # CPU seconds of the server tree during the sessions
    browser_cpu_s: float = 0.0  # CPU seconds of Chromium and Playwright's driver (same 2 cores)
    other_cpu_s: float = 0.0  # CPU seconds the rest of the machine used meanwhile (other jobs skew latencies)
    cpu_by_kind: dict = field(default_factory=dict)  # server, browser, renderer, gpu-process, driver ...
    script_runs: list[float] = field(default_factory=list)  # seconds of each script run but the trainings, sorted
    train_runs: list[float] = field(default_factory=list)  # seconds of the runs a "Train" click started, sorted

    @property
    def errors(self) -> list[str]:
        return [f"session {log.index}: {e}" for log in self.logs for e in log.errors]

    @property
    def with_result(self) -> int:
        return sum(bool(log.result) for log in self.logs)

    def latencies(self, kind: str) -> list[float]:
        return sorted(log.latencies[kind] for log in self.logs if kind in log.latencies)

    def summary(self) -> dict[str, float]:
        """Flat figures (for pytest's record_property and the notes)."""
        out = {
            "sessions": self.sessions,
            "trainings": self.trainings,
            "sessions_with_result": self.with_result,
            "errors": len(self.errors),
            "rss_peak_mib": round(self.rss_peak / 2**20),
            "rss_start_mib": round(self.rss_start / 2**20),
            "wall_s": round(self.wall_s, 1),
            "server_cpu_s": round(self.server_cpu_s),
            "browser_cpu_s": round(self.browser_cpu_s),
            "other_cpu_s": round(self.other_cpu_s),
        }
        if self.script_runs:
            out["script run p50_s"] = round(percentile(self.script_runs, 50), 2)
            out["script run p95_s"] = round(percentile(self.script_runs, 95), 2)
        for kind in KINDS:
            values = self.latencies(kind)
            if values:
                out[f"{kind} p50_s"] = round(percentile(values, 50), 2)
                out[f"{kind} p95_s"] = round(percentile(values, 95), 2)
        return out


def deprioritise(proc: psutil.Process, niceness: int, server_pid: int) -> None:
    """Lower a process's CPU priority, and that of its scheduler autogroup if it has one of its own.

    Chromium runs in a session of its own (setsid), and with autogroups on (Linux's default) a
    process's nice value only counts within its session; between sessions the autogroup's nice value
    (/proc/PID/autogroup) counts. Playwright's driver shares the server's session: only its own nice
    value changes. Re-applied at every sample: Chromium resets its renderers to nice 0 or 5."""
    if proc.nice() != niceness:
        proc.nice(niceness)
    if os.getsid(proc.pid) in (os.getsid(0), os.getsid(server_pid)):
        return  # never the autogroup of this process or of the server
    autogroup = Path(f"/proc/{proc.pid}/autogroup")
    try:
        if autogroup.exists() and not autogroup.read_text().rstrip().endswith(f"nice {niceness}"):
            autogroup.write_text(str(niceness))
    except OSError:  # no autogroups in this kernel, or not allowed: the plain nice value still applies
        pass


def process_kind(cmdline: list[str]) -> str:
    """'renderer', 'gpu-process', 'utility', 'zygote' (Chromium's --type), 'browser' or 'driver'."""
    for arg in cmdline:
        if arg.startswith("--type="):
            return arg.split("=", 1)[1]
    return "browser" if cmdline and "chromium" in cmdline[0] else "driver"


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores, all processes) since boot."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, linear between closest ranks (numpy's default); one value is its own p95."""
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    pos = (len(values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


class RssSampler(threading.Thread):
    """Every ``every_s``: the resident memory of the server (a process and its children; the peak is
    kept) and the CPU seconds of every process this one started (the server and the browser).
    With ``browser_nice`` > 0 it also keeps every process but the server at that niceness."""

    def __init__(self, pid: int, every_s: float = 0.25, browser_nice: int = 0) -> None:
        super().__init__(daemon=True)
        self.root, self.every_s, self.browser_nice = psutil.Process(pid), every_s, browser_nice
        self.peak = self.last = 0
        self._cpu: dict[tuple[int, float], tuple[str, float]] = {}  # (pid, created) -> (kind, CPU seconds)
        self._kinds: dict[tuple[int, float], str] = {}
        self._halt = threading.Event()

    def sample(self) -> int:
        try:
            server = [self.root, *self.root.children(recursive=True)]
            self.last = sum(p.memory_info().rss for p in server)
        except psutil.Error:  # a child ended between listing and reading
            server = []
        self.peak = max(self.peak, self.last)
        ours = {p.pid for p in server}
        for proc in psutil.Process().children(recursive=True):
            try:
                key = (proc.pid, proc.create_time())
                if key not in self._kinds:
                    self._kinds[key] = "server" if proc.pid in ours else process_kind(proc.cmdline())
                t = proc.cpu_times()
                self._cpu[key] = (self._kinds[key], t.user + t.system)
                if self.browser_nice and self._kinds[key] != "server":
                    deprioritise(proc, self.browser_nice, self.root.pid)
            except psutil.Error:
                pass
        return self.last

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds so far per kind of process: server, browser, renderer, gpu-process, driver, ..."""
        out: dict[str, float] = {}
        for kind, cpu in self._cpu.values():
            out[kind] = out.get(kind, 0.0) + cpu
        return out

    def cpu_s(self, server: bool) -> float:
        """CPU seconds used so far by the server tree (True) or by everything else we started (the browser)."""
        return sum(cpu for kind, cpu in self._cpu.values() if (kind == "server") == server)

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.every_s)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        self.sample()


# The server's own view: a sitecustomize.py first on the server's PYTHONPATH times every script run
# (Streamlit's ScriptRunner._run_script, one call per rerun, in the session's script thread). This
# separates the server's time from the browsers', which share the same 2 cores here.
RUN_TIMER = textwrap.dedent('''
    """Load bench (bench/bench_load.py): log how long every Streamlit script run of this server takes."""
    import os, time

    if os.environ.get("DLLAB_RUN_LOG"):
        from streamlit.runtime.scriptrunner import script_runner as _sr

        _fd = os.open(os.environ["DLLAB_RUN_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        _run = _sr.ScriptRunner._run_script

        def _pressed_train(rerun_data):  # the CO2 page's "Train and measure" (key carbon.train) was clicked
            states = rerun_data.widget_states.widgets if rerun_data.widget_states else ()
            return any(w.id.endswith("carbon.train") and w.WhichOneof("value") == "trigger_value"
                       and w.trigger_value for w in states)

        def _timed(self, rerun_data):
            t0, tag = time.perf_counter(), "train" if _pressed_train(rerun_data) else "other"
            try:
                return _run(self, rerun_data)
            finally:
                os.write(_fd, f"{time.perf_counter() - t0:.4f} {tag} {os.getpid()}\\n".encode())

        _sr.ScriptRunner._run_script = _timed
''')


@contextlib.contextmanager
def timed_script_runs(folder: Path):
    """While inside, servers started with ``os.environ`` log each script run's seconds; yields the log path."""
    (folder / "sitecustomize.py").write_text(RUN_TIMER)
    log = folder / "script_runs.log"
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "DLLAB_RUN_LOG")}
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), saved["PYTHONPATH"]) if p)
    os.environ["DLLAB_RUN_LOG"] = str(log)
    try:
        yield log
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# ----------------------------------------------------------------------------- one session


async def rendered(page, timeout_ms: int) -> float:
    """Async twin of ``tests.browser.wait_until_rendered``: the time the finished page was first seen."""
    deadline = time.perf_counter() + timeout_ms / 1000
    while True:
        left = max(1, int((deadline - time.perf_counter()) * 1000))
        await page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=left)
        await page.wait_for_selector("h1", timeout=left)
        await page.wait_for_function(IDLE_JS, polling=50, timeout=left)
        finished = time.perf_counter()
        await page.wait_for_timeout(500)
        if await page.evaluate(IDLE_JS):
            return finished
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the page did not settle within {timeout_ms / 1000:.0f} s")


async def timed(page, log: SessionLog, kind: str, action, ready_js: str, timeout_ms: int) -> None:
    """Run ``action`` (a click or a navigation), wait for ``ready_js`` and a finished page, record the time."""
    t0 = log.started[kind] = time.perf_counter()
    await action()
    await page.wait_for_function(ready_js, polling=100 if kind.startswith("train") else 50, timeout=timeout_ms)
    log.latencies[kind] = await rendered(page, timeout_ms) - t0
    shown = await page.evaluate(ERROR_JS)
    if shown:
        log.errors.append(f"{kind}: the page shows {shown}")


def title_js(slug: str) -> str:
    return f"() => document.querySelector('h1')?.innerText.trim() === {TITLES[slug]!r}"


def url_js(part: str) -> str:
    return f"() => location.search.includes({part!r})"


# The demos after the CO2 page: (slug, control to click, its label, what the URL then holds, interaction name).
# Cheap controls only: each demo's training button would make N sessions queue for 5-15 s trainings.
DEMO_STEPS = {
    "word_embeddings": (
        "text",
        "Exclude the three input words (as the papers do)",
        "word_embeddings.exclude=false",
        "toggle exclusion",
    ),
    "clever_hans": ("button", "Every pullover tagged (100 %)", "clever_hans.fraction=1", "Clever Hans preset"),
    "mugshots": ("button", "All three cues 80 %", "mugshots.wall=0.8", "mugshots preset"),
}
OPEN = {"word_embeddings": "open word embeddings", "clever_hans": "open Clever Hans", "mugshots": "open mugshots"}


async def one_session(
    browser,
    base: str,
    log: SessionLog,
    barrier: asyncio.Barrier,
    timeout_ms: int,
    train_timeout_ms: int,
    demos: tuple[str, ...],
    still: bool = False,
    viewport: dict | None = None,
) -> None:
    context = await browser.new_context(viewport=viewport or VIEWPORT)
    if still:
        await context.add_init_script(STILL_JS)
    page = await context.new_page()
    page.on("pageerror", lambda err: log.js_errors.append(str(err)))
    try:
        ready = False
        try:
            await timed(
                page,
                log,
                "open CO2 page",
                lambda: page.goto(f"{base}/carbon", timeout=timeout_ms),
                title_js("carbon"),
                timeout_ms,
            )
            await timed(
                page,
                log,
                "click preset",
                lambda: page.get_by_role("button", name=QUICK).click(),
                url_js("carbon.epochs=1"),
                timeout_ms,
            )
            ready = True
        except Exception as err:  # noqa: BLE001 - recorded, reported, asserted on
            log.errors.append(f"before training: {type(err).__name__}: {err}")
        finally:  # the others wait for this session even when it failed, so one failure cannot hang them
            await asyncio.wait_for(barrier.wait(), timeout_ms / 1000)
        if not ready:
            return
        await timed(
            page,
            log,
            "train (shared)",
            lambda: page.get_by_role("button", name="Train and measure").click(),
            RESULT_JS,
            train_timeout_ms,
        )
        energy = page.locator('[data-testid="stMetricLabel"]', has_text="Energy")
        log.result = "Energy" if await energy.count() else "Not measured"
        for slug in demos:  # through the sidebar, as a student would: the same Streamlit session
            link = page.locator('[data-testid="stSidebarNav"] a', has_text=TITLES[slug]).first
            await timed(page, log, OPEN[slug], link.click, title_js(slug), timeout_ms)
            role, label, url_part, kind = DEMO_STEPS[slug]
            control = page.get_by_text(label) if role == "text" else page.get_by_role("button", name=label)
            await timed(page, log, kind, control.click, url_js(url_part), timeout_ms)
        log.finished = True
    except Exception as err:  # noqa: BLE001
        done = [k for k in KINDS if k in log.latencies]
        log.errors.append(f"after {done[-1] if done else 'start'}: {type(err).__name__}: {err}")
    finally:
        await context.close()


async def drive(
    base: str,
    logs: list[SessionLog],
    timeout_s: float,
    sampler: RssSampler | None = None,
    demos: tuple[str, ...] = tuple(DEMO_STEPS),
    still: bool = False,
    viewport: dict | None = None,
) -> bool:
    """All sessions at once in one Chromium; False if the global time bound cut them off."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            barrier = asyncio.Barrier(len(logs))
            step_ms = int(min(timeout_s, 120) * 1000)
            tasks = [
                one_session(browser, base, log, barrier, step_ms, int(timeout_s * 1000), demos, still, viewport)
                for log in logs
            ]
            try:
                await asyncio.wait_for(asyncio.gather(*tasks), timeout_s)
                return True
            except TimeoutError:
                for log in logs:
                    if not log.finished and not log.errors:  # the sessions that were done are not to blame
                        log.errors.append(
                            f"cut off by the global time bound ({timeout_s:.0f} s) after "
                            f"{len(log.latencies)} interactions"
                        )
                return False
        finally:
            if sampler:
                sampler.sample()  # the browser's CPU time before its processes end
            await browser.close()


def run_load(
    sessions: int = 20,
    timeout_s: float = 600.0,
    demos: tuple[str, ...] = tuple(DEMO_STEPS),
    browser_nice: int = 0,
    still: bool = False,
    viewport: dict | None = None,
    data_dir: Path | None = None,
) -> LoadResult:
    """Start a fresh server, drive ``sessions`` browser sessions at once, return the figures.

    ``demos``: the demos each session visits after the CO2 page (keys of :data:`DEMO_STEPS`).
    ``timeout_s`` bounds the sessions' work (server start and shutdown come on top: ~2 s).
    ``browser_nice`` > 0 runs Chromium at that lower CPU priority, so the server is served first.
    """
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        data = Path(data_dir or Path(tmp) / "data")
        (Path(tmp) / "site").mkdir()
        with timed_script_runs(Path(tmp) / "site") as run_log, lab_server(data) as (base, proc, _health_s):
            sampler = RssSampler(proc.pid, browser_nice=browser_nice)
            rss_start = sampler.sample()
            cpu_start, busy_start = sampler.cpu_s(server=True), busy_cpu_s()
            sampler.start()
            logs = [SessionLog(i) for i in range(sessions)]
            t0 = time.perf_counter()
            try:
                finished = asyncio.run(drive(base, logs, timeout_s, sampler, demos, still, viewport))
            finally:
                wall = time.perf_counter() - t0
                busy = busy_cpu_s() - busy_start
                sampler.stop()
            alive = proc.poll() is None
            server_cpu, browser_cpu = sampler.cpu_s(server=True) - cpu_start, sampler.cpu_s(server=False)
        lines = [line.split() for line in run_log.read_text().splitlines()] if run_log.exists() else []
        runs = sorted(float(seconds) for seconds, tag, _pid in lines if tag != "train")
        train_runs = sorted(float(seconds) for seconds, tag, _pid in lines if tag == "train")
        rows = Ledger(data / LEDGER_FILE).rows()
        labels = rows["label"].astype(str).tolist()
        trainings = int(sum(label.startswith(TRAINING_LABEL) for label in labels))
        live = int(sum(label.startswith("live run:") for label in labels))
    return LoadResult(
        sessions,
        logs,
        trainings,
        live,
        rss_start,
        sampler.peak,
        sampler.last,
        wall,
        alive,
        not finished,
        server_cpu,
        browser_cpu,
        max(0.0, busy - server_cpu - browser_cpu),
        {k: round(v, 1) for k, v in sampler.cpu_by_kind().items()},
        runs,
        train_runs,
    )


# ----------------------------------------------------------------------------- report


def table(results: list[LoadResult]) -> str:
    """Markdown: one row per interaction kind, p50 / p95 / max for each load level; then the totals."""
    head = (
        "| interaction | "
        + " | ".join(f"{r.sessions} session{'s' * (r.sessions > 1)}: p50 / p95 / max (s)" for r in results)
        + " |"
    )
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for kind in KINDS:
        if not any(r.latencies(kind) for r in results):
            continue  # a demo this run did not visit
        cells = []
        for r in results:
            v = r.latencies(kind)
            cells.append(f"{percentile(v, 50):.2f} / {percentile(v, 95):.2f} / {v[-1]:.2f} (n={len(v)})" if v else "—")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    rows = {
        "server side: script runs except the trainings, p50 / p95 / max (s)": lambda r: (
            f"{percentile(r.script_runs, 50):.2f} / {percentile(r.script_runs, 95):.2f} / {r.script_runs[-1]:.2f} "
            f"(n={len(r.script_runs)})"
            if r.script_runs
            else "—"
        ),
        "server side: runs a Train click started, p50 / p95 / max (s)": lambda r: (
            f"{percentile(r.train_runs, 50):.2f} / {percentile(r.train_runs, 95):.2f} / {r.train_runs[-1]:.2f} "
            f"(n={len(r.train_runs)})"
            if r.train_runs
            else "—"
        ),
        "sessions that got the training's result": lambda r: f"{r.with_result} of {r.sessions}",
        "trainings in the ledger for the preset": lambda r: str(r.trainings),
        "server RSS: start → peak → end (MiB)": lambda r: (
            f"{r.rss_start / 2**20:.0f} → **{r.rss_peak / 2**20:.0f}** → {r.rss_end / 2**20:.0f}"
        ),
        "wall time of all sessions (s)": lambda r: f"{r.wall_s:.1f}",
        "CPU seconds: server / browser / other jobs": lambda r: (
            f"{r.server_cpu_s:.0f} / {r.browser_cpu_s:.0f} / {r.other_cpu_s:.0f}"
        ),
        "exceptions / failed steps": lambda r: str(len(r.errors)),
        "JavaScript errors in the pages": lambda r: str(sum(len(log.js_errors) for log in r.logs)),
        "server still up afterwards": lambda r: "yes" if r.server_alive else "**no**",
    }
    for name, cell in rows.items():
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions (default 20)")
    parser.add_argument("--timeout", type=float, default=600.0, help="bound on each run's sessions, s (default 600)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the 1-session baseline run")
    parser.add_argument(
        "--demos",
        default=",".join(DEMO_STEPS),
        help=f"demos visited after the CO2 page, comma-separated (default: {','.join(DEMO_STEPS)})",
    )
    parser.add_argument("--still", action="store_true", help="turn CSS animations off in the pages")
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=0,
        help="run Chromium at this lower CPU priority (0-19), so the server gets the cores first",
    )
    args = parser.parse_args()
    if not 1 <= args.sessions <= 50:
        parser.error("--sessions must be between 1 and 50 (one machine drives them all)")
    demos = tuple(d for d in args.demos.split(",") if d)
    if set(demos) - set(DEMO_STEPS):
        parser.error(f"--demos: choose from {', '.join(DEMO_STEPS)}")
    levels = [args.sessions] + ([1] if args.sessions != 1 and not args.no_baseline else [])
    results = []
    for n in levels:
        print(f"running {n} session(s)…", file=sys.stderr, flush=True)
        results.append(run_load(n, args.timeout, demos, args.browser_nice, args.still))
        for error in results[-1].errors:
            print(f"  {n} sessions, {error}", file=sys.stderr)
    print(
        f"{platform.platform()}, Python {platform.python_version()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB\n"
    )
    print(table(results))
    for r in results:
        print(f"\nCPU seconds by process, {r.sessions} session(s): {r.cpu_by_kind}", file=sys.stderr)
    ok = all(
        r.trainings == 1 and r.with_result == r.sessions and not r.errors and r.server_alive and not r.timed_out
        for r in results
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
