"""Build every chapter's notebook (mnistcompare.book.notebooks) into notebooks/. Quarto's
pre-render runs this, so the chapters' links to their notebooks resolve and Quarto copies
the notebooks into the site (_book/notebooks/).

    python tools/notebooks.py [--out DIR] [--repo-url URL]

--out defaults to notebooks/ in the project; --repo-url to
https://github.com/$GITHUB_REPOSITORY in GitHub's CI, else `book: repo-url` in _quarto.yml.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from mnistcompare.book import contents, notebooks

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="folder for the notebooks")
    ap.add_argument("--repo-url", help="the repository the notebooks install from")
    args = ap.parse_args(argv)
    root = Path(os.environ.get("QUARTO_PROJECT_DIR") or ROOT)
    out = args.out or root / "notebooks"
    written = notebooks.build_all(root, out, args.repo_url or contents.repo_url(root))
    print(f"[notebooks] {len(written)} chapters as notebooks in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
