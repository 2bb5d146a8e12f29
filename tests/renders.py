"""Real renders for the render check's tests (tools/check_render): whether Quarto and a
browser are here, and a small Quarto book written from its files and rendered."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bookrun import ROOT
from check_render.browser import CHROMIUM
from check_render.render import pinned_quarto_version, quarto_command

QUARTO = quarto_command()
needs_quarto = pytest.mark.skipif(
    QUARTO is None,
    reason=f"Quarto is not installed: the render check needs a real render (make quarto, or install Quarto "
    f"{pinned_quarto_version()} and TinyTeX)",
)


def _has_browser() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file() or bool(shutil.which("chromium"))


needs_browser = pytest.mark.skipif(not _has_browser(), reason="no Chromium for Playwright (Debian's chromium package)")


def render_book(project: Path, files: dict[str, str], *to: str) -> Path:
    """Write a book's files (each dedented) into `project`, with the project's own theme and
    bibliography, and render it (every format, or only those in `to`); returns `project`."""
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text).lstrip())
    shutil.copy(ROOT / "references.bib", project / "references.bib")
    shutil.copytree(ROOT / "theme", project / "theme")  # the book's own accessible theme: only defects are blamed
    formats = [arg for fmt in to for arg in ("--to", fmt)]
    env = {**os.environ, "QUARTO_PYTHON": sys.executable}
    done = subprocess.run(
        [QUARTO, "render", *formats], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return project
