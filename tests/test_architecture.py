"""The package's layout: steps as subpackages, no import circles, package data found wherever kamnb is installed."""
from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kamnb"
STEPS = ("classification", "qualification", "relationships", "value", "whitespace")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> kamnb modules it imports (module level and inside functions; not under TYPE_CHECKING).

    The root package's lazy ``__getattr__`` imports run on first attribute use, never at import,
    so they are left out.
    """
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip.update(id(n) for n in ast.walk(node))
        if name == "kamnb":
            for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
                skip.update(id(n) for n in ast.walk(fn))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("kamnb"))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("kamnb"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else str(node.module))
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert cycles(import_graph()) == []


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def too_long(root: Path = PACKAGE) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions over MAX_FUNCTION_LINES (from ``def`` to their last line)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_module_over_500_lines_and_no_function_over_80() -> None:
    assert too_long() == []


def test_the_size_check_finds_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    package = tmp_path / "kamnb"
    package.mkdir()
    (package / "long.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    (package / "short.py").write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    assert too_long(package) == [f"kamnb/long.py: {MAX_MODULE_LINES + 1} lines", f"kamnb/short.py:1 f: {MAX_FUNCTION_LINES + 1} lines"]


def test_the_check_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_a_step_never_imports_the_batch_or_the_workshop() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.split(".")[1:2] and name.split(".")[1] in STEPS:
            bad = {t for t in targets if t.startswith(("kamnb.batch", "kamnb.workshop", "kamnb.cli"))}
            assert not bad, f"{name} imports {sorted(bad)}"


@pytest.mark.parametrize("step", STEPS)
def test_each_step_face_composes_its_portfolio_columns(step: str) -> None:
    face = __import__(f"kamnb.{step}", fromlist=["portfolio_columns"])
    assert callable(face.portfolio_columns) and face.__doc__


def test_every_subpackage_says_what_it_holds() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init.relative_to(ROOT)} has no docstring"


def test_import_kamnb_is_light() -> None:
    code = "import sys, kamnb, kamnb.cli; print(sorted(m for m in ('pandas', 'matplotlib', 'nbformat') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_notebooks_defaults_and_templates_are_package_data() -> None:
    from kamnb.paths import DEFAULTS, NOTEBOOKS, TEMPLATES

    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} >= {"01_classification.ipynb", "workshop.ipynb"}
    assert (DEFAULTS / "settings.yaml").is_file() and (TEMPLATES / "review").is_dir()
    assert (ROOT / "notebooks").resolve() == NOTEBOOKS.resolve()  # the top-level folder analysts open


@pytest.mark.slow
def test_the_built_wheel_holds_the_notebooks_defaults_and_templates(tmp_path: Path) -> None:
    import shutil

    source = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".git", "reports", "build", "*.egg-info", "__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next(tmp_path.glob("kamnb-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in (ROOT / "kamnb" / "notebooks").glob("*.ipynb"):
        assert f"kamnb/notebooks/{notebook.name}" in names
    assert "kamnb/defaults/settings.yaml" in names and "kamnb/templates/review/index.html.j2" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[papermill.engine]" in text and "kamnb = kamnb.batch.papermill_engine:WarmEngine" in text


def test_papermill_finds_the_kamnb_engine_by_its_entry_point(tmp_path: Path) -> None:
    installed = [e for e in importlib.metadata.entry_points(group="papermill.engine") if e.name == "kamnb"]
    if not installed:
        pytest.skip("kamnb's package metadata is not installed here (a checkout on PYTHONPATH): the entry point cannot be seen")
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("print(x * 6)")],
                                 metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                           "language_info": {"name": "python"}})
    source = tmp_path / "in.ipynb"
    nbformat.write(nb, source)
    done = subprocess.run([sys.executable, "-m", "papermill", "--engine", "kamnb", "-k", "python3", "-p", "x", "7", str(source), str(tmp_path / "out.ipynb")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "42\n"


def html_escape_uses(tree: ast.AST) -> list[int]:
    """Lines of ``tree`` that reach :func:`html.escape` directly: ``from html import escape`` or ``html.escape`` under any alias."""
    aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.name == "html"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "html" and any(a.name in ("escape", "*") for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "escape" and isinstance(node.value, ast.Name) and node.value.id in aliases:
            lines.append(node.lineno)
    return sorted(lines)


def test_html_is_escaped_by_one_function_only() -> None:
    """Every module escapes HTML through kamnb.common.tables.escape; only that module calls html.escape."""
    own = PACKAGE / "common" / "tables.py"
    found = {
        str(p.relative_to(ROOT)): lines
        for p in sorted(PACKAGE.rglob("*.py"))
        if p != own and (lines := html_escape_uses(ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert found == {}, f"use kamnb.common.tables.escape instead of html.escape in: {found}"
    assert html_escape_uses(ast.parse(own.read_text(encoding="utf-8")))


def test_the_escape_check_finds_every_spelling() -> None:
    code = "import html\nimport html as h\nfrom html import escape\nhtml.escape('x')\nh.escape('y')\nhtml.unescape('z')\n"
    assert html_escape_uses(ast.parse(code)) == [3, 4, 5]
