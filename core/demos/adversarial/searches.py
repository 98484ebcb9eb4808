"""The searches: one-pixel and SimBA on one image, and the universal perturbation and the patch, each with its control.

A universal perturbation or a sticker is learned once on :data:`LEARN_IMAGES` *training*
images and measured on the unseen test images, beside a random control of the same size
(random ±ε noise, a random sticker): the gap is the attack, not the size of the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from core import attacks
from core.data import ImageDataset
from core.demos.adversarial.classifier import load_split
from core.demos.adversarial.single import predicted_class
from core.training import predict

if TYPE_CHECKING:
    from core.demos.adversarial.classifier import AttackRun

ONE_PIXEL_BUDGET = dict(max_iter=30, population=200)  # ~0.5 s per image on 2 cores; the paper: 100 x 400
LEARN_IMAGES = 2000  # training images the universal perturbation and the patch are learned on


def one_pixel_search(run: AttackRun, index: int, pixels: int) -> attacks.SearchResult:
    """The one-pixel attack on test image ``index``, moving it off the model's own answer (page budget)."""
    return attacks.one_pixel(
        run.model,
        run.test.batch(index)[0],
        predicted_class(run, index),
        pixels,
        seed=run.preset.seed,
        **ONE_PIXEL_BUDGET,
    )


def simba_search(run: AttackRun, index: int, eps: float, budget: int, seed: int = 0) -> attacks.SearchResult:
    """SimBA on test image ``index``: ``±eps`` per pixel, at most ``budget`` queries, off the model's own answer."""
    return attacks.simba(run.model, run.test.batch(index)[0], predicted_class(run, index), eps, budget, seed)


def _learning_split(run: AttackRun) -> ImageDataset:
    return run.train if run.train is not None else load_split(run.preset.seed)[0]


def random_sign_delta(like: torch.Tensor, eps: float, seed: int) -> torch.Tensor:
    """The control for a universal δ: random ±ε on every pixel, the same shape, L∞ and L2 as ``like``'s box."""
    signs = torch.randint(0, 2, like.shape, generator=torch.Generator().manual_seed(seed)).to(like.dtype)
    return eps * (signs * 2 - 1)


@dataclass(frozen=True)
class Controlled:
    """An attack learned once and its random control of the same size.

    Attributes:
        perturbation: the universal δ ``(1, C, H, W)``, or the sticker ``(C, s, s)``.
        rate: the attack's measured rate on the unseen test images (fooling or success rate).
        control_rate: the same measure for the random control (±ε noise, or a random sticker).
    """

    perturbation: torch.Tensor
    rate: float
    control_rate: float


def universal_with_control(run: AttackRun, eps: float, steps: int = 100) -> Controlled:
    """A universal δ learned on :data:`LEARN_IMAGES` training images; its fooling rate on the test split vs ±ε noise."""
    images, labels = _learning_split(run).batch(slice(0, LEARN_IMAGES))
    delta = attacks.universal_perturbation(run.model, images, labels, eps, steps=steps, seed=run.preset.seed)
    noise = random_sign_delta(delta, eps, run.preset.seed)
    images = run.test.images
    return Controlled(
        delta, attacks.fooling_rate(run.model, images, delta), attacks.fooling_rate(run.model, images, noise)
    )


def universal_examples(run: AttackRun, delta: torch.Tensor, n: int = 5) -> tuple[torch.Tensor, list[tuple[int, int]]]:
    """The first ``n`` test images and, for each, the model's class ``(before, after)`` adding ``delta``."""
    examples = run.test.batch(slice(0, n))[0]
    before = predict(run.model, examples).tolist()
    after = predict(run.model, torch.clamp(examples + delta, 0, 1)).tolist()
    return examples, list(zip(before, after))


def patch_with_control(run: AttackRun, target: int, size: int, steps: int = 300) -> Controlled:
    """A sticker for ``target`` learned on :data:`LEARN_IMAGES` training images; success on the test split vs a random one."""
    images = _learning_split(run).batch(slice(0, LEARN_IMAGES))[0]
    sticker = attacks.adversarial_patch(
        run.model, images, target, size=size, steps=steps, step_size=0.02, seed=run.preset.seed
    )
    noise = torch.rand(sticker.shape, generator=torch.Generator().manual_seed(run.preset.seed))
    (images, labels), seed = run.test.batch(slice(None)), run.preset.seed
    return Controlled(
        sticker,
        attacks.patch_success(run.model, images, labels, sticker, target, seed),
        attacks.patch_success(run.model, images, labels, noise, target, seed),
    )


@dataclass(frozen=True)
class PatchExample:
    """One test image where the sticker worked (or image 0 when it worked on none)."""

    index: int
    pasted: torch.Tensor  # (C, H, W): the image with the sticker on it
    hits: int  # of the first ``first`` test images (not of the target class), how many it turned
    first: int


def patch_example(run: AttackRun, sticker: torch.Tensor, target: int, seed: int, first: int = 100) -> PatchExample:
    """Paste ``sticker`` at random places on the first ``first`` test images; the first that becomes ``target``."""
    images, labels = run.test.batch(slice(0, first))
    rows, cols = attacks.random_places(
        len(images), images.shape[-1], sticker.shape[-1], torch.Generator().manual_seed(seed)
    )
    pasted = attacks.paste(images, sticker, rows, cols)
    hits = (predict(run.model, pasted) == target) & (labels != target)
    index = int(hits.nonzero()[0]) if hits.any() else 0
    return PatchExample(index, pasted[index], int(hits.sum()), len(images))
