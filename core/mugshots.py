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

* the same model on a *balanced* test set (half "criminal", every confound independent of
  the label): chance, 50 %;
* counterfactual pairs: the same face re-rendered with the smile toggled; the share of
  predictions that flip;
* explanation heatmaps (:mod:`core.explain`): the share of positive relevance inside the
  mouth box vs the box's share of the image.

Every training run goes through :func:`core.training.fit` (carbon-measured, ledgered).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from core import explain, faces, plots
from core.data import ImageDataset, SourceInfo
from core.models import CNNConfig, build_cnn
from core.provenance import Provenance
from core.training import FitResult, ProgressCallback, TrainConfig, fit, predict_proba

WU_ZHANG = "Wu & Zhang 2016, 'Automated Inference on Criminality using Face Images', arXiv:1611.04135v1"
CRITIQUE = ("Agüera y Arcas, Mitchell & Todorov 2017, \"Physiognomy's New Clothes\", Medium, "
            "medium.com/@blaisea/physiognomys-new-clothes-f2d4b59fdd6a")
PAPER_ACCURACY = 0.895   # Wu & Zhang's headline accuracy (published; real photos, other models)
PAPER_PHOTOS = 1856      # their data set: 1,856 ID photos ...
PAPER_CRIMINAL = 730     # ... of which 730 labelled "criminal"
CLASSES = ("non-criminal", "criminal")
CONFOUNDS = {"smile": "smiling", "mugshot": "mugshot wall", "white_collar": "white collar"}

FACES_INFO = SourceInfo(
    key="synthetic_faces", name="synthetic faces (core.faces)",
    description="64x64 colour faces drawn from random attributes; no real person. Labels are tied to "
                "confounds (smile, background, clothing), never to the face itself.",
    licence="generated here", origin="core/faces.py, seeded", citation="")


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
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if not 0.0 < self.criminal_share < 1.0:
            raise ValueError(f"criminal_share must be in (0, 1), got {self.criminal_share}")
        if self.n_train < 20 or self.n_test < 20:
            raise ValueError(f"n_train and n_test must be at least 20, got {self.n_train}, {self.n_test}")
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")

    @property
    def links(self) -> dict[str, float]:
        """Link of each confound to the label, keyed like :data:`CONFOUNDS`."""
        return {"smile": self.smile_link, "mugshot": self.wall_link, "white_collar": self.collar_link}

    def describe(self) -> str:
        linked = [f"{CONFOUNDS[k]} {v:.1%}" for k, v in self.links.items() if v != 0.5]
        return "labels follow " + (", ".join(linked) if linked else "nothing (all links 0.5)")


# Which value of each confound goes with "criminal" (label 1): no smile, the mugshot wall, no white collar.
CRIMINAL_SIDE = {"smile": False, "mugshot": True, "white_collar": False}
CNN = CNNConfig(in_channels=3, num_classes=2, image_size=faces.SIZE, widths=(8, 16), hidden=32)
# (8, 16) channels: a third of the default SmallCNN's cost at 64x64, and plenty for a mouth shape.
LR = 4e-3  # twice the lab default: the smile is learned within the first epoch, so 3 epochs suffice


# ----------------------------------------------------------------------------- data

@dataclass(frozen=True)
class FaceSet:
    """Faces, their pixels and their labels: ``images (N, 3, 64, 64)`` in [0, 1], ``labels (N,)`` 0/1."""

    faces: faces.FaceAttributes
    images: torch.Tensor
    labels: torch.Tensor
    name: str

    def dataset(self) -> ImageDataset:
        return ImageDataset(self.images, self.labels, CLASSES, FACES_INFO)

    def __len__(self) -> int:
        return len(self.labels)


def _linked_flags(rng: np.random.Generator, labels: np.ndarray, link: float, criminal_value: bool) -> np.ndarray:
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
    confounds = {k: _linked_flags(rng, labels, links[k], CRIMINAL_SIDE[k]) for k in CONFOUNDS}
    attrs = faces.sample_attributes(n, seed=int(rng.integers(2**31)), **confounds)
    return FaceSet(attrs, faces.render(attrs), torch.from_numpy(labels), name)


def training_set(config: MugshotConfig) -> FaceSet:
    return face_set(config.n_train, config.criminal_share, config.links, (config.seed, 0), "training set")


