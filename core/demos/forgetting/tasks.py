"""The two tasks: Split Fashion-MNIST (task A = the first classes, task B = the rest), or a domain variant.

*Class-incremental* (the page's setting, Hsu et al. 2018's hardest scenario): one network with 10 outputs
learns classes 0-4 (T-shirt, trouser, pullover, dress, coat), then classes 5-9 (sandal, shirt, sneaker,
bag, ankle boot). At test time it must tell all ten apart, without being told which task an image is from.

*Domain-incremental* (the "permuted" variant): task A is all ten classes as they are; task B is the same ten
classes with every image's pixels shuffled by one fixed permutation (Goodfellow et al. 2013's permuted
MNIST). Same labels, new inputs: the old answers stay valid outputs, only the way to read the images changes.

Both come from the shipped 10k Fashion-MNIST split (1,000 images per class), cut once by a seed into
disjoint training and held-out test images per task.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch

from core import data as datasets
from core.data import ImageDataset
from core.errors import BadInput

CLASSES = 10
VARIANTS = ("classes", "permuted")  # class-incremental split / domain-incremental permuted pixels


@dataclass(frozen=True)
class SplitConfig:
    """How the two tasks are cut.

    Attributes:
        boundary: task A = classes ``0 .. boundary-1``, task B = ``boundary .. 9`` (class variant only);
            5 splits Fashion-MNIST in halves as Split MNIST's papers do; 1 or 9 leaves a task of one class.
        n_train: training images per task; 2,500 trains in ~1 s per task on 2 cores (measured) and gives
            ~85 % on task A alone. A task with fewer images (a split with one class) keeps what it has.
        n_test: held-out test images per task; 500 puts a percentage's standard error at ~2 points.
        variant: "classes" (A and B are different classes) or "permuted" (B = A's classes, pixels permuted).
        seed: which images go to training and test, and the pixel permutation.
    """

    boundary: int = 5
    n_train: int = 2_500
    n_test: int = 500
    variant: str = "classes"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise BadInput(f"the variant is one of {VARIANTS}; got {self.variant!r}")
        if not 1 <= self.boundary <= CLASSES - 1:
            raise BadInput(
                f"task A takes classes 0 .. boundary-1 and task B the rest: boundary must be 1-9 so that each "
                f"task has at least one class; got {self.boundary}"
            )
        if not 10 <= self.n_train <= 5_000 or not 10 <= self.n_test <= 1_000:
            raise BadInput(f"n_train in [10, 5,000] and n_test in [10, 1,000] per task; got {self}")

    def describe(self) -> str:
        """e.g. ``A = classes 0-4, B = classes 5-9`` or ``A = 10 classes, B = the same, pixels permuted``."""
        if self.variant == "permuted":
            return "A = 10 classes, B = the same classes with permuted pixels"
        a = "class 0" if self.boundary == 1 else f"classes 0-{self.boundary - 1}"
        b = "class 9" if self.boundary == CLASSES - 1 else f"classes {self.boundary}-9"
        return f"A = {a}, B = {b}"


@dataclass(frozen=True)
class Tasks:
    """Training and held-out test images of both tasks (read-only: shared by every run of a config).

    Attributes:
        a_train, a_test, b_train, b_test: :class:`ImageDataset` (labels 0-9 in both variants).
        a_classes, b_classes: the class indices of each task (all ten for both in the permuted variant).
    """

    a_train: ImageDataset
    a_test: ImageDataset
    b_train: ImageDataset
    b_test: ImageDataset
    a_classes: tuple[int, ...]
    b_classes: tuple[int, ...]

    @property
    def both_test(self) -> ImageDataset:
        """A's and B's test images together: the "A∪B" column of the table."""
        return concat(self.a_test, self.b_test)

    @property
    def both_train(self) -> ImageDataset:
        """A's and B's training images together: what joint training learns from."""
        return concat(self.a_train, self.b_train)


def concat(first: ImageDataset, second: ImageDataset) -> ImageDataset:
    """Two datasets of the same source, one after the other."""
    return ImageDataset(
        torch.cat([first.pixels, second.pixels]), torch.cat([first.labels, second.labels]), first.classes, first.info
    )


def _cut(task: ImageDataset, config: SplitConfig, generator: torch.Generator) -> tuple[ImageDataset, ImageDataset]:
    """A seeded ``(train, test)`` of one task: ``n_test`` held out (at most a fifth), up to ``n_train`` of the rest."""
    order = torch.randperm(len(task), generator=generator)
    n_test = min(config.n_test, len(task) // 5)
    n_train = min(config.n_train, len(task) - n_test)
    return task.subset(order[n_test : n_test + n_train]), task.subset(order[:n_test])


def permute_pixels(data: ImageDataset, permutation: torch.Tensor) -> ImageDataset:
    """``data`` with every image's 784 pixels rearranged by ``permutation`` (the same for every image)."""
    flat = data.pixels.flatten(1)[:, permutation]
    return ImageDataset(flat.reshape(data.pixels.shape), data.labels, data.classes, data.info)


@lru_cache(maxsize=4)
def split(config: SplitConfig) -> Tasks:
    """The two tasks of ``config``: disjoint images, the same for the same seed."""
    full = datasets.fashion_mnist_10k()
    generator = torch.Generator().manual_seed(config.seed)
    if config.variant == "permuted":
        # Each task gets its own half of the images (never the same image twice, once permuted).
        order = torch.randperm(len(full), generator=generator)
        half = len(full) // 2
        a_train, a_test = _cut(full.subset(order[:half]), config, generator)
        b_train, b_test = _cut(full.subset(order[half:]), config, generator)
        permutation = torch.randperm(full.pixels[0].numel(), generator=generator)
        everything = tuple(range(CLASSES))
        return Tasks(
            a_train,
            a_test,
            permute_pixels(b_train, permutation),
            permute_pixels(b_test, permutation),
            everything,
            everything,
        )
    in_a = full.labels < config.boundary
    a_train, a_test = _cut(full.subset(in_a.nonzero().squeeze(1)), config, generator)
    b_train, b_test = _cut(full.subset((~in_a).nonzero().squeeze(1)), config, generator)
    return Tasks(
        a_train, a_test, b_train, b_test, tuple(range(config.boundary)), tuple(range(config.boundary, CLASSES))
    )


def replay_buffer(a_train: ImageDataset, size: int, seed: int) -> ImageDataset:
    """``size`` of task A's training images, drawn at random (seeded): the examples kept to rehearse.

    ``size`` 0 is an empty buffer (plain sequential training); more than A has keeps all of A.
    """
    if size < 0:
        raise BadInput(f"a replay buffer holds 0 or more images; got {size}")
    order = torch.randperm(len(a_train), generator=torch.Generator().manual_seed(seed + 1))
    return a_train.subset(order[: min(size, len(a_train))])
