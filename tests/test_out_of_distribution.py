"""core.demos.out_of_distribution: transforms with known answers, the sweep, augmentation, detection, shuffling.

The two presets (plain and ±30° augmented SmallCNN, ~6 s each on 2 quiet cores) are trained once for the
module: the claims of tabs 1-3 are tested on the preset seed itself. Everything else runs on small data.
"""

import dataclasses
import math

import pytest
import torch

import core.demos.out_of_distribution as ood
from core.demos.out_of_distribution import detect, model, shuffle, sweep, transforms
from core.errors import BadInput


@pytest.fixture(scope="module")
def images():
    return model.load_split(0)[1].images[:32]


@pytest.fixture(scope="module")
def plain():
    return model.train(model.ModelConfig())


@pytest.fixture(scope="module")
def augmented():
    return model.train(model.ModelConfig(augment=model.AUGMENT_DEGREES))


# ----------------------------------------------------------------------------- transforms


def test_turning_by_zero_is_the_identity(images):
    assert torch.equal(transforms.apply(images, transforms.Transform()), images)
    assert (transforms.rotate(images, 0.0) - images).abs().max() < 1e-5  # resampled at the pixel centres


def test_a_full_turn_returns_the_image_within_interpolation_error(images):
    assert (transforms.rotate(images, 360.0) - images).abs().max() < 1e-4
    assert torch.equal(transforms.apply(images, transforms.Transform(angle=360.0)), images)
    four_quarters = images
    for _ in range(4):
        four_quarters = transforms.rotate(four_quarters, 90.0)
    assert (four_quarters - images).abs().max() < 1e-4  # 90° lands on the pixel grid: no blur either


def test_a_quarter_turn_is_rot90_counter_clockwise(images):
    assert (transforms.rotate(images, 90.0) - torch.rot90(images, 1, dims=(2, 3))).abs().max() < 1e-5


@pytest.mark.parametrize(
    "angle, shift, zoom", [(30.0, (0, 0), 1.0), (-45.0, (3, -2), 1.0), (20.0, (2, 3), 0.7), (123.0, (0, 0), 1.5)]
)
def test_our_affine_agrees_with_torchvision_s(images, angle, shift, zoom):
    """torchvision.transforms.v2.functional.affine is the oracle (imported here only: see transforms' docstring).

    Its angle turns clockwise, ours (like its ``rotate``) counter-clockwise: it gets ``-angle``."""

    import importlib

    from core.torchvision_compat import torchvision  # noqa: F401  (defines the missing op schemas first)

    F = importlib.import_module("torchvision.transforms.v2.functional")  # after the compat module, always

    theirs = F.affine(
        images,
        angle=-angle,
        translate=list(shift),
        scale=zoom,
        shear=[0.0, 0.0],
        interpolation=F.InterpolationMode.BILINEAR,
    )
    assert (transforms.affine(images, angle, shift, zoom) - theirs).abs().max() < 1e-4
    ours = transforms.apply(images, transforms.Transform(contrast=0.4))
    assert (ours - F.adjust_contrast(images, 0.4)).abs().max() < 1e-5


def test_per_image_angles_turn_each_image_by_its_own_angle(images):
    angles = torch.tensor([0.0, 90.0, 180.0, 45.0])
    batch = transforms.rotate(images[:4], angles)
    for i, angle in enumerate(angles.tolist()):
        assert (batch[i] - transforms.rotate(images[i : i + 1], angle)[0]).abs().max() < 1e-6


def test_shift_out_of_the_frame_leaves_a_blank_image_and_results_stay_in_range(images):
    gone = transforms.apply(images, transforms.Transform(shift_x=28))
    assert gone.abs().max() < 1e-3 and transforms.is_blank(gone[0])  # only rounding at the edge is left
    assert not transforms.is_blank(images[0])
    inverted = transforms.apply(images, transforms.Transform(invert=True, contrast=3.0, zoom=0.1, angle=33))
    assert inverted.min() >= 0 and inverted.max() <= 1 and not inverted.isnan().any()
    assert transforms.is_blank(transforms.apply(images[:1], transforms.Transform(contrast=0.0))[0])


@pytest.mark.parametrize(
    "settings",
    [dict(zoom=0.0), dict(zoom=-1.0), dict(zoom=10.0), dict(shift_x=29), dict(shift_y=-100), dict(angle=math.nan)]
    + [dict(contrast=-0.1), dict(angle=math.inf), dict(angle="45")],
)
def test_impossible_settings_are_bad_input(settings):
    with pytest.raises(BadInput):
        transforms.Transform(**settings)


def test_describe_says_what_changed():
    assert transforms.Transform().describe() == "as is"
    assert transforms.Transform(angle=45, invert=True).describe() == "turned 45°, inverted"


# ----------------------------------------------------------------------------- the model and the sweep


def test_the_preset_reaches_its_stated_accuracy_far_above_the_majority_baseline(plain):
    assert 0.84 <= plain.test_accuracy <= 0.92
    assert 0.09 <= plain.majority_baseline <= 0.13
    assert f"{round(100 * plain.test_accuracy)} %" in ood.__doc__.splitlines()[0]  # the lesson states what it measures


def test_the_sweep_at_zero_degrees_is_the_model_s_test_accuracy(plain):
    frame = sweep.sweep(plain.model, plain.test, angles=(0, 90))
    assert frame.accuracy[0] == pytest.approx(plain.test_accuracy, abs=1e-12)
    assert list(frame.columns) == ["angle", "accuracy", "confidence"]


