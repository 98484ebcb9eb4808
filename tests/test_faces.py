"""The synthetic face generator: shapes, ranges, determinism, requested rates, one-attribute re-rendering."""

import numpy as np
import pytest
import torch

from core import faces


@pytest.fixture(scope="module")
def sample():
    attrs = faces.sample_attributes(300, seed=3, smile=0.3, mugshot=0.7, white_collar=0.1, glasses=0.25, beard=0.2)
    return attrs, faces.render(attrs)


def test_images_are_colour_64x64_float_in_unit_range(sample):
    attrs, images = sample
    assert images.shape == (300, 3, faces.SIZE, faces.SIZE) and images.dtype == torch.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert images.std(dim=(1, 2, 3)).min() > 0.1  # every picture has content, none is a flat colour


def test_same_seed_same_faces_other_seed_other_faces():
    a, b, c = (faces.generate(40, seed=s, smile=0.5) for s in (7, 7, 8))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1].skin, b[1].skin)
    assert not torch.equal(a[0], c[0])


def test_requested_rates_are_honoured_exactly(sample):
    attrs, _ = sample
    for name, rate in {"smile": 0.3, "mugshot": 0.7, "white_collar": 0.1, "glasses": 0.25, "beard": 0.2}.items():
        assert getattr(attrs, name).mean() == pytest.approx(rate, abs=0.5 / len(attrs)), name


def test_explicit_flags_are_used_as_given_and_checked():
    flags = np.arange(10) % 3 == 0
    assert np.array_equal(faces.sample_attributes(10, smile=flags).smile, flags)
    with pytest.raises(ValueError, match="expected 10 flags"):
        faces.sample_attributes(10, smile=flags[:5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        faces.sample_attributes(10, beard=1.5)


def test_skin_tones_span_light_to_dark(sample):
    attrs, _ = sample
    luminance = attrs.skin @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    assert luminance.min() < 0.3 and luminance.max() > 0.8  # from Fitzpatrick VI-like to I-like tones
    assert len(set(attrs.hair_style.tolist())) == len(faces.HAIR_STYLES)


def test_chunked_rendering_gives_the_same_pixels(sample):
    attrs, images = sample
    small = attrs.subset(slice(0, 30))
    assert torch.equal(faces.render(small, chunk=7), images[:30])


def test_faces_are_8_bit_and_bytes_give_back_the_very_same_floats(sample):
    """Kept as uint8 (a quarter of the memory), a face set turns back into exactly the floats models saw."""
    attrs, images = sample
    assert torch.equal(images * 255, (images * 255).round())  # every value a multiple of 1/255
    pixels = faces.render(attrs, dtype=torch.uint8)
    assert pixels.dtype == torch.uint8 and pixels.shape == images.shape
    assert pixels.element_size() * pixels.nelement() * 4 == images.element_size() * images.nelement()
    assert torch.equal(faces.as_float(pixels), images)  # bit for bit: no number changes on the way
    assert torch.equal(faces.as_uint8(images), pixels)
    assert faces.as_float(images) is images  # floats pass through untouched
    with pytest.raises(ValueError, match="dtype"):
        faces.render(attrs, dtype=torch.float16)


def test_toggling_the_smile_changes_only_the_mouth_box(sample):
    """Counterfactual pairs: same face, only the mouth differs, and inside the box the helpers report."""
    attrs, images = sample
    twins = faces.render(attrs.replace(smile=~attrs.smile))
    changed = (twins - images).abs().amax(dim=1) > 1e-4  # (N, H, W)
    masks = faces.mouth_masks(attrs)
    assert changed.any(dim=(1, 2)).all(), "every face's mouth must visibly change"
    assert not (changed & ~masks).any(), "pixels outside the mouth box changed"
    assert masks.float().mean() < 0.06  # the box is a small part of the picture


def test_toggling_the_background_leaves_the_mouth_alone(sample):
    attrs, images = sample
    wall_changed = (faces.render(attrs.replace(mugshot=~attrs.mugshot)) - images).abs().amax(dim=1) > 1e-4
    mouth = (faces.render(attrs.replace(smile=~attrs.smile)) - images).abs().amax(dim=1) > 1e-4
    assert wall_changed.float().mean() > 0.1  # the wall is a large part of the picture
    assert not (wall_changed & mouth).any()  # the mouth's pixels never depend on the wall


def test_replace_checks_lengths():
    attrs = faces.sample_attributes(5)
    with pytest.raises(ValueError, match="one entry per face"):
        attrs.replace(smile=np.ones(3, dtype=bool))


def test_empty_request_gives_an_empty_batch():
    images, attrs = faces.generate(0)
    assert images.shape == (0, 3, faces.SIZE, faces.SIZE) and len(attrs) == 0
