"""The bad-input sweep (issue #7): every page fed what a careless or hostile visitor could give it.

One table, :data:`CASES`: each row is one distinct bad input — a word list, a number at or past its
limit, a crafted link (unknown tab, out-of-range or mistyped value, repeated or unknown parameter,
10 kB or unicode value), an uploaded file — with the page it goes to, how it is fed, and what the
visitor must see: a specific message (a substring of a warning, error, info, caption or success) or
a clean fallback to a valid value (what the widget then holds, and the bad value gone from the
address). Every row also asserts ``assert_clean``: no exception, nothing caught by the shell's error
boundary. Markup typed or linked in (``![x](...)``, ``:red[...]``, ``<script>``) must be shown escaped.

How things are fed:

* links: ``at.query_params`` before the first run, exactly as a crafted URL arrives;
* widgets: ``set_value`` on the widget after the first run, then a rerun;
* uploads: Streamlit 1.67's AppTest *can* drive ``st.file_uploader`` and ``st.camera_input``, so files
  go through the adversarial page's ImageNet tab as a visitor's would (a tiny stand-in classifier
  replaces ResNet-18, whose weights are not on this machine). The same refusals are tested at the
  core level in tests/test_images.py; here it is what the page shows.

Nothing trains: the tabs that need a trained model get a small run (a few hundred images, under
a second each) trained directly in core before the sweep and handed to the page as if a visitor had
pressed "Train" (``SharedRuns.peek``). Its seed (:data:`S`) is one no other test uses.

Inputs already covered by the page tests are listed in :data:`COVERED_ELSEWHERE` (not counted).
``python -m tests.test_bad_inputs`` prints the markdown table with the count per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import streamlit as st
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.data import source_status
from core.demos import adversarial, all_pages
from tests.test_images import encode, png_claiming
from tests.test_pages import APP, assert_clean

S = 4242  # the seed of the small pre-trained runs (no other test trains with it)
WE, ADV, CH, MG, CO2 = "word_embeddings.", "adversarial.", "clever_hans.", "mugshots.", "carbon."
OF = "overfitting."
CMP = "compression."
OOD = "out_of_distribution."
CALC = "Calculator & grids"  # the CO2 page's tab with the calculator and the grid comparison
TEN_KB = "A" * 10_240


# ----------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        id: short and unique (the pytest id).
        page: the page's slug.
        bad: what is bad about it, in words (the table's column).
        query: URL parameters set before the first run (full keys, e.g. ``"carbon.hours"``).
        act: what the visitor then does to the widgets (``set_value``/``click``); a rerun follows.
        upload: ``(file name, bytes, mime)`` put into the ImageNet tab's uploader.
        message: a substring (case-insensitive, after markdown escapes are undone) the visitor reads.
        holds: ``{widget key: value}`` the widgets hold afterwards (a fallback or a clamp).
        check: any further assertion on the finished app.
        note: a remark for the table.
        fed_as: how it is fed, for the table, where :meth:`fed` cannot tell (a webcam snapshot).
    """

    id: str
    page: str
    bad: str
    query: dict[str, Any] = field(default_factory=dict)
    act: Callable[[AppTest], Any] | None = None
    upload: tuple[str, bytes, str] | None = None
    message: str = ""
    holds: dict[str, Any] = field(default_factory=dict)
    check: Callable[[AppTest], Any] | None = None
    note: str = ""
    fed_as: str = ""

    def fed(self) -> str:
        if self.fed_as:
            return self.fed_as
        if self.upload:
            return "upload"
        return "widget" if self.act else "link"  # (a widget row's link only opens the tab)

    def outcome(self) -> str:
        parts = []
        if self.message:
            parts.append(f"message: “{self.message}”")
        if self.holds:
            kept = self.act is not None or all(same_value(self.query.get(k), v) for k, v in self.holds.items())
            parts.append(
                ("accepted: " if kept else "falls back: ")
                + ", ".join(f"`{k.split('.')[-1]}` = {v!r}" for k, v in self.holds.items())
            )
        if not parts:
            parts.append("handled: " + (self.note or "page works, value used as given"))
        elif self.note:
            parts.append(self.note)
        return "; ".join(parts)


def widget(kind: str, key: str, value) -> Callable[[AppTest], Any]:
    """The visitor sets one keyed widget (``kind`` as AppTest names it: "text_input", "slider", …)."""
    return lambda at: getattr(at, kind)(key=key).set_value(value)


def own_weat(x: str | None = None, y: str | None = None, a: str | None = None, b: str | None = None):
    """The visitor fills the WEAT tab's form (four unkeyed text areas) and presses "Run WEAT"."""

    def act(at: AppTest) -> None:
        for label, value in zip(("Targets X", "Targets Y", "Attributes A", "Attributes B"), (x, y, a, b)):
            if value is not None:
                next(t for t in at.text_area if t.label == label).set_value(value)
        next(button for button in at.button if "Run WEAT" in button.label).click()

    return act


def upload(name: str, data: bytes, mime: str = "image/png") -> dict:
    return {"upload": (name, data, mime), "query": {ADV + "tab": "ImageNet photo", ADV + "photo_source": "Upload"}}


def png(image: Image.Image) -> bytes:
    return encode(image, "PNG")


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue", "green")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200  # an HEIC header (iPhone photos)
MARKUP_NAME = "![x](https://tracker.invalid/p.png) :red[x].png"


# --- checks used by several rows


def metric(at: AppTest, starts: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(starts))


def shows_tab_widget(key: str) -> Callable[[AppTest], Any]:
    def check(at: AppTest) -> None:
        assert any(getattr(w, "key", None) == key for w in at.main), f"the first tab ({key}) did not open"

    return check


def finite_metrics(at: AppTest) -> None:
    values = [m.value for m in at.metric]
    assert values and not [v for v in values if re.search(r"nan|inf", v, re.I)], values


def linf_at_most(bound: float) -> Callable[[AppTest], Any]:
    def check(at: AppTest) -> None:
        assert 0 <= float(metric(at, "L∞")) <= bound + 1e-6

    return check


def chart_count(n: int) -> Callable[[AppTest], Any]:
    def check(at: AppTest) -> None:
        assert len(at.get("plotly_chart")) >= n
        for chart in at.get("plotly_chart"):
            assert not re.search(r"\b(NaN|Infinity)\b", chart.proto.spec), "a chart holds NaN or Infinity"

    return check


def all_of(*checks: Callable[[AppTest], Any]) -> Callable[[AppTest], Any]:
    def check(at: AppTest) -> None:
        for c in checks:
            c(at)

    return check


def no_message(at: AppTest) -> None:
    assert not at.warning and not at.error, [m.value for m in [*at.warning, *at.error]]


def home_renders(at: AppTest) -> None:
    assert [t.value for t in at.title][:1] == ["Deep Learning Limits Lab"] and len(at.metric) >= 3


def train_button_offered(at: AppTest) -> None:
    assert any(b.label.startswith("Train") for b in at.button)


TEN_THOUSAND_WORDS = ", ".join(["nurse", "doctor", "king", "queen"] * 2_500)
CH_FASHION, CH_CIFAR = "Fashion-MNIST (shipped)", "CIFAR-10 (on disk): the horse"
CIFAR_HERE = any(s.info.key == "cifar10" and s.available for s in source_status())  # then the link is valid
WEAT_FIRST = "WEAT 1: Flowers vs Insects × Pleasant vs Unpleasant"  # the first option (the row below checks it)

