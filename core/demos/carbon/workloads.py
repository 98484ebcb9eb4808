"""The page's own experiment: seeded workloads (model size x epochs x images) trained here, each measured and ledgered.

A *workload* is a model size x epochs x number of training images; its compute is counted in
FLOPs (``6 x MACs x images seen``, see :func:`core.models.forward_macs`). Each workload is
trained through :func:`core.training.fit`, so codecarbon measures it, the ledger keeps it with
fit's metrics (``train_flops``, ``parameters``, ``test_acc``), and the page draws codecarbon's
running totals while it runs (:mod:`core.demos.carbon.live`).

Two kinds of run, told apart in the ledger by their label (:func:`run_label`): the *live run*
a visitor trains with the page's controls (or a preset), and the five seeded *reference
workloads* (:data:`REFERENCE`) the energy fit is made on (:mod:`core.demos.carbon.fit`).
Both are kept in the page's store under :func:`run_key` / :func:`reference_key`, and reach it
as :class:`core.training.Job` objects (:func:`live_job`, :func:`reference_job`), which the
page's Train buttons and the lecture warm-up run alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.carbon import LiveReading
from core.demos.carbon.lab_runs import DEMO, codecarbon_name
from core.demos.carbon.live import LiveTrace
from core.errors import BadInput
from core.models import CNNConfig
from core.provenance import Provenance

if TYPE_CHECKING:
    from core.training import FitResult, Job

# Four SmallCNN widths: parameters and MACs grow ~3-4x per step, training time with them.
SIZES: dict[str, CNNConfig] = {
    "S": CNNConfig(widths=(8, 16), hidden=32),
    "M": CNNConfig(widths=(16, 32), hidden=64),
    "L": CNNConfig(widths=(32, 64), hidden=128),
    "XL": CNNConfig(widths=(64, 128), hidden=256),
}
TRAIN_IMAGES = (2_000, 4_000, 8_000)  # from the shipped 10k split; the other 2,000 are the test set
MAX_EPOCHS = 5


@dataclass(frozen=True)
class Workload:
    """What the live run trains: ``size`` (a key of :data:`SIZES`) x ``epochs`` x ``train_images``."""

    size: str = "M"
    epochs: int = 2
    train_images: int = 8_000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise BadInput(f"Unknown model size {self.size!r}; choose one of {', '.join(SIZES)}.")
        if not 1 <= int(self.epochs) <= MAX_EPOCHS:
            raise BadInput(f"Epochs must be between 1 and {MAX_EPOCHS} (got {self.epochs}).")
        if self.train_images not in TRAIN_IMAGES:
            raise BadInput(f"Training images must be one of {TRAIN_IMAGES} (got {self.train_images}).")

    @property
    def model_config(self) -> CNNConfig:
        return SIZES[self.size]

    def describe(self) -> str:
        """e.g. ``SmallCNN(16,32,h64) · 2 epochs · 8,000 images``."""
        epochs = f"{self.epochs} epoch" + ("s" if self.epochs > 1 else "")
        return f"{self.model_config.describe()} · {epochs} · {self.train_images:,} images"


PRESETS: dict[str, Workload] = {
    "Quick (S, 1 epoch, 2k images)": Workload("S", 1, 2_000),
    "Lecture (M, 2 epochs, 8k images)": Workload("M", 2, 8_000),
    "Bigger (L, 3 epochs, 8k images)": Workload("L", 3, 8_000),
}

# The fixed set the energy fit is made on: compute grows ~30x from the first to the last, the whole set
# trains in about ten seconds on 2 cores (the largest is the "Lecture" preset, ~5 s), and the smallest
# still lasts long enough for codecarbon's final sample. Bigger models would widen the range but cost
# tens of seconds each; the prediction interval says honestly what five small points can support.
REFERENCE: tuple[Workload, ...] = (
    Workload("S", 1, 2_000),
    Workload("S", 1, 4_000),
    Workload("S", 1, 8_000),
    Workload("M", 1, 8_000),
    Workload("M", 2, 8_000),
)
LIVE_RUN = "live run"
REFERENCE_RUN = "reference workload"


def reference_workloads(seed: int = 0) -> tuple[Workload, ...]:
    """:data:`REFERENCE` with every workload seeded with ``seed`` (the lab-wide seed of the sidebar)."""
    return tuple(Workload(w.size, w.epochs, w.train_images, seed=int(seed)) for w in REFERENCE)


def run_label(workload: Workload, kind: str = LIVE_RUN) -> str:
    """How a run of ``workload`` is named in the ledger: ``"reference workload: SmallCNN(8,16,h32) · …"``.

    With the seed column and the demo, the label identifies the workload a ledger row measured,
    so the reference runs are found again in the ledger (after a restart, or from a warm-up in
    another process) without mixing in any other run.
    """
    return f"{kind}: {workload.describe()}"


@functools.lru_cache(maxsize=64)
def training_flops(workload: Workload) -> int:
    """Compute of the workload *before* it is trained: ``6 x forward MACs per image x images x epochs``.

    Only for the prediction the page makes before the Train button (what the reference fit expects
    this workload to cost). Once trained, the count is the one :func:`core.training.fit` made and
    ledgered (:attr:`WorkloadRun.flops`); both count MACs with :func:`core.models.forward_macs` on
    the same model, so they agree (a test checks it). Cached: the page asks on every rerun.
    """
    import torch

    from core.models import build_cnn, forward_macs

    model = build_cnn(workload.model_config)
    return 6 * forward_macs(model, torch.zeros(1, 1, 28, 28)) * workload.train_images * workload.epochs


@dataclass
class WorkloadRun:
    """A trained and measured workload: the fit result (with its carbon report and metrics) and the live trace."""

    workload: Workload
    result: FitResult
    readings: list[LiveReading] = field(default_factory=list)
    label: str = ""

    @property
    def flops(self) -> int:
        """Training compute as :func:`core.training.fit` counted it: 6 x MACs x samples seen."""
        return int(self.result.metrics["train_flops"])

    def provenance(self) -> Provenance:
        """What the run's report and power chart are: measured (or estimated) by codecarbon, on this workload."""
        report = self.result.carbon
        return Provenance(
            "estimated" if report.is_estimate else "measured",
            model=f"{codecarbon_name()} offline tracker; {report.hardware or 'hardware unknown'}",
            data=f"live run: {self.workload.describe()}, Fashion-MNIST (shipped 10k split)",
            seed=self.workload.seed,
        )


