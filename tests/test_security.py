"""Security and privacy of a public demo: caps, XSRF, no raw HTML, no unpickling, no user file on disk.

Each check reads the code or the config the server really uses, so a change that weakens one
fails here. The image pixel cap's enforcement (a bomb header refused before any pixel is
decoded, the byte cap) is tested in tests/test_images.py; here only that the cap is on by
default and that no page loosens it.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from core import images
from core.paths import REPO_ROOT

CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
UI_FILES = sorted([REPO_ROOT / "app.py", *REPO_ROOT.glob("pages/*.py"), *REPO_ROOT.glob("ui/*.py")])
CORE_FILES = sorted(REPO_ROOT.glob("core/**/*.py"))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def calls(path: Path):
    """Every call in a file, with a printable place."""
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call):
            yield node, f"{path.relative_to(REPO_ROOT)}:{node.lineno}"


def dotted(node: ast.AST) -> str:
    """``st.components.v1.html`` for the expression ``st.components.v1.html``; '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# ----------------------------------------------------------------------------- server settings


def test_config_caps_uploads_keeps_xsrf_and_hides_error_details():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 10  # MB
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True  # CORS off would make Streamlit drop XSRF
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False  # no telemetry leaves the server
    assert images.MAX_BYTES == config["server"]["maxUploadSize"] * 1024 * 1024  # the same cap in code


def test_streamlit_itself_reads_those_settings():
    """Streamlit's own parser, from the repository root (as `streamlit run app.py` does): a misspelt
    section or key would be silently ignored there, and this would see the default instead."""
    code = (
        "import json; from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(json.dumps({k: config.get_option(k) for k in ['server.maxUploadSize', "
        "'server.enableXsrfProtection', 'server.enableCORS', 'client.showErrorDetails', "
        "'browser.gatherUsageStats']}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options == {
        "server.maxUploadSize": 10,
        "server.enableXsrfProtection": True,
        "server.enableCORS": True,
        "client.showErrorDetails": "none",
        "browser.gatherUsageStats": False,
    }


def test_the_pixel_cap_is_on_by_default_and_no_page_loosens_it():
    defaults = inspect.signature(images.load_image).parameters
    assert defaults["max_pixels"].default == images.MAX_PIXELS <= 50_000_000
    assert defaults["max_bytes"].default == images.MAX_BYTES
    uses = [
        (call, where) for path in UI_FILES for call, where in calls(path) if dotted(call.func).endswith("load_image")
    ]
    assert uses, "no page loads an uploaded image any more: update this test"
    loosened = [where for call, where in uses if any(k.arg in ("max_pixels", "max_bytes") for k in call.keywords)]
    assert loosened == []


# ----------------------------------------------------------------------------- no user text as raw HTML


def module_constants(module: ast.Module) -> set[str]:
    """Names assigned once at module level to a string constant."""
    names = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            constant = isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            names[name] = constant and name not in names
    return {name for name, ok in names.items() if ok}


def test_no_unsafe_html_and_html_only_from_constants():
    unsafe, html_calls, dynamic = [], [], []
    for path in UI_FILES:
        constants = module_constants(tree(path))
        for call, where in calls(path):
            flag = keyword(call, "unsafe_allow_html")
            if flag is not None and not (isinstance(flag, ast.Constant) and flag.value is False):
                unsafe.append(where)
            if dotted(call.func).split(".")[-1] == "html" and dotted(call.func).split(".")[0] in ("st", "components"):
                html_calls.append(where)
                body = call.args[0] if call.args else keyword(call, "body")
                if not (
                    isinstance(body, ast.Constant)
                    and isinstance(body.value, str)
                    or isinstance(body, ast.Name)
                    and body.id in constants
                ):
                    dynamic.append(where)
    assert unsafe == [], f"unsafe_allow_html=True at {unsafe}"
    assert dynamic == [], f"st.html with a value built at run time at {dynamic}"
    assert html_calls, "the scan found no st.html at all (the presenter CSS uses one): is it still working?"


def test_no_custom_components_or_iframes():
    """Custom components and iframes run arbitrary HTML/JS; none is needed."""
    found = [
        where
        for path in UI_FILES
        for call, where in calls(path)
        if "components" in dotted(call.func) or dotted(call.func).endswith(".iframe")
    ]
    assert found == []


# ----------------------------------------------------------------------------- no unpickling

PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "joblib", "shelve", "marshal", "cloudpickle"}


def test_nothing_is_unpickled():
    problems, torch_loads = [], []
    for path in CORE_FILES + UI_FILES:
        for node in ast.walk(tree(path)):
            where = f"{path.relative_to(REPO_ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] in PICKLE_MODULES for a in node.names):
                problems.append(f"{where} imports a pickle module")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PICKLE_MODULES:
                problems.append(f"{where} imports from a pickle module")
            if not isinstance(node, ast.Call):
                continue
            name = dotted(node.func)
            if name == "torch.load":
                torch_loads.append(where)
                flag = keyword(node, "weights_only")
                if not (isinstance(flag, ast.Constant) and flag.value is True):
                    problems.append(f"{where} torch.load without weights_only=True")
            if name in ("torch.hub.load", "torch.jit.load", "pd.read_pickle", "pandas.read_pickle"):
                problems.append(f"{where} {name} runs or unpickles code")
            if name.endswith(".load") and name.split(".")[0] in ("np", "numpy"):
                flag = keyword(node, "allow_pickle")
                if flag is not None and not (isinstance(flag, ast.Constant) and flag.value is False):
                    problems.append(f"{where} np.load with allow_pickle")
    assert problems == []
    assert torch_loads, "no torch.load found: the scan would not notice a bad one (update the test)"