CASES: list[Case] = [
    # ------------------------------------------------------------------ home (the sidebar is on every page)
    Case("home-seed-negative", "home", "seed −1 in the link", {"seed": "-1"}, holds={"seed": 0}),
    Case("home-seed-text", "home", "seed 'abc' in the link", {"seed": "abc"}, holds={"seed": 0}),
    Case("home-seed-2^31", "home", "seed 2**31, one past the largest", {"seed": str(2**31)}, holds={"seed": 0}),
    Case(
        "home-seed-float",
        "home",
        "seed '3.7' (not an integer)",
        {"seed": "3.7"},
        holds={"seed": 3},
        note="Streamlit truncates to the integer 3, as typing 3.7 in the box does",
    ),
    Case(
        "home-seed-repeated",
        "home",
        "seed given twice (?seed=1&seed=2)",
        {"seed": ["1", "2"]},
        holds={"seed": 2},
        note="the last one counts",
    ),
    Case("home-present-garbage", "home", "presenter mode 'maybe'", {"present": "maybe"}, holds={"present": False}),
    Case(
        "home-unknown-params",
        "home",
        "unknown parameter names (utm_source, foo)",
        {"utm_source": "newsletter", "foo": "bar"},
        check=home_renders,
        note="ignored; the page renders",
    ),
    Case(
        "home-10kB-value",
        "home",
        "a 10 kB value of an unknown parameter",
        {"x": TEN_KB},
        check=home_renders,
        note="ignored; the page renders",
    ),
    Case(
        "home-unicode-param",
        "home",
        "unicode and HTML in a parameter's name and value",
        {"ключ😀": "値<script>alert(1)</script>"},
        check=home_renders,
        note="ignored; the page renders",
    ),
    # ------------------------------------------------------------------ word embeddings
    Case(
        "we-tab-unknown",
        "word_embeddings",
        "unknown tab name",
        {WE + "tab": "Nope"},
        check=shows_tab_widget(WE + "a"),
        note="the first tab (Analogies) opens",
    ),
    Case(
        "we-tab-10kB",
        "word_embeddings",
        "10 kB tab name",
        {WE + "tab": TEN_KB},
        check=shows_tab_widget(WE + "a"),
        note="the first tab (Analogies) opens",
    ),
    Case(
        "we-analogy-identical",
        "word_embeddings",
        "analogy with three identical words (king : king :: king)",
        {WE + "tab": "Analogies", WE + "a": "king", WE + "b": "king", WE + "c": "king"},
        message="one of the inputs",
        note="the warning says the answer would be king, an input",
    ),
    Case(
        "we-analogy-sql",
        "word_embeddings",
        "SQL-looking analogy word ('; DROP TABLE words;--)",
        {WE + "tab": "Analogies", WE + "a": "'; DROP TABLE words;--"},
        message="single word",
    ),
    Case(
        "we-analogy-script",
        "word_embeddings",
        "<script> as an analogy word",
        {WE + "tab": "Analogies", WE + "b": "<script>alert(1)</script>"},
        message="not in the vocabulary",
    ),
    Case(
        "we-analogy-k-0",
        "word_embeddings",
        "answers shown k=0 (slider min 3)",
        {WE + "tab": "Analogies", WE + "k": "0"},
        holds={WE + "k": 10},
    ),
    Case(
        "we-analogy-k-max",
        "word_embeddings",
        "answers shown at the slider's max (20)",
        {WE + "tab": "Analogies"},
        act=widget("slider", WE + "k", 20),
        holds={WE + "k": 20},
        check=chart_count(1),
    ),
    Case(
        "we-analogy-method",
        "word_embeddings",
        "unknown analogy method",
        {WE + "tab": "Analogies", WE + "method": "Bogus"},
        holds={WE + "method": "3CosAdd"},
    ),
    Case(
        "we-analogy-exclude",
        "word_embeddings",
        "toggle value '2'",
        {WE + "tab": "Analogies", WE + "exclude": "2"},
        holds={WE + "exclude": True},
    ),
    Case(
        "we-neighbours-empty",
        "word_embeddings",
        "empty word",
        {WE + "tab": "Neighbours"},
        act=widget("text_input", WE + "word", ""),
        message="empty",
    ),
    Case(
        "we-neighbours-long-token",
        "word_embeddings",
        "a 10,000-character single token",
        {WE + "tab": "Neighbours", WE + "word": "a" * 10_000},
        message="not in the vocabulary",
    ),
    Case(
        "we-neighbours-emoji",
        "word_embeddings",
        "an emoji as the word",
        {WE + "tab": "Neighbours", WE + "word": "😀"},
        message="not in the vocabulary",
    ),
    Case(
        "we-neighbours-red",
        "word_embeddings",
        "Streamlit colour markup :red[nurse] as the word",
        {WE + "tab": "Neighbours", WE + "word": ":red[nurse]"},
        message=":red[nurse]",
        note="shown escaped",
    ),
    Case(
        "we-neighbours-n-1000",
        "word_embeddings",
        "neighbours n=1000 (slider max 30)",
        {WE + "tab": "Neighbours", WE + "n": "1000"},
        holds={WE + "n": 10},
    ),
    Case(
        "we-neighbours-n-max",
        "word_embeddings",
        "neighbours at the slider's max (30)",
        {WE + "tab": "Neighbours", WE + "n": "30"},
        holds={WE + "n": 30},
        check=lambda at: len(at.dataframe[0].value) == 30 or pytest.fail("not 30 rows"),
    ),
    Case(
        "we-direction-unknown",
        "word_embeddings",
        "unknown bias direction",
        {WE + "tab": "Bias direction", WE + "direction": "Nope"},
        holds={WE + "direction": "Gender: Bolukbasi's PCA of 10 definitional pairs"},
    ),
    Case(
        "we-axis-same-lists",
        "word_embeddings",
        "the same list at both ends of an own axis",
        {
            WE + "tab": "Bias direction",
            WE + "direction": "My own axis from two word lists",
            WE + "pos": "rich, wealthy",
            WE + "neg": "rich, wealthy",
        },
        message="both ends",
    ),
    Case(
        "we-axis-empty",
        "word_embeddings",
        "empty + end of an own axis",
        {WE + "tab": "Bias direction", WE + "direction": "My own axis from two word lists", WE + "pos": ""},
        message="empty",
    ),
    Case(
        "we-axis-separators",
        "word_embeddings",
        "only commas, semicolons and whitespace",
        {
            WE + "tab": "Bias direction",
            WE + "direction": "My own axis from two word lists",
            WE + "neg": " , ;  ,\n\t, ",
        },
        message="empty",
    ),
    Case(
        "we-typed-mixed",
        "word_embeddings",
        "mixed case, accents and an emoji (Nurse, CAFÉ, naïve, 😀)",
        {WE + "tab": "Bias direction", WE + "typed": "Nurse, CAFÉ, naïve, 😀"},
        message="lower-cased",
        check=lambda at: any("😀" in w.value for w in at.warning) or pytest.fail("the emoji is not reported"),
    ),
    Case(
        "we-typed-10000",
        "word_embeddings",
        "10,000 words typed to place on the direction",
        {WE + "tab": "Bias direction", WE + "typed": TEN_THOUSAND_WORDS},
        message="10,000 entries",
    ),
    Case(
        "we-typed-duplicates",
        "word_embeddings",
        "duplicate words (nurse, nurse, Nurse, NURSE)",
        {WE + "tab": "Bias direction", WE + "typed": "nurse, nurse, Nurse, NURSE"},
        message="ignored repeated",
    ),
    Case(
        "we-typed-html",
        "word_embeddings",
        "HTML tag <img onerror> typed as a word",
        {WE + "tab": "Bias direction", WE + "typed": "<img src=x onerror=alert(1)>, nurse"},
        message="not in the vocabulary",
        note="shown escaped",
    ),
    Case(
        "we-typed-120k-chars",
        "word_embeddings",
        "a 120,000-character paste",
        {WE + "tab": "Bias direction"},
        act=widget("text_input", WE + "typed", "ab, " * 30_000),
        message="characters long",
    ),
    Case(
        "we-she-he-toggle",
        "word_embeddings",
        "toggle value 'banana'",
        {WE + "tab": "She–he pairs", WE + "hide_specific": "banana"},
        holds={WE + "hide_specific": True},
    ),
    Case(
        "we-weat-unknown-test",
        "word_embeddings",
        "unknown WEAT test name",
        {WE + "tab": "WEAT", WE + "weat": "WEAT 99"},
        holds={WE + "weat": WEAT_FIRST},
    ),
    Case(
        "we-weat-same-xy",
        "word_embeddings",
        "own WEAT with the same list as X and Y",
        {WE + "tab": "WEAT"},
        act=own_weat(x="math, algebra, geometry", y="math, algebra, geometry"),
        message="both",
    ),
    Case(
        "we-weat-unequal",
        "word_embeddings",
        "own WEAT with lists of unequal length (5 vs 2)",
        {WE + "tab": "WEAT"},
        act=own_weat(y="poetry, art"),
        message="unbalanced",
    ),
    Case(
        "we-weat-one-word",
        "word_embeddings",
        "own WEAT with one word per target list",
        {WE + "tab": "WEAT"},
        act=own_weat(x="math", y="poetry"),
        message="at least 2",
    ),
    Case(
        "we-weat-empty-a",
        "word_embeddings",
        "own WEAT with an empty attribute list",
        {WE + "tab": "WEAT"},
        act=own_weat(a=""),
        message="empty",
    ),
    Case(
        "we-weat-markdown-image",
        "word_embeddings",
        "markdown image ![x](http://…) in a WEAT list",
        {WE + "tab": "WEAT"},
        act=own_weat(x="![x](https://tracker.invalid/p.png), math, algebra, geometry"),
        message="left out of set X",
        note="the unknown entry is named, escaped",
    ),
    Case(
        "we-debias-unknown",
        "word_embeddings",
        "only unknown words to compare after debiasing",
        {WE + "tab": "Debiasing", WE + "debias": "true", WE + "compare": "qqqzz, zzqqx"},
        message="not in the vocabulary",
    ),
    Case(
        "we-debias-toggle",
        "word_embeddings",
        "toggle value 'yes please'",
        {WE + "tab": "Debiasing", WE + "debias": "yes please"},
        holds={WE + "debias": False},
        message="switch on",
    ),
    Case(
        "we-map-one-word",
        "word_embeddings",
        "a one-word list on the word map",
        {WE + "tab": "Word map", WE + "map_words": "nurse"},
        check=all_of(no_message, chart_count(1)),
        note="a chart with one point",
    ),
    Case(
        "we-map-commas",
        "word_embeddings",
        "only commas on the word map",
        {WE + "tab": "Word map", WE + "map_words": ",,, ,,,"},
        message="empty",
    ),
    Case(
        "we-map-cyrillic-cjk",
        "word_embeddings",
        "axis words in Cyrillic and CJK that GloVe lacks",
        {WE + "tab": "Word map", WE + "map_up": "богатый, 富裕的人们"},
        message="not in the vocabulary",
    ),
    Case(
        "we-map-same-axis",
        "word_embeddings",
        "the same word at the top and bottom of the map's axis",
        {WE + "tab": "Word map", WE + "map_up": "rich", WE + "map_down": "Rich"},
        message="both ends",
    ),
    # ------------------------------------------------------------------ adversarial (links and widgets)
    Case(
        "adv-tab-unknown",
        "adversarial",
        "unknown tab name",
        {ADV + "tab": "Nope"},
        message="train the classifier above",
        note="the first tab opens",
    ),
    Case(
        "adv-seed-max",
        "adversarial",
        "seed 2**31−1, the largest",
        {"seed": str(2**31 - 1)},
        holds={"seed": 2**31 - 1},
        check=train_button_offered,
        note="nothing trains on open",
    ),
    Case("adv-eps-negative", "adversarial", "ε = −1", {"seed": str(S), ADV + "eps": "-1"}, holds={ADV + "eps": 0.1}),
    Case("adv-eps-1e9", "adversarial", "ε = 1e9", {"seed": str(S), ADV + "eps": "1e9"}, holds={ADV + "eps": 0.1}),
    Case("adv-eps-nan", "adversarial", "ε = nan", {"seed": str(S), ADV + "eps": "nan"}, holds={ADV + "eps": 0.1}),
    Case(
        "adv-eps-0",
        "adversarial",
        "ε at the slider's min (0: no attack)",
        {"seed": str(S)},
        act=widget("slider", ADV + "eps", 0.0),
        check=all_of(linf_at_most(0.0), chart_count(2)),
        note="no change: L∞ 0.000, charts finite",
    ),
    Case(
        "adv-eps-max",
        "adversarial",
        "ε at the slider's max (0.3)",
        {"seed": str(S), ADV + "attack": "PGD"},
        act=widget("slider", ADV + "eps", 0.3),
        check=all_of(linf_at_most(0.3), chart_count(2)),
        note="L∞ ≤ 0.3, charts finite",
    ),
    Case(
        "adv-image-99999",
        "adversarial",
        "test image 99999 (beyond the test set)",
        {"seed": str(S), ADV + "image": "99999"},
        holds={ADV + "image": adversarial.PRESET_IMAGE},
    ),
    Case(
        "adv-image-negative",
        "adversarial",
        "test image −3",
        {"seed": str(S), ADV + "image": "-3"},
        holds={ADV + "image": adversarial.PRESET_IMAGE},
    ),
    Case(
        "adv-attack-10kB",
        "adversarial",
        "10 kB attack name",
        {"seed": str(S), ADV + "attack": TEN_KB},
        holds={ADV + "attack": "FGSM"},
    ),
    Case(
        "adv-target-unicode",
        "adversarial",
        "target class 'Sandal😀' (unicode, not a class)",
        {"seed": str(S), ADV + "attack": "PGD, targeted", ADV + "target": "Sandal😀"},
        holds={ADV + "target": "Bag"},
    ),
    Case(
        "adv-pixels-0",
        "adversarial",
        "one-pixel attack with 0 pixels",
        {"seed": str(S), ADV + "tab": "One pixel", ADV + "pixels": "0"},
        holds={ADV + "pixels": 3},
    ),
    Case(
        "adv-simba-limits",
        "adversarial",
        "black box at its limits: 100 queries, 0.5 per pixel",
        {"seed": str(S), ADV + "tab": "Black box", ADV + "budget": "100", ADV + "simba_eps": "0.5"},
        holds={ADV + "budget": 100, ADV + "simba_eps": 0.5},
        message="queries",
    ),
    Case(
        "adv-budget-1e9",
        "adversarial",
        "black-box query budget 10**9",
        {"seed": str(S), ADV + "tab": "Black box", ADV + "budget": str(10**9)},
        holds={ADV + "budget": 3000},
    ),
    Case(
        "adv-imagenet-eps-0",
        "adversarial",
        "ImageNet ε = 0 grey levels (min 1)",
        {ADV + "tab": "ImageNet photo", ADV + "imagenet_eps": "0"},
        holds={ADV + "imagenet_eps": 2},
    ),
    Case(
        "adv-imagenet-eps-max",
        "adversarial",
        "ImageNet ε at the slider's max (16/255)",
        {ADV + "tab": "ImageNet photo", ADV + "imagenet_eps": "16"},
        holds={ADV + "imagenet_eps": 16},
        check=linf_at_most(round(16 / 255, 3)),
    ),
    Case(
        "adv-photo-traversal",
        "adversarial",
        "bundled photo '../../etc/passwd'",
        {ADV + "tab": "ImageNet photo", ADV + "photo": "../../etc/passwd"},
        holds={ADV + "photo": "chelsea"},
    ),
    Case(
        "adv-photo-source",
        "adversarial",
        "photo source 'FTP'",
        {ADV + "tab": "ImageNet photo", ADV + "photo_source": "FTP"},
        holds={ADV + "photo_source": "Bundled photo"},
    ),
    # ------------------------------------------------------------------ uploads (adversarial page, ImageNet tab)
    Case("up-empty", "adversarial", "upload: zero bytes", **upload("photo.png", b""), message="empty"),
    Case(
        "up-text-as-png",
        "adversarial",
        "upload: a text file renamed .png",
        **upload("photo.png", b"this is a text file\n" * 20),
        message="not an image",
    ),
    Case(
        "up-truncated",
        "adversarial",
        "upload: a PNG cut after 60 bytes",
        **upload("photo.png", png(Image.new("RGB", (64, 64), "red"))[:60]),
        message="damaged",
    ),
    Case(
        "up-bomb-50k",
        "adversarial",
        "upload: header claims 50,000 × 50,000 pixels (bomb)",
        **upload("bomb.png", png_claiming(50_000, 50_000)),
        message="too many pixels",
    ),
    Case(
        "up-bomb-9k",
        "adversarial",
        "upload: header claims 9,000 × 9,000 pixels (81 MP)",
        **upload("bomb.png", png_claiming(9_000, 9_000)),
        message="megapixels",
    ),
    Case(
        "up-11MB",
        "adversarial",
        "upload: 11 MB (over the 10 MB cap)",
        **upload("big.png", b"\x89PNG" + b"x" * 11_000_000),
        message="the limit is 10 mb",
    ),
    Case(
        "up-svg",
        "adversarial",
        "upload: SVG with a <script>",
        **upload("logo.svg", SVG, "image/svg+xml"),
        message="not an image",
    ),
    Case(
        "up-heic",
        "adversarial",
        "upload: HEIC (iPhone) header",
        **upload("IMG_0001.heic", HEIC, "image/heic"),
        message="not an image",
    ),
    Case(
        "up-ico",
        "adversarial",
        "upload: a real ICO image (decoder not allowed)",
        **upload("icon.ico", encode(Image.new("RGB", (16, 16)), "ICO"), "image/x-icon"),
        message="not an image",
    ),
    Case(
        "up-float-tiff",
        "adversarial",
        "upload: floating-point TIFF",
        **upload("science.tif", encode(Image.new("F", (8, 8), 3.5), "TIFF"), "image/tiff"),
        message="floating-point",
    ),
    Case(
        "up-cmyk",
        "adversarial",
        "upload: CMYK JPEG",
        **upload("print.jpg", encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG"), "image/jpeg"),
        message="cmyk",
        check=chart_count(2),
    ),
    Case(
        "up-rgba",
        "adversarial",
        "upload: RGBA PNG with transparency",
        **upload("logo.png", png(Image.new("RGBA", (32, 32), (255, 0, 0, 0)))),
        message="white",
        check=chart_count(2),
    ),
    Case(
        "up-16bit",
        "adversarial",
        "upload: 16-bit greyscale PNG",
        **upload("scan.png", png(Image.new("I;16", (32, 32), 40_000))),
        message="16-bit",
        check=chart_count(2),
    ),
    Case(
        "up-animated-gif",
        "adversarial",
        "upload: animated GIF (3 frames)",
        **upload("anim.gif", animated_gif(), "image/gif"),
        message="3 frames",
        check=chart_count(2),
    ),
    Case(
        "up-huge-dimensions",
        "adversarial",
        "upload: 4000 × 3000 photo",
        **upload("camera.jpg", encode(Image.new("RGB", (4000, 3000), "white"), "JPEG"), "image/jpeg"),
        message="shrunk",
        check=chart_count(2),
    ),
    Case(
        "up-1x1",
        "adversarial",
        "upload: a 1 × 1 pixel image",
        **upload("dot.png", png(Image.new("RGB", (1, 1), "red"))),
        check=all_of(no_message, chart_count(2)),
        note="scaled up and attacked",
    ),
    Case(
        "up-thin-1x2000",
        "adversarial",
        "upload: a 1 × 2000 pixel line (87 bytes)",
        **upload("line.png", png(Image.new("RGB", (2000, 1), "red"))),
        message="shrunk",
        check=chart_count(2),
        note="was ~770 MB of memory per request before the fix (core.imagenet.prepare)",
    ),
    Case(
        "up-markup-name",
        "adversarial",
        "upload: a valid PNG whose file name is markdown (![x](…), :red[])",
        **upload(MARKUP_NAME, png(Image.new("RGB", (32, 32), "blue"))),
        message="tracker.invalid",
        check=chart_count(2),
        note="the name is shown escaped",
    ),
    Case(
        "up-webcam-garbage",
        "adversarial",
        "webcam snapshot that is not a JPEG",
        query={ADV + "tab": "ImageNet photo", ADV + "photo_source": "Webcam"},
        act=lambda at: at.camera_input[0].set_value(("webcam.jpg", b"not a jpeg at all", "image/jpeg")),
        message="not an image",
        fed_as="upload (webcam)",
    ),
    # ------------------------------------------------------------------ Clever Hans
    Case("ch-cls-empty", "clever_hans", "empty class name", {CH + "cls": ""}, holds={CH + "cls": "Pullover"}),
    Case("ch-fraction-2", "clever_hans", "tag share 2 (200 %)", {CH + "fraction": "2"}, holds={CH + "fraction": 0.2}),
    Case(
        "ch-fraction-negative", "clever_hans", "tag share −0.5", {CH + "fraction": "-0.5"}, holds={CH + "fraction": 0.2}
    ),
    Case("ch-fraction-nan", "clever_hans", "tag share nan", {CH + "fraction": "nan"}, holds={CH + "fraction": 0.2}),
    Case(
        "ch-fraction-0",
        "clever_hans",
        "tag share 0 (slider min: no tag at all)",
        {CH + "fraction": "0"},
        holds={CH + "fraction": 0.0},
        check=train_button_offered,
        note="a 0 % control: the tag model is the clean baseline",
    ),
    Case(
        "ch-source-cifar",
        "clever_hans",
        "CIFAR-10 source in the link when it is not on disk",
        {CH + "source": CH_CIFAR},
        holds={CH + "source": CH_CIFAR if CIFAR_HERE else CH_FASHION},
    ),
    Case(
        "ch-seed-max",
        "clever_hans",
        "seed 2**31−1, the largest",
        {"seed": str(2**31 - 1)},
        check=train_button_offered,
        note="accepted; nothing trains on open",
    ),
    Case(
        "ch-tab-unknown",
        "clever_hans",
        "unknown tab name",
        {"seed": str(S), CH + "tab": "Nope"},
        check=lambda at: len(at.metric) == 3 or pytest.fail("the Accuracy tab did not open"),
        note="the first tab (Accuracy) opens",
    ),
    Case(
        "ch-image-999",
        "clever_hans",
        "heatmap image 999",
        {"seed": str(S), CH + "tab": "Heatmaps", CH + "image": "999"},
        holds={CH + "image": 0},
    ),
    Case(
        "ch-with-tag",
        "clever_hans",
        "toggle value '2'",
        {"seed": str(S), CH + "tab": "Heatmaps", CH + "with_tag": "2"},
        holds={CH + "with_tag": True},
    ),
    Case(
        "ch-k-1",
        "clever_hans",
        "SpRAy with 1 cluster (min 2)",
        {"seed": str(S), CH + "tab": "Strategies (SpRAy)", CH + "k": "1"},
        holds={CH + "k": 3},
    ),
    Case(
        "ch-k-max",
        "clever_hans",
        "SpRAy at the slider's max (5 clusters)",
        {"seed": str(S), CH + "tab": "Strategies (SpRAy)", CH + "k": "5"},
        holds={CH + "k": 5},
        check=lambda at: len(at.dataframe[0].value) == 5 or pytest.fail("not 5 clusters"),
    ),
    # ------------------------------------------------------------------ mugshots
    Case("mg-smile-low", "mugshots", "smile link 0.1 (below 0.5)", {MG + "smile": "0.1"}, holds={MG + "smile": 0.895}),
    Case("mg-wall-text", "mugshots", "wall link 'abc'", {MG + "wall": "abc"}, holds={MG + "wall": 0.5}),
    Case("mg-collar-inf", "mugshots", "collar link inf", {MG + "collar": "inf"}, holds={MG + "collar": 0.5}),
    Case(
        "mg-smile-repeated",
        "mugshots",
        "smile link given twice",
        {MG + "smile": ["0.6", "0.7"]},
        holds={MG + "smile": 0.895},
    ),
    Case(
        "mg-tab-unknown",
        "mugshots",
        "unknown tab name",
        {MG + "tab": "Nope"},
        check=lambda at: any(m.label.startswith("Accuracy") for m in at.metric) or pytest.fail("no Accuracy tab"),
        note="the first tab (Accuracy) opens",
    ),
    Case(
        "mg-face-40",
        "mugshots",
        "heatmap face 40 (max 39)",
        {MG + "tab": "Heatmaps", MG + "face": "40"},
        holds={MG + "face": 0},
    ),
    Case(
        "mg-face-max",
        "mugshots",
        "heatmap face at the slider's max (39)",
        {MG + "tab": "Heatmaps", MG + "face": "39"},
        holds={MG + "face": 39},
        check=chart_count(2),
    ),
    # ------------------------------------------------------------------ overfitting
    Case(
        "overfit-degree-30-5-points",
        "overfitting",
        "degree 30 with 5 measurements",
        {OF + "degree": "30", OF + "points": "5"},
        message="not unique",
        holds={OF + "degree": 30, OF + "points": 5},
        check=lambda at: (finite_metrics(at), chart_count(3)(at)),
    ),
    Case("overfit-degree-31", "overfitting", "degree 31 (max 30)", {OF + "degree": "31"}, holds={OF + "degree": 3}),
    Case("overfit-degree-text", "overfitting", "degree 'abc'", {OF + "degree": "abc"}, holds={OF + "degree": 3}),
    Case("overfit-points-0", "overfitting", "0 measurements (min 5)", {OF + "points": "0"}, holds={OF + "points": 60}),
    Case(
        "overfit-bv-degree-max",
        "overfitting",
        "bias-variance degree at the slider's max (15, near interpolation)",
        {OF + "tab": "Bias² + variance", OF + "bv_degree": "15", OF + "bv_random_speeds": "true"},
        holds={OF + "bv_degree": 15},
        check=lambda at: (
            finite_metrics(at),
            chart_count(2)(at),
            at.session_state[OF + "bv_random_speeds"] is True or pytest.fail("random speeds off"),
        ),
        note="random speeds: variance in the millions, shown as a number",
    ),
    Case(
        "overfit-lambda-0",
        "overfitting",
        "λ = 0 (the slider's left end)",
        {OF + "tab": "Ridge = a prior", OF + "log_lambda": "-8"},
        holds={OF + "log_lambda": -8.0},
        check=chart_count(2),
        note="maximum likelihood: the published coefficients exactly",
    ),
    Case(
        "overfit-lambda-huge",
        "overfitting",
        "λ = 10⁶ (the slider's right end)",
        {OF + "tab": "Ridge = a prior", OF + "log_lambda": "6"},
        holds={OF + "log_lambda": 6.0},
        check=chart_count(2),
        note="coefficients ~0, a flat curve",
    ),
    Case(
        "overfit-lambda-nan",
        "overfitting",
        "log10 λ nan",
        {OF + "tab": "Ridge = a prior", OF + "log_lambda": "nan"},
        holds={OF + "log_lambda": -2.0},
    ),
    Case(
        "overfit-shuffled-100",
        "overfitting",
        "100 % of the labels shuffled",
        {"seed": str(S), OF + "tab": "Memorised noise", OF + "shuffled": "1.0"},
        holds={OF + "shuffled": 1.0},
        check=lambda at: (finite_metrics(at), chart_count(1)(at)),
        note="a small pre-trained run stands in",
    ),
    Case(
        "overfit-shuffled-2",
        "overfitting",
        "shuffled share 2 (200 %)",
        {OF + "tab": "Memorised noise", OF + "shuffled": "2"},
        holds={OF + "shuffled": 1.0},
    ),
    Case(
        "overfit-tab-unknown",
        "overfitting",
        "unknown tab name",
        {OF + "tab": "Nope"},
        check=lambda at: any(m.label.startswith("True value") for m in at.metric) or pytest.fail("no first tab"),
        note="the first tab (Fuel at 180 km/h) opens",
    ),
    # ------------------------------------------------------------------ carbon (the calculator's and grids' tab: CALC)
    Case(
        "co2-all-max",
        "carbon",
        "calculator at every maximum: 100,000 devices × 1e7 h × PUE 3",
        {CO2 + "tab": CALC, CO2 + "count": "100000", CO2 + "hours": "10000000", CO2 + "pue": "3"},
        holds={CO2 + "count": 100_000, CO2 + "hours": 1e7, CO2 + "pue": 3.0},
        check=finite_metrics,
        note="huge but finite estimates shown",
    ),
    Case(
        "co2-pue-1",
        "carbon",
        "PUE at its minimum (1)",
        {CO2 + "tab": CALC},
        act=widget("number_input", CO2 + "pue", 1.0),
        holds={CO2 + "pue": 1.0},
        check=finite_metrics,
    ),
    Case(
        "co2-hours-negative",
        "carbon",
        "hours −5",
        {CO2 + "tab": CALC, CO2 + "hours": "-5"},
        holds={CO2 + "hours": 24.0},
    ),
    Case(
        "co2-hours-1e8",
        "carbon",
        "hours 1e8 (max 1e7)",
        {CO2 + "tab": CALC, CO2 + "hours": "1e8"},
        holds={CO2 + "hours": 24.0},
    ),
    Case(
        "co2-hours-nan", "carbon", "hours nan", {CO2 + "tab": CALC, CO2 + "hours": "nan"}, holds={CO2 + "hours": 24.0}
    ),
    Case(
        "co2-count-0", "carbon", "0 devices (min 1)", {CO2 + "tab": CALC, CO2 + "count": "0"}, holds={CO2 + "count": 8}
    ),
    Case(
        "co2-count-float",
        "carbon",
        "2.5 devices",
        {CO2 + "tab": CALC, CO2 + "count": "2.5"},
        holds={CO2 + "count": 2},
        note="Streamlit truncates to the integer 2",
    ),
    Case(
        "co2-pue-half",
        "carbon",
        "PUE 0.5 (below 1)",
        {CO2 + "tab": CALC, CO2 + "pue": "0.5"},
        holds={CO2 + "pue": 1.58},
    ),
    Case(
        "co2-hardware-unknown",
        "carbon",
        "unknown hardware 'TPU v9000'",
        {CO2 + "tab": CALC, CO2 + "hw": "TPU v9000"},
        holds={CO2 + "hw": "NVIDIA A100"},
    ),
    Case(
        "co2-country-unknown",
        "carbon",
        "unknown country 'XYZ'",
        {CO2 + "tab": CALC, CO2 + "country": "XYZ"},
        holds={CO2 + "country": "USA"},
    ),
    Case(
        "co2-grids-unknown",
        "carbon",
        "unknown grid 'Atlantis' to compare",
        {CO2 + "tab": CALC, CO2 + "grids": "Atlantis"},
        holds={CO2 + "grids": ["FRA", "USA", "DEU", "POL"]},
    ),
    Case(
        "co2-energy-0",
        "carbon",
        "0 kWh on other grids",
        {CO2 + "tab": CALC, CO2 + "energy": "0"},
        check=chart_count(1),
        note="zero bars, no error",
    ),
    Case(
        "co2-energy-negative",
        "carbon",
        "−1 kWh",
        {CO2 + "tab": CALC, CO2 + "energy": "-1"},
        check=lambda at: at.session_state[CO2 + "energy"] >= 0 or pytest.fail("negative energy kept"),
        note="falls back to the default (the ledger's total, or 1 kWh)",
    ),
    Case("co2-epochs-0", "carbon", "0 epochs for the live run", {CO2 + "epochs": "0"}, holds={CO2 + "epochs": 2}),
    Case(
        "co2-images-1234",
        "carbon",
        "1,234 training images (not a choice)",
        {CO2 + "images": "1234"},
        holds={CO2 + "images": 8000},
    ),
    Case(
        "co2-equivalent-unknown",
        "carbon",
        "unknown 'emissions of' choice",
        {CO2 + "tab": "Grams to tonnes", CO2 + "equivalent": "my car"},
        holds={CO2 + "equivalent": "all runs of this lab"},
    ),
    Case(
        "co2-tab-unknown",
        "carbon",
        "unknown tab name",
        {CO2 + "tab": "Nope"},
        check=lambda at: any(b.label == "Train and measure" for b in at.button) or pytest.fail("no first tab"),
        note="the first tab (Measure a run) opens",
    ),
    # ------------------------------------------------------------------ forgetting (no training: the Train step shows)
    Case(
        "fg-boundary-0",
        "forgetting",
        "task A with 0 classes",
        {"forgetting.boundary": "0"},
        holds={"forgetting.boundary": 5},
    ),
    Case(
        "fg-boundary-10",
        "forgetting",
        "task B with 0 classes (boundary 10)",
        {"forgetting.boundary": "10"},
        holds={"forgetting.boundary": 5},
    ),
    Case(
        "fg-boundary-1",
        "forgetting",
        "a one-class task A (the slider's minimum)",
        {"forgetting.boundary": "1"},
        holds={"forgetting.boundary": 1},
        check=lambda at: any(b.label.startswith("Train A, then B") for b in at.button) or pytest.fail("no Train"),
        note="trains honestly; the trained view says the task has a single class (tests/test_page_forgetting.py)",
    ),
    Case(
        "fg-boundary-text",
        "forgetting",
        "boundary 'abc'",
        {"forgetting.boundary": "abc"},
        holds={"forgetting.boundary": 5},
    ),
    Case(
        "fg-replay-0",
        "forgetting",
        "an empty replay buffer",
        {"forgetting.tab": "Remedies", "forgetting.replay": "0"},
        holds={"forgetting.replay": 0},
        note="accepted: trains as 'no remedy' and says so",
    ),
    Case(
        "fg-replay-5000",
        "forgetting",
        "replay buffer 5,000 (max 1,000)",
        {"forgetting.tab": "Remedies", "forgetting.replay": "5000"},
        holds={"forgetting.replay": 1000},
    ),
    Case(
        "fg-replay-negative",
        "forgetting",
        "replay buffer −100",
        {"forgetting.tab": "Remedies", "forgetting.replay": "-100"},
        holds={"forgetting.replay": 1000},
    ),
    Case(
        "fg-lambda-0",
        "forgetting",
        "EWC λ = 0 (the slider's left end)",
        {"forgetting.tab": "Remedies", "forgetting.ewc_lambda": "0"},
        holds={"forgetting.ewc_lambda": 0.0},
    ),
    Case(
        "fg-lambda-huge",
        "forgetting",
        "EWC λ = 1e9 (the slider's right end)",
        {"forgetting.tab": "Remedies", "forgetting.ewc_lambda": "1e9"},
        holds={"forgetting.ewc_lambda": 1e9},
        note="trains to a finite result (tests/test_forgetting.py)",
    ),
    Case(
        "fg-lambda-off-grid",
        "forgetting",
        "EWC λ = 1e99 (not a stop of the slider)",
        {"forgetting.tab": "Remedies", "forgetting.ewc_lambda": "1e99"},
        holds={"forgetting.ewc_lambda": 1e4},
    ),
    Case(
        "fg-tab-unknown",
        "forgetting",
        "unknown tab name",
        {"forgetting.tab": "Nope"},
        check=lambda at: any(b.label.startswith("Train A, then B") for b in at.button) or pytest.fail("no first tab"),
        note="the first tab (A, then B) opens",
    ),
    # ------------------------------------------------------------------ biased_decisions
    Case(
        "bd-bias-100",
        "biased_decisions",
        "100 % of qualified women turned away (no woman ever hired)",
        {"biased_decisions.bias": "100"},
        message="holds no hired woman",
        holds={"biased_decisions.bias": 100},
        check=lambda at: (finite_metrics(at), chart_count(2)(at)),
    ),
    Case(
        "bd-bias-0",
        "biased_decisions",
        "0 % bias (a fair history)",
        {"biased_decisions.bias": "0"},
        message="the history is fair",
        holds={"biased_decisions.bias": 0},
        check=finite_metrics,
    ),
    Case(
        "bd-bias-150",
        "biased_decisions",
        "bias 150 % (max 100)",
        {"biased_decisions.bias": "150"},
        holds={"biased_decisions.bias": 60},
    ),
    Case(
        "bd-thresholds-0-1",
        "biased_decisions",
        "thresholds 0 (group A) and 1 (group B)",
        {"biased_decisions.tab": "One score, two groups", "biased_decisions.t_a": "0.0", "biased_decisions.t_b": "1.0"},
        message="nobody is flagged",
        holds={"biased_decisions.t_a": 0.0, "biased_decisions.t_b": 1.0},
        check=chart_count(3),
    ),
    Case(
        "bd-share-0",
        "biased_decisions",
        "no minority example in the training set",
        {"biased_decisions.tab": "Who is in the data"},
        act=widget("select_slider", "biased_decisions.share", 0.0),
        message="0 minority example",
        check=lambda at: (finite_metrics(at), chart_count(1)(at)),
    ),
    Case(
        "bd-share-1-example",
        "biased_decisions",
        "one minority example in the training set (0.05 %)",
        {"biased_decisions.tab": "Who is in the data"},
        act=widget("select_slider", "biased_decisions.share", 0.05),
        message="1 minority example",
        check=finite_metrics,
    ),
    Case(
        "bd-home-0",
        "biased_decisions",
        "send-home threshold 0 % (nobody sent home)",
        {"biased_decisions.tab": "The asthma paradox", "biased_decisions.home": "0"},
        message="nobody is sent home",
        holds={"biased_decisions.home": 0.0},
        check=lambda at: (finite_metrics(at), chart_count(1)(at)),
    ),
    # ------------------------------------------------------------------ out of distribution (nothing trained)
    Case("ood-zoom-0", "out_of_distribution", "zoom 0 (min 0.1)", {OOD + "zoom": "0"}, holds={OOD + "zoom": 1.0}),
    Case(
        "ood-zoom-min-shift-max",
        "out_of_distribution",
        "zoom at its minimum (0.1) and shifted out of the frame (28 px)",
        {OOD + "zoom": "0.1", OOD + "shift_x": "28"},
        message="blank",
        holds={OOD + "zoom": 0.1, OOD + "shift_x": 28},
        check=chart_count(1),
    ),
    Case(
        "ood-shift-99",
        "out_of_distribution",
        "shift 99 px (max 28)",
        {OOD + "shift_y": "99"},
        holds={OOD + "shift_y": 0},
    ),
    Case(
        "ood-contrast-0",
        "out_of_distribution",
        "contrast 0: a flat grey picture",
        {OOD + "contrast": "0"},
        message="blank",
        holds={OOD + "contrast": 0.0},
    ),
    Case("ood-angle-text", "out_of_distribution", "angle 'abc'", {OOD + "angle": "abc"}, holds={OOD + "angle": 0}),
    Case("ood-angle-nan", "out_of_distribution", "angle nan", {OOD + "angle": "nan"}, holds={OOD + "angle": 0}),
    Case(
        "ood-image-5000",
        "out_of_distribution",
        "test image 5000 (max 1999)",
        {OOD + "image": "5000"},
        holds={OOD + "image": 0},
    ),
    Case(
        "ood-tab-unknown",
        "out_of_distribution",
        "unknown tab name",
        {OOD + "tab": "Nope"},
        check=lambda at: any(s.label == "Rotation (degrees)" for s in at.slider) or pytest.fail("no first tab"),
        note="the first tab (Turn it) opens",
    ),
    # ------------------------------------------------------------------ explanations (nothing trained: the Train step)
    Case(
        "ex-samples-5000",
        "explanations",
        "LIME/KernelSHAP samples 5000 (max 2000)",
        {"explanations.samples": "5000"},
        holds={"explanations.samples": 200},
    ),
    Case(
        "ex-samples-max",
        "explanations",
        "LIME/KernelSHAP samples at the slider's max (2000)",
        {"explanations.samples": "2000"},
        message="several seconds per map",
        holds={"explanations.samples": 2000},
    ),
    Case(
        "ex-model-unknown",
        "explanations",
        "model 'ResNet' (not a subject)",
        {"explanations.subject": "ResNet"},
        holds={"explanations.subject": "tag CNN"},
    ),
    Case(
        "ex-image-999",
        "explanations",
        "test pullover 999 (max 49)",
        {"explanations.image": "999"},
        holds={"explanations.image": 0},
    ),
    Case(
        "ex-patch-5",
        "explanations",
        "patch 5 px (does not tile 28)",
        {"explanations.patch": "5"},
        holds={"explanations.patch": 4},
    ),
    Case(
        "ex-seed-negative",
        "explanations",
        "LIME seed -3",
        {"explanations.lime_seed": "-3"},
        holds={"explanations.lime_seed": 0},
    ),
    Case(
        "ex-tab-unknown",
        "explanations",
        "unknown tab name",
        {"explanations.tab": "Nope"},
        check=lambda at: any(b.label.startswith("Train") for b in at.button) or pytest.fail("no Train step"),
        note="the Train step shows",
    ),
    # ------------------------------------------------------------------ compression (nothing trained: the Train step)
    Case(
        "cmp-bits-7",
        "compression",
        "7 bits (not a stop: 32, 16, 8, 4, 3, 2, 1)",
        {CMP + "bits": "7"},
        holds={CMP + "bits": 8},
    ),
    Case("cmp-bits-text", "compression", "bits 'abc'", {CMP + "bits": "abc"}, holds={CMP + "bits": 8}),
    Case(
        "cmp-prune-150",
        "compression",
        "150 % of the weights pruned (max 99)",
        {CMP + "tab": "Fewer weights", CMP + "prune": "150"},
        holds={CMP + "prune": 90},
    ),
    Case(
        "cmp-temperature-0",
        "compression",
        "temperature T = 0 (a division by zero in softmax(z / T))",
        {CMP + "tab": "A smaller student", CMP + "temperature": "0"},
        holds={CMP + "temperature": 4},
    ),
    Case(
        "cmp-temperature-huge",
        "compression",
        "temperature T = 1e9",
        {CMP + "tab": "A smaller student", CMP + "temperature": "1e9"},
        holds={CMP + "temperature": 4},
    ),
    Case(
        "cmp-tab-unknown",
        "compression",
        "unknown tab name",
        {CMP + "tab": "Nope"},
        check=lambda at: any(s.label == "Bits per weight" for s in at.select_slider) or pytest.fail("no first tab"),
        note="the first tab (Fewer bits) opens",
    ),
    # ------------------------------------------------------------------ data hunger (nothing trained: the Train step)
    Case(
        "dh-k-0",
        "data_hunger",
        "k = 0 examples per class",
        {"data_hunger.tab": "Few shots", "data_hunger.k": "0"},
        holds={"data_hunger.k": 5},
        note="refused in core too: FewShotConfig(k=0) says 'nothing to learn' (tests/test_data_hunger.py)",
    ),
    Case(
        "dh-k-negative",
        "data_hunger",
        "k = −1 examples per class",
        {"data_hunger.tab": "Few shots", "data_hunger.k": "-1"},
        holds={"data_hunger.k": 5},
    ),
    Case(
        "dh-k-more-than-exist",
        "data_hunger",
        "k = 5,000 per class (the smallest class has ~780)",
        {"data_hunger.tab": "Few shots", "data_hunger.k": "5000"},
        holds={"data_hunger.k": 5},
        note="core refuses it with 'the smallest class has only …' (tests/test_data_hunger.py)",
    ),
    Case(
        "dh-k-text",
        "data_hunger",
        "k 'abc'",
        {"data_hunger.tab": "Few shots", "data_hunger.k": "abc"},
        holds={"data_hunger.k": 5},
    ),
    Case(
        "dh-k-off-grid",
        "data_hunger",
        "k = 7 (not a stop of the slider: 1, 5, 10)",
        {"data_hunger.tab": "Few shots", "data_hunger.k": "7"},
        holds={"data_hunger.k": 5},
    ),
    Case(
        "dh-tab-unknown",
        "data_hunger",
        "unknown tab name",
        {"data_hunger.tab": "Nope"},
        check=lambda at: any(b.label.startswith("Train (") for b in at.button) or pytest.fail("no first tab"),
        note="the first tab (Learning curves) opens",
    ),
]

# Uploads whose bytes tests/test_images.py also feeds to core.images.load_image: here it is what the page shows.
ALSO_AT_CORE_LEVEL = {
    "up-empty",
    "up-text-as-png",
    "up-truncated",
    "up-bomb-50k",
    "up-bomb-9k",
    "up-11MB",
    "up-ico",
    "up-float-tiff",
    "up-cmyk",
    "up-rgba",
    "up-16bit",
    "up-animated-gif",
    "up-huge-dimensions",
}

# Bad inputs the page tests already drive (not counted above).
COVERED_ELSEWHERE = [
    (
        "word_embeddings",
        "analogy word empty / 'Kingg' / 'new york city' / 'żółw'",
        "tests/test_page_word_embeddings.py::test_bad_analogy_input_gets_a_message_not_a_traceback",
    ),
    ("word_embeddings", "10,000 words on the word map", "tests/test_page_word_embeddings.py"),
    ("word_embeddings", "own WEAT with an unknown word in X", "tests/test_page_word_embeddings.py"),
    ("word_embeddings", "unknown word for the map's axis", "tests/test_page_word_embeddings.py"),
    ("word_embeddings", "![x](https://…) as the neighbours word", "tests/test_security.py"),
    ("adversarial", "eps=abc, attack=nonsense, target=Spaceship", "tests/test_page_adversarial.py"),
    ("adversarial", "ImageNet tab without weights", "tests/test_page_adversarial.py"),
    ("clever_hans", "cls=Horse, fraction=7", "tests/test_page_clever_hans.py"),
    ("mugshots", "smile=7", "tests/test_page_mugshots.py"),
    ("carbon", "no grid chosen; 0 hours", "tests/test_page_carbon.py"),
    ("carbon", "size=XXL, epochs=99, images=-5", "tests/test_page_carbon.py"),
    ("(core)", "every refused upload and conversion, at core.images.load_image", "tests/test_images.py"),
    ("(all)", "corrupt ledger, read-only or full disk, raising tracker", "tests/test_faults.py"),
]


# ----------------------------------------------------------------------------- small runs, so nothing trains


@pytest.fixture(scope="module")
def prebuilt():
    """Small trained runs handed to the pages as if "Train" had been pressed; a tiny ImageNet stand-in.

    Adversarial and Clever Hans use seed :data:`S` on 64-600 Fashion-MNIST training images; the mugshot
    run (few faces, one epoch) stands in for the page's default configuration, whose faces the page
    draws anyway. Nothing here is left behind: the caches are cleared afterwards.
    """
    import core.demos.adversarial as adv
    import core.demos.clever_hans as ch
    import core.demos.mugshots as mg
    import core.demos.overfitting.memorise as mem
    import core.imagenet as imagenet
    from core.training import SharedRuns

    st.cache_resource.clear()
    st.cache_data.clear()
    mp = pytest.MonkeyPatch()
    real_adv_split, real_ch_split = adv.load_split, ch.load_split
    adv_split = tuple(part.subset(slice(0, n)) for part, n in zip(real_adv_split(S), (64, 120)))
    ch_split = tuple(part.subset(slice(0, n)) for part, n in zip(real_ch_split("fashion", S), (600, 300)))
    mp.setattr(adv.classifier, "load_split", lambda seed: adv_split if seed == S else real_adv_split(seed))
    mp.setattr(ch.experiment, "load_split", lambda source, seed: ch_split if seed == S else real_ch_split(source, seed))

    runs = {}
    preset = adv.ModelPreset(seed=S)
    runs[("adversarial", preset)] = adv.train_model(preset, split=adv_split)
    tag = ch.TagConfig(seed=S)
    for config in (tag, tag.baseline()):
        runs[("clever_hans", config)] = ch.train(config)
    small = mg.MugshotConfig(n_train=200, n_test=60, epochs=1)
    runs[("mugshots", small)] = runs[("mugshots", mg.MugshotConfig())] = mg.train(small)
    tiny = mem.MemoriseConfig(shuffled=1.0, n_train=100, n_test=100, epochs=3, seed=S)
    runs[mem.run_key(mem.MemoriseConfig(shuffled=1.0, seed=S))] = mem.train(tiny)  # stands in for the page's

    real_peek = SharedRuns.peek
    mp.setattr(SharedRuns, "peek", lambda self, key: runs[key] if key in runs else real_peek(self, key))

    with torch.random.fork_rng():  # leave the global generator as other tests expect it
        torch.manual_seed(S)
        stand_in = torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 8, stride=8),
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
            torch.nn.Linear(4, 1000),
        )
    mp.setattr(imagenet, "load_resnet18", lambda path=None: imagenet.Normalized(stand_in).eval())
    yield runs
    mp.undo()
    st.cache_resource.clear()  # later tests must not find the stand-ins
    st.cache_data.clear()


