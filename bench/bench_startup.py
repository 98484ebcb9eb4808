"""Benchmark: cold start, first render of every page, and the server's peak memory.

    python bench/bench_startup.py [--repeats 3]
    python bench/bench_startup.py --before /tmp/before [--repeats 3]   # this tree vs another, interleaved

For each repeat: start a fresh ``streamlit run app.py`` on loopback, time until
``/_stcore/health`` answers 200, then until the home page is fully rendered in
headless Chromium (Debian's /usr/bin/chromium), then the first render of each
other page (clicked in the navigation, as a user would). The server's resident
memory (RSS, its whole process tree) is sampled every 50 ms; the peak is reported.
Prints a markdown table of medians (min-max) to paste into bench/RESULTS.md.

``--before PATH`` times a second checkout (e.g. ``git worktree add /tmp/before c5060a7``) in the
same run, alternating (before, this, this, before, ...), so both see the same machine and the
same load; the ratio this/before is the median of the per-repeat ratios. Under load the times
spread, the ratio much less. The page-by-page memory is bench/bench_memory.py's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_memory import PAGES, PeakSampler, open_page, server_at
from common import REPO, machine

from tests.browser import CHROMIUM, CHROMIUM_FLAGS


def one_run(browser, root: Path = REPO) -> dict[str, float]:
    """One fresh server of checkout ``root``, one user opening every page once: seconds, and the peak RSS."""
    figures = {}
    with tempfile.TemporaryDirectory() as data_dir, server_at(root, Path(data_dir)) as (base, proc, health_s):
        figures["server start → `/_stcore/health` 200"] = health_s
        t_server = time.perf_counter() - health_s
        sampler = PeakSampler(proc.pid)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for slug in PAGES:
            t0 = time.perf_counter()
            open_page(page, base, slug)
            if slug == "home":
                figures["server start → home page rendered"] = time.perf_counter() - t_server
            else:
                figures[f"first render: {slug}"] = time.perf_counter() - t0
        page.close()
        figures["server peak RSS (MB), all pages opened"] = sampler.stop() / 1e6
    return figures


def spread(values: list[float], unit: str) -> str:
    return f"{statistics.median(values):.2f}{unit} ({min(values):.2f} – {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout to time in the same run, interleaved")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout measured as 'this' (default: here)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = {"this": args.root} if args.before is None else {"before": args.before, "this": args.root}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for i in range(args.repeats):
            for name in list(trees) if i % 2 == 0 else list(trees)[::-1]:
                runs[name].append(one_run(browser, trees[name]))
                print(f"repeat {i + 1}, {name}: done", flush=True)
        browser.close()
    print(machine(), f"· n={args.repeats} · this = {args.root}" + (f" · before = {args.before}" if args.before else ""))
    first = next(iter(runs.values()))[0]
    if args.before is None:
        print(f"| figure | median (min – max), n={args.repeats} |\n|---|---|")
        for key in first:
            unit = "" if "MB" in key else " s"
            print(f"| {key} | {spread([r[key] for r in runs['this']], unit)} |")
        return
    print("| figure | before: median (min – max) | this tree | this / before (median of pairs) |")
    print("|---|---|---|---|")
    for key in first:
        unit = "" if "MB" in key else " s"
        before, this = [r[key] for r in runs["before"]], [r[key] for r in runs["this"]]
        ratio = statistics.median(t / b for t, b in zip(this, before, strict=True))
        print(f"| {key} | {spread(before, unit)} | {spread(this, unit)} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
