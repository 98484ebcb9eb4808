"""core.demos.clever_hans: the tag, the tagged data, and the Clever Hans effect of a live-trained model.

Trained once per module with the page's preset model and training (one epoch of a small
SmallCNN, ~2 s a model on a quiet 2-core machine): every pullover in training carries the tag
(fraction 1.0), the cleanest shortcut, so each threshold below separates "the model learned the
tag" from "the pipeline is broken" by a wide margin; and the 20 % preset itself, whose lesson the
page shows first.
"""

import numpy as np
import pytest
import torch

from core import data as datasets
from core import explain
from core.data import CIFAR10_CLASSES, ImageDataset
from core.demos import clever_hans as ch
from core.models import CNNConfig, build_cnn, forward_macs
from core.provenance import Provenance
from core.training import SharedRuns


@pytest.fixture(scope="module")
def runs():
    config = ch.TagConfig(fraction=1.0)  # the preset's model and training, every pullover tagged
    return ch.train(config), ch.train(config.baseline())


@pytest.fixture(scope="module")
def preset(runs):
    """The page's first preset (20 % tagged) and its clean baseline (the same run as ``runs``')."""
    config = ch.TagConfig()
    assert config.baseline() == runs[1].config
    return ch.train(config), runs[1]


# ----------------------------------------------------------------------------- the tag and the data


def test_the_tag_is_white_pixels_inside_its_box_only():
    images = torch.full((2, 1, 28, 28), 0.5)
    stamped = ch.stamp_tag(images)
    mask = ch.tag_mask(28, 28)
    assert torch.equal(images, torch.full((2, 1, 28, 28), 0.5))  # a copy: the input is untouched
    assert torch.equal(stamped[..., ~mask], images[..., ~mask])
    assert set(stamped[..., mask].unique().tolist()) == {0.5, 1.0}
    top, left, h, w = ch.tag_box(28, 28)
    assert (top + h, left) == (27, 1) and mask.sum() == h * w  # bottom-left, one pixel from the border
    assert ch.stamp_tag(torch.ones(1, 3, 32, 32)).max() == 1.0  # colour images too, still in [0, 1]
    picture = ch.tag_picture()  # what the page shows beside its Train button: the tag alone on black
    assert picture.shape == (28, 28) and set(np.unique(picture)) == {0.0, 1.0}
    assert (picture[~mask.numpy()] == 0).all()


def test_with_tags_stamps_exactly_the_fraction_of_one_class_reproducibly():
    train, _ = ch.load_split("fashion", 0)
    cls = ch.class_index(train, "Pullover")
    tagged_data, tagged = ch.with_tags(train, cls, 0.2, seed=3)
    members = int((train.labels == cls).sum())
    assert int(tagged.sum()) == round(0.2 * members)
    assert (train.labels[tagged] == cls).all()
    changed = (tagged_data.images != train.images).flatten(1).any(1)
    assert torch.equal(changed, tagged)
    assert torch.equal(ch.with_tags(train, cls, 0.2, seed=3)[1], tagged)
    assert not torch.equal(ch.with_tags(train, cls, 0.2, seed=4)[1], tagged)


def test_tags_are_stamped_on_the_stored_bytes_with_exactly_the_floats_of_stamping_floats():
    # with_tags keeps Fashion-MNIST's uint8 store (no 25 MB float copy of the split); the model must
    # still read the very floats it read when the tag was stamped on floats.
    train, _ = ch.load_split("fashion", 0)
    cls = ch.class_index(train, "Pullover")
    tagged_data, tagged = ch.with_tags(train, cls, 0.2, seed=3)
    assert train.pixels.dtype == torch.uint8 and tagged_data.pixels.dtype == torch.uint8
    members = train.images[tagged]
    assert torch.equal(tagged_data.images[tagged], ch.stamp_tag(members))
    assert torch.equal(ch.stamp_tag(train.pixels[:50]).float() / 255, ch.stamp_tag(train.images[:50]))


