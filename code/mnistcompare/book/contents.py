"""The book's table of contents and its addresses: the chapters by name, in order, the
.qmd file of each, the repository, and where each chapter's notebook opens.

The chapters' modules (book/chapters/) and the notebook builder (book/notebooks.py) both
read this; neither imports the other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

# The chapters with Python, in the book's order, by the name of their .qmd file.
NAMES = (
    "index",
    "data-method",
    "numpy-network",
    "pytorch-network",
    "compiled-network",
    "training-comparison",
    "fairness",
    "errors",
    "pca",
    "decision-boundary",
    "study-vs-ours",
    "conclusions",
    "reproducibility",
)


def chapter_paths(root: Path) -> dict[str, Path]:
    """Each chapter's .qmd file, by name, in the book's order."""
    return {name: root / ("index.qmd" if name == "index" else f"chapters/{name}.qmd") for name in NAMES}


def repo_url(root: Path, environ: Mapping[str, str] | None = None) -> str:
    """The repository's address: https://github.com/$GITHUB_REPOSITORY in GitHub's CI, else
    `book: repo-url` in _quarto.yml, the one place it is written."""
    environ = os.environ if environ is None else environ
    if environ.get("GITHUB_REPOSITORY"):
        return f"https://github.com/{environ['GITHUB_REPOSITORY']}"
    return yaml.safe_load((root / "_quarto.yml").read_text())["book"]["repo-url"]


def colab_url(repo: str, name: str, branch: str = "notebooks") -> str:
    """Colab opens a notebook from a file in a GitHub branch: the publish workflow pushes the
    built notebooks to the branch `notebooks`."""
    return f"https://colab.research.google.com/github/{repo.removeprefix('https://github.com/')}/blob/{branch}/{name}.ipynb"
