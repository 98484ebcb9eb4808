"""SpRAy-like strategies: k-means on the relevance maps of the tagged class (Lapuschkin et al. 2019).

Spectral Relevance Analysis clusters the explanation maps of one class to find the *strategies* a
model uses; here k-means on downsized LRP maps separates the "read the tag" strategy from the
"look at the garment" one (:mod:`core.demos.clever_hans`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core import explain
from core.demos.clever_hans.experiment import TagRun, tag_mask, with_tags


@dataclass
class SprayResult:
    """k-means on the relevance maps of the tagged class (SpRAy-like, Lapuschkin et al. 2019).

    Attributes:
        images: ``(N, C, H, W)`` the tagged class's test images (a ``fraction`` with the tag).
        maps: ``(N, H, W)`` their relevance for the tagged class (``method``).
        tagged: ``(N,)`` bool, which images carry the tag.
        labels: ``(N,)`` cluster of each image.
        coords: ``(N, 2)`` PCA of the downsized maps, for a scatter plot.
        summary: one row per cluster: ``cluster, size, tagged_share, box_share, tag_strategy``.
        method: the explanation method used.
    """

    images: torch.Tensor
    maps: torch.Tensor
    tagged: torch.Tensor
    labels: np.ndarray
    coords: np.ndarray
    summary: pd.DataFrame
    method: str

    @property
    def tag_cluster(self) -> int:
        """The cluster whose maps put the most relevance on the tag box."""
        return int(self.summary.loc[self.summary["tag_strategy"], "cluster"].iloc[0])


def downsized(maps: torch.Tensor, factor: int = 4) -> np.ndarray:
    """``(N, H, W)`` maps -> ``(N, H/f * W/f)`` features: positive part, average-pooled, each summing to 1.

    Pooling keeps the *where* and drops pixel noise; normalising makes the clustering compare
    strategies (where the evidence is), not confidence (how much there is).
    """
    pooled = torch.nn.functional.avg_pool2d(maps.clamp(min=0).unsqueeze(1), factor).flatten(1)
    return (pooled / pooled.sum(1, keepdim=True).clamp(min=1e-12)).numpy()


def spray(run: TagRun, k: int = 3, method: str = "LRP", fraction: float | None = None) -> SprayResult:
    """Cluster the relevance maps of the tagged class's test images, a ``fraction`` of them tagged."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    fraction = run.config.fraction if fraction is None else fraction
    members = run.test.subset(run.test.labels == run.cls)
    data, tagged = with_tags(members, run.cls, fraction, run.config.seed + 2)
    targets = torch.full((len(data),), run.cls, dtype=torch.long)
    maps = explain.attribute(run.model, data.images, targets, method)
    features = downsized(maps)
    labels = KMeans(n_clusters=k, n_init=10, random_state=run.config.seed).fit_predict(features)
    coords = PCA(n_components=2, random_state=run.config.seed).fit_transform(features)
    box = explain.positive_share_inside(maps, tag_mask(*maps.shape[-2:])).numpy()
    summary = pd.DataFrame(
        [
            {
                "cluster": c,
                "size": int((labels == c).sum()),
                "tagged_share": float(tagged.numpy()[labels == c].mean()),
                "box_share": float(box[labels == c].mean()),
            }
            for c in range(k)
        ]
    )
    summary["tag_strategy"] = summary["box_share"] == summary["box_share"].max()
    return SprayResult(data.images, maps, tagged, labels, coords, summary, method)


def cluster_examples(result: SprayResult, cluster: int, n: int = 4) -> list[tuple[str, torch.Tensor, dict]]:
    """Rows for :func:`core.explain.maps_figure`: up to ``n`` images of one cluster with their maps,
    those with the most relevance in the tag box first."""
    idx = np.flatnonzero(result.labels == cluster)
    box = explain.positive_share_inside(result.maps[idx], tag_mask(*result.maps.shape[-2:]))
    idx = idx[np.argsort(-box.numpy(), kind="stable")[:n]]  # the most typical members first
    return [
        (f"#{i}" + (" (tag)" if result.tagged[i] else ""), result.images[i], {result.method: result.maps[i]})
        for i in idx
    ]