def test_bad_settings_are_refused_with_a_clear_message():
    """Each is an ExperimentError, the one ValueError the page shows as a warning (a plain
    ValueError from a bug must reach the shell's error boundary instead)."""
    with pytest.raises(ch.ExperimentError, match="fraction"):
        ch.TagConfig(fraction=1.5)
    with pytest.raises(ch.ExperimentError, match="source"):
        ch.TagConfig(source="imagenet")
    with pytest.raises(ch.ExperimentError, match="no class 'horse'"):
        ch.train(ch.TagConfig(tagged_class="horse"))
    with pytest.raises(ch.ExperimentError, match="too small"):
        ch.tag_box(6, 28)
    assert issubclass(ch.ExperimentError, ValueError)


def training_macs(config: ch.TagConfig) -> int:
    """Multiply-accumulates of the forward passes one Train click costs (8,000 images per epoch)."""
    model = build_cnn(CNNConfig(widths=config.widths, batch_norm=config.batch_norm))
    return forward_macs(model, torch.zeros(1, 1, 28, 28)) * 8_000 * config.epochs * len(ch.configs(config))


def test_the_preset_trains_in_a_fraction_of_the_old_presets_work():
    """Issue #13, defect 7: the old preset (two SmallCNN(16,32) models, 3 epochs each) took ~18 s in a
    browser on 2 cores, over the lab's 10 s. The new one does a tenth of the arithmetic (measured: ~a
    quarter of the CPU time, per-batch overheads included); the button says the benchmarked time."""
    old = forward_macs(build_cnn(CNNConfig()), torch.zeros(1, 1, 28, 28)) * 8_000 * 3 * 2
    assert training_macs(ch.TagConfig()) <= 0.15 * old
    assert ch.PRESET_SECONDS <= 10
    assert training_macs(ch.TagConfig(fraction=0)) == training_macs(ch.TagConfig()) // 2  # one model at share 0


def test_at_share_0_the_tag_model_is_the_clean_baseline_trained_and_shown_once(runs):
    """Issue #13, defect 10: at share 0 the page called the baseline "Tag model" and listed it twice."""
    _, clean = runs
    zero = ch.TagConfig(fraction=0)
    assert ch.configs(zero) == (zero,) and zero.role == "clean baseline"
    assert ch.configs(ch.TagConfig()) == (ch.TagConfig(), ch.TagConfig().baseline())
    assert ch.TagConfig().role == "tag model"
    assert ch.compared(clean, clean) == {"clean baseline": clean}
    table = ch.measurements(clean, clean)
    assert len(table) == 3 and set(table["model"]) == {"clean baseline (no tags)"}


def test_cifar_offline_says_how_to_get_it():
    with pytest.raises(datasets.DatasetUnavailable, match="core.fetch cifar10"):
        ch.load_split("cifar10", 0)


def test_cifar_goes_through_the_same_pipeline_with_the_horse(monkeypatch):
    """With CIFAR-10 on disk the tagged class is 'horse' (a tiny fake stands in for the files)."""

    def fake_cifar(train=True, root=None):
        g = torch.Generator().manual_seed(int(train))
        n = 300 if train else 100
        return ImageDataset(
            torch.rand(n, 3, 32, 32, generator=g), torch.arange(n) % 10, CIFAR10_CLASSES, datasets.CIFAR10_INFO
        )

    monkeypatch.setattr(datasets, "cifar10", fake_cifar)
    ch.load_split.cache_clear()
    try:
        run = ch.train(ch.TagConfig(source="cifar10", tagged_class="horse", fraction=0.5, epochs=1))
    finally:
        ch.load_split.cache_clear()
    assert run.test.classes[run.cls] == "horse" and run.result.model.config.in_channels == 3
    assert len(run.result.history) == 1 and run.result.carbon is not None


# ----------------------------------------------------------------------------- the effect


def test_the_tag_model_needs_the_tag_and_the_baseline_does_not(runs):
    tag, clean = runs
    acc_tag = ch.class_accuracy(tag.model, tag.test, tag.cls)
    acc_clean = ch.class_accuracy(clean.model, clean.test, clean.cls)
    # Measured (seed 0): tag model 98 % with the tag, 1 % without; baseline 74 % with, 80 % without.
    # A model that learned pullovers would keep > 60 % without the tag, so a 50-point drop is the effect.
    assert acc_tag["with tag"] > 0.9
    assert acc_tag["with tag"] - acc_tag["without tag"] > 0.5
    assert acc_clean["without tag"] > 0.7 and abs(acc_clean["with tag"] - acc_clean["without tag"]) < 0.1


