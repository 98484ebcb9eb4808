"""Where the lab reads shipped assets and writes its own data.

* ``ASSETS``: small files shipped in the repo (read-only, with licences).
* ``data_dir()``: where the lab writes (the carbon ledger, optional downloads).
  Set ``DLLAB_DATA_DIR`` to move it, e.g. to a persistent volume on a hosted
  demo; the default is ``~/.dl-limits-lab``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "assets"
DATA_DIR_ENV = "DLLAB_DATA_DIR"


def data_dir() -> Path:
    """The writable data directory (created on first use)."""
    path = Path(os.environ.get(DATA_DIR_ENV) or Path.home() / ".dl-limits-lab")
    path.mkdir(parents=True, exist_ok=True)
    return path


def datasets_dir() -> Path:
    """Where optional datasets live: ``<data_dir>/datasets`` (``core.fetch`` writes here)."""
    return data_dir() / "datasets"