def test_turned_images_lose_accuracy_but_not_confidence(plain):
    frame = sweep.sweep(plain.model, plain.test, angles=(0, 90)).set_index("angle")
    assert frame.accuracy[90] < plain.majority_baseline  # worse than always answering one class
    assert frame.confidence[90] > 0.6  # and still sure of itself
    assert frame.confidence[90] - frame.accuracy[90] > 0.5


def test_augmentation_raises_accuracy_at_20_degrees_and_not_at_90(plain, augmented):
    angles = (20, 90)
    gain = (
        sweep.sweep(augmented.model, augmented.test, angles).accuracy
        - sweep.sweep(plain.model, plain.test, angles).accuracy
    )
    assert gain[0] > 0.15  # inside the ±30° it was shown
    assert abs(gain[1]) < 0.05  # outside: no better than the plain network


def test_same_seed_same_numbers():
    split = tuple(part.subset(slice(0, n)) for part, n in zip(model.load_split(0), (256, 128)))
    config = model.ModelConfig(augment=30, epochs=1)
    first, second = (model.train(config, split=split) for _ in range(2))
    assert first.result.history[-1]["train_loss"] == second.result.history[-1]["train_loss"]
    other = model.train(dataclasses.replace(config, seed=1), split=split)
    assert other.result.history[-1]["train_loss"] != first.result.history[-1]["train_loss"]


@pytest.mark.parametrize("settings", [dict(augment=-1), dict(augment=181), dict(epochs=0)])
def test_bad_model_configs_are_bad_input(settings):
    with pytest.raises(BadInput):
        model.ModelConfig(**settings)


def test_test_image_refuses_an_index_out_of_range():
    image, label = model.test_image(0, 0)
    assert image.shape == (1, 28, 28) and 0 <= label < 10
    with pytest.raises(BadInput):
        model.test_image(0, 2_000)


def test_the_sweep_figure_has_accuracy_confidence_and_the_baseline(plain):
    frame = sweep.sweep(plain.model, plain.test, angles=(0, 90), n=200)
    fig = sweep.figure({"plain": frame}, plain.majority_baseline, plain.provenance("200 test images"), 30)
    names = [t.name for t in fig.data]
    assert names[:2] == ["accuracy, plain", "mean confidence, plain"] and names[2].startswith("majority-class")
    assert fig.layout.meta["provenance"]["what"] == "measured"


# ----------------------------------------------------------------------------- detection


def test_msp_flags_turned_images_better_than_a_coin_but_confident_mistakes_remain(plain):
    scores = detect.scores(plain.model, plain.test, n=1_000)
    assert scores.angles.abs().min() >= detect.MIN_ANGLE and scores.angles.abs().max() <= 180
    numbers = detect.summary(scores)
    assert 0.5 < numbers["auroc_turned"] < 0.95  # better than chance, far from perfect: a baseline
    assert numbers["auroc_wrong"] > 0.75  # wrong answers are less confident on upright images
    assert numbers["confident_wrong_turned"] > 5 * numbers["confident_wrong_upright"]
    assert all(not math.isnan(v) for v in numbers.values())


def test_auroc_has_known_answers():
    assert detect.auroc(torch.tensor([0.1, 0.2]), torch.tensor([0.8, 0.9])) == 1.0
    assert detect.auroc(torch.tensor([0.8, 0.9]), torch.tensor([0.1, 0.2])) == 0.0
    assert detect.auroc(torch.tensor([0.5]), torch.tensor([0.5])) == 0.5
    with pytest.raises(BadInput):
        detect.auroc(torch.tensor([]), torch.tensor([0.5]))


def test_summary_of_no_confident_answer_is_zero_not_nan():
    low = torch.full((4,), 0.3)
    s = detect.Scores(
        low, low, torch.tensor([True, False] * 2), torch.zeros(4, dtype=torch.bool), torch.full((4,), 90.0)
    )
    numbers = detect.summary(s, 0.9)
    assert numbers["n_confident_turned"] == 0 and numbers["confident_wrong_turned"] == 0.0
    with pytest.raises(BadInput):
        detect.summary(s, 1.0)


# ----------------------------------------------------------------------------- shuffling


def test_the_permutation_is_a_seeded_bijection():
    order = shuffle.permutation(3)
    assert torch.equal(order.sort().values, torch.arange(784))
    assert torch.equal(order, shuffle.permutation(3)) and not torch.equal(order, shuffle.permutation(4))
    test = model.load_split(0)[1].subset(slice(0, 5))
    permuted = shuffle.permute(test, order)
    assert torch.equal(shuffle.unpermute(permuted.images, order), test.images)
    assert torch.equal(permuted.pixels.flatten(1).sort().values, test.pixels.flatten(1).sort().values)
    with pytest.raises(BadInput):
        shuffle.permute(test, torch.zeros(784, dtype=torch.long))


def test_the_mlp_does_not_care_about_the_order_of_pixels_the_cnn_does():
    config = shuffle.ShuffleConfig(n_train=2_000, epochs=2)
    acc = {(a, p): shuffle.train(a, p, config).test_accuracy for a in ("MLP", "CNN") for p in (False, True)}
    assert abs(acc["MLP", True] - acc["MLP", False]) < 0.03  # within a few points
    assert acc["CNN", False] - acc["CNN", True] > 0.03  # the CNN's prior about neighbouring pixels is gone


def test_warm_up_covers_every_preset_with_the_page_s_keys():
    keys = [job.key for job in ood.warm_up_jobs(seed=2)]
    plain, aug = model.ModelConfig(seed=2), model.ModelConfig(augment=30.0, seed=2)
    assert keys[:4] == [model.run_key(plain), model.sweep_key(plain), model.run_key(aug), model.sweep_key(aug)]
    assert keys[4:] == [job.key for job in shuffle.jobs(shuffle.ShuffleConfig(seed=2))] and len(set(keys)) == 8
