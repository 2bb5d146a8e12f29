"""The render check's reading of the text (tools/check_render: text.py, plan.py, figures.py),
on made-up text and pages: leaked syntax, captions and numbering, the chapters an edition
lists, and every declared figure on its page."""

import pytest
from bookrun import ROOT
from check_render.figures import declared_figures, figure_problems
from check_render.plan import chapters
from check_render.text import captions, leak_problems, numbering_problems


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
    found = leak_problems(text)
    assert any(kind in p for p in found), found


def test_clean_prose_and_code_pass():
    text = (
        "Figure 4.1 shows both networks; the loss is 0.0712 (LeCun et al. 1998). "
        "@dataclass\nclass Params: x = 1  # a decorator is not a reference. Email a@b.org."
    )
    assert leak_problems(text, {"lecun1998"}) == []


def test_an_unresolved_citation_key_is_found():
    assert leak_problems("as shown by lecun1998? in", {"lecun1998"})


def test_captions_and_numbering():
    site = captions("Figure 4.1: Training loss per epoch. Table 4.2: Peak memory of the loop.")
    assert site == {"Figure 4.1": "Training loss per epoch.", "Table 4.2": "Peak memory of the"}
    pdf = captions("Figure 4.1: Train-\ning loss per epoch\nTable 3.2: Peak memory of the loop")
    found = numbering_problems(site, pdf, "caption")
    assert any("'Table 4.2' is in the site but not in the PDF" in p for p in found)
    assert any("'Table 3.2' is in the PDF but not in the site" in p for p in found)
    assert not any("Figure 4.1" in p for p in found)  # hyphenated in the PDF: the same words
    chapters = numbering_problems({"Data and method": "2"}, {"Data and method": "1"}, "chapter")
    assert chapters == ["chapter 'Data and method': site '2', PDF '1'"]


def test_chapters_follow_quarto_yml():
    listed = chapters(ROOT)
    assert listed[0] == "index.qmd" and "chapters/reproducibility.qmd" in listed
    assert all((ROOT / q).is_file() for q in listed)


def test_chapters_follow_the_profile_rendered():
    full, diverged = chapters(ROOT, "study"), chapters(ROOT, "diverged")
    assert chapters(ROOT) == full  # the project's default profile
    assert diverged[0] == "index.qmd" and diverged[-1] == "chapters/reproducibility.qmd"
    assert set(diverged) < set(full) and "chapters/training-comparison.qmd" not in diverged


def test_declared_figures_are_the_cells_fig_labels():
    qmd = "# T\n\n```{python}\n#| label: fig-curves\n#| fig-cap: x\nF.fig()\n```\n\n```{python}\n#| label: tbl-a\n```\n"
    assert declared_figures(qmd) == ["fig-curves"]
    assert declared_figures((ROOT / "chapters" / "training-comparison.qmd").read_text()) == [
        "fig-curves",
        "fig-curves-per-model",
        "fig-time",
        "fig-step-costs",
    ]


def test_every_declared_figure_is_on_the_page_with_a_graphic():
    page = (
        '<div id="fig-chart" class="quarto-float"><figure><div id="altair-viz-1"></div>'
        "<figcaption>Figure 1.1</figcaption></figure></div>"
        '<div id="fig-image"><figure><p><img src="a.png" alt="x"></p></figure></div>'
        '<div id="fig-words"><figure><p>The run diverged.</p></figure></div><p><img src="later.png"></p>'
    )
    assert figure_problems(page, ["fig-chart", "fig-image"]) == []
    assert figure_problems(page, ["fig-words", "fig-gone"]) == [
        "figure fig-words shows no graphic (no image, SVG or Altair chart)",
        "figure fig-gone is not on the page (its cell showed nothing)",
    ]
