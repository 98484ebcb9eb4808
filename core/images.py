"""Safe image input: bytes in, an RGB float tensor ``(3, H, W)`` in [0, 1] out, or a clear message.

Uploads and webcam snapshots arrive as bytes and stay in memory: nothing is written to
disk, nothing is unpickled, and only Pillow's decoders for common photo formats are
allowed. The size is checked from the header *before* any pixel is decoded, so a
"decompression bomb" (a small file that claims 50,000 x 50,000 pixels) is refused for the
price of reading its header.

Conversions, each said in a notice: EXIF orientation applied (phone photos), CMYK and
palette to RGB, transparency composited on white, 16-bit scaled to [0, 1], greyscale
repeated to three channels, the first frame of an animation, downscaling of big photos.
Every refusal is an :class:`ImageError` whose message is written for the user.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import BadInput

MAX_BYTES = 10 * 1024 * 1024  # as the server's upload cap (.streamlit/config.toml): 10 MB
MAX_PIXELS = 40_000_000  # 40 megapixels: any phone photo, far below what would exhaust memory
MAX_SIDE = 1024  # larger photos are shrunk before becoming float tensors (ImageNet models see 224 px)
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")  # Pillow decoders allowed (no EPS: it runs Ghostscript)
BUNDLED = {
    "chelsea": "Chelsea the cat",
    "coffee": "a cup of coffee",
    "astronaut": "astronaut Eileen Collins",
    "rocket": "a rocket on the launch pad",
}  # photos shipped inside scikit-image (public domain / CC0)


class ImageError(BadInput):
    """An image that cannot be used; ``str(err)`` is the message to show the user."""


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image.

    Attributes:
        pixels: ``(3, H, W)`` float32 in [0, 1].
        notices: what was converted on the way, one sentence each (show them).
        source: e.g. ``"upload: cat.png (PNG, 640x480)"``.
    """

    pixels: torch.Tensor
    notices: tuple[str, ...]
    source: str


def load_image(
    data: bytes, name: str = "image", max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE
) -> LoadedImage:
    """Decode ``data`` safely into RGB ``(3, H, W)`` in [0, 1]; raise :class:`ImageError` with a clear message."""
    name = display_name(name)
    if not data:
        raise ImageError(f"'{name}' is empty (0 bytes). Choose a photo file (PNG, JPEG, GIF, WebP, BMP or TIFF).")
    if len(data) > max_bytes:
        raise ImageError(f"'{name}' is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    image = _open(data, name)
    width, height = image.size  # from the header: no pixel decoded yet
    if width * height > max_pixels:
        raise ImageError(
            f"'{name}' claims {width:,} x {height:,} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {max_pixels / 1e6:.0f}. Refused without decoding (a possible "
            "'decompression bomb')."
        )
    notices = []
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
        notices.append(f"Animated image with {image.n_frames} frames: the first frame is used.")
    try:
        if max(image.size) > max_side:  # JPEG can decode at 1/2, 1/4, 1/8 size directly: saves memory
            image.draft("RGB", (max_side, max_side))
        image.load()
        image = _upright(image, notices)
        pixels = _to_rgb_array(image, notices)
    except (OSError, ValueError, SyntaxError) as err:  # truncated or corrupt data inside a valid header
        raise ImageError(f"'{name}' is damaged and could not be decoded ({type(err).__name__}: {err}).") from err
    tensor = torch.from_numpy(pixels).permute(2, 0, 1).contiguous()
    if max(tensor.shape[1:]) > max_side:
        scale = max_side / max(tensor.shape[1:])
        size = [max(1, round(s * scale)) for s in tensor.shape[1:]]
        tensor = torch.nn.functional.interpolate(
            tensor[None], size=size, mode="bilinear", antialias=True, align_corners=False
        )[0].clamp(0, 1)
        notices.append(f"Shrunk from {width}x{height} to {size[1]}x{size[0]} pixels.")
    return LoadedImage(tensor, tuple(notices), f"{name} ({image.format or 'image'}, {width}x{height})")


def display_name(name: str, limit: int = 80) -> str:
    """A file name as messages and provenance show it: letters, digits, spaces, ``.`` and ``-`` only, cut short.

    The name is the uploader's own text. Shown as is, ``![x](https://...).png`` would be a markdown
    image in a caption, ``<a href=...>`` a live link in a chart's provenance (plotly renders a subset of
    HTML), a new line an extra row in a CSV header; a 10 kB name would fill the page.
    """
    safe = re.sub(r"[^\w .-]", "_", str(name)).strip() or "image"
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _open(data: bytes, name: str) -> Image.Image:
    """Read the header only; refuse non-images and formats outside :data:`FORMATS`."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # a warning is not enough here
        try:
            return Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            raise ImageError(f"'{name}' claims too many pixels; refused without decoding ({err}).") from err
        except UnidentifiedImageError as err:
            raise ImageError(
                f"'{name}' is not an image this lab can read (PNG, JPEG, GIF, WebP, BMP, TIFF), "
                "whatever its file name says."
            ) from err
        except (OSError, ValueError, SyntaxError) as err:
            raise ImageError(f"'{name}' is damaged: its header could not be read ({err}).") from err


def _upright(image: Image.Image, notices: list[str]) -> Image.Image:
    """Apply the EXIF orientation tag (phones store photos sideways and set the tag)."""
    orientation = image.getexif().get(0x0112, 1)  # 0x0112 = Orientation
    if orientation in (1, None):
        return image
    notices.append(f"Rotated upright according to the photo's EXIF orientation tag ({orientation}).")
    return ImageOps.exif_transpose(image)


def _to_rgb_array(image: Image.Image, notices: list[str]) -> np.ndarray:
    """Any Pillow mode -> ``(H, W, 3)`` float32 in [0, 1]."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit greyscale (PNG/TIFF); "I" is how Pillow opens 16-bit PNG
        grey = np.asarray(image, dtype=np.float32) / 65535.0
        notices.append("16-bit greyscale: scaled from 0-65535 to [0, 1] and repeated to RGB.")
        return np.repeat(np.clip(grey, 0, 1)[..., None], 3, axis=2)
    if mode == "F":
        raise ImageError(
            "Floating-point images (mode F, e.g. scientific TIFF) have no defined brightness scale; "
            "export the picture as an ordinary 8-bit photo."
        )
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        notices.append("Palette image converted to RGB.")
    elif mode == "CMYK":
        image = image.convert("RGB")
        notices.append("CMYK (print colours) converted to RGB.")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "RGB" and "transparency" in image.info):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
        notices.append("Transparent areas composited on white.")
    elif image.mode in ("L", "1"):
        notices.append("Greyscale image repeated to three channels.")
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def bundled_photo(name: str) -> LoadedImage:
    """One of the photos that ship inside scikit-image (:data:`BUNDLED`), as RGB ``(3, H, W)`` in [0, 1]."""
    if name not in BUNDLED:
        raise ImageError(f"No bundled photo {name!r}; choose one of {', '.join(BUNDLED)}.")
    from skimage import data as skimage_data

    array = getattr(skimage_data, name)()
    tensor = torch.from_numpy(array[..., :3].astype(np.float32) / 255.0).permute(2, 0, 1).contiguous()
    return LoadedImage(tensor, (), f"scikit-image's bundled photo '{name}' ({BUNDLED[name]})")
