"""The render check on real renders: the real book, and a small book with one defect per chapter.

`make test` renders the real book's site in quick mode and runs the smoke check on it
(`python tools/check_render --smoke`: every chapter executes, no syntax leaks into the
text, every figure is there). The tests marked `full` (`make test-all`) run the whole
check (`make check-render`): the real book in both formats and both colour schemes, and
the small book, which must fail on each of its defects, the smoke check's too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from bookrun import ROOT
from check_render import cli
from check_render.plan import chapters
from conftest import cached_study, quick_environment
from mnistcompare.core import params as P
from renders import needs_browser, needs_quarto, render_book

MINI_BOOK = {
    "_quarto.yml": """
        project: {type: book, output-dir: _book}
        book:
          title: "A book with defects"
          output-file: mnist-numpy-vs-pytorch
          downloads: [pdf]
          chapters: [index.qmd, chapters/layout.qmd, chapters/fence.qmd, chapters/refs.qmd, chapters/charts.qmd,
                     chapters/image.qmd, chapters/nofigure.qmd]
        bibliography: references.bib
        execute: {echo: false}
        jupyter: python3
        format:
          html:
            theme: {light: [cosmo, theme/book.scss], dark: [cosmo, theme/book.scss, theme/dark.scss]}
            respect-user-color-scheme: true
            include-after-body: [theme/a11y.html, theme/schemes.html]
            toc: true
          pdf:
            documentclass: scrreprt
            include-in-header:
              text: |
                \\usepackage{fvextra}
                \\DefineVerbatimEnvironment{Highlighting}{Verbatim}{breaklines,commandchars=\\\\\\{\\}}
        """,
    "index.qmd": "# Preface {.unnumbered}\n\nA clean page [@lecun1998].\n",
    "chapters/fence.qmd": "# Fence\n\n```{python}\nx = 1\n```\n```\n\nText after a stray fence.\n",
    "chapters/refs.qmd": "# References gone wrong\n\nAs @fig-nothere shows.\n",
    "chapters/charts.qmd": """
        # Charts

        ```{python}
        #| label: fig-wide
        #| fig-cap: "A chart wider than the column, and an Altair repr in the PDF."
        import altair as alt
        import pandas as pd
        alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})).mark_line().encode(x="x", y="y").properties(width=1400)
        ```

        @fig-wide is too wide.
        """,
    "chapters/image.qmd": """
        # An image without alternative text

        ```{python}
        #| label: fig-noalt
        #| fig-cap: "A figure whose image has no alternative text."
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([1, 2, 3])
        fig
        ```

        @fig-noalt says nothing to a screen reader.
        """,
    "chapters/nofigure.qmd": """
        # A figure cell that shows nothing

        ```{python}
        #| label: fig-nothing
        #| fig-cap: "A figure whose plot returned None: Quarto leaves it out."
        None
        ```
        """,
    # The printed pages: a nearly empty page mid-chapter, a figure left alone on a float page
    # at the chapter's end, pages after its reference, a code line wrapped with ↪, and one
    # that cannot be wrapped (no space in it) running into the margin. (Before the stray
    # fence, which in the PDF swallows every chapter after its own.)
    "chapters/layout.qmd": textwrap.dedent("""
        # Layout

        @fig-alone is referred to here, on the chapter's first page.

        ```{=latex}
        \\newpage
        ```

        One line, and then a new page: this page, in the middle of the chapter, is nearly empty.

        ```{=latex}
        \\newpage
        ```

        ```python
        def train_epoch(model, X, y, order, batch_size, lr, momentum, weight_decay, nesterov, dampening, foreach):
            return "a line of code longer than the page is wide, wrapped with a continuation mark"

        token = "a_string_without_a_single_space_in_it_so_that_no_line_break_can_be_made_and_it_runs_on_into_the_margin"
        ```

        FILLER

        ```{python}
        #| label: fig-alone
        #| fig-cap: "A small figure that may go only on a page of floats (fig-pos p): alone at the chapter's end."
        #| fig-pos: p
        #| fig-alt: "A line chart of three points."
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(3, 1.5))
        ax.plot([1, 3, 2])
        fig
        ```
        """).replace(
        "FILLER",
        "\n\n".join(
            [
                "This paragraph fills pages so that the chapter runs on and the figure is printed far from "
                "its reference. " * 8
            ]
            * 12
        ),
    ),
}


@pytest.fixture(scope="module")
def defective_book(tmp_path_factory):
    return render_book(tmp_path_factory.mktemp("defects"), MINI_BOOK)


@pytest.mark.full
@needs_quarto
@needs_browser
def test_check_fails_on_each_injected_defect(defective_book):
    report = cli.check(defective_book / "_book", defective_book)
    problems = "\n".join(report.problems)
    assert "site chapters/fence.html: code fence" in problems, problems
    assert "site chapters/refs.html: unresolved cross-reference" in problems, problems
    assert "PDF: object repr" in problems, problems
    assert "site chapters/charts.html: chart" in problems and "wider than the text column" in problems, problems
    assert "site chapters/charts.html at 400 px: chart" in problems, problems  # too wide on a phone as well
    assert "site chapters/image.html: accessibility: critical image-alt" in problems, problems
    # The printed pages of the chapter "1 Layout" (its first and last pages are not measured
    # for fill, but a float page is, wherever it is).
    assert "(mid-chapter page of chapter '1 Layout') is " in problems, problems
    assert "(float page of chapter '1 Layout') is " in problems, problems
    assert "Figure 1.1 is first referred to on page" in problems, problems
    assert "code line(s) too long for the page, wrapped with \u21aa" in problems, problems
    assert "into the right margin" in problems, problems
    assert not re.search(r"chapter '[2-5] ", problems), problems  # the other chapters' pages are filled
    # A page without a defect is not blamed.
    assert "site index.html" not in problems, problems
    # The smoke check, on the same render, finds what it looks for: leaks, and a figure left out.
    smoke = "\n".join(cli.smoke(defective_book / "_book", defective_book).problems)
    assert "site chapters/fence.html: code fence" in smoke, smoke
    assert "site chapters/refs.html: unresolved cross-reference" in smoke, smoke
    assert "site chapters/nofigure.html: figure fig-nothing is not on the page" in smoke, smoke
    assert "site index.html" not in smoke and "chapters/charts.html: figure" not in smoke, smoke


def test_the_check_runs_as_a_folder_with_make_s_options(tmp_path):
    """`python tools/check_render` (as the Makefile runs it): its options, and bad usage."""
    check = [sys.executable, str(ROOT / "tools" / "check_render")]
    shown = subprocess.run([*check, "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and all(o in shown.stdout for o in ("--book", "--live-cdn", "--smoke")), shown
    refused = subprocess.run([*check, "--book", str(tmp_path)], capture_output=True, text=True)
    assert refused.returncode == 2 and "holds no rendered book (no index.html)" in refused.stderr, refused


@pytest.mark.slow
@needs_quarto
def test_the_real_book_renders_and_reads(capsys, quick_cache):
    """The smoke test of `make test`: the site alone rendered in quick mode (in a temporary
    folder, as `make check-render` renders), every chapter executed, no syntax in its text,
    every figure on its page. Its quick study is the one the other tests of the book share."""
    with quick_environment(quick_cache, QUARTO_PROJECT_ROOT=None):
        cached_study(P.load(ROOT / "params.yml"), quick_cache)
        assert cli.main(["--smoke"]) == 0
    assert f"the site ({len(chapters(ROOT))} chapters) reads as it should, with its figures" in capsys.readouterr().out


@pytest.mark.full
@needs_quarto
@needs_browser
def test_the_real_book_passes_the_render_check(capsys, quick_cache):
    """`make check-render`: the book rendered in quick mode (in a temporary folder, as the
    Makefile runs it) reads as it should, in both formats and both colour schemes."""
    with quick_environment(quick_cache, QUARTO_PROJECT_ROOT=None):
        cached_study(P.load(ROOT / "params.yml"), quick_cache)
        assert cli.main([]) == 0
    assert f"the site ({len(chapters(ROOT))} chapters) and the PDF read as they should" in capsys.readouterr().out
