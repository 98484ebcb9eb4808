"""The shape of the house: core never imports streamlit, every page is registered."""

import ast
from pathlib import Path

from core.demos import all_pages
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