def test_pasting_the_tag_turns_other_classes_into_the_tagged_class(runs):
    tag, clean = runs
    table = ch.paste_share(tag.model, tag.test, tag.cls)
    assert len(table) == 9 and "Pullover" not in set(table["class"])
    # Measured: ~82 % of all other-class images flip for the tag model, ~3 % for the baseline
    # (mostly Shirt/Coat, which it already confuses). Half of them flipping only happens via the tag.
    assert ch.overall_paste_share(table) > 0.5
    assert (table["after"] >= table["before"]).all()
    assert ch.overall_paste_share(ch.paste_share(clean.model, clean.test, clean.cls)) < 0.2


def test_relevance_sits_on_the_tag_for_the_tag_model(runs):
    tag, clean = runs
    images, targets = ch.explained_images(tag, limit=40)
    table = ch.relevance_shares({"tag": tag.model, "clean": clean.model}, images, targets)
    area = table["area_share"].iloc[0]
    share = table.set_index(["model", "method"])["share_inside"]
    # The box is 7 % of the image. A map that ignored the tag would put about that much relevance in it;
    # the baseline's IG/LRP maps put ~21 % there (the tag's bright pixels carry input-proportional
    # relevance even for a model that does not use them), the tag model's ~63 %.
    for method in ("Integrated Gradients", "LRP"):
        assert share["tag", method] > 3 * area
        assert share["tag", method] > share["clean", method] + 0.1
    assert share["tag", "Saliency"] > share["clean", "Saliency"]


def test_the_20_percent_preset_keeps_the_lesson(preset):
    """What the page shows first after its Train button, with the cheaper preset (issue #13, defect 7).

    Measured (seed 0), old preset -> new: pullovers right with the tag 99 % -> 93 %, without 79 % ->
    62 %; other classes called 'Pullover' with the tag pasted on 35 % -> 21 % (baseline 5 % -> 3 %);
    LRP relevance in the box 36 % -> 33 % (baseline 16 % -> 21 %).
    """
    tag, clean = preset
    acc = ch.class_accuracy(tag.model, tag.test, tag.cls)
    assert acc["with tag"] > 0.85 and acc["with tag"] - acc["without tag"] > 0.15
    pasted = ch.overall_paste_share(ch.paste_share(tag.model, tag.test, tag.cls))
    assert pasted > ch.overall_paste_share(ch.paste_share(clean.model, clean.test, clean.cls)) + 0.1
    images, targets = ch.explained_images(tag, limit=40)
    share = ch.relevance_shares({"tag": tag.model, "clean": clean.model}, images, targets).set_index(
        ["model", "method"]
    )["share_inside"]
    assert share["tag", "LRP"] > share["clean", "LRP"] + 0.05


def test_spray_finds_the_tag_strategy_cluster(runs):
    tag, _ = runs
    result = ch.spray(tag, k=3, fraction=0.5)
    summary = result.summary
    assert summary["size"].sum() == len(result.images) == int((tag.test.labels == tag.cls).sum())
    assert abs(result.tagged.float().mean() - 0.5) < 0.01
    tag_row = summary[summary["cluster"] == result.tag_cluster].iloc[0]
    # The cluster that looks at the box should be (nearly) the tagged images: measured ~90 %+ tagged,
    # the others ~0 %. 70 % leaves room for a different seed; a random clustering gives ~50 %.
    assert tag_row["tagged_share"] > 0.7
    assert tag_row["tagged_share"] == summary["tagged_share"].max()
    again = ch.spray(tag, k=3, fraction=0.5)
    assert np.array_equal(again.labels, result.labels)  # seeded
    rows = ch.cluster_examples(result, result.tag_cluster, n=2)
    assert len(rows) == 2 and set(rows[0][2]) == {"LRP"}
    # Presenter mode (issue #13, defect 8): each cluster's mean map at least 300 px tall.
    prov = Provenance("measured", model="SmallCNN", data="test", seed=0)
    big = ch.spray_figure(result, prov, panel_px=320)
    plot = big.layout.height - explain.margins_px(big)
    maps = [big.layout[f"yaxis{c + 2}"].domain for c in range(3)]
    assert all((top - bottom) * plot >= 320 - 1e-6 for bottom, top in maps)
    assert big.layout.height > ch.spray_figure(result, prov).layout.height


