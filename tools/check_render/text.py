"""The text a reader sees, on the site and in the PDF: no Markdown or Quarto syntax and no
object repr may survive into it, and the numbered captions (read here from either) must
agree. The site's pages are read from their files: each chapter's <main>, without the
sidebar that lists every chapter, and without scripts and styles."""

from __future__ import annotations

import html.parser
import re
import unicodedata
from pathlib import Path

from .plan import Report, bib_keys, chapters, html_name

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
