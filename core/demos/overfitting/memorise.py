"""Networks memorise noise: a network fits labels shuffled at random as perfectly as true ones, and learns nothing.

Zhang, Bengio, Hardt, Recht & Vinyals (2017), "Understanding deep learning requires rethinking
generalization", ICLR (arXiv:1611.03530). Their Table 1 trains Inception, AlexNet and MLPs (1 x 512
and 3 x 512 hidden units) on CIFAR-10 with random labels: every one reaches 100 % training accuracy
(or nearly) while the test accuracy is chance, ~10 %. Their Fig. 1a draws the training loss of true
labels, random labels, shuffled and random pixels: all reach zero; Fig. 1b shows the time to fit
growing with the share of corrupted labels "only by a small constant factor"; Fig. 1c the test error
rising with that share towards chance. The paper's finding, in their words: "deep neural networks
easily fit random labels".

Here, live: an MLP with one hidden layer of 512 units (the paper's "MLP 1x512", on 28 x 28 images
instead of CIFAR-10's 32 x 32 x 3) on 500 Fashion-MNIST images, a seeded share of whose labels is
shuffled among themselves (the class counts stay the same). Trained with the lab's
:func:`core.training.fit` (Adam, measured and ledgered), tested on 2,000 other images with their true
labels, beside the majority-class baseline of that test set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import plotly.graph_objects as go
import torch

from core import data as datasets
from core import plots
from core.data import ImageDataset
from core.errors import BadInput
from core.models import MLP
from core.provenance import Provenance
from core.training import FitResult, Job, ProgressCallback, TrainConfig, TrainedRun, accuracy, fit

ZHANG_2017 = (
    "Zhang, Bengio, Hardt, Recht & Vinyals 2017, 'Understanding deep learning requires rethinking "
    "generalization', ICLR (arXiv:1611.03530), Table 1 and Fig. 1"
)
ZHANG_2017_FINDING = (
    "Published (Zhang et al. 2017, CIFAR-10): Inception, AlexNet and MLPs fit random labels to 100 % "
    "training accuracy (Table 1) with test accuracy at chance, ~10 %; fitting random labels takes "
    "'only a small constant factor' longer than true labels (Fig. 1b)."
)
# Zhang et al. print no single ratio: their Fig. 1b plots the steps to fit against the share of
# corrupted labels, and summaries of that figure read random labels as 1.5-3.5x the steps of true
# ones. Shown beside our ratio as that: a reading of a figure, not a number from the text.
ZHANG_2017_SLOWDOWN = (1.5, 3.5)
# The page's preset buttons: label -> share of training labels shuffled; the warm-up trains each one.
# Click on Train to the curves on screen, one preset, fresh 2-core server, Chromium (2026-12-01, quiet machine):
# 5.9 s, of which ~3 s of training (80 epochs of 8 batches; the rest is the carbon meter's start and the drawing).
PRESET_SECONDS = 6
PRESETS = {"True labels": 0.0, "Half shuffled": 0.5, "All shuffled": 1.0}
CHANCE = 0.1  # ten classes


@dataclass(frozen=True)
class MemoriseConfig:
    """One run: how many labels are shuffled, on how much data, for how long.

    Attributes:
        shuffled: share of training labels shuffled among themselves, in [0, 1]; 1 = Zhang's random labels.
        n_train: training images; 500 is few enough to memorise in seconds, enough for ~80 % on true labels.
        n_test: test images with their true labels, disjoint from training; 2,000 puts chance's spread at ~1 point.
        epochs: 80 passes take every share, 100 % shuffled included, to 100 % training accuracy (measured:
            fewer left 92 % at 40 epochs); ~4 s of training on 2 quiet cores.
        hidden: units of the one hidden layer; 512 as in the paper's MLP 1x512.
        batch_size: 64: 8 updates an epoch, the fastest of 16/32/64 to memorise here (measured).
        lr: Adam's learning rate; the lab's 2e-3.
        seed: which images, which labels are shuffled, initialisation and batch order.
    """

    shuffled: float = 1.0
    n_train: int = 500
    n_test: int = 2_000
    epochs: int = 80
    hidden: int = 512
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.shuffled <= 1.0:
            raise BadInput(f"shuffled is a share of the labels, in [0, 1]; got {self.shuffled}")
        if self.n_train < 10 or self.n_test < 10 or self.n_train + self.n_test > 10_000:
            raise BadInput(
                f"n_train and n_test must be at least 10 and add up to at most 10,000 (the shipped split); "
                f"got {self.n_train} + {self.n_test}"
            )
        if not 1 <= self.epochs <= 500 or self.hidden < 1 or self.batch_size < 1 or self.lr <= 0:
            raise BadInput(f"epochs in [1, 500], hidden and batch_size >= 1 and lr > 0; got {self}")

    def describe(self) -> str:
        """e.g. ``50 % of 500 labels shuffled, 80 epochs``."""
        return f"{self.shuffled:.0%} of {self.n_train} labels shuffled, {self.epochs} epochs"


@lru_cache(maxsize=2)
def load_split(n_train: int, n_test: int, seed: int) -> tuple[ImageDataset, ImageDataset]:
    """Seeded, disjoint ``(train, test)`` subsets of the shipped Fashion-MNIST split (true labels; read-only)."""
    full = datasets.fashion_mnist_10k()
    order = torch.randperm(len(full), generator=torch.Generator().manual_seed(seed))
    return full.subset(order[:n_train]), full.subset(order[n_train : n_train + n_test])


def shuffle_labels(data: ImageDataset, share: float, seed: int) -> tuple[ImageDataset, torch.Tensor]:
    """``data`` with a seeded ``share`` of its labels permuted among those images; and which were picked ``(N,)``.

    A permutation keeps every class's count; about a tenth of the picked images keep their own label by chance.
    """
    pick = torch.Generator().manual_seed(seed)
    chosen = torch.randperm(len(data), generator=pick)[: int(round(share * len(data)))]
    labels = data.labels.clone()
    labels[chosen] = labels[chosen][torch.randperm(len(chosen), generator=pick)]
    picked = torch.zeros(len(data), dtype=torch.bool)
    picked[chosen] = True
    return ImageDataset(data.pixels, labels, data.classes, data.info), picked


@dataclass
class MemoriseRun(TrainedRun):
    """A trained run.

    Attributes:
        config: the run's settings.
        result: :func:`core.training.fit`'s result; ``history`` has ``train_acc`` (on the labels trained on,
            counted during each epoch) and ``test_acc`` (true labels) per epoch.
        train_accuracy: accuracy on the training images and the labels trained on, measured after training.
        true_label_accuracy: accuracy on the training images' *true* labels after training.
    """

    config: MemoriseConfig
    result: FitResult
    train_accuracy: float
    true_label_accuracy: float

    def provenance(self, what: str) -> Provenance:
        """What a number measured on ``what`` (e.g. "2,000 test images") of this run is."""
        return self.result.provenance(
            f"Fashion-MNIST 10k (shipped), {what}", model=f"MLP(784-{self.config.hidden}-10), {self.config.describe()}"
        ).but(source=ZHANG_2017)


def run_key(config: MemoriseConfig) -> tuple:
    """Where the page's run store keeps the run for ``config`` (the page and the warm-up use it)."""
    return ("overfitting", "memorise", config)


