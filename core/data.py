"""Image datasets, offline first, behind one small interface.

Every source returns an :class:`ImageDataset`: images handed out as float in ``[0, 1]``
of shape ``(N, C, H, W)`` (8-bit sources stored as uint8, a quarter of the memory), integer labels ``(N,)``, class names, and a :class:`SourceInfo`
(what it is, its licence, how we obtained it) so every chart can say what it was
trained on.

Sources, in the order the lab prefers them:

* ``fashion_mnist_10k`` — shipped in the repo (``core/assets/fashion_mnist``): the
  official 10,000-image *test* split of Fashion-MNIST (Xiao et al. 2017, MIT),
  copied from Debian's ``dataset-fashion-mnist``. Always available. Demos split it
  into their own train/test parts with :func:`train_test_split`.
* ``digits`` — scikit-learn's bundled 8x8 handwritten digits (UCI, 1,797 images).
* ``fashion_mnist_full`` — the 60k/10k splits, *optional*: found on disk if
  ``python -m core.fetch fashion-mnist`` was run, or Debian's package is installed.
* ``cifar10`` — *optional*: found on disk after ``python -m core.fetch cifar10``.

Nothing here downloads. A missing optional dataset raises
:class:`DatasetUnavailable` with the command that would fetch it.
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import Unavailable
from core.paths import ASSETS, datasets_dir

if TYPE_CHECKING:
    import torch
# torch is imported inside the functions that need it: the home page lists the
# sources without paying torch's ~2 s import.

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


class DatasetUnavailable(Unavailable):
    """An optional dataset is not on disk (the message says how to fetch it)."""


@dataclass(frozen=True)
class SourceInfo:
    """What a dataset is and where it came from (shown beside every result)."""

    key: str
    name: str
    description: str
    licence: str
    origin: str
    citation: str


@dataclass(frozen=True)
class ImageDataset:
    """Images ``(N, C, H, W)``, handed out as float32 in ``[0, 1]``; labels ``(N,)`` int64.

    ``pixels`` holds the images as stored: uint8 ``0..255`` for sources that are 8-bit files
    (Fashion-MNIST, CIFAR-10: a quarter of float32's memory: 8 MB instead of 31 MB for the
    shipped 10k), or float32 in ``[0, 1]``. ``images`` always hands out float32 in ``[0, 1]``
    (a uint8 store is converted on each access, as ``x / 255``: the same floats as converting once
    on load); a training loop takes :meth:`batch` to convert only the rows of one batch.
    """

    pixels: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    info: SourceInfo

    def __post_init__(self) -> None:
        import torch  # already loaded: the caller holds tensors

        if self.pixels.ndim != 4 or len(self.pixels) != len(self.labels):
            raise ValueError(
                f"images must be (N,C,H,W) matching labels; got {tuple(self.pixels.shape)} "
                f"and {tuple(self.labels.shape)}"
            )
        if not (self.pixels.is_floating_point() or self.pixels.dtype == torch.uint8):
            raise ValueError(f"images must be float in [0, 1] or uint8 0..255, got {self.pixels.dtype}")

    @property
    def images(self) -> torch.Tensor:
        """All images, float32 in ``[0, 1]`` (a fresh tensor when stored as uint8: do not write into it)."""
        return _as_float(self.pixels)

    def batch(self, index: torch.Tensor | np.ndarray | slice) -> tuple[torch.Tensor, torch.Tensor]:
        """``(images, labels)`` at ``index``, images float32 in ``[0, 1]``: only these rows are converted."""
        return _as_float(self.pixels[index]), self.labels[index]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        return tuple(self.pixels.shape[1:])

    def subset(self, index: torch.Tensor | np.ndarray | slice) -> ImageDataset:
        """The images at ``index`` (same classes, source and storage)."""
        return ImageDataset(self.pixels[index], self.labels[index], self.classes, self.info)

    def describe(self) -> str:
        """e.g. ``Fashion-MNIST 10k (shipped), 8,000 images``."""
        return f"{self.info.name}, {len(self):,} images"


def train_test_split(
    data: ImageDataset, test_fraction: float = 0.2, seed: int = 0
) -> tuple[ImageDataset, ImageDataset]:
    """Split once, reproducibly: the same seed always gives the same two parts."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    import torch

    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    n_test = int(round(len(data) * test_fraction))
    return data.subset(order[n_test:]), data.subset(order[:n_test])


