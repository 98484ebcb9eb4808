"""Shuffle the pixels: one fixed permutation of the 784 pixels, applied to every image, training and test.

Dieuleveut's deck (003): a multilayer perceptron "would work similarly on any permutation of the pixels".
Its first layer connects every pixel to every unit, so a fixed reordering of the inputs is only a reordering
of its weights: nothing it can learn is lost. A convolution looks at 3 x 3 neighbourhoods: its built-in
assumption (neighbouring pixels belong together) is exactly what the permutation destroys, so the CNN loses
its edge. To a person the permuted images are noise; to the MLP they are the same problem.

Four trainings through :func:`core.training.fit`, small enough for the preset (4,000 training images,
2 epochs): MLP and CNN, each on real and on permuted images, tested on the same 2,000 test images
(permuted the same way for the permuted models).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from core.data import ImageDataset
from core.demos.out_of_distribution.model import SLUG, TRAINING, load_split
from core.errors import BadInput
from core.models import MLP, CNNConfig, build_cnn
from core.training import FitResult, Job, ProgressCallback, TrainedRun, fit

ARCHITECTURES = ("MLP", "CNN")
CNN = CNNConfig(widths=(16, 32), hidden=128, batch_norm=True)  # tab 1's network
# Click on Train to the result, fresh server, Chromium, 2 quiet cores (2026-12-01): 6.9 s for the four trainings.
PRESET_SECONDS = 7


@dataclass(frozen=True)
class ShuffleConfig:
    """The four runs of the tab.

    Attributes:
        n_train: training images (of tab 1's 8,000): 4,000 keep four trainings within the preset's time.
        epochs: 2 passes: enough for both networks to separate (measured; see bench/).
        hidden: the MLP's hidden units.
        seed: the split, the permutation, initialisation and batch order.
    """

    n_train: int = 4_000
    epochs: int = 2
    hidden: int = 256
    seed: int = 0

    def __post_init__(self) -> None:
        if not 100 <= self.n_train <= 8_000 or not 1 <= self.epochs <= 20 or self.hidden < 1:
            raise BadInput(f"n_train in [100, 8000], epochs in [1, 20], hidden >= 1; got {self}")


def permutation(seed: int, pixels: int = 28 * 28) -> torch.Tensor:
    """A seeded permutation of ``range(pixels)``: where each pixel of the shuffled image is read from."""
    return torch.randperm(pixels, generator=torch.Generator().manual_seed(seed))


def permute(data: ImageDataset, order: torch.Tensor) -> ImageDataset:
    """``data`` with every image's pixels reordered by ``order`` (the same order for every image)."""
    n, c, h, w = data.pixels.shape
    if len(order) != h * w or not torch.equal(order.sort().values, torch.arange(h * w)):
        raise BadInput(f"the order must be a permutation of the {h * w} pixels")
    shuffled = data.pixels.reshape(n, c, h * w)[:, :, order].reshape(n, c, h, w)
    return ImageDataset(shuffled, data.labels, data.classes, data.info)


def unpermute(images: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """The inverse of :func:`permute` on a tensor ``(N, C, H, W)``: the original images back."""
    n, c, h, w = images.shape
    back = torch.empty_like(images.reshape(n, c, h * w))
    back[:, :, order] = images.reshape(n, c, h * w)
    return back.reshape(n, c, h, w)


@dataclass
class ShuffleRun(TrainedRun):
    """One of the four runs: which network, on which pixels, and fit's result."""

    architecture: str
    permuted: bool
    config: ShuffleConfig
    result: FitResult

    def describe(self) -> str:
        return f"{self.architecture} on {'permuted' if self.permuted else 'real'} pixels"


def split(config: ShuffleConfig, permuted: bool) -> tuple[ImageDataset, ImageDataset]:
    """Tab 1's split, the first ``n_train`` training images; both parts permuted if asked."""
    train, test = load_split(config.seed)
    train = train.subset(slice(0, config.n_train))
    if not permuted:
        return train, test
    order = permutation(config.seed)
    return permute(train, order), permute(test, order)


def train(
    architecture: str, permuted: bool, config: ShuffleConfig, on_progress: ProgressCallback | None = None
) -> ShuffleRun:
    """Train one of the four networks through :func:`core.training.fit`."""
    if architecture not in ARCHITECTURES:
        raise BadInput(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    train_set, test = split(config, permuted)
    if architecture == "CNN":
        model = build_cnn(CNN, seed=config.seed)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            model = MLP(config.hidden)
    result = fit(
        model,
        train_set,
        test,
        dataclasses.replace(TRAINING, epochs=config.epochs, seed=config.seed),
        demo=SLUG,
        label=f"shuffle: {architecture} on {'permuted' if permuted else 'real'} pixels",
        on_progress=on_progress,
        shared_as=run_key(architecture, permuted, config),
    )
    return ShuffleRun(architecture, permuted, config, result)


def run_key(architecture: str, permuted: bool, config: ShuffleConfig) -> tuple:
    return (SLUG, "shuffle", architecture, permuted, config)


def jobs(config: ShuffleConfig) -> list[Job]:
    """The four trainings, in the order of the results table."""
    return [
        Job(
            run_key(arch, permuted, config),
            f"{arch} on {'permuted' if permuted else 'real'} pixels",
            lambda store, on_progress=None, arch=arch, permuted=permuted: train(arch, permuted, config, on_progress),
        )
        for arch in ARCHITECTURES
        for permuted in (False, True)
    ]


def figure(runs: list[ShuffleRun], majority: float, provenance):
    """Test accuracy of the four runs: two bars per network, real and permuted pixels, and the majority line."""
    from core import plots

    fig = plots.figure(
        title="Same pixels, another order: the MLP does not notice, the CNN does",
        yaxis=dict(title="test accuracy (%)", range=[0, 100]),
        barmode="group",
        legend_below=True,
        margin_t=70,
    )
    for permuted, colour in ((False, plots.BLUE), (True, plots.ORANGE)):
        chosen = [r for r in runs if r.permuted == permuted]
        fig.add_bar(
            x=[r.architecture for r in chosen],
            y=[100 * r.test_accuracy for r in chosen],
            name="permuted pixels" if permuted else "real pixels",
            marker_color=colour,
            text=[f"{100 * r.test_accuracy:.1f} %" for r in chosen],
            textposition="outside",
        )
    # The baseline as a line across the plot, named in the legend (an empty trace in its style): written on
    # the plot, its label sat on top of the CNN's bar.
    baseline = dict(color=plots.GREY, dash="dot")
    fig.add_hline(y=100 * majority, line=baseline)
    fig.add_scatter(
        x=[None], y=[None], mode="lines", line=baseline, name=f"majority-class baseline ({100 * majority:.1f} %)"
    )
    return plots.finish(fig, provenance)
