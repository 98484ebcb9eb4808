"""The subject: a model whose right answer for an explanation is known (:mod:`core.demos.explanations`).

The Clever Hans experiment (:mod:`core.demos.clever_hans`) stamps a white "TAG" in the bottom-left
corner of one class's training images; a model trained on it reads the tag. Here *every* training
pullover carries the tag, so the tag alone decides: an explanation of "Pullover" for a tagged image
should put its relevance on the tag's box. That known truth is what lets this page test explanations.

Three subjects, each trained here through :func:`core.training.fit` (its own run store, never
another page's): the tag CNN, the same CNN on clean data, and a tag MLP (no convolution: Grad-CAM
has no layer to look at, and the page says so instead of failing).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.data import ImageDataset
from core.demos.clever_hans.experiment import class_index, load_split, stamp_tag, tag_box, tag_mask, with_tags
from core.errors import BadInput
from core.models import MLP, CNNConfig, build_cnn
from core.provenance import Provenance
from core.training import FitResult, ProgressCallback, TrainConfig, TrainedRun, fit, predict_proba

SLUG = "explanations"
TAGGED_CLASS = "Pullover"  # as on the Clever Hans page: easily confused with Coat and Shirt, a shortcut tempts
# label -> (architecture, share of the tagged class's training images with the tag)
SUBJECTS = {
    "tag CNN": ("cnn", 1.0),
    "clean CNN": ("cnn", 0.0),
    "tag MLP (no convolution)": ("mlp", 1.0),
}
# Click on Train to the grid on screen: the tag CNN (1 epoch of 8,000 images; fit 3.5 s measured here under the other
# helper's load, ~1.1 s quiet on the Clever Hans page) plus the seven-map grid (~1-2 s). An ESTIMATE until re-measured
# on a quiet machine (bench/bench_explanations.py, bench_warmup.py --cold).
PRESET_SECONDS = 5


@dataclass(frozen=True)
class SubjectConfig:
    """One model to explain.

    Attributes:
        subject: a key of :data:`SUBJECTS` (architecture and tag share).
        epochs: one pass over the 8,000 training images: ~83 % test accuracy, and the tag is learnt.
        seed: split, tagged images, initialisation and batch order.
    """

    subject: str = "tag CNN"
    epochs: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.subject not in SUBJECTS:
            raise BadInput(f"unknown model {self.subject!r}; choose one of {', '.join(SUBJECTS)}")
        if not 1 <= self.epochs <= 5:
            raise BadInput(f"epochs must be in [1, 5], got {self.epochs}")

    @property
    def architecture(self) -> str:
        return SUBJECTS[self.subject][0]

    @property
    def fraction(self) -> float:
        return SUBJECTS[self.subject][1]

    def describe(self) -> str:
        tags = f"every '{TAGGED_CLASS}' tagged" if self.fraction else "no tags"
        return f"{self.subject}, {tags}, {self.epochs} epoch(s)"


@dataclass
class Subject(TrainedRun):
    """A trained model and the clean test split it is explained on.

    Attributes:
        config: what was trained.
        result: :func:`core.training.fit`'s result (model, history, carbon).
        test: the clean Fashion-MNIST test split (2,000 images, no tags: the page stamps them).
        cls: index of the tagged class ('Pullover').
    """

    config: SubjectConfig
    result: FitResult
    test: ImageDataset
    cls: int

    def describe_model(self) -> str:
        if self.config.architecture == "cnn":
            return self.model.config.describe()
        return f"MLP(784-{self.model.hidden_size}-10)"

    def provenance(self, what: str, source: str = "") -> Provenance:
        prov = self.result.provenance(
            f"Fashion-MNIST 10k (shipped), {what}", model=f"{self.describe_model()}, {self.config.describe()}"
        )
        return prov.but(source=source) if source else prov

    def image(self, index: int, tagged: bool = True) -> tuple[torch.Tensor, int]:
        """The ``index``-th test image of the tagged class ``(1, 1, 28, 28)``, with the tag stamped if ``tagged``;
        and the class it is explained for (the tagged class: the known truth is about it)."""
        members = (self.test.labels == self.cls).nonzero().squeeze(1)
        if not 0 <= index < len(members):
            raise BadInput(f"image {index} does not exist: there are {len(members)} test images of the class")
        image = self.test.images[members[index]].unsqueeze(0)
        return (stamp_tag(image) if tagged else image), self.cls

    def probability(self, images: torch.Tensor) -> torch.Tensor:
        """``(N,)`` the model's probability of the tagged class."""
        return predict_proba(self.model, images)[:, self.cls]


def box() -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` of the tag on a 28 x 28 image."""
    return tag_box(28, 28)


def mask() -> torch.Tensor:
    """``(28, 28)`` bool: True inside the tag's box."""
    return tag_mask(28, 28)


def run_key(config: SubjectConfig) -> tuple:
    """Where this page's run store keeps the model trained for ``config``."""
    return (SLUG, "subject", config)


def train(config: SubjectConfig, on_progress: ProgressCallback | None = None) -> Subject:
    """Stamp the tag on the chosen share of pullovers (Clever Hans' functions), train with :func:`fit`."""
    train_clean, test = load_split("fashion", config.seed)
    cls = class_index(train_clean, TAGGED_CLASS)
    train_set, _ = with_tags(train_clean, cls, config.fraction, config.seed)
    test_like_train, _ = with_tags(test, cls, config.fraction, config.seed + 1)
    if config.architecture == "cnn":
        model = build_cnn(CNNConfig(widths=(8, 16), batch_norm=True), seed=config.seed)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            model = MLP(128)  # no convolution: Grad-CAM has no layer to look at
    result = fit(
        model,
        train_set,
        test_like_train,
        TrainConfig(epochs=config.epochs, seed=config.seed),
        demo=SLUG,
        label=config.describe(),
        on_progress=on_progress,
        shared_as=run_key(config),
    )
    return Subject(config, result, test, cls)
