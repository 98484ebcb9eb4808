"""Benchmark of the "Bias in word embeddings" demo: ``python bench/bench_word_embeddings.py``.

Prints markdown table rows (figure | target | measured | how) to paste into
``bench/RESULTS.md``, with the machine and date. Times are medians of several runs;
nothing here asserts a time (timings belong in a report, not in a test).

With ``WEFE_PYTHON=/path/to/python`` (an interpreter where ``pip install wefe`` worked;
WEFE, Badilla et al. 2020, pins numpy <= 1.26.4 so it needs its own virtual
environment), the same ten WEATs on the same vectors and word lists also run through
WEFE, to compare speed and numbers. Its effect size uses the population SD (n), ours the sample SD (n - 1)
as Caliskan et al.'s code, so its d is ours times sqrt(n / (n - 1)); its p-value
draws each "permutation" with replacement (``rng.choice`` without ``replace=False``),
unseeded, so it is a different (bootstrap-like) null distribution.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import REPO, machine, median_seconds, ms, row, table_header  # bench/ is on sys.path

from core.demos import word_embeddings as eb

COLD_START = """
import json, time
t0 = time.perf_counter()
from core.glove import load_glove
import pyarrow.parquet  # a library the app loads anyway: its code is not "memory for the vectors"
t1 = time.perf_counter()
def rss():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
before, _ = rss()
emb = load_glove()
t2 = time.perf_counter()
after, peak = rss()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "ready": t2 - t0,
                  "rss_extra": after - before, "peak_extra": peak - before}))
"""


def cold_starts(runs: int = 3) -> dict[str, float]:
    """Fresh interpreters: time from `import core.glove` to vectors ready, and memory."""
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD_START],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        results.append(json.loads(out.stdout))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> None:
    print(f"{machine()}, numpy {np.__version__}\n")
    table_header()

    cold = cold_starts()
    row(
        "vectors ready after first use (fresh process)",
        "≤ 1 s",
        f"{cold['ready']:.2f} s",
        f"import core.glove + pyarrow {cold['import']:.2f} s + load_glove() {cold['load']:.2f} s, "
        "median of 3 fresh processes",
    )
    row(
        "extra RSS for the vectors",
        "≤ 200 MB",
        f"{cold['rss_extra']:.0f} MB (peak {cold['peak_extra']:.0f} MB)",
        "VmRSS after - before load_glove(); peak from VmHWM",
    )

    emb = eb.load_glove()
    row("load_glove(), warm file cache", "", f"{median_seconds(eb.load_glove, 3):.2f} s", "median of 3")

    for method in eb.ANALOGY_METHODS:
        t = median_seconds(lambda method=method: eb.analogy(emb, "man", "king", "woman", method=method), 50)
        row(f"analogy {method}, all 400k words, top 10 + input ranks", "≤ 50 ms", ms(t), "warm, median of 50")
    t = median_seconds(lambda: eb.neighbours(emb, "nurse", k=10), 50)
    row("nearest neighbours, all 400k words", "≤ 50 ms", ms(t), "warm, median of 50")

    config = eb.WeatConfig()
    t = median_seconds(lambda: eb.run_all_weats(emb, config=config), 5)
    row(
        "all ten WEATs with p-values",
        "≤ 2 s",
        f"{t:.2f} s",
        f"exact ≤ {config.exact_max_partitions:,} splits (WEAT 6-10), else Monte Carlo "
        f"{config.mc_samples:,} samples (WEAT 1-5), seed {config.seed}; median of 5",
    )

    direction = eb.gender_direction(emb)
    t = median_seconds(lambda: eb.gender_direction(emb), 20)
    row("gender direction (PCA of 10 pairs)", "", ms(t), "median of 20")
    t = median_seconds(lambda: eb.profession_projections(emb, direction), 10)
    row("projections of the 320 professions", "", ms(t), "median of 10")
    t = median_seconds(lambda: eb.generate_analogies(emb, direction), 3)
    gen = eb.GenerationConfig()
    row(
        "she-he analogy generation",
        "",
        f"{t:.2f} s",
        f"{gen.vocab_limit:,} most frequent words, δ = {gen.delta}, top {gen.top_n}; median of 3",
    )
    t = median_seconds(lambda: eb.hard_debias(emb), 3)
    row("hard debias (neutralise + equalise), all 400k words", "", f"{t:.2f} s", "median of 3; +80 MB per copy")
    debiased = eb.hard_debias(emb).embeddings
    start = time.perf_counter()
    recovery = eb.gender_recovery(emb, debiased)
    row(
        "Gonen & Goldberg recovery (k-means + SVM)",
        "",
        f"{time.perf_counter() - start:.2f} s",
        f"first call, includes importing scikit-learn; k-means {recovery.cluster_before:.1%} → "
        f"{recovery.cluster_after:.1%}, SVM {recovery.classify_before:.1%} → {recovery.classify_after:.1%}",
    )

    print("\nWEAT effect sizes (ours on GloVe 6B 50d vs Caliskan et al. 2017, Table 1, GloVe 840B):\n")
    print("| test | d here | p here | d paper | p paper | missing | name collisions |")
    print("|---|---|---|---|---|---|---|")
    reports = eb.run_all_weats(emb)
    for r in reports:
        res = r.result
        missing = ", ".join(w for ws in r.missing.values() for w in ws)
        print(
            f"| {r.title} | {res.effect_size:.2f} | {res.p_text()} ({res.p_method}) | {r.paper_d:.2f} | "
            f"{r.paper_p} | {missing} | {', '.join(r.collisions)} |"
        )
    compare_with_wefe(emb, reports)


WEFE_SCRIPT = """
import json, sys, time
import numpy as np
import wefe
from gensim.models import KeyedVectors
from wefe.metrics import WEAT
from wefe.query import Query
from wefe.word_embedding_model import WordEmbeddingModel