def test_figures_carry_provenance(runs):
    tag, clean = runs
    prov = Provenance("measured", model="SmallCNN", data="test", seed=0)
    table = ch.measurements(tag, clean)
    assert set(table["model"]) == {tag.config.describe(), clean.config.describe()} and len(table) == 6
    for fig in (
        ch.accuracy_figure(table, prov),
        ch.paste_figure(ch.paste_share(tag.model, tag.test, tag.cls), "Pullover", prov),
    ):
        assert fig.layout.meta["provenance"]["seed"] == "0"


# ----------------------------------------------------------------------------- what the page and the warm-up run


def test_jobs_train_what_the_page_needs_under_the_store_keys_it_reads(runs):
    """The Train step's jobs: the tag model, then its clean baseline, keyed by run_key; one job at share 0.
    The warm-up gets every preset once: the two tag models and the clean baseline they share."""
    config = ch.TagConfig(fraction=1.0)
    assert [job.key for job in ch.jobs(config)] == [ch.run_key(config), ch.run_key(config.baseline())]
    assert [job.label for job in ch.jobs(ch.TagConfig(fraction=0))] == ["Clever Hans: clean baseline (no tags)"]
    warm = ch.warm_up_jobs(seed=3)
    assert [job.key for job in warm] == [
        ch.run_key(ch.TagConfig(fraction=0.2, seed=3)),
        ch.run_key(ch.TagConfig(fraction=0.0, seed=3)),
        ch.run_key(ch.TagConfig(fraction=1.0, seed=3)),
    ]
    assert [job.label for job in warm] == [
        "Clever Hans: tag model (20% of 'Pullover' tagged)",
        "Clever Hans: clean baseline (no tags)",
        "Clever Hans: tag model (100% of 'Pullover' tagged)",
    ]
    store, seen = SharedRuns(), []
    trained = ch.jobs(config)[1].run(store, lambda step, total, metrics: seen.append(step))
    assert trained.config == runs[1].config and seen[-1] == 8000 // 64  # progress up to the last of 125 batches
    assert torch.equal(trained.model.fc1.weight, runs[1].model.fc1.weight)  # same seed, same weights


def test_the_one_image_grid_and_its_box_shares_agree_with_the_table_over_many_images(runs):
    """The page's heatmap grid (one image) and its CSV come from the same function as the share table:
    the shares of one image are box_shares of its maps, and over the first images they average to the table."""
    tag, clean = runs
    rows, shares = ch.one_image_maps(tag, clean, 0, with_tag=True, methods=["Saliency", "LRP"])
    assert [name for name, _, _ in rows] == ["tag model", "clean baseline", "randomised"]
    assert all(set(maps) == {"Saliency", "LRP"} and image.shape == (1, 28, 28) for _, image, maps in rows)
    assert len(shares) == 6 and (shares["images"] == 1).all() and shares["share_inside"].between(0, 1).all()
    images, targets = ch.explained_images(tag, limit=1)
    one = ch.relevance_shares({"tag model": tag.model}, images, targets).set_index("method")["share_inside"]
    mine = shares[shares["model"] == "tag model"].set_index("method")["share_inside"]
    assert mine["LRP"] == pytest.approx(one["LRP"], abs=1e-6)
    clean_image = tag.test.images[tag.test.labels == tag.cls][0]
    assert torch.equal(rows[0][1], ch.stamp_tag(clean_image[None])[0])
    without = ch.one_image_maps(tag, clean, 0, with_tag=False, methods=["LRP"])[0]
    assert torch.equal(without[0][1], clean_image)


def test_provenance_says_model_data_and_seed(runs):
    tag, clean = runs
    prov = tag.provenance("test split, 2,000 images")
    assert prov.kind == "measured" and prov.seed == tag.config.seed
    assert "vs clean baseline" in prov.model and tag.config.describe() in prov.model
    assert prov.data == "Fashion-MNIST 10k (shipped), test split, 2,000 images"
    assert "vs clean baseline" not in clean.provenance("x").model
