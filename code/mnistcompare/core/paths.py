"""Where the project's files live: the parameters file, the data and the cache.

Quarto runs each chapter with the chapter's folder as working directory and sets
QUARTO_PROJECT_ROOT; the CLI and the tests run from the repository. Both find the
same root, so a chapter and `make run` read the same `params.yml` and `data/`.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKERS = ("_quarto.yml", "params.yml", "pyproject.toml")


def project_root(start: Path | None = None) -> Path:
    env = os.environ.get("QUARTO_PROJECT_ROOT")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in MARKERS):
            return folder
    return here


def data_dir(explicit: str | Path | None = None) -> Path:
    """--data-dir, else $MNISTCOMPARE_DATA_DIR, else <project root>/data."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MNISTCOMPARE_DATA_DIR")
    return Path(env) if env else project_root() / "data"


def params_file() -> Path:
    return project_root() / "params.yml"


def cache_dir() -> Path:
    env = os.environ.get("MNISTCOMPARE_CACHE_DIR")
    return Path(env) if env else project_root() / "_cache"
