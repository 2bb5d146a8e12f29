"""The package's own code as the book lists it: fenced blocks of functions and classes,
without their docstrings, so that the book always shows the code that produced its numbers.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path


def source_of(module: str, *names: str) -> str:
    """Like source_block, for top-level functions or Class.method of one of the core's
    modules, read from its file without importing it (the PyTorch chapter shows
    torch_mlp without a warm render paying for `import torch`)."""
    from ..study.complexity import definition_source

    source = (Path(__file__).resolve().parents[1] / "core" / f"{module}.py").read_text()
    return f"```python\n{without_docstrings(definition_source(source, list(names))).rstrip()}\n```"


def source_block(*objects) -> str:
    """The package's own source of functions/classes as one fenced code block, so the
    book always shows the code that produced its numbers. The listing keeps the code and
    its comments and drops the docstrings (without_docstrings): the prose says what they say."""
    src = "\n\n".join(textwrap.dedent(inspect.getsource(o)) for o in objects)
    return f"```python\n{without_docstrings(src).rstrip()}\n```"


def without_docstrings(src: str) -> str:
    """Python source without the docstrings of its functions and classes: each docstring's
    lines are removed, and a body that was only a docstring becomes `...`. Comments, code and
    every other line are kept as they are, so the listing is still the code that ran."""
    import ast

    lines = src.splitlines()
    drop: set[int] = set()
    stub: dict[int, str] = {}  # first line of a docstring that was a whole body -> "..." at its indent
    for node in ast.walk(ast.parse(src)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        doc = node.body[0]
        if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str)):
            continue
        first, last = doc.lineno, doc.end_lineno or doc.lineno  # always set by ast.parse
        # Only a docstring on lines of its own (not `def f(): "doc"`, not `"doc"; x = 1`).
        # (ast's column offsets count UTF-8 bytes.)
        if (
            lines[first - 1].encode()[: doc.col_offset].strip()
            or lines[last - 1].encode()[doc.end_col_offset :].strip()
        ):
            continue
        drop.update(range(first, last + 1))
        if len(node.body) == 1:
            stub[first] = " " * doc.col_offset + "..."
    return "\n".join(stub.get(i, line) for i, line in enumerate(lines, 1) if i not in drop or i in stub)
