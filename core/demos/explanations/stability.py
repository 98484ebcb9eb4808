"""Stable or not: the same image explained again with other seeds (:mod:`core.demos.explanations`).

LIME and KernelSHAP draw random perturbations, so two runs on the same image and model can give two
different maps; LIME's own users report it (e.g. Zhang, Song, Sun, Udell 2019, "Why should you trust my
explanation?", arXiv:1904.12991; Alvarez-Melis & Jaakkola 2018, arXiv:1806.08049). Gradient methods and
Occlusion draw nothing: re-running them gives the very same map, the control.

Two measures of spread over the seeds' maps, both in [0, 1], 1 = identical:

* mean pairwise Spearman correlation of the maps (:func:`~core.demos.explanations.compare.spearman`);
* mean pairwise overlap (Jaccard) of the top-``k`` patches: the "features" a user would read off.
"""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd
import torch
from torch import nn

from core.demos.explanations.compare import Settings, attribute, spearman, why_not

SEEDS = 5  # the "5 seeds": enough to see LIME's spread, ~3 s for LIME + KernelSHAP on 2 cores
TOP = 5  # top patches compared: about what a user reads off a LIME picture (Ribeiro et al. show 5-10)
STABILITY_METHODS = ("LIME", "KernelSHAP", "Integrated Gradients", "Occlusion")  # two random, two controls


def reruns(
    model: nn.Module,
    image: torch.Tensor,
    target: int,
    settings: Settings,
    seeds: int = SEEDS,
    methods: tuple[str, ...] = STABILITY_METHODS,
) -> dict[str, list[torch.Tensor]]:
    """``{method: [map for seed settings.seed, settings.seed + 1, ...]}``, ``seeds`` maps ``(H, W)`` each."""
    return {
        method: [
            attribute(model, image, target, method, dataclasses.replace(settings, seed=settings.seed + s))
            for s in range(seeds)
        ]
        for method in methods
        if why_not(model, method) is None
    }


def top_patches(relevance: torch.Tensor, patch: int, k: int = TOP) -> frozenset[int]:
    """The ``k`` patches (row-major numbers) holding the most positive relevance: what the map says matters."""
    h, w = relevance.shape
    cells = relevance.clamp(min=0).reshape(h // patch, patch, w // patch, patch).sum(dim=(1, 3)).flatten()
    return frozenset(int(i) for i in torch.argsort(cells, descending=True, stable=True)[:k])


def spread(maps: dict[str, list[torch.Tensor]], patch: int, k: int = TOP) -> pd.DataFrame:
    """One row per method: ``method, seeds, spearman`` (mean pairwise), ``top_overlap`` (mean pairwise Jaccard
    of the top-``k`` patches), ``always_top`` (patches in every seed's top ``k``), ``random`` (draws a seed)."""
    rows = []
    for method, runs in maps.items():
        pairs = list(itertools.combinations(range(len(runs)), 2))
        tops = [top_patches(m, patch, k) for m in runs]
        rho = [spearman(runs[i], runs[j]) for i, j in pairs]
        jac = [len(tops[i] & tops[j]) / len(tops[i] | tops[j]) for i, j in pairs]
        rows.append(
            {
                "method": method,
                "seeds": len(runs),
                "spearman": float(pd.Series(rho).mean()) if pairs else 1.0,
                "top_overlap": float(sum(jac) / len(jac)) if pairs else 1.0,
                "always_top": len(frozenset.intersection(*tops)) if tops else 0,
                "random": method in ("LIME", "KernelSHAP"),
            }
        )
    return pd.DataFrame(rows)
