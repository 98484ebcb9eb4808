"""One trainer for every demo: deterministic, observable, carbon-measured.

:func:`fit` trains a classifier with Adam on cross-entropy. It is deterministic
under ``config.seed`` (same seed, same data -> bit-identical weights and metrics on
the same machine), reports progress through a plain callback so any UI can draw it,
and wraps the whole run in :func:`core.carbon.measure`, so every training in the
lab lands in the carbon ledger.

Pages cache the returned :class:`FitResult` by its config: a slider move never
retrains. The returned model is in ``eval()`` mode and must be treated as
read-only by everyone who shares it (deep-copy it before adding hooks).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from core import baselines, carbon, model_store
from core.data import ImageDataset
from core.memory import release_freed_memory
from core.models import forward_macs
from core.provenance import Provenance

# Images per forward pass when predicting. 64, not 1,000: 1,000 colour 64x64 faces held ~260 MB of first-layer
# activations at once, 250 ~120 MB, 64 ~57 MB (bench/bench_memory.py), for the same predictions at the same speed.
EVAL_BATCH = 64
# on_progress(step, total_steps, metrics): the one progress callback of the lab (fit, attacks, sweeps).
ProgressCallback = Callable[[int, int, dict], None]
# (model, images, labels) -> the images to train on instead, same shape, in [0, 1].
BatchPerturbation = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
# model -> a scalar tensor added to each batch's loss (with its gradient), e.g. EWC's pull towards old weights.
LossPenalty = Callable[[nn.Module], torch.Tensor]
# (logits, images, labels) -> the scalar loss of one batch, instead of cross-entropy on the labels (distillation).
BatchObjective = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class TrainConfig:
    """How to train.

    Attributes:
        epochs: passes over the training set; 3 reaches ~87 % on Fashion-MNIST 8k with SmallCNN(16,32).
        batch_size: 64 balances speed on 2 CPU cores against the number of updates per epoch.
        lr: Adam learning rate; 2e-3 converges in a few epochs without instability on these nets.
        weight_decay: L2 penalty; 0 by default, the demos study what plain training learns.
        schedule: "constant" keeps ``lr`` throughout; "cosine" lowers it after every batch along
            half a cosine to 0 at the last batch (Loshchilov & Hutter 2017, without restarts):
            large steps early, small steps to settle at the end, often +0.5-1 point for the same epochs.
        seed: controls initialisation order, shuffling and every other random choice.
    """

    epochs: int = 3
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 0.0
    seed: int = 0
    schedule: str = "constant"

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError(f"epochs, batch_size must be >= 1 and lr > 0; got {self}")
        if self.schedule not in ("constant", "cosine"):
            raise ValueError(f"schedule must be 'constant' or 'cosine', got {self.schedule!r}")


@dataclass
class FitResult:
    """What :func:`fit` returns.

    Attributes:
        model: the trained model, in eval mode (shared: do not mutate).
        history: one dict per epoch: ``epoch, train_loss, train_acc, test_acc, seconds``.
        seconds: total wall time of training, including evaluation.
        carbon: the carbon report of the run (see :class:`core.carbon.CarbonReport`).
        ledger_error: why the run could not be recorded in the ledger ('' if it was).
        config: the training configuration.
        majority_baseline: accuracy of always answering the test set's most common class
            (:func:`core.baselines.majority_baseline`): the line ``test_accuracy`` must clear.
            About 10 % on a Fashion-MNIST split, 60.7 % on the mugshots' unbalanced faces.
        metrics: what fit measured and wrote to the ledger with the run: ``test_acc``,
            ``test_majority``, ``samples_seen``, ``parameters`` and, for plain training,
            ``forward_macs`` and ``train_flops`` (6 x MACs x samples seen; Kaplan et al. 2020).
        loaded_from: '' when trained here; else who trained it and when, for a model loaded from the
            shared model store (:mod:`core.model_store`): its history, seconds and carbon are that run's.
    """

    model: nn.Module
    history: list[dict]
    seconds: float
    carbon: carbon.CarbonReport
    ledger_error: str = ""
    config: TrainConfig = field(default_factory=TrainConfig)
    majority_baseline: float = float("nan")
    metrics: dict = field(default_factory=dict)
    loaded_from: str = ""

    @property
    def test_accuracy(self) -> float:
        return self.history[-1]["test_acc"]

    def summary(self) -> str:
        """One line for under a Train button: ``trained in 6.2 s · energy 0.21 Wh (estimated ...)``."""
        trained = f"trained in {self.seconds:.1f} s"
        if self.loaded_from:
            trained = f"loaded from the shared model store, not retrained ({trained} by {self.loaded_from})"
        return f"{trained} · energy {self.carbon.summary()}"

    def provenance(self, data: str, model: str = "") -> Provenance:
        """What a number computed from this run is: measured, this model, ``data``, the training seed."""
        described = model or (self.model.config.describe() if hasattr(self.model, "config") else "")
        return Provenance("measured", model=described, data=data, seed=self.config.seed)


class TrainedRun:
    """A demo's run that keeps :func:`fit`'s result as ``result``: its model, accuracy and baseline, read through.

    A base for the demos' run dataclasses (``AttackRun``, ``TagRun``, ``Teacher``, ``TrainedModel``...), so each
    says only what it adds (its data, its config). The model is shared by every session: read it, never change it.
    """

    result: FitResult  # set by the dataclass that inherits this (a plain class: no field of its own)

    @property
    def model(self) -> nn.Module:
        return self.result.model

    @property
    def test_accuracy(self) -> float:
        return self.result.test_accuracy

    @property
    def majority_baseline(self) -> float:
        return self.result.majority_baseline


@torch.no_grad()
def predict_proba(model: nn.Module, images: torch.Tensor, batch_size: int = EVAL_BATCH) -> torch.Tensor:
    """Class probabilities ``(N, K)`` for images ``(N, C, H, W)`` in [0, 1], in batches, without gradients.

    The model is only read (no ``.eval()``, no hooks), so a model shared by every session can be
    used from any thread; the models :func:`fit` returns are already in eval mode.
    """
    return (
        torch.cat([torch.softmax(model(images[i : i + batch_size]), dim=1) for i in range(0, len(images), batch_size)])
        if len(images)
        else torch.empty(0)
    )


def predict(model: nn.Module, images: torch.Tensor, batch_size: int = EVAL_BATCH) -> torch.Tensor:
    """The predicted class of each image, ``(N,)`` int64: the argmax of :func:`predict_proba`."""
    return predict_proba(model, images, batch_size).argmax(dim=1)


def accuracy(model: nn.Module, data: ImageDataset, batch_size: int = EVAL_BATCH) -> float:
    """Share of ``data`` classified correctly, in [0, 1]."""
    if len(data) == 0:
        raise ValueError("cannot compute accuracy on an empty dataset")
    # In batches of the stored pixels: a uint8 split is converted to float only a batch at a time.
    correct = sum(
        int((predict(model, x, batch_size) == y).sum())
        for x, y in (data.batch(slice(i, i + batch_size)) for i in range(0, len(data), batch_size))
    )
    return correct / len(data)


def fit(
    model: nn.Module,
    train: ImageDataset,
    test: ImageDataset,
    config: TrainConfig,
    *,
    demo: str,
    label: str,
    on_progress: ProgressCallback | None = None,
    perturb: BatchPerturbation | None = None,
    penalty: LossPenalty | None = None,
    objective: BatchObjective | None = None,
    shared_as: tuple | None = None,
) -> FitResult:
    """Train ``model`` on ``train``; evaluate on ``test`` after each epoch.

    Args:
        model: a freshly built classifier (e.g. :func:`core.models.build_cnn`); trained in place.
        train, test: :class:`ImageDataset` with labels in ``[0, num_classes)``.
        config: a :class:`TrainConfig`; its seed fixes shuffling.
        demo, label: how the run appears in the carbon ledger.
        on_progress: called as ``on_progress(step, total_steps, metrics)`` after each
            batch (metrics: ``epoch``, ``loss``, ``carbon``: a :class:`core.carbon.LiveReading`
            or None) and after each epoch (``test_acc`` and the epoch's other figures).
        perturb: if given, each training batch is replaced by ``perturb(model, x, y)``
            before the update, e.g. adversarial examples for adversarial training
            (Madry et al. 2018). It runs in train mode; it must not step the optimiser.
        penalty: if given, ``penalty(model)`` (a scalar tensor that depends on the weights) is added to
            each batch's cross-entropy before the backward pass, e.g. elastic weight consolidation's
            ``λ/2 Σ F_i (θ_i − θ*_i)²`` (Kirkpatrick et al. 2017). The reported ``loss`` and
            ``train_loss`` are then the penalised objective. None: plain cross-entropy, as before.
        objective: if given, ``objective(logits, x, y)`` (a scalar tensor) replaces the batch's
            cross-entropy on the labels, e.g. distillation's cross-entropy against a teacher's soft
            labels (Hinton et al. 2015). The penalty, if any, is still added. None: cross-entropy.
        shared_as: the run's key in its page's store (the demo's ``run_key(config)``), when everything
            the page shows of this training is the weights, the history and the metrics (no side effects
            in ``on_progress``). With a shared model store configured (``DLLAB_MODEL_STORE``, see
            :mod:`core.model_store`), a model another server trained under this key is loaded instead
            of trained, and one trained here is saved for the others. None, or no store: train.

    Returns:
        a :class:`FitResult` with the model, per-epoch history, timing and carbon report.
    """
    store = model_store.configured() if shared_as is not None else None
    if store is None:
        return _train(model, train, test, config, demo, label, on_progress, perturb, penalty, objective)
    with store.lock(shared_as):  # a second server asking for this run waits here, then loads it
        try:
            record = store.load(shared_as, model)
        except model_store.StoreProblem as err:
            store.note(f"{err}: the model was trained on this server instead.")
            record = None
        if record is not None:
            store.note("")
            model.eval()
            return FitResult(
                model,
                record["history"],
                record["seconds"],
                carbon.CarbonReport(**{**record["carbon"], "assumptions": tuple(record["carbon"]["assumptions"])}),
                config=config,
                majority_baseline=record["majority_baseline"],
                metrics=record["metrics"],
                loaded_from=f"{record['trained_by']} at {record['trained_utc']}",
            )
        result = _train(model, train, test, config, demo, label, on_progress, perturb, penalty, objective)
        try:
            store.save(shared_as, model, _record(result))  # a load's problem stays said until a load works
        except model_store.StoreProblem as err:
            store.note(f"{err}: other servers will train this model again.")
        return result


def _record(result: FitResult) -> dict:
    """What a page shows about a run besides its weights, as JSON for the shared model store."""
    return {
        "history": result.history,
        "seconds": result.seconds,
        "carbon": dataclasses.asdict(result.carbon),
        "majority_baseline": result.majority_baseline,
        "metrics": result.metrics,
    }


def _train(
    model: nn.Module,
    train: ImageDataset,
    test: ImageDataset,
    config: TrainConfig,
    demo: str,
    label: str,
    on_progress: ProgressCallback | None,
    perturb: BatchPerturbation | None,
    penalty: LossPenalty | None,
    objective: BatchObjective | None,
) -> FitResult:
    """The training itself (see :func:`fit`): Adam, one measured and ledgered run."""
    steps_per_epoch = (len(train) + config.batch_size - 1) // config.batch_size
    total = steps_per_epoch * config.epochs
    history: list[dict] = []
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total) if config.schedule == "cosine" else None
    )
    shuffle = torch.Generator().manual_seed(config.seed)
    model_name = model.config.describe() if hasattr(model, "config") else type(model).__name__
    run_config = {"train": config.__dict__, "data": train.describe(), "model": model_name}

    with carbon.measure(demo, label, config=run_config, seed=config.seed) as measurement:
        t0 = time.perf_counter()
        step = 0
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)  # e.g. dropout masks
            for epoch in range(1, config.epochs + 1):
                model.train()
                t_epoch, seen, correct, loss_sum = time.perf_counter(), 0, 0, 0.0
                for batch in torch.randperm(len(train), generator=shuffle).split(config.batch_size):
                    x, y = train.batch(batch)  # float in [0, 1], converted from uint8 a batch at a time
                    if perturb is not None:
                        x = perturb(model, x, y).detach()
                    logits = model(x)
                    loss = nn.functional.cross_entropy(logits, y) if objective is None else objective(logits, x, y)
                    if penalty is not None:
                        loss = loss + penalty(model)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    if schedule is not None:
                        schedule.step()
                    step += 1
                    seen += len(y)
                    correct += int((logits.argmax(1) == y).sum())
                    loss_sum += loss.item() * len(y)
                    if on_progress:
                        on_progress(step, total, {"epoch": epoch, "loss": loss.item(), "carbon": measurement.live()})
                model.eval()  # evaluation without dropout, with BatchNorm's running statistics
                record = {
                    "epoch": epoch,
                    "train_loss": loss_sum / seen,
                    "train_acc": correct / seen,
                    "test_acc": accuracy(model, test),
                    "seconds": time.perf_counter() - t_epoch,
                }
                history.append(record)
                if on_progress:
                    on_progress(step, total, record)
        model.eval()
        seconds = time.perf_counter() - t0
        samples_seen = len(train) * config.epochs
        majority = baselines.majority_baseline(test.labels)
        measurement.metrics.update(
            test_acc=history[-1]["test_acc"],
            test_majority=majority,
            samples_seen=samples_seen,
            parameters=sum(p.numel() for p in model.parameters()),
        )
        if perturb is None:  # an attack inside each step adds compute we do not count: no FLOP figure then
            macs = forward_macs(model, test.batch(slice(0, 1))[0])
            measurement.metrics.update(forward_macs=macs, train_flops=6 * macs * samples_seen)
    release_freed_memory()
    return FitResult(
        model, history, seconds, measurement.report, measurement.ledger_error, config, majority, measurement.metrics
    )


class SharedRuns:
    """Results of expensive runs, keyed by their config, computed once per process.

    Why not just ``st.cache_resource``: when 20 students press "train" on the same
    preset at once, every session must wait for *one* training, not start its own, and
    each waiting session should still be able to show that training's progress. Here a
    per-key lock makes later callers wait for the first; the page keeps one
    ``SharedRuns`` in ``st.cache_resource`` so all sessions share it.

    On a public demo every slider position is a new key, so ``max_entries`` bounds what is
    kept: past it, the result stored longest ago is dropped (a later request trains it again).
    A mugshot run holds its ~29 MB of faces, so an unbounded cache is a slow out-of-memory.

    Example::

        runs = SharedRuns(max_entries=8)
        result = runs.get_or_run(("tag-demo", config), lambda: fit(...))   # trains
        result = runs.get_or_run(("tag-demo", config), lambda: fit(...))   # cached
    """

    def __init__(self, max_entries: int | None = None) -> None:
        if max_entries is not None and max_entries < 1:
            raise ValueError(f"max_entries must be >= 1 or None, got {max_entries}")
        self.max_entries = max_entries
        self._results: dict = {}  # insertion-ordered: the first key is the oldest result
        self._locks: dict = {}
        self._guard = threading.Lock()

    def get_or_run(self, key, run: Callable[[], object]):
        """The result for ``key`` (hashable, e.g. a frozen config), running ``run()`` once while it is kept.

        If ``run`` raises, nothing is stored and the next caller tries again.
        """
        with self._guard:
            if key in self._results:
                return self._results[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # a second caller with the same key waits here for the first
            if key in self._results:
                return self._results[key]
            result = run()
            with self._guard:
                self._results[key] = result
                while self.max_entries is not None and len(self._results) > self.max_entries:
                    oldest = next(iter(self._results))
                    del self._results[oldest]
                    self._locks.pop(oldest, None)
            return result

    def peek(self, key):
        """The result if it exists, else None (never runs anything)."""
        return self._results.get(key)


class ProgressText:
    """Turns :func:`fit`'s progress callback into a line of text with an estimate of the time left.

    Until the first epoch has ended it says only the step; from then on it adds "≈ N s left",
    extrapolated from the measured time per step so far (labelled as an estimate: the first
    epoch includes one-off costs, so the estimate is usually a little high).

    Args:
        what: the name of the run, e.g. a preset's ``describe()``.
        clock: seconds as a float; tests pass a fake clock.

    Example::

        say = ProgressText("SmallCNN(16,32), 3 epochs")
        fit(..., on_progress=lambda step, total, metrics: print(say(step, total, metrics)))
    """

    def __init__(self, what: str, clock: Callable[[], float] = time.perf_counter) -> None:
        self.what, self.clock, self.start = what, clock, clock()
        self.epochs_done = 0

    def __call__(self, step: int, total: int, metrics: dict) -> str:
        if "test_acc" in metrics:  # fit reports each finished epoch with its test accuracy
            self.epochs_done = int(metrics["epoch"])
        text = f"Training {self.what}: step {step}/{total}"
        if self.epochs_done and step < total:
            left = (self.clock() - self.start) / step * (total - step)
            text += f" · ≈ {left:.0f} s left (estimated from the {self.epochs_done} epoch(s) measured so far)"
        return text


@dataclass(frozen=True)
class Job:
    """One expensive, cached computation of a demo, as its page's Train button and the lecture warm-up see it.

    Attributes:
        key: where the result is kept in the page's :class:`SharedRuns` (from the demo's ``run_key``).
        label: what it computes, for the progress line and the warm-up's list, e.g. "the tag model".
        run: ``run(store, on_progress) -> result``. ``store`` is the page's store, so a job can read
            an earlier job's result (the curves of a trained model); ``on_progress`` may be None.
    """

    key: tuple
    label: str
    run: Callable[[SharedRuns, ProgressCallback | None], object]
