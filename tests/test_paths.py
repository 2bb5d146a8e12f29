"""The project's root (core/paths.py): a render's, a name given by hand, the checkout the
package is installed from, else the working folder's project; never an unrelated folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from bookrun import ROOT
from mnistcompare.core import paths


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A working folder outside the repository, below an unrelated pyproject.toml and an
    unrelated Quarto project; neither root variable set."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "unrelated"\n')
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n")
    folder = tmp_path / "notebooks" / "downloaded"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    for name in ("QUARTO_PROJECT_ROOT", paths.ROOT_ENV):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_the_checkout_the_package_is_installed_from_wins_over_the_working_folder(elsewhere):
    assert paths.checkout() == ROOT
    assert paths.project_root() == ROOT
    assert paths.params_file() == ROOT / "params.yml"


def test_a_render_or_a_name_given_by_hand_wins_over_the_checkout(elsewhere, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path / "named"))
    assert paths.project_root() == tmp_path / "named"
    monkeypatch.setenv("QUARTO_PROJECT_ROOT", str(tmp_path / "render"))
    assert paths.project_root() == tmp_path / "render"


def test_installed_without_a_checkout_the_working_folder_decides(elsewhere, tmp_path, monkeypatch):
    """Installed into site-packages: the nearest folder at or above the working folder that
    holds params.yml and _quarto.yml, else the working folder; an unrelated pyproject.toml
    or Quarto project above it is not the project."""
    monkeypatch.setattr(paths, "PACKAGE", tmp_path / "venv" / "lib" / "site-packages" / "mnistcompare")
    assert paths.checkout() is None
    assert paths.project_root() == elsewhere
    project = tmp_path / "fork"
    (project / "chapters").mkdir(parents=True)
    for marker in paths.MARKERS:
        (project / marker).write_text("")
    monkeypatch.chdir(project / "chapters")
    assert paths.project_root() == project and paths.params_file() == project / "params.yml"
    monkeypatch.delenv("MNISTCOMPARE_CACHE_DIR", raising=False)
    assert paths.cache_dir() == project / "_cache"


def test_the_cli_reads_the_checkouts_parameters_from_any_folder(elsewhere):
    """`python -m mnistcompare params` run from outside the repository reads its params.yml,
    as it does from the repository itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNISTCOMPARE_") and k != "QUARTO_PROJECT_ROOT"}
    env["PYTHONPATH"] = str(ROOT / "code")
    ran = {
        cwd: subprocess.run(
            [sys.executable, "-m", "mnistcompare", "params"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for cwd in (elsewhere, ROOT)
    }
    assert [r.returncode for r in ran.values()] == [0, 0], [r.stderr for r in ran.values()]
    assert ran[elsewhere].stdout == ran[ROOT].stdout and "(params.yml)" in ran[ROOT].stdout
