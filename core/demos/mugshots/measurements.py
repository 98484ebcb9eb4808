"""What exposes the confound: accuracy beside each test set's baseline, counterfactual faces, and where
the explanation maps put their evidence (:mod:`core.demos.mugshots`).

Every function only reads a trained run: its model is shared by every session of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core import baselines, explain, faces
from core.demos.mugshots.dataset import CLASSES, CONFOUNDS, PAPER_ACCURACY, PAPER_CRIMINAL, PAPER_PHOTOS, FaceSet
from core.demos.mugshots.experiment import MugshotRun
from core.errors import BadInput
from core.training import predict

# Faces per forward pass when measuring. A 64x64 face makes 8 x 64 x 64 floats per activation, so the
# 600 test faces in one pass (predict's default batch of 1,000) peaked at +233 MB of server memory;
# 128 at a time peaks at +55 MB (measured, bench/bench_mugshots.py's machine). Same predictions.
BATCH = 128


def accuracy(model: torch.nn.Module, data: FaceSet) -> float:
    """Share of ``data``'s faces whose label ``model`` predicts, in [0, 1]."""
    return float((predict(model, data.floats(), BATCH) == data.labels).float().mean())


@dataclass(frozen=True)
class Counterfactuals:
    """The same faces with one confound toggled: pixels and predictions before and after.

    Attributes:
        before, after: images ``(N, 3, 64, 64)`` uint8; only the mouth differs (for ``smile``).
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
        raise BadInput(f"attribute must be one of {tuple(CONFOUNDS)}, got {attribute!r}")
    toggled = data.faces.replace(**{attribute: ~getattr(data.faces, attribute)})
    after = faces.render(toggled, dtype=torch.uint8)
    return Counterfactuals(
        attribute,
        data.images,
        after,
        predict(model, data.floats(), BATCH),
        predict(model, faces.as_float(after), BATCH),
        data.faces.smile.copy(),
    )


def accuracy_table(run: MugshotRun, balanced: FaceSet) -> pd.DataFrame:
    """Each accuracy beside the baselines of the very test set it was measured on.

    One row per test set: ours drawn like the training set, ours balanced, and Wu & Zhang's
    published figure. Columns: ``test_set`` (short name), ``measure``, ``kind`` (measured /
    published), ``accuracy``, ``balanced_accuracy`` (mean recall per class; not reported by
    the paper: empty), ``majority_baseline`` (accuracy of always answering the commonest
    class of *that* test set), ``majority_class``, ``balanced_chance`` (balanced accuracy of
    any constant answer: 50 %), ``faces``.

    Why the baselines: with the paper's class shares, always answering "non-criminal" scores
    60.7 %, so an accuracy set against a 50 % "chance" line looks 10.7 points better than it
    is. The "No link" preset shows it: the model scores the majority rate and learns nothing.
    """
    rows = []
    for name, data in (("like training", run.test), ("balanced test", balanced)):
        r = baselines.report(data.labels, predict(run.model, data.floats(), BATCH))
        rows.append(
            {
                "test_set": name,
                "measure": f"accuracy, {data.name}",
                "kind": "measured",
                "accuracy": r.accuracy,
                "balanced_accuracy": r.balanced_accuracy,
                "majority_baseline": r.majority_baseline,
                "majority_class": CLASSES[r.majority_class],
                "balanced_chance": r.chance_balanced,
                "faces": r.n,
            }
        )
    paper_labels = np.repeat([0, 1], [PAPER_PHOTOS - PAPER_CRIMINAL, PAPER_CRIMINAL])  # their published counts
    rows.append(
        {
            "test_set": "Wu & Zhang 2016",
            "kind": "published",
            "measure": f"Wu & Zhang 2016: reported accuracy on {PAPER_PHOTOS:,} real photos (balanced accuracy "
            "not reported; baseline from their class counts)",
            "accuracy": PAPER_ACCURACY,
            "balanced_accuracy": None,
            "majority_baseline": baselines.majority_baseline(paper_labels),
            "majority_class": CLASSES[baselines.majority_class(paper_labels)],
            "balanced_chance": baselines.chance_balanced_accuracy(paper_labels),
            "faces": PAPER_PHOTOS,
        }
    )
    return pd.DataFrame(rows).astype({"balanced_accuracy": float})


def flip_table(run: MugshotRun, balanced: FaceSet) -> pd.DataFrame:
    """Share of predictions that flip when only one confound is toggled, per confound (``attribute``, ``value``)."""
    return pd.DataFrame(
        [
            {
                "attribute": name,
                "measure": f"predictions that flip when only '{name}' is toggled",
                "value": counterfactuals(run.model, balanced, attribute).flip_share,
                "kind": "measured",
                "faces": len(balanced),
            }
            for attribute, name in CONFOUNDS.items()
        ]
    )


def mouth_relevance(model: torch.nn.Module, data: FaceSet, limit: int = 40) -> pd.DataFrame:
    """Share of positive relevance inside each face's mouth box, per explanation method.

    Explains the predicted class of the first ``limit`` faces. A method that ignored the
    mouth would put about the box's area share there. One row per method:
    ``method, share_in_mouth`` (mean over faces), ``area_share`` (mean box area), ``faces``.
    """
    images = data.floats(slice(0, limit))
    targets = predict(model, images, BATCH)
    masks = faces.mouth_masks(data.faces.subset(slice(0, limit)))
    rows = []
    for method, maps in explain.attribute_all(model, images, targets).items():
        shares = mouth_shares(maps, masks)
        rows.append(
            {
                "method": method,
                "share_in_mouth": float(shares.mean()),
                "area_share": float(masks.float().mean()),
                "faces": len(images),
            }
        )
    return pd.DataFrame(rows)


def mouth_shares(maps: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Share of each map's positive relevance inside its own face's mouth box: maps and masks ``(N, 64, 64)`` -> ``(N,)``."""
    return torch.stack([explain.positive_share_inside(maps[i : i + 1], masks[i])[0] for i in range(len(maps))])


