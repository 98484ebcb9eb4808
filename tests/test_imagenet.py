"""The optional ResNet-18: loaded only from torch's cache, tested with a weights file the test writes."""

import pytest
import torch

from core import attacks, fetch, imagenet
from core.torchvision_compat import torchvision


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path


def test_missing_weights_say_how_to_fetch_them(torch_home):
    with pytest.raises(imagenet.WeightsUnavailable, match="python -m core.fetch resnet18"):
        imagenet.load_resnet18()


def test_weights_in_the_cache_layout_are_loaded(torch_home):
    reference = torchvision.models.resnet18(weights=None).eval()  # random init: no download needed
    path = torch_home / "hub" / "checkpoints" / fetch.RESNET18_FILE
    path.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), path)
    assert imagenet.weights_path() == path
    model = imagenet.load_resnet18()
    x = torch.rand(1, 3, 64, 64)
    mean, std = (
        torch.tensor(imagenet.IMAGENET_MEAN).view(1, 3, 1, 1),
        torch.tensor(imagenet.IMAGENET_STD).view(1, 3, 1, 1),
    )
    with torch.no_grad():
        assert torch.allclose(model(x), reference((x - mean) / std), atol=1e-5)  # normalisation inside
    assert not model.training
    adversarial = attacks.fgsm(model, x, torch.tensor([3]), 2 / 255)
    assert float((adversarial - x).abs().max()) <= 2 / 255 + 1e-6


@pytest.mark.parametrize("content", [b"not a checkpoint", "wrong keys"])
def test_unusable_weights_files_are_refused_clearly(torch_home, content):
    path = torch_home / "hub" / "checkpoints" / fetch.RESNET18_FILE
    path.parent.mkdir(parents=True)
    if content == "wrong keys":
        torch.save({"fc.weight": torch.zeros(2, 2)}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(imagenet.WeightsUnavailable, match="not a usable"):
        imagenet.load_resnet18()


def test_pickled_code_is_not_executed(torch_home):
    class Evil:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle ran code')",))

    path = torch_home / "hub" / "checkpoints" / fetch.RESNET18_FILE
    path.parent.mkdir(parents=True)
    torch.save({"x": Evil()}, path)
    with pytest.raises(imagenet.WeightsUnavailable):
        imagenet.load_resnet18()


def test_class_names_and_prepare():
    names = imagenet.class_names()
    assert len(names) == 1000 and "tabby" in names
    x = imagenet.prepare(torch.rand(3, 300, 451))
    assert x.shape == (1, 3, 224, 224) and 0 <= float(x.min()) and float(x.max()) <= 1


@pytest.mark.parametrize("shape", [(3, 1, 1024), (3, 2000, 3), (3, 1, 1)])
def test_a_thin_image_is_prepared_without_a_huge_intermediate(monkeypatch, shape):
    """A 1 x 2000 PNG is 87 bytes; resized so its short side is 256 it would be ~800 MB of floats."""
    sizes = []
    real = imagenet.F.interpolate

    def spy(x, *args, **kwargs):
        out = real(x, *args, **kwargs)
        sizes.append(out.numel())
        return out

    monkeypatch.setattr(imagenet.F, "interpolate", spy)
    x = imagenet.prepare(torch.rand(*shape))
    assert x.shape == (1, 3, 224, 224) and 0 <= float(x.min()) and float(x.max()) <= 1
    assert max(sizes) <= 3 * 256 * 512


def test_photos_up_to_two_to_one_are_not_cropped_before_resizing():
    image = torch.rand(3, 150, 300)
    resized = torch.nn.functional.interpolate(
        image[None], size=(256, 512), mode="bilinear", antialias=True, align_corners=False
    )
    assert torch.equal(imagenet.prepare(image), resized[..., 16:240, 144:368].clamp(0, 1))


def test_the_students_notice_names_no_server_path_and_no_command():
    """What a student reads when the weights are missing: what works and whom to ask (issue #13, defect 12)."""
    notice = imagenet.STUDENT_NOTICE
    assert "Fashion-MNIST" in notice and "ask" in notice
    assert "/" not in notice and "python" not in notice and "`" not in notice
