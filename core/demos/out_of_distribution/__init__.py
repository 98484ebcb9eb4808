"""A classifier that is ~86 % accurate on its test set is confidently wrong on the same objects turned, shifted, shrunk or recoloured, and augmentation only covers the range it was shown.

Vitay's deck 001: networks "cannot extrapolate" and fail on new viewpoints; data augmentation is the remedy,
as far as it goes. Deck 000: out-of-distribution inputs and domain shift. Deck 003 (Dieuleveut): an MLP
"would work similarly on any permutation of the pixels". Four tabs, every model trained live through
:func:`core.training.fit` on the shipped Fashion-MNIST 10k split (8,000 training, 2,000 test images):

1. *Turn it*: one test image turned, shifted, zoomed, recoloured by sliders, the prediction live; the sweep of
   accuracy and mean confidence over 0-180° on the 2,000 test images (the headline: confidence stays high
   while accuracy collapses to the majority-class baseline and below).
2. *Augmentation covers what it saw*: the same network trained on random rotations of ±30°: robust inside
   that range, not outside it.
3. *Knowing that it does not know*: the maximum softmax probability as an out-of-distribution score
   (Hendrycks & Gimpel 2017), its AUROC for turned vs upright images, and how often a confident answer is wrong.
4. *Shuffle the pixels*: one fixed permutation of the pixels; the MLP does not care, the CNN loses its edge.

Published figures beside ours, each checked against the paper's abstract (the settings differ: ImageNet
photos and 3-D renderings, not Fashion-MNIST): :data:`PUBLISHED`.

What is where:

* :mod:`.transforms`: rotation, shift, zoom, contrast, inversion (torch's ``affine_grid``; torchvision as the
  tests' oracle) and the random rotations used for augmentation;
* :mod:`.model`: the classifier, its split, its training, the Train button's jobs;
* :mod:`.sweep`: accuracy and confidence against the angle, and its figure;
* :mod:`.detect`: maximum softmax probability, AUROC, confident mistakes;
* :mod:`.shuffle`: the pixel permutation and the four trainings;
* :mod:`.figures`: the pictures (one image, its probabilities, permuted images);
* here: :func:`warm_up_jobs`, every preset the lecture warm-up trains.
"""

from __future__ import annotations

from core.demos.out_of_distribution import detect, figures, model, shuffle, sweep, transforms
from core.demos.out_of_distribution.model import AUGMENT_DEGREES, ModelConfig
from core.training import Job

# Published figures shown beside ours: (what, number, where in the paper). Checked against each abstract.
PUBLISHED = (
    (
        "Alcorn et al. 2019, 'Strike (with) a pose', CVPR (arXiv:1811.11553)",
        "97 %",
        "of the pose space of 3-D objects that Inception-v3 recognises in their canonical pose is misclassified "
        "(abstract)",
    ),
    (
        "Barbu et al. 2019, 'ObjectNet', NeurIPS",
        "40-45 %",
        "drop in object detectors' performance on photos with random rotations, viewpoints and backgrounds, "
        "against their performance on other benchmarks (abstract)",
    ),
    (
        "Engstrom et al. 2019, 'Exploring the landscape of spatial robustness', ICML (arXiv:1712.02779)",
        "rotations and translations alone",
        "fool state-of-the-art classifiers; data augmentation 'offers relatively small robustness' (abstract)",
    ),
)


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the page for ``seed``: the plain and the augmented model with their sweeps, the four
    shuffle trainings."""
    plain, augmented = ModelConfig(seed=seed), ModelConfig(augment=AUGMENT_DEGREES, seed=seed)
    return [*model.model_jobs(plain), *model.model_jobs(augmented), *shuffle.jobs(shuffle.ShuffleConfig(seed=seed))]


__all__ = ["PUBLISHED", "detect", "figures", "model", "shuffle", "sweep", "transforms", "warm_up_jobs"]
