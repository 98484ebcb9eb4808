"""The lab's table of contents: one entry per demo, in lecture order; the demos' logic lives beside it.

Every demo has one slug, and everything else is found from it by name alone
(``tests/test_architecture.py`` enforces this):

- ``pages/<slug>.py``: the thin Streamlit page;
- ``core/demos/<slug>.py``: its logic, or a package ``core/demos/<slug>/`` when one file would be
  too long to project (its ``__init__`` holds the lesson and says what is where);
- ``tests/test_<slug>.py``: its tests (more may sit beside it as ``tests/test_<slug>_<part>.py``);
- ``tests/test_page_<slug>.py``: the page's AppTest;
- ``bench/bench_<slug>.py``: its benchmark (figures in ``bench/RESULTS.md``).

Building blocks every demo may use (data, models, training, carbon, ledger, explain,
attacks, plots...) are the modules of ``core/`` itself, outside this package.

Adding a demo is one line here (plus the files above). The navigation, the home page
cards and the architecture test all read this list, so a page that is not registered
here cannot silently exist.

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
        slug: URL path, widget-key prefix, and the name of every file of the demo (see above).
        title: shown in the navigation and on the home card.
        icon: an emoji, shown beside the title and as the browser tab's icon. Not a ``:material/...:``
            name: Streamlit turns those into favicons fetched from a font CDN, and the lab makes the
            browser reach no other host (issue #13, defect 6).
        teaser: the lesson line shown while the demo is still coming.
        live: False while the page is a placeholder ("coming" on the home card).
    """

    slug: str
    title: str
    icon: str
    teaser: str = ""
    live: bool = False

    @property
    def page_path(self) -> str:
        """The page file, relative to the repository root."""
        return f"pages/{self.slug}.py"

    @property
    def core_module(self) -> str:
        """The module (or package) holding the demo's logic and its lesson docstring."""
        return f"core.demos.{self.slug}"

    @property
    def core_path(self) -> Path:
        """The file whose docstring holds the lesson: ``core/demos/<slug>.py`` or ``.../<slug>/__init__.py``."""
        module = REPO_ROOT / "core" / "demos" / self.slug
        return module / "__init__.py" if module.is_dir() else module.with_suffix(".py")

    @property
    def test_path(self) -> str:
        """The demo's tests, relative to the repository root."""
        return f"tests/test_{self.slug}.py"

    @property
    def page_test_path(self) -> str:
        """The page's AppTest, relative to the repository root."""
        return f"tests/test_page_{self.slug}.py"

    @property
    def bench_path(self) -> str:
        """The demo's benchmark script, relative to the repository root."""
        return f"bench/bench_{self.slug}.py"

    @property
    def is_live(self) -> bool:
        """True once the demo's page is the real demo, not a placeholder."""
        return self.live

    @property
    def lesson(self) -> str:
        """The first line of the core module's docstring (or the teaser while coming)."""
        if not self.is_live:
            return self.teaser
        path = self.core_path
        # Read the docstring without importing the module: the home page must stay
        # light, and importing a demo module may import torch (~2 s).
        doc = _module_docstring(path, path.stat().st_mtime_ns) or self.teaser
        return doc.strip().splitlines()[0]


HOME = Demo("home", "Home", "🏠", live=True)  # the home page: no logic of its own, no lesson

DEMOS: tuple[Demo, ...] = (
    Demo(
        "word_embeddings",
        "Bias in word embeddings",
        "🔤",
        teaser="Word vectors learned from text absorb society's stereotypes: analogies, a gender "
        "direction and WEAT tests on real GloVe vectors.",
        live=True,
    ),
    Demo(
        "adversarial",
        "Adversarial fooling",
        "🐞",
        teaser="A change too small to see flips a confident prediction: attacks, curves and a noise control.",
        live=True,
    ),
    Demo(
        "clever_hans",
        "Clever Hans: the horse tag",
        "🐴",
        teaser="A classifier can score well by reading a watermark instead of the object; heatmaps expose it.",
        live=True,
    ),
    Demo(
        "mugshots",
        "Smiling mugshots",
        "🙂",
        teaser="'Criminality from faces' reported 89.5 % (Wu & Zhang 2016, published) by learning who "
        "smiles; synthetic faces show how.",
        live=True,
    ),
    Demo("biased_decisions", "Biased data, biased decisions", "⚖️", live=True),
    Demo("overfitting", "Overfitting: fuel at 180 km/h", "📈", teaser="More parameters can predict worse.", live=True),
    Demo(
        "out_of_distribution",
        "Out of distribution",
        "🔄",
        teaser="Confident and wrong outside the training data: turn, shift, shuffle.",
        live=True,
    ),
    Demo(
        "forgetting",
        "Catastrophic forgetting",
        "🧠",
        teaser="Learn task A, then task B, and A is gone; rehearsing a few old examples saves most of it.",
        live=True,
    ),
    Demo(
        "data_hunger",
        "Data hunger",
        "📉",
        teaser="Error falls only as a slow power of the number of labels; pretrained features help most where "
        "labels are few.",
        live=True,
    ),
    Demo("compression", "Smaller and cheaper", "🗜️", live=True),
    Demo(
        "explanations",
        "Can explanations be trusted?",
        "🔍",
        teaser="Seven explanation methods disagree on the same prediction; some change from run to run, some "
        "ignore the model.",
        live=True,
    ),
    Demo(
        "carbon",
        "CO2 of training",
        "🏭",
        teaser="Every training run here is measured with codecarbon and placed beside published giants.",
        live=True,
    ),
)


def all_pages() -> tuple[Demo, ...]:
    """Home first, then the demos: exactly the pages the navigation shows."""
    return (HOME, *DEMOS)