def train_workload(
    workload: Workload,
    on_progress: Callable[[int, int, dict], None] | None = None,
    trace: LiveTrace | None = None,
    kind: str = LIVE_RUN,
) -> WorkloadRun:
    """Train the workload on the shipped Fashion-MNIST split, measured by codecarbon.

    ``trace`` collects the live readings; ``on_progress(step, total, metrics)`` is
    :func:`core.training.fit`'s callback with one more key, ``redraw``: True when the
    trace says a live chart is due (at most every ``trace.redraw_every_s``). ``kind``
    names the run in the ledger (:func:`run_label`): a live run or a reference workload.
    """
    from core.data import fashion_mnist_10k, train_test_split
    from core.models import build_cnn
    from core.training import TrainConfig, fit

    trace = trace or LiveTrace()
    train, test = train_test_split(fashion_mnist_10k(), test_fraction=0.2, seed=workload.seed)
    train = train.subset(slice(0, workload.train_images))
    model = build_cnn(workload.model_config, seed=workload.seed)

    def progress(step: int, total: int, metrics: dict) -> None:
        redraw = trace.add(metrics.get("carbon"))
        if on_progress:
            on_progress(step, total, {**metrics, "redraw": redraw})

    label = run_label(workload, kind)
    result = fit(
        model,
        train,
        test,
        TrainConfig(epochs=workload.epochs, seed=workload.seed),
        demo=DEMO,
        label=label,
        on_progress=progress,
    )
    return WorkloadRun(workload, result, trace.readings, label)


def run_key(workload: Workload) -> tuple:
    """Where the CO2 page's run store keeps the live run of ``workload`` (the page and the warm-up use it)."""
    return ("carbon", workload)


def reference_key(seed: int = 0) -> tuple:
    """The key under which the CO2 page's run store keeps :func:`measure_reference`'s result.

    A warm-up in the server process fills the page's store with
    ``page_runs("carbon", ...).get_or_run(reference_key(seed), lambda: measure_reference(seed=seed))``;
    a warm-up in another process needs no key: the page finds the runs in the ledger.
    """
    return ("reference", int(seed))


def measure_reference(
    on_progress: Callable[[int, int, dict], None] | None = None,
    seed: int = 0,
    workloads: tuple[Workload, ...] | None = None,
) -> list[WorkloadRun]:
    """Train and measure every reference workload, smallest first; each run is ledgered.

    Args:
        on_progress: called as ``on_progress(step, total, metrics)`` after every batch, with
            ``step``/``total`` counted over the whole set, and ``metrics["workload"]`` the
            workload being trained (its description) and ``metrics["index"]`` its position.
        seed: seeds every workload (:func:`reference_workloads`).
        workloads: the set to measure (default: :data:`REFERENCE` with ``seed``); tests pass a smaller one.

    Returns:
        one :class:`WorkloadRun` per workload, in order (a run codecarbon could not measure is
        kept: its report says why, and :func:`core.demos.carbon.fit.reference_points` leaves it out).
    """
    from core.training import TrainConfig

    chosen = reference_workloads(seed) if workloads is None else tuple(workloads)
    batch = TrainConfig().batch_size  # what train_workload trains with
    steps = [-(-w.train_images // batch) * w.epochs for w in chosen]
    total, done, runs = sum(steps), 0, []
    for index, workload in enumerate(chosen):

        def progress(
            step: int, _total: int, metrics: dict, offset: int = done, i: int = index, w: Workload = workload
        ) -> None:
            if on_progress:
                on_progress(offset + step, total, {**metrics, "workload": w.describe(), "index": i})

        runs.append(train_workload(workload, progress, kind=REFERENCE_RUN))
        done += steps[index]
    return runs


# --------------------------------------------------------------------------- jobs: the page's Train buttons and the warm-up
REFERENCE_LABEL = "CO2: the reference workloads of the energy fit"


def live_job(workload: Workload, label: str = "", trace: LiveTrace | None = None) -> Job:
    """The live run of ``workload`` as a job; ``trace`` (the page's) collects codecarbon's readings for its chart."""
    from core.training import Job

    return Job(
        run_key(workload),
        label or workload.describe(),
        lambda store, on_progress=None: train_workload(workload, on_progress, trace),
    )


def reference_job(seed: int = 0) -> Job:
    """The five reference trainings of the energy fit, as one job (their result is the list of runs)."""
    from core.training import Job

    return Job(
        reference_key(seed), REFERENCE_LABEL, lambda store, on_progress=None: measure_reference(on_progress, seed=seed)
    )


def jobs(workload: Workload) -> list[Job]:
    """What the page's *Train and measure* needs for ``workload``: its live run."""
    return [live_job(workload)]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the page for ``seed``, then the reference set, in lecture order (for the warm-up)."""
    presets = [
        live_job(Workload(p.size, p.epochs, p.train_images, seed=seed), f"CO2: {name}") for name, p in PRESETS.items()
    ]
    return [*presets, reference_job(seed)]