# ----------------------------------------------------------------------------- the sweep


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def shown(at: AppTest) -> list[str]:
    """Everything written to the visitor as a message, as markdown source."""
    return [e.value for kind in ("warning", "error", "info", "caption", "success") for e in getattr(at, kind)]


def same_value(typed, held) -> bool:
    """Whether a link's text asked for the value the widget holds (``"1e7"`` is 10,000,000.0)."""
    if isinstance(typed, list):  # a repeated parameter: the last one counts
        typed = typed[-1]
    try:
        return float(typed) == float(held)
    except (TypeError, ValueError):
        return str(typed) == str(held)


LIVE_MARKUP = re.compile(r"(?<!\\)\]\(|(?<!\\):red\[|(?<!\\)<script")  # a live link/image, colour, tag


def run_case(case: Case) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in case.query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{case.page}.py")
    at.run()
    if case.act or case.upload:
        assert_clean(at)
        if case.act:
            case.act(at)
        if case.upload:
            at.file_uploader[0].set_value(case.upload)
        at.run()
    return at


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_a_clear_message_or_a_valid_value(case, prebuilt):
    at = run_case(case)
    assert_clean(at)
    messages = shown(at)
    if case.message:
        assert any(case.message.lower() in unescaped(m).lower() for m in messages), messages
    for key, value in case.holds.items():
        held = at.session_state[key]
        assert held == (pytest.approx(value) if isinstance(value, float) else value), (key, held)
        bad = case.query.get(key)
        if bad is not None and not same_value(bad, held):  # a fallback: a copied link must not carry the bad value
            assert at.query_params.get(key) != bad, f"the bad value of {key} stayed in the address"
    if case.check:
        case.check(at)
    live = [m for m in messages if LIVE_MARKUP.search(m)]
    assert not live, f"user text rendered as markup: {live}"