# ----------------------------------------------------------------------------- IDX files


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the MNIST format; ``.gz`` or raw) into a numpy array.

    Format: 2 zero bytes, a type byte (0x08 = uint8), a byte with the number of
    dimensions, then each dimension as a big-endian uint32, then the data.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path.name} is not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(bytearray(raw), dtype=np.uint8, offset=4 + 4 * ndim)  # bytearray: writable
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path.name}: header says {dims}, found {data.size} values")
    return data.reshape(dims)


def _as_float(pixels: torch.Tensor) -> torch.Tensor:
    """Stored pixels as float32 in ``[0, 1]``: uint8 divided by 255, float returned as it is."""
    return pixels if pixels.is_floating_point() else pixels.float().div_(255.0)


def _from_uint8(images: np.ndarray, labels: np.ndarray, classes, info) -> ImageDataset:
    """uint8 (N,H,W) or (N,H,W,C) -> a dataset storing uint8 (N,C,H,W) (handed out as float in [0,1])."""
    import torch

    x = torch.from_numpy(np.ascontiguousarray(images))
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()
    return ImageDataset(x, torch.from_numpy(np.asarray(labels, dtype=np.int64)), tuple(classes), info)


# ----------------------------------------------------------------------------- sources

FASHION_10K_INFO = SourceInfo(
    key="fashion_mnist_10k",
    name="Fashion-MNIST 10k (shipped)",
    description="The official 10,000-image test split of Fashion-MNIST: 28x28 greyscale clothing, 10 classes.",
    licence="MIT (Zalando SE)",
    origin="shipped in the repo, copied from Debian's dataset-fashion-mnist",
    citation="Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747",
)
DIGITS_INFO = SourceInfo(
    key="digits",
    name="scikit-learn digits",
    description="1,797 8x8 greyscale handwritten digits (UCI Optical Recognition of Handwritten Digits).",
    licence="CC BY 4.0 (UCI); bundled with scikit-learn (BSD-3)",
    origin="installed with scikit-learn",
    citation="Alpaydin & Kaynak 1998, UCI ML Repository",
)
FASHION_FULL_INFO = SourceInfo(
    key="fashion_mnist_full",
    name="Fashion-MNIST (full)",
    description="60,000 training + 10,000 test images, 28x28 greyscale clothing, 10 classes.",
    licence="MIT (Zalando SE)",
    origin="on disk: `python -m core.fetch fashion-mnist` or Debian's dataset-fashion-mnist",
    citation="Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747",
)
CIFAR10_INFO = SourceInfo(
    key="cifar10",
    name="CIFAR-10",
    description="60,000 32x32 colour photos in 10 classes (one is 'horse').",
    licence="no explicit licence; distributed for research by the authors",
    origin="on disk: `python -m core.fetch cifar10` (read with torchvision, download=False)",
    citation="Krizhevsky 2009, Learning Multiple Layers of Features from Tiny Images",
)


