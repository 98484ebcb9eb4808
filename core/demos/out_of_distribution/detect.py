"""Knowing that it does not know: the maximum softmax probability as an out-of-distribution score.

Hendrycks & Gimpel (2017, "A Baseline for Detecting Misclassified and Out-of-Distribution Examples in Neural
Networks", ICLR, arXiv:1610.02136) proposed the simplest detector there is: flag an input when the classifier's
largest softmax probability (MSP) is low. Their point was that it is a *baseline*, better than chance and
easy to beat. Here the in-distribution inputs are the upright test images and the out-of-distribution ones the
same images turned by more than 45° (each by its own seeded angle in 45-180°, either way). We measure:

* the AUROC of "low MSP means turned" (0.5 = a coin, 1 = perfect), with ``sklearn.metrics.roc_auc_score``;
* the same score's AUROC for "low MSP means wrong" on the upright images (their first task);
* how often a *confident* prediction (MSP above a threshold, 90 % by default) is wrong, upright and turned.

Their tables (CIFAR, MNIST against other data sets) are not shown beside ours: we could not check the
numbers against the paper from here, and their out-of-distribution sets are other data sets, not rotations.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import torch

from core import plots
from core.data import ImageDataset
from core.demos.out_of_distribution.transforms import rotate
from core.errors import BadInput
from core.provenance import Provenance
from core.training import predict_proba

HENDRYCKS_GIMPEL_2017 = (
    "Hendrycks & Gimpel 2017, 'A Baseline for Detecting Misclassified and Out-of-Distribution Examples in "
    "Neural Networks', ICLR (arXiv:1610.02136)"
)
MIN_ANGLE = 45.0  # degrees: "turned" starts here (the augmented model was shown up to 30°)
THRESHOLD = 0.9  # a prediction with 90 % confidence is one a user would act on


@dataclass(frozen=True)
class Scores:
    """MSP and correctness of every test image, upright and turned, ``(N,)`` each.

    Attributes:
        upright_msp, turned_msp: the largest softmax probability, in [0.1, 1].
        upright_correct, turned_correct: True where the prediction is the true label.
        angles: the angle each turned image was turned by (degrees, |angle| in [45, 180]).
    """

    upright_msp: torch.Tensor
    turned_msp: torch.Tensor
    upright_correct: torch.Tensor
    turned_correct: torch.Tensor
    angles: torch.Tensor

    def frame(self) -> pd.DataFrame:
        """One row per image and condition: ``condition, msp, correct, angle``."""
        n = len(self.upright_msp)
        return pd.DataFrame(
            {
                "condition": ["upright"] * n + [f"turned > {MIN_ANGLE:g}°"] * n,
                "msp": torch.cat([self.upright_msp, self.turned_msp]).numpy(),
                "correct": torch.cat([self.upright_correct, self.turned_correct]).numpy(),
                "angle": torch.cat([torch.zeros(n), self.angles]).numpy(),
            }
        )


def scores(model: torch.nn.Module, test: ImageDataset, n: int = 2_000, seed: int = 0) -> Scores:
    """MSP and correctness of the first ``n`` test images, upright and each turned by a seeded angle > 45°."""
    if n < 2:
        raise BadInput("the detector needs at least two images")
    images, labels = test.batch(slice(0, n))
    generator = torch.Generator().manual_seed(seed)
    magnitude = MIN_ANGLE + (180.0 - MIN_ANGLE) * torch.rand(len(images), generator=generator)
    sign = torch.where(torch.rand(len(images), generator=generator) < 0.5, -1.0, 1.0)
    angles = sign * magnitude
    upright = predict_proba(model, images).max(dim=1)  # in the lab's batches of 64: see sweep.sweep
    turned = predict_proba(model, rotate(images, angles)).max(dim=1)
    return Scores(upright.values, turned.values, upright.indices == labels, turned.indices == labels, angles)


def auroc(positive: torch.Tensor, negative: torch.Tensor) -> float:
    """AUROC of "low MSP means positive": the chance a random positive scores below a random negative.

    ``positive`` and ``negative`` are MSPs; ties count a half (as ``roc_auc_score`` does).
    """
    from sklearn.metrics import roc_auc_score  # lazily: 146 MB the page pays only when this tab runs

    if not len(positive) or not len(negative):
        raise BadInput("AUROC needs examples of both kinds")
    truth = [1] * len(positive) + [0] * len(negative)
    return float(roc_auc_score(truth, (-torch.cat([positive, negative])).numpy()))


def summary(s: Scores, threshold: float = THRESHOLD) -> dict[str, float]:
    """The numbers of the tab, each in [0, 1] (NaN-free: a share of nothing is reported as 0 with its count).

    Keys: ``auroc_turned`` (turned vs upright), ``auroc_wrong`` (wrong vs right, upright only),
    ``upright_accuracy``, ``turned_accuracy``, ``confident_upright`` / ``confident_turned`` (share of images
    predicted with MSP > threshold), ``confident_wrong_upright`` / ``confident_wrong_turned`` (share of those
    confident predictions that are wrong), and the counts ``n_confident_upright``/``n_confident_turned``.
    """
    if not 0.0 < threshold < 1.0:
        raise BadInput(f"the confidence threshold must be between 0 and 1, got {threshold}")
    out = {
        "auroc_turned": auroc(s.turned_msp, s.upright_msp),
        "auroc_wrong": auroc(s.upright_msp[~s.upright_correct], s.upright_msp[s.upright_correct])
        if 0 < int(s.upright_correct.sum()) < len(s.upright_correct)
        else 0.5,
        "upright_accuracy": float(s.upright_correct.double().mean()),
        "turned_accuracy": float(s.turned_correct.double().mean()),
    }
    for name, msp, correct in (
        ("upright", s.upright_msp, s.upright_correct),
        ("turned", s.turned_msp, s.turned_correct),
    ):
        confident = msp > threshold
        count = int(confident.sum())
        out[f"confident_{name}"] = count / len(msp)
        out[f"n_confident_{name}"] = count
        out[f"confident_wrong_{name}"] = float((~correct[confident]).double().mean()) if count else 0.0
    return out


def histogram_figure(s: Scores, threshold: float, provenance: Provenance) -> go.Figure:
    """The MSP of upright and turned images as two overlaid histograms, with the threshold marked."""
    fig = plots.figure(
        title="How sure the network is: upright vs turned test images",
        xaxis=dict(title="confidence (largest softmax probability, %)", range=[10, 100]),
        yaxis_title="images",
        barmode="overlay",
        legend_below=True,
        margin_t=70,
    )
    bins = dict(start=10, end=100, size=2.5)
    fig.add_histogram(x=100 * s.upright_msp.numpy(), name="upright", marker_color=plots.BLUE, opacity=0.6, xbins=bins)
    fig.add_histogram(
        x=100 * s.turned_msp.numpy(),
        name=f"turned > {MIN_ANGLE:g}°",
        marker_color=plots.VERMILION,
        opacity=0.6,
        xbins=bins,
    )
    fig.add_vline(x=100 * threshold, line=dict(color=plots.GREY, dash="dash"))
    fig.add_annotation(x=100 * threshold, y=1, yref="paper", text=f"{100 * threshold:.0f} %", showarrow=False)
    return plots.finish(fig, provenance)