def test_like_training(config: MugshotConfig) -> FaceSet:
    """New faces drawn exactly like the training set: what a developer would report."""
    return face_set(config.n_test, config.criminal_share, config.links, (config.seed, 1),
                    "test set drawn like the training set")


def balanced_test(config: MugshotConfig) -> FaceSet:
    """Half "criminal", and every confound independent of the label (links 0.5): what is left to learn?"""
    return face_set(config.n_test, 0.5, {k: 0.5 for k in CONFOUNDS}, (config.seed, 2),
                    "balanced test set: confounds independent of the label")


# ----------------------------------------------------------------------------- training

@dataclass
class MugshotRun:
    """A trained model with its data. ``result`` is :func:`core.training.fit`'s (model, history, carbon)."""

    config: MugshotConfig
    result: FitResult
    train: FaceSet
    test: FaceSet

    @property
    def model(self) -> torch.nn.Module:
        return self.result.model


def train(config: MugshotConfig, on_progress: ProgressCallback | None = None) -> MugshotRun:
    """Draw the faces, train a small CNN on "criminal" vs "non-criminal" with :func:`core.training.fit`."""
    train_set, test = training_set(config), test_like_training(config)
    model = build_cnn(CNN, seed=config.seed)
    result = fit(model, train_set.dataset(), test.dataset(), TrainConfig(epochs=config.epochs, lr=LR, seed=config.seed),
                 demo="mugshots", label=f"SmallCNN on synthetic faces, {config.describe()}", on_progress=on_progress)
    return MugshotRun(config, result, train_set, test)


# ----------------------------------------------------------------------------- measurements