def fashion_mnist_10k() -> ImageDataset:
    """The shipped Fashion-MNIST 10k split (always available)."""
    folder = ASSETS / "fashion_mnist"
    images = read_idx(folder / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    return _from_uint8(images, labels, FASHION_CLASSES, FASHION_10K_INFO)


@functools.lru_cache(maxsize=4)
def fashion_mnist_split(seed: int) -> tuple[ImageDataset, ImageDataset]:
    """The lab's split of the shipped Fashion-MNIST 10k: 8,000 training and 2,000 test images, shuffled by ``seed``.

    Every demo that trains on it asks here, so the split is made once per seed and the same objects are shared
    (read-only: nothing may write into them).
    """
    return train_test_split(fashion_mnist_10k(), 0.2, seed)


def digits() -> ImageDataset:
    """scikit-learn's bundled 8x8 digits, scaled from 0..16 to [0, 1]."""
    import torch
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    y = torch.from_numpy(bunch.target.astype(np.int64))
    return ImageDataset(x, y, tuple(str(c) for c in bunch.target_names), DIGITS_INFO)


def fashion_mnist_full(train: bool = True, root: Path | None = None) -> ImageDataset:
    """Full Fashion-MNIST from disk: torchvision's layout under ``root``, else Debian's files."""
    root = Path(root) if root is not None else datasets_dir()
    if _torchvision_fashion_present(root):
        from core.torchvision_compat import torchvision

        ds = torchvision.datasets.FashionMNIST(str(root), train=train, download=False)
        return _from_uint8(ds.data.numpy(), ds.targets.numpy(), FASHION_CLASSES, FASHION_FULL_INFO)
    prefix = "train" if train else "t10k"
    images, labels = (DEBIAN_FASHION_DIR / f"{prefix}-{kind}-ubyte.gz" for kind in ("images-idx3", "labels-idx1"))
    if images.exists() and labels.exists():
        return _from_uint8(read_idx(images), read_idx(labels), FASHION_CLASSES, FASHION_FULL_INFO)
    raise DatasetUnavailable(
        "Full Fashion-MNIST is not on disk. Run `python -m core.fetch fashion-mnist` "
        "(needs a network) or `apt-get install dataset-fashion-mnist`."
    )


def cifar10(train: bool = True, root: Path | None = None) -> ImageDataset:
    """CIFAR-10 from disk, read by torchvision with ``download=False``."""
    root = Path(root) if root is not None else datasets_dir()
    if not (root / "cifar-10-batches-py").is_dir():
        raise DatasetUnavailable("CIFAR-10 is not on disk. Run `python -m core.fetch cifar10` (needs a network).")
    from core.torchvision_compat import torchvision

    try:
        ds = torchvision.datasets.CIFAR10(str(root), train=train, download=False)
    except RuntimeError as err:  # torchvision: "Dataset not found or corrupted"
        raise DatasetUnavailable(
            f"CIFAR-10 under {root} is incomplete or corrupted ({err}). "
            "Delete it and run `python -m core.fetch cifar10` again."
        ) from err
    return _from_uint8(ds.data, ds.targets, CIFAR10_CLASSES, CIFAR10_INFO)


def _torchvision_fashion_present(root: Path) -> bool:
    raw = root / "FashionMNIST" / "raw"
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    return all((raw / n).exists() for n in names)


@dataclass(frozen=True)
class SourceStatus:
    """Whether a source can be loaded now, checked cheaply (file existence only)."""

    info: SourceInfo
    available: bool
    detail: str


def source_status(root: Path | None = None) -> list[SourceStatus]:
    """All sources with their availability, for the home page's status panel."""
    root = Path(root) if root is not None else datasets_dir()
    shipped = all(
        (ASSETS / "fashion_mnist" / n).exists() for n in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    )
    full_tv, full_deb = _torchvision_fashion_present(root), (DEBIAN_FASHION_DIR / "train-images-idx3-ubyte.gz").exists()
    cifar = (root / "cifar-10-batches-py").is_dir()
    return [
        SourceStatus(FASHION_10K_INFO, shipped, "shipped in core/assets" if shipped else "asset files missing!"),
        SourceStatus(DIGITS_INFO, True, "bundled with scikit-learn"),
        SourceStatus(
            FASHION_FULL_INFO,
            full_tv or full_deb,
            f"found in {root}"
            if full_tv
            else f"found in {DEBIAN_FASHION_DIR}"
            if full_deb
            else "not on disk (optional: python -m core.fetch fashion-mnist)",
        ),
        SourceStatus(
            CIFAR10_INFO, cifar, f"found in {root}" if cifar else "not on disk (optional: python -m core.fetch cifar10)"
        ),
    ]
