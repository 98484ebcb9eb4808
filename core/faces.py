"""Synthetic faces: a seeded, vectorised drawing of 64x64 colour ID-style portraits.

No real person appears anywhere in the lab's mugshot demo: every face is drawn here
from a handful of random attributes (skin tone, face shape, eyes, brows, nose, hair,
glasses, beard) plus three *confounds* a dataset can tie to a label:

* ``smile``: mouth curvature (an open, upturned smile vs a neutral or down-turned mouth);
* ``mugshot``: the background (a plain light ID-photo backdrop vs a grey wall with height lines);
* ``white_collar``: the clothing (a dark jacket over a white shirt collar vs a coloured top).

Two steps, so the same face can be re-rendered with one attribute changed
(counterfactual pairs, e.g. the same person with and without a smile)::

    faces = sample_attributes(2000, seed=0, smile=0.5)      # who they are: arrays, no pixels
    images = render(faces)                                   # (2000, 3, 64, 64) float32 in [0, 1]
    twins = render(faces.replace(smile=~faces.smile))        # same faces, smile toggled

Rendering is pure torch on whole batches: every part is a soft mask computed from a
signed distance on a pixel grid (no per-pixel or per-face Python loops), composited
back to front like layers in a drawing program.

The pictures are 8-bit, like any photo: every value is a multiple of 1/255, so a set of faces can
be kept as ``uint8`` (``render(..., dtype=torch.uint8)``: a quarter of float32's memory, 23 MB for
1,856 faces instead of 91 MB) and turned back into exactly the same floats with :func:`as_float`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import torch

SIZE = 64  # pixels; the CNN of the demo takes 64x64 colour images


def _rgb(hexes: str) -> np.ndarray:
    """Colours written as sRGB hex triplets ("fadec8 ...") -> ``(K, 3)`` float32 in [0, 1]."""
    return np.array([[int(h[i : i + 2], 16) for i in (0, 2, 4)] for h in hexes.split()], dtype=np.float32) / 255


# Skin tones from light to dark, roughly spanning the Fitzpatrick scale I-VI.
# A face's tone is a random point on this line, so the whole range appears.
SKIN_TONES = _rgb("fadec8 eec4a4 deaa80 c4885e a06642 764a30 523424")
HAIR_COLOURS = _rgb("191412 3c281c 644228 965028 c8a564 969696 e1e1dc")
HAIR_WEIGHTS = np.array([0.28, 0.24, 0.16, 0.07, 0.1, 0.1, 0.05])  # black/brown hair most common
HAIR_STYLES = ("short", "long", "shaved", "curly", "bun")
IRIS_COLOURS = _rgb("321e14 5a3c1e 3c6496 466e46")
TOP_COLOURS = _rgb("c83c32 287846 465aa0 e6b428 783c82 5a5a5a a06e46 282832")
JACKET_COLOURS = _rgb("1e233c 2d2d32 46464b 141419")


@dataclass(frozen=True)
class FaceAttributes:
    """Everything that decides one face, as arrays of length ``N`` (one entry per face).

    Positions and sizes are in pixels of the 64x64 image. The three confounds are
    booleans: ``smile``, ``mugshot`` (background) and ``white_collar`` (clothing);
    ``mouth_curve`` and ``mouth_open`` are the face's own mouth *when* it smiles or not,
    so toggling ``smile`` changes only the mouth.
    """

    skin: np.ndarray  # (N, 3) RGB in [0, 1]
    skin_tone: np.ndarray  # (N,) 0 = lightest ... 1 = darkest (position on SKIN_TONES)
    cx: np.ndarray  # face centre x
    cy: np.ndarray  # face centre y
    face_w: np.ndarray  # half-width of the head
    face_h: np.ndarray  # half-height of the head
    jaw: np.ndarray  # 0 = round chin ... 1 = narrow, pointed chin
    eye_dx: np.ndarray  # half the distance between the eyes
    eye_y: np.ndarray  # eye height relative to cy
    eye_size: np.ndarray  # eye half-width
    iris: np.ndarray  # (N, 3) RGB
    brow_thick: np.ndarray  # eyebrow thickness
    brow_tilt: np.ndarray  # eyebrow slope (px over its half-length; > 0: outer ends lower)
    nose_len: np.ndarray  # nose length
    nose_w: np.ndarray  # nose half-width at the nostrils
    mouth_w: np.ndarray  # mouth half-width
    hair_style: np.ndarray  # int index into HAIR_STYLES
    hair: np.ndarray  # (N, 3) RGB
    glasses: np.ndarray  # bool
    beard: np.ndarray  # bool
    top: np.ndarray  # (N, 3) RGB of a coloured top (used when not white_collar)
    jacket: np.ndarray  # (N, 3) RGB of the jacket (used when white_collar)
    wall: np.ndarray  # (N, 3) RGB of the background
    texture: np.ndarray  # per-face seed of the fine skin/paper texture
    smile: np.ndarray  # bool  (confound 1)
    mugshot: np.ndarray  # bool  (confound 2): grey wall with height lines
    white_collar: np.ndarray  # bool  (confound 3): white shirt collar under a dark jacket
    smile_curve: np.ndarray  # how far the corners rise when smiling (px)
    rest_curve: np.ndarray  # corner rise when not smiling (<= 0: neutral to frown)

    def __len__(self) -> int:
        return len(self.cx)

    def replace(self, **changes) -> FaceAttributes:
        """The same faces with some attributes changed, e.g. ``replace(smile=~faces.smile)``."""
        for name, value in changes.items():
            if np.shape(value)[:1] != (len(self),):
                raise ValueError(f"{name} must have one entry per face ({len(self)}), got shape {np.shape(value)}")
        return replace(self, **{k: np.asarray(v) for k, v in changes.items()})

    def subset(self, index) -> FaceAttributes:
        """The faces at ``index`` (a slice, integer array or boolean mask)."""
        return FaceAttributes(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[FaceAttributes]) -> FaceAttributes:
        """Several sets of faces one after another."""
        return FaceAttributes(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(parts[0])})


def _flags(rng: np.random.Generator, n: int, rate) -> np.ndarray:
    """A boolean per face: exactly ``round(rate * n)`` True, shuffled; or the given array as is.

    Exact counts (not coin flips) make a requested rate hold for every seed, so a
    dataset built to be 89.5 % confounded is 89.5 % confounded, not 88.7 %.
    """
    if np.ndim(rate) == 0:
        if not 0.0 <= float(rate) <= 1.0:
            raise ValueError(f"a rate must be in [0, 1], got {rate}")
        flags = np.zeros(n, dtype=bool)
        flags[: int(round(float(rate) * n))] = True
        return rng.permutation(flags)
    flags = np.asarray(rate, dtype=bool)
    if flags.shape != (n,):
        raise ValueError(f"expected {n} flags, got shape {flags.shape}")
    return flags


def sample_attributes(
    n: int, seed: int = 0, *, smile=0.5, mugshot=0.5, white_collar=0.5, glasses: float = 0.25, beard: float = 0.2
) -> FaceAttributes:
    """Draw ``n`` random faces (attributes only; :func:`render` draws them).

    Args:
        n: number of faces.
        seed: the same seed gives the same faces.
        smile, mugshot, white_collar: the confounds, each either a rate in [0, 1]
            (exactly that share of faces, shuffled) or a boolean array of length ``n``
            (e.g. tied to labels by :mod:`core.demos.mugshots`).
        glasses, beard: rates of glasses and beards (exact counts, like the confounds).

    Returns:
        a :class:`FaceAttributes` with arrays of length ``n``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    u = lambda lo, hi: rng.uniform(lo, hi, n).astype(np.float32)  # noqa: E731
    tone = u(0, 1)
    pos = tone * (len(SKIN_TONES) - 1)
    low = np.minimum(pos.astype(int), len(SKIN_TONES) - 2)
    frac = (pos - low)[:, None]
    skin = (1 - frac) * SKIN_TONES[low] + frac * SKIN_TONES[low + 1]
    hair = HAIR_COLOURS[rng.choice(len(HAIR_COLOURS), n, p=HAIR_WEIGHTS)]
    wall_id = np.array([[0.86, 0.90, 0.95], [0.93, 0.93, 0.92], [0.80, 0.88, 0.96]], dtype=np.float32)
    wall_mug = np.array([[0.58, 0.60, 0.60], [0.62, 0.64, 0.58], [0.55, 0.57, 0.62]], dtype=np.float32)
    mug = _flags(rng, n, mugshot)
    wall = np.where(mug[:, None], wall_mug[rng.integers(0, 3, n)], wall_id[rng.integers(0, 3, n)])
    return FaceAttributes(
        skin=skin.astype(np.float32),
        skin_tone=tone,
        cx=u(30.5, 33.5),
        cy=u(25, 28),
        face_w=u(11.5, 14),
        face_h=u(15, 17.5),
        jaw=u(0, 1),
        eye_dx=u(4.6, 5.8),
        eye_y=u(-3.5, -1.5),
        eye_size=u(2.2, 3.0),
        iris=IRIS_COLOURS[rng.integers(0, len(IRIS_COLOURS), n)],
        brow_thick=u(0.9, 1.8),
        brow_tilt=u(-1.0, 1.0),
        nose_len=u(6, 8.5),
        nose_w=u(1.6, 2.6),
        mouth_w=u(3.8, 5.2),
        hair_style=rng.choice(len(HAIR_STYLES), n, p=[0.35, 0.25, 0.1, 0.18, 0.12]),
        hair=hair,
        glasses=_flags(rng, n, glasses),
        beard=_flags(rng, n, beard),
        top=TOP_COLOURS[rng.integers(0, len(TOP_COLOURS), n)],
        jacket=JACKET_COLOURS[rng.integers(0, len(JACKET_COLOURS), n)],
        wall=wall.astype(np.float32),
        texture=rng.uniform(0, 1000, n).astype(np.float32),
        smile=_flags(rng, n, smile),
        mugshot=mug,
        white_collar=_flags(rng, n, white_collar),
        smile_curve=u(2.2, 3.4),
        rest_curve=u(-1.6, 0.2),
    )


