"""Four ways to learn the target task from ``n`` labels, each one training through :func:`core.training.fit`.

* ``logistic``: logistic regression on the 784 pixels (a torch linear layer, softmax cross-entropy): the
  classical baseline, no features learned at all;
* ``cnn``: the lab's SmallCNN trained from scratch on the ``n`` images;
* ``cnn_aug``: the same, with every training image shifted at random by up to ±1 pixel each way (data
  augmentation: more *shown*, no more *labelled*), through fit's ``perturb`` hook;
* ``transfer``: a SmallCNN pretrained **once** per seed on the source task (classes 0-4, ~4,000 images),
  frozen; its convolutional features (32 maps of 7 x 7 = 1,568 numbers an image) feed a linear head trained on
  the ``n`` target images (what a network *already knows*). Not its 64 hidden units: trained to tell tops from
  trousers, they had forgotten what tells a sandal from a sneaker (measured, seed 0, k = 5: 44 % error with them,
  15 % with the convolutional features, 19 % for the CNN from scratch).

Every method gets the same budget for the same ``n``: :func:`steps` Adam steps of :data:`BATCH` images (the ``n``
images repeated, see :func:`.tasks.repeated`): at least :data:`STEPS`, so that n = 10 trains as long as n = 100,
and at least :data:`PASSES` passes over larger sets, so that the largest points are not starved (with a flat 100
steps, 3,000 images were not even seen once, and the curves flattened for that reason alone). One
(method, n, repeat, seed) is one :class:`PointConfig`: one training, one test error, one cached Job.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
from torch import nn

from core.data import ImageDataset
from core.demos.data_hunger import tasks
from core.errors import BadInput
from core.models import CNNConfig, build_cnn
from core.provenance import Provenance
from core.training import FitResult, ProgressCallback, TrainConfig, TrainedRun, fit

SLUG = "data_hunger"
METHODS = {
    "logistic": "logistic regression (pixels)",
    "cnn": "CNN from scratch",
    "cnn_aug": "CNN + augmentation",
    "transfer": "transfer (pretrained features + linear head)",
}
CNN = CNNConfig(num_classes=tasks.N_CLASSES, widths=(16, 32), hidden=64)
STEPS = 100  # Adam steps per point at least (~0.7 s for the CNN): enough for the small sets to be fitted
PASSES = 3  # passes over the n images at least: 3,000 images get 282 steps (~2 s for the CNN)
BATCH = 32  # images per step; 32 x 100 = 3,200: most of one pass over the largest training set
LR = {"logistic": 1e-2, "cnn": 2e-3, "cnn_aug": 2e-3, "transfer": 1e-2}  # linear models take larger steps
BACKBONE_EPOCHS = 2  # passes over the ~4,000 source images: ~88 % on the source task's test images
SHIFT = 1  # pixels: the augmentation's largest shift (±2 with mirroring did worse: see random_shift)


@dataclass(frozen=True)
class PointConfig:
    """One point of a learning curve.

    Attributes:
        method: a key of :data:`METHODS`.
        n: labelled target images (class-balanced; ``5 k`` for k shots).
        repeat: which draw of the ``n`` images and of the initialisation (0, 1, 2 ... for the spread).
        seed: the page's seed: the data split and the backbone; with ``repeat`` the draw and the weights.
    """

    method: str
    n: int
    repeat: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise BadInput(f"unknown method {self.method!r}; pick one of {', '.join(METHODS)}")
        if not isinstance(self.n, int) or self.n < 1:
            raise BadInput(f"the number of labelled images must be a whole number >= 1; got {self.n!r}")
        if self.repeat < 0:
            raise BadInput(f"repeat must be >= 0; got {self.repeat}")

    @property
    def draw_seed(self) -> int:
        """The seed of this point's images, initialisation and batch order (distinct for every seed and repeat)."""
        return 1_000 * self.seed + self.repeat

    def describe(self) -> str:
        """e.g. ``CNN from scratch, n = 100 (draw 0)``."""
        return f"{METHODS[self.method]}, n = {self.n:,} (draw {self.repeat})"


