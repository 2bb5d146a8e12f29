"""The book's .qmd files as Python reads them: includes expanded, code cells with their
options, inline expressions, and the prose around them.

Quarto does this itself when it renders; the tests, the fork matrix and the notebook
builder need the same view of a chapter where Quarto is not installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
INCLUDE = re.compile(r"^\{\{<\s*include\s+(\S+)\s*>\}\}[ \t]*$", re.M)
OPTION = re.compile(r"^#\|\s*([\w-]+):\s*(.*)$")


def expand(text: str, folder: Path) -> str:
    """The text with every `{{< include path >}}` replaced by that file (relative to
    `folder`, or to the project root with a leading /), recursively, as Quarto does."""

    def include(m: re.Match) -> str:
        name = m.group(1)
        path = (project_root(folder) / name.lstrip("/")) if name.startswith("/") else folder / name
        return expand(path.read_text(), path.parent).rstrip("\n")

    return INCLUDE.sub(include, text)


def project_root(folder: Path) -> Path:
    for f in (folder, *folder.parents):
        if (f / "_quarto.yml").is_file():
            return f
    return folder


@dataclass
class Cell:
    """A code cell: its options (the #| lines) and its Python (the rest)."""

    options: dict[str, str] = field(default_factory=dict)
    code: str = ""

    @property
    def source(self) -> str:
        return "".join(f"#| {k}: {v}\n" for k, v in self.options.items()) + self.code

    def python_lines(self) -> list[str]:
        """The lines of Python that do something: not blank, not a comment."""
        return [ln for ln in self.code.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def parse_cell(body: str) -> Cell:
    lines = body.splitlines(keepends=True)
    options, i = {}, 0
    while i < len(lines) and (m := OPTION.match(lines[i].rstrip("\n"))):
        options[m.group(1)] = m.group(2).strip()
        i += 1
    return Cell(options, "".join(lines[i:]))


@dataclass
class Chapter:
    """One .qmd file of the book, includes expanded."""

    path: Path
    text: str

    @classmethod
    def read(cls, path: Path) -> Chapter:
        path = Path(path)
        return cls(path, expand(path.read_text(), path.parent))

    @property
    def cells(self) -> list[Cell]:
        return [parse_cell(body) for body in CELL.findall(self.text)]

    @property
    def prose(self) -> str:
        """The Markdown outside the code cells."""
        return CELL.sub("", self.text)

    @property
    def inline(self) -> list[str]:
        """Every inline expression of the prose, in order."""
        return INLINE.findall(self.prose)

    def blocks(self) -> list[tuple[str, str | Cell]]:
        """The chapter in order: ("markdown", text) and ("code", Cell) blocks."""
        out: list[tuple[str, str | Cell]] = []
        pos = 0
        for m in CELL.finditer(self.text):
            out.append(("markdown", self.text[pos : m.start()]))
            out.append(("code", parse_cell(m.group(1))))
            pos = m.end()
        out.append(("markdown", self.text[pos:]))
        return [(kind, b) for kind, b in out if isinstance(b, Cell) or b.strip()]