# ----------------------------------------------------------------------------- uploads stay in memory

WRITERS = {
    "write_bytes",
    "write_text",
    "tofile",
    "mkstemp",
    "mkdtemp",
    "NamedTemporaryFile",
    "TemporaryFile",
    "SpooledTemporaryFile",
}  # write whatever they are given
TO_PATH = {"save", "to_csv", "to_json", "to_parquet", "to_pickle", "write_image", "write_html", "savefig", "dump"}


def _in_memory(node: ast.AST) -> bool:
    """``io.BytesIO()``/``StringIO()`` or a name for one (``buffer``): writing there is not writing a file."""
    if isinstance(node, ast.Call):
        return dotted(node.func).split(".")[-1] in ("BytesIO", "StringIO")
    return isinstance(node, ast.Name) and "buf" in node.id.lower()


def test_no_page_nor_the_image_loader_writes_a_file():
    """The code an upload passes through (the pages, the frame, core/images.py) opens nothing for writing."""
    writes = []
    for path in [*UI_FILES, REPO_ROOT / "core" / "images.py"]:
        for call, where in calls(path):
            name = dotted(call.func)
            if name == "os.open":  # flags, not a mode: any use is suspicious here
                writes.append(f"{where} os.open(...)")
            elif name in ("open", "io.open", "builtins.open") or (
                isinstance(call.func, ast.Attribute) and call.func.attr == "open" and name != "Image.open"
            ):
                position = 1 if name in ("open", "io.open", "builtins.open") else 0  # Path.open(mode)
                mode = call.args[position] if len(call.args) > position else keyword(call, "mode")
                if mode is not None and not (isinstance(mode, ast.Constant) and set(str(mode.value)) <= set("rbt")):
                    writes.append(f"{where} {ast.unparse(call.func)}(..., {ast.unparse(mode)})")
            elif name.startswith("shutil.") or isinstance(call.func, ast.Attribute) and call.func.attr in WRITERS:
                writes.append(f"{where} {ast.unparse(call.func)}(...)")
            elif isinstance(call.func, ast.Attribute) and call.func.attr in TO_PATH:
                target = (
                    call.args[0]
                    if call.args
                    else next(
                        (k.value for k in call.keywords if k.arg in ("path", "path_or_buf", "fp", "file", "fname")),
                        None,
                    )
                )
                if target is not None and not _in_memory(target):  # to_csv(index=False) returns text: fine
                    writes.append(f"{where} {ast.unparse(call.func)}({ast.unparse(target)}, ...)")
    assert writes == []


@pytest.fixture
def opened_files():
    """Files opened by this process while the test runs (Python's audit hook sees C-level opens too)."""
    seen: list[tuple[str, str]] = []
    _AUDIT["sink"] = seen
    yield seen
    _AUDIT["sink"] = None


_AUDIT: dict = {"sink": None}


def _audit(event: str, args: tuple) -> None:
    sink = _AUDIT["sink"]
    if sink is not None and event == "open" and args and isinstance(args[0], (str, bytes, Path)):
        sink.append((str(args[0]), str(args[1])))


sys.addaudithook(_audit)  # cannot be removed; does nothing unless a test has set the sink


def test_an_upload_is_decoded_without_touching_the_disk(opened_files):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    images.load_image(buffer.getvalue(), "upload.jpg")  # warm: imports Pillow's plugins and torch ops
    opened_files.clear()
    loaded = images.load_image(buffer.getvalue(), "upload.jpg")
    assert tuple(loaded.pixels.shape) == (3, 48, 64)
    assert opened_files == [], opened_files
    with pytest.raises(images.ImageError):
        images.load_image(b"not an image" * 10, "evil.png")
    assert [f for f in opened_files if any(c in f[1] for c in "wax+")] == []


# ----------------------------------------------------------------------------- privacy note


def test_home_page_says_what_is_stored_and_what_is_not():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    note = next(c.value for c in at.caption if c.value.startswith("Privacy"))
    for stored in ("carbon ledger", "one row per training run"):
        assert stored in note
    for not_stored in ("Uploaded images", "webcam", "words you type", "never written to disk"):
        assert not_stored.lower() in note.lower(), not_stored


# ----------------------------------------------------------------------------- user text shown as markdown

INJECTED = "![x](https://tracker.invalid/pixel.png)"  # markdown, not HTML: st.warning/st.caption render it


def test_a_word_from_a_crafted_link_is_not_rendered_as_markdown():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"word_embeddings.tab": "Neighbours", "word_embeddings.word": INJECTED})
    at.switch_page("pages/word_embeddings.py")
    at.run()
    shown = [
        e.value
        for kind in ("warning", "info", "error", "caption", "markdown", "success")
        for e in getattr(at, kind)
        if "tracker" in e.value
    ]  # escaped or not
    assert shown, "the word is no longer echoed at all: rewrite this test"
    live_markup = [text for text in shown if re.search(r"(?<!\\)\]\(", text)]  # an unescaped ](: a live link/image
    assert live_markup == []


def test_literal_escapes_markup_and_leaves_plain_words_alone():
    from ui.shell import literal

    assert literal("nurse") == "nurse" and literal("home maker") == "home maker"
    escaped = literal(INJECTED + " :red[x] $x$ **b**")
    assert not re.search(r"(?<!\\)[\[\]()!*$:]", escaped)  # every special character is escaped
    assert re.sub(r"\\(.)", r"\1", escaped) == INJECTED + " :red[x] $x$ **b**"  # and nothing else changed
