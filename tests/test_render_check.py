"""The render check (tools/check_render.py): what a reader of the site and the PDF gets.

The checker functions are tested on made-up text everywhere. Where Quarto is
installed, the real book is rendered in quick mode and must pass, and a small book
with one defect per chapter (a stray fence, an unresolved reference, a chart repr in
the PDF, a chart wider than the column) must fail on each of them.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_render", ROOT / "tools" / "check_render.py")
check_render = importlib.util.module_from_spec(_spec)
sys.modules["check_render"] = check_render
_spec.loader.exec_module(check_render)

QUARTO = check_render.quarto_command()
needs_quarto = pytest.mark.skipif(
    QUARTO is None,
    reason="Quarto is not installed: the render check needs a real render (make quarto, or "
    "../shared/tools/quarto/install on the project's machines)",
)


def _has_browser() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(check_render.CHROMIUM).is_file() or bool(shutil.which("chromium"))


needs_browser = pytest.mark.skipif(not _has_browser(), reason="no Chromium for Playwright (Debian's chromium package)")


# --------------------------------------------------------------------------- the checkers on made-up text


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Intro\n```\nmore", "code fence"),
        ("::: {.callout-note}\nA note", "Quarto div fence"),
        ("the gap is `{python} gap`", "inline code cell"),
        ("as @fig-curves shows", "unresolved cross-reference"),
        ("see ?@sec-data", "unresolved cross-reference"),
        ("As ?fig-nothere shows", "unresolved cross-reference"),
        ("MNIST [@lecun1998] is", "unresolved citation"),
        ("alt.Chart(...)", "object repr"),
        ("<IPython.core.display.Markdown object>", "object repr"),
    ],
)
def test_leaks_are_found(text, kind):
    found = check_render.leak_problems(text)
    assert any(kind in p for p in found), found


def test_clean_prose_and_code_pass():
    text = (
        "Figure 4.1 shows both networks; the loss is 0.0712 (LeCun et al. 1998). "
        "@dataclass\nclass Params: x = 1  # a decorator is not a reference. Email a@b.org."
    )
    assert check_render.leak_problems(text, {"lecun1998"}) == []


def test_an_unresolved_citation_key_is_found():
    assert check_render.leak_problems("as shown by lecun1998? in", {"lecun1998"})


def test_captions_and_numbering():
    site = check_render.captions("Figure 4.1: Training loss per epoch. Table 4.2: Peak memory of the loop.")
    assert site == {"Figure 4.1": "Training loss per epoch.", "Table 4.2": "Peak memory of the"}
    pdf = check_render.captions("Figure 4.1: Train-\ning loss per epoch\nTable 3.2: Peak memory of the loop")
    found = check_render.numbering_problems(site, pdf, "caption")
    assert any("'Table 4.2' is in the site but not in the PDF" in p for p in found)
    assert any("'Table 3.2' is in the PDF but not in the site" in p for p in found)
    assert not any("Figure 4.1" in p for p in found)  # hyphenated in the PDF: the same words
    chapters = check_render.numbering_problems({"Data and method": "2"}, {"Data and method": "1"}, "chapter")
    assert chapters == ["chapter 'Data and method': site '2', PDF '1'"]


def test_chart_problems():
    ok = {"id": "altair-viz-1", "marks": 12, "error": "", "right": 900.0, "column_right": 920.0, "width": 600.0}
    assert check_render.chart_problems([ok]) == []
    assert "wider than the text column" in check_render.chart_problems([{**ok, "right": 1000.0}])[0]
    assert "drew no marks" in check_render.chart_problems([{**ok, "marks": 0}])[0]
    assert "shows an error" in check_render.chart_problems([{**ok, "error": "Javascript Error: x"}])[0]
    image = {**ok, "id": "fig-gallery", "kind": "figure image", "right": 1000.0}
    assert check_render.chart_problems([image]) == [
        f"figure image fig-gallery is wider than the text column: it ends {1000.0 - ok['column_right']:.0f} px past it"
    ]


def test_accessibility_problems_are_the_critical_and_serious_violations():
    violations = [
        {
            "id": "image-alt",
            "impact": "critical",
            "help": "Images must have alternative text",
            "nodes": 2,
            "target": "img",
        },
        {"id": "color-contrast", "impact": "serious", "help": "contrast", "nodes": 1, "target": "p > a"},
        {"id": "region", "impact": "moderate", "help": "landmarks", "nodes": 9, "target": "div"},
    ]
    found = check_render.accessibility_problems(violations)
    assert len(found) == 2 and found[0].startswith("accessibility: critical image-alt") and "2 element(s)" in found[0]
    assert check_render.accessibility_problems(violations[2:]) == []


def test_a_page_wider_than_a_phone_is_a_problem():
    assert check_render.overflow_problems({"page": 400, "window": 400}, "page") == []
    assert "scrolls sideways" in check_render.overflow_problems({"page": 885, "window": 400}, "page")[0]


def test_a_chart_drawn_while_hidden_is_a_problem():
    """A chart as wide as its container, drawn while its scheme was hidden, shows 0 px wide."""
    ok = {"id": "fig-time", "marks": 12, "error": "", "right": 900.0, "column_right": 920.0, "width": 600.0}
    assert check_render.chart_problems([ok]) == []
    assert check_render.chart_problems([{**ok, "width": 0.0}]) == [
        "chart fig-time is shown 0 px wide: drawn while hidden and not drawn again"
    ]


def test_colours_and_contrast():
    assert check_render.css_rgb("rgb(23, 25, 30)") == (23.0, 25.0, 30.0)
    assert check_render.css_rgb("rgba(0, 0, 0, 0.5)") == (0.0, 0.0, 0.0)
    assert check_render.css_rgb("#fff") == check_render.css_rgb("white") == (255.0, 255.0, 255.0)
    assert check_render.css_rgb("#5D3A9B") == (93.0, 58.0, 155.0) and check_render.css_rgb("none") is None
    assert round(check_render.contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(check_render.contrast(check_render.css_rgb("#767676"), (255, 255, 255)), 2) == 4.54
    assert check_render.lightness(0.0) == 0 and round(check_render.lightness(1.0)) == 100
    assert 49 < check_render.lightness(check_render.luminance((119, 119, 119))) < 51  # mid grey is L* 50


def test_the_page_must_be_in_the_scheme_asked_for():
    dark = {"dark": True, "light": False, "background": "rgb(23, 25, 30)", "toggle": True}
    assert check_render.scheme_problems(dark, "dark") == []
    assert check_render.scheme_problems(dark, "light") == [
        "the page is not in the light scheme (it is dark)",
        "the page's background rgb(23, 25, 30) is not light",
    ]
    white = {"dark": True, "light": False, "background": "rgb(255, 255, 255)", "toggle": False}
    assert check_render.scheme_problems(white, "dark") == [
        "the page's background rgb(255, 255, 255) is not dark",
        "no light/dark toggle is shown",
    ]


def test_a_figure_must_match_the_scheme():
    figures = [
        {"id": "fig-a", "kind": "chart", "lightness": 8.0},
        {"id": "fig-b", "kind": "figure image", "lightness": 97.0},
    ]
    assert check_render.tone_problems(figures, "dark") == [
        "figure image fig-b is light in the dark scheme (its median lightness is L* 97)"
    ]
    assert check_render.tone_problems(figures, "light") == [
        "chart fig-a is dark in the light scheme (its median lightness is L* 8)"
    ]


def test_a_screenshot_s_lightness_is_its_median_pixel():
    import io

    from PIL import Image

    def png(colours):
        image = Image.new("RGB", (len(colours), 1))
        image.putdata(colours)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    mostly_dark = png([(23, 25, 30)] * 3 + [(255, 255, 255)] * 2)  # a dark chart with some light marks
    assert check_render.image_lightness(mostly_dark) < 15
    assert check_render.image_lightness(png([(255, 255, 255)] * 3 + [(0, 0, 0)])) > 99


def test_chart_colours_must_stand_out_from_the_background():
    chart = {
        "id": "fig-time",
        "background": "rgb(23, 25, 30)",
        "series": ["rgb(230, 97, 0)", "rgb(179, 157, 219)"],
        "text": ["rgb(228, 230, 235)"],
    }
    assert check_render.colour_problems([chart]) == []
    faint = {**chart, "series": ["rgb(93, 58, 155)", "rgb(93, 58, 155)"], "text": ["rgb(89, 89, 89)"]}
    assert check_render.colour_problems([faint]) == [
        "chart fig-time: line or point colour rgb(93, 58, 155) has 2.1:1 against its background rgb(23, 25, 30) "
        "(needs 3:1)",
        "chart fig-time: text colour rgb(89, 89, 89) has 2.5:1 against its background rgb(23, 25, 30) (needs 4.5:1)",
    ]


def test_link_problems(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "index.html").write_text('<h1 id="top">x</h1>')
    (tmp_path / "chapters" / "a.html").write_text('<section id="sec-a">a</section>')
    (tmp_path / "book.pdf").write_bytes(b"%PDF")
    ids = check_render.page_ids
    good = ["../index.html#top", "a.html#sec-a", "#sec-a", "../book.pdf", "https://example.org/x", "mailto:a@b"]
    assert check_render.link_problems(tmp_path, "chapters/a.html", good, ids) == []
    bad = check_render.link_problems(tmp_path, "chapters/a.html", ["b.html", "a.html#nothere"], ids)
    assert len(bad) == 2 and "missing file" in bad[0] and "no id 'nothere'" in bad[1]


def test_sri_matches():
    data = b"console.log(1)"
    import base64
    import hashlib

    sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert check_render.sri_matches(data, sri)
    assert not check_render.sri_matches(data + b" ", sri)


# --------------------------------------------------------------------------- the printed pages, made up


def _block():
    return check_render.TextBlock(top=76.0, bottom=704.0, left=80.0, right=515.0)  # 628 pt high


def _page(number, top, bottom, left=80.0, right=515.0):
    return check_render.PageInk(number, top, bottom, left, right)


def test_read_pgm_and_page_ink(tmp_path):
    """A page drawn as pdftoppm -gray writes it: ink above the page number is the body."""
    import numpy as np

    image = np.full((842, 595), 255, dtype=np.uint8)
    image[100:300, 80:515] = 0  # the body
    image[320:330, 80:515] = 0  # after a gap of 20 pt: part of it
    image[400:420, 80:515] = 0  # after a blank stretch of 70 pt, which is not
    image[735:745, 290:305] = 0  # the page number
    pgm = tmp_path / "p-1.pgm"
    pgm.write_bytes(b"P5\n# a comment\n595 842\n255\n" + image.tobytes())
    read = check_render.read_pgm(pgm)
    assert read.shape == (842, 595) and (read == image).all()
    ink = check_render.page_ink(1, read, footer_top=732.0)
    assert (ink.top, ink.bottom, ink.left, ink.right, ink.blank) == (100, 420, 80, 515, 70)
    assert check_render.page_ink(1, read, footer_top=None).bottom == 745  # without it, the number counts
    block = check_render.TextBlock(top=76.0, bottom=704.0, left=80.0, right=515.0)
    assert check_render.fill(ink, block) == pytest.approx((420 - 100 - 70) / 628)
    assert check_render.page_ink(2, np.full((842, 595), 255, dtype=np.uint8), None).top is None  # blank


def test_text_block_and_chapters():
    W = check_render.Word
    # Justified lines start and end at the text block's edges; a code line, a centred caption do not.
    words = [
        [
            W(80, 100, 110, 110, "Every"),
            W(480, 100, 515, 110, "line"),
            W(80, 114, 120, 124, "starts"),
            W(470, 114, 515.3, 124, "there."),
            W(100, 130, 300, 140, "Figure"),
            W(78, 150, 530, 160, "x=1"),
        ],
        [W(79.8, 100, 110, 110, "And"), W(490, 100, 514.8, 110, "ends")],
    ]
    assert check_render.text_edges(words) == (80.0, 515.0)
    assert check_render.page_number_tops([words[0] + [W(290, 732.3, 300, 747, "5")], words[1]], ["5", "6"]) == {
        1: 732.3
    }
    pages = [_page(1, 135, 690, 78, 517), _page(2, 76, 704), _page(3, 82, 400, 81, 514)]
    assert check_render.text_block(pages, (80.0, 515.0)) == check_render.TextBlock(76, 704, 80, 515)
    # "Appendices" (a part) and its first appendix start on the same page: the appendix is the chapter.
    chapters = check_render.book_chapters(
        [("Abstract", "", 4), ("Data", "1", 6), ("Appendices", "", 9), ("Reproducibility", "A", 9)], n_pages=12
    )
    assert [(c.title, c.number, c.first, c.last) for c in chapters] == [
        ("Abstract", "", 4, 5),
        ("Data", "1", 6, 8),
        ("Reproducibility", "A", 9, 12),
    ]


def test_fill_problems_find_sparse_float_and_mid_chapter_pages():
    block = _block()
    chapter = check_render.Chapter("Fairness", "5", first=22, last=27)
    pages = [
        _page(22, 135, 300),  # the first page: never measured
        _page(23, 231, 543),  # centred, with a caption: a float page, 50% full
        _page(24, 78, 693),  # full
        _page(25, 77, 300),  # mid-chapter, 36% full
        _page(26, 100, 530),  # a float at the top of a text page (starts 24 pt down): not a float page
        _page(27, 78, 120),
    ]  # the last page: never measured
    found, worst = check_render.fill_problems(pages, block, [chapter], {23: 1, 24: 1, 26: 1})
    assert found == [
        "PDF page 23 (float page of chapter '5 Fairness') is 50% full, under 60%",
        "PDF page 25 (mid-chapter page of chapter '5 Fairness') is 36% full, under 45%",
    ]
    assert worst["float page"] == (pytest.approx(312 / 628), 23) and worst["mid-chapter page"][1] == 25
    # A float page alone at a chapter's end is measured too, and passes when full enough.
    last = check_render.Chapter("Errors", "6", first=28, last=29)
    assert check_render.fill_problems([_page(29, 306, 474)], block, [last], {29: 1})[0] == [
        "PDF page 29 (float page of chapter '6 Errors') is 27% full, under 60%"
    ]
    assert check_render.fill_problems([_page(29, 100, 680)], block, [last], {29: 1})[0] == []


def test_side_problems_find_ink_in_the_margins():
    block = _block()
    ok = [_page(1, 76, 704, 77, 518)]  # code shading and protrusion stay within the tolerance
    assert check_render.side_problems(ok, block) == []
    found = check_render.side_problems([_page(2, 76, 704, 80, 540), _page(3, 76, 704, 60, 515)], block)
    assert found == [
        "PDF page 2: something runs 25 pt into the right margin (a line or table wider than the text)",
        "PDF page 3: something runs 20 pt into the left margin (a line or table wider than the text)",
    ]


def test_continuation_marks_are_found():
    texts = ["def f(x):\n    return x", "def train_epoch(model, X, y,\n\u21aa order, batch_size):"]
    found = check_render.continuation_problems(texts)
    assert len(found) == 1 and found[0].startswith(
        "PDF page 2: 1 code line(s) too long for the page, wrapped with \u21aa"
    )


def test_placement_problems():
    chapters = [
        check_render.Chapter("Data", "1", 1, 2),
        check_render.Chapter("Training", "2", 3, 6),
        check_render.Chapter("Reproducibility", "A", 7, 8),
    ]
    texts = [
        "as Table A.1 lists",
        "",  # an appendix table cited early: it stays in the appendix
        "Figure 2.1 shows the loss; Figure 2.2 the time.",
        "Figure 2.1: The loss.",  # next page: fine
        "Figure 2.2 again.",
        "Figure 2.2: The time.",  # two pages after its first reference
        "Table A.1: Parameters (see Table A.1)",
        "Table 2.3: A table printed in the appendix",
    ]
    assert check_render.placement_problems(texts, chapters) == [
        "PDF page 6: Figure 2.2 is first referred to on page 3; it should be there or on the next page",
        "PDF page 8: Table 2.3 is printed in chapter A ('Reproducibility')",
    ]
    # "Figure 2.10" is not a reference to Figure 2.1, nor is a caption.
    assert (
        check_render.placement_problems(
            ["Figure 2.10 shows", "", "", "Figure 2.1: x"], [check_render.Chapter("T", "2", 1, 4)]
        )
        == []
    )


def test_chapters_follow_quarto_yml():
    listed = check_render.chapters(ROOT)
    assert listed[0] == "index.qmd" and "chapters/reproducibility.qmd" in listed
    assert all((ROOT / q).is_file() for q in listed)


def test_chapters_follow_the_profile_rendered():
    full, diverged = check_render.chapters(ROOT, "study"), check_render.chapters(ROOT, "diverged")
    assert check_render.chapters(ROOT) == full  # the project's default profile
    assert diverged[0] == "index.qmd" and diverged[-1] == "chapters/reproducibility.qmd"
    assert set(diverged) < set(full) and "chapters/training-comparison.qmd" not in diverged


# --------------------------------------------------------------------------- real renders

MINI_BOOK = {
    "_quarto.yml": """
        project: {type: book, output-dir: _book}
        book:
          title: "A book with defects"
          output-file: mnist-numpy-vs-pytorch
          downloads: [pdf]
          chapters: [index.qmd, chapters/layout.qmd, chapters/fence.qmd, chapters/refs.qmd, chapters/charts.qmd,
                     chapters/image.qmd]
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
    project = tmp_path_factory.mktemp("defects")
    for name, text in MINI_BOOK.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text).lstrip())
    shutil.copy(ROOT / "references.bib", project / "references.bib")
    shutil.copytree(ROOT / "theme", project / "theme")  # the book's own accessible theme: only defects are blamed
    import os
    import subprocess

    env = {**os.environ, "QUARTO_PYTHON": sys.executable}
    done = subprocess.run([QUARTO, "render"], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return project


@pytest.mark.slow
@needs_quarto
@needs_browser
def test_check_fails_on_each_injected_defect(defective_book):
    report = check_render.check(defective_book / "_book", defective_book)
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


@pytest.mark.slow
@needs_quarto
@needs_browser
def test_the_real_book_passes_the_render_check(capsys, quick_cache):
    """`make check-render`: the book rendered in quick mode (in a temporary folder, as the
    Makefile runs it) reads as it should, in both formats. Its quick study is the one the
    other tests of the book share."""
    from conftest import cached_study, quick_environment
    from mnistcompare.core import params as P

    with quick_environment(quick_cache, QUARTO_PROJECT_ROOT=None):
        cached_study(P.load(ROOT / "params.yml"), quick_cache)
        assert check_render.main([]) == 0
    assert (
        f"the site ({len(check_render.chapters(ROOT))} chapters) and the PDF read as they should"
        in capsys.readouterr().out
    )


# --------------------------------------------------------------------------- light and dark, in a real render

# A site with a light and a dark scheme and one dark-mode defect per chapter; the site only
# (the browser checks), so Quarto renders HTML alone. It leaves out theme/schemes.html, the
# script that redraws the charts when the reader's system setting changes.
_LIGHT_DARK_CHART = """
    import altair as alt
    from IPython.display import HTML

    def chart(line, background, text, width):
        spec = alt.Chart({"values": [{"x": 1, "y": 2}, {"x": 2, "y": 1}, {"x": 3, "y": 3}]}).mark_line(color=line).encode(
            x="x:Q", y="y:Q").properties(width=width, height=150, description="A line over three points.").configure(
            background=background).configure_axis(labelColor=text, titleColor=text).to_dict()
        return alt.renderers.get()(spec, embed_options={"renderer": "svg"})["text/html"]

    def both(dark_line, width=300):
        return HTML(f'<div class="light-content">{chart("#5D3A9B", "#ffffff", "#000000", width)}</div>'
                    f'<div class="dark-content">{chart(dark_line, "#17191e", "#e4e6eb", width)}</div>')
"""
DARK_BOOK = {
    "_quarto.yml": """
        project: {type: book, output-dir: _book}
        book:
          title: "A book with dark-mode defects"
          chapters: [index.qmd, chapters/white.qmd, chapters/faint.qmd, chapters/hidden.qmd, chapters/dim.qmd]
        execute: {echo: false}
        jupyter: python3
        format:
          html:
            theme: {light: [cosmo, theme/book.scss], dark: [cosmo, theme/book.scss, theme/dark.scss]}
            respect-user-color-scheme: true
            include-after-body: theme/a11y.html
            toc: true
        """,
    "index.qmd": "# Preface {.unnumbered}\n\nA clean page, light or dark.\n",
    "chapters/white.qmd": """
        # A figure drawn for the light page only

        ```{python}
        #| label: fig-white
        #| fig-cap: "A matplotlib figure on white, in both schemes."
        #| fig-alt: "A rising line."
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(4, 2.5))
        ax.plot([1, 2, 3])
        fig
        ```

        @fig-white stays white on the dark page.
        """,
    "chapters/faint.qmd": f"""
        # A dark line on the dark page

        ```{{python}}
        #| label: fig-faint
        #| fig-cap: "A chart whose dark drawing keeps the light drawing's purple line."
        {textwrap.indent(textwrap.dedent(_LIGHT_DARK_CHART), "        ").strip()}
        both(dark_line="#5D3A9B")
        ```

        @fig-faint has a line of 2.1:1 on dark.
        """,
    "chapters/hidden.qmd": f"""
        # Charts drawn while hidden

        ```{{python}}
        #| label: fig-hidden
        #| fig-cap: "Charts as wide as the column, the dark one drawn hidden."
        {textwrap.indent(textwrap.dedent(_LIGHT_DARK_CHART), "        ").strip()}
        both(dark_line="#B39DDB", width="container")
        ```

        @fig-hidden is redrawn by the toggle, not by a change of the system setting.
        """,
    "chapters/dim.qmd": """
        # Text dark on both

        [These words are dark grey, readable on white only.]{style="color: #3a3a3a"}
        """,
}


@pytest.fixture(scope="module")
def dark_defects_book(tmp_path_factory):
    project = tmp_path_factory.mktemp("dark-defects")
    for name, text in DARK_BOOK.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text).lstrip())
    shutil.copytree(ROOT / "theme", project / "theme")
    import os
    import subprocess

    env = {**os.environ, "QUARTO_PYTHON": sys.executable}
    done = subprocess.run(
        [QUARTO, "render", "--to", "html"], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return project


@pytest.mark.slow
@needs_quarto
@needs_browser
def test_the_check_finds_each_dark_mode_defect(dark_defects_book):
    pages = ["index.html", "chapters/white.html", "chapters/faint.html", "chapters/hidden.html", "chapters/dim.html"]
    report = check_render.check_site_in_browser(dark_defects_book / "_book", pages, live_cdn=False, chromium=None)
    problems = "\n".join(report.problems)
    # A figure drawn for the light page only is light on the dark one.
    assert "site chapters/white.html in dark: figure image fig-white is light in the dark scheme" in problems, problems
    assert "site chapters/white.html: " not in problems, problems  # in light it is right
    # A line that reads on white but not on the dark page.
    assert (
        "site chapters/faint.html in dark: chart fig-faint: line or point colour rgb(93, 58, 155) has 2.1:1 "
        "against its background rgb(23, 25, 30) (needs 3:1)"
    ) in problems, problems
    # Without the redraw on a change of the system setting, the dark chart stays 0 px wide; the toggle redraws.
    assert "site chapters/hidden.html in dark: chart fig-hidden is shown 0 px wide" in problems, problems
    assert "site chapters/hidden.html: after the toggle" not in problems, problems
    # axe-core runs in both schemes: text readable on white only is a violation in dark alone.
    assert "site chapters/dim.html in dark: accessibility: serious color-contrast" in problems, problems
    assert "site chapters/dim.html: accessibility" not in problems, problems
    # A page without a defect is not blamed, in either scheme (the site is rendered without its PDF).
    assert "site index.html" not in problems.replace("site index.html: no link to the PDF", ""), problems
    assert "0 critical or serious violation(s) in light, 1 critical or serious violation(s) in dark" in report.notes[0]
