"""Training: a small CNN learns "criminal" vs "non-criminal" from the faces (:mod:`core.demos.mugshots`).

Every run goes through :func:`core.training.fit` (carbon-measured, ledgered); a :class:`MugshotRun`
keeps the model with the faces it was trained and tested on, under the store key :func:`run_key`.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import faces
from core.demos.mugshots.dataset import FaceSet, MugshotConfig, test_like_training, training_set
from core.models import CNNConfig, build_cnn
from core.provenance import Provenance
from core.training import FitResult, ProgressCallback, TrainConfig, TrainedRun, fit

CNN = CNNConfig(in_channels=3, num_classes=2, image_size=faces.SIZE, widths=(8, 16), hidden=32)
# (8, 16) channels: a third of the default SmallCNN's cost at 64x64, and plenty for a mouth shape.
LR = 4e-3  # twice the lab default: the smile is learned within the first epoch, so 3 epochs suffice


@dataclass
class MugshotRun(TrainedRun):
    """A trained model with its data. ``result`` is :func:`core.training.fit`'s (model, history, carbon)."""

    config: MugshotConfig
    result: FitResult
    train: FaceSet
    test: FaceSet

    def provenance(self, what: str) -> Provenance:
        """What a number measured on ``what`` (e.g. "balanced test face 3") with this run's model is."""
        return self.result.provenance(f"synthetic faces, {what}", model=f"{CNN.describe()}, {self.config.describe()}")


def run_key(config: MugshotConfig) -> tuple:
    """Where the page's run store keeps the model trained for ``config`` (the page and the warm-up use it)."""
    return ("mugshots", config)


def train(config: MugshotConfig, on_progress: ProgressCallback | None = None) -> MugshotRun:
    """Draw the faces, train a small CNN on "criminal" vs "non-criminal" with :func:`core.training.fit`."""
    train_set, test = training_set(config), test_like_training(config)
    model = build_cnn(CNN, seed=config.seed)
    result = fit(
        model,
        train_set.dataset(),
        test.dataset(),
        TrainConfig(epochs=config.epochs, lr=LR, seed=config.seed),
        demo="mugshots",
        label=f"SmallCNN on synthetic faces, {config.describe()}",
        on_progress=on_progress,
        shared_as=run_key(config),
    )
    return MugshotRun(config, result, train_set, test)
