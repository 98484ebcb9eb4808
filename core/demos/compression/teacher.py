"""The model this page compresses: the lab's SmallCNN trained on Fashion-MNIST, stored in this page's own store.

The recipe is the out-of-distribution demo's (BatchNorm, batch 128, cosine learning rate, 2 epochs: ~86 % in
~6 s on 2 cores), trained here again and kept in this page's store: a page never reads another page's runs.
8,000 training and 2,000 test images of the shipped Fashion-MNIST 10k split (:func:`load_split`); every
variant of the page (quantised, pruned, distilled) is measured on the same 2,000 test images.

The trained model is shared by every session: the page's functions only read it and change *copies*.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core import data as datasets
from core.data import ImageDataset
from core.errors import BadInput
from core.models import CNNConfig, build_cnn
from core.provenance import Provenance
from core.training import FitResult, Job, ProgressCallback, TrainConfig, TrainedRun, fit

SLUG = "compression"
MODEL = CNNConfig(widths=(16, 32), hidden=128, batch_norm=True)  # ~207k weights, 0.8 MB in float32
TRAINING = TrainConfig(epochs=2, batch_size=128, lr=3e-3, schedule="cosine")
# Click on Train to the result, fresh server, Chromium, 2 quiet cores (2026-12-01). The model trains once for the
# whole page: ~5 s on a fresh server (its first training pays torch's and the carbon meter's start; ~2.5 s warm),
# so the first Train pressed costs that on top of its own work. bench/bench_compression.py has the parts.
PRESET_SECONDS = 5  # the model alone, added to a tab's figure below when it is not trained yet
TAB_SECONDS = {"bits": 6, "pruning": 2, "fine_tune": 2, "students": 3, "compare": 7}  # measured: 10.7 s first
# tab from cold; after it 6.0 s (pruning sweep and latencies), 4.5 s (students), 7.8 s (compare: every variant)


@dataclass(frozen=True)
class TeacherConfig:
    """Which trained model.

    Attributes:
        epochs: passes over the 8,000 training images; 2 keeps the preset within 10 s.
        seed: data split, initialisation and batch order.
    """

    epochs: int = TRAINING.epochs
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.epochs <= 20:
            raise BadInput(f"epochs must be in [1, 20]; got {self.epochs}")

    def describe(self) -> str:
        """e.g. ``SmallCNN(16,32,h128,BN), 2 epochs``."""
        return f"{MODEL.describe()}, {self.epochs} epochs"


@dataclass
class Teacher(TrainedRun):
    """A trained model and the data it was trained and measured on.

    Attributes:
        config: how it was trained.
        result: :func:`core.training.fit`'s result (the model is read-only: shared by every session).
        train: the 8,000 training images (the student learns from them too).
        test: the 2,000 test images every variant is measured on.
    """

    config: TeacherConfig
    result: FitResult
    train: ImageDataset
    test: ImageDataset

    def provenance(self, what: str) -> Provenance:
        """What a number measured on a variant of this model (``what``) is."""
        return Provenance(
            "measured",
            model=f"{self.config.describe()}; {what}",
            data=f"Fashion-MNIST 10k (shipped), {len(self.test):,} test images",
            seed=self.config.seed,
        )


def load_split(seed: int) -> tuple[ImageDataset, ImageDataset]:
    """The lab's 80/20 split of the shipped Fashion-MNIST 10k, shared with every demo (a seam for the tests)."""
    return datasets.fashion_mnist_split(seed)


def run_key(config: TeacherConfig) -> tuple:
    """Where the page's store keeps the trained model for ``config``."""
    return (SLUG, "teacher", config)


def train(
    config: TeacherConfig,
    on_progress: ProgressCallback | None = None,
    split: tuple[ImageDataset, ImageDataset] | None = None,
) -> Teacher:
    """Train the SmallCNN through :func:`core.training.fit` (``split`` replaces the shipped one in tests)."""
    train_set, test = split or load_split(config.seed)
    result = fit(
        build_cnn(MODEL, seed=config.seed),
        train_set,
        test,
        dataclasses.replace(TRAINING, epochs=config.epochs, seed=config.seed),
        demo=SLUG,
        label=f"teacher: {config.describe()}",
        on_progress=on_progress,
        shared_as=run_key(config) if split is None else None,  # a test's own split is not the preset's run
    )
    return Teacher(config, result, train_set, test)


def jobs(config: TeacherConfig) -> list[Job]:
    """What a Train button runs for the trained model: the one training."""
    # ``train`` is looked up when the job runs, so a test can stand in for it.
    return [
        Job(
            run_key(config),
            f"the model to compress, {config.describe()}",
            lambda store, on_progress=None: train(config, on_progress),
        )
    ]


def teacher_from(store, config: TeacherConfig) -> Teacher:
    """The trained model from the page's store (a job listed after :func:`jobs` finds it there)."""
    return store.get_or_run(run_key(config), lambda: train(config))
