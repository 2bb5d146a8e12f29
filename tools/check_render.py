"""Check the rendered book as its readers get it: the site in a real browser, the PDF's text and pages.

    python tools/check_render.py                 render in quick mode into a temporary folder, check it
    python tools/check_render.py --book _book    check a render that exists (the publish workflow)

What it checks (each a function below that returns a list of problems):
  - every chapter of _quarto.yml is in the site and in the PDF;
  - no Markdown or Quarto syntax survives into the text a reader sees (code fences,
    `:::`, `{python}`, unresolved `@sec-`/`@fig-`/`@tbl-`/`[@key]`/`?@`, unknown
    citations), and no object repr such as `alt.Chart(`;
  - chapter, figure and table numbers agree between the site and the PDF, and every
    figure caption in the PDF sits on a page that holds a graphic;
  - the PDF's printed pages (pdftoppm, pdftotext -bbox: poppler-utils): no float page
    under 60% full, no mid-chapter page under 45%, nothing in the side margins, no
    code line wrapped with ↪, each float on the page of its first reference in its own
    chapter or the next (the definitions are at "the PDF's pages as printed" below);
  - in Chromium (Playwright), every page loads without script errors, every Altair
    chart draws (SVG marks, no error box) and is no wider than the text column, the
    PDF download link and every internal link resolve;
  - the same in both colour schemes: each page opens light, then the reader's system
    turns dark (Quarto follows it), then (a page with figures) it opens dark and the toggle
    turns it light. In
    each scheme the page is in it, every figure shown is light or dark to match (from a
    screenshot), no chart is left 0 px wide (drawn while hidden), axe-core finds no
    critical or serious violation, and nothing is wider than a phone; in both schemes
    (COLOUR_SCHEMES) every chart's lines and points stand 3:1 and its text 4.5:1 from
    its background.

The CDN that the pages load Vega, require.js and jquery from is unreachable on the
project's machines: unless --live-cdn is given, those requests are answered from the
same files in their npm packages (fetched once with `npm pack` into .cache/cdn/),
and an integrity attribute is dropped only where those bytes differ from the CDN's.
Exit status: 0 when the book is fine, 1 with the list of problems, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "mnist-numpy-vs-pytorch.pdf"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
# A phone: every chart, image and table must still fit, and no page may scroll sideways.
PHONE = {"width": 400, "height": 800}
# axe-core from npm (offline: `npm pack`, cached like the CDN's packages), run in every page
# under the WCAG 2.1 A and AA tags; a critical or serious violation is a problem.
AXE = ("axe-core", "4.14.1")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILS = ("critical", "serious")
# The site's colour schemes (Quarto's light and dark themes, a toggle, the reader's system
# setting first): every page is checked in both. Lines and points of a chart need 3:1
# against its background, its text 4.5:1 (WCAG 1.4.11 and 1.4.3).
SCHEMES = ("light", "dark")
GRAPHICS_CONTRAST, TEXT_CONTRAST = 3.0, 4.5
# The schemes whose chart colours are held to those ratios: both (palettes.CATEGORIES and each
# palettes.Palette are chosen for them).
COLOUR_SCHEMES = ("light", "dark")
MIN_CHART_PX = 20

# Text that must never reach a reader: Markdown or Quarto syntax, and reprs.
LEAKS = {
    "code fence": re.compile(r"```"),
    "Quarto div fence": re.compile(r"(?m)^\s*:::|:::\s*\{"),
    "inline code cell": re.compile(r"\{python\}"),
    # Unresolved, the site prints `?fig-x` and the PDF `?@fig-x`.
    "unresolved cross-reference": re.compile(
        r"\?@|\?(?:sec|fig|tbl|eq|lst)-\w|(?<![\w.])@(?:sec|fig|tbl|eq|lst)-[\w-]+"
    ),
    "unresolved citation": re.compile(r"\[-?@[A-Za-z]"),
    "object repr": re.compile(
        r"alt\.(?:Chart|LayerChart|FacetChart|HConcatChart|VConcatChart)\(|<IPython\.core|<Figure size|Markdown object>"
    ),
}
CAPTION = re.compile(r"\b(Figure|Table)\s+([0-9A-Z]+\.[0-9]+)\s*:\s*(\S+(?:\s+\S+){0,3})")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, where: str, found: list[str]) -> None:
        self.problems += [f"{where}: {p}" for p in found]


# --------------------------------------------------------------------------- the book's plan


def active_profile(project: Path, profile: str | None = None) -> str | None:
    """The Quarto profile a render uses: the one given, else $QUARTO_PROFILE, else the
    project's `profile: default`."""
    base = yaml.safe_load((project / "_quarto.yml").read_text()) or {}
    return profile or os.environ.get("QUARTO_PROFILE") or (base.get("profile") or {}).get("default")


def chapters(project: Path, profile: str | None = None) -> list[str]:
    """The .qmd files of the book in order (chapters, then appendices) under a profile:
    _quarto.yml's lists with _quarto-<profile>.yml's appended, as Quarto merges them."""
    configs = [project / "_quarto.yml"]
    name = active_profile(project, profile)
    if name:
        configs.append(project / f"_quarto-{name}.yml")
    books = [(yaml.safe_load(f.read_text()) or {}).get("book", {}) for f in configs if f.is_file()]
    listed = []
    for key in ("chapters", "appendices"):
        for entry in (e for book in books for e in book.get(key, [])):
            if isinstance(entry, dict):  # a `part:` with its own chapters
                listed += entry.get("chapters", [])
            else:
                listed.append(entry)
    return listed


def html_name(qmd: str) -> str:
    return str(Path(qmd).with_suffix(".html"))


def bib_keys(project: Path) -> set[str]:
    bib = project / "references.bib"
    return set(re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(), re.M)) if bib.is_file() else set()


# --------------------------------------------------------------------------- text checks


