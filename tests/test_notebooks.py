"""Every chapter as a notebook (book/notebooks.py): built from its .qmd without Quarto, and
run as a reader runs it, in a fresh kernel, in quick mode, its figures drawn."""

from __future__ import annotations

import ast
import re

import nbformat
import pytest
from nbclient import NotebookClient

from bookrun import ROOT
from mnistcompare.book import contents, notebooks
from mnistcompare.book.contents import NAMES

QUARTO_MARKUP = re.compile(r"`\{python\}|^:::|\{\{<|\{#(?:sec|fig|tbl)-|(?<![\w`])@(?:sec|fig|tbl)-|\.content-visible",
                           re.M)
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
        assert "QUICK = True" in quick and "MNISTCOMPARE_QUICK" in quick
        assert "data.prepare" in data
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
    assert contents.repo_url(ROOT, environ={}) == __import__("yaml").safe_load(
        (ROOT / "_quarto.yml").read_text())["book"]["repo-url"]
    assert contents.repo_url(ROOT, environ={"GITHUB_REPOSITORY": "someone/fork"}) == "https://github.com/someone/fork"
    assert contents.colab_url("https://github.com/someone/fork", "fairness") == \
        "https://colab.research.google.com/github/someone/fork/blob/notebooks/fairness.ipynb"


def test_quarto_conditional_content_as_the_full_edition_shows_it():
    text = ('a [shown]{.content-visible unless-profile="diverged"} b\n\n::: {.content-visible when-profile="diverged"}\n'
            'hidden\n:::\n\n::: {.content-visible unless-profile="diverged"}\nkept\n:::\n'
            '::: {.content-visible when-format="html"}\n::: {.panel-tabset}\ntabs\n:::\n:::\n'
            '::: {.content-visible unless-format="html"}\n::: {.callout-note}\nin turn\n:::\n:::\n')
    assert notebooks.full_edition(text) == "a shown b\n\n\nkept\n::: {.callout-note}\nin turn\n:::\n"


FIGURE_MIMES = ("image/png", "application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json", "text/html")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_runs_in_a_fresh_kernel_and_draws_its_figures(name, built, quick_study_env, monkeypatch):
    """As a reader runs it in a checkout: a fresh kernel, quick mode (the first cells), the
    study read from the cache the other tests share. Every figure and table is produced,
    and every paragraph's values are shown."""
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)  # a reader's kernel, not Quarto's
    nb = built[name]
    NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(ROOT)}}).execute()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        data = [o.get("data", {}) for o in nb.cells[i + 1].get("outputs", [])
                if o.output_type in ("display_data", "execute_result")] if i + 1 < len(nb.cells) else []
        if cell.source.startswith("**Figure"):
            assert any(m in d for d in data for m in FIGURE_MIMES), f"{name}: {cell.source[:60]}: no figure"
        elif cell.source.startswith("**Table"):
            assert any("|" in d.get("text/markdown", "") for d in data), f"{name}: {cell.source[:60]}: no table"
        elif MARKER.search(cell.source):
            shown = "".join(d.get("text/markdown", "") for d in data)
            assert shown.count("**[") == len(MARKER.findall(cell.source)), f"{name}: values not shown"
            assert not re.search(r"(?i:\bnan\b|\binf\b)|\bNone\b", shown), shown
