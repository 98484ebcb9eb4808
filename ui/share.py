"""A link to this view for the students' phones: the server's address on the room's network, and a QR code.

In a lecture hall the lecturer's browser usually shows ``http://localhost:8501/...``, which means
nothing on a phone. When the server listens on every interface (Streamlit's default), the same
page is reachable at the laptop's address on the local network, e.g. ``http://192.168.1.20:8501``:
that is the link worth putting on a slide, as a QR code large enough to scan from the back row.

Nothing here touches the network: the addresses come from the machine's own interface table
(psutil), and the QR code is drawn locally by segno (a pure-Python encoder).
"""

from __future__ import annotations

import io
import ipaddress
from urllib.parse import urlsplit, urlunsplit

# The private ranges of RFC 1918, what a room's router hands out. Not Python's is_private, which also
# counts documentation and benchmarking ranges (192.0.2.0/24 ...) that no phone can reach.
ROOM_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
QR_SCALE = 10  # pixels per module: a version-5 code (45 modules + border) is ~450 px, scannable from a slide


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that another device on the room's network could reach.

    RFC 1918 ranges only: loopback is useless to a phone, link-local addresses change, and a
    public address is not what a lecture hall's Wi-Fi hands out.
    """
    import psutil  # a codecarbon dependency; imported here so the frame stays light

    found = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family.name != "AF_INET":
                continue
            if any(ipaddress.ip_address(address.address) in net for net in ROOM_NETWORKS):
                found.append(address.address)
    return sorted(set(found))


def on_host(url: str, host: str, port: int | None = None) -> str:
    """``url`` with its host (and port) replaced: the same view, reached at another address."""
    parts = urlsplit(url)
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme or "http", netloc, parts.path, parts.query, parts.fragment))


def qr_png(text: str, scale: int = QR_SCALE) -> bytes | None:
    """``text`` as a QR code, PNG bytes (error correction M: still reads when a projector blurs it).

    None when ``text`` is longer than any QR code holds (about 2,300 characters at level M; a view
    with long typed word lists can get there): the page then says so instead of drawing one.
    """
    import segno
    from segno import DataOverflowError

    buffer = io.BytesIO()
    try:
        segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    except DataOverflowError:
        return None
    return buffer.getvalue()
