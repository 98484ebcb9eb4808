"""A classifier can score well for the wrong reason: trained where one class carries a source tag, it reads the tag, not the object.

The story (Lapuschkin et al. 2016, "Analyzing Classifiers: Fisher Vectors and Deep Neural
Networks", CVPR; Lapuschkin et al. 2019, "Unmasking Clever Hans predictors and assessing
what machines really learn", Nature Communications 10:1096): in PASCAL VOC 2007 many horse
photos carried a photographer's copyright tag in the bottom-left corner. A classifier with a
good test score had learned "tag => horse"; LRP heatmaps put the evidence on the tag. Their
analysis found the tag in roughly a fifth of the horse images.

Here the same experiment runs live, offline: a small pixel-font tag ("TAG") is stamped into
the bottom-left corner of a chosen fraction of one class's *training* images of the shipped
Fashion-MNIST split (with CIFAR-10 on disk, the class is literally "horse"; same pipeline).
A SmallCNN trained on that data is compared with a clean baseline trained without tags:

* the tagged class's accuracy on the same test images with and without the tag;
* the tag pasted onto other classes: how many now become the tagged class;
* the share of positive relevance inside the tag's box vs the box's share of the image
  (:mod:`core.explain`: Saliency, Integrated Gradients, Grad-CAM, LRP), with the
  weight-randomisation sanity check of Adebayo et al. (2018);
* a SpRAy-like clustering (Lapuschkin et al. 2019): k-means on downsized relevance maps of
  the tagged class separates the "tag strategy" from the "look at the garment" strategy.

Every training run goes through :func:`core.training.fit` (carbon-measured, ledgered).

What is where (everything is re-exported here, so ``from core.demos import clever_hans as ch`` reaches it):

* :mod:`.experiment`: the tag, the tagged data, :class:`TagConfig` and its presets, :func:`train`;
* :mod:`.evidence`: accuracy with and without the tag, the tag pasted on, relevance in the box;
* :mod:`.strategies`: the SpRAy-like clustering of the relevance maps;
* :mod:`.figures`: the plotly figures of all of the above;
* here: :func:`jobs` and :func:`warm_up_jobs`, what the page's Train button and the lecture warm-up run.
"""

from __future__ import annotations

from core.demos.clever_hans.evidence import (
    EXPLAINED,
    box_shares,
    class_accuracy,
    compared,
    explained_images,
    explained_models,
    measurements,
    one_image_maps,
    overall_paste_share,
    paste_share,
    relevance_shares,
    relevance_table,
)
from core.demos.clever_hans.experiment import (
    LAPUSCHKIN_2016,
    LAPUSCHKIN_2019,
    PRESET_SECONDS,
    PRESETS,
    PUBLISHED_TAG_SHARE,
    SOURCES,
    TAG_GLYPHS,
    TAG_MARGIN,
    ExperimentError,
    TagConfig,
    TagRun,
    class_index,
    configs,
    load_split,
    run_key,
    stamp_tag,
    tag_box,
    tag_mask,
    tag_picture,
    train,
    with_tags,
)
from core.demos.clever_hans.figures import SPRAY_HEIGHT, accuracy_figure, paste_figure, share_figure, spray_figure
from core.demos.clever_hans.strategies import SprayResult, cluster_examples, downsized, spray
from core.training import Job

__all__ = [
    "accuracy_figure",
    "box_shares",
    "class_accuracy",
    "class_index",
    "cluster_examples",
    "compared",
    "configs",
    "downsized",
    "ExperimentError",
    "EXPLAINED",
    "explained_images",
    "explained_models",
    "jobs",
    "LAPUSCHKIN_2016",
    "LAPUSCHKIN_2019",
    "load_split",
    "measurements",
    "one_image_maps",
    "overall_paste_share",
    "paste_figure",
    "paste_share",
    "PRESET_SECONDS",
    "PRESETS",
    "PUBLISHED_TAG_SHARE",
    "relevance_shares",
    "relevance_table",
    "run_key",
    "share_figure",
    "SOURCES",
    "spray",
    "spray_figure",
    "SPRAY_HEIGHT",
    "SprayResult",
    "stamp_tag",
    "tag_box",
    "TAG_GLYPHS",
    "TAG_MARGIN",
    "tag_mask",
    "tag_picture",
    "TagConfig",
    "TagRun",
    "train",
    "warm_up_jobs",
    "with_tags",
]


def jobs(config: TagConfig) -> list[Job]:
    """What the page's Train step needs for ``config``, in order: the tag model, then its clean baseline
    (just the one model at share 0, where the two are the same)."""
    # ``train`` is looked up here when a job runs, so a test can stand in for it (ch.train = ...).
    return [
        Job(run_key(c), f"Clever Hans: {c.describe()}", lambda store, on_progress=None, c=c: train(c, on_progress))
        for c in configs(config)
    ]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the page for ``seed``, in the order of its buttons; the clean baseline the presets
    share is trained once."""
    found: dict[tuple, Job] = {}
    for fraction, _ in PRESETS.values():
        for job in jobs(TagConfig(fraction=fraction, seed=seed)):
            found.setdefault(job.key, job)
    return list(found.values())
