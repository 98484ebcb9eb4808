"""Provenance: what a number or a chart is, so nothing is shown without it.

Every figure and table in the lab carries a :class:`Provenance`. It is printed
under each chart, written into the header of every CSV download and into the
file name of every PNG download.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from importlib import metadata


@dataclass(frozen=True)
class Provenance:
    """What a shown number is and where it came from.

    Attributes:
        kind: ``"measured"`` (computed here, now), ``"estimated"`` (a model of a
            quantity, e.g. CPU power from TDP x load) or ``"published"`` (copied
            from a paper, see ``source``).
        model: the model or method that produced it, e.g. ``"SmallCNN(16,32)"``.
        data: the data it was computed on, e.g. ``"Fashion-MNIST test split, 2,000 images"``.
        seed: the random seed, or ``None`` where nothing random happened.
        source: a citation or URL for published numbers and datasets.
    """

    kind: str
    model: str = ""
    data: str = ""
    seed: int | None = None
    source: str = ""

    KINDS = ("measured", "estimated", "published")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"Provenance kind must be one of {self.KINDS}, got {self.kind!r}")

    def items(self) -> list[tuple[str, str]]:
        """The non-empty fields as (label, value) pairs, in reading order."""
        pairs = [
            ("what", self.kind),
            ("model", self.model),
            ("data", self.data),
            ("seed", "" if self.seed is None else str(self.seed)),
            ("source", self.source),
        ]
        return [(k, v) for k, v in pairs if v]

    def caption(self) -> str:
        """One line for under a chart: ``measured · model: … · data: … · seed: 0``."""
        return " · ".join(v if k == "what" else f"{k}: {v}" for k, v in self.items())

    def csv_header(self) -> str:
        """Comment lines (``# key: value``) to put above a CSV's data."""
        return "".join(f"# {k}: {v}\n" for k, v in self.items())

    def slug(self) -> str:
        """A file-name-safe summary, e.g. ``measured_SmallCNN_seed0``."""
        parts = [self.kind, self.model, "" if self.seed is None else f"seed{self.seed}"]
        text = "_".join(p for p in parts if p)
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)[:80]

    def but(self, **changes) -> Provenance:
        """A copy with some fields changed (e.g. another seed)."""
        return replace(self, **changes)


@functools.cache
def library_version(distribution: str) -> str:
    """The installed version of a package, read at run time (never typed into a caption): ``"3.3.2"``.

    Returns ``"not installed"`` when the distribution is missing, so a caption still renders.
    """
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"
