"""What running a model costs: its size in bytes, its latency per image, its energy per 10,000 predictions.

* **Size**: :func:`core.demos.compression.quantise.model_bytes` (bits per stored number, scales included).
  A pruned model is stored dense here (zeros take as much room as any weight): a sparse format would need
  an index per kept weight, which pays only at high sparsity.
* **Latency**: the median time of a forward pass over one image (as an app on a phone asks), measured with
  ``torch.utils.benchmark.Timer.blocked_autorange`` (it repeats the call in blocks until ``min_run_time``
  seconds have run; median and interquartile range over the blocks), on this machine's CPU threads.
* **Energy**: :func:`core.carbon.measure` (codecarbon) around predicting the test images again and again
  until at least 10,000 predictions and ``min_seconds`` have run (its sampler ticks once a second), scaled to
  10,000. On machines without RAPL counters it is *estimated* (CPU TDP x load): the report says which.

Quantisation here is simulated (float weights on a k-bit grid), so a quantised model runs exactly as fast as
float32: its latency is the float model's, and the chart says so instead of inventing a speed-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import torch
from torch import nn
from torch.utils import benchmark

from core import carbon
from core.training import EVAL_BATCH, predict

LATENCY_BATCH = 1  # one image per call, as a phone classifying one photo
PREDICTIONS = 10_000


@dataclass(frozen=True)
class Latency:
    """Seconds per image: the median over the timer's blocks and their interquartile range."""

    median_s: float
    iqr_s: float
    batch: int


def latency(model: nn.Module, images: torch.Tensor, batch: int = LATENCY_BATCH, min_run_time: float = 0.2) -> Latency:
    """The median seconds per image of ``model`` on ``batch`` images at once (``images``: ``(N, 1, 28, 28)``)."""
    x = images[:batch]
    with torch.no_grad():
        timer = benchmark.Timer(stmt="model(x)", globals={"model": model, "x": x})
        result = timer.blocked_autorange(min_run_time=min_run_time)
    return Latency(result.median / len(x), result.iqr / len(x), len(x))


def energy_per_10k(
    model: nn.Module, images: torch.Tensor, label: str, min_seconds: float = 1.2, demo: str = "compression"
) -> tuple[float | None, carbon.CarbonReport]:
    """Watt-hours for 10,000 predictions of ``model`` (None when codecarbon measured nothing) and the report."""
    done = 0
    with carbon.measure(demo, f"inference: {label}") as measurement:
        start = time.perf_counter()
        while done < PREDICTIONS or time.perf_counter() - start < min_seconds:
            for i in range(0, len(images), EVAL_BATCH):
                done += len(predict(model, images[i : i + EVAL_BATCH]))
        measurement.metrics.update(predictions=done)
    report = measurement.report
    if not report.is_measured:
        return None, report
    return report.energy_kwh * 1000 * PREDICTIONS / done, report


def compare(teacher, hard, soft, temperature: float, min_seconds: float = 1.0) -> pd.DataFrame:
    """Every variant on the same test images: accuracy, bytes, µs per image, Wh per 10,000 predictions.

    Args:
        teacher: the trained CNN (:class:`core.demos.compression.teacher.Teacher`).
        hard, soft: the students' :class:`core.training.FitResult` (hard labels, soft labels at ``temperature``).

    Simulated quantisation computes in float32: its latency and energy are the float model's (measured once,
    reused, and said so in ``note``); the two students share one shape: their energy is measured once too.
    """

    from core.demos.compression import prune, quantise
    from core.training import accuracy

    test, model = teacher.test, teacher.model
    images = test.images
    pruned = prune.prune_model(model, 0.9, "global")
    slim = prune.slim_channels(model, 0.5)
    n_slim = sum(p.numel() for p in slim.state_dict().values())
    rows = [
        ("CNN float32", model, quantise.model_bytes(model), "", "cnn"),
        (
            "CNN int8 per channel",
            quantise.quantise_model(model, 8, True),
            quantise.model_bytes(model, 8, True),
            "simulated: runs as float32",
            "cnn",
        ),
        (
            "CNN 4-bit per channel",
            quantise.quantise_model(model, 4, True),
            quantise.model_bytes(model, 4, True),
            "simulated: runs as float32",
            "cnn",
        ),
        ("CNN 90 % pruned (global)", pruned, quantise.model_bytes(pruned), "stored dense: zeros included", "pruned"),
        ("CNN half the channels", slim, 4 * n_slim, "no fine-tuning", "slim"),
        ("MLP student, hard labels", hard.model, quantise.model_bytes(hard.model), "", "student"),
        (
            f"MLP student, soft labels (T = {temperature:g})",
            soft.model,
            quantise.model_bytes(soft.model),
            "",
            "student",
        ),
    ]
    timed: dict[str, tuple] = {}
    frame = []
    for name, variant, size, note, shape in rows:
        if shape not in timed:
            energy, report = energy_per_10k(variant, images, name, min_seconds)
            timed[shape] = (latency(variant, images), energy, report)
        elif note.startswith("simulated") or shape == "student":
            note = (note + "; " if note else "") + "latency and energy measured once for this shape"
        speed, energy, report = timed[shape]
        frame.append(
            {
                "variant": name,
                "accuracy": accuracy(variant, test),
                "bytes": size,
                "latency_us": 1e6 * speed.median_s,
                "iqr_us": 1e6 * speed.iqr_s,
                "energy_wh": energy,
                "energy_method": report.method,
                "note": note,
            }
        )
    return pd.DataFrame(frame)