def test_the_sweep_counts_at_least_50_distinct_cases_on_every_page():
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids), "duplicate case ids"
    described = [(c.page, c.bad.lower()) for c in CASES]
    assert len(set(described)) == len(described), "two rows of one page describe the same input"
    fed = [(c.page, repr(sorted(c.query.items())), c.upload and c.upload[1]) for c in CASES if not c.act]
    assert len(set(fed)) == len(fed), "two rows feed the same link or file"
    assert len(CASES) - len(ALSO_AT_CORE_LEVEL) >= 50  # even without the uploads test_images.py also covers
    assert ALSO_AT_CORE_LEVEL <= set(ids)
    per_page = {d.slug: sum(c.page == d.slug for c in CASES) for d in all_pages()}
    assert all(per_page.values()), f"a page has no bad-input case: {per_page}"
    assert {c.page for c in CASES} <= set(per_page), "a case names a page that does not exist"


# ----------------------------------------------------------------------------- the table for bench/RESULTS.md


def markdown_table() -> str:
    lines = ["| case id | page | bad input | fed as | outcome |", "|---|---|---|---|---|"]
    for c in CASES:
        bad, outcome = (text.replace("|", r"\|") for text in (c.bad, c.outcome()))
        also = " (same bytes also at core level: tests/test_images.py)" if c.id in ALSO_AT_CORE_LEVEL else ""
        lines.append(f"| {c.id} | {c.page} | {bad} | {c.fed()} | {outcome}{also} |")
    lines += ["", "| page | cases | of which links | widgets | uploads |", "|---|---|---|---|---|"]
    for slug in [d.slug for d in all_pages()]:
        fed = [c.fed().split()[0] for c in CASES if c.page == slug]
        lines.append(
            f"| {slug} | {len(fed)} | {fed.count('link')} | {len(fed) - fed.count('link') - fed.count('upload')}"
            f" | {fed.count('upload')} |"
        )
    lines += [
        f"| **total** | **{len(CASES)}** | | | |",
        "",
        f"Not counting the {len(ALSO_AT_CORE_LEVEL)} uploads whose bytes tests/test_images.py already refuses or "
        f"converts at core level: {len(CASES) - len(ALSO_AT_CORE_LEVEL)}.",
        "",
        "Covered elsewhere (not counted above):",
        "",
    ]
    lines += [f"- {page}: {what} — {where}" for page, what, where in COVERED_ELSEWHERE]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
