"""Turn, shift, zoom and recolour images: the moves that take a test image out of the training distribution.

How: torch's own ``affine_grid`` + ``grid_sample`` (bilinear, black outside the frame), not a hand-written
rotation. ``torchvision.transforms.v2.functional.affine`` works here (through ``core.torchvision_compat``) and
makes exactly these two calls for a tensor, so it is the *oracle* in the tests (same angle, shift and zoom ->
the same pixels within 1e-5), but not what the page runs, for two measured reasons:

* v2 applies **one** set of parameters per call, to the whole batch; augmentation needs a different random
  angle for every image: a loop of 128 calls per batch took 37 ms, ~7 s over the preset's training, against
  one batched ``affine_grid`` call here;
* importing torchvision takes 1.8 s and 86 MB on a page whose memory budget is shared by the whole lab.

Conventions: ``angle`` in degrees, counter-clockwise on screen (as ``v2.functional.rotate`` and ``torch.rot90``;
``v2.functional.affine`` turns clockwise, so the oracle gets ``-angle``); ``shift`` in pixels (x to the
right, y down); ``zoom`` > 1 enlarges about the centre; ``contrast`` blends the image with its mean grey
level (``c * x + (1 - c) * mean``: 1 = unchanged, 0 = a flat grey, as ``adjust_contrast``); ``invert``: 1 - x.
Images are ``(N, 1, H, W)`` float in [0, 1]; every result is too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from core.errors import BadInput

ZOOM_RANGE = (0.1, 3.0)  # below 0.1 a 28-pixel object is under 3 pixels; above 3 only a patch is left
MAX_SHIFT = 28  # pixels: a whole image width, by which the object has left the frame
CONTRAST_RANGE = (0.0, 3.0)
BLANK_STD = 0.01  # an image whose pixels vary less than this (in [0, 1]) shows nothing: "blank"


@dataclass(frozen=True)
class Transform:
    """One change of a picture, as the page's sliders set it.

    Attributes:
        angle: rotation in degrees, counter-clockwise; any finite value (360 is a full turn).
        shift_x, shift_y: translation in pixels, right and down, within ±``MAX_SHIFT``.
        zoom: scale about the centre, in ``ZOOM_RANGE``; 1 = as is.
        contrast: in ``CONTRAST_RANGE``; 1 = as is, 0 = flat grey, 2 = twice the contrast (clipped to [0, 1]).
        invert: white garment on black becomes black on white (the training images never look like that).
    """

    angle: float = 0.0
    shift_x: float = 0.0
    shift_y: float = 0.0
    zoom: float = 1.0
    contrast: float = 1.0
    invert: bool = False

    def __post_init__(self) -> None:
        values = (self.angle, self.shift_x, self.shift_y, self.zoom, self.contrast)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise BadInput(f"every setting must be a finite number; got {self}")
        if not ZOOM_RANGE[0] <= self.zoom <= ZOOM_RANGE[1]:
            raise BadInput(
                f"zoom must be between {ZOOM_RANGE[0]} and {ZOOM_RANGE[1]} (got {self.zoom:g}): at zoom → 0 the "
                "object shrinks to nothing"
            )
        if max(abs(self.shift_x), abs(self.shift_y)) > MAX_SHIFT:
            raise BadInput(f"shifts beyond ±{MAX_SHIFT} pixels leave an empty frame; got {self}")
        if not CONTRAST_RANGE[0] <= self.contrast <= CONTRAST_RANGE[1]:
            raise BadInput(f"contrast must be between {CONTRAST_RANGE[0]} and {CONTRAST_RANGE[1]}; got {self.contrast}")

    def describe(self) -> str:
        """e.g. ``turned 45°, shifted (3, 0) px, zoom 0.8`` (``as is`` when nothing changes)."""
        parts = []
        if self.angle:
            parts.append(f"turned {self.angle:g}°")
        if self.shift_x or self.shift_y:
            parts.append(f"shifted ({self.shift_x:g}, {self.shift_y:g}) px")
        if self.zoom != 1:
            parts.append(f"zoom {self.zoom:g}")
        if self.contrast != 1:
            parts.append(f"contrast {self.contrast:g}")
        if self.invert:
            parts.append("inverted")
        return ", ".join(parts) or "as is"


def affine(
    images: torch.Tensor,
    angles: torch.Tensor | float,
    shift: tuple[float, float] = (0.0, 0.0),
    zoom: float = 1.0,
) -> torch.Tensor:
    """Rotate (per image if ``angles`` is ``(N,)``), shift and zoom ``images`` ``(N, C, H, W)``; black fills in.

    ``affine_grid`` wants, for every *output* pixel, where to read in the *input*, in coordinates that run
    from -1 to 1 across the image: the inverse of "turn by a, scale by s, then shift by t", i.e.
    ``p_in = R(-a) (p_out - t) / s``. With y pointing down the screen, a counter-clockwise turn by a reads
    from ``[[cos a, -sin a], [sin a, cos a]] @ p_out`` (checked against torchvision and ``torch.rot90`` in the tests).
    """
    n, _, h, w = images.shape
    if h != w:
        raise BadInput(f"square images only, got {h} x {w}")
    a = torch.deg2rad(torch.as_tensor(angles, dtype=images.dtype).expand(n))
    cos, sin = torch.cos(a) / zoom, torch.sin(a) / zoom
    tx, ty = (2.0 * s / w for s in shift)  # pixels -> the grid's [-1, 1] units
    theta = torch.stack(
        [
            torch.stack([cos, -sin, -(cos * tx - sin * ty)], dim=1),
            torch.stack([sin, cos, -(sin * tx + cos * ty)], dim=1),
        ],
        dim=1,
    )  # (N, 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False).clamp(0.0, 1.0)


def rotate(images: torch.Tensor, angles: torch.Tensor | float) -> torch.Tensor:
    """``images`` turned by ``angles`` degrees counter-clockwise (one angle, or one per image)."""
    return affine(images, angles)


def apply(images: torch.Tensor, transform: Transform) -> torch.Tensor:
    """``images`` ``(N, 1, H, W)`` changed by ``transform``: geometry first, then contrast, then inversion.

    The identity returns the images unchanged (bit for bit): resampling at the pixel centres would
    only add rounding noise.
    """
    out = images
    if transform.angle % 360.0 or transform.shift_x or transform.shift_y or transform.zoom != 1:
        out = affine(out, float(transform.angle), (transform.shift_x, transform.shift_y), transform.zoom)
    if transform.contrast != 1:
        mean = out.mean(dim=(1, 2, 3), keepdim=True)  # torchvision's adjust_contrast: blend with the mean grey
        out = (transform.contrast * out + (1.0 - transform.contrast) * mean).clamp(0.0, 1.0)
    if transform.invert:
        out = 1.0 - out
    return out


def is_blank(image: torch.Tensor) -> bool:
    """True when ``image`` shows nothing: all its pixels within ``BLANK_STD`` of one grey level."""
    return float(image.std()) < BLANK_STD if image.numel() > 1 else True


def random_rotations(degrees: float, generator: torch.Generator):
    """A batch perturbation for :func:`core.training.fit`: each image turned by its own angle in ±``degrees``.

    The angles come from ``generator``, so the same seed gives the same augmented batches.
    """

    def perturb(_model, images: torch.Tensor, _labels: torch.Tensor) -> torch.Tensor:
        angles = (torch.rand(len(images), generator=generator) * 2.0 - 1.0) * degrees
        return rotate(images, angles)

    return perturb
