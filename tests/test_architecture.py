"""The shape of the house: the demo contract, thin pages, core free of Streamlit, files small enough to project.

The contract (core/demos/__init__.py): from a demo's slug alone a newcomer finds its page
``pages/<slug>.py``, its logic ``core/demos/<slug>[.py|/]``, its tests ``tests/test_<slug>.py`` and
``tests/test_page_<slug>.py``, and its benchmark ``bench/bench_<slug>.py``. Everything else in
``core/`` is a building block shared by demos.
"""

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import core
from core.demos import DEMOS, all_pages
from core.errors import LabError
from core.paths import REPO_ROOT


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_streamlit():
    offenders = [
        p.name
        for p in (REPO_ROOT / "core").rglob("*.py")
        if any(m == "streamlit" or m.startswith("streamlit.") for m in imported_modules(p))
    ]
    assert offenders == []


def test_every_page_file_is_in_the_navigation_and_vice_versa():
    files = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "pages").glob("*.py")}
    registered = {d.page_path for d in all_pages()}
    assert files == registered
    assert len({d.slug for d in all_pages()}) == len(all_pages())


def test_every_page_starts_with_the_shell_guard():
    """Deep links on a fresh server run a page without app.py; the guard fixes that (see ui/shell.py)."""
    for demo in all_pages():
        tree = ast.parse((REPO_ROOT / demo.page_path).read_text(encoding="utf-8"))
        calls = [
            n.value.func.id
            for n in tree.body
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Name)
        ]
        assert calls and calls[0] == "require_shell", demo.page_path


def test_torchvision_only_through_the_compat_module():
    for path in [*REPO_ROOT.glob("core/**/*.py"), *REPO_ROOT.glob("pages/*.py"), *REPO_ROOT.glob("ui/*.py")]:
        if path.name == "torchvision_compat.py":
            continue
        assert not any(m == "torchvision" or m.startswith("torchvision.") for m in imported_modules(path)), path


def test_every_demo_has_a_lesson_line():
    for demo in all_pages()[1:]:
        assert demo.lesson and "\n" not in demo.lesson, demo.slug


# ----------------------------------------------------------------------------- the demo contract

MAX_CORE_LINES = 500  # a module a lecturer can read, or project, in one sitting
# Suites that test the lab as a whole rather than one module: a name here must say why it exists.
CROSS_CUTTING_SUITES = {
    "architecture": "this file",
    "bad_inputs": "every page's bad-input sweep",
    "browser": "headless Chromium against a real server",
    "faults": "what every page does when an asset, the ledger or a dependency fails",
    "load": "twenty sessions at once",
    "offline": "no network, no request to another host",
    "pages": "every page renders (AppTest)",
    "provenance_plots": "core/provenance.py and core/plots.py together",
    "security": "uploads are never written, unpickled or executed",
    "scale_out_cluster": "deploy/scale_out: PostgreSQL, replicas and nginx running on loopback, driven by a browser",
    "scale_out_recipe": "deploy/scale_out's files: nginx.conf rendered from its template, compose.yaml without secrets",
}


def live_demos():
    return [d for d in DEMOS if d.is_live]


def test_every_demo_is_found_from_its_slug_alone():
    for demo in live_demos():
        for path in (demo.page_path, demo.test_path, demo.page_test_path, demo.bench_path):
            assert (REPO_ROOT / path).is_file(), f"{demo.slug}: {path} is missing"
        assert demo.core_path.is_file(), f"{demo.slug}: core/demos/{demo.slug}.py (or a package) is missing"
        module = importlib.import_module(demo.core_module)
        assert module.__doc__ and module.__doc__.strip().splitlines()[0] == demo.lesson, demo.slug


def test_core_demos_holds_only_registered_demos():
    """A demo module without a registered slug (or a building block filed as a demo) breaks the contract."""
    found = {m.name for m in pkgutil.iter_modules([str(REPO_ROOT / "core" / "demos")])}
    assert found == {d.slug for d in DEMOS}


def test_every_test_file_names_what_it_tests():
    """tests/test_<x>.py: a demo (or one part of it), a page, a building block in core/ or ui/, or a suite above."""
    slugs = {d.slug for d in DEMOS}
    blocks = {m.name for m in pkgutil.iter_modules(core.__path__)} | {p.stem for p in (REPO_ROOT / "ui").glob("*.py")}
    blocks |= {"page_stores"}  # ui/runs.py's stores, seen from the pages
    for path in (REPO_ROOT / "tests").glob("test_*.py"):
        name = path.stem.removeprefix("test_")
        named = (
            name in slugs
            or any(name.startswith(f"{s}_") for s in slugs)
            or name.removeprefix("page_") in slugs
            or name in blocks
            or name in CROSS_CUTTING_SUITES
        )
        assert named, f"{path.name}: name it after the demo slug or the module it tests"