def normalise(text: str) -> str:
    """NFKC (PDF ligatures such as 'ﬁ' become 'fi'), words hyphenated at a line end joined, single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")  # typographic apostrophes in the PDF
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text)


def leak_problems(text: str, keys: set[str] = frozenset()) -> list[str]:
    """Markdown/Quarto syntax or reprs in the text a reader sees; `key?` for an unknown citation."""
    found = []
    for what, pattern in LEAKS.items():
        for m in pattern.finditer(text):
            found.append(f"{what} in the text: …{text[max(0, m.start() - 40) : m.end() + 40]!s}…".replace("\n", " "))
            break  # one example per kind is enough to act on
    for key in sorted(keys):
        if re.search(rf"\b{re.escape(key)}\?", text):
            found.append(f"citation key {key!r} printed as unresolved")
    return found


def captions(text: str) -> dict[str, str]:
    """{"Figure 4.1": first words of its caption} for every numbered caption in the text."""
    out: dict[str, str] = {}
    for kind, number, words in CAPTION.findall(normalise(text)):
        out.setdefault(f"{kind} {number}", words)
    return out


def numbering_problems(html: dict, pdf: dict, what: str) -> list[str]:
    """`what` numbers (chapter titles -> number, or caption -> first words) must agree."""
    found = []
    for key in sorted(set(html) | set(pdf)):
        if key not in pdf:
            found.append(f"{what} {key!r} is in the site but not in the PDF")
        elif key not in html:
            found.append(f"{what} {key!r} is in the PDF but not in the site")
        elif _words(html[key]) != _words(pdf[key]):
            found.append(f"{what} {key!r}: site {html[key]!r}, PDF {pdf[key]!r}")
    return found


def _words(s: str) -> list[str]:
    # Compare the first three words, letters only: the PDF hyphenates and the site does not.
    return [re.sub(r"\W", "", w).lower() for w in normalise(s).split()[:3]]


# --------------------------------------------------------------------------- the site's files


class _Text(html.parser.HTMLParser):
    """Visible text of a page (no script or style), plus chapter number and title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._span: str | None = None
        self.chapter_number = ""
        self.chapter_title = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self._skip += 1
        cls = dict(attrs).get("class") or ""
        if (
            tag == "span"
            and cls in ("chapter-number", "chapter-title")
            and not (self.chapter_number and self.chapter_title)
        ):
            self._span = cls

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript") and self._skip:
            self._skip -= 1
        if tag == "span":
            self._span = None

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._span == "chapter-number" and not self.chapter_number:
            self.chapter_number = data.strip()
        elif self._span == "chapter-title" and not self.chapter_title:
            self.chapter_title = data.strip()


def main_html(page_html: str) -> str:
    """The page's <main> element: the chapter itself, without the sidebar that lists every chapter."""
    m = re.search(r"<main\b.*?</main>", page_html, re.S)
    return m.group(0) if m else page_html


def site_pages(book: Path, project: Path) -> tuple[list[str], dict[str, str], dict[str, str], Report]:
    """Check each chapter page's text; return the pages, chapter numbers and captions."""
    report = Report()
    keys = bib_keys(project)
    pages, numbers, caps = [], {}, {}
    for qmd in chapters(project):
        page = html_name(qmd)
        path = book / page
        if not path.is_file():
            report.problems.append(f"site: chapter {qmd} has no page {page}")
            continue
        pages.append(page)
        parser = _Text()
        parser.feed(main_html(path.read_text(encoding="utf-8")))
        text = "".join(parser.parts)
        report.add(f"site {page}", leak_problems(text, keys))
        if parser.chapter_number and parser.chapter_title:
            numbers[normalise(parser.chapter_title)] = parser.chapter_number
        caps.update(captions(text))
    return pages, numbers, caps, report


# --------------------------------------------------------------------------- the PDF


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


# --------------------------------------------------------------------------- the PDF's pages as printed
#
# Measured on the pages as poppler draws them (pdftoppm, in grey at 72 dpi, so that a pixel
# is a PDF point), with the page numbers located in the text (pdftotext -bbox); both are
# Debian's poppler-utils. The words, defined once:
#   ink          a pixel darker than INK_BELOW (0 is black, 255 white): text, rules, figures,
#                the shading behind code;
#   body         a page's ink above its page number (the footer is not part of the page's fill);
#   text block   the height from the highest body ink on any chapter page to the lowest, and
#                the width between the left and right edges where most words of the chapters
#                start and end, to the point (the lines of justified paragraphs);
#   fill         the height from a page's highest to its lowest body ink, less every blank
#                stretch between them taller than BLANK_GAP_PT (about three lines: more than
#                the space around a heading or between a float and the text), as a fraction
#                of the text block's height; so two floats spread over a page of floats
#                count as what they cover, not as the whole page;
#   chapter      the pages from a top-level bookmark (an appendix too) to the page before the
#                next one; pages before the first chapter (title, contents) are not measured;
#   mid-chapter  a chapter's page that is neither its first nor its last;
#   float page   a chapter's page, not its first, that holds a figure or table caption and
#                whose body starts more than FLOAT_PAGE_DROP of the text block's height below
#                its top: LaTeX centres the floats of a float page vertically, while a page
#                of text, or a float at the top of one, starts at the top.
# The measures: no float page under FLOAT_PAGE_MIN_FILL, no mid-chapter page under
# MID_CHAPTER_MIN_FILL, no ink more than SIDE_TOLERANCE_PT past the text block's sides (a
# code line or table running into the margin), no ↪ (fvextra's mark at a code line too long
# to fit, wrapped), and each float on the page of its first reference in its own chapter or
# the next page, numbered as that chapter.

PAGE_DPI = 72
INK_BELOW = 250
FLOAT_PAGE_MIN_FILL = 0.60
MID_CHAPTER_MIN_FILL = 0.45
FLOAT_PAGE_DROP = 0.04
BLANK_GAP_PT = 36.0
SIDE_TOLERANCE_PT = 6.0
CONTINUATION_MARK = "\u21aa"  # ↪
FLOAT_CAPTION = re.compile(r"(?m)^\s*(Figure|Table)\s+([0-9A-Z]+(?:\.[0-9]+)?)\s*:")


@dataclass
class PageInk:
    """A page's body ink, in points from the page's top left corner (None: a blank page)."""

    number: int
    top: float | None = None
    bottom: float | None = None
    left: float | None = None
    right: float | None = None
    blank: float = 0.0  # the blank stretches between top and bottom taller than BLANK_GAP_PT, added up


@dataclass
class Chapter:
    title: str
    number: str  # "" for an unnumbered chapter
    first: int
    last: int


@dataclass
class TextBlock:
    top: float
    bottom: float
    left: float
    right: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def read_pgm(path: Path):
    """A binary greyscale PNM (P5, 8 bits), as pdftoppm -gray writes it, as a 2-D uint8 array."""
    import numpy as np

    data = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval: separated by whitespace, # comments
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P5" or int(fields[3]) != 255:
        raise ValueError(f"{path.name}: not an 8-bit greyscale PGM")
    width, height = int(fields[1]), int(fields[2])
    return np.frombuffer(data, dtype=np.uint8, count=width * height, offset=pos + 1).reshape(height, width)


