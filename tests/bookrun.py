"""The book's chapters run as Quarto runs them, for the tests: the editions' chapter lists,
a study in its own cache, and each chapter's cells executed in order.

`run_chapter` executes a chapter in this process (one namespace per chapter, as Quarto's
one kernel per chapter, but without starting a kernel): the fork matrix runs every
chapter for a dozen parameter sets this way. test_book.py runs them in real Jupyter
kernels instead.
"""

from __future__ import annotations

import ast
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mnistcompare.book import qmd

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = ("study", "diverged")  # the Quarto profiles, one chapter list each (see _quarto.yml)


def quarto() -> str | None:
    """The Quarto the render check uses: $QUARTO (the Makefile passes its own), else `quarto` on PATH."""
    import shutil

    explicit = os.environ.get("QUARTO", "")
    return explicit if explicit and Path(explicit).is_file() else shutil.which("quarto")


def book_files(edition: str = "study") -> list[Path]:
    book = yaml.safe_load((ROOT / f"_quarto-{edition}.yml").read_text())["book"]
    return [ROOT / f for f in book["chapters"] + book.get("appendices", [])]


@contextmanager
def environment(**values: str | None):
    """os.environ with these values set (None: removed), restored afterwards."""
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute_info(folder: Path, base_format: str) -> Path:
    """The file Quarto names in QUARTO_EXECUTE_INFO, for one output format."""
    info = folder / f"execute-info-{base_format}.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": base_format}}}))
    return info


@dataclass
class Ran:
    """A chapter executed: each cell's displayed value (None when it shows nothing), what
    its `output: asis` cells printed, its inline values, and its namespace."""

    chapter: qmd.Chapter
    outputs: list = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    inline: dict = field(default_factory=dict)
    namespace: dict = field(default_factory=dict)

    @property
    def facts(self):
        return self.namespace.get("F")

    def output(self, label: str):
        """What the cell labelled `label` displays."""
        return next(out for cell, out in zip(self.chapter.cells, self.outputs) if cell.options.get("label") == label)

    def shown(self, starting: str):
        """The first Markdown output (a Statement) whose text starts with `starting`."""
        return next(out for out in self.outputs if hasattr(out, "text") and out.text.startswith(starting))


def run_chapter(path: Path) -> Ran:
    """Every cell of the chapter in order, in a fresh namespace, in this process; the value
    of a cell's last expression is what Quarto would display. Then every inline expression."""
    import contextlib
    import io

    ran = Ran(qmd.Chapter.read(path))
    for cell in ran.chapter.cells:
        tree = ast.parse(cell.code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(tree, str(path), "exec"), ran.namespace)
            value = eval(compile(ast.Expression(last.value), str(path), "eval"), ran.namespace) if last else None
        ran.outputs.append(value)
        ran.printed.append(out.getvalue())
    ran.inline = {expr: eval(expr, ran.namespace) for expr in ran.chapter.inline}
    return ran