def test_no_core_file_is_too_long_to_project():
    long = {
        p.relative_to(REPO_ROOT).as_posix(): n
        for p in (REPO_ROOT / "core").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_CORE_LINES
    }
    assert long == {}, f"split by lesson: {long}"


# ----------------------------------------------------------------------------- thin pages


def page_trees():
    return {d.slug: ast.parse((REPO_ROOT / d.page_path).read_text(encoding="utf-8")) for d in all_pages()}


def test_pages_do_no_tensor_work():
    """Tensor maths belongs in core, where it is tested and can be shown: a page never imports torch."""
    for demo in all_pages():
        modules = imported_modules(REPO_ROOT / demo.page_path)
        assert not any(m == "torch" or m.startswith("torch.") for m in modules), demo.page_path


def _lab_errors() -> dict[str, type]:
    """Every error class of core that is a LabError, by name."""
    found = {}
    for info in pkgutil.walk_packages(core.__path__, "core."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if isinstance(obj, type) and issubclass(obj, LabError):
                found[name] = obj
    return found


def test_pages_catch_only_the_lab_s_own_errors():
    """A page that catches ValueError turns a bug into a yellow warning; only LabErrors are the user's to fix.

    Anything else reaches the shell's logged error boundary (ui/shell.py).
    """
    lab_errors = _lab_errors()
    for slug, tree in page_trees().items():
        for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
            kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            for kind in kinds:
                name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", None)
                assert name in lab_errors, f"pages/{slug}.py line {handler.lineno} catches {name}"


def _cached_functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    yield node


def test_cached_functions_get_what_they_depend_on_as_arguments():
    """A cached function that looks a run up in a store depends on state that is not its argument:
    an evicted run fails inside it on None. Runs are passed in (unhashed, ``_run``)."""
    for slug, tree in page_trees().items():
        for fn in _cached_functions(tree):
            called = {
                n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
                for n in ast.walk(fn)
                if isinstance(n, ast.Call)
            }
            assert not called & {"peek", "get_or_run", "page_runs", "shared_runs"}, f"pages/{slug}.py {fn.name}"


def test_pages_share_the_machinery_instead_of_copying_it():
    """The run store, "show the code" and the Train gate live in ui/: a page never rebuilds them."""
    for slug, tree in page_trees().items():
        modules = imported_modules(REPO_ROOT / f"pages/{slug}.py")
        assert "inspect" not in modules, f"pages/{slug}.py: show code with ui.code.show_code"
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert "SharedRuns" not in names, f"pages/{slug}.py: use ui.runs.page_runs"
        assert not any(fn.name == "shared_runs" for fn in _cached_functions(tree)), f"pages/{slug}.py"


# ----------------------------------------------------------------------------- memory: what is imported when

# Libraries a page pays for only when it computes with them (bench/bench_memory.py measured each in a fresh
# interpreter: scikit-learn's metrics 146 MB, torchvision 87, scipy.stats 63, scipy.optimize 40, captum 35).
HEAVY_ON_DEMAND = ("sklearn", "scipy.optimize", "scipy.stats", "captum", "torchvision", "skimage")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(out.stdout.split())


def test_the_frame_and_the_table_of_contents_never_import_torch():
    """The home page must stay light: it imports the shell, the table of contents, the warm-up's progress and
    the asset checks; torch (~200 MB, ~2 s) only comes with a demo page."""
    loaded = _modules_after("import ui.shell, ui.warmup, ui.charts, ui.code, core.demos, core.data, core.glove")
    assert "torch" not in loaded


def test_importing_every_demo_loads_no_library_it_only_needs_on_demand():
    """Opening every page imports every demo module: the memory budget (690 MB, every page opened) holds only
    while the heavy libraries are imported inside the functions that use them. A new demo inherits this check."""
    loaded = _modules_after("; ".join(f"import {d.core_module}" for d in live_demos()))
    assert "torch" in loaded  # the check is real: the demos did load
    assert sorted(m for m in HEAVY_ON_DEMAND if m in loaded) == []