def page_images(pdf: Path, dpi: int = PAGE_DPI):
    """Every page of the PDF drawn in grey by pdftoppm, as 2-D uint8 arrays (row 0 at the top)."""
    with tempfile.TemporaryDirectory(prefix="check-render-pages-") as tmp:
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), f"{tmp}/p"], check=True, capture_output=True)
        files = sorted(Path(tmp).glob("p-*.pgm"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
        return [read_pgm(f) for f in files]


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def page_words(pdf: Path) -> list[list[Word]]:
    """Each page's words with their boxes in points from the top left corner (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    word = re.compile(r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="([^"]+)" yMax="([^"]+)">(.*?)</word>')
    return [
        [Word(float(a), float(b), float(c), float(d), html.unescape(w).strip()) for a, b, c, d, w in word.findall(page)]
        for page in re.findall(r"<page\b.*?</page>", out, re.S)
    ]


def page_number_tops(words: list[list[Word]], labels: list[str]) -> dict[int, float]:
    """{page: top of its page number, in points}: the lowest word on the page when it reads as
    the page's label."""
    tops = {}
    for i, on_page in enumerate(words, 1):
        if on_page and i <= len(labels):
            lowest = max(on_page, key=lambda w: w.y0)
            if lowest.text == labels[i - 1]:
                tops[i] = lowest.y0
    return tops


def text_edges(words: list[list[Word]]) -> tuple[float, float] | None:
    """The text block's left and right edges: where most words start and end, to the point
    (every line of a justified paragraph starts and ends there)."""
    from collections import Counter

    lefts = Counter(round(w.x0) for page in words for w in page)
    rights = Counter(round(w.x1) for page in words for w in page)
    if not lefts:
        return None
    return float(lefts.most_common(1)[0][0]), float(rights.most_common(1)[0][0])


def page_ink(number: int, image, footer_top: float | None, dpi: int = PAGE_DPI) -> PageInk:
    """The extent of the body ink on one page image: everything above its page number."""
    import numpy as np

    scale = 72.0 / dpi
    ink = image < INK_BELOW
    if footer_top is not None:
        ink = ink[: max(0, int(footer_top / scale) - 1)]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return PageInk(number)
    gaps = (np.diff(rows) - 1) * scale  # blank rows between one inked row and the next
    return PageInk(
        number,
        rows[0] * scale,
        (rows[-1] + 1) * scale,
        cols[0] * scale,
        (cols[-1] + 1) * scale,
        float(gaps[gaps > BLANK_GAP_PT].sum()),
    )


def text_block(pages: list[PageInk], edges: tuple[float, float]) -> TextBlock | None:
    """The text block, as the pages show it (see the definitions above): its height from the
    pages' ink, its sides from the words (text_edges)."""
    inked = [p for p in pages if p.top is not None]
    if not inked:
        return None
    return TextBlock(min(p.top for p in inked), max(p.bottom for p in inked), *edges)


def book_chapters(starts: list[tuple[str, str, int]], n_pages: int) -> list[Chapter]:
    """Chapters from their (title, number, first page), each to the page before the next
    (a part bookmark that starts on its first chapter's page gives way to that chapter)."""
    by_page: dict[int, tuple[str, str]] = {}
    for title, number, first in starts:
        by_page[first] = (title, number)  # the later bookmark on a page is the chapter itself
    firsts = sorted(by_page)
    return [
        Chapter(*by_page[f], f, (firsts[k + 1] - 1) if k + 1 < len(firsts) else n_pages) for k, f in enumerate(firsts)
    ]


def fill(page: PageInk, block: TextBlock) -> float:
    return 0.0 if page.top is None else (page.bottom - page.top - page.blank) / block.height


def is_float_page(page: PageInk, block: TextBlock, chapter: Chapter, n_captions: int) -> bool:
    return (
        page.number != chapter.first
        and n_captions > 0
        and page.top is not None
        and page.top - block.top > FLOAT_PAGE_DROP * block.height
    )


def fill_problems(
    pages: list[PageInk], block: TextBlock, chapters: list[Chapter], captions_on: dict[int, int]
) -> tuple[list[str], dict[str, tuple[float, int]]]:
    """Float pages under FLOAT_PAGE_MIN_FILL and mid-chapter pages under MID_CHAPTER_MIN_FILL;
    also the least-filled page of each kind, {"float page"|"mid-chapter page": (fill, page)}."""
    by_number = {p.number: p for p in pages}
    found, worst = [], {}
    for ch in chapters:
        for n in range(ch.first, ch.last + 1):
            page = by_number.get(n)
            if page is None:
                continue
            f = fill(page, block)
            name = f"{ch.number} {ch.title}".strip()
            if is_float_page(page, block, ch, captions_on.get(n, 0)):
                kind, least = "float page", FLOAT_PAGE_MIN_FILL
            elif ch.first < n < ch.last:
                kind, least = "mid-chapter page", MID_CHAPTER_MIN_FILL
            else:
                continue
            if kind not in worst or f < worst[kind][0]:
                worst[kind] = (f, n)
            if f < least:
                found.append(f"PDF page {n} ({kind} of chapter {name!r}) is {f:.0%} full, under {least:.0%}")
    return found, worst


def side_problems(pages: list[PageInk], block: TextBlock) -> list[str]:
    """Ink past the text block's left or right edge: a line or a table running into the margin."""
    found = []
    for p in pages:
        if p.top is None:
            continue
        past = max(block.left - p.left, p.right - block.right)
        if past > SIDE_TOLERANCE_PT:
            side = "left" if block.left - p.left >= p.right - block.right else "right"
            found.append(
                f"PDF page {p.number}: something runs {past:.0f} pt into the {side} margin "
                f"(a line or table wider than the text)"
            )
    return found


def continuation_problems(texts: list[str]) -> list[str]:
    """fvextra's ↪ where a code line was too long for the page and was wrapped."""
    return [
        f"PDF page {i}: {t.count(CONTINUATION_MARK)} code line(s) too long for the page, wrapped with "
        f"{CONTINUATION_MARK}: …{t[max(0, t.index(CONTINUATION_MARK) - 60) : t.index(CONTINUATION_MARK)]!s}…".replace(
            "\n", " "
        )
        for i, t in enumerate(texts, 1)
        if CONTINUATION_MARK in t
    ]


def placement_problems(texts: list[str], chapters: list[Chapter]) -> list[str]:
    """Each float on the page of its first reference in its own chapter or the next page, and
    numbered as the chapter it is printed in (an appendix's table stays in the appendix)."""
    found = []
    chapter_of = {n: ch for ch in chapters for n in range(ch.first, ch.last + 1)}
    flat = [re.sub(r"\s+", " ", t) for t in texts]
    for p, text in enumerate(texts, 1):
        ch = chapter_of.get(p)
        for kind, number in FLOAT_CAPTION.findall(text):
            name = f"{kind} {number}"
            if ch is None:
                continue
            prefix = number.split(".")[0] if "." in number else ""
            if prefix and ch.number and prefix != ch.number:
                found.append(f"PDF page {p}: {name} is printed in chapter {ch.number} ({ch.title!r})")
                continue
            mention = re.compile(rf"\b{kind}\s+{re.escape(number)}(?![\d.]*\d)(?!\s*:)")
            first = next((n for n in range(ch.first, ch.last + 1) if mention.search(flat[n - 1])), None)
            if first is not None and not first <= p <= first + 1:
                found.append(
                    f"PDF page {p}: {name} is first referred to on page {first}; it should be there or on the next page"
                )
    return found


def page_problems(
    pdf: Path, texts: list[str], chapter_starts: list[tuple[str, str, int]], labels: list[str]
) -> tuple[list[str], list[str]]:
    """(problems, notes) of the printed pages: fill, margins, wrapped lines, float placement."""
    missing = [tool for tool in ("pdftoppm", "pdftotext") if shutil.which(tool) is None]
    found = continuation_problems(texts)
    chapters = book_chapters(chapter_starts, len(texts))
    found += placement_problems(texts, chapters)
    if missing:
        return found + [
            f"PDF: {' and '.join(missing)} not installed (Debian's poppler-utils): the printed pages cannot be measured"
        ], []
    words = page_words(pdf)
    tops = page_number_tops(words, labels)
    pages = [page_ink(i, image, tops.get(i)) for i, image in enumerate(page_images(pdf), 1)]
    in_chapters = [p for p in pages if any(ch.first <= p.number <= ch.last for ch in chapters)]
    edges = text_edges([words[p.number - 1] for p in in_chapters if p.number <= len(words)])
    block = text_block(in_chapters, edges) if edges else None
    if block is None:
        return found + ["PDF: no chapter page has any ink"], []
    captions_on = {i: len(FLOAT_CAPTION.findall(t)) for i, t in enumerate(texts, 1)}
    fills, worst = fill_problems(pages, block, chapters, captions_on)
    found += fills + side_problems(in_chapters, block)
    least = ", ".join(f"the least-filled {kind} is page {n} ({f:.0%})" for kind, (f, n) in sorted(worst.items()))
    notes = [
        f"PDF pages: {len(pages)}, {len(chapters)} chapters, text block {block.height:.0f} x "
        f"{block.right - block.left:.0f} pt; {least or 'no float or mid-chapter pages'}"
    ]
    return found, notes


# --------------------------------------------------------------------------- the CDN, offline

JSDELIVR = re.compile(r"https://cdn\.jsdelivr\.net/npm/((?:@[\w.-]+/)?[\w.-]+)@([\w.^~*-]+)(/[^\"'?\s)]*)?")
CDNJS = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/([\w.-]+)/([\w.-]+)/([^\"'?\s)]+)")
CDNJS_NPM = {"require.js": "requirejs", "jquery": "jquery"}  # cdnjs library -> npm package


def cdn_cache() -> Path:
    return Path(os.environ.get("MNISTCOMPARE_CDN_CACHE", ROOT / ".cache" / "cdn"))


@functools.cache
def npm_package(name: str, version: str) -> Path:
    """The unpacked npm package name@version (a range like 6 picks the newest 6.x), cached."""
    target = cdn_cache() / f"{name.replace('/', '+')}@{version}"
    if not (target / "package" / "package.json").is_file():
        target.mkdir(parents=True, exist_ok=True)
        print(f"[check-render] npm pack {name}@{version}", file=sys.stderr, flush=True)
        out = subprocess.run(
            ["npm", "pack", "--silent", f"{name}@{version}"], cwd=target, capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(f"npm pack {name}@{version} failed: {out.stderr.strip()[-300:]}")
        tgz = target / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tgz) as tar:
            tar.extractall(target, filter="data")
        tgz.unlink()
    return target / "package"


def cdn_file(url: str) -> Path | None:
    """The local copy of a CDN URL, or None when it is not a CDN this check can serve."""
    url = url.split("?", 1)[0].split("#", 1)[0]
    if m := JSDELIVR.fullmatch(url):
        name, version, sub = m.groups()
        pkg = npm_package(name, version)
        if sub and sub != "/":
            # jsdelivr minifies on request: require.min.js is served from require.js.
            exact = pkg / sub.lstrip("/")
            return exact if exact.is_file() else exact.with_name(exact.name.replace(".min.js", ".js"))
        meta = json.loads((pkg / "package.json").read_text())
        entry = next(
            v for v in (meta.get("jsdelivr"), meta.get("browser"), meta.get("main"), "index.js") if isinstance(v, str)
        )
        return pkg / entry
    if (m := CDNJS.fullmatch(url)) and m.group(1) in CDNJS_NPM:
        lib, version, file = m.groups()
        pkg = npm_package(CDNJS_NPM[lib], version)
        for candidate in (
            file,
            f"dist/{file}",
            file.replace(".min.js", ".js"),
            f"dist/{file.replace('.min.js', '.js')}",
        ):
            if (pkg / candidate).is_file():
                return pkg / candidate
    return None


def sri_matches(data: bytes, integrity: str) -> bool:
    algo, _, expected = integrity.partition("-")
    return (
        algo in ("sha256", "sha384", "sha512")
        and base64.b64encode(hashlib.new(algo, data).digest()).decode() == expected
    )


def drop_foreign_integrity(page_html: str) -> str:
    """Remove an integrity attribute where the local copy's bytes differ from the CDN's."""

    def fix(m: re.Match) -> str:
        tag = m.group(0)
        src, sri = re.search(r'\bsrc="([^"]+)"', tag), re.search(r'\sintegrity="([^"]+)"', tag)
        local = cdn_file(src.group(1)) if src and sri else None
        if local is None or not local.is_file() or sri_matches(local.read_bytes(), sri.group(1)):
            return tag
        return tag.replace(sri.group(0), "")

    return re.sub(r"<script\b[^>]*>", fix, page_html)


# --------------------------------------------------------------------------- the site in Chromium

# Run in the page: every Altair chart's state and width against the text column. Only what
# is shown: the drawing of the colour scheme not in force is hidden (display: none).
CHARTS_JS = """() => {
  const column = document.querySelector('main') || document.body;
  const right = column.getBoundingClientRect().right;
  const shown = el => el.getClientRects().length > 0;
  return [...document.querySelectorAll('div[id^="altair-viz"]')].filter(shown).map(el => {
    const drawn = el.querySelector('svg.marks, canvas.marks, svg');
    const box = drawn ? drawn.getBoundingClientRect() : el.getBoundingClientRect();
    const fig = el.closest('[id^="fig-"]');
    return {id: fig ? fig.id : el.id,
            marks: el.querySelectorAll('svg [class*="mark-"]').length + el.querySelectorAll('canvas').length,
            error: (el.querySelector('.error, .vega-embed-error') || {}).textContent || '',
            right: box.right, column_right: right, width: box.width, kind: 'chart'};
  }).concat([...column.querySelectorAll('img.figure-img, figure img')].filter(shown).map(img => {
    const box = img.getBoundingClientRect();
    const fig = img.closest('[id^="fig-"]');
    return {id: fig ? fig.id : img.getAttribute('src'), marks: 1, error: '',
            right: box.right, column_right: right, width: box.width, kind: 'figure image'};
  }));
}"""


# Run in the page after axe-core is injected: its violations under AXE_TAGS, in brief.
AXE_JS = """async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                     target: v.nodes.length ? v.nodes[0].target.join(' ') : ''}));
}"""
# Run in the page: does it scroll sideways (wider than the window)?
OVERFLOW_JS = """() => ({page: document.documentElement.scrollWidth, window: window.innerWidth})"""


def axe_script() -> Path:
    """axe-core's browser build, from its npm package (fetched once into .cache/cdn/)."""
    return npm_package(*AXE) / "axe.min.js"


def accessibility_problems(violations: list[dict]) -> list[str]:
    """axe-core's critical and serious violations, one line each (the rule, how many
    elements, the first of them)."""
    return [
        f"accessibility: {v['impact']} {v['id']} ({v['help']}) on {v['nodes']} element(s), first {v['target']}"
        for v in violations
        if v.get("impact") in AXE_FAILS
    ]


def overflow_problems(sizes: dict, where: str) -> list[str]:
    """A page wider than the window scrolls sideways: something in it does not fit."""
    if sizes["page"] > sizes["window"] + 1:
        return [f"{where}: the page is {sizes['page']} px wide in a {sizes['window']} px window (it scrolls sideways)"]
    return []


# --------------------------------------------------------------------------- the colour schemes

# Run in the page: the scheme in force (Quarto's body class), the page's background, a toggle shown.
SCHEME_JS = """() => ({dark: document.body.classList.contains('quarto-dark'),
  light: document.body.classList.contains('quarto-light'),
  background: getComputedStyle(document.body).backgroundColor,
  toggle: [...document.querySelectorAll('.quarto-color-scheme-toggle')].some(t => t.getClientRects().length > 0)})"""

# Run in the page: for every chart shown, the colours of its lines and points and of its
# text (axes, legends, titles: not the marks' own text, which sits on the marks), and the
# background they are drawn on. Faded marks (a legend selection) are left out.
CHART_COLOURS_JS = """() => {
  const shown = el => el.getClientRects().length > 0;
  const opaque = c => c && c !== 'none' && c !== 'transparent' && !/^rgba\\(.*,\\s*0\\)$/.test(c);
  const faded = n => ['opacity', 'fill-opacity', 'stroke-opacity'].some(a => Number(n.getAttribute(a) ?? 1) < 0.5);
  const backdrop = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (opaque(c)) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const colours = (nodes, pick) => [...new Set([...nodes].filter(n => !faded(n)).map(pick).filter(opaque))];
  return [...document.querySelectorAll('div[id^="altair-viz"]')].filter(shown).map(el => {
    const svg = el.querySelector('svg');
    const fig = el.closest('[id^="fig-"]');
    if (!svg) return {id: fig ? fig.id : el.id, background: backdrop(el), series: [], text: []};
    const style = n => getComputedStyle(n);
    return {
      id: fig ? fig.id : el.id,
      background: backdrop(svg),
      series: colours(svg.querySelectorAll('g.mark-line.role-mark path, g.mark-trail.role-mark path'), n => style(n).stroke)
        .concat(colours(svg.querySelectorAll('g.mark-symbol.role-mark path, g.role-legend-symbol path'),
                        n => opaque(style(n).fill) ? style(n).fill : style(n).stroke)),
      text: colours(svg.querySelectorAll('[class*="role-axis"] text, [class*="role-legend"] text, [class*="role-title"] text'),
                    n => style(n).fill),
    };
  });
}"""

# Run in the page: tag every figure shown (a chart, a figure's image) for a screenshot.
FIGURES_JS = """() => {
  const shown = el => el.getClientRects().length > 0;
  const column = document.querySelector('main') || document.body;
  document.querySelectorAll('[data-check-figure]').forEach(el => el.removeAttribute('data-check-figure'));
  return [...new Set(column.querySelectorAll('div[id^="altair-viz"], img.figure-img, figure img'))].filter(shown).map((el, i) => {
    el.setAttribute('data-check-figure', String(i));
    const fig = el.closest('[id^="fig-"]');
    return {index: i, id: fig ? fig.id : (el.id || el.getAttribute('src')), kind: el.tagName === 'IMG' ? 'figure image' : 'chart'};
  });
}"""


def css_rgb(colour: str) -> tuple[float, float, float] | None:
    """A CSS colour as the browser computes it (rgb(...), rgba(...)) or as Vega writes it
    (#rgb, #rrggbb, white, black), as 0-255 channels; None for a colour it cannot read."""
    colour = colour.strip().lower()
    named = {"white": "#ffffff", "black": "#000000"}
    colour = named.get(colour, colour)
    if m := re.fullmatch(r"#([0-9a-f]{3})", colour):
        colour = "#" + "".join(ch * 2 for ch in m.group(1))
    if m := re.fullmatch(r"#([0-9a-f]{6})", colour):
        return tuple(float(int(m.group(1)[i : i + 2], 16)) for i in (0, 2, 4))
    if m := re.fullmatch(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*[\d.]+%?)?\s*\)", colour):
        return tuple(float(x) for x in m.groups())
    return None


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG's relative luminance of a colour (0-255 channels)."""

    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lightness(y: float) -> float:
    """CIE L* (0 black, 100 white, 50 the grey halfway between to the eye) of a relative luminance."""
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def image_lightness(png: bytes) -> float:
    """The median lightness (L*) of the pixels of a screenshot: what most of a figure is."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return lightness(float(np.median(linear @ np.array([0.2126, 0.7152, 0.0722]))))


def scheme_problems(state: dict, scheme: str) -> list[str]:
    """The page is in `scheme` (Quarto's body class), its background is light or dark to
    match, and a toggle to the other scheme is shown."""
    found = []
    if not state[scheme]:
        other = [s for s in SCHEMES if s != scheme and state.get(s)]
        found.append(f"the page is not in the {scheme} scheme" + (f" (it is {other[0]})" if other else ""))
    rgb = css_rgb(state["background"])
    if rgb is not None and (lightness(luminance(rgb)) > 50) != (scheme == "light"):
        found.append(f"the page's background {state['background']} is not {scheme}")
    if not state["toggle"]:
        found.append("no light/dark toggle is shown")
    return found


def tone_problems(figures: list[dict], scheme: str) -> list[str]:
    """Every figure is light on the light page and dark on the dark one: most of its pixels
    (the median's lightness, L* 0-100) lie on the page's side of mid grey (L* 50)."""
    return [
        f"{f['kind']} {f['id']} is {'dark' if scheme == 'light' else 'light'} in the {scheme} scheme "
        f"(its median lightness is L* {f['lightness']:.0f})"
        for f in figures
        if (f["lightness"] > 50) != (scheme == "light")
    ]


def colour_problems(charts: list[dict]) -> list[str]:
    """A chart's lines and points stand 3:1 from its background, its text 4.5:1."""
    found = []
    for c in charts:
        bg = css_rgb(c["background"])
        if bg is None:
            continue
        for kind, colours, need in (
            ("line or point colour", c["series"], GRAPHICS_CONTRAST),
            ("text colour", c["text"], TEXT_CONTRAST),
        ):
            for colour in dict.fromkeys(colours):
                rgb = css_rgb(colour)
                if rgb is not None and (ratio := contrast(rgb, bg)) < need:
                    found.append(
                        f"chart {c['id']}: {kind} {colour} has {ratio:.1f}:1 against its background "
                        f"{c['background']} (needs {need:g}:1)"
                    )
    return found


def figure_tones(tab) -> list[dict]:
    """Each figure shown on the page with its median lightness, from a screenshot of it."""
    figures = tab.evaluate(FIGURES_JS)
    for f in figures:
        shot = tab.locator(f'[data-check-figure="{f["index"]}"]').screenshot(animations="disabled")
        f["lightness"] = image_lightness(shot)
    return figures


def redrawn(tab) -> None:
    """Time for vega-embed to redraw container-wide charts after a resize or a change of
    scheme; a page without charts has nothing to redraw."""
    if tab.locator('div[id^="altair-viz"]').count():
        tab.wait_for_timeout(500)


def switch_scheme(tab, scheme: str) -> None:
    """The reader's system setting changes to `scheme` (Quarto follows it) and the page redraws."""
    tab.emulate_media(color_scheme=scheme)
    try:
        tab.wait_for_function("s => document.body.classList.contains('quarto-' + s)", arg=scheme, timeout=5_000)
    except Exception:  # noqa: BLE001 - reported by scheme_problems
        pass
    tab.wait_for_timeout(500)  # the theme's colours settle, and vega-embed redraws container-wide charts


def scheme_checks(tab, scheme: str) -> tuple[list[str], int]:
    """In the scheme in force: the page's state, every figure's tone, every chart's colours.
    Returns the problems and the number of figures seen."""
    figures = figure_tones(tab)
    found = scheme_problems(tab.evaluate(SCHEME_JS), scheme) + tone_problems(figures, scheme)
    return found + (colour_problems(tab.evaluate(CHART_COLOURS_JS)) if scheme in COLOUR_SCHEMES else []), len(figures)


def check_in_dark(tab, where: str) -> tuple[list[tuple[str, list[str]]], list[dict], int]:
    """The page, loaded in the light scheme, after the reader's system turns dark: in dark at
    the desktop width (its state, charts, figures, colours, axe-core) and on a phone.
    Returns (where, problems) pairs, axe-core's violations and the number of figures seen."""
    tab.set_viewport_size(VIEWPORT)
    switch_scheme(tab, "dark")
    here, phone = f"{where} in dark", f"{where} in dark at {PHONE['width']} px"
    in_scheme, n_figures = scheme_checks(tab, "dark")
    found = [(here, chart_problems(tab.evaluate(CHARTS_JS)) + in_scheme)]
    violations = tab.evaluate(AXE_JS, AXE_TAGS)
    found.append((here, accessibility_problems(violations)))
    tab.set_viewport_size(PHONE)
    redrawn(tab)
    found.append(
        (phone, chart_problems(tab.evaluate(CHARTS_JS)) + overflow_problems(tab.evaluate(OVERFLOW_JS), "page"))
    )
    return found, violations, n_figures


def check_toggle(browser, route, url: str, where: str) -> list[str]:
    """The page opens in the reader's system setting (dark here), and its toggle turns it
    light: the charts drawn hidden at load are drawn again, as wide as the column."""
    tab = browser.new_page(viewport=VIEWPORT, color_scheme="dark")
    try:
        tab.route("**/*", route)
        tab.goto(url, wait_until="load")
        wait_for_charts(tab)
        state = tab.evaluate(SCHEME_JS)
        found = [f"opened in a dark system setting: {p}" for p in scheme_problems(state, "dark")]
        toggle = tab.locator(".quarto-color-scheme-toggle:visible")
        if not toggle.count():
            return found  # scheme_problems said so
        toggle.first.click()
        try:
            tab.wait_for_function("() => document.body.classList.contains('quarto-light')", timeout=5_000)
        except Exception:  # noqa: BLE001 - reported below
            pass
        redrawn(tab)
        found += [
            f"after the toggle: {p}"
            for p in scheme_problems(tab.evaluate(SCHEME_JS), "light") + chart_problems(tab.evaluate(CHARTS_JS))
        ]
        return found
    finally:
        tab.close()


def wait_for_charts(tab) -> None:
    """Until every Altair chart on the page has drawn (vega-embed draws asynchronously), or 20 s."""
    n_charts = tab.locator('div[id^="altair-viz"]').count()
    if n_charts:
        try:
            tab.wait_for_function(
                'n => document.querySelectorAll(\'div[id^="altair-viz"] svg, '
                'div[id^="altair-viz"] .error\').length >= n',
                arg=n_charts,
                timeout=20_000,
            )
        except Exception:  # noqa: BLE001 - reported through the chart state
            pass
        tab.wait_for_timeout(300)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log on stderr
        pass


def serve(book: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(book))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def chart_problems(charts: list[dict]) -> list[str]:
    found = []
    for c in charts:
        if c["error"]:
            found.append(f"chart {c['id']} shows an error: {c['error'][:200]}")
        elif not c["marks"]:
            found.append(f"chart {c['id']} drew no marks")
        elif c["width"] < MIN_CHART_PX:
            # A chart as wide as its container, drawn while hidden (the other scheme's), is 0 px
            # wide until something makes it draw again.
            found.append(
                f"{c.get('kind', 'chart')} {c['id']} is shown {c['width']:.0f} px wide: drawn while "
                f"hidden and not drawn again"
            )
        if c["right"] > c["column_right"] + 1:
            found.append(
                f"{c.get('kind', 'chart')} {c['id']} is wider than the text column: it ends "
                f"{c['right'] - c['column_right']:.0f} px past it"
            )
    return found


def link_problems(book: Path, page: str, hrefs: list[str], ids_of) -> list[str]:
    """Internal links must name a file of the site and, with a fragment, an id on that page."""
    found = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https", "mailto", "javascript", "data") or href.startswith("//"):
            continue
        target, frag = urldefrag(urljoin(page, href))
        target = target or page
        path = book / unquote(target)
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            found.append(f"link {href!r} names a missing file")
        elif frag and path.suffix == ".html" and unquote(frag) not in ids_of(path):
            found.append(f"link {href!r}: no id {frag!r} on {path.relative_to(book)}")
    return found


@functools.cache
def page_ids(path: Path) -> frozenset[str]:
    return frozenset(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))


def browser_path(pw, explicit: str | None) -> str | None:
    """--chromium, else Playwright's own Chromium (GitHub: `playwright install chromium`),
    else Debian's (these machines, where Playwright cannot download browsers)."""
    if explicit:
        return explicit
    if Path(pw.chromium.executable_path).is_file():
        return None
    return CHROMIUM if Path(CHROMIUM).is_file() else None


def check_site_in_browser(book: Path, pages: list[str], live_cdn: bool, chromium: str | None) -> Report:
    from playwright.sync_api import sync_playwright

    report = Report()
    server, base = serve(book)
    unserved: set[str] = set()
    seen_charts = seen_links = 0
    seen_violations, seen_figures = dict.fromkeys(SCHEMES, 0), dict.fromkeys(SCHEMES, 0)

    def route(r):
        url = r.request.url
        if url.startswith(base):
            if r.request.resource_type == "document" and not live_cdn:
                resp = r.fetch()
                return r.fulfill(response=resp, body=drop_foreign_integrity(resp.text()))
            return r.continue_()
        if live_cdn:
            return r.continue_()
        local = cdn_file(url)
        if local is not None and local.is_file():
            ctype = (
                "text/css" if local.suffix == ".css" else "application/javascript" if local.suffix == ".js" else None
            )
            return r.fulfill(path=str(local), content_type=ctype, headers={"access-control-allow-origin": "*"})
        unserved.add(url)
        return r.abort()

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path(pw, chromium))
            for page_name in pages:
                errors: list[str] = []
                tab = browser.new_page(viewport=VIEWPORT, color_scheme="light")  # the reader's system: light
                tab.route("**/*", route)
                tab.on("pageerror", lambda e, errors=errors: errors.append(f"script error: {e}"))
                tab.on(
                    "console",
                    lambda m, errors=errors: (
                        errors.append(f"console error: {m.text} ({m.location.get('url', '')})")
                        if m.type == "error"
                        else None
                    ),
                )
                tab.goto(base + page_name, wait_until="load")
                wait_for_charts(tab)
                where = f"site {page_name}"
                charts = tab.evaluate(CHARTS_JS)
                report.add(where, chart_problems(charts))
                in_scheme, n_figures = scheme_checks(tab, "light")
                report.add(where, in_scheme)
                seen_figures["light"] += n_figures
                tab.add_script_tag(path=str(axe_script()))
                violations = tab.evaluate(AXE_JS, AXE_TAGS)
                report.add(where, accessibility_problems(violations))
                seen_violations["light"] += len([v for v in violations if v.get("impact") in AXE_FAILS])
                tab.set_viewport_size(PHONE)  # the same page on a phone
                redrawn(tab)
                report.add(f"{where} at {PHONE['width']} px", chart_problems(tab.evaluate(CHARTS_JS)))
                report.add(f"{where} at {PHONE['width']} px", overflow_problems(tab.evaluate(OVERFLOW_JS), "page"))
                hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                seen_charts = seen_charts + sum(c.get("kind", "chart") == "chart" for c in charts)
                seen_links = seen_links + len(hrefs)
                report.add(where, link_problems(book, page_name, hrefs, page_ids))
                if page_name == "index.html" and not any(h.endswith(".pdf") for h in hrefs):
                    report.problems.append(f"{where}: no link to the PDF")
                # The reader's system turns dark: the same checks in the dark scheme.
                in_dark, violations, n_figures = check_in_dark(tab, where)
                seen_figures["dark"] += n_figures
                for here, found in in_dark:
                    report.add(here, found)
                seen_violations["dark"] += len([v for v in violations if v.get("impact") in AXE_FAILS])
                # A request the offline check could not serve is reported once, below, not per page.
                report.add(where, [e for e in errors if not any(u.split("?")[0] in e for u in unserved)])
                tab.close()
                if n_figures:  # the toggle is the theme's, the same on every page: what it can break is a figure
                    report.add(where, check_toggle(browser, route, base + page_name, where))
            browser.close()
    finally:
        server.shutdown()
    report.notes.append(
        f"browser: {len(pages)} pages, {seen_charts} Altair charts, {seen_links} links checked, "
        f"each at {VIEWPORT['width']} and {PHONE['width']} px, in the light and the dark scheme "
        f"(and, on each page with figures, the toggle from dark to light); axe-core {AXE[1]} ({', '.join(AXE_TAGS)}): "
        + ", ".join(f"{n} critical or serious violation(s) in {s}" for s, n in seen_violations.items())
        + "; figures (charts and images) seen to match the scheme: "
        + ", ".join(f"{n} in {s}" for s, n in seen_figures.items())
    )
    if unserved:
        report.notes.append(
            "offline: not loaded (no npm copy): " + ", ".join(sorted({urlparse(u).netloc for u in unserved}))
        )
    return report


# --------------------------------------------------------------------------- render and run


def pinned_quarto_version(project: Path = ROOT) -> str:
    """The Quarto release the project renders with: .quarto-version (written once; the
    Makefile and both workflows read it too)."""
    return (project / ".quarto-version").read_text().strip()


def quarto_version_note(quarto: str | None, project: Path = ROOT) -> str | None:
    """A note when the Quarto that rendered is not the pinned release (a render with
    another release may differ in ways this check cannot see)."""
    if quarto is None:
        return None
    done = subprocess.run([quarto, "--version"], capture_output=True, text=True)
    found, pinned = done.stdout.strip(), pinned_quarto_version(project)
    if found == pinned:
        return f"Quarto {found}, the release in .quarto-version"
    return f"Quarto {found or '(unknown)'} rendered this, but .quarto-version pins {pinned}: results may differ"


def quarto_command() -> str | None:
    """$QUARTO (the Makefile passes its own), else `quarto` on PATH."""
    explicit = os.environ.get("QUARTO", "")
    return explicit if explicit and Path(explicit).is_file() else shutil.which("quarto")


def study_edition(project: Path, env: dict | None = None) -> str | None:
    """The edition (Quarto profile) of the book the study makes, as `make report` picks it;
    None for a project without editions. Computes the study if it is not cached."""
    if not (project / "_quarto-diverged.yml").is_file():
        return None
    done = subprocess.run(
        [sys.executable, "-m", "mnistcompare", "study", "--edition"],
        cwd=project,
        env=env or dict(os.environ),
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"check-render: the study failed ({done.returncode})")
    return done.stdout.strip()


def render_quick(project: Path, out: Path) -> tuple[Path, str | None]:
    """Copy the project's files into `out` and render the book there in quick mode, in the
    edition its study makes; return the rendered book and that edition."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for rel in listed:
        src = project / rel
        if src.is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out / rel)
    quarto = quarto_command()
    if quarto is None:
        raise SystemExit("check-render: Quarto is not installed (make quarto, or install Quarto 1.10.18)")
    env = {**os.environ, "MNISTCOMPARE_QUICK": "1"}
    env.setdefault("MNISTCOMPARE_DATA_DIR", str(project / "data"))
    env.setdefault("MNISTCOMPARE_CACHE_DIR", str(project / "_cache"))  # reuse the quick study between checks
    env.setdefault("QUARTO_PYTHON", sys.executable)
    profile = study_edition(out, env)
    if profile:
        env["QUARTO_PROFILE"] = profile
    print(f"[check-render] quarto render (quick mode, profile {profile}) in {out}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    done = subprocess.run([quarto, "render"], cwd=out, env=env, capture_output=True, text=True)
    print(f"[check-render] rendered in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    if done.returncode != 0:
        raise SystemExit(f"check-render: quarto render failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return out / "_book", profile


def check(book: Path, project: Path = ROOT, live_cdn: bool = False, chromium: str | None = None) -> Report:
    """Every check on a rendered book; `project` holds its _quarto.yml and references.bib."""
    t0 = time.perf_counter()
    pages, numbers, caps, report = site_pages(book, project)
    pdf = check_pdf(book, project, numbers, caps)
    report.problems += pdf.problems
    report.notes += pdf.notes
    report.notes.append(
        f"site and PDF: {len(numbers)} numbered chapters, {len(caps)} figure and table captions compared"
    )
    t1 = time.perf_counter()
    seen = check_site_in_browser(book, pages, live_cdn, chromium)
    report.problems += seen.problems
    report.notes += seen.notes
    report.notes.append(
        f"time: {t1 - t0:.0f} s for the text and the PDF's pages, {time.perf_counter() - t1:.0f} s in the browser"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--book", type=Path, help="a rendered book to check (default: render quick mode into a temporary folder)"
    )
    ap.add_argument("--project", type=Path, default=ROOT, help="the Quarto project the book was rendered from")
    ap.add_argument(
        "--live-cdn", action="store_true", help="load Vega, require.js and jquery from the CDN (needs internet)"
    )
    ap.add_argument(
        "--chromium", help=f"the Chromium to drive (default: Playwright's own if installed, else {CHROMIUM})"
    )
    ap.add_argument(
        "--profile",
        help="the Quarto profile (edition) the book was rendered with "
        "(default: $QUARTO_PROFILE, else the one the study makes)",
    )
    ap.add_argument("--keep", type=Path, help="render into this folder and keep it (default: a temporary folder)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="check-render-") as tmp:
        if args.book:
            book, project = args.book, args.project
            if not (book / "index.html").is_file():
                ap.error(f"{book} holds no rendered book (no index.html)")
            # The edition rendered: the one named, else the one the study makes (as make report picks it).
            profile = args.profile or os.environ.get("QUARTO_PROFILE") or study_edition(project)
        else:
            out = args.keep or Path(tmp)
            out.mkdir(parents=True, exist_ok=True)
            (book, profile), project = render_quick(args.project, out), out
        os.environ["QUARTO_PROFILE"] = profile or ""  # chapters() reads it
        report = check(book, project, live_cdn=args.live_cdn, chromium=args.chromium)
        if not args.book:
            report.notes.insert(0, quarto_version_note(quarto_command(), args.project))
        n_chapters = len(chapters(project))  # the temporary folder is gone after this block
    for note in report.notes:
        print(f"note: {note}")
    if report.problems:
        print(f"check-render: {len(report.problems)} problem(s) in what a reader gets:")
        print("\n".join(f"  - {p}" for p in report.problems))
        return 1
    print(f"check-render: the site ({n_chapters} chapters) and the PDF read as they should")
    return 0


if __name__ == "__main__":
    sys.exit(main())
