"""Scale-out figures (issue #22): the ledger on SQLite vs PostgreSQL, 1 vs 2 replicas behind nginx, memory per replica.

``python bench/bench_scale_out.py [--sessions 10]`` prints three markdown tables for ``bench/RESULTS.md``:

1. **Ledger latency.** 200 appends to each engine, one connection and one transaction per append (what
   ``core.ledger.Ledger.append`` does: no pool), interleaved SQLite/PostgreSQL so a drift of the machine hits
   both; then ``totals()`` (the home page's query, once per visit). SQLite: a file in a temporary directory
   (``PRAGMA synchronous=FULL``, the lab's default). PostgreSQL: ``throwaway_postgres()`` from
   ``deploy/scale_out/local.py`` on 127.0.0.1 (Debian's defaults plus small buffers); its durability settings
   (``fsync``, ``synchronous_commit`` ...) are read from the server and printed, and the file system both live
   on is named, since an fsync on tmpfs costs nothing.
2. **Sessions served by 1 vs 2 replicas.** ``local_cluster(1)`` then ``local_cluster(2)``: PostgreSQL, N
   Streamlit replicas and nginx on loopback. Each replica is warmed first (one untimed session opened on it
   directly, bypassing nginx: imports and the page's cached models, as after a lecture-day warm-up). Then N
   fresh Chromium contexts (N new visitors, no cookie) open ``/biased_decisions`` through nginx at once; each is
   timed from the navigation to the finished page (bench_load's rule: title drawn, no "running" widget and no
   skeleton for 0.5 s). The replica that served it is nginx's ``X-Lab-Replica`` header on the document (the
   ``dllab_replica`` cookie then pins the WebSocket there). Also: the replicas' own script-run times (a
   ``sitecustomize.py`` times Streamlit's ScriptRunner in each replica) and the CPU seconds each part used.
3. **Memory**: RSS of each replica (process tree) after warm-up and after the sessions, nginx and PostgreSQL.

Why ``/biased_decisions``: it does real work on every visit without training a network (its first tab fits a
logistic regression, cached per process by its configuration, then draws metrics and Altair charts), it needs no
downloaded data (the CV history is synthetic), and its cost is the same on every replica; ``/word_embeddings``
would mostly measure the one-off GloVe load (400,000 vectors) of each replica's first session.

What 2 cores cannot show: the browser, nginx, PostgreSQL and both replicas share the same 2 cores, so a second
replica adds a second Python process (a second GIL: two script runs truly in parallel) but no CPU. On a real
deployment each replica brings its own cores; here the figure is a lower bound of what a second replica gives.
Chromium runs with CSS animations off (bench_load's ``--still``, the default here: a background tab on a student's
laptop does not animate) at normal priority: ``--browser-nice 15`` (bench_load's headline run) lets the servers go
first, but on a machine shared with other jobs it starves the browser behind them, and the page times then measure
those jobs. Either way the browser costs several times the replicas' CPU here, so the end-to-end times are an upper
bound and the replicas' script-run times are the server-side figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import (  # noqa: E402
    ERROR_JS,
    STILL_JS,
    VIEWPORT,
    deprioritise,
    percentile,
    process_kind,
    rendered,
    timed_script_runs,
    title_js,
)
from common import machine  # noqa: E402

from core.ledger import Ledger, LedgerRow  # noqa: E402
from deploy.scale_out.local import REPLICA_HEADER, local_cluster, throwaway_postgres  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

PAGE = "biased_decisions"
PG_SETTINGS = ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers", "server_version")
HEADER = REPLICA_HEADER.lower()

# ----------------------------------------------------------------------------- 1. the ledger


def sample_row(i: int) -> LedgerRow:
    """A row like the CO2 page's: a small config, metrics, measured energy."""
    return LedgerRow(
        demo="carbon",
        label=f"live run: SmallCNN(8,16,h32) bench {i}",
        config_json='{"epochs": 1, "train_size": 2000, "width": "S"}',
        seed=i,
        duration_s=3.7,
        energy_kwh=1.234567e-5,
        emissions_kg=4.6e-6,
        country="DEU",
        intensity_g_per_kwh=380.0,
        method="RAPL",
        status="measured",
        metrics_json='{"test_acc": 0.81, "parameters": 27114, "samples_seen": 2000}',
    )


