"""Benchmark: the server's memory, page by page, for one user who visits every page.

    python bench/bench_memory.py                  # both readings below, on this tree (~2 min on a quiet machine)
    python bench/bench_memory.py --pressed-only   # (or --opened-only) one reading
    python bench/bench_memory.py --root /tmp/before   # the same on another checkout (e.g. a git worktree)
    python bench/bench_memory.py --imports        # what each library costs to import, in a fresh interpreter

The budget is Streamlit Community Cloud's smallest tier: **690 MB** of resident memory (RSS)
for the whole server. One fresh ``streamlit run app.py`` on loopback and one headless Chromium
user (Debian's /usr/bin/chromium) open the pages in the navigation order (home, word_embeddings,
adversarial, clever_hans, mugshots, carbon), each fully rendered (tests/browser.py's rule), and
the server's RSS (plus what its child processes hold alone) is read after each step. Two readings, each on its
own fresh server:

* **opened**: every page opened, nothing pressed (what a visitor first sees);
* **pressed**: every page opened *and its main button pressed*, as a lecturer does: Train on the
  adversarial, Clever Hans and mugshots pages, "Train and measure" on the CO2 page (the word
  embeddings page has no button: opening it loads GloVe and runs its first tab). The result of
  each press is drawn before the next page is opened (the heatmaps, tables and charts under it).

RSS is also sampled every 50 ms for the peak. RSS does not depend on the machine's load; times
do, and are measured by bench/bench_startup.py.

``--imports`` starts one fresh interpreter per library and reports the RSS it adds: alone, and
on top of torch (captum and torchvision import torch themselves; a page that trains has it anyway).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import psutil
from common import REPO, machine

from core.demos import all_pages
from tests import browser as lab_browser
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, wait_until_rendered

# Every page of the navigation, in its order: a demo added later is walked, and counted, without a change here.
PAGES = tuple(d.slug for d in all_pages())
# The main button of each page (start of its label) and a text its result shows, as in bench_warmup.py.
# A new demo with a Train button adds its line here, so that the "pressed" walk presses it too.
PRESS = {
    "adversarial": ("Train (", "clean test accuracy"),
    "clever_hans": ("Train (", "without tag"),
    "mugshots": ("Train (", "balanced"),
    "overfitting": (("Memorised noise", "Train"), "Training accuracy"),  # its Train button is on the 5th tab
    "out_of_distribution": ("Train (", "Accuracy turned 90°"),
    "forgetting": ("Train A, then B", "Task A, after learning B"),
    "data_hunger": ("Train (", "Exponent b"),
    "compression": ("Train (", "Accuracy float32"),
    "explanations": ("Train (", "Model: 'Pullover'"),
    "carbon": ("Train and measure", "Average power"),
}
# What the lab imports, as it imports it (a package alone often defers its submodules: ``import scipy`` costs
# ~1 MB, ``scipy.optimize`` far more). torchvision only through core.torchvision_compat (see there).
LIBRARIES = (
    "torch",
    "pandas",
    "plotly.graph_objects",
    "streamlit",
    "captum.attr",
    "sklearn.metrics",
    "sklearn.cluster",
    "scipy.optimize",
    "scipy.stats",
    "skimage.data",
    "core.torchvision_compat",
    "codecarbon",
    "pyarrow.parquet",
)
BUDGET_MB = 690


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of the server: its own RSS plus what its children hold alone (their USS).

    Children's RSS is not added: a child forked by the server (codecarbon and Streamlit start some
    commands) shares the server's pages until it execs, and adding its RSS would count the server
    twice (a 800 MB server read 1.6 GB for a moment). A cgroup's memory limit counts a page once.
    """
    total = 0
    for i, p in enumerate((proc, *proc.children(recursive=True))):
        try:
            total += p.memory_info().rss if i == 0 else p.memory_full_info().uss
        except psutil.Error:
            pass
    return total


class PeakSampler:
    """Samples a process tree's RSS every 50 ms in a thread; ``.peak`` is the largest seen so far."""

    def __init__(self, pid: int):
        self.proc, self.peak, self.since = psutil.Process(pid), 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss(self.proc)
            self.peak, self.since = max(self.peak, rss), max(self.since, rss)
            time.sleep(0.05)

    def peak_since_last(self) -> int:
        """The largest RSS since the previous call (a step's transient peak), then start again."""
        peak, self.since = self.since, 0
        return peak

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@contextmanager
def server_at(root: Path, data_dir: Path):
    """tests.browser.lab_server, started from checkout ``root`` (its app.py, its core/)."""
    with mock.patch.object(lab_browser, "REPO_ROOT", Path(root)), lab_browser.lab_server(data_dir) as started:
        yield started


