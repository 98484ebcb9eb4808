"""The view link for phones: room-network addresses, the same view on another host, a QR code that decodes."""

import io
from types import SimpleNamespace

import pytest
from PIL import Image

from ui import share


def interfaces(*ips):
    family = SimpleNamespace(name="AF_INET")
    return {f"if{i}": [SimpleNamespace(family=family, address=ip)] for i, ip in enumerate(ips)}


def test_only_addresses_a_phone_in_the_room_can_reach(monkeypatch):
    psutil = pytest.importorskip("psutil")
    monkeypatch.setattr(
        psutil,
        "net_if_addrs",
        lambda: interfaces(
            "127.0.0.1", "192.168.1.20", "10.4.0.7", "172.20.1.1", "169.254.3.3", "192.0.2.2", "8.8.8.8", "172.32.0.1"
        ),
    )
    assert share.lan_addresses() == ["10.4.0.7", "172.20.1.1", "192.168.1.20"]


def test_the_same_view_on_another_host_keeps_path_and_settings():
    url = "http://localhost:8501/adversarial?seed=3&adversarial.tab=Patch"
    assert (
        share.on_host(url, "192.168.1.20", 8501) == "http://192.168.1.20:8501/adversarial?seed=3&adversarial.tab=Patch"
    )


def test_qr_code_is_large_enough_for_a_slide_and_draws_the_links_modules():
    """Every module of the link's QR matrix (segno's encoder) is drawn as a dark or light square of QR_SCALE px."""
    segno = pytest.importorskip("segno")
    link = "http://192.168.1.20:8501/adversarial?seed=3&adversarial.tab=Patch"
    image = Image.open(io.BytesIO(share.qr_png(link))).convert("L")
    matrix = segno.make(link, error="m").matrix
    assert image.width >= 300 and image.size == ((len(matrix) + 8) * share.QR_SCALE,) * 2  # 4-module quiet zone
    centre = share.QR_SCALE // 2
    drawn = [
        [
            image.getpixel(((4 + c) * share.QR_SCALE + centre, (4 + r) * share.QR_SCALE + centre)) < 128
            for c in range(len(matrix))
        ]
        for r in range(len(matrix))
    ]
    assert drawn == [[bool(m) for m in row] for row in matrix]
    other = Image.open(io.BytesIO(share.qr_png(link.replace("Patch", "Universal")))).convert("L")
    assert list(other.getdata()) != list(image.getdata())


def test_a_link_too_long_for_any_qr_code_gets_none_not_an_error():
    assert share.qr_png("http://127.0.0.1:8501/word_embeddings?x=" + "a" * 10_000) is None
