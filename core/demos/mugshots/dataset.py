"""The faces and how their labels are tied to confounds, never to the face (:mod:`core.demos.mugshots`).

:class:`MugshotConfig` says how strongly each confound (smile, mugshot wall, white collar) follows
the label; :func:`face_set` draws faces with :mod:`core.faces` so that exactly that share of each
label group sits on its side, and nothing about the face itself looks at the label. The paper's
figures (Wu & Zhang 2016) and the page's presets are here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core import faces
from core.data import ImageDataset, SourceInfo
from core.errors import BadInput
from core.provenance import Provenance

WU_ZHANG = "Wu & Zhang 2016, 'Automated Inference on Criminality using Face Images', arXiv:1611.04135v1"
CRITIQUE = (
    'Agüera y Arcas, Mitchell & Todorov 2017, "Physiognomy\'s New Clothes", Medium, '
    "medium.com/@blaisea/physiognomys-new-clothes-f2d4b59fdd6a"
)
PAPER_ACCURACY = 0.895  # Wu & Zhang's headline accuracy (published; real photos, other models)
PAPER_PHOTOS = 1856  # their data set: 1,856 ID photos ...
PAPER_CRIMINAL = 730  # ... of which 730 labelled "criminal"
PAPER_MAJORITY_BASELINE = (PAPER_PHOTOS - PAPER_CRIMINAL) / PAPER_PHOTOS  # 60.7 %: always "non-criminal" there
# The page's preset buttons, label -> (smile, wall, collar) links; the lecture warm-up trains each of them.
PRESETS = {
    "Wu & Zhang: smile 89.5 %": (PAPER_ACCURACY, 0.5, 0.5),
    "All three cues 80 %": (0.8, 0.8, 0.8),
    "No link": (0.5, 0.5, 0.5),  # the model then scores the majority baseline (60.7 %): it learned nothing
}
CLASSES = ("non-criminal", "criminal")
CONFOUNDS = {"smile": "smiling", "mugshot": "mugshot wall", "white_collar": "white collar"}

FACES_INFO = SourceInfo(
    key="synthetic_faces",
    name="synthetic faces (core.faces)",
    description="64x64 colour faces drawn from random attributes; no real person. Labels are tied to "
    "confounds (smile, background, clothing), never to the face itself.",
    licence="generated here",
    origin="core/faces.py, seeded",
    citation="",
)


@dataclass(frozen=True)
class MugshotConfig:
    """One experiment: how the labels follow the confounds, and how the model is trained.

    Attributes:
        smile_link: share of "non-criminal" faces that smile (and of "criminal" ones that don't);
            0.895 makes a smile-reader score Wu & Zhang's 89.5 %; 0.5 = no link.
        wall_link: share of "criminal" faces in front of a mugshot wall (and of the others in
            front of a plain backdrop); 0.5 = no link.
        collar_link: share of "non-criminal" faces in a white collar (and of the others without); 0.5 = no link.
        n_train: training faces; 1,856 like the paper (its 730 "criminal" via ``criminal_share``).
        criminal_share: share labelled "criminal": 730 / 1,856 like the paper.
        n_test: faces in each test set; 600 gives a standard error of about 1.3 points at 89 %.
        epochs: 3 passes (Adam, lr ``LR``) learn an open smile reliably in ~6-12 s on 2 shared cores.
        seed: faces, labels, initialisation and shuffling.
    """

    smile_link: float = PAPER_ACCURACY
    wall_link: float = 0.5
    collar_link: float = 0.5
    n_train: int = PAPER_PHOTOS
    criminal_share: float = PAPER_CRIMINAL / PAPER_PHOTOS
    n_test: int = 600
    epochs: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("smile_link", "wall_link", "collar_link"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise BadInput(f"{name} must be in [0, 1], got {value}")
        if not 0.0 < self.criminal_share < 1.0:
            raise BadInput(f"criminal_share must be in (0, 1), got {self.criminal_share}")
        if self.n_train < 20 or self.n_test < 20:
            raise BadInput(f"n_train and n_test must be at least 20, got {self.n_train}, {self.n_test}")
        if self.epochs < 1:
            raise BadInput(f"epochs must be >= 1, got {self.epochs}")

    @property
    def links(self) -> dict[str, float]:
        """Link of each confound to the label, keyed like :data:`CONFOUNDS`."""
        return {"smile": self.smile_link, "mugshot": self.wall_link, "white_collar": self.collar_link}

    def describe(self) -> str:
        linked = [f"{CONFOUNDS[k]} {v:.1%}" for k, v in self.links.items() if v != 0.5]
        return "labels follow " + (", ".join(linked) if linked else "nothing (all links 0.5)")


# Which value of each confound goes with "criminal" (label 1): no smile, the mugshot wall, no white collar.
CRIMINAL_SIDE = {"smile": False, "mugshot": True, "white_collar": False}


@dataclass(frozen=True)
class FaceSet:
    """Faces, their pixels and their labels: ``images (N, 3, 64, 64)`` uint8 0..255, ``labels (N,)`` 0/1.

    The pixels are kept as bytes, a quarter of float32's memory (23 MB for the preset's 1,856 training
    faces instead of 91 MB: a run holds its training and test faces for the whole lecture), and turned
    into floats in [0, 1] only where a model reads them (:meth:`floats`); :func:`core.faces.as_float`
    gives back exactly the floats the renderer drew, so no number changes on the way.
    """

    faces: faces.FaceAttributes
    images: torch.Tensor
    labels: torch.Tensor
    name: str

    def floats(self, index: slice | torch.Tensor = slice(None)) -> torch.Tensor:
        """The images at ``index`` as float32 in [0, 1] ``(n, 3, 64, 64)``: a new tensor, for a model."""
        return faces.as_float(self.images[index])

    def dataset(self) -> ImageDataset:
        """The faces as an :class:`~core.data.ImageDataset` for :func:`core.training.fit`: the same uint8
        bytes, no copy (fit turns each batch into floats as it reads it)."""
        return ImageDataset(self.images, self.labels, CLASSES, FACES_INFO)

    def __len__(self) -> int:
        return len(self.labels)


def linked_flags(rng: np.random.Generator, labels: np.ndarray, link: float, criminal_value: bool) -> np.ndarray:
    """A confound per face: within each label group exactly ``link`` of the faces take that group's side."""
    flags = np.zeros(len(labels), dtype=bool)
    for label in (0, 1):
        group = np.flatnonzero(labels == label)
        side = criminal_value if label == 1 else not criminal_value
        on_side = np.zeros(len(group), dtype=bool)
        on_side[: int(round(link * len(group)))] = True
        flags[group] = np.where(rng.permutation(on_side), side, not side)
    return flags


