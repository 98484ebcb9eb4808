"""Benchmark: cold start, first render of every page, and the server's peak memory.

    python bench/bench_startup.py [--repeats 3]

For each repeat: start a fresh ``streamlit run app.py`` on loopback, time until
``/_stcore/health`` answers 200, then until the home page is fully rendered in
headless Chromium (Debian's /usr/bin/chromium), then the first render of each
other page (clicked in the navigation, as a user would). The server's resident
memory (RSS, its whole process tree) is sampled every 50 ms; the peak is reported.
Prints a markdown table of medians (min-max) to paste into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.demos import all_pages  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, lab_server, wait_until_rendered  # noqa: E402


def peak_rss_sampler(pid: int, stop: threading.Event, out: list) -> None:
    root = psutil.Process(pid)
    peak = 0
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs))
        except psutil.Error:
            pass
        time.sleep(0.05)
    out.append(peak)


def one_run(browser) -> dict:
    figures = {}
    with tempfile.TemporaryDirectory() as data_dir, lab_server(Path(data_dir)) as (base, proc, health_s):
        figures["health"] = health_s
        t_server = time.perf_counter() - health_s
        stop, peak = threading.Event(), []
        sampler = threading.Thread(target=peak_rss_sampler, args=(proc.pid, stop, peak))
        sampler.start()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base)
        figures["home rendered (from server start)"] = wait_until_rendered(page) - t_server
        for demo in all_pages()[1:]:
            t0 = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"] a', has_text=demo.title).first.click()
            page.wait_for_url(f"**/{demo.slug}*")
            figures[f"first render: {demo.slug}"] = wait_until_rendered(page) - t0
        page.close()
        stop.set()
        sampler.join()
        figures["server peak RSS (MB)"] = peak[0] / 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for _ in range(args.repeats):
            runs.append(one_run(browser))
        browser.close()
    print(f"| figure | median | min – max (n={args.repeats}) |\n|---|---|---|")
    for key in runs[0]:
        values = [r[key] for r in runs]
        unit = "" if "MB" in key else " s"
        print(f"| {key} | {statistics.median(values):.2f}{unit} | {min(values):.2f} – {max(values):.2f}{unit} |")


if __name__ == "__main__":
    main()
