"""Accuracy as the budget ε grows: FGSM, PGD-7 and random ±ε noise of the same size, beside the published figure.

The control is the point: random ±ε noise has the same L∞ (and, before clipping, the same L2)
as FGSM, and barely hurts; the crafted direction destroys accuracy. Drawn by
:func:`core.demos.adversarial.figures.curves_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from core import attacks, baselines
from core.provenance import Provenance
from core.training import ProgressCallback

if TYPE_CHECKING:
    from core.demos.adversarial.classifier import AttackRun

EPSILONS = (0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25)
# Held-out test images per curve: the gap between attack and noise is ~50 points, 300 images resolve 1/3 of a
# point; 500 took 7.4 s (quiet), 300 keep the curves and the defence button nearer the 10 s budget.
CURVE_IMAGES = 300
CURVE_PGD_STEPS = 7  # PGD-7 (Madry et al. use 7 steps when training on CIFAR-10)

GOODFELLOW_2015 = (
    "Goodfellow, Shlens & Szegedy 2015, 'Explaining and Harnessing Adversarial Examples', ICLR: "
    "shallow softmax/maxout network on MNIST, FGSM at ε = 0.25"
)
GOODFELLOW_ERROR = 0.894  # published: 89.4 % error on FGSM examples at ε = 0.25 (maxout network, MNIST)
GOODFELLOW_EPS = 0.25
GOODFELLOW_ADV_TRAINED_ERROR = 0.179  # published: 17.9 % error on FGSM examples after adversarial training


def measure_curves(run: AttackRun, on_progress: ProgressCallback | None = None) -> pd.DataFrame:
    """FGSM, PGD-7 and the random ±ε control on the first :data:`CURVE_IMAGES` test images, at each of :data:`EPSILONS`."""
    images, labels = run.test.batch(slice(0, CURVE_IMAGES))  # converts only these rows to float
    return attacks.epsilon_curves(
        run.model,
        images,
        labels,
        EPSILONS,
        pgd_steps=CURVE_PGD_STEPS,
        seed=run.preset.seed,
        on_progress=on_progress,
    )


def curves_majority(run: AttackRun) -> float:
    """Accuracy of always answering the commonest class of the curves' images: the floor drawn under them."""
    return baselines.majority_baseline(run.test.labels[:CURVE_IMAGES])


def curves_provenance(run: AttackRun, defence_drawn: bool) -> Provenance:
    """The curves' provenance; it mentions the dashed lines of the defence only when they are drawn."""
    data = f"{CURVE_IMAGES} held-out Fashion-MNIST test images"
    return run.provenance(data + ("; dashed: the adversarially trained twin" if defence_drawn else ""))
