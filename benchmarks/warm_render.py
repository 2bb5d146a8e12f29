"""How much computation a render does when the study cache is warm.

Runs every chapter's Python cells in order in a Jupyter kernel, as Quarto's
render does once per format, and sums the cells' execution times (kernel
start-up excluded). Compare with the study's own compute time (make study).

    .venv/bin/python benchmarks/warm_render.py [--format html|pdf]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_book import book_files, notebook_for  # noqa: E402  (the same cell extraction the tests use)


def cell_seconds(nb) -> float:
    total = 0.0
    for cell in nb.cells:
        t = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in t and "shell.execute_reply" in t:
            start = datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
            total += (end - start).total_seconds()
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=("html", "pdf"), default="html")
    args = parser.parse_args()
    from mnistcompare import study

    with tempfile.TemporaryDirectory() as tmp:
        info = Path(tmp) / "info.json"
        info.write_text(json.dumps({"format": {"identifier": {"base-format": args.format}}}))
        os.environ.update(QUARTO_EXECUTE_INFO=str(info), QUARTO_PROJECT_ROOT=str(ROOT))
        warm = study.load_or_compute(progress=False)  # make sure the cache is warm first
        total, wall = 0.0, time.perf_counter()
        for qmd in book_files():
            nb = notebook_for(qmd)
            nb.cells = nb.cells[:-1]  # the chapter's own cells only
            NotebookClient(
                nb,
                kernel_name="python3",
                timeout=900,
                record_timing=True,
                resources={"metadata": {"path": str(qmd.parent)}},
            ).execute()
            seconds = cell_seconds(nb)
            total += seconds
            print(f"{qmd.relative_to(ROOT)}: {seconds:.2f} s in cells", file=sys.stderr)
        wall = time.perf_counter() - wall
    share = total / warm["compute_seconds"]
    print(
        f"{args.format}: {total:.1f} s computing in cells ({wall:.0f} s with kernel start-up) against "
        f"{warm['compute_seconds']:.0f} s to compute the study: {share:.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
