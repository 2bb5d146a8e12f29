"""Every figure a chapter declares (a cell's `#| label: fig-...`) is on the chapter's page
with its graphic: an image, an SVG or an Altair chart inside the figure's element.

A figure cell that shows nothing leaves no figure at all (Quarto drops it, and a reference
to it prints as `?fig-...`, which text.py finds); one that shows text in place of its
graphic leaves a caption over words. The smoke check (cli.py, `make test`) runs this on the
site rendered from the quick study of params.yml, in which every network trains: where one
diverges, its figures show the statement of what diverged instead (book/chapters/base.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from .plan import Report, chapters, html_name

FIGURE_LABEL = re.compile(r"(?m)^#\|\s*label:\s*(fig-[\w-]+)\s*$")
GRAPHIC = re.compile(r'<img\b|<svg\b|id="altair-viz')


def declared_figures(qmd_text: str) -> list[str]:
    """The figure labels of a chapter's cells, in order."""
    return FIGURE_LABEL.findall(qmd_text)


def figure_problems(page_html: str, labels: list[str]) -> list[str]:
    """Each labelled figure on the page, holding a graphic before its element's </figure>."""
    found = []
    for label in labels:
        m = re.search(rf'\bid="{re.escape(label)}"', page_html)
        if m is None:
            found.append(f"figure {label} is not on the page (its cell showed nothing)")
            continue
        end = page_html.find("</figure>", m.end())
        if not GRAPHIC.search(page_html, m.end(), end if end != -1 else len(page_html)):
            found.append(f"figure {label} shows no graphic (no image, SVG or Altair chart)")
    return found


def site_figures(book: Path, project: Path) -> tuple[int, Report]:
    """Every chapter's declared figures on its page: how many, and the problems."""
    report, n = Report(), 0
    for qmd in chapters(project):
        page = book / html_name(qmd)
        labels = declared_figures((project / qmd).read_text(encoding="utf-8"))
        n += len(labels)
        if page.is_file():  # a missing page is text.site_pages's problem
            report.add(f"site {html_name(qmd)}", figure_problems(page.read_text(encoding="utf-8"), labels))
    return n, report
