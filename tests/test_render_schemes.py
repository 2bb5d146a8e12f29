"""The render check in both colour schemes (tools/check_render: schemes.py, contrast.py):
colours, contrast and lightness on made-up values, and a small site rendered with one
dark-mode defect per chapter, which the check must find."""

import textwrap

import pytest
from check_render.browser import check_site_in_browser
from check_render.contrast import colour_problems, contrast, css_rgb, image_lightness, lightness, luminance
from check_render.schemes import scheme_problems, tone_problems
from renders import needs_browser, needs_quarto, render_book


def test_colours_and_contrast():
    assert css_rgb("rgb(23, 25, 30)") == (23.0, 25.0, 30.0)
    assert css_rgb("rgba(0, 0, 0, 0.5)") == (0.0, 0.0, 0.0)
    assert css_rgb("#fff") == css_rgb("white") == (255.0, 255.0, 255.0)
    assert css_rgb("#5D3A9B") == (93.0, 58.0, 155.0) and css_rgb("none") is None
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast(css_rgb("#767676"), (255, 255, 255)), 2) == 4.54
    assert lightness(0.0) == 0 and round(lightness(1.0)) == 100
    assert 49 < lightness(luminance((119, 119, 119))) < 51  # mid grey is L* 50


def test_the_page_must_be_in_the_scheme_asked_for():
    dark = {"dark": True, "light": False, "background": "rgb(23, 25, 30)", "toggle": True}
    assert scheme_problems(dark, "dark") == []
    assert scheme_problems(dark, "light") == [
        "the page is not in the light scheme (it is dark)",
        "the page's background rgb(23, 25, 30) is not light",
    ]
    white = {"dark": True, "light": False, "background": "rgb(255, 255, 255)", "toggle": False}
    assert scheme_problems(white, "dark") == [
        "the page's background rgb(255, 255, 255) is not dark",
        "no light/dark toggle is shown",
    ]


def test_a_figure_must_match_the_scheme():
    figures = [
        {"id": "fig-a", "kind": "chart", "lightness": 8.0},
        {"id": "fig-b", "kind": "figure image", "lightness": 97.0},
    ]
    assert tone_problems(figures, "dark") == [
        "figure image fig-b is light in the dark scheme (its median lightness is L* 97)"
    ]
    assert tone_problems(figures, "light") == ["chart fig-a is dark in the light scheme (its median lightness is L* 8)"]


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
    assert image_lightness(mostly_dark) < 15
    assert image_lightness(png([(255, 255, 255)] * 3 + [(0, 0, 0)])) > 99


def test_chart_colours_must_stand_out_from_the_background():
    chart = {
        "id": "fig-time",
        "background": "rgb(23, 25, 30)",
        "series": ["rgb(230, 97, 0)", "rgb(179, 157, 219)"],
        "text": ["rgb(228, 230, 235)"],
    }
    assert colour_problems([chart]) == []
    faint = {**chart, "series": ["rgb(93, 58, 155)", "rgb(93, 58, 155)"], "text": ["rgb(89, 89, 89)"]}
    assert colour_problems([faint]) == [
        "chart fig-time: line or point colour rgb(93, 58, 155) has 2.1:1 against its background rgb(23, 25, 30) "
        "(needs 3:1)",
        "chart fig-time: text colour rgb(89, 89, 89) has 2.5:1 against its background rgb(23, 25, 30) (needs 4.5:1)",
    ]


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
    return render_book(tmp_path_factory.mktemp("dark-defects"), DARK_BOOK, "html")


@pytest.mark.full
@needs_quarto
@needs_browser
def test_the_check_finds_each_dark_mode_defect(dark_defects_book):
    pages = ["index.html", "chapters/white.html", "chapters/faint.html", "chapters/hidden.html", "chapters/dim.html"]
    report = check_site_in_browser(dark_defects_book / "_book", pages, live_cdn=False, chromium=None)
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
