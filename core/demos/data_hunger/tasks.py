"""The two halves of Fashion-MNIST, and the few labels a method is given.

The lab's split of the shipped Fashion-MNIST 10k (:func:`core.data.fashion_mnist_split`: 8,000 training and
2,000 test images) is cut by class:

* the **source** task, classes 0-4 (T-shirt, trouser, pullover, dress, coat): ~4,000 labelled training images
  a backbone is pretrained on, once (the "related task" of transfer learning);
* the **target** task, classes 5-9 (sandal, shirt, sneaker, bag, ankle boot), relabelled 0-4: the 5-class
  problem every method of the learning curves and the few-shot tab is measured on, tested on the ~1,000 held-out
  images of those classes. Its training half holds ~4,000 images: that is where the learning curve's x axis
  must stop (the shipped split has no more; the full 60,000-image set is not shipped).

Labelled subsets are drawn class by class in turn (sandal, shirt, sneaker, bag, boot, sandal, ...), so ``n``
images hold ``n // 5`` or ``n // 5 + 1`` of each class and ``k`` per class is exactly ``n = 5 k``.

A budget of gradient steps, not of epochs: :func:`repeated` lays ``n`` images end to end in fresh random
orders until ``steps x batch`` images are reached, and :func:`core.training.fit` makes one pass over that. With
10 images, an epoch would be one gradient step and the network would not train; with a floor of steps every
small size gets the same optimisation and differs only in what it is shown (``methods.steps``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import torch

from core import data as datasets
from core.data import ImageDataset
from core.errors import BadInput

SOURCE_CLASSES = (0, 1, 2, 3, 4)  # pretraining only
TARGET_CLASSES = (5, 6, 7, 8, 9)  # the task measured
N_CLASSES = len(TARGET_CLASSES)


@dataclass(frozen=True)
class Halves:
    """The source and target tasks of one seed's split (read-only: shared by every session).

    Attributes:
        source_train, source_test: classes 0-4, labels 0-4.
        target_train, target_test: classes 5-9, relabelled 0-4 (class names kept in ``classes``).
    """

    source_train: ImageDataset
    source_test: ImageDataset
    target_train: ImageDataset
    target_test: ImageDataset


def _select(data: ImageDataset, classes: tuple[int, ...]) -> ImageDataset:
    """The images of ``classes``, relabelled 0 .. len(classes)-1 (new tensors: the shared split is never written)."""
    keep = torch.isin(data.labels, torch.tensor(classes))
    relabel = torch.full((len(data.classes),), -1, dtype=torch.int64)
    relabel[list(classes)] = torch.arange(len(classes))
    labels = relabel[data.labels[keep]]
    names = tuple(data.classes[c] for c in classes)
    return ImageDataset(data.pixels[keep], labels, names, data.info)


@lru_cache(maxsize=2)
def halves(seed: int) -> Halves:
    """Source and target tasks of the lab's Fashion-MNIST split for ``seed`` (cached, read-only)."""
    train, test = datasets.fashion_mnist_split(seed)
    return Halves(
        _select(train, SOURCE_CLASSES),
        _select(test, SOURCE_CLASSES),
        _select(train, TARGET_CLASSES),
        _select(test, TARGET_CLASSES),
    )


def balanced_order(labels: torch.Tensor, seed: int) -> torch.Tensor:
    """All indices of ``labels``, in an order that takes each class in turn (each class shuffled by ``seed``).

    The first ``n`` indices hold ``n // K`` or ``n // K + 1`` images of each of the K classes while every class
    still has images left; once the smallest class is used up, the others continue in turn.
    """
    pick = torch.Generator().manual_seed(seed)
    per_class = [torch.nonzero(labels == c).squeeze(1) for c in labels.unique().tolist()]
    per_class = [idx[torch.randperm(len(idx), generator=pick)] for idx in per_class]
    rounds = max(len(idx) for idx in per_class)
    order = [idx[r] for r in range(rounds) for idx in per_class if r < len(idx)]
    return torch.stack(order)


def labelled(data: ImageDataset, n: int, seed: int) -> ImageDataset:
    """``n`` labelled images of ``data``, class-balanced, drawn by ``seed`` (the learning curve's x value)."""
    if not isinstance(n, int) or n < 1:
        raise BadInput(f"the number of labelled images must be a whole number >= 1; got {n!r}")
    if n > len(data):
        raise BadInput(
            f"{n:,} labelled images asked for, but the training set of this task holds only {len(data):,} "
            "(classes 5-9 of the shipped 8,000-image split)"
        )
    return data.subset(balanced_order(data.labels, seed)[:n])


def few_shot(data: ImageDataset, k: int, seed: int) -> ImageDataset:
    """``k`` labelled images of each class (``k`` shots), drawn by ``seed``."""
    if not isinstance(k, int) or k < 1:
        raise BadInput(f"k examples per class must be a whole number >= 1 (k = {k!r} gives nothing to learn from)")
    smallest = int(torch.bincount(data.labels).min())
    if k > smallest:
        raise BadInput(f"k = {k:,} per class asked for, but the smallest class has only {smallest:,} training images")
    return labelled(data, k * N_CLASSES, seed)


def repeated(data: ImageDataset, steps: int, batch_size: int, seed: int) -> ImageDataset:
    """``data`` laid end to end in fresh random orders, ``steps x batch_size`` images: one pass = ``steps`` steps.

    Each image appears ``steps x batch_size / n`` times (±1). Shapes: pixels ``(steps x batch, C, H, W)``.
    """
    pick = torch.Generator().manual_seed(seed)
    total = steps * batch_size
    copies = math.ceil(total / len(data))
    index = torch.cat([torch.randperm(len(data), generator=pick) for _ in range(copies)])[:total]
    return data.subset(index)
