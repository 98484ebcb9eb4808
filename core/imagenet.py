"""An ImageNet classifier for real photos: torchvision's ResNet-18 (He et al. 2016), only if its weights are on disk.

The lab never downloads at run time: the weights are loaded only when they are already in
torch's cache (``python -m core.fetch resnet18`` puts them there when online). Otherwise
:func:`load_resnet18` raises :class:`WeightsUnavailable` with that command in the message, for
the operator; a page shows :data:`STUDENT_NOTICE` instead.

ImageNet normalisation (mean/std per channel) lives *inside* the returned model, so the
attacks in :mod:`core.attacks` work in plain [0, 1] pixel space and ε means the same thing
as for the Fashion-MNIST model. The weights file is read with ``weights_only=True``
(tensors only, no arbitrary pickled code).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from core import fetch
from core.errors import Unavailable
from core.provenance import Provenance

IMAGENET_MEAN = (0.485, 0.456, 0.406)  # per-channel statistics of ImageNet's training photos (torchvision)
IMAGENET_STD = (0.229, 0.224, 0.225)
INPUT_SIDE = 224  # ResNet-18 was trained on 224x224 crops
RESNET_SOURCE = (
    "He, Zhang, Ren & Sun 2016, 'Deep Residual Learning for Image Recognition', CVPR; "
    "torchvision IMAGENET1K_V1 weights (top-1 69.8 % on ImageNet val, published)"
)


# What a student sees when the weights are missing: what works and whom to ask. No server path and no
# shell command (a student can run neither); the operator's details go to the server log (str(err)).
STUDENT_NOTICE = (
    "The photo demo needs the pretrained ResNet-18 weights, which this server does not have. "
    "The Fashion-MNIST tabs all work. To try your own photos, ask the person running the lab "
    "to install the weights (the README says how)."
)


def provenance(data: str) -> Provenance:
    """What a number computed by the pretrained ResNet-18 on ``data`` (a photo's source) is: measured, with the weights' source."""
    return Provenance("measured", model="ResNet-18, torchvision IMAGENET1K_V1", data=data, source=RESNET_SOURCE)


class WeightsUnavailable(Unavailable):
    """The pretrained weights are not on disk (or unreadable); the message tells the operator what to do.

    It names the server path and the command: for the server log, not for a student's screen
    (show :data:`STUDENT_NOTICE` there).
    """


class Normalized(nn.Module):
    """``model((x - mean) / std)``: takes images in [0, 1], so attacks need not know about normalisation."""

    def __init__(self, model: nn.Module, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x - self.mean) / self.std)


def weights_path() -> Path:
    """Where torchvision caches the ResNet-18 weights (``$TORCH_HOME/hub/checkpoints/resnet18-f37072fd.pth``)."""
    return fetch.torch_checkpoint_dir() / fetch.RESNET18_FILE


def load_resnet18(path: Path | None = None) -> nn.Module:
    """The pretrained ResNet-18 with normalisation inside, in eval mode (treat as read-only).

    Raises:
        WeightsUnavailable: no file, or a file that is not a ResNet-18 state dict.
    """
    path = Path(path) if path is not None else weights_path()
    if not path.exists():
        raise WeightsUnavailable(
            f"The ImageNet ResNet-18 weights are not on this machine ({path}). "
            "Run `python -m core.fetch resnet18` once while online; the lab never "
            "downloads by itself."
        )
    from core.torchvision_compat import torchvision

    model = torchvision.models.resnet18(weights=None)
    try:
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    except Exception as err:  # unpickling refused, truncated file, wrong keys or shapes: all "unusable"
        raise WeightsUnavailable(
            f"{path} is not a usable ResNet-18 weights file ({type(err).__name__}). "
            "Delete it and run `python -m core.fetch resnet18` again."
        ) from err
    return Normalized(model).eval()


def class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet class names, from torchvision's weights metadata (no download)."""
    from core.torchvision_compat import torchvision

    return tuple(torchvision.models.ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


def prepare(image: torch.Tensor, side: int = INPUT_SIDE) -> torch.Tensor:
    """``(3, H, W)`` in [0, 1] -> ``(1, 3, side, side)``: shorter side to ``side·8/7`` (256), centre crop.

    The usual ImageNet evaluation transform, done in torch (antialiased) so nothing leaves [0, 1].
    An image longer than twice its width (or the other way round) is first centre-cropped to 2:1:
    the final crop lies inside that anyway, and an 87-byte 2000 x 1 PNG would otherwise be
    resized to 256 x 262,144 pixels (~800 MB) on its way to 224 x 224.
    """
    height, width = image.shape[1:]
    if max(height, width) > 2 * min(height, width):
        keep_h, keep_w = min(height, 2 * width), min(width, 2 * height)
        top, left = (height - keep_h) // 2, (width - keep_w) // 2
        image = image[:, top : top + keep_h, left : left + keep_w]
        height, width = keep_h, keep_w
    scale = round(side * 8 / 7) / min(height, width)
    size = (max(side, round(height * scale)), max(side, round(width * scale)))
    resized = F.interpolate(image[None], size=size, mode="bilinear", antialias=True, align_corners=False)
    top, left = (size[0] - side) // 2, (size[1] - side) // 2
    return resized[..., top : top + side, left : left + side].clamp(0, 1).contiguous()
