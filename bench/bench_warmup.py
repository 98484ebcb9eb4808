"""Benchmark: the lecture warm-up, then what every Train button costs afterwards.

    python bench/bench_warmup.py              # the warm-up in a real server, then every page
    python bench/bench_warmup.py --per-task   # each preset timed alone, in process
    python bench/bench_warmup.py --cold       # every Train button on a fresh server without a warm-up

Starts a fresh ``streamlit run app.py -- --warm-up`` on loopback, opens the home page in headless
Chromium (Debian's /usr/bin/chromium) and waits until it says "Warmed up" (the total time shown is
the server's own measurement). Then opens every page that trains, as a lecturer would, and times
until it is fully rendered with its preset's results: after a warm-up no Train button is left to
press, so this *is* the time each Train button then takes. The server's peak RSS is sampled
throughout. Prints markdown rows for bench/RESULTS.md.
"""

from __future__ import annotations

import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_startup import peak_rss_sampler  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, lab_server, wait_until_rendered  # noqa: E402

# (page, the tab to show, the text its preset's result shows once trained)
VIEWS = [
    ("adversarial", "", "clean test accuracy"),
    ("adversarial", "?adversarial.tab=Curves+%26+defence", "Clean accuracy, adversarially trained"),
    ("clever_hans", "", "without tag"),
    ("clever_hans", "?clever_hans.fraction=1.0", "without tag"),
    ("mugshots", "", "balanced"),
    ("carbon", "", "Average power"),
    ("carbon", "?carbon.tab=Extrapolate", "GPT-3"),
]
TRAIN_BUTTONS = re.compile(r"^(Train \(|Train and measure|Compute the curves|Train the defence|Measure the reference)")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as data_dir,
        lab_server(Path(data_dir), app_args=("--warm-up",)) as (base, proc, _),
        sync_playwright() as p,
    ):
        stop, peak = threading.Event(), []
        sampler = threading.Thread(target=peak_rss_sampler, args=(proc.pid, stop, peak))
        sampler.start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        t0 = time.perf_counter()
        page.goto(base)
        page.get_by_text("Warmed up:").wait_for(timeout=900_000)
        wall = time.perf_counter() - t0
        shown = page.get_by_text("Warmed up:").inner_text()
        print(f"warm-up: {shown!r}; wall time from the first page request {wall:.1f} s")
        print("| view | render after warm-up | Train buttons left |\n|---|---|---|")
        for slug, query, result in VIEWS:
            t1 = time.perf_counter()
            page.goto(f"{base}/{slug}{query}")
            wait_until_rendered(page, 120_000)
            page.get_by_text(result).first.wait_for(timeout=120_000)
            seconds = time.perf_counter() - t1
            buttons = [
                b
                for b in page.locator('[data-testid="stMain"] button').all_inner_texts()
                if TRAIN_BUTTONS.match(b.strip())
            ]
            print(f"| {slug}{query} | {seconds:.2f} s | {buttons or 'none'} |")
        browser.close()
        stop.set()
        sampler.join()
        print(f"server peak RSS: {peak[0] / 1e6:.0f} MB")


# (page and view, the button a lecturer presses, the text its result shows), in lecture order, no warm-up
COLD_BUTTONS = [
    ("adversarial", "Train (", "clean test accuracy"),
    ("adversarial?adversarial.tab=Curves+%26+defence", "Compute the curves", "Train the defence"),
    ("adversarial?adversarial.tab=Curves+%26+defence", "Train the defence", "Clean accuracy, adversarially trained"),
    ("clever_hans", "Train (", "without tag"),
    ("mugshots", "Train (", "balanced"),
    ("carbon", "Train and measure", "Average power"),
    ("carbon?carbon.tab=Extrapolate", "Measure the reference workloads", "GPT-3"),
]


def cold() -> None:
    """Every Train button pressed on a fresh server without a warm-up: click to result, in Chromium."""
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as data_dir,
        lab_server(Path(data_dir)) as (base, _proc, _),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        print("| button (no warm-up, fresh server) | click to result |\n|---|---|")
        for view, button, result in COLD_BUTTONS:
            page.goto(f"{base}/{view}")
            wait_until_rendered(page, 120_000)
            t0 = time.perf_counter()
            page.locator('[data-testid="stMain"] button', has_text=button).first.click()
            page.get_by_text(result).first.wait_for(timeout=300_000)
            wait_until_rendered(page, 300_000)
            print(f"| {view}: {button} | {time.perf_counter() - t0:.1f} s |", flush=True)
        browser.close()


def per_task() -> None:
    """Each warm-up task timed alone, in this process (no server, no browser): the presets' own times."""
    from core.training import SharedRuns
    from ui import warmup

    todo = warmup.tasks(seed=0)
    stores = {slug: SharedRuns(max_entries=20) for slug in {t.slug for t in todo}}
    state = warmup.WarmUp()
    warmup.run_all(todo, stores, state)
    print("| warm-up task (seed 0, in process) | seconds |\n|---|---|")
    for label, seconds in state.timings:
        print(f"| {label} | {seconds:.1f} |")
    print(f"| **total** | **{state.seconds:.1f}** |")


if __name__ == "__main__":
    {"--per-task": per_task, "--cold": cold}.get(next(iter(sys.argv[1:]), ""), main)()