def train(config: MemoriseConfig, on_progress: ProgressCallback | None = None) -> MemoriseRun:
    """Shuffle the share of labels, train the MLP with :func:`core.training.fit`, measure what it fitted."""
    clean, test = load_split(config.n_train, config.n_test, config.seed)
    noisy, _ = shuffle_labels(clean, config.shuffled, config.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = MLP(config.hidden)
    result = fit(
        model,
        noisy,
        test,
        TrainConfig(epochs=config.epochs, batch_size=config.batch_size, lr=config.lr, seed=config.seed),
        demo="overfitting",
        label=f"memorise: {config.describe()}",
        on_progress=on_progress,
        shared_as=run_key(config),
    )
    return MemoriseRun(config, result, accuracy(result.model, noisy), accuracy(result.model, clean))


def epochs_to_fit(run: MemoriseRun, level: float = 0.95) -> int | None:
    """The first epoch whose training accuracy (during the epoch) reached ``level``; None if none did.

    The ratio of this for shuffled and true labels is our counterpart of Zhang et al.'s slowdown (Fig. 1b).
    """
    return next((int(h["epoch"]) for h in run.result.history if h["train_acc"] >= level), None)


def slowdown(shuffled: MemoriseRun, true_labels: MemoriseRun, level: float = 0.95) -> float | None:
    """How many times more epochs ``shuffled`` took than ``true_labels`` to fit its labels to ``level``.

    Our counterpart of Zhang et al.'s Fig. 1b: both runs must share everything but the shuffled
    share (same images, model, seed), or the ratio compares more than labels. None when either run
    never reached ``level``.
    """
    if replace(shuffled.config, shuffled=0.0) != true_labels.config or true_labels.config.shuffled:
        raise BadInput("the slowdown compares a run with the same run on true labels (only the shuffled share differs)")
    slow, fast = epochs_to_fit(shuffled, level), epochs_to_fit(true_labels, level)
    return slow / fast if slow and fast else None


def jobs(config: MemoriseConfig) -> list[Job]:
    """What the page's Train button runs for ``config``: the one training."""
    # ``train`` is looked up when the job runs, so a test can stand in for it.
    return [
        Job(
            run_key(config),
            f"Memorise: {config.describe()}",
            lambda store, on_progress=None: train(config, on_progress),
        )
    ]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the tab for ``seed``, in the order of its buttons."""
    return [job for share in PRESETS.values() for job in jobs(MemoriseConfig(shuffled=share, seed=seed))]


def curves_figure(run: MemoriseRun, provenance: Provenance) -> go.Figure:
    """Training and test accuracy per epoch, with chance and the test set's majority-class baseline."""
    history = run.result.history
    epochs = [h["epoch"] for h in history]
    fig = plots.figure(
        title=f"{run.config.shuffled:.0%} of labels shuffled: training {run.train_accuracy:.0%}, "
        f"test {run.test_accuracy:.0%}",
        xaxis_title="epoch",
        yaxis=dict(title="accuracy (%)", range=[0, 105]),
        legend_below=True,
        margin_t=70,
    )
    fig.add_scatter(
        x=epochs,
        y=[100 * h["train_acc"] for h in history],
        mode="lines",
        name="training accuracy (labels trained on)",
        line_color=plots.BLUE,
    )
    fig.add_scatter(
        x=epochs,
        y=[100 * h["test_acc"] for h in history],
        mode="lines",
        name="test accuracy (true labels)",
        line_color=plots.VERMILION,
    )
    majority = 100 * run.result.majority_baseline
    span = [epochs[0], epochs[-1]]
    fig.add_scatter(
        x=span, y=[100 * CHANCE] * 2, mode="lines", name="chance (10 classes)", line=dict(color=plots.GREY, dash="dot")
    )
    fig.add_scatter(
        x=span,
        y=[majority] * 2,
        mode="lines",
        name=f"majority-class baseline ({majority:.1f} %)",
        line=dict(color=plots.BLACK, dash="dash"),
    )
    return plots.finish(fig, provenance)
