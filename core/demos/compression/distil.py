"""A smaller student: train a small MLP to copy the trained CNN's answers, soft ones included.

Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the knowledge in a neural network", NIPS Deep
Learning Workshop, arXiv:1503.02531, §2): the teacher's probabilities at a temperature ``T``,
``softmax(z_teacher / T)``, are the student's targets. At ``T = 1`` they are nearly one-hot; a higher ``T``
spreads them, so the student also learns which wrong classes the teacher finds *close* (a shirt looks more like
a T-shirt than like a boot): "dark knowledge". The student's loss on a batch is

    T² x cross-entropy(softmax(z_student / T), softmax(z_teacher / T))

(the ``T²`` keeps the gradients' size independent of ``T``, §2). At very large ``T`` this tends to matching the
logits (§2.1): still finite, still learnable. Hinton et al. also add the hard labels with a small weight; here
the soft targets alone, so "hard vs soft" compares just the targets.

The students: an MLP 784-``hidden``-10 (64 hidden units: ~51k weights, a quarter of the CNN's ~207k), trained
through :func:`core.training.fit` for the same number of epochs either on the labels ("hard") or on the
teacher's soft labels ("soft"), through fit's ``objective`` hook; the teacher answers each batch as it comes.

Published (§3, MNIST, a different setting): a large net (2 x 1200 units, dropout, jittered images) made
67 test errors of 10,000; a small net (2 x 800 units) trained alone 146; the same small net trained on the
large one's soft targets at T = 20 made 74 (:data:`HINTON_2015`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.demos.compression.teacher import SLUG, Teacher
from core.errors import BadInput
from core.models import MLP
from core.training import FitResult, ProgressCallback, TrainConfig, fit

HINTON_2015 = {"large net": 67, "small net alone": 146, "small net distilled (T = 20)": 74}
HINTON_SOURCE = "Hinton, Vinyals & Dean 2015, arXiv:1503.02531, §3 (MNIST, 10,000 test images)"
MAX_TEMPERATURE = 1000.0
TEMPERATURES = (1, 2, 4, 8, 20)  # the page's slider stops; 20 is Hinton et al.'s MNIST temperature


@dataclass(frozen=True)
class StudentConfig:
    """One student.

    Attributes:
        soft: learn the teacher's soft labels (True) or the data's labels (False).
        temperature: T of the soft labels, in (0, 1000]; ignored for hard labels. 4 is a common choice
            for a small student (Hinton et al. used 20 for their larger one on MNIST).
        hidden: the MLP's hidden units; 64 is a quarter of the CNN's weights.
        epochs: passes over the 8,000 training images, as the teacher's 2 plus one: an MLP is fast.
        seed: initialisation and batch order (the same for hard and soft: only the targets differ).
    """

    soft: bool = True
    temperature: float = 4.0
    hidden: int = 64
    epochs: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        t = self.temperature
        if not (isinstance(t, (int, float)) and math.isfinite(t) and 0 < t <= MAX_TEMPERATURE):
            raise BadInput(f"the temperature must be a number in (0, {MAX_TEMPERATURE:g}]; got {t}")
        if not 1 <= self.hidden <= 4096 or not 1 <= self.epochs <= 20:
            raise BadInput(f"hidden in [1, 4096] and epochs in [1, 20]; got {self}")

    def describe(self) -> str:
        """e.g. ``MLP(784-64-10), soft labels at T = 4, 3 epochs``."""
        how = f"soft labels at T = {self.temperature:g}" if self.soft else "hard labels"
        return f"MLP(784-{self.hidden}-10), {how}, {self.epochs} epochs"


def soft_targets(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``softmax(logits / T)``: ``(N, K)`` probabilities, flatter as ``T`` grows (uniform as T -> inf)."""
    return torch.softmax(logits / temperature, dim=1)


def distillation_loss(student_logits: torch.Tensor, targets: torch.Tensor, temperature: float) -> torch.Tensor:
    """``T² x`` the cross-entropy of the student's tempered softmax against ``targets`` ``(N, K)`` (a mean).

    With one-hot ``targets`` and ``T = 1`` this is exactly the usual cross-entropy on the labels.
    """
    return temperature**2 * F.cross_entropy(student_logits / temperature, targets)


def build_student(config: StudentConfig) -> MLP:
    """A freshly initialised student; the same seed gives the same weights for hard and soft."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return MLP(config.hidden)


def train_student(
    teacher: Teacher,
    config: StudentConfig,
    on_progress: ProgressCallback | None = None,
    targets=None,
) -> FitResult:
    """Train a student through :func:`core.training.fit` on the teacher's training images.

    Args:
        teacher: the trained CNN (only read, in eval mode, without gradients).
        config: hard or soft labels, the temperature.
        targets: ``targets(x, y) -> (N, K)`` probabilities instead of the teacher's soft labels (tests pass
            one-hot labels); None: ``soft_targets(teacher(x), T)``.
    """
    custom_targets = targets  # a test's targets are not the page's run: not shared
    if targets is None:

        def targets(x, y):
            with torch.no_grad():
                return soft_targets(teacher.model(x), config.temperature)

    objective = (lambda z, x, y: distillation_loss(z, targets(x, y), config.temperature)) if config.soft else None
    return fit(
        build_student(config),
        teacher.train,
        teacher.test,
        TrainConfig(epochs=config.epochs, batch_size=128, lr=3e-3, schedule="cosine", seed=config.seed),
        demo=SLUG,
        label=f"student: {config.describe()}",
        on_progress=on_progress,
        objective=objective,
        shared_as=run_key(teacher.config, config) if custom_targets is None else None,
    )


def run_key(teacher_config, config: StudentConfig) -> tuple:
    """Where the page's store keeps a student (hard-label students ignore T: one key for them all)."""
    if not config.soft:
        config = StudentConfig(soft=False, hidden=config.hidden, epochs=config.epochs, seed=config.seed)
    return (SLUG, "student", teacher_config, config)
