"""Every chapter as a notebook (book/notebooks.py): built from its .qmd without Quarto, and
run as a reader runs it, in a fresh kernel, in quick mode, its figures drawn: from the
repository, from another folder with the package installed, and in a fresh environment
that clones and installs the repository."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from bookrun import ROOT
from mnistcompare.book import contents, notebooks
from mnistcompare.book.contents import NAMES
from nbclient import NotebookClient

QUARTO_MARKUP = re.compile(
    r"`\{python\}|^:::|\{\{<|\{#(?:sec|fig|tbl)-|(?<![\w`])@(?:sec|fig|tbl)-|\.content-visible", re.M
)
MARKER = re.compile(r"\*\*\[(\d+)\]\*\*")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks")
    paths = notebooks.build_all(ROOT, out, "https://github.com/someone/fork")
    return {p.stem: nbformat.read(p, as_version=4) for p in paths}


def test_one_notebook_per_chapter_with_set_up_quick_mode_and_data_first(built):
    assert list(built) == list(NAMES)
    for name, nb in built.items():
        kinds = [c.cell_type for c in nb.cells[:4]]
        assert kinds == ["markdown", "code", "code", "code"], name
        setup, quick, data = (c.source for c in nb.cells[1:4])
        assert 'REPOSITORY = "https://github.com/someone/fork"' in setup and "pip" in setup
        assert setup.splitlines()[-1] == "os.chdir(checkout)"  # whatever the notebook's folder
        assert "QUICK = True" in quick and "MNISTCOMPARE_QUICK" in quick
        assert "data.prepare" in data and data.splitlines()[-1].startswith("print(")  # one line, not the hashes
        assert nb.metadata["mnistcompare"]["chapter"] == name
        for cell in nb.cells:
            ast.parse(cell.source) if cell.cell_type == "code" else None  # valid Python
        assert any(f'book.chapter("{name}", S)' in c.source for c in nb.cells if c.cell_type == "code")


def test_the_prose_has_no_quarto_markup_and_each_marker_its_value(built):
    for name, nb in built.items():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown":
                continue
            assert not QUARTO_MARKUP.search(cell.source), f"{name}: {QUARTO_MARKUP.search(cell.source).group(0)!r}"
            markers = [int(n) for n in MARKER.findall(cell.source)]
            if markers:  # numbered from 1, and shown by the next cell, one value each
                assert markers == list(range(1, len(markers) + 1)), name
                values = nb.cells[i + 1]
                assert values.cell_type == "code" and values.source.splitlines()[-1].startswith("book.values(")
                call = ast.parse(values.source.splitlines()[-1]).body[0].value
                assert len(call.args) == len(markers), name


def test_the_repository_is_written_once_and_ci_names_its_own(tmp_path):
    assert (
        contents.repo_url(ROOT, environ={})
        == __import__("yaml").safe_load((ROOT / "_quarto.yml").read_text())["book"]["repo-url"]
    )
    assert contents.repo_url(ROOT, environ={"GITHUB_REPOSITORY": "someone/fork"}) == "https://github.com/someone/fork"
    assert (
        contents.colab_url("https://github.com/someone/fork", "fairness")
        == "https://colab.research.google.com/github/someone/fork/blob/notebooks/fairness.ipynb"
    )


def test_quarto_conditional_content_as_the_full_edition_shows_it():
    text = (
        'a [shown]{.content-visible unless-profile="diverged"} b\n\n::: {.content-visible when-profile="diverged"}\n'
        'hidden\n:::\n\n::: {.content-visible unless-profile="diverged"}\nkept\n:::\n'
        '::: {.content-visible when-format="html"}\n::: {.panel-tabset}\ntabs\n:::\n:::\n'
        '::: {.content-visible unless-format="html"}\n::: {.callout-note}\nin turn\n:::\n:::\n'
    )
    assert notebooks.full_edition(text) == "a shown b\n\n\nkept\n::: {.callout-note}\nin turn\n:::\n"


FIGURE_MIMES = ("image/png", "application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json", "text/html")


# make test runs three notebooks: the first, the one with the most figures and tables, and
# the compiled chapter; make test-all runs them all (every chapter also runs in the render).
EVERYDAY = ("index", "training-comparison", "compiled-network")


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=[] if n in EVERYDAY else [pytest.mark.full]) for n in NAMES])
def test_each_notebook_runs_in_a_fresh_kernel_and_draws_its_figures(name, built, quick_study_env, monkeypatch):
    """As a reader runs it in a checkout: a fresh kernel, quick mode (the first cells), the
    study read from the cache the other tests share. Every figure and table is produced,
    and every paragraph's values are shown."""
    nb = run(built[name], ROOT, monkeypatch)
    assert_shown(name, nb)


