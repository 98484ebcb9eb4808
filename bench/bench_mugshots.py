"""Benchmark of the "Smiling mugshots" demo: ``python bench/bench_mugshots.py``.

Prints markdown table rows (figure | target | measured | how) for ``bench/RESULTS.md``, with
the machine and date, plus the demo's measured numbers for the preset (accuracies, flip
shares, relevance in the mouth box). Times are medians; nothing here asserts a time.
"""

from __future__ import annotations

import os
import tempfile
import time

from common import machine, median_seconds, row, table_header  # bench/ is on sys.path; puts the repo there

os.environ.setdefault("DLLAB_DATA_DIR", tempfile.mkdtemp(prefix="bench_mugshots_"))  # keep the real ledger clean

from core import explain, faces  # noqa: E402
from core.demos import mugshots as mg  # noqa: E402
from core.training import predict  # noqa: E402


def megabytes(*tensors) -> float:
    """What tensors hold, in MiB (their elements, not Python's overhead)."""
    return sum(t.element_size() * t.nelement() for t in tensors) / 2**20


def main() -> None:
    print(machine() + "\n")
    table_header()
    t = median_seconds(lambda: faces.generate(2000, seed=1), 5)  # after one warm-up
    row("2,000 synthetic faces (sample + render)", "≤ 1 s", f"{t:.2f} s", "median of 5")

    config = mg.MugshotConfig()
    start = time.perf_counter()
    run = mg.train(config)
    total = time.perf_counter() - start
    row(
        "live training, preset (1,856 faces, 3 epochs)",
        "≤ 15 s",
        f"{run.result.seconds:.1f} s",
        f"fit() incl. per-epoch test; {total:.1f} s with drawing 2,456 faces; one run",
    )
    row(
        "faces a preset run holds (training + test)",
        "",
        f"{megabytes(run.train.images, run.test.images):.1f} MiB",
        "uint8 0..255 (float32 would be 4x); converted to floats only where a model reads them",
    )

    balanced = mg.balanced_test(config)
    image = balanced.floats(slice(0, 1))
    target = predict(run.model, image)
    t = median_seconds(lambda: explain.attribute_all(run.model, image, target), 5)  # after one warm-up
    row(
        "four heatmaps for one image",
        "≤ 1 s",
        f"{t * 1000:.0f} ms",
        "Saliency, IG (32 steps), Grad-CAM, LRP; median of 5",
    )
    for method in explain.METHODS:
        t = median_seconds(lambda method=method: explain.attribute(run.model, image, target, method), 5)
        row(f"  {method}, one image", "", f"{t * 1000:.0f} ms", "median of 5")
    start = time.perf_counter()
    table = mg.accuracy_table(run, balanced)
    flips = mg.flip_table(run, balanced)
    row(
        "measurements (accuracies + baselines + 3 counterfactual sets)",
        "",
        f"{time.perf_counter() - start:.2f} s",
        f"{len(balanced)} balanced faces re-rendered per toggled attribute",
    )
    start = time.perf_counter()
    shares = mg.mouth_relevance(run.model, balanced, limit=40)
    row("mouth relevance, 40 faces x 4 methods", "", f"{time.perf_counter() - start:.2f} s", "one run")

    print(
        f"\nMeasured numbers, preset ({config.describe()}, seed {config.seed}; carbon: "
        f"{run.result.carbon.summary()}):\n"
    )
    print("| test set | accuracy | balanced accuracy | majority baseline | kind | faces |\n|---|---|---|---|---|---|")
    for r in table.itertuples():
        balanced_acc = "not reported" if r.balanced_accuracy != r.balanced_accuracy else f"{r.balanced_accuracy:.1%}"
        print(
            f"| {r.test_set} | {r.accuracy:.1%} | {balanced_acc} | {r.majority_baseline:.1%} | {r.kind} | {r.faces:,} |"
        )
    print("\n| measure | value | faces |\n|---|---|---|")
    for r in flips.itertuples():
        print(f"| {r.measure} | {r.value:.1%} | {r.faces:,} |")
    print("\n| method | relevance share in mouth box | box area share |\n|---|---|---|")
    for r in shares.itertuples():
        print(f"| {r.method} | {r.share_in_mouth:.1%} | {r.area_share:.1%} |")

    print(
        "\nAccuracy follows the link (smile only; same sizes, one seed), each beside its test set's majority "
        "baseline and the balanced accuracy:\n"
    )
    print(
        "| smile link | test like training | its majority baseline | balanced accuracy | balanced test |\n"
        "|---|---|---|---|---|"
    )
    for link in (0.5, 0.7, 0.8):
        cfg = mg.MugshotConfig(smile_link=link)
        r = mg.train(cfg)
        t = mg.accuracy_table(r, mg.balanced_test(cfg))
        print(
            f"| {link:.3f} | {t['accuracy'][0]:.1%} | {t['majority_baseline'][0]:.1%} | "
            f"{t['balanced_accuracy'][0]:.1%} | {t['accuracy'][1]:.1%} |"
        )
    print(
        f"| {config.smile_link:.3f} | {table['accuracy'][0]:.1%} | {table['majority_baseline'][0]:.1%} | "
        f"{table['balanced_accuracy'][0]:.1%} | {table['accuracy'][1]:.1%} |"
    )


if __name__ == "__main__":
    main()
