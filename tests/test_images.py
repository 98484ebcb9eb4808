"""Safe image input: every bad upload gets a clear message, every odd format a correct conversion."""

import io
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from core import images
from core.images import ImageError, load_image


def encode(image: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims ``width x height`` (a decompression bomb's header, tiny file)."""
    data = bytearray(encode(Image.new("L", (1, 1))))
    ihdr = 8  # after the signature: length (4), 'IHDR' (4), then width, height
    data[ihdr + 8 : ihdr + 16] = struct.pack(">II", width, height)
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", zlib.crc32(bytes(data[ihdr + 4 : ihdr + 21])))
    return bytes(data)


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "empty"),
        (b"this is a text file, renamed to photo.png\n" * 10, "not an image"),
        (encode(Image.new("RGB", (64, 64), "red"))[:60], "damaged"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50, "damaged"),  # a PNG signature, then junk
        (png_claiming(50_000, 50_000), "too many pixels"),  # beyond Pillow's own bomb limit
        (png_claiming(9_000, 9_000), "megapixels"),
        (b"x" * (images.MAX_BYTES + 1), "limit"),
    ],
)
def test_bad_input_gets_a_clear_message(data, expected):
    with pytest.raises(ImageError) as err:
        load_image(data, "photo.png")
    assert expected in str(err.value).lower()


def test_the_bomb_is_refused_before_decoding(monkeypatch):
    bomb = png_claiming(9_000, 9_000)  # 81 MP: under Pillow's own limit, so our header check must catch it

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decoding)
    with pytest.raises(ImageError, match="megapixels"):
        load_image(bomb)


def test_rgb_png_round_trips_exactly():
    array = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    loaded = load_image(encode(Image.fromarray(array)))
    assert loaded.pixels.shape == (3, 20, 30) and loaded.pixels.dtype == torch.float32
    assert torch.equal(loaded.pixels, torch.from_numpy(array).permute(2, 0, 1).float() / 255)
    assert loaded.notices == ()


def test_rgba_is_composited_on_white():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))  # fully transparent black -> white
    loaded = load_image(encode(image))
    assert loaded.pixels[:, 0, 0].tolist() == [1, 1, 1] and loaded.pixels[:, 1, 1].tolist() == [1, 0, 0]
    assert any("white" in n for n in loaded.notices)


def test_cmyk_jpeg_becomes_rgb():
    loaded = load_image(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95))
    red, green, blue = loaded.pixels.mean(dim=(1, 2)).tolist()
    assert red > 0.8 and green < 0.2 and blue < 0.2
    assert any("CMYK" in n for n in loaded.notices)


def test_16_bit_greyscale_is_scaled_not_clipped():
    array = np.array([[0, 32768, 65535]], dtype=np.uint16)
    loaded = load_image(encode(Image.fromarray(array)))
    assert loaded.pixels.shape == (3, 1, 3)
    assert loaded.pixels[0, 0].tolist() == pytest.approx([0, 32768 / 65535, 1], abs=1e-6)
    assert any("16-bit" in n for n in loaded.notices)


def test_greyscale_and_palette_become_rgb():
    grey = load_image(encode(Image.new("L", (5, 5), 128)))
    assert torch.allclose(grey.pixels, torch.full((3, 5, 5), 128 / 255))
    palette = Image.new("P", (5, 5), 1)
    palette.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    loaded = load_image(encode(palette))
    assert loaded.pixels[:, 2, 2].tolist() == [0, 0, 1]


def test_animated_gif_uses_the_first_frame_and_says_so():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue", "green")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    loaded = load_image(data, "anim.gif")
    assert loaded.pixels[0].mean() > 0.9 and loaded.pixels[2].mean() < 0.1  # red, the first frame
    assert any("3 frames" in n for n in loaded.notices)


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    loaded = load_image(encode(image, "JPEG", exif=exif.tobytes()))
    assert loaded.pixels.shape == (3, 40, 20)
    assert any("EXIF" in n for n in loaded.notices)


def test_big_photos_are_shrunk():
    loaded = load_image(encode(Image.new("RGB", (3000, 1500), "white"), "JPEG"), max_side=600)
    assert max(loaded.pixels.shape[1:]) == 600 and any("Shrunk" in n for n in loaded.notices)


def test_float_images_and_other_formats_are_refused():
    with pytest.raises(ImageError, match="Floating-point"):
        load_image(encode(Image.new("F", (4, 4), 3.5), "TIFF"))
    with pytest.raises(ImageError, match="not an image"):
        load_image(encode(Image.new("RGB", (4, 4)), "ICO"))  # a real image, but not an allowed decoder


def test_bundled_photos_load_without_network():
    cat = images.bundled_photo("chelsea")
    assert cat.pixels.shape == (3, 300, 451) and 0 <= float(cat.pixels.min()) and float(cat.pixels.max()) <= 1
    with pytest.raises(ImageError):
        images.bundled_photo("nope")


def test_the_uploaders_file_name_is_shown_without_markup():
    """The name reaches captions (markdown), chart provenance (plotly's HTML subset) and CSV headers."""
    crafted = "![x](https://tracker.invalid/p.png) <a href='https://x.invalid'>:red[hi]</a>\n# row.png"
    loaded = load_image(encode(Image.new("RGB", (4, 4))), crafted)
    shown = loaded.source.rsplit(" (PNG", 1)[0]  # the source is "<name> (PNG, 4x4)"
    assert shown == images.display_name(crafted) and not set(shown) & set("[]()<>:'\n#!")
    assert "tracker.invalid" in shown  # still recognisable
    with pytest.raises(ImageError) as err:
        load_image(b"", crafted)
    assert "](" not in str(err.value) and "<a" not in str(err.value)
    assert len(images.display_name("a" * 10_000)) == 80 and images.display_name("фото 1.png") == "фото 1.png"