def readers_kernel(monkeypatch, **env):
    """The environment of a reader's kernel, not Quarto's: no render's variables, and no
    project named by hand."""
    for variable in ("QUARTO_EXECUTE_INFO", "QUARTO_PROJECT_ROOT", "MNISTCOMPARE_PROJECT_ROOT"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, value)


def run(nb, folder: Path, monkeypatch, kernel: str = "python3", **env):
    """A copy of the notebook run in a fresh kernel whose working folder is `folder`."""
    readers_kernel(monkeypatch, **env)
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    NotebookClient(nb, kernel_name=kernel, timeout=600, resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def text_of(cell) -> str:
    """What a code cell shows: its printed text and the plain text of its results."""
    return "".join(
        o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
        for o in cell.get("outputs", [])
    )


def assert_shown(name, nb):
    """The data cell shows one line; every figure and table is produced, and every
    paragraph's values are shown."""
    data = nb.cells[3]
    assert [o.output_type for o in data.outputs] == ["stream"], f"{name}: {data.outputs}"
    assert re.fullmatch(r"MNIST: the four files in .+ match their SHA-256\n", text_of(data)), text_of(data)
    assert not nb.cells[2].outputs, f"{name}: the quick-mode cell shows {text_of(nb.cells[2])!r}"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        data = (
            [
                o.get("data", {})
                for o in nb.cells[i + 1].get("outputs", [])
                if o.output_type in ("display_data", "execute_result")
            ]
            if i + 1 < len(nb.cells)
            else []
        )
        if cell.source.startswith("**Figure"):
            assert any(m in d for d in data for m in FIGURE_MIMES), f"{name}: {cell.source[:60]}: no figure"
        elif cell.source.startswith("**Table"):
            assert any("|" in d.get("text/markdown", "") for d in data), f"{name}: {cell.source[:60]}: no table"
        elif MARKER.search(cell.source):
            shown = "".join(d.get("text/markdown", "") for d in data)
            assert shown.count("**[") == len(MARKER.findall(cell.source)), f"{name}: values not shown"
            assert not re.search(r"(?i:\bnan\b|\binf\b)|\bNone\b", shown), shown


@pytest.mark.slow
def test_a_notebook_runs_from_another_folder_with_the_package_installed(built, quick_study_env, monkeypatch, tmp_path):
    """A downloaded notebook, opened in a folder outside the repository, in a kernel where
    the package is installed from the repository (`make setup`): the set-up cell finds the
    repository from the package, clones nothing, and works from there."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "unrelated"\n')  # never the project
    nb = run(with_probe(built["training-comparison"]), folder, monkeypatch)
    assert not nb.cells[1].outputs and list(folder.iterdir()) == []
    assert probed(nb) == {
        "package": str(ROOT / "code" / "mnistcompare"),
        "cwd": str(ROOT),
        "params": str(ROOT / "params.yml"),
    }
    assert_shown("training-comparison", nb)


PROBE = (
    "import json, os, mnistcompare\nfrom mnistcompare.core import paths\n"
    "print(json.dumps({'package': os.path.dirname(mnistcompare.__file__), 'cwd': os.getcwd(), "
    "'params': str(paths.params_file())}))"
)


def with_probe(nb):
    """The notebook with a last cell that prints where its package, working folder and
    parameters are."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    return nb


def probed(nb) -> dict:
    return json.loads(text_of(nb.cells[-1]))


@pytest.fixture(scope="module")
def fresh_environment(tmp_path_factory):
    """A Python environment without the package, as Colab's or a new virtual environment's:
    a new venv that imports this environment's packages (a .pth file naming a folder of
    links to them, less mnistcompare and its editable install, so pip neither sees nor
    touches them) and its own Jupyter kernel. Returns (its python, its JUPYTER_PATH)."""
    base = tmp_path_factory.mktemp("fresh")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    ours = Path(sysconfig.get_paths()["purelib"])
    links = base / "packages"
    links.mkdir()
    for entry in ours.iterdir():
        if not entry.name.startswith(("mnistcompare", "__editable__")) and entry.suffix != ".pth":
            (links / entry.name).symlink_to(entry)
    (site / "packages.pth").write_text(f"{links}\n")
    kernels = base / "jupyter" / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(python),
                    "-Xfrozen_modules=off",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                    "--IPKernelApp.log_level=ERROR",
                ],
                "display_name": "fresh",
                "language": "python",
            }
        )
    )
    outside = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    missing = subprocess.run([str(python), "-c", "import mnistcompare"], env=outside, capture_output=True, text=True)
    assert "No module named 'mnistcompare'" in missing.stderr, missing.stderr
    return python, base / "jupyter"