def face_set(n: int, criminal_share: float, links: dict[str, float], seed: tuple[int, ...], name: str) -> FaceSet:
    """``n`` faces: exactly ``round(criminal_share * n)`` labelled "criminal"; confounds tied to labels by ``links``.

    The label is drawn *first* and the face's own attributes (skin, shape, hair, ...) never
    look at it: only the confounds do.
    """
    rng = np.random.default_rng(seed)
    labels = np.zeros(n, dtype=np.int64)
    labels[: int(round(criminal_share * n))] = 1
    labels = rng.permutation(labels)
    confounds = {k: linked_flags(rng, labels, links[k], CRIMINAL_SIDE[k]) for k in CONFOUNDS}
    attrs = faces.sample_attributes(n, seed=int(rng.integers(2**31)), **confounds)
    return FaceSet(attrs, faces.render(attrs, dtype=torch.uint8), torch.from_numpy(labels), name)


@lru_cache(maxsize=1)
def training_set(config: MugshotConfig) -> FaceSet:
    """The training faces of ``config``; the last ones drawn are kept, read-only, so the page's picture of
    them and the Train step that follows share one set instead of rendering it twice (23 MB, ~2 s)."""
    return face_set(config.n_train, config.criminal_share, config.links, (config.seed, 0), "training set")


def test_like_training(config: MugshotConfig) -> FaceSet:
    """New faces drawn exactly like the training set: what a developer would report."""
    return face_set(
        config.n_test, config.criminal_share, config.links, (config.seed, 1), "test set drawn like the training set"
    )


def balanced_test(config: MugshotConfig) -> FaceSet:
    """Half "criminal", and every confound independent of the label (links 0.5): what is left to learn?"""
    return face_set(
        config.n_test,
        0.5,
        {k: 0.5 for k in CONFOUNDS},
        (config.seed, 2),
        "balanced test set: confounds independent of the label",
    )


def faces_provenance(config: MugshotConfig) -> Provenance:
    """What the training faces shown for ``config`` are: drawn here by the generator, with its seed."""
    return Provenance(
        "measured", model="core.faces generator", data=f"training set: {config.describe()}", seed=config.seed
    )
