"""The package's layout is its architecture: core -> study -> book, imports only downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "code" / "mnistcompare"
LAYERS = ("core", "study", "book")  # each may import only the layers before it
MAY_IMPORT = {layer: set(LAYERS[:i]) for i, layer in enumerate(LAYERS)}


def imported_layers(path: Path, package: Path = PACKAGE) -> set[str]:
    """The other layers a module of the package imports from (relative and absolute imports)."""
    parts = path.relative_to(package).parts
    layer, depth = parts[0], len(parts) - 1  # depth 1 in a layer, 2 in a layer's subpackage
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == depth + 1:  # from .. import study / from ..core import x (a subpackage: ...core)
            target = (node.module or "").split(".")[0]
            names = [target] if target else [a.name for a in node.names]
        elif node.level == 0 and node.module and node.module.startswith("mnistcompare."):
            names = [node.module.split(".")[1]]
        else:  # from . import x: its own layer
            continue
        found |= {n for n in names if n in LAYERS and n != layer}
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for layer in LAYERS for p in (PACKAGE / layer).rglob("*.py")),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_imports_run_downwards(path):
    layer = path.relative_to(PACKAGE).parts[0]
    assert imported_layers(path) <= MAY_IMPORT[layer], f"{layer}/{path.name} imports {imported_layers(path)}"


def test_every_module_sits_in_a_layer():
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py", "cli.py"}
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(LAYERS)


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "core" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("from ..book import plots\nfrom .. import study\nfrom . import data\n")
    assert imported_layers(bad, tmp_path) == {"book", "study"}


def module_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package (dotted, without the package's name) and the package's
    modules it imports, at the top or inside a function."""
    modules = {
        ".".join(p.relative_to(package).with_suffix("").parts).removesuffix(".__init__"): p
        for p in package.rglob("*.py")
    }
    graph = {}
    for name, path in modules.items():
        pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = pkg[: len(pkg) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    full = f"{target}.{alias.name}" if target else alias.name
                    found.add(full if full in modules else target)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_two_modules_import_each_other_in_a_circle(graph=None):
    """A cycle (the chapters reading the notebook builder that reads the chapters) makes
    the order of imports matter; the modules form a tree of dependencies."""
    graph = graph or module_graph()

    def cycle_from(start, node, seen):
        for nxt in graph.get(node, ()):
            if nxt == start:
                return [node, nxt]
            if nxt not in seen:
                seen.add(nxt)
                found = cycle_from(start, nxt, seen)
                if found:
                    return [node, *found]
        return None

    cycles = {m: cycle_from(m, m, set()) for m in graph}
    assert not {m: c for m, c in cycles.items() if c}, cycles


def test_the_cycle_check_sees_a_cycle_inside_a_function(tmp_path):
    (tmp_path / "book" / "chapters").mkdir(parents=True)
    (tmp_path / "book" / "__init__.py").write_text("")
    (tmp_path / "book" / "notebooks.py").write_text("from .chapters import NAMES\n")
    (tmp_path / "book" / "chapters" / "__init__.py").write_text("def f():\n    from .. import notebooks\n")
    graph = module_graph(tmp_path)
    assert graph["book.notebooks"] == {"book.chapters"} and graph["book.chapters"] == {"book.notebooks"}