@dataclass(frozen=True)
class FaceMaps:
    """One face and its twin with the smile toggled, each explained for its predicted label (the Heatmaps tab).

    Attributes:
        rows: for :func:`core.explain.maps_figure`: ``("original" | "toggled", image (3, 64, 64) in [0, 1],
            {method: map (64, 64)})``.
        predicted: the predicted label of each row (1 = "criminal").
        smiling: whether the face of each row smiles.
        box: the mouth box ``(top, left, height, width)``, the same for both faces of the pair.
        shares: one row per (face, method): ``face, method, share_in_mouth_box`` (:func:`mouth_shares`).
    """

    rows: list[tuple[str, torch.Tensor, dict[str, torch.Tensor]]]
    predicted: list[int]
    smiling: list[bool]
    box: tuple[int, int, int, int]
    shares: pd.DataFrame


def face_maps(model: torch.nn.Module, data: FaceSet, index: int) -> FaceMaps:
    """Explain face ``index`` of ``data`` and the same face re-rendered with the smile toggled, every method."""
    one = data.faces.subset([index])
    twin = one.replace(smile=~one.smile)
    mask = faces.mouth_masks(one)
    rows, predicted, frame = [], [], []
    for label, image in (("original", data.floats(slice(index, index + 1))), ("toggled", faces.render(twin))):
        target = predict(model, image, BATCH)
        maps = explain.attribute_all(model, image, target)
        rows.append((label, image[0], {m: v[0] for m, v in maps.items()}))
        predicted.append(int(target))
        frame += [
            {"face": label, "method": m, "share_in_mouth_box": float(mouth_shares(v, mask)[0])} for m, v in maps.items()
        ]
    top, bottom, left, right = (int(v) for v in faces.mouth_boxes(one)[0])
    smiling = [bool(one.smile[0]), bool(twin.smile[0])]
    return FaceMaps(rows, predicted, smiling, (top, left, bottom - top, right - left), pd.DataFrame(frame))
