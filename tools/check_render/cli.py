"""The command line: render (or take) a book, run every check on it, print the problems
and notes. `check` is every check on a rendered book; `smoke` the few that `make test`
runs on a render of the site alone."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from .browser import CHROMIUM, check_site_in_browser
from .figures import site_figures
from .pdf import check_pdf
from .plan import ROOT, Report, chapters
from .render import quarto_command, quarto_version_note, render_quick, study_edition
from .text import site_pages


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


def smoke(book: Path, project: Path = ROOT) -> Report:
    """What `make test` checks, on a render of the site alone: every chapter has its page,
    no Markdown or Quarto syntax leaks into its text, and every figure it declares is on it
    with its graphic (a chapter that fails to execute has already failed the render)."""
    pages, _, _, report = site_pages(book, project)
    n_figures, figures = site_figures(book, project)
    report.problems += figures.problems
    report.notes.append(f"smoke: {len(pages)} pages read, {n_figures} figures looked for")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(sys.modules[__package__].__doc__ or "").split("\n\n")[0])
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
    ap.add_argument(
        "--smoke",
        action="store_true",
        help="render the site alone and check its text and figures, no PDF, no browser (make test's check)",
    )
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
            (book, profile), project = render_quick(args.project, out, to="html" if args.smoke else None), out
        os.environ["QUARTO_PROFILE"] = profile or ""  # chapters() reads it
        if args.smoke:
            report = smoke(book, project)
        else:
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
    if args.smoke:
        print(f"check-render --smoke: the site ({n_chapters} chapters) reads as it should, with its figures")
    else:
        print(f"check-render: the site ({n_chapters} chapters) and the PDF read as they should")
    return 0
