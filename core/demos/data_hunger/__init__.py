"""Test error falls only as a slow power of the number of labelled examples; what a network learned on related data buys the few-label end of the curve.

The data-hunger lesson of Vitay's deck 001 ("Data is never infinite": ImageNet's 14 M images, the deeper the
network the more data it needs; remedies: augmentation, transfer, self-supervised pre-training; DQN's 200 M
frames, AlphaStar's 200 years, a child's one example), with decks 002 and 004's figures. Here, live, on the
lab's Fashion-MNIST split cut in two: a backbone pretrained once on classes 0-4, and the 5-class problem of
classes 5-9 (sandal, shirt, sneaker, bag, ankle boot) learned from n labels by four methods.

1. *Learning curves*: test error against n on log-log axes for logistic regression on pixels, the CNN from
   scratch, with augmentation, and transfer; a power law fitted per method with its 95 % interval, beside
   Hestness et al. 2017's range of exponents.
2. *Few shots*: k = 1, 5, 10 labelled examples per class, the CNN from scratch against transferred features,
   several draws each, beside the majority class.
3. *Orders of magnitude*: the decks' figures on one log axis, each with its unit and source, beside ours.

What is where (``import core.demos.data_hunger as dh`` reaches the modules):

* :mod:`.tasks`: the source and target halves, class-balanced draws of n labels or k shots, images laid end to end for a budget of steps;
* :mod:`.methods`: the four methods, the pretrained backbone, one point's training (:func:`~.methods.train_point`);
* :mod:`.curves`: sweeps, the power-law fit and its interval, Hestness et al.'s range;
* :mod:`.magnitudes`: the decks' figures and their chart; :mod:`.figures`: the curves and the few-shot chart;
* here: the presets, the few-shot table, :func:`jobs` and :func:`warm_up_jobs` (the Train buttons, the warm-up).

Every point is its own Job in the page's store, keyed by its configuration: a sweep stopped halfway keeps the
points it finished, never half of one (a point is stored only once its training has returned), and pressing
Train again trains only the missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.demos.data_hunger import curves, figures, magnitudes, methods, tasks
from core.demos.data_hunger.curves import SweepConfig
from core.demos.data_hunger.methods import Point, PointConfig, backbone_key, point_key
from core.errors import BadInput
from core.training import Job

SLUG = methods.SLUG
# The learning-curve tab's preset: the two cheap methods (linear layers; the CNNs cost ~1 s a point) at all six
# sizes, one draw, plus the backbone; the full sweep adds both CNNs and three draws. Click on Train to the result,
# cold page and store, AppTest, one torch thread, 2 cores shared with another job (load ~3.8; 2026-12-01,
# bench/bench_data_hunger.py): preset 4.3 s, few shots 5.9 s, the full sweep after the preset 41 s. With torch's
# default 2 threads on that loaded machine: 16 s and 50 s (its threads spin against the other job); one thread
# at load 8: 11.6 s, 13.9 s and 62 s. Quiet (load ~1.3, 2 threads, after the 3-pass floor of methods.steps):
# preset 2.6 s, few shots 3.3 s, full sweep 34 s; in Chromium from a fresh server, the preset 7.6 s.
PRESET = SweepConfig()
FULL = SweepConfig(methods=tuple(methods.METHODS), repeats=3)
PRESET_SECONDS = 5
FULL_SECONDS = 35
SHOTS = (1, 5, 10)  # the few-shot tab's choices of k
PRESET_SHOTS = 5
SHOT_METHODS = ("cnn", "transfer")
SHOT_REPEATS = 3
SHOT_SECONDS = 6


@dataclass(frozen=True)
class FewShotConfig:
    """k labelled examples of each of the 5 target classes, for the CNN from scratch and for transfer.

    Attributes:
        k: examples per class (n = 5 k), 1 to 50 (the page offers 1, 5, 10).
        repeats: draws of the k examples (and initialisations); the chart shows each and their mean.
        seed: the page's seed.
    """

    k: int = PRESET_SHOTS
    repeats: int = SHOT_REPEATS
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.k, int) or self.k < 1:
            raise BadInput(f"k examples per class must be a whole number >= 1 (k = {self.k!r} gives nothing to learn)")
        if self.k > 50:
            raise BadInput(f"k = {self.k} per class is no longer few-shot: the learning curves tab goes up to 3,000")
        if not 1 <= self.repeats <= 10:
            raise BadInput(f"repeats must be between 1 and 10; got {self.repeats}")

    def points(self) -> list[PointConfig]:
        return [
            PointConfig(method, tasks.N_CLASSES * self.k, repeat, self.seed)
            for repeat in range(self.repeats)
            for method in SHOT_METHODS
        ]


def point_jobs(points: list[PointConfig]) -> list[Job]:
    """One Job per point, after the backbone of every seed a transfer point needs (itself a Job, trained once)."""
    seeds = sorted({p.seed for p in points if p.method == "transfer"})
    backbone_jobs = [
        Job(
            backbone_key(seed),
            f"backbone pretrained on classes 0-4 (seed {seed})",
            lambda store, on_progress=None, seed=seed: methods.train_backbone(seed, on_progress),
        )
        for seed in seeds
    ]

    def run(config: PointConfig):
        def go(store, on_progress=None):
            backbone = None
            if config.method == "transfer":  # the job before trained it (or another sweep did)
                backbone = store.get_or_run(backbone_key(config.seed), lambda: methods.train_backbone(config.seed))
            return methods.train_point(config, on_progress, backbone=backbone)

        return go

    return backbone_jobs + [Job(point_key(p), p.describe(), run(p)) for p in points]


def jobs(config: SweepConfig | FewShotConfig) -> list[Job]:
    """What a Train button runs for ``config``: the backbone if needed, then every point."""
    return point_jobs(config.points())


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset for ``seed``: the full learning-curve sweep (it holds the quick one) and k = 1, 5, 10."""
    every = [*SweepConfig(methods=FULL.methods, repeats=FULL.repeats, seed=seed).points()]
    every += [p for k in SHOTS for p in FewShotConfig(k=k, seed=seed).points()]
    unique = list(dict.fromkeys(every))  # a point shared by two views is trained once
    return point_jobs(unique)


def trained(results: list) -> list[Point]:
    """The points among a gate's results (the backbone comes first when there is one)."""
    return [r for r in results if isinstance(r, Point)]


def shots_frame(points: list[Point]) -> pd.DataFrame:
    """Few-shot results: method, k, draw, accuracy and the majority-class error of the test images."""
    table = curves.frame(points)
    table["k"] = table.n // tasks.N_CLASSES
    table["accuracy"] = 1.0 - table.error
    return table


__all__ = [
    "FULL",
    "FewShotConfig",
    "PRESET",
    "Point",
    "PointConfig",
    "SweepConfig",
    "curves",
    "figures",
    "jobs",
    "magnitudes",
    "methods",
    "point_jobs",
    "shots_frame",
    "tasks",
    "trained",
    "warm_up_jobs",
]