data, tests = np.load(sys.argv[1]), json.load(open(sys.argv[2]))
kv = KeyedVectors(vector_size=data["vectors"].shape[1])
kv.add_vectors([str(w) for w in data["words"]], data["vectors"])
model, metric = WordEmbeddingModel(kv, "GloVe 6B 50d"), WEAT()
queries = [Query([t["X"], t["Y"]], [t["A"], t["B"]], ["X", "Y"], ["A", "B"]) for t in tests]
start = time.perf_counter()
d = [metric.run_query(q, model, return_effect_size=True)["effect_size"] for q in queries]
d_seconds = time.perf_counter() - start
p = {}
for number in (6, 1):
    start = time.perf_counter()
    value = metric.run_query(queries[number - 1], model, calculate_p_value=True,
                             p_value_iterations=int(sys.argv[3]))["p_value"]
    p[number] = [value, time.perf_counter() - start]
print(json.dumps({"version": wefe.__version__, "d": d, "d_seconds": d_seconds, "p": p}))
"""


def compare_with_wefe(emb: eb.Embeddings, reports, iterations: int = 1_000) -> None:
    """Same tests, vectors and word lists through WEFE, in the interpreter named by WEFE_PYTHON.

    WEFE 1.0.1 pins numpy <= 1.26.4 and scipy < 1.13, so it cannot live in the lab's
    environment (numpy 2.4, pyarrow needs numpy 2): install it in a separate virtual
    environment and point WEFE_PYTHON at its python.
    """
    python = os.environ.get("WEFE_PYTHON")
    if not python:
        print(
            "\nWEFE comparison skipped: set WEFE_PYTHON to a python with `pip install wefe` "
            "(it pins numpy <= 1.26.4, so it needs its own virtual environment)."
        )
        return
    import tempfile

    tests = [
        {"X": list(r.result.X), "Y": list(r.result.Y), "A": list(r.result.A), "B": list(r.result.B)} for r in reports
    ]
    words = sorted({w for t in tests for key in "XYAB" for w in t[key]})
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(Path(tmp) / "vectors.npz", words=np.array(words), vectors=emb.matrix(words).astype(np.float32))
        (Path(tmp) / "tests.json").write_text(json.dumps(tests))
        out = subprocess.run(
            [python, "-c", WEFE_SCRIPT, str(Path(tmp) / "vectors.npz"), str(Path(tmp) / "tests.json"), str(iterations)],
            capture_output=True,
            text=True,
        )
    if out.returncode:
        print(f"\nWEFE comparison failed: {out.stderr.strip().splitlines()[-1:]}")
        return
    wefe = json.loads(out.stdout)
    start = time.perf_counter()
    for r in reports:  # effect sizes only, like WEFE's run without p-value
        s_x, s_y = (
            eb.association(emb, r.result.X, r.result.A, r.result.B),
            eb.association(emb, r.result.Y, r.result.A, r.result.B),
        )
        (s_x.mean() - s_y.mean()) / np.concatenate([s_x, s_y]).std(ddof=1)
    ours_d_seconds = time.perf_counter() - start
    print(f"\nWEFE {wefe['version']} on the same vectors and word lists (run in {python}):\n")
    print("| test | d here (sample SD, n - 1) | d WEFE (population SD) | d here × sqrt(n / (n - 1)) |")
    print("|---|---|---|---|")
    for r, d in zip(reports, wefe["d"]):
        n = len(r.result.X) + len(r.result.Y)
        print(
            f"| {r.title.split(':')[0]} | {r.result.effect_size:.4f} | {d:.4f} | "
            f"{r.result.effect_size * (n / (n - 1)) ** 0.5:.4f} |"
        )
    print("\n| figure | ours | WEFE |\n|---|---|---|")
    print(f"| ten effect sizes, no p-value | {ms(ours_d_seconds)} | {ms(wefe['d_seconds'])} |")
    for number, (p_wefe, wefe_seconds) in wefe["p"].items():
        result = reports[int(number) - 1].result
        config = eb.WeatConfig(exact_max_partitions=0, mc_samples=iterations)
        start = time.perf_counter()
        p_ours = eb.permutation_p_value(result.s_x, result.s_y, config)[0]
        ours_seconds = time.perf_counter() - start
        print(
            f"| WEAT {number} p-value, {iterations:,} random splits | {ms(ours_seconds)} (p = {p_ours:.2g}) | "
            f"{ms(wefe_seconds)} (p = {p_wefe:.2g}; draws with replacement, unseeded) |"
        )


if __name__ == "__main__":
    main()
