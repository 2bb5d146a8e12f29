"""Where the project's files live: the parameters file, the data and the cache.

They live in the project's root, a checkout of this repository (`params.yml`, `data/`,
`_cache/`). The root is, the first that applies:

  1. $QUARTO_PROJECT_ROOT: Quarto sets it in a render, where each chapter runs with its
     own folder as working folder (and the tests set it for a fork's copy of the book);
  2. $MNISTCOMPARE_PROJECT_ROOT: a project named by hand, for a package installed
     without a project of its own;
  3. the checkout the package is installed from: an editable install (`make setup`, a
     notebook's `pip install -e`) imports `<checkout>/code/mnistcompare`, so the root is
     found from the package whatever the working folder (a notebook's, after Colab's
     "Restart session");
  4. the nearest folder at or above the working folder that is this project (a package
     installed into site-packages has no checkout);
  5. the working folder itself.

A folder is this project when it holds both `params.yml` and `_quarto.yml`, so an
unrelated `pyproject.toml` (or another Quarto project) above the working folder never
wins.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKERS = ("params.yml", "_quarto.yml")
ROOT_ENV = "MNISTCOMPARE_PROJECT_ROOT"
PACKAGE = Path(__file__).resolve().parents[1]  # the imported mnistcompare/ folder


def is_project(folder: Path) -> bool:
    """Whether `folder` is this project: it holds both `params.yml` and `_quarto.yml`."""
    return all((folder / marker).is_file() for marker in MARKERS)


def checkout(package: Path | None = None) -> Path | None:
    """The checkout the package is imported from (<checkout>/code/mnistcompare), or None
    when it is installed elsewhere, into site-packages say. `package`: the mnistcompare/
    folder (the imported one by default)."""
    root = (package or PACKAGE).parents[1]
    return root if is_project(root) else None


def project_root(start: Path | None = None) -> Path:
    """The project's root, as the module's docstring orders it. `start`: the working folder
    to search from (the current one by default)."""
    for name in ("QUARTO_PROJECT_ROOT", ROOT_ENV):
        if os.environ.get(name):
            return Path(os.environ[name])
    found = checkout()
    if found is not None:
        return found
    here = (start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if is_project(folder)), here)


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