def repository_copy(folder: Path) -> Path:
    """This working tree as a repository of one commit (its tracked and unignored files, not
    data/ nor _cache/): what a clone of the pushed branch gets."""
    folder.mkdir()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    git = [
        "git",
        "-c",
        "user.name=test",
        "-c",
        "user.email=test@example.invalid",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "commit.gpgsign=false",
    ]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the working tree"]):
        subprocess.run([*git, *args], cwd=folder, check=True)
    return folder


@pytest.mark.slow
@pytest.mark.full  # it builds a virtual environment and installs the package: make test-all
def test_a_notebook_clones_and_installs_in_a_fresh_environment_and_runs_again_after_a_restart(
    fresh_environment, quick_study_env, monkeypatch, tmp_path
):
    """As in Colab or a new virtual environment: the package is missing, so the set-up cell
    clones the repository (here from a local copy) and installs it (offline: no index, no
    dependencies, no build isolation, set through pip's environment variables); then, as
    after Colab's "Restart session", a new kernel runs the same notebook from the same
    folder, where the package is installed and the folder is not the repository. MNIST is
    read from this checkout's data/ (MNISTCOMPARE_DATA_DIR: no network here) and the study
    from the tests' quick cache."""
    python, jupyter = fresh_environment
    origin = repository_copy(tmp_path / "origin")
    folder = tmp_path / "content"
    folder.mkdir()
    name = "training-comparison"
    nb = with_probe(notebooks.build(contents.chapter_paths(ROOT)[name], name, str(origin)))
    env = {
        "JUPYTER_PATH": str(jupyter),
        "PYTHONPATH": None,
        "MNISTCOMPARE_DATA_DIR": str(ROOT / "data"),
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # "0": no isolation
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    clone = folder / "mnistcompare-repo"
    expected = {"package": str(clone / "code" / "mnistcompare"), "cwd": str(clone), "params": str(clone / "params.yml")}
    first = run(nb, folder, monkeypatch, kernel="fresh", **env)
    assert (clone / "params.yml").is_file() and probed(first) == expected
    assert_shown(name, first)
    again = run(nb, folder, monkeypatch, kernel="fresh", **env)
    assert not again.cells[1].outputs, text_of(again.cells[1])  # neither cloned nor installed again
    assert probed(again) == expected
    assert_shown(name, again)
