"""Seven explanation methods side by side, and how much they agree (:mod:`core.demos.explanations`).

The lab's four (:mod:`core.explain`: Saliency, Integrated Gradients, Grad-CAM, LRP) plus three that
treat the model as a black box and perturb its input, all through captum, none hand-written:

* **Occlusion** (Zeiler & Fergus 2014, ECCV, arXiv:1311.2901, Sec. 4.2): slide a black square over the
  image; a pixel's relevance is the average drop of the class score when a square covering it is blacked out.
* **LIME** (Ribeiro, Singh & Guestrin 2016, KDD, arXiv:1602.04938, Sec. 3): black out random subsets of
  image patches, fit a sparse linear model (Lasso) of the score on "which patches were kept", weighted by
  closeness to the original; a patch's relevance is its coefficient. Random: the seed matters.
* **KernelSHAP** (Lundberg & Lee 2017, NeurIPS, arXiv:1705.07874, Sec. 4.1): the same kind of regression
  with the Shapley kernel as weights, so the coefficients estimate Shapley values and add up to
  ``score(image) - score(black)``. Random too.

LIME's Lasso and KernelSHAP's least squares are fitted by :mod:`core.surrogates` (captum's defaults are
scikit-learn's ``Lasso(alpha=0.01)`` and ``LinearRegression()``, the same objectives, but importing
scikit-learn would cost the server ~100 MB that stay).

Patches are the "interpretable features" of LIME and KernelSHAP: a grid of square patches (Ribeiro et
al. use superpixels; on 28 x 28 Fashion-MNIST a 4 x 4 grid cell is about a superpixel's size, and the
grid needs no segmentation library). Every map is ``(H, W)`` float32, on the class's *logit*, as the
lab's four methods are.

Agreement is Spearman's rank correlation of the maps' absolute values over the 784 pixels (what ranks
as important, whatever the sign: Adebayo et al. 2018 compare maps the same way, Sec. 3). 1 = the same
order of importance, 0 = unrelated.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core import explain
from core.errors import BadInput

BLACK_BOX = ("Occlusion", "LIME", "KernelSHAP")
METHODS: tuple[str, ...] = (*explain.METHODS, *BLACK_BOX)
RANDOM_METHODS = ("LIME", "KernelSHAP")  # the two whose maps depend on a seed
PAPERS = {
    **explain.PAPERS,
    "Occlusion": "Zeiler & Fergus 2014, ECCV, arXiv:1311.2901, Sec. 4.2",
    "LIME": "Ribeiro, Singh & Guestrin 2016, KDD, arXiv:1602.04938, Sec. 3",
    "KernelSHAP": "Lundberg & Lee 2017, NeurIPS, arXiv:1705.07874, Sec. 4.1",
}
SAMPLES_RANGE = (20, 2_000)  # below 20 a regression on 49 patches is a guess; above 2,000 one map takes seconds
PATCHES = (2, 4, 7)  # patch sizes that tile 28 pixels exactly: 196, 49 or 16 features
BATCH = 64  # perturbed images per forward pass (captum's perturbations_per_eval)


class CannotExplain(BadInput):
    """A method this model cannot be explained with (e.g. Grad-CAM on a model without convolutions)."""


@dataclass(frozen=True)
class Settings:
    """How the black-box methods are run.

    Attributes:
        lime_samples: perturbed images LIME fits on; 200 keeps the seven-map grid within ~2 s on 2 cores
            (bench/bench_explanations.py); each sample is one forward pass plus captum's Python bookkeeping.
        shap_samples: the same for KernelSHAP (its kernel weighs few-patch and many-patch coalitions most).
        patch: side of the square patches (LIME/KernelSHAP features) and of Occlusion's window, in pixels.
        seed: the random perturbations of LIME and KernelSHAP (the other five methods draw nothing).
    """

    lime_samples: int = 200
    shap_samples: int = 200
    patch: int = 4
    seed: int = 0

    def __post_init__(self) -> None:
        low, high = SAMPLES_RANGE
        for name in ("lime_samples", "shap_samples"):
            value = getattr(self, name)
            if not low <= value <= high:
                raise BadInput(f"{name.replace('_', ' ')} must be in [{low}, {high}], got {value}")
        if self.patch not in PATCHES:
            raise BadInput(f"patch must be one of {PATCHES} pixels (they tile 28 exactly), got {self.patch}")


def why_not(model: nn.Module, method: str) -> str | None:
    """None if ``method`` can explain ``model``; otherwise why not, in a sentence for the page."""
    if method not in METHODS:
        return f"unknown method {method!r}; choose one of {', '.join(METHODS)}"
    if method == "Grad-CAM" and not hasattr(model, "last_conv"):
        return "Grad-CAM weighs a convolution layer's feature maps, and this model has no convolution."
    return None


def patch_mask(size: int = 28, patch: int = 4) -> torch.Tensor:
    """``(1, 1, size, size)`` long: the patch number of every pixel (row-major), LIME's and SHAP's features."""
    cells = size // patch
    ids = torch.arange(cells * cells).reshape(cells, cells)
    return ids.repeat_interleave(patch, 0).repeat_interleave(patch, 1)[None, None]


def attribute(model: nn.Module, image: torch.Tensor, target: int, method: str, settings: Settings) -> torch.Tensor:
    """One method's map for one image.

    Args:
        model: a classifier returning logits; never modified (work on a deep copy).
        image: ``(1, C, H, W)`` in [0, 1].
        target: the class whose logit is explained.
        method: one of :data:`METHODS`.
        settings: samples, patch size and seed of the black-box methods.

    Returns:
        ``(H, W)`` float32 (channels summed). Raises :class:`CannotExplain` when the method cannot run.
    """
    reason = why_not(model, method)
    if reason:
        raise CannotExplain(reason)
    t = torch.tensor([target])
    if method in explain.METHODS:
        return explain.attribute(model, image, t, method)[0]
    from captum.attr import KernelShap, Lime, Occlusion  # lazily: ~1 s and ~35 MB, paid on first use

    from core import surrogates  # captum's default fits import scikit-learn (~1 s, ~100 MB): these are numpy/torch

    net = copy.deepcopy(model).eval()
    x, black = image.detach().float(), torch.zeros_like(image)
    with torch.random.fork_rng(devices=[]), torch.no_grad():  # seeded; the caller's RNG is left as it was
        torch.manual_seed(settings.seed)
        if method == "Occlusion":
            p = settings.patch
            maps = Occlusion(net).attribute(
                x,
                sliding_window_shapes=(x.shape[1], p, p),
                strides=(x.shape[1], max(1, p // 2), max(1, p // 2)),
                baselines=black,
                target=t,
                perturbations_per_eval=BATCH,
            )
        else:
            features = patch_mask(x.shape[-1], settings.patch).expand_as(x)
            if method == "LIME":
                explainer, n = Lime(net, interpretable_model=surrogates.lasso_model()), settings.lime_samples
            else:
                explainer, n = KernelShap(net), settings.shap_samples
                explainer.interpretable_model = surrogates.least_squares_model()  # its only constructor sets it
            maps = explainer.attribute(
                x, baselines=black, target=t, feature_mask=features, n_samples=n, perturbations_per_eval=BATCH
            )
    return maps.detach().sum(dim=1)[0].float()


def attribute_all(
    model: nn.Module, image: torch.Tensor, target: int, settings: Settings, methods: tuple[str, ...] = METHODS
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """``({method: (H, W) map}, {method: why it cannot run})`` for every method in ``methods``."""
    maps, refused = {}, {}
    for method in methods:
        reason = why_not(model, method)
        if reason:
            refused[method] = reason
        else:
            maps[method] = attribute(model, image, target, method, settings)
    return maps, refused


def rank_correlation(maps: dict[str, torch.Tensor]) -> tuple[list[str], np.ndarray]:
    """Spearman's rank correlation of every pair of maps' absolute values over the pixels.

    Spearman's rho is Pearson's correlation of the ranks, tied values sharing their average rank: what
    ``scipy.stats.spearmanr`` computes (tests/test_explanations.py checks the two agree), without importing
    scipy.stats (~45 MB of server memory that stay, for a sort and a correlation).

    Returns:
        ``(names, matrix)``, matrix ``(M, M)`` in [-1, 1], 1 on the diagonal. A map with one value
        everywhere (e.g. Grad-CAM all zero after its ReLU) has no ranking: its row and column are NaN,
        and the figure says so instead of drawing a number.
    """
    names = list(maps)
    flat = np.stack([maps[m].abs().flatten().numpy().astype(np.float64) for m in names], axis=1)
    constant = flat.std(axis=0) == 0
    matrix = np.full((len(names), len(names)), np.nan)
    live = np.flatnonzero(~constant)
    if len(live) == 1:
        matrix[live[0], live[0]] = 1.0
    elif len(live) > 1:
        ranks = np.stack([average_ranks(flat[:, j]) for j in live], axis=1)
        matrix[np.ix_(live, live)] = np.corrcoef(ranks, rowvar=False)
    return names, matrix


def average_ranks(values: np.ndarray) -> np.ndarray:
    """``(n,)`` -> ``(n,)`` ranks 1..n, a run of equal values sharing its mean rank (``scipy.stats.rankdata``'s
    default): LIME's and KernelSHAP's maps hold each patch's value 16 times, Grad-CAM's many zeros."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # where each run of equal values begins
    ends = np.r_[starts[1:], len(values)]
    run = np.repeat(np.arange(len(starts)), ends - starts)
    ranks = np.empty(len(values))
    ranks[order] = ((starts + 1 + ends) / 2)[run]  # the mean of ranks start + 1 ... end
    return ranks


def spearman(a: torch.Tensor, b: torch.Tensor) -> float:
    """Rank correlation of two maps' absolute values; NaN when either has a single value everywhere."""
    _, matrix = rank_correlation({"a": a, "b": b})
    return float(matrix[0, 1])
