"""The book's plan, as the render check reads it: the project's folder, the PDF's name, the
chapters a profile (an edition) lists, their pages, the bibliography's keys, and the
report every check adds its problems to."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PDF_NAME = "mnist-numpy-vs-pytorch.pdf"


@dataclass
class Report:
    """What a check found: problems (each fails the check) and notes (what was measured)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, where: str, found: list[str]) -> None:
        self.problems += [f"{where}: {p}" for p in found]


def active_profile(project: Path, profile: str | None = None) -> str | None:
    """The Quarto profile a render uses: the one given, else $QUARTO_PROFILE, else the
    project's `profile: default`."""
    base = yaml.safe_load((project / "_quarto.yml").read_text()) or {}
    return profile or os.environ.get("QUARTO_PROFILE") or (base.get("profile") or {}).get("default")


def chapters(project: Path, profile: str | None = None) -> list[str]:
    """The .qmd files of the book in order (chapters, then appendices) under a profile:
    _quarto.yml's lists with _quarto-<profile>.yml's appended, as Quarto merges them."""
    configs = [project / "_quarto.yml"]
    name = active_profile(project, profile)
    if name:
        configs.append(project / f"_quarto-{name}.yml")
    books = [(yaml.safe_load(f.read_text()) or {}).get("book", {}) for f in configs if f.is_file()]
    listed = []
    for key in ("chapters", "appendices"):
        for entry in (e for book in books for e in book.get(key, [])):
            if isinstance(entry, dict):  # a `part:` with its own chapters
                listed += entry.get("chapters", [])
            else:
                listed.append(entry)
    return listed


def html_name(qmd: str) -> str:
    return str(Path(qmd).with_suffix(".html"))


def bib_keys(project: Path) -> set[str]:
    bib = project / "references.bib"
    return set(re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(), re.M)) if bib.is_file() else set()
