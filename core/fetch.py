"""Download optional datasets and weights — the only code in the lab that uses the network.

    python -m core.fetch cifar10         # CIFAR-10 (~170 MB) into the lab's data dir
    python -m core.fetch fashion-mnist   # full Fashion-MNIST (~30 MB)
    python -m core.fetch resnet18        # ImageNet ResNet-18 weights into torch's cache

The app itself never downloads. Offline, this command fails within a few seconds
with a clear message: before downloading it checks that the host answers at all,
with a short timeout, instead of letting a download hang.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from core.paths import datasets_dir

CONNECT_TIMEOUT_S = 3.0

RESNET18_FILE = "resnet18-f37072fd.pth"  # the file name torchvision's IMAGENET1K_V1 weights are cached under

TARGETS = {
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz",
    "resnet18": f"https://download.pytorch.org/models/{RESNET18_FILE}",
}


def torch_checkpoint_dir() -> Path:
    """Where torch caches downloaded weights (``$TORCH_HOME/hub/checkpoints``), found without importing torch."""
    torch_home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "torch"
    )
    return Path(torch_home) / "hub" / "checkpoints"


def resnet18_weights_status() -> tuple[bool, str]:
    """Are the optional ImageNet ResNet-18 weights on disk? (cheap: a file check)"""
    path = torch_checkpoint_dir() / RESNET18_FILE
    return (
        (True, f"found in {path.parent}")
        if path.exists()
        else (False, "not on disk (optional: python -m core.fetch resnet18)")
    )


class FetchError(RuntimeError):
    """A download could not be done; the message says why and what to do."""


def check_reachable(url: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise :class:`FetchError` quickly if ``url``'s host cannot be reached."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            pass
    except OSError as err:  # DNS failure, refused, unreachable, timeout
        raise FetchError(
            f"Cannot reach {parsed.hostname} ({type(err).__name__}: {err}). "
            "This machine looks offline; the lab works without this download."
        ) from err


def fetch(target: str) -> str:
    """Download ``target`` (one of ``TARGETS``); returns where it went."""
    if target not in TARGETS:
        raise FetchError(f"Unknown target {target!r}; choose one of: {', '.join(TARGETS)}")
    check_reachable(TARGETS[target])
    socket.setdefaulttimeout(30)  # a stalled transfer fails instead of hanging forever
    from core.torchvision_compat import torchvision

    root = datasets_dir()
    root.mkdir(parents=True, exist_ok=True)
    try:
        if target == "cifar10":
            torchvision.datasets.CIFAR10(str(root), train=True, download=True)
            torchvision.datasets.CIFAR10(str(root), train=False, download=True)
        elif target == "fashion-mnist":
            torchvision.datasets.FashionMNIST(str(root), train=True, download=True)
            torchvision.datasets.FashionMNIST(str(root), train=False, download=True)
        else:
            torchvision.models.resnet18(weights=torchvision.models.ResNet18_Weights.IMAGENET1K_V1)
            return str(torch_checkpoint_dir())
    except OSError as err:  # urllib.error.URLError is an OSError
        raise FetchError(f"Download of {target} failed: {err}") from err
    return str(root)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(
            __doc__.strip().splitlines()[0] + "\n\nusage: python -m core.fetch {" + "|".join(TARGETS) + "}",
            file=sys.stderr,
        )
        return 2
    t0 = time.perf_counter()
    try:
        where = fetch(args[0])
    except FetchError as err:
        print(f"core.fetch: {err} (after {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
        return 1
    print(f"core.fetch: {args[0]} is in {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