def filesystem(path: Path) -> str:
    """The type and device of the file system ``path`` is on (ext4 on a disk, tmpfs in memory ...)."""
    best = max(
        (p for p in psutil.disk_partitions(all=True) if str(path).startswith(p.mountpoint)),
        key=lambda p: len(p.mountpoint),
        default=None,
    )
    return f"{best.fstype} ({best.device} on {best.mountpoint})" if best else "unknown"


def timed_calls(fns: dict[str, object], repeat: int) -> dict[str, list[float]]:
    """Each callable ``repeat`` times, interleaved (the order alternates each round); the seconds of every call."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for i in range(repeat):
        for name in names if i % 2 == 0 else reversed(names):
            start = time.perf_counter()
            fns[name](i)
            times[name].append(time.perf_counter() - start)
    return times


def ms_cell(values: list[float]) -> str:
    return f"{percentile(values, 50) * 1000:.1f} / {percentile(values, 95) * 1000:.1f} ms"


def bench_ledger(tmp: Path, appends: int) -> str:
    import psycopg

    lines = []
    with throwaway_postgres() as pg:
        with psycopg.connect(pg.url) as con:
            settings = {name: con.execute(f"SHOW {name}").fetchone()[0] for name in PG_SETTINGS}
        sqlite = Ledger(tmp / "ledger.sqlite3")
        postgres = Ledger(url=pg.url)
        for ledger in (sqlite, postgres):  # untimed: creates the table (PostgreSQL: once per process)
            ledger.append(sample_row(-1))
        appended = timed_calls(
            {"SQLite": lambda i: sqlite.append(sample_row(i)), "PostgreSQL": lambda i: postgres.append(sample_row(i))},
            appends,
        )
        totals = timed_calls({"SQLite": lambda i: sqlite.totals(), "PostgreSQL": lambda i: postgres.totals()}, 100)
        connects = timed_calls({"PostgreSQL": lambda i: psycopg.connect(pg.url, connect_timeout=3).close()}, 50)
        assert len(sqlite.rows()) == len(postgres.rows()) == appends + 1
        pg_fs = filesystem(pg.root)
    lines.append(
        f"SQLite file: {filesystem(tmp)}, `PRAGMA synchronous=FULL`. PostgreSQL {settings['server_version']}"
        f" (throwaway_postgres, data on {pg_fs}): fsync={settings['fsync']}, "
        f"synchronous_commit={settings['synchronous_commit']}, wal_sync_method={settings['wal_sync_method']}, "
        f"full_page_writes={settings['full_page_writes']}, shared_buffers={settings['shared_buffers']}; "
        "TCP on 127.0.0.1, SCRAM-SHA-256 password. Client and server on the same 2 cores.\n"
    )
    lines.append("| ledger operation (median / p95) | SQLite file | PostgreSQL on loopback |")
    lines.append("|---|---|---|")
    lines.append(
        f"| append: connect + one transaction + close (n={appends} each, interleaved) | "
        f"{ms_cell(appended['SQLite'])} | {ms_cell(appended['PostgreSQL'])} |"
    )
    lines.append(
        f"| totals(): the home page's 5 queries, one connection (n=100, {appends + 1} rows) | "
        f"{ms_cell(totals['SQLite'])} | {ms_cell(totals['PostgreSQL'])} |"
    )
    lines.append(f"| of which: psycopg connect + close alone (n=50) | — | {ms_cell(connects['PostgreSQL'])} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- 2. sessions through nginx


@dataclass
class Visit:
    seconds: float | None = None
    replica: str = ""
    cookie: str = ""
    error: str = ""


@dataclass
class ClusterResult:
    replicas: int
    visits: list[Visit]
    wall_s: float
    script_runs: dict[str, list[float]]  # replica name -> seconds of each script run during the sessions
    cpu_s: dict[str, float]  # replica names, "browser", "other" -> CPU seconds during the sessions
    rss_warm: dict[str, int]  # replica name -> bytes after the warm-up
    rss_after: dict[str, int]  # replica name -> bytes after the sessions
    warm_s: dict[str, float] = field(default_factory=dict)  # replica name -> its cold first visit (untimed run)
    rss_nginx: int = 0
    rss_postgres: int = 0  # RSS summed over the server's processes (counts shared buffers once per process)
    uss_postgres: int = 0  # memory private to them (what another connection really costs)
    errors: list[str] = field(default_factory=list)


def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def rss(pid: int) -> int:
    return sum(p.memory_info().rss for p in tree(pid))


class CpuWatch(threading.Thread):
    """Every 0.25 s: CPU seconds of every process this one started (kept after they end), and Chromium's at
    ``nice`` (its autogroup too: see bench_load.deprioritise)."""

    def __init__(self, replica_pids: dict[str, int], nice: int) -> None:
        super().__init__(daemon=True)
        self.replica_pids, self.nice = replica_pids, nice
        self.first: dict[tuple[int, float], float] = {}
        self.last: dict[tuple[int, float], tuple[str, float]] = {}
        self.halt = threading.Event()
        self.busy0 = 0.0
        self.baseline = True  # processes seen in the first sample count from there; later ones from zero

    def owner(self, proc: psutil.Process) -> str:
        for name, pid in self.replica_pids.items():
            if proc.pid == pid or any(parent.pid == pid for parent in proc.parents()):
                return name
        kind = process_kind(proc.cmdline())
        return "browser" if kind != "driver" else "driver"

    def sample(self) -> None:
        for proc in psutil.Process().children(recursive=True):
            try:
                key = (proc.pid, proc.create_time())
                who = self.last[key][0] if key in self.last else self.owner(proc)
                t = proc.cpu_times()
                cpu = t.user + t.system
                self.first.setdefault(key, cpu if self.baseline else 0.0)
                self.last[key] = (who, cpu)
                if self.nice and who == "browser":
                    deprioritise(proc, self.nice, os.getpid())
            except psutil.Error:
                pass

    def begin(self) -> None:
        self.sample()  # the baseline: what every process had used before the sessions
        self.baseline = False
        t = psutil.cpu_times()
        self.busy0 = t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)
        self.start()

    def run(self) -> None:
        while not self.halt.wait(0.25):
            self.sample()

    def end(self) -> dict[str, float]:
        self.halt.set()
        self.join(timeout=5)
        self.sample()
        t = psutil.cpu_times()
        busy = t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) - self.busy0
        out: dict[str, float] = {}
        for key, (who, cpu) in self.last.items():
            out[who] = out.get(who, 0.0) + cpu - self.first.get(key, 0.0)
        out["other"] = max(0.0, busy - sum(out.values()))  # nginx, PostgreSQL, this script, other jobs
        return out


async def visit(context, url: str, timeout_ms: int, go: asyncio.Event) -> Visit:
    page = await context.new_page()
    v = Visit()
    await go.wait()
    try:
        t0 = time.perf_counter()
        response = await page.goto(url, timeout=timeout_ms)
        v.replica = response.headers.get(HEADER, "") if response else ""
        await page.wait_for_function(title_js(PAGE), polling=50, timeout=timeout_ms)
        v.seconds = await rendered(page, timeout_ms) - t0
        v.error = await page.evaluate(ERROR_JS)
        v.cookie = next((c["value"] for c in await context.cookies() if c["name"] == "dllab_replica"), "")
    except Exception as err:  # noqa: BLE001 - reported in the table and on stderr
        v.error = f"{type(err).__name__}: {str(err).splitlines()[0]}"
    return v


async def drive(cluster, sessions: int, still: bool, nice: int, timeout_s: float, on_start) -> ClusterResult:
    """Warm each replica, then ``sessions`` fresh contexts open the page through nginx at once (``on_start()``
    is called just before they navigate)."""
    from playwright.async_api import async_playwright

    timeout_ms = int(timeout_s * 1000)
    names = {r.name: r.process.pid for r in cluster.replicas}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:

            async def context():
                ctx = await browser.new_context(viewport=VIEWPORT)
                if still:
                    await ctx.add_init_script(STILL_JS)
                return ctx

            # Warm-up, apart: one session on each replica directly (imports, cached models), one at a time.
            warm_s = {}
            for r in cluster.replicas:
                ctx = await context()
                go = asyncio.Event()
                go.set()
                warm = await visit(ctx, f"{r.url}/{PAGE}", timeout_ms, go)
                await ctx.close()
                if warm.seconds is None or warm.error:
                    raise RuntimeError(f"warm-up of {r.name} failed: {warm.error}")
                warm_s[r.name] = warm.seconds
            rss_warm = {name: rss(pid) for name, pid in names.items()}
            contexts = [await context() for _ in range(sessions)]
            go = asyncio.Event()
            tasks = [asyncio.create_task(visit(c, f"{cluster.url}/{PAGE}", timeout_ms, go)) for c in contexts]
            await asyncio.sleep(0.5)  # every page object made; then all navigate at once
            on_start()
            watch = CpuWatch(names, nice)
            watch.begin()
            t0 = time.perf_counter()
            go.set()
            visits = await asyncio.gather(*tasks)
            wall = time.perf_counter() - t0
            cpu = watch.end()
            for c in contexts:
                await c.close()
        finally:
            await browser.close()
    return ClusterResult(len(cluster.replicas), visits, wall, {}, cpu, rss_warm, {}, warm_s)


def postgres_memory(cluster) -> tuple[int, int]:
    """(RSS, USS) summed over the PostgreSQL server's processes: the postmaster is the parent of the backend
    serving a connection held open meanwhile."""
    import psycopg

    with psycopg.connect(cluster.database_url, connect_timeout=3) as con:
        backend = con.execute("SELECT pg_backend_pid()").fetchone()[0]
        total_rss = total_uss = 0
        try:
            procs = tree(psutil.Process(backend).parent().pid)
        except psutil.Error:
            return 0, 0
        for proc in procs:
            try:
                total_rss += proc.memory_info().rss
                total_uss += proc.memory_full_info().uss
            except psutil.Error:
                pass
    return total_rss, total_uss


def bench_cluster(replicas: int, sessions: int, tmp: Path, still: bool, nice: int, timeout_s: float) -> ClusterResult:
    site = tmp / f"site{replicas}"
    site.mkdir()
    # Every replica logs "<seconds> <tag> <pid>" for each script run (bench_load's timer): the pid names the replica.
    with timed_script_runs(site) as run_log, local_cluster(replicas, tmp=tmp) as cluster:
        pids = {r.process.pid: r.name for r in cluster.replicas}
        offset = [0]

        def on_start() -> None:  # the warm-up's script runs are dropped: the log's length at the start
            offset[0] = run_log.stat().st_size if run_log.exists() else 0

        result = asyncio.run(drive(cluster, sessions, still, nice, timeout_s, on_start))
        result.rss_after = {r.name: rss(r.process.pid) for r in cluster.replicas}
        result.rss_nginx = rss(cluster.nginx.pid)
        result.rss_postgres, result.uss_postgres = postgres_memory(cluster)
        alive = [r.name for r in cluster.replicas if r.process.poll() is None]
        if len(alive) != replicas:
            result.errors.append(f"replicas still up afterwards: {alive}")
        with open(run_log, "rb") as f:
            f.seek(offset[0])
            for line in f.read().decode().splitlines():
                seconds, _tag, pid = line.split()
                result.script_runs.setdefault(pids.get(int(pid), pid), []).append(float(seconds))
    result.errors += [f"session {i}: {v.error}" for i, v in enumerate(result.visits) if v.error]
    result.errors += [
        f"session {i}: cookie {v.cookie!r} but served by {v.replica!r}"
        for i, v in enumerate(result.visits)
        if v.seconds is not None and v.cookie != v.replica
    ]
    return result


def p_cell(values: list[float]) -> str:
    if not values:
        return "—"
    values = sorted(values)
    return f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f} / {values[-1]:.2f} (n={len(values)})"


def cluster_table(results: list[ClusterResult]) -> str:
    head = "| through nginx | " + " | ".join(f"{r.replicas} replica{'s' * (r.replicas > 1)}" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]

    def add(name: str, cell) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")

    add(
        "sessions finished (no error shown)",
        lambda r: f"{sum(v.seconds is not None and not v.error for v in r.visits)} of {len(r.visits)}",
    )
    add(
        "navigation → finished page: p50 / p95 / max (s)",
        lambda r: p_cell([v.seconds for v in r.visits if v.seconds is not None]),
    )
    add("wall time of all sessions (s)", lambda r: f"{r.wall_s:.1f}")
    add(
        "before: the warm-up, one cold visit per replica, direct (s)",
        lambda r: ", ".join(f"{n}: {r.warm_s[n]:.2f}" for n in sorted(r.warm_s)),
    )
    add(
        "sessions per replica (X-Lab-Replica; cookie agrees)",
        lambda r: ", ".join(f"{n}: {sum(v.replica == n for v in r.visits)}" for n in sorted(r.rss_after)),
    )
    add(
        "server side: script runs per replica, p50 / p95 / max (s)",
        lambda r: "<br>".join(f"{n}: {p_cell(r.script_runs.get(n, []))}" for n in sorted(r.rss_after)),
    )
    add(
        "CPU seconds during the sessions: replica(s) / Chromium / rest (nginx, PostgreSQL, Playwright, other jobs)",
        lambda r: (
            " + ".join(f"{r.cpu_s.get(n, 0):.1f}" for n in sorted(r.rss_after))
            + f" / {r.cpu_s.get('browser', 0):.1f} / {r.cpu_s.get('other', 0) + r.cpu_s.get('driver', 0):.1f}"
        ),
    )
    add("errors", lambda r: str(len(r.errors)))
    return "\n".join(lines)


def memory_table(results: list[ClusterResult]) -> str:
    mib = 2**20
    lines = ["| memory (MiB) | " + " | ".join(f"{r.replicas} replica{'s' * (r.replicas > 1)}" for r in results) + " |"]
    lines.append("|---" * (len(results) + 1) + "|")

    def add(name: str, cell) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")

    add(
        "each replica's RSS after warm-up → after the sessions",
        lambda r: "<br>".join(
            f"{n}: {r.rss_warm[n] / mib:.0f} → **{r.rss_after[n] / mib:.0f}**" for n in sorted(r.rss_after)
        ),
    )
    add(
        "RSS change per session served there (after − after warm-up, / sessions)",
        lambda r: "<br>".join(
            f"{n}: {(r.rss_after[n] - r.rss_warm[n]) / mib / max(1, sum(v.replica == n for v in r.visits)):.1f}"
            for n in sorted(r.rss_after)
        ),
    )
    add("nginx (master + 1 worker)", lambda r: f"{r.rss_nginx / mib:.0f}")
    add(
        "PostgreSQL: RSS summed / private (USS) summed",
        lambda r: f"{r.rss_postgres / mib:.0f} / {r.uss_postgres / mib:.0f}",
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent fresh browser sessions (default 10)")
    parser.add_argument("--appends", type=int, default=200, help="ledger appends per engine (default 200)")
    parser.add_argument(
        "--browser-nice", type=int, default=0, help="run Chromium at this lower CPU priority, 0-19 (default 0)"
    )
    parser.add_argument("--animate", action="store_true", help="keep CSS animations on (default: off, as --still)")
    parser.add_argument("--timeout", type=float, default=120.0, help="bound on one session's page, s (default 120)")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 50:
        parser.error("--sessions must be between 1 and 50")
    load = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_scale_out_") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["DLLAB_DATA_DIR"] = str(tmp / "data")  # this process's ledger outbox, never the user's
        print("ledger…", file=sys.stderr, flush=True)
        ledger = bench_ledger(tmp, args.appends)
        results = []
        for n in (1, 2):
            print(f"{n} replica(s), {args.sessions} sessions…", file=sys.stderr, flush=True)
            results.append(bench_cluster(n, args.sessions, tmp, not args.animate, args.browser_nice, args.timeout))
            for error in results[-1].errors:
                print(f"  {n} replica(s): {error}", file=sys.stderr)
    load_end = os.getloadavg()
    print(machine())
    print(
        f"Load average (1 min) at the start {load[0]:.2f}, at the end {load_end[0]:.2f}"
        + (" — under load: other jobs shared the cores." if max(load[0], load_end[0]) > 1.5 else ".")
        + f" Whole run {time.perf_counter() - started:.0f} s.\n"
    )
    print(f"### Ledger: SQLite vs PostgreSQL\n\n{ledger}\n")
    print(
        f"### {args.sessions} fresh sessions open /{PAGE} at once: 1 vs 2 replicas behind nginx\n\n"
        f"{cluster_table(results)}\n"
    )
    print(f"### Memory after the sessions\n\n{memory_table(results)}")
    medians = [
        statistics.median([v.seconds for v in r.visits if v.seconds is not None] or [float("nan")]) for r in results
    ]
    print(f"\nmedian page time, 2 replicas / 1 replica: {medians[1] / medians[0]:.2f}", file=sys.stderr)
    return 0 if not any(r.errors for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
