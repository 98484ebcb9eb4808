"""Benchmark of the out-of-distribution demo: ``python bench/bench_out_of_distribution.py``.

Prints markdown rows (figure | target | measured | how) for ``bench/RESULTS.md``: each Train button's work
(the trainings and the sweep it runs, what separates a click from the result; the page's drawing adds ~1 s),
the sweep alone, the detection scores, and a slider move of "Turn it" (transform one image, ask the model,
build both figures; target ≤ 100 ms). Then our numbers beside the papers'. Nothing asserts a time.
"""

from __future__ import annotations

import time

from common import load_average, machine, median_seconds, row, table_header  # bench/ is on sys.path

import core.demos.out_of_distribution as ood
from core.demos.out_of_distribution import detect, figures, model, shuffle, sweep, transforms
from core.training import SharedRuns


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run_jobs(jobs) -> tuple[list, float]:
    store = SharedRuns()
    start = time.perf_counter()
    results = [store.get_or_run(job.key, lambda job=job: job.run(store, None)) for job in jobs]
    return results, time.perf_counter() - start


def slider_move(trained, angle: float) -> None:
    image, label = model.test_image(trained, 7)
    shown = transforms.apply(image[None], transforms.Transform(angle=angle, zoom=0.9))[0]
    probabilities = model.classify(trained, shown)
    prov = trained.provenance("one test image")
    figures.image_figure(shown, "x", prov)
    figures.probabilities_figure(probabilities, trained.test.classes, label, prov)


def main() -> None:
    print(machine() + "\n")
    load, loaded = load_average()
    busy = f" (UNDER LOAD: load average {load:.1f})" if loaded else ""
    table_header()
    (plain, plain_frame), seconds = run_jobs(model.model_jobs(model.ModelConfig()))
    row("'Turn it': train + sweep (button)", "≤ 10 s", f"{seconds:.1f} s", f"one run{busy}")
    (aug, aug_frame), seconds = run_jobs(model.model_jobs(model.ModelConfig(augment=model.AUGMENT_DEGREES)))
    row("'Augmentation': train + sweep (button, plain model trained)", "≤ 10 s", f"{seconds:.1f} s", f"one run{busy}")
    runs, seconds = run_jobs(shuffle.jobs(shuffle.ShuffleConfig()))
    row("'Shuffle': four trainings (button)", "≤ 10 s", f"{seconds:.1f} s", f"one run{busy}")
    s = median_seconds(lambda: sweep.sweep(plain.model, plain.test), 3)
    row(f"sweep, 2,000 images x {len(sweep.ANGLES)} angles", "≤ 2 s", f"{s:.2f} s", f"median of 3{busy}")
    s = median_seconds(lambda: detect.summary(detect.scores(plain.model, plain.test)), 3)
    row("detection scores + AUROC, 2,000 images", "≤ 2 s", f"{s:.2f} s", f"median of 3{busy}")
    angles = iter(range(0, 10_000, 5))
    s = median_seconds(lambda: slider_move(plain, next(angles)), 20)
    row("'Turn it' slider move (core + figures)", "≤ 100 ms", f"{1000 * s:.0f} ms", f"median of 20{busy}")

    print("\nOurs beside the papers' (settings differ: see the page)\n")
    p, a = plain_frame.set_index("angle"), aug_frame.set_index("angle")
    print(
        f"- plain SmallCNN: test accuracy {plain.test_accuracy:.1%} (majority baseline {plain.majority_baseline:.1%})"
    )
    print(f"  at 90°: accuracy {p.accuracy[90]:.1%}, mean confidence {p.confidence[90]:.1%}")
    print(
        f"- augmented ±30°: upright {a.accuracy[0]:.1%}, 30° {a.accuracy[30]:.1%} (plain {p.accuracy[30]:.1%}), "
        f"90° {a.accuracy[90]:.1%} (plain {p.accuracy[90]:.1%})"
    )
    numbers = detect.summary(detect.scores(plain.model, plain.test))
    print(
        f"- MSP AUROC turned>45° vs upright {numbers['auroc_turned']:.3f}; wrong vs right {numbers['auroc_wrong']:.3f};"
        f" confident (>90 %) answers wrong: upright {numbers['confident_wrong_upright']:.1%}, "
        f"turned {numbers['confident_wrong_turned']:.1%}"
    )
    print("- shuffle: " + ", ".join(f"{r.describe()} {r.test_accuracy:.1%}" for r in runs))
    for paper, figure, what in ood.PUBLISHED:
        print(f"- published: {paper}: {figure} {what}")


if __name__ == "__main__":
    main()
