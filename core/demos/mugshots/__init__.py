"""A classifier "found criminality" in faces with 89.5 % accuracy: it had learned who was smiling.

The story: Wu & Zhang (2016, "Automated Inference on Criminality using Face Images",
arXiv:1611.04135v1) trained classifiers on 1,856 ID photos of Chinese men, 730 labelled
"criminal", and reported 89.5 % accuracy. Agüera y Arcas, Mitchell & Todorov (2017,
"Physiognomy's New Clothes", Medium) pointed out what the pictures differed in: the
"non-criminal" photos were professional, smiling ID-style pictures (some with white
collars), the "criminal" ones government ID / mugshot-style photos of people who did not
smile. A model can score high by reading the *photo situation*, not the person.

Here the experiment runs on synthetic faces (:mod:`core.faces`): no real person is labelled.
The labels "criminal" / "non-criminal" carry **no information about the face itself**; they
are tied to chosen confounds by a *link* in [0.5, 1]:

* ``smile_link``: share of "non-criminal" faces that smile = share of "criminal" faces that don't;
* ``wall_link``: share of "criminal" faces photographed against a mugshot wall (height lines),
  and of "non-criminal" ones against a plain ID backdrop;
* ``collar_link``: share of "non-criminal" faces in a white collar, and of "criminal" ones without.

A link of 0.5 makes a confound independent of the label. With only the smile linked at
0.895, a model that reads nothing but the smile scores 89.5 % on a test set drawn like the
training set: Wu & Zhang's headline. Then the measurements that expose it:

* the **majority-class baseline** (:mod:`core.baselines`): always answering "non-criminal"
  already scores 60.7 % on data with the paper's class shares (1,126 of 1,856), so 60.7 %,
  not 50 %, is what a model that learned nothing reaches there; the *balanced accuracy*
  (mean recall per class) puts any such constant answer at 50 %;
* the same model on a *balanced* test set (half "criminal", every confound independent of
  the label): its majority baseline is 50 %, and the model falls to it;
* counterfactual pairs: the same face re-rendered with the smile toggled; the share of
  predictions that flip;
* explanation heatmaps (:mod:`core.explain`): the share of positive relevance inside the
  mouth box vs the box's share of the image.

Every training run goes through :func:`core.training.fit` (carbon-measured, ledgered).

What is where (everything is re-exported here, so ``from core.demos import mugshots as mg`` reaches it):

* :mod:`.dataset`: the paper's figures, the presets, :class:`MugshotConfig` and the faces whose labels
  follow the confounds (:func:`face_set`);
* :mod:`.experiment`: the CNN and :func:`train`;
* :mod:`.measurements`: accuracies beside their baselines, counterfactual flips, relevance in the mouth;
* :mod:`.headline`: the first screen's numbers and the sentence that reads them;
* :mod:`.figures`: the plotly figures and the face grid;
* here: :func:`jobs` and :func:`warm_up_jobs`, what the page's Train button and the lecture warm-up run.
"""

from __future__ import annotations

from core.demos.mugshots.dataset import (
    CLASSES,
    CONFOUNDS,
    CRIMINAL_SIDE,
    CRITIQUE,
    FACES_INFO,
    PAPER_ACCURACY,
    PAPER_CRIMINAL,
    PAPER_MAJORITY_BASELINE,
    PAPER_PHOTOS,
    PRESETS,
    WU_ZHANG,
    FaceSet,
    MugshotConfig,
    balanced_test,
    face_set,
    faces_provenance,
    linked_flags,
    test_like_training,
    training_set,
)
from core.demos.mugshots.experiment import CNN, LR, MugshotRun, run_key, train
from core.demos.mugshots.figures import (
    BASELINE_NAME,
    accuracy_figure,
    baseline_segments,
    face_grid,
    flip_figure,
    mouth_share_figure,
)
from core.demos.mugshots.headline import Headline, details, headline, verdict
from core.demos.mugshots.measurements import (
    Counterfactuals,
    FaceMaps,
    accuracy,
    accuracy_table,
    counterfactuals,
    face_maps,
    flip_table,
    mouth_relevance,
    mouth_shares,
)
from core.training import Job

__all__ = [
    "accuracy",
    "accuracy_figure",
    "accuracy_table",
    "balanced_test",
    "BASELINE_NAME",
    "baseline_segments",
    "CLASSES",
    "CNN",
    "CONFOUNDS",
    "counterfactuals",
    "Counterfactuals",
    "CRIMINAL_SIDE",
    "CRITIQUE",
    "details",
    "face_grid",
    "face_maps",
    "face_set",
    "FaceMaps",
    "FACES_INFO",
    "faces_provenance",
    "FaceSet",
    "flip_figure",
    "flip_table",
    "Headline",
    "headline",
    "jobs",
    "linked_flags",
    "LR",
    "mouth_relevance",
    "mouth_share_figure",
    "mouth_shares",
    "MugshotConfig",
    "MugshotRun",
    "PAPER_ACCURACY",
    "PAPER_CRIMINAL",
    "PAPER_MAJORITY_BASELINE",
    "PAPER_PHOTOS",
    "PRESETS",
    "run_key",
    "test_like_training",
    "train",
    "training_set",
    "verdict",
    "warm_up_jobs",
    "WU_ZHANG",
]


def jobs(config: MugshotConfig) -> list[Job]:
    """What the page's Train step needs for ``config``: the one model, trained on its faces."""
    # ``train`` is looked up here when the job runs, so a test can stand in for it (mg.train = ...).
    return [
        Job(
            run_key(config),
            f"Mugshots: {config.describe()}",
            lambda store, on_progress=None: train(config, on_progress),
        )
    ]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the page for ``seed``, in the order of its buttons."""
    return [
        job
        for smile, wall, collar in PRESETS.values()
        for job in jobs(MugshotConfig(smile_link=smile, wall_link=wall, collar_link=collar, seed=seed))
    ]
