"""The lab's table of contents: one entry per demo, in lecture order.

Adding a demo is one line here (plus its core module, its page and its tests).
The navigation, the home page cards and the architecture test all read this list,
so a page that is not registered here cannot silently exist.

A demo's one-sentence lesson is the first line of its core module's docstring,
so the explanation on the home card is written once, next to the code it describes.
Demos still being built carry a ``teaser`` instead and show as "coming".
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

from core.paths import REPO_ROOT

# ``ast.parse`` is not thread-safe on CPython 3.11: its AST constructor keeps a recursion counter in
# interpreter-wide state, and when the collector runs a finalizer mid-construction another thread's
# parse can move it, raising "SystemError: AST constructor recursion depth mismatch" (python/cpython
# gh-106905). Every page header reads a lesson, so 20 sessions opening pages at once hit it (found by
# bench/bench_load.py; reproduced in tests/test_load.py). One parse at a time, and once per file version.
_PARSE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=64)
def _module_docstring(path: Path, mtime_ns: int) -> str | None:
    """The docstring of the module at ``path`` (``mtime_ns`` keys the cache: an edited file is read again)."""
    import ast  # lazily: the home page must stay light

    source = path.read_text(encoding="utf-8")
    with _PARSE_LOCK:
        return ast.get_docstring(ast.parse(source))


@dataclass(frozen=True)
class Demo:
    """One demo of the lab.

    Attributes:
        slug: URL path and page file name (``pages/<slug>.py``).
        title: shown in the navigation and on the home card.
        icon: an emoji, shown beside the title and as the browser tab's icon. Not a ``:material/...:``
            name: Streamlit turns those into favicons fetched from a font CDN, and the lab makes the
            browser reach no other host (issue #13, defect 6).
        core_module: the module holding the demo's logic and its lesson docstring.
        teaser: the lesson line shown while the demo is still coming.
        live: False while the page is a placeholder ("coming" on the home card).
    """

    slug: str
    title: str
    icon: str
    core_module: str
    teaser: str = ""
    live: bool = False

    @property
    def page_path(self) -> str:
        """The page file, relative to the repository root."""
        return f"pages/{self.slug}.py"

    @property
    def is_live(self) -> bool:
        """True once the demo's page is the real demo, not a placeholder."""
        return self.live

    @property
    def lesson(self) -> str:
        """The first line of the core module's docstring (or the teaser while coming)."""
        if not self.is_live:
            return self.teaser
        path = REPO_ROOT / (self.core_module.replace(".", "/") + ".py")
        # Read the docstring without importing the module: the home page must stay
        # light, and importing a demo module may import torch (~2 s).
        doc = _module_docstring(path, path.stat().st_mtime_ns) or self.teaser
        return doc.strip().splitlines()[0]


HOME = Demo("home", "Home", "🏠", "core.demos", live=True)

DEMOS: tuple[Demo, ...] = (
    Demo(
        "word_embeddings",
        "Bias in word embeddings",
        "🔤",
        "core.embeddings_bias",
        teaser="Word vectors learned from text absorb society's stereotypes: analogies, a gender "
        "direction and WEAT tests on real GloVe vectors.",
        live=True,
    ),
    Demo(
        "adversarial",
        "Adversarial fooling",
        "🐞",
        "core.attacks",
        teaser="A change too small to see flips a confident prediction: attacks, curves and a noise control.",
        live=True,
    ),
    Demo(
        "clever_hans",
        "Clever Hans: the horse tag",
        "🐴",
        "core.clever_hans",
        teaser="A classifier can score well by reading a watermark instead of the object; heatmaps expose it.",
        live=True,
    ),
    Demo(
        "mugshots",
        "Smiling mugshots",
        "🙂",
        "core.mugshots",
        teaser="'Criminality from faces' reported 89.5 % (Wu & Zhang 2016, published) by learning who "
        "smiles; synthetic faces show how.",
        live=True,
    ),
    Demo(
        "carbon",
        "CO2 of training",
        "🏭",
        "core.footprint",
        teaser="Every training run here is measured with codecarbon and placed beside published giants.",
        live=True,
    ),
)


def all_pages() -> tuple[Demo, ...]:
    """Home first, then the demos: exactly the pages the navigation shows."""
    return (HOME, *DEMOS)
