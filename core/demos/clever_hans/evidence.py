"""What exposes the shortcut: accuracy with and without the tag, the tag pasted on other classes, and
where the explanation maps put their evidence (:mod:`core.demos.clever_hans`).

Every function reads trained runs (:class:`~core.demos.clever_hans.experiment.TagRun`) and never
changes them: the models are shared by every session of the page.
"""

from __future__ import annotations

import pandas as pd
import torch

from core import explain
from core.data import ImageDataset
from core.demos.clever_hans.experiment import TagRun, stamp_tag, tag_mask
from core.training import predict

EXPLAINED = 50  # test images of the tagged class the heatmaps are computed on (the page's image slider)

# One row of a heatmap grid for :func:`core.explain.maps_figure`: (label, image (C, H, W), {method: map (H, W)}).
MapRow = tuple[str, torch.Tensor, dict[str, torch.Tensor]]


def class_accuracy(model: torch.nn.Module, test: ImageDataset, cls: int) -> dict[str, float]:
    """Accuracy on the tagged class's test images, the very same images with and without the tag."""
    images, _ = test.batch(test.labels == cls)
    return {
        "without tag": float((predict(model, images) == cls).float().mean()),
        "with tag": float((predict(model, stamp_tag(images)) == cls).float().mean()),
    }


def paste_share(model: torch.nn.Module, test: ImageDataset, cls: int) -> pd.DataFrame:
    """Paste the tag onto every other class: share now predicted as the tagged class, per class.

    Returns one row per other class: ``class, n, before`` (share predicted as ``cls`` without
    the tag) ``, after`` (with the tag). Lapuschkin et al. did this with real horses' tags.
    """
    rows = []
    for other in range(len(test.classes)):
        images, _ = test.batch(test.labels == other)
        if other == cls or len(images) == 0:
            continue
        rows.append(
            {
                "class": test.classes[other],
                "n": len(images),
                "before": float((predict(model, images) == cls).float().mean()),
                "after": float((predict(model, stamp_tag(images)) == cls).float().mean()),
            }
        )
    return pd.DataFrame(rows)


def overall_paste_share(table: pd.DataFrame) -> float:
    """All other-class images pooled: share predicted as the tagged class once the tag is pasted on."""
    return float((table["after"] * table["n"]).sum() / table["n"].sum())


def compared(tag: TagRun, clean: TagRun) -> dict[str, TagRun]:
    """The models to compare, by role: ``{"tag model": tag, "clean baseline": clean}``.

    At fraction 0 the "tag model" never saw a tag: it is the clean baseline (same config, same
    run), so it appears once, as ``{"clean baseline": clean}``, not twice under two names.
    """
    return {clean.config.role: clean} if tag.config == clean.config else {"tag model": tag, "clean baseline": clean}


def measurements(tag: TagRun, clean: TagRun) -> pd.DataFrame:
    """The headline numbers for both models (one at fraction 0), one row per (model, measure)."""
    rows = []
    for run in compared(tag, clean).values():
        acc = class_accuracy(run.model, run.test, run.cls)
        name = run.config.describe()
        rows += [{"model": name, "measure": f"'{run.class_name}' correct, {k}", "value": v} for k, v in acc.items()]
        rows.append(
            {
                "model": name,
                "measure": f"other classes called '{run.class_name}', tag pasted on",
                "value": overall_paste_share(paste_share(run.model, run.test, run.cls)),
            }
        )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- where the evidence sits


def explained_images(run: TagRun, limit: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """The tagged class's first ``limit`` test images, tag stamped on, and their targets."""
    images = run.test.batch(run.test.labels == run.cls)[0][:limit]
    return stamp_tag(images), torch.full((len(images),), run.cls, dtype=torch.long)


def explained_models(tag: TagRun, clean: TagRun, randomised: str = "randomised") -> dict[str, torch.nn.Module]:
    """The models whose maps are compared, by role, then the tag model with random weights under ``randomised``:
    the sanity check of Adebayo et al. (2018), "Sanity Checks for Saliency Maps", NeurIPS (a method whose map
    barely changes when the weights are random shows the image, not the model)."""
    models = {role: run.model for role, run in compared(tag, clean).items()}
    models[randomised] = explain.randomized_copy(tag.model, seed=tag.config.seed)
    return models


def box_shares(maps: dict[str, dict[str, torch.Tensor]], mask: torch.Tensor) -> pd.DataFrame:
    """Mean share of positive relevance inside the tag box, per model and method, beside the box's area share.

    Args:
        maps: model name -> method -> relevance maps ``(N, H, W)``.
        mask: ``(H, W)`` bool, the tag's box (:func:`tag_mask`).

    Returns one row per (model, method): ``model, method, share_inside`` (mean over the N maps, in
    [0, 1]), ``area_share`` (the box's share of the image: what a map that ignored the tag puts
    there), ``images`` (N).
    """
    return pd.DataFrame(
        [
            {
                "model": name,
                "method": method,
                "share_inside": float(explain.positive_share_inside(relevance, mask).mean()),
                "area_share": float(mask.float().mean()),
                "images": len(relevance),
            }
            for name, by_method in maps.items()
            for method, relevance in by_method.items()
        ]
    )


def relevance_shares(models: dict[str, torch.nn.Module], images: torch.Tensor, targets: torch.Tensor) -> pd.DataFrame:
    """:func:`box_shares` of every method's maps of ``images`` ``(N, C, H, W)`` for ``targets``, per model."""
    maps = {name: explain.attribute_all(model, images, targets) for name, model in models.items()}
    return box_shares(maps, tag_mask(*images.shape[-2:]))


def one_image_maps(
    tag: TagRun, clean: TagRun, index: int, with_tag: bool, methods: list[str]
) -> tuple[list[MapRow], pd.DataFrame]:
    """The heatmap grid of test image ``index`` of the tagged class, with the tag stamped on or not.

    Returns the rows for :func:`core.explain.maps_figure` (one per model of :func:`explained_models`,
    each with the image and its map by method) and those maps' :func:`box_shares` (one image each).
    """
    stamped, targets = explained_images(tag, limit=EXPLAINED)
    x = stamped[index : index + 1] if with_tag else tag.test.batch(tag.test.labels == tag.cls)[0][index : index + 1]
    maps = {
        name: {m: explain.attribute(model, x, targets[:1], m) for m in methods}
        for name, model in explained_models(tag, clean).items()
    }
    rows = [(name, x[0], {m: v[0] for m, v in by_method.items()}) for name, by_method in maps.items()]
    return rows, box_shares(maps, tag_mask(*x.shape[-2:]))


def relevance_table(tag: TagRun, clean: TagRun) -> pd.DataFrame:
    """:func:`relevance_shares` of the :data:`EXPLAINED` tagged test images for every model of
    :func:`explained_models` (the randomised copy named after the tag model's role)."""
    images, targets = explained_images(tag, limit=EXPLAINED)
    models = explained_models(tag, clean, randomised=f"{tag.config.role}, weights randomised")
    return relevance_shares(models, images, targets)
