"""Build every chapter's notebook (mnistcompare.book.notebooks): Quarto's post-render runs
this, so the site carries the notebooks it links; by hand it writes them to notebooks/.

    python tools/notebooks.py [--out DIR] [--repo-url URL]

--out defaults to <the render's output>/notebooks inside a render (QUARTO_PROJECT_OUTPUT_DIR),
else notebooks/; --repo-url to https://github.com/$GITHUB_REPOSITORY in GitHub's CI, else
`book: repo-url` in _quarto.yml.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from mnistcompare.book import notebooks

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="folder for the notebooks")
    ap.add_argument("--repo-url", help="the repository the notebooks install from")
    args = ap.parse_args(argv)
    root = Path(os.environ.get("QUARTO_PROJECT_DIR") or ROOT)
    rendered = os.environ.get("QUARTO_PROJECT_OUTPUT_DIR")
    out = args.out or (root / rendered / "notebooks" if rendered else root / "notebooks")
    written = notebooks.build_all(root, out, args.repo_url or notebooks.repo_url(root))
    print(f"[notebooks] {len(written)} chapters as notebooks in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