def predictions(model: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Predicted label per image, ``(N,)`` long: 1 = "criminal"."""
    return predict_proba(model, images).argmax(dim=1)


def accuracy(model: torch.nn.Module, data: FaceSet) -> float:
    return float((predictions(model, data.images) == data.labels).float().mean())


@dataclass(frozen=True)
class Counterfactuals:
    """The same faces with one confound toggled: pixels and predictions before and after.

    Attributes:
        before, after: images ``(N, 3, 64, 64)``; only the mouth differs (for ``smile``).
        pred_before, pred_after: predicted labels ``(N,)``.
        smiling_before: whether each face smiled originally.
    """

    attribute: str
    before: torch.Tensor
    after: torch.Tensor
    pred_before: torch.Tensor
    pred_after: torch.Tensor
    smiling_before: np.ndarray

    @property
    def flipped(self) -> torch.Tensor:
        return self.pred_before != self.pred_after

    @property
    def flip_share(self) -> float:
        """Share of faces whose prediction changed when only the confound changed."""
        return float(self.flipped.float().mean())


def counterfactuals(model: torch.nn.Module, data: FaceSet, attribute: str = "smile") -> Counterfactuals:
    """Re-render every face of ``data`` with ``attribute`` toggled and compare predictions.

    Nothing else about the face changes (same skin, hair, eyes, background...), so a
    flipped prediction was caused by the toggled attribute alone.
    """
    if attribute not in CONFOUNDS:
        raise ValueError(f"attribute must be one of {tuple(CONFOUNDS)}, got {attribute!r}")
    toggled = data.faces.replace(**{attribute: ~getattr(data.faces, attribute)})
    after = faces.render(toggled)
    return Counterfactuals(attribute, data.images, after, predictions(model, data.images), predictions(model, after),
                           data.faces.smile.copy())


def measurements(run: MugshotRun, balanced: FaceSet) -> pd.DataFrame:
    """The headline numbers: accuracy like the paper, on the balanced test, and the flip shares."""
    rows = [{"measure": "accuracy, test set drawn like the training set", "value": accuracy(run.model, run.test),
             "kind": "measured", "faces": len(run.test)},
            {"measure": "accuracy, balanced test set (confounds independent of the label)",
             "value": accuracy(run.model, balanced), "kind": "measured", "faces": len(balanced)},
            {"measure": f"Wu & Zhang 2016: reported accuracy on {PAPER_PHOTOS:,} real photos", "value": PAPER_ACCURACY,
             "kind": "published", "faces": PAPER_PHOTOS}]
    for attribute, name in CONFOUNDS.items():
        rows.append({"measure": f"predictions that flip when only '{name}' is toggled",
                     "value": counterfactuals(run.model, balanced, attribute).flip_share, "kind": "measured",
                     "faces": len(balanced)})
    return pd.DataFrame(rows)


def mouth_relevance(model: torch.nn.Module, data: FaceSet, limit: int = 40) -> pd.DataFrame:
    """Share of positive relevance inside each face's mouth box, per explanation method.

    Explains the predicted class of the first ``limit`` faces. A method that ignored the
    mouth would put about the box's area share there. One row per method:
    ``method, share_in_mouth`` (mean over faces), ``area_share`` (mean box area), ``faces``.
    """
    images = data.images[:limit]
    targets = predictions(model, images)
    masks = faces.mouth_masks(data.faces.subset(slice(0, limit)))
    rows = []
    for method, maps in explain.attribute_all(model, images, targets).items():
        shares = torch.stack([explain.positive_share_inside(maps[i:i + 1], masks[i])[0] for i in range(len(images))])
        rows.append({"method": method, "share_in_mouth": float(shares.mean()),
                     "area_share": float(masks.float().mean()), "faces": len(images)})
    return pd.DataFrame(rows)


def link_sweep_point(config: MugshotConfig, run: MugshotRun, balanced: FaceSet) -> dict:
    """One row for the "accuracy follows the link" table."""
    return {"smile_link": config.smile_link, "like_training": accuracy(run.model, run.test),
            "balanced": accuracy(run.model, balanced)}


# ----------------------------------------------------------------------------- figures

def accuracy_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars: accuracy like the paper vs balanced vs the paper's published figure; a line at chance."""
    rows = table[table["measure"].str.contains("accuracy")]
    colours = [plots.GREY if k == "published" else plots.BLUE if "balanced" not in m else plots.VERMILION
               for m, k in zip(rows["measure"], rows["kind"])]
    labels = ["ours: test like training", "ours: balanced test", "Wu & Zhang 2016 (published)"]
    fig = plots.figure(title="'Criminality' accuracy, and what is left without the confound")
    fig.add_bar(x=labels[:len(rows)], y=rows["value"], marker_color=colours, text=[f"{v:.1%}" for v in rows["value"]],
                textposition="outside", hovertext=rows["measure"])
    fig.add_hline(y=0.5, line_dash="dash", line_color=plots.BLACK, annotation_text="chance",
                  annotation_position="top left", annotation_bgcolor="rgba(255,255,255,0.85)")
    fig.update_layout(yaxis=dict(range=[0, 1.08], tickformat=".0%", title="accuracy"), showlegend=False)
    return plots.finish(fig, provenance)


def flip_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars: share of predictions that flip when one confound is toggled on the same faces."""
    rows = table[table["measure"].str.startswith("predictions that flip")]
    names = [m.split("'")[1] for m in rows["measure"]]
    fig = plots.figure(title="Same face, one thing toggled: predictions that flip")
    fig.add_bar(x=names, y=rows["value"], marker_color=plots.ORANGE, text=[f"{v:.0%}" for v in rows["value"]],
                textposition="outside")
    fig.update_layout(yaxis=dict(range=[0, 1.1], tickformat=".0%", title="share of faces"),
                      xaxis_title="toggled attribute", showlegend=False)
    return plots.finish(fig, provenance)


def mouth_share_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars per method: share of positive relevance in the mouth box, with the box's area share as a line."""
    fig = plots.figure(title="Where the evidence sits: share of relevance in the mouth box")
    fig.add_bar(x=table["method"], y=table["share_in_mouth"], marker_color=plots.VERMILION,
                text=[f"{v:.0%}" for v in table["share_in_mouth"]], textposition="outside", name="relevance in box")
    area = float(table["area_share"].mean())
    fig.add_hline(y=area, line_dash="dash", line_color=plots.BLACK)
    fig.update_layout(yaxis=dict(range=[0, 1.1], tickformat=".0%", title="share of positive relevance"),
                      xaxis_title=f"dashed line: the box's area, {area:.1%} of the image", showlegend=False)
    return plots.finish(fig, provenance)


def face_grid(images: torch.Tensor, columns: int = 8) -> np.ndarray:
    """Images ``(N, 3, H, W)`` -> one uint8 RGB picture ``(rows*H, columns*W, 3)`` (empty cells white)."""
    n, _, h, w = images.shape
    rows = max(1, -(-n // columns))
    canvas = torch.ones(rows * columns, 3, h, w)
    canvas[:n] = images
    grid = canvas.view(rows, columns, 3, h, w).permute(0, 3, 1, 4, 2).reshape(rows * h, columns * w, 3)
    return (grid.clamp(0, 1).numpy() * 255).round().astype(np.uint8)
