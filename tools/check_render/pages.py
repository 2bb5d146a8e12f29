"""The PDF's pages as printed.

Measured on the pages as poppler draws them (pdftoppm, in grey at 72 dpi, so that a pixel
is a PDF point), with the page numbers located in the text (pdftotext -bbox); both are
Debian's poppler-utils. The words, defined once:
  ink          a pixel darker than INK_BELOW (0 is black, 255 white): text, rules, figures,
               the shading behind code;
  body         a page's ink above its page number (the footer is not part of the page's fill);
  text block   the height from the highest body ink on any chapter page to the lowest, and
               the width between the left and right edges where most words of the chapters
               start and end, to the point (the lines of justified paragraphs);
  fill         the height from a page's highest to its lowest body ink, less every blank
               stretch between them taller than BLANK_GAP_PT (about three lines: more than
               the space around a heading or between a float and the text), as a fraction
               of the text block's height; so two floats spread over a page of floats
               count as what they cover, not as the whole page;
  chapter      the pages from a top-level bookmark (an appendix too) to the page before the
               next one; pages before the first chapter (title, contents) are not measured;
  mid-chapter  a chapter's page that is neither its first nor its last;
  float page   a chapter's page, not its first, that holds a figure or table caption and
               whose body starts more than FLOAT_PAGE_DROP of the text block's height below
               its top: LaTeX centres the floats of a float page vertically, while a page
               of text, or a float at the top of one, starts at the top.
The measures: no float page under FLOAT_PAGE_MIN_FILL, no mid-chapter page under
MID_CHAPTER_MIN_FILL, no ink more than SIDE_TOLERANCE_PT past the text block's sides (a
code line or table running into the margin), no ↪ (fvextra's mark at a code line too long
to fit, wrapped), and each float on the page of its first reference in its own chapter or
the next page, numbered as that chapter.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