@dataclass(frozen=True)
class Point:
    """What one point measured (the trained model is not kept: 100 points would hold 100 networks).

    Attributes:
        config: the point.
        error: test error on the target task's held-out images, in [0, 1].
        majority: the majority-class baseline's error on the same images (1 - its accuracy).
        seconds: training time; ``energy``: fit's carbon summary of the run.
    """

    config: PointConfig
    error: float
    majority: float
    seconds: float
    energy: str


@dataclass
class Backbone(TrainedRun):
    """The network pretrained on the source task, and the target's test images seen through it.

    Attributes:
        seed: the split it was trained on (the page's seed).
        result: fit's result (``result.model`` is frozen and shared: read-only).
        test_features: its 1,568 convolutional features of every target test image, ``(N, 1568, 1, 1)`` float32
            (6 MB), stored as an :class:`ImageDataset` so a linear head is tested on them through ``fit``. The
            training images' features are computed per point, for the ``n`` images it uses: all ~4,000 would
            hold 25 MB for the whole lecture, of the lab's 690 MB.
    """

    seed: int
    result: FitResult
    test_features: ImageDataset

    @property
    def source_accuracy(self) -> float:
        return self.result.test_accuracy


def backbone_key(seed: int) -> tuple:
    """Where the page's store keeps the backbone of ``seed`` (one per seed, shared by every transfer point)."""
    return (SLUG, "backbone", seed)


def point_key(config: PointConfig) -> tuple:
    """Where the page's store keeps ``config``'s point (the learning curve and the few-shot tab share them)."""
    return (SLUG, "point", config)


class Features(nn.Module):
    """SmallCNN's convolutional body: image ``(N, 1, 28, 28)`` -> features ``(N, 32 x 7 x 7)`` (after the last pool)."""

    def __init__(self, cnn: nn.Module) -> None:
        super().__init__()
        self.cnn = cnn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.cnn
        return torch.flatten(c.pool2(c.relu2(c.conv2(c.pool1(c.relu1(c.conv1(x)))))), 1)


@torch.no_grad()
def features(backbone_model: nn.Module, data: ImageDataset, batch_size: int = 256) -> ImageDataset:
    """``data`` seen through the frozen backbone: ``(N, 1568, 1, 1)`` float features, same labels."""
    body = Features(backbone_model)
    out = torch.cat([body(data.batch(slice(i, i + batch_size))[0]) for i in range(0, len(data), batch_size)])
    return ImageDataset(out[:, :, None, None], data.labels, data.classes, data.info)


def train_backbone(
    seed: int, on_progress: ProgressCallback | None = None, parts: tasks.Halves | None = None
) -> Backbone:
    """Pretrain SmallCNN on the source task (classes 0-4) once, then compute the target images' features.

    ``parts`` replaces the shipped split (tests pass a small one).
    """
    own_parts = parts is None
    parts = parts or tasks.halves(seed)
    result = fit(
        build_cnn(CNN, seed=seed),
        parts.source_train,
        parts.source_test,
        TrainConfig(epochs=BACKBONE_EPOCHS, batch_size=64, lr=2e-3, seed=seed),
        demo=SLUG,
        label=f"backbone: {CNN.describe()} pretrained on classes 0-4",
        on_progress=on_progress,
        shared_as=backbone_key(seed) if own_parts else None,  # a test's small split is not the seed's run
    )
    return Backbone(seed, result, features(result.model, parts.target_test))