# ----------------------------------------------------------------------------- drawing helpers
# Every helper works on whole batches: per-face parameters are (N, 1, 1) tensors broadcast
# against the pixel grid (1, H, W), so a shape costs a few tensor operations for all faces.


def _soft(distance: torch.Tensor) -> torch.Tensor:
    """Signed distance (px, < 0 inside) -> coverage in [0, 1] with a one-pixel anti-aliased edge."""
    return (0.5 - distance).clamp_(0.0, 1.0)


def _ellipse(x, y, cx, cy, rx, ry) -> torch.Tensor:
    """Coverage of an axis-aligned ellipse (approximate signed distance, exact enough at 64 px)."""
    r = torch.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)
    return _soft((r - 1.0) * torch.minimum(rx, ry))


def _paint(image: torch.Tensor, alpha: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
    """Composite ``colour`` over ``image`` (N, 3, H, W) in place, where ``alpha`` (N, H, W) covers it.

    ``colour`` is (N, 3, 1, 1) or (N, 3, H, W). In place, so ``image`` may be a view
    (a crop around the face) of the full picture.
    """
    alpha = alpha.unsqueeze(1)
    # image * (1 - alpha) + alpha * colour, in place: no new 3-channel tensor per layer (allocating
    # one per layer made rendering several times slower than the arithmetic itself).
    return image.mul_(1.0 - alpha).addcmul_(alpha, colour)


def _col(a: np.ndarray) -> torch.Tensor:
    """Per-face parameter (N,) -> (N, 1, 1); colours (N, 3) -> (N, 3, 1, 1)."""
    t = torch.as_tensor(np.asarray(a, dtype=np.float32))
    return t.view(-1, 1, 1) if t.ndim == 1 else t.view(-1, 3, 1, 1)


def _grid() -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates, each (1, H, W)."""
    c = torch.arange(SIZE, dtype=torch.float32) + 0.5
    return c.view(1, 1, SIZE), c.view(1, SIZE, 1)


def mouth_geometry(faces: FaceAttributes) -> dict[str, np.ndarray]:
    """Where each face's mouth is: centre ``mx, my`` and half-width ``w`` (px), corner rise ``curve``."""
    curve = np.where(faces.smile, faces.smile_curve, faces.rest_curve)
    return {"mx": faces.cx, "my": faces.cy + 0.55 * faces.face_h, "w": faces.mouth_w, "curve": curve}


def mouth_boxes(faces: FaceAttributes, margin: float = 1.5) -> np.ndarray:
    """The mouth region of each face as integer boxes ``(N, 4)``: ``top, bottom, left, right`` (exclusive).

    The box covers the lips in every expression (smile corners rise up to ~3.4 px,
    an open smile drops ~3 px) plus ``margin`` pixels, and does not change when
    the smile is toggled, so both faces of a counterfactual pair share it.
    """
    g = mouth_geometry(faces)
    top = np.floor(g["my"] - 3.6 - margin)
    bottom = np.ceil(g["my"] + 3.2 + margin)
    left, right = np.floor(g["mx"] - g["w"] - margin), np.ceil(g["mx"] + g["w"] + margin)
    return np.clip(np.stack([top, bottom, left, right], 1), 0, SIZE).astype(int)


def mouth_masks(faces: FaceAttributes, margin: float = 1.5) -> torch.Tensor:
    """Boolean masks ``(N, 64, 64)`` of the mouth boxes (see :func:`mouth_boxes`)."""
    boxes = torch.as_tensor(mouth_boxes(faces, margin))
    rows = torch.arange(SIZE).view(1, SIZE, 1)
    cols = torch.arange(SIZE).view(1, 1, SIZE)
    b = boxes.view(-1, 4, 1, 1)
    return (rows >= b[:, 0]) & (rows < b[:, 1]) & (cols >= b[:, 2]) & (cols < b[:, 3])


# ----------------------------------------------------------------------------- rendering


def render(faces: FaceAttributes, chunk: int = 128, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Draw the faces: ``(N, 3, 64, 64)`` RGB, float32 in ``[0, 1]`` on the 8-bit grid, or ``uint8`` 0..255.

    Deterministic: the same attributes always give the same pixels (the fine texture
    comes from each face's ``texture`` seed through a hash, not from a global RNG).
    Batches of ``chunk`` faces keep the working set small enough for the CPU cache;
    each batch is rounded to bytes as soon as it is drawn, so a large set never exists as floats.
    """
    if dtype not in (torch.float32, torch.uint8):
        raise ValueError(f"dtype must be torch.float32 or torch.uint8, got {dtype}")
    pixels = torch.empty(len(faces), 3, SIZE, SIZE, dtype=torch.uint8)
    for i in range(0, len(faces), chunk):
        pixels[i : i + chunk] = as_uint8(_render(faces.subset(slice(i, i + chunk))))
    return pixels if dtype == torch.uint8 else as_float(pixels)


def as_uint8(images: torch.Tensor) -> torch.Tensor:
    """Images in ``[0, 1]`` -> ``uint8`` 0..255, each value rounded to the nearest of the 256 levels."""
    return images.clamp(0.0, 1.0).mul(255).round_().to(torch.uint8)


def as_float(images: torch.Tensor) -> torch.Tensor:
    """``uint8`` images 0..255 -> float32 in ``[0, 1]`` (what models and explanations take); floats pass as they are.

    ``as_float(as_uint8(render(f))) == render(f)`` exactly: rendered faces already sit on the 8-bit grid.
    """
    return images.float().div_(255) if images.dtype == torch.uint8 else images


@dataclass
class _Canvas:
    """Images being drawn (N, 3, H, W) with their pixel coordinates and per-face grain (N, H, W).

    :meth:`crop` gives views of a window: a part that always falls inside it is drawn
    on fewer pixels, and painting the view paints the full images.
    """

    image: torch.Tensor
    x: torch.Tensor
    y: torch.Tensor
    grain: torch.Tensor

    def crop(self, rows: slice, cols: slice = slice(None)) -> _Canvas:
        return _Canvas(self.image[:, :, rows, cols], self.x[:, :, cols], self.y[:, rows, :], self.grain[:, rows, cols])


# Windows (rows, cols) that always contain a part, whatever the face's random geometry:
# drawing on them instead of all 64x64 pixels keeps 2,000 faces well under a second.
HAIR_BACK_WINDOW = (slice(0, 60), slice(8, 56))  # long hair ends above row 58, halos within 11..53
HAIR_TOP_WINDOW = (slice(0, 32), slice(8, 56))  # the hairline is above the eyes
HEAD_WINDOW = (slice(6, 48), slice(10, 54))  # ears, head, beard (chin at most at row 46)
CLOTHES_WINDOW = (slice(32, 64), slice(None))  # neck and shoulders
FEATURES_WINDOW = (slice(12, 44), slice(12, 52))  # eyes, brows, glasses, nose, mouth


def _render(f: FaceAttributes) -> torch.Tensor:
    n = len(f)
    x, y = _grid()
    cx, cy = _col(f.cx), _col(f.cy)
    skin, hair = _col(f.skin), _col(f.hair)
    grain = torch.frac(torch.sin(x * 12.9898 + y * 78.233 + _col(f.texture)) * 43758.547)  # (N, H, W) noise in [0, 1)

    # 1. background: a light ID backdrop with a soft vertical gradient, or a grey wall with height lines
    image = (_col(f.wall) * (1.02 - 0.05 * y / SIZE).unsqueeze(1)).expand(n, 3, SIZE, SIZE).contiguous()
    mug = _col(f.mugshot.astype(np.float32))
    line = _soft(torch.abs(torch.remainder(y, 6.0) - 3.0) - 0.6)  # a line every 6 px
    major = 0.55 + 0.45 * (torch.remainder(y, 18.0) < 6).float()  # every third line darker
    _paint(image, (mug * (line * major * 0.6)).expand(n, SIZE, SIZE), _grey(n, 0.18))
    canvas = _Canvas(image, x, y, grain)

    # 2-6. back to front, each part on the window that always contains it
    _draw_hair_behind(canvas.crop(*HAIR_BACK_WINDOW), f, hair)
    _draw_clothes(canvas.crop(*CLOTHES_WINDOW), f, skin)
    eye_y = cy + _col(f.eye_y)
    g = mouth_geometry(f)
    _draw_head(canvas.crop(*HEAD_WINDOW), f, skin, hair, eye_y, _col(g["my"]))
    features = canvas.crop(*FEATURES_WINDOW)
    _draw_mouth(features, f, g, skin)
    _draw_nose(features, cx, eye_y, f, skin)
    _draw_eyes(features, cx, eye_y, f, skin, hair)
    _draw_hair_on_top(canvas.crop(*HAIR_TOP_WINDOW), f, hair)
    return image.clamp_(0.0, 1.0)


def _hair_colour(c: _Canvas, f: FaceAttributes, hair) -> torch.Tensor:
    """Hair with texture: rough for curly hair, a faint sheen otherwise; (N, 3, h, w)."""
    curly = torch.as_tensor(f.hair_style == HAIR_STYLES.index("curly")).view(-1, 1, 1)
    return hair * torch.where(curly, 0.7 + 0.45 * c.grain, 0.92 + 0.12 * c.grain).unsqueeze(1)


def _draw_hair_behind(c: _Canvas, f: FaceAttributes, hair) -> None:
    """Long hair falls behind the head to the shoulders; curly hair is a wide halo."""
    cx, cy, fw, fh = _col(f.cx), _col(f.cy), _col(f.face_w), _col(f.face_h)
    style = torch.as_tensor(f.hair_style).view(-1, 1, 1)
    long_back = _ellipse(c.x, c.y, cx, cy + 4.0, fw + 3.0, fh + 6.0)
    curly_back = _ellipse(c.x, c.y, cx, cy - 2.0, fw + 5.0, fh + 3.0)
    back = torch.where(style == 1, long_back, torch.where(style == 3, curly_back, torch.zeros_like(long_back)))
    _paint(c.image, back, _hair_colour(c, f, hair))


def _draw_hair_on_top(c: _Canvas, f: FaceAttributes, hair) -> None:
    """A cap above a side-parted hairline; fuller for curly hair, a bun on top, a shadow when shaved."""
    x, y = c.x, c.y
    cx, cy, fw, fh = _col(f.cx), _col(f.cy), _col(f.face_w), _col(f.face_h)
    style = torch.as_tensor(f.hair_style).view(-1, 1, 1)
    cap = _ellipse(x, y, cx, cy - 1.2, fw + 1.4, fh + 1.6)
    hairline = cy - 0.42 * fh + 1.5 * torch.tanh((x - cx - 2.0) / 3.0)
    top = cap * _soft(y - hairline)
    curly = _ellipse(x, y, cx, cy - 2.0, fw + 5.0, fh + 3.0) * _soft(y - (cy - 0.3 * fh))
    top = torch.where(style == 3, torch.maximum(top, curly), top)
    bun = _ellipse(x, y, cx, cy - fh - 2.0, torch.full_like(cx, 4.0), torch.full_like(cx, 3.2))
    top = torch.where(style == 4, torch.maximum(top, bun), top)
    top = torch.where(style == 2, top * 0.3, top)  # shaved: a faint shadow of hair
    _paint(c.image, top, _hair_colour(c, f, hair))


def _grey(n: int, level: float) -> torch.Tensor:
    """The same grey for every face: (N, 3, 1, 1)."""
    return torch.full((n, 3, 1, 1), level)


def _draw_clothes(c: _Canvas, f: FaceAttributes, skin) -> None:
    """Neck, then shoulders: a dark jacket over a white shirt collar, or a coloured top with a round neck."""
    x, y, n = c.x, c.y, len(f)
    cx, fw = _col(f.cx), _col(f.face_w)
    neck_top = _col(f.cy) + 0.7 * _col(f.face_h)
    neck = _soft(torch.maximum(torch.abs(x - cx) - 0.42 * fw, torch.abs(y - (neck_top + 5)) - 6.0))
    _paint(c.image, neck, skin * 0.8)
    shoulders = _ellipse(x, y, cx, torch.full_like(cx, 67.0), torch.full_like(cx, 31.0), torch.full_like(cx, 19.0))
    collar = _col(f.white_collar.astype(np.float32))
    round_neck = _ellipse(x, y, cx, neck_top + 6.5, 0.5 * fw, torch.full_like(cx, 3.5))
    v_neck = _soft(torch.abs(x - cx) - (y - (neck_top + 7)) * 0.6 - 0.5)  # 1 inside the jacket's V opening
    body = shoulders * (1 - round_neck)
    _paint(c.image, body * (1 - collar), _col(f.top))
    _paint(c.image, shoulders * collar, _grey(n, 0.96))  # the white shirt ...
    _paint(c.image, body * collar * (1 - v_neck), _col(f.jacket))  # ... seen through the jacket's V
    edges = _soft(torch.abs(torch.abs(x - cx) - (y - neck_top - 5) * 0.8 - 2.2) - 1.4)
    _paint(
        c.image,
        shoulders * collar * v_neck * edges * _soft(neck_top + 5.5 - y) * _soft(y - neck_top - 11),
        _grey(n, 0.82),
    )  # collar edges
    _paint(
        c.image, body * collar * v_neck * _soft(torch.abs(x - cx) - 0.6) * _soft(neck_top + 8.5 - y), _grey(n, 0.3)
    )  # the shirt's button line


def _draw_head(c: _Canvas, f: FaceAttributes, skin, hair, eye_y, my) -> None:
    """Ears, then the head (an ellipse narrowing towards the chin by ``jaw``), then the beard."""
    x, y = c.x, c.y
    cx, cy, fw, fh = _col(f.cx), _col(f.cy), _col(f.face_w), _col(f.face_h)
    for side in (-1.0, 1.0):
        _paint(
            c.image,
            _ellipse(x, y, cx + side * fw, eye_y + 2.5, torch.full_like(cx, 2.3), torch.full_like(cx, 3.7)),
            skin * 0.9,
        )
    below = ((y - cy) / fh).clamp(min=0)
    half_w = fw * (1 - _col(f.jaw) * 0.32 * below**2)
    head_r = torch.sqrt(((x - cx) / half_w) ** 2 + ((y - cy) / fh) ** 2)
    head = _soft((head_r - 1) * fw)
    shade = 1.0 - 0.16 * head_r.clamp(max=1) ** 4 + 0.03 * (c.grain - 0.5)  # a rounder look, fine skin texture
    _paint(c.image, head, skin * shade.unsqueeze(1))
    # The beard covers the head below the nose; the mouth is drawn over it, so the lips stay visible.
    beard = head * _soft(my - 3.8 - y) * _col(f.beard.astype(np.float32)) * (0.8 + 0.2 * c.grain)
    _paint(c.image, beard, hair)


def _draw_mouth(c: _Canvas, f: FaceAttributes, g: dict, skin) -> None:
    """Corners rise by ``curve`` px; a smile is open (dark inside, upper teeth), other mouths are closed lips."""
    image, x, y = c.image, c.x, c.y
    mx, my, mw, curve = _col(g["mx"]), _col(g["my"]), _col(g["w"]), _col(g["curve"])
    smiling = _col(f.smile.astype(np.float32))
    t = ((x - mx) / mw).clamp(-1.2, 1.2)
    centre_line = my - curve * t**2
    inside = _soft(torch.abs(x - mx) - mw)
    lips = skin * 0.55 + torch.tensor([0.2, 0.02, 0.02]).view(1, 3, 1, 1)
    closed = inside * _soft(torch.abs(y - centre_line) - 0.75)
    _paint(image, closed * (1 - smiling), lips)
    opening = 3.0 * (1 - t**2).clamp(min=0)
    open_mouth = inside * smiling * _soft(torch.maximum(centre_line - 0.7 - y, y - (centre_line + opening)))
    _paint(image, open_mouth, torch.tensor([0.4, 0.08, 0.1]).view(1, 3, 1, 1))
    teeth = open_mouth * _soft(y - (centre_line + 0.4 * opening + 0.5)) * _soft(torch.abs(x - mx) - 0.8 * mw)
    _paint(image, teeth, torch.full_like(skin, 0.97))


def _draw_nose(c: _Canvas, cx, eye_y, f: FaceAttributes, skin) -> None:
    """A shaded ridge down one side and a darker base with two nostrils."""
    image, x, y = c.image, c.x, c.y
    nose_top, nose_len, nose_w = eye_y + 1.5, _col(f.nose_len), _col(f.nose_w)
    ridge = _soft(torch.abs(x - (cx + 0.9)) - 0.45) * _soft(torch.abs(y - (nose_top + nose_len / 2)) - nose_len / 2)
    _paint(image, 0.3 * ridge, skin * 0.6)
    base_y = nose_top + nose_len
    _paint(image, 0.35 * _ellipse(x, y, cx, base_y - 0.6, nose_w, torch.full_like(cx, 1.3)), skin * 0.65)
    for side in (-1.0, 1.0):
        nostril = _ellipse(
            x, y, cx + side * 0.5 * nose_w, base_y - 0.3, torch.full_like(cx, 0.7), torch.full_like(cx, 0.55)
        )
        _paint(image, 0.8 * nostril, skin * 0.35)


def _draw_eyes(c: _Canvas, cx, eye_y, f: FaceAttributes, skin, hair) -> None:
    """Eyes (white, iris, pupil, lid line), brows above them, and glasses around them for some faces."""
    image, x, y = c.image, c.x, c.y
    n = len(f)
    ew = _col(f.eye_size)
    eh = ew * 0.62
    brow_colour = torch.lerp(hair, skin * 0.35, 0.25)
    frame_colour = torch.full((n, 3, 1, 1), 0.12)
    glasses = _col(f.glasses.astype(np.float32))
    for side in (-1.0, 1.0):
        ex = cx + side * _col(f.eye_dx)
        r = torch.sqrt(((x - ex) / ew) ** 2 + ((y - eye_y) / eh) ** 2)
        eye = _soft((r - 1) * eh)
        _paint(image, eye, torch.full((n, 3, 1, 1), 0.96))
        pupil_r = torch.sqrt((x - ex) ** 2 + (y - eye_y) ** 2)
        _paint(image, eye * _soft(pupil_r - eh * 1.05), _col(f.iris))
        _paint(image, eye * _soft(pupil_r - eh * 0.45), torch.full((n, 3, 1, 1), 0.05))
        _paint(image, _soft((r - 1).abs() * eh - 0.35), skin * 0.45)  # lid outline
        along = (x - ex) / (ew + 1.0)  # -1 .. 1 across the brow
        brow_y = eye_y - eh - 2.3 + side * _col(f.brow_tilt) * along - 0.6 * (1 - along**2)
        brow = _soft(torch.abs(y - brow_y) - _col(f.brow_thick) / 2) * _soft(torch.abs(x - ex) - (ew + 1.0))
        _paint(image, brow, brow_colour)
        ring = torch.sqrt(((x - ex) / (ew + 1.6)) ** 2 + ((y - eye_y) / (eh + 1.8)) ** 2)
        _paint(image, glasses * _soft((ring - 1).abs() * (eh + 1.8) - 0.5), frame_colour)
    bridge = _soft(torch.abs(y - eye_y + 0.5) - 0.45) * _soft(torch.abs(x - cx) - (_col(f.eye_dx) - ew - 1.4))
    _paint(image, glasses * bridge, frame_colour)


def generate(n: int, seed: int = 0, **rates) -> tuple[torch.Tensor, FaceAttributes]:
    """Sample and draw ``n`` faces: ``(images (N, 3, 64, 64) in [0, 1], attributes)``."""
    faces = sample_attributes(n, seed, **rates)
    return render(faces), faces
