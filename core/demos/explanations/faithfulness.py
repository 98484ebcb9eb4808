"""Faithfulness: do the pixels a map calls relevant matter to the model? (:mod:`core.demos.explanations`)

* **Deletion** (Petsiuk, Das & Saenko 2018, "RISE", BMVC, arXiv:1806.07421, Sec. 4.1; the "pixel-flipping"
  of Samek et al. 2017, IEEE TNNLS, arXiv:1509.06321): black out the pixels in order of relevance, most
  relevant first, and follow the model's probability of the class. A faithful map makes it fall fast; the
  area under the curve (lower = better) ranks the methods. A random order is the control.
* **The known truth**: on the tag model every training pullover carried the tag, so the tag is what the
  model uses; a map that is right puts its positive relevance inside the tag's box
  (:func:`core.explain.positive_share_inside`), far above the box's share of the image (7 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from core import explain
from core.training import predict_proba

STEPS = 20  # points on a deletion curve: 0 %, 5 %, ..., 100 % of the pixels removed
RANDOM = "random order (control)"


def deletion_curves(
    model: nn.Module, image: torch.Tensor, target: int, maps: dict[str, torch.Tensor], steps: int = STEPS, seed: int = 0
) -> pd.DataFrame:
    """One row per (method, step): ``method, removed`` (share of pixels blacked out, 0..1), ``probability``.

    Pixels are removed most relevant first (the map's signed value: evidence *for* the class first), all
    channels at once; ``removed = 0`` is the untouched image, so every curve starts at the model's score.
    A seeded random order is added as the control.
    """
    h, w = image.shape[-2:]
    pixels = h * w
    orders = {m: torch.argsort(r.flatten(), descending=True, stable=True) for m, r in maps.items()}
    orders[RANDOM] = torch.randperm(pixels, generator=torch.Generator().manual_seed(seed))
    counts = [round(pixels * s / steps) for s in range(steps + 1)]
    rows = []
    for method, order in orders.items():
        batch = image.repeat(len(counts), 1, 1, 1)
        for i, n in enumerate(counts):
            keep = torch.ones(pixels)
            keep[order[:n]] = 0
            batch[i] *= keep.reshape(1, h, w)
        probability = predict_proba(model, batch)[:, target]
        rows += [
            {"method": method, "removed": n / pixels, "probability": float(p)} for n, p in zip(counts, probability)
        ]
    return pd.DataFrame(rows)


def deletion_area(curves: pd.DataFrame) -> pd.DataFrame:
    """Area under each deletion curve (trapezoid over the removed share, 0..1): lower = faster fall, more faithful."""
    return pd.DataFrame(
        [
            {"method": m, "area": float(np.trapezoid(g["probability"], g["removed"]))}
            for m, g in curves.groupby("method", sort=False)
        ]
    )


def tag_shares(maps: dict[str, torch.Tensor], mask: torch.Tensor) -> pd.DataFrame:
    """One row per method: ``method, share`` (positive relevance inside the tag box, 0..1), best first; and the
    box's own share of the image (``area``: what a map that ignores the tag would score)."""
    rows = [
        {
            "method": m,
            "share": float(explain.positive_share_inside(r[None], mask)[0]),
            "area": float(mask.float().mean()),
        }
        for m, r in maps.items()
    ]
    return pd.DataFrame(rows).sort_values("share", ascending=False, ignore_index=True)