def random_shift(generator: torch.Generator, shift: int = SHIFT):
    """A ``perturb`` hook for fit: each image moved by its own random (dx, dy) in ±``shift`` pixels.

    Shifted in by zero padding (the background is black), so pixels stay in [0, 1]; the random numbers come
    from ``generator`` alone, so the same seed gives the same augmented batches. No mirroring: every shoe of
    Fashion-MNIST points left, so a mirrored one is an image the test never shows, and within the fixed budget
    of steps shifts ±2 px with mirroring *raised* the error (seed 0, 3 draws: 0.38 at n = 10 and 0.21 at 30,
    against 0.31 and 0.17 without augmentation); shifts of ±1 px alone lowered it at n = 10 and 100.
    """

    def perturb(_model, images: torch.Tensor, _labels: torch.Tensor) -> torch.Tensor:
        _, _, h, w = images.shape
        moves = torch.randint(-shift, shift + 1, (len(images), 2), generator=generator).tolist()
        padded = nn.functional.pad(images, (shift, shift, shift, shift))
        return torch.stack(
            [padded[i, :, shift + dy : shift + dy + h, shift + dx : shift + dx + w] for i, (dx, dy) in enumerate(moves)]
        )

    return perturb


def _model(method: str, seed: int, in_features: int) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if method in ("logistic", "transfer"):
            return nn.Sequential(nn.Flatten(), nn.Linear(in_features, tasks.N_CLASSES))
    return build_cnn(CNN, seed=seed)


def steps(n: int) -> int:
    """Adam steps for a point of ``n`` labelled images: ``max(STEPS, ceil(PASSES x n / BATCH))``, any method.

    E.g. 100 steps for n = 10 … 1,000 (3,200 images shown: 320 passes over 10, 3 over 1,000), 282 for 3,000.
    """
    return max(STEPS, math.ceil(PASSES * n / BATCH))


def train_point(
    config: PointConfig,
    on_progress: ProgressCallback | None = None,
    parts: tasks.Halves | None = None,
    backbone: Backbone | None = None,
) -> Point:
    """Train ``config.method`` on ``config.n`` labelled target images for :func:`steps` steps; its test error.

    ``transfer`` needs the seed's ``backbone`` (the Job passes the store's): its ``n`` images go once through the
    frozen convolutions (a forward pass outside ``fit``: no gradient, a fraction of a second, not in the ledger)
    and the linear head trains on what comes out. ``parts`` replaces the shipped split (tests pass a small one).
    """
    own_parts = parts is None
    parts = parts or tasks.halves(config.seed)
    chosen = tasks.labelled(parts.target_train, config.n, config.draw_seed)  # raises BadInput if n is too large
    test = parts.target_test
    if config.method == "transfer":
        if backbone is None:
            raise BadInput("a transfer point needs its pretrained backbone")
        chosen, test = features(backbone.model, chosen), backbone.test_features
    train_set = tasks.repeated(chosen, steps(config.n), BATCH, config.draw_seed)
    model = _model(config.method, config.draw_seed, chosen.pixels[0].numel())
    shifts = torch.Generator().manual_seed(config.draw_seed + 1)
    result = fit(
        model,
        train_set,
        test,
        TrainConfig(epochs=1, batch_size=BATCH, lr=LR[config.method], seed=config.draw_seed),
        demo=SLUG,
        label=f"learning curve: {config.describe()}",
        on_progress=on_progress,
        perturb=random_shift(shifts) if config.method == "cnn_aug" else None,
        shared_as=point_key(config) if own_parts else None,
    )
    return Point(
        config, 1.0 - result.test_accuracy, 1.0 - result.majority_baseline, result.seconds, result.carbon.summary()
    )


def provenance(seed: int, what: str = "") -> Provenance:
    """What a measured point of this page is: the methods, the data, the seed."""
    return Provenance(
        "measured",
        model=f"{CNN.describe()} / linear; max({STEPS}, {PASSES} passes) Adam steps of {BATCH} images per point",
        data=f"Fashion-MNIST 10k (shipped): classes 5-9, test images of the seed's split{'; ' + what if what else ''}",
        seed=seed,
    )


def with_seed(config: PointConfig, seed: int) -> PointConfig:
    """``config`` for another page seed."""
    return dataclasses.replace(config, seed=seed)
