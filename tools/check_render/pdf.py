"""The PDF's text, read with pypdf: each page's text, the chapters from its bookmarks, each
page's figure captions and graphics. It must hold no leaked syntax (text.py), number its
chapters, figures and tables as the site does, and print every figure caption on a page
that holds a graphic; its printed pages are measured by pages.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .pages import page_problems
from .plan import PDF_NAME, Report, bib_keys
from .text import captions, leak_problems, normalise, numbering_problems


@dataclass
class PdfContents:
    texts: list[str]  # each page's text
    numbers: dict[str, str]  # chapter title -> number, from the bookmarks
    graphics: list[tuple[int, int, int]]  # (page, figure captions, graphics)
    chapter_starts: list[tuple[str, str, int]]  # (title, number or "", first page) of each chapter
    labels: list[str]  # each page's printed number

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def pdf_contents(pdf: Path) -> PdfContents:
    """Each page's text, the chapters from the bookmarks, and each page's captions and graphics."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    texts, pages = [], []
    for i, page in enumerate(reader.pages, 1):
        text = page.extract_text() or ""
        texts.append(text)
        n_captions = len(re.findall(r"(?m)^\s*Figure\s+[0-9A-Z]+\.[0-9]+\s*:", text))
        pages.append((i, n_captions, _graphics(page)))
    numbers, starts = {}, []
    for item in _chapter_bookmarks(reader.outline):
        # The bookmark has the title only; the number stands before it on the chapter's first page.
        title = normalise(item.title)
        first = reader.get_destination_page_number(item)
        m = re.search(rf"(?:^| )([0-9]+|[A-Z]) {re.escape(title)}", normalise(texts[first]))
        if m:
            numbers[title] = m.group(1)
        starts.append((title, m.group(1) if m else "", first + 1))
    return PdfContents(texts, numbers, pages, starts, list(reader.page_labels))


def _chapter_bookmarks(outline: list) -> list:
    """Top-level bookmarks (a nested list holds the sections of the item before it), and
    the chapters inside a part such as "Appendices"."""
    found = []
    for i, item in enumerate(outline):
        if not isinstance(item, list):
            found.append(item)
        elif i and not isinstance(outline[i - 1], list) and outline[i - 1].title == "Appendices":
            found += [x for x in item if not isinstance(x, list)]
    return found


def _graphics(page) -> int:
    """Images and included PDF figures (form XObjects) drawn on a page."""
    try:
        xobjects = page["/Resources"]["/XObject"]
    except (KeyError, TypeError):
        return 0
    return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") in ("/Image", "/Form"))


def check_pdf(book: Path, project: Path, site_numbers: dict, site_captions: dict) -> Report:
    report = Report()
    pdf = book / PDF_NAME
    if not pdf.is_file() or pdf.stat().st_size == 0:
        report.problems.append(f"PDF: {PDF_NAME} is missing or empty")
        return report
    pdf_text = pdf_contents(pdf)
    report.add("PDF", leak_problems(pdf_text.text, bib_keys(project)))
    report.add("site vs PDF", numbering_problems(site_numbers, pdf_text.numbers, "chapter"))
    report.add("site vs PDF", numbering_problems(site_captions, captions(pdf_text.text), "caption"))
    for page, n_captions, n_graphics in pdf_text.graphics:
        if n_captions > n_graphics:
            report.problems.append(f"PDF page {page}: {n_captions} figure caption(s) but {n_graphics} graphic(s)")
    problems, notes = page_problems(pdf, pdf_text.texts, pdf_text.chapter_starts, pdf_text.labels)
    report.problems += problems
    report.notes += notes
    return report