def open_page(page, base: str, slug: str) -> None:
    """Open ``slug`` as a user does: the home page by URL, the others by a click in the navigation."""
    if slug == "home":
        page.goto(base)
    else:
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]').first.click()
        page.wait_for_url(f"**/{slug}*")
    wait_until_rendered(page, 120_000)


def press(page, slug: str) -> None:
    """Press the page's main button (after the tab it is on, where a pair is given) and wait for its result."""
    labels, result = PRESS[slug]
    *tabs, button = (labels,) if isinstance(labels, str) else labels
    for tab in tabs:  # a tab first: st.tabs draws its labels as role="tab", not as buttons
        page.get_by_role("tab", name=tab).first.click()
        wait_until_rendered(page, 120_000)
    page.locator('[data-testid="stMain"] button', has_text=button).first.click()
    wait_until_rendered(page, 120_000)
    page.get_by_text(result).first.wait_for(timeout=300_000)
    wait_until_rendered(page, 300_000)


def pressed(slug: str) -> str:
    """The main button's label, as the table names it."""
    labels = PRESS[slug][0]
    return (labels if isinstance(labels, str) else labels[-1]).strip(" (")


def walk(browser, root: Path, pressing: bool) -> float:
    """One fresh server, one user: prints a row per step (RSS after it) as it goes; returns the peak MB."""
    title = "Every page opened and its main button pressed" if pressing else "Every page opened, nothing pressed"
    print(f"\n**{title}**\n\n| step | server RSS after it | added by this step | peak during it |", flush=True)
    print("|---|---|---|---|")
    previous = 0.0

    def record(step: str, proc: psutil.Process) -> None:
        nonlocal previous
        mb, peak = tree_rss(proc) / 1e6, sampler.peak_since_last() / 1e6
        print(f"| {step} | {mb:,.0f} MB | {mb - previous:+,.0f} MB | {max(peak, mb):,.0f} MB |", flush=True)
        previous = mb

    with tempfile.TemporaryDirectory() as data_dir, server_at(root, Path(data_dir)) as (base, proc, _):
        server = psutil.Process(proc.pid)
        sampler = PeakSampler(proc.pid)
        record("server started (nothing opened)", server)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for slug in PAGES:
            open_page(page, base, slug)
            time.sleep(1.0)  # let the tail of the run (and codecarbon's probe thread) settle
            record(f"{slug} opened", server)
            if pressing and slug in PRESS:
                press(page, slug)
                time.sleep(1.0)
                record(f"{slug}: '{pressed(slug)}' pressed", server)
        page.close()
        peak = sampler.stop() / 1e6
    verdict = "✔" if peak <= BUDGET_MB else "✘"
    print(f"| **peak (sampled every 50 ms)** | | ≤ {BUDGET_MB} MB {verdict} | **{peak:,.0f} MB** |", flush=True)
    return peak


def import_cost(library: str, after: str = "") -> float:
    """MB of RSS that ``import library`` adds in a fresh interpreter (after importing ``after`` first)."""
    code = (
        "def rss():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) / 1e3\n"
        f"{'import ' + after if after else ''}\n"
        "before = rss()\n"
        f"import {library}\n"
        "print(rss() - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return float(out.stdout.strip().splitlines()[-1])


def imports() -> None:
    print("\n| library | RSS added by its import, fresh interpreter | on top of torch |\n|---|---|---|")
    for library in LIBRARIES:
        alone = import_cost(library)
        on_torch = "" if library == "torch" else f"{import_cost(library, after='torch'):,.0f} MB"
        print(f"| {library} | {alone:,.0f} MB | {on_torch} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout whose app.py is served")
    parser.add_argument("--imports", action="store_true", help="only the import costs of the libraries")
    parser.add_argument("--opened-only", action="store_true", help="skip the reading with the buttons pressed")
    parser.add_argument("--pressed-only", action="store_true", help="skip the reading with nothing pressed")
    args = parser.parse_args()
    print(machine(), f"· tree {args.root}")
    if args.imports:
        imports()
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        if not args.pressed_only:
            walk(browser, args.root, pressing=False)
        if not args.opened_only:
            walk(browser, args.root, pressing=True)
        browser.close()


if __name__ == "__main__":
    main()
