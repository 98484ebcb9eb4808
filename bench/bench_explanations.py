"""Benchmark of the explanations demo: ``python bench/bench_explanations.py``.

Prints markdown rows (figure | target | measured | how) for ``bench/RESULTS.md``: the preset model's
training (through fit), the seven-method grid for one image (target <= 2 s; LIME and KernelSHAP 200
samples each, 4-pixel patches), each tab's computation (stability: 5 seeds; sanity cascade: 7 steps of
the five deterministic methods; deletion; the surrogate trees), and a sample-count slider move. Then the
demo's numbers on the preset (tag CNN, seed 0, test pullover #0 with the tag). Medians; nothing asserts.
"""

from __future__ import annotations

import time

from common import machine, median_seconds, row, table_header  # bench/ is on sys.path

from core.demos.explanations import compare, faithfulness, model, sanity, stability, surrogate


def main() -> None:
    print(machine())
    start = time.perf_counter()
    subject = model.train(model.SubjectConfig())
    train_s = time.perf_counter() - start
    image, cls = subject.image(0, tagged=True)
    settings = compare.Settings()
    net = subject.model
    compare.attribute_all(net, image, cls, settings)  # captum, sklearn, scipy imported once
    table_header()
    row("train the tag CNN (fit, 1 epoch, 8,000 images)", "≤ 10 s with the grid", f"{train_s:.1f} s", "once")
    grid = median_seconds(lambda: compare.attribute_all(net, image, cls, settings), repeat=5)
    row("seven-method grid, one image (LIME/SHAP 200 samples)", "≤ 2 s", f"{grid:.2f} s", "median of 5")
    for method in compare.METHODS:
        s = median_seconds(lambda m=method: compare.attribute(net, image, cls, m, settings), repeat=5)
        row(f"  {method}", "", f"{1000 * s:.0f} ms", "median of 5")
    slow = compare.Settings(lime_samples=2_000, shap_samples=2_000)
    s = median_seconds(lambda: compare.attribute_all(net, image, cls, slow), repeat=1, warm_up=False)
    row("grid at the slider's maximum (2,000 samples)", "message shown above 1,000", f"{s:.1f} s", "1 run")
    s = median_seconds(lambda: stability.spread(stability.reruns(net, image, cls, settings), 4), repeat=3)
    row("stable or not: LIME, KernelSHAP, IG, Occlusion x 5 seeds", "≤ 10 s", f"{s:.1f} s", "median of 3")
    s = median_seconds(lambda: sanity.cascade(net, image, cls, settings), repeat=3)
    row("sanity cascade (7 steps x 5 methods)", "≤ 10 s", f"{s:.1f} s", "median of 3")
    maps, _ = compare.attribute_all(net, image, cls, settings)
    s = median_seconds(lambda: faithfulness.deletion_curves(net, image, cls, maps), repeat=5)
    row("deletion curves (7 methods + random, 21 steps)", "≤ 1 s", f"{1000 * s:.0f} ms", "median of 5")
    s = median_seconds(lambda: surrogate.fidelity_by_depth(subject), repeat=3)
    row("surrogate trees, depth 1-10", "≤ 10 s", f"{s:.1f} s", "median of 3")

    print("\nNumbers on the preset (tag CNN, seed 0, test pullover #0 with the tag):")
    print(f"test accuracy {subject.result.test_accuracy:.1%}, majority {subject.result.majority_baseline:.1%}")
    names, matrix = compare.rank_correlation(maps)
    print("Spearman matrix", names)
    print(matrix.round(2))
    print(faithfulness.tag_shares(maps, model.mask()).round(3).to_string(index=False))
    print(
        faithfulness.deletion_area(faithfulness.deletion_curves(net, image, cls, maps)).round(3).to_string(index=False)
    )
    print(stability.spread(stability.reruns(net, image, cls, settings), 4).round(2).to_string(index=False))
    similarity, output, _ = sanity.cascade(net, image, cls, settings)
    print(similarity.pivot(index="step", columns="method", values="spearman").round(2).to_string())
    print(output.round(3).to_string(index=False))
    print(surrogate.fidelity_by_depth(subject)[0].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
