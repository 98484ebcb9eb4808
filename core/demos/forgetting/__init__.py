"""Trained on task A and then on task B, a network forgets A almost completely; regularising the weights does little when the tasks are new classes; rehearsing a few old examples saves most of it.

Vitay's deck 001: "Neural networks are prone to catastrophic forgetting: if you learn A then B, you forget A".
Here, live: Split Fashion-MNIST (task A = T-shirt, trouser, pullover, dress, coat; task B = sandal, shirt,
sneaker, bag, ankle boot), class-incremental: one MLP with ten outputs learns A, then B, through the lab's
:func:`core.training.fit`; its accuracy on A's and B's held-out images is measured every few batches. Then
three remedies, each one more training: a replay buffer of old A images, EWC (Kirkpatrick et al. 2017) and joint
training on A and B (the upper bound), in one table beside Hsu et al. 2018's (Split MNIST).

What is where (``import core.demos.forgetting as fg`` reaches the modules):

* :mod:`.tasks`: the split (and its domain variant: B = A's classes with permuted pixels), the replay buffer;
* :mod:`.sequential`: the MLP, A then B with the curves recorded, joint training, the jobs and their keys;
* :mod:`.remedies`: the :class:`~.remedies.Remedy` settings, EWC's Fisher diagonal and penalty;
* :mod:`.figures`: the curves, the remedies side by side, the confusion matrix, the table beside Hsu et al.;
* here: the presets, :func:`jobs` and :func:`warm_up_jobs` (what the Train buttons and the lecture warm-up run).
"""

from __future__ import annotations

from core.demos.forgetting import figures, remedies, sequential, tasks
from core.demos.forgetting.remedies import Remedy
from core.demos.forgetting.sequential import ForgettingConfig, jobs, phase_a_key, run_key
from core.training import Job

# Click on Train to the result, fresh server, Chromium, 2 quiet cores (2026-12-01): "A then B" 3.1 s; "Remedies"
# 5.1 s with task A already trained by the first tab (A adds ~1 s from cold). bench/bench_forgetting.py: 2.0 s and
# 2.6 s without the browser. Under heavy load torch's two threads spin against other processes: up to 53 s.
PRESET_SECONDS = 3  # "A then B": two trainings (A, then B)
REMEDIES_SECONDS = 6  # "Remedies": A (shared), B three ways, and joint training  # "Remedies": A (shared), B three ways, and joint training
PRESET_REPLAY = 1_000  # the replay slider's preset: the "1,000 examples"
PRESET_LAMBDA = 1e4  # EWC's λ preset: ~ the largest that still lets B be learned here (measured sweep)
LAMBDAS = (0.0, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9)  # the λ slider's stops


def preset_remedies(replay: int = PRESET_REPLAY, ewc_lambda: float = PRESET_LAMBDA) -> list[Remedy]:
    """The remedies tab's four runs: none, EWC λ, replay k, joint (the table's order)."""
    return [Remedy(), Remedy("ewc", ewc_lambda=ewc_lambda), Remedy("replay", replay=replay), Remedy("joint")]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Both tabs' presets for ``seed``: task A once, then no remedy, EWC, replay and joint training."""
    config = ForgettingConfig(seed=seed)
    return jobs(config, preset_remedies())


__all__ = [
    "ForgettingConfig",
    "Remedy",
    "figures",
    "jobs",
    "phase_a_key",
    "preset_remedies",
    "remedies",
    "run_key",
    "sequential",
    "tasks",
    "warm_up_jobs",
]
