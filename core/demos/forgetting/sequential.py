"""Learn task A, then task B with the same network: accuracy on A's held-out images, every few batches, falls to ~0.

Two trainings through :func:`core.training.fit` (Adam, measured and ledgered): a fresh MLP on task A, then
the *same* network (a copy of it, so the A model stays available to every other remedy) on task B. Every
``eval_every`` batches, in both phases, a callback measures accuracy on A's and B's held-out test images:
the curves of the page. In the class-incremental split, A's curve drops from ~85 % to ~0 within the first
batches of B: nothing in B's loss asks the network to keep answering A's classes, so it learns that the
answer is always one of B's (McCloskey & Cohen 1989 called it catastrophic interference).

The model is an MLP without dropout or batch normalisation: it computes the same function in train and eval
mode, so measuring it inside fit's training loop (in train mode) is an honest measurement.

The jobs: ``phase_a`` trains A once per configuration (its key: :func:`phase_a_key`); each remedy's job
(:func:`run_key`) reads that run from the page's store and continues it on B (or, for joint training,
trains a fresh MLP on A and B together).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from core.demos.forgetting import remedies, tasks
from core.demos.forgetting.remedies import Remedy
from core.errors import BadInput
from core.training import FitResult, Job, ProgressCallback, SharedRuns, TrainConfig, fit, predict

SLUG = "forgetting"
# live(label, points): called with the run's name and its curve so far after each measurement, so a page can
# redraw the curve while the network trains.
LiveCurve = Callable[[str, list[dict]], None]
# Test images per task behind each point of the curves (the table uses all of them): 250 puts a point's standard
# error at ~3 points of accuracy, and ~40 measurements cost ~10 % of the training time (measured).
CURVE_IMAGES = 250


class MLP(nn.Module):
    """784 pixels -> ``hidden`` ReLU -> ``hidden`` ReLU -> 10 logits: Hsu et al.'s "MLP 2x400" when hidden = 400.

    No dropout, no batch normalisation: train and eval mode compute the same thing (see the module's docstring).
    """

    def __init__(self, hidden: int = 400, pixels: int = 28 * 28, classes: int = 10) -> None:
        super().__init__()
        self.hidden_size = hidden
        self.layers = nn.Sequential(
            nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(torch.flatten(x, 1))

    def describe(self) -> str:
        return f"MLP(784-{self.hidden_size}-{self.hidden_size}-10)"


@dataclass(frozen=True)
class ForgettingConfig:
    """The experiment: which split, which network, how long on each task.

    Attributes:
        boundary, variant, n_train, n_test: the tasks (see :class:`.tasks.SplitConfig`).
        epochs: passes over each task's training set; 2 takes task A to ~85 % (measured, 2,500 images).
            Joint training makes as many passes over A∪B: the same images, the same number of updates.
        hidden: units per hidden layer; 256 (Hsu et al.'s MLP has 400: 256 trains ~1.8x faster here for ~1 point).
        batch_size: 64, the lab's default: 40 updates per epoch on 2,500 images.
        lr: Adam's learning rate; 1e-3, Hsu et al.'s for their first task.
        eval_every: batches between two measurements of the curves; 4 gives ~80 points over the two phases
            for ~1 % of the training time.
        seed: the split, the initialisation, the batch order and the replay buffer.
    """

    boundary: int = 5
    variant: str = "classes"
    n_train: int = 2_500
    n_test: int = 500
    epochs: int = 2
    hidden: int = 256
    batch_size: int = 64
    lr: float = 1e-3
    eval_every: int = 4
    seed: int = 0

    def __post_init__(self) -> None:
        tasks.SplitConfig(self.boundary, self.n_train, self.n_test, self.variant, self.seed)  # BadInput if wrong
        if not 1 <= self.epochs <= 20 or not 1 <= self.hidden <= 4_096 or not 1 <= self.eval_every <= 1_000:
            raise BadInput(f"epochs 1-20, hidden 1-4,096 and eval_every 1-1,000; got {self}")
        if self.batch_size < 1 or not self.lr > 0:
            raise BadInput(f"batch_size >= 1 and lr > 0; got {self}")

    @property
    def split(self) -> tasks.SplitConfig:
        return tasks.SplitConfig(self.boundary, self.n_train, self.n_test, self.variant, self.seed)

    def train_config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, seed=self.seed)

    def describe(self) -> str:
        return f"{self.split.describe()}, {self.epochs} epochs each"


@dataclass
class PhaseA:
    """The network after task A (read-only: every remedy starts from a copy), and its curve during A.

    Attributes:
        config: the experiment.
        model: the MLP after task A, eval mode.
        result: fit's result for task A.
        curve: one dict per measurement: ``step`` (batches since the start), ``phase`` "A", ``acc_a``, ``acc_b``.
        acc_a: accuracy on all of A's test images after A (the "before" of forgetting).
    """

    config: ForgettingConfig
    model: nn.Module
    result: FitResult
    curve: list[dict]
    acc_a: float = float("nan")

    @property
    def steps(self) -> int:
        """Batches of phase A: where B begins on the curves' x axis."""
        return self.curve[-1]["step"]


@dataclass
class ForgettingRun:
    """One remedy's run, from the start of A to the end of B (or one joint training).

    Attributes:
        config, remedy: what was run.
        model: the final network, eval mode.
        results: fit's results, A's then B's (one for joint training).
        curve: ``step, phase ("A", "B" or "joint"), acc_a, acc_b`` per measurement, from step 0.
        b_starts: the step at which B began (None for joint training).
        acc_a, acc_b, acc_both: accuracy after training on A's, B's and both tasks' test images.
        confusion: ``(10, 10)`` counts on A∪B's test images, rows the true class, columns the predicted one.
        majority: the majority-class baseline of A∪B's test images.
    """

    config: ForgettingConfig
    remedy: Remedy
    model: nn.Module
    results: list[FitResult]
    curve: list[dict]
    b_starts: int | None
    acc_a: float
    acc_b: float
    acc_both: float
    confusion: torch.Tensor
    majority: float = field(default=float("nan"))

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.results)


def evaluate(model: nn.Module, split: tasks.Tasks, limit: int | None = None) -> tuple[float, float]:
    """Accuracy on A's and on B's held-out test images (the first ``limit`` of each, or all), in [0, 1] each."""
    a_images, a_labels = split.a_test.batch(slice(0, limit))
    b_images, b_labels = split.b_test.batch(slice(0, limit))
    return _share_right(predict(model, a_images), a_labels), _share_right(predict(model, b_images), b_labels)


def _share_right(predicted: torch.Tensor, labels: torch.Tensor) -> float:
    """Correct answers / answers, counted exactly (a float32 mean is off in the 8th digit)."""
    return int((predicted == labels).sum()) / len(labels)


def recorder(
    model: nn.Module,
    split: tasks.Tasks,
    curve: list[dict],
    *,
    phase: str,
    offset: int,
    every: int,
    on_progress: ProgressCallback | None,
    live: LiveCurve | None,
    label: str = "",
) -> ProgressCallback:
    """fit's ``on_progress``: every ``every`` batches (and at the last), add A's and B's accuracy to ``curve``."""

    def callback(step: int, total: int, metrics: dict) -> None:
        if "loss" in metrics and (step % every == 0 or step == total):  # after a batch (not an epoch's summary)
            acc_a, acc_b = evaluate(model, split, CURVE_IMAGES)
            curve.append({"step": offset + step, "phase": phase, "acc_a": acc_a, "acc_b": acc_b})
            if live is not None:
                live(label, curve)
        if on_progress is not None:
            on_progress(step, total, metrics)

    return callback


def fresh_model(config: ForgettingConfig) -> MLP:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return MLP(config.hidden)


def fresh_start(config: ForgettingConfig, split, phase: str, label: str, on_progress, live):
    """A fresh MLP, its curve's first point (the untrained network at step 0) and the recorder that extends it.

    Task A and joint training both start from here; B continues A's network and curve instead.
    """
    model = fresh_model(config)
    acc_a, acc_b = evaluate(model, split, CURVE_IMAGES)
    curve = [{"step": 0, "phase": phase, "acc_a": acc_a, "acc_b": acc_b}]
    callback = recorder(
        model,
        split,
        curve,
        phase=phase,
        offset=0,
        every=config.eval_every,
        on_progress=on_progress,
        live=live,
        label=label,
    )
    return model, curve, callback


def train_a(
    config: ForgettingConfig, on_progress: ProgressCallback | None = None, live: LiveCurve | None = None
) -> PhaseA:
    """Phase A: a fresh MLP trained on task A; its curve starts with the untrained network at step 0."""
    split = tasks.split(config.split)
    model, curve, callback = fresh_start(config, split, "A", "Task A", on_progress, live)
    result = fit(
        model,
        split.a_train,
        split.both_test,
        config.train_config(),
        demo=SLUG,
        label=f"task A: {config.describe()}",
        on_progress=callback,
    )
    return PhaseA(config, result.model, result, curve, evaluate(result.model, split)[0])


def planned_steps(config: ForgettingConfig, remedy: Remedy | None = None) -> tuple[int | None, int]:
    """``(batches of A, batches of the whole run)`` for ``remedy`` (none by default); joint: ``(None, its batches)``.

    What a live chart needs before the run ends: where B will start and how wide the x axis must be.
    """
    split, remedy = tasks.split(config.split), remedy or Remedy()

    def steps(images: int) -> int:
        return -(-images // config.batch_size) * config.epochs  # ceil: fit's last batch of an epoch may be short

    if remedy.kind == "joint":
        return None, steps(len(split.a_train) + len(split.b_train))
    replayed = min(remedy.replay, len(split.a_train)) if remedy.kind == "replay" else 0
    return steps(len(split.a_train)), steps(len(split.a_train)) + steps(len(split.b_train) + replayed)


def train_b(
    phase_a: PhaseA,
    remedy: Remedy,
    on_progress: ProgressCallback | None = None,
    live: LiveCurve | None = None,
) -> ForgettingRun:
    """Phase B: the network after A, trained on task B with ``remedy`` (none, replay or EWC)."""
    config = phase_a.config
    if remedy.kind == "joint":
        raise BadInput("joint training does not continue from task A: use train_joint")
    split = tasks.split(config.split)
    model = copy.deepcopy(phase_a.model)  # the A network stays as it was, for the other remedies
    train_set, penalty = split.b_train, None
    if remedy.kind == "replay":
        train_set = tasks.concat(split.b_train, tasks.replay_buffer(split.a_train, remedy.replay, config.seed))
    elif remedy.kind == "ewc":
        fisher = remedies.fisher_diagonal(model, split.a_train)
        penalty = remedies.ewc_penalty(fisher, remedies.weights(model), remedy.ewc_lambda)
    curve = list(phase_a.curve)
    callback = recorder(
        model,
        split,
        curve,
        phase="B",
        offset=phase_a.steps,
        every=config.eval_every,
        on_progress=on_progress,
        live=live,
        label=remedy.describe(),
    )
    result = fit(
        model,
        train_set,
        split.both_test,
        config.train_config(),
        demo=SLUG,
        label=f"task B, {remedy.describe()}: {config.describe()}",
        on_progress=callback,
        penalty=penalty,
    )
    return finish(config, remedy, result.model, [phase_a.result, result], curve, phase_a.steps)


def train_joint(
    config: ForgettingConfig, on_progress: ProgressCallback | None = None, live: LiveCurve | None = None
) -> ForgettingRun:
    """The upper bound: a fresh MLP (the same initialisation as A's) trained on A and B together."""
    split = tasks.split(config.split)
    model, curve, callback = fresh_start(config, split, "joint", Remedy("joint").describe(), on_progress, live)
    result = fit(
        model,
        split.both_train,
        split.both_test,
        config.train_config(),
        demo=SLUG,
        label=f"joint A∪B: {config.describe()}",
        on_progress=callback,
    )
    return finish(config, Remedy("joint"), result.model, [result], curve, None)


def finish(config, remedy, model, results, curve, b_starts) -> ForgettingRun:
    """The run's final accuracies and confusion matrix, after checking that training stayed finite."""
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise BadInput(f"{remedy.describe()}: the weights became infinite or NaN; choose a smaller λ")
    split = tasks.split(config.split)
    both = split.both_test
    predicted = predict(model, both.images)
    confusion = torch.zeros(tasks.CLASSES, tasks.CLASSES, dtype=torch.int64)
    confusion.index_put_((both.labels, predicted), torch.ones_like(predicted), accumulate=True)
    acc_a, acc_b = evaluate(model, split)
    acc_both = _share_right(predicted, both.labels)
    return ForgettingRun(
        config,
        remedy,
        model,
        results,
        curve,
        b_starts,
        acc_a,
        acc_b,
        acc_both,
        confusion,
        results[-1].majority_baseline,
    )


# ----------------------------------------------------------------------------- jobs (the Train button, the warm-up)


def phase_a_key(config: ForgettingConfig) -> tuple:
    """Where the page's store keeps the network after task A."""
    return (SLUG, "A", config)


def run_key(config: ForgettingConfig, remedy: Remedy) -> tuple:
    """Where the page's store keeps one remedy's run (the page and the warm-up use it)."""
    return (SLUG, "run", config, remedy)


def _run_remedy(config, remedy, store: SharedRuns, on_progress, live) -> ForgettingRun:
    if remedy.kind == "joint":
        return train_joint(config, on_progress, live)
    phase_a = store.peek(phase_a_key(config)) if store is not None else None
    if phase_a is None:  # evicted, or no store (a test): train A again, for this run only
        phase_a = train_a(config)
    return train_b(phase_a, remedy, on_progress, live)


def jobs(config: ForgettingConfig, remedies_: list[Remedy], live: LiveCurve | None = None) -> list[Job]:
    """What the page's Train button runs: task A (once per config, if a remedy needs it), then each remedy.

    ``live`` (the page's chart, or None) is not part of any key: the same run, drawn or not.
    """
    todo = []
    if any(r.kind != "joint" for r in remedies_):
        todo.append(
            Job(
                phase_a_key(config),
                f"Task A: {config.describe()}",
                lambda store, on_progress=None: train_a(config, on_progress, live),
            )
        )
    for remedy in remedies_:
        todo.append(
            Job(
                run_key(config, remedy),
                remedy.describe(),
                lambda store, on_progress=None, remedy=remedy: _run_remedy(config, remedy, store, on_progress, live),
            )
        )
    return todo
