"""Explanation methods give different reasons for the same prediction, some change from run to run and some ignore the model: an explanation must itself be tested.

Seven methods, all through captum, explain one image of a model trained live whose right answer is
known: the Clever Hans tag model (every training pullover carried a white "TAG"; the tag decides).
Five tabs test them:

1. *Side by side*: Saliency, Integrated Gradients, Grad-CAM, LRP, Occlusion, LIME and KernelSHAP in one
   grid, and their pairwise rank correlation (:mod:`.compare`).
2. *Stable or not*: LIME and KernelSHAP re-run with 5 seeds; deterministic methods as the control
   (:mod:`.stability`).
3. *Sanity checks*: cascading weight randomisation (Adebayo et al. 2018): a map that does not change
   when the model does explains the image, not the model (:mod:`.sanity`).
4. *Faithfulness*: deletion curves, and which methods put their relevance on the tag (:mod:`.faithfulness`).
5. *Approximating*: a decision tree trained on the network's answers; fidelity against depth (:mod:`.surrogate`).

What is where: :mod:`.model` (the subjects and their training through :func:`core.training.fit`),
the five modules above, :mod:`.figures`; here :func:`jobs` and :func:`warm_up_jobs`.
"""

from __future__ import annotations

from core.demos.explanations import compare, faithfulness, figures, model, sanity, stability, surrogate
from core.demos.explanations.model import SubjectConfig, run_key, train
from core.training import Job

__all__ = [
    "compare",
    "faithfulness",
    "figures",
    "jobs",
    "model",
    "run_key",
    "sanity",
    "stability",
    "SubjectConfig",
    "surrogate",
    "train",
    "warm_up_jobs",
]


def jobs(config: SubjectConfig) -> list[Job]:
    """What the page's Train button runs for ``config``: the one model to explain."""
    # ``model.train`` is looked up when the job runs, so a test can stand in for it.
    return [
        Job(
            run_key(config),
            f"Explanations: {config.describe()}",
            lambda store, on_progress=None: model.train(config, on_progress),
        )
    ]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every model the page's presets explain for ``seed`` (the tag CNN: all five tabs' presets use it)."""
    return jobs(SubjectConfig(seed=seed))
