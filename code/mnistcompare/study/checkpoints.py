"""Each finished run kept on disk until the study is written, so an interrupt loses none.

The study is written whole, once, at the end (experiments.load_or_compute). A study
interrupted before then (Ctrl-C, a closed laptop, a cancelled job) would lose every run
it had finished; instead each run is saved as it finishes, one JSON file per run in a
folder named by the study's cache key:

    _cache/partial-<key>/<run>.json    {"result": ..., "seconds": ...}

The key covers everything that changes a result (parameters, code, library versions,
data), so a run kept under it is the run the study would compute again. The next study
with the same key reads them back and skips those runs; once the study's file is
written, the folder is removed.

Each file is written atomically (core/atomic.py), so a kept run is whole; a file that
cannot be read all the same (a full disk, a hand edit) is ignored, and its run computed
again. Records are written as JSON (core.records.to_json) and read back as plain JSON
data, which the study builds into its records again (records.read, with the type its
registry entry names).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ..core import atomic
from ..core.records import to_json


def folder(cache_dir: Path, key: str) -> Path:
    """Where the runs of the study under `key` are kept until it is written."""
    return cache_dir / f"partial-{key}"


def save(where: Path, run: str, result: Any, seconds: float) -> None:
    """Keep one finished run (its result and its own seconds)."""
    atomic.write_json(where / f"{run}.json", {"result": to_json(result), "seconds": seconds})


def load(where: Path) -> dict[str, tuple[Any, float]]:
    """Every run kept in `where`, as {run: (result, seconds)}; nothing when there is no
    such folder. A file that is not a whole kept run is left out."""
    kept = {}
    for f in sorted(where.glob("*.json")) if where.is_dir() else ():
        try:
            saved = json.loads(f.read_text())
            kept[f.stem] = (saved["result"], float(saved["seconds"]))
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):  # json.JSONDecodeError is a ValueError
            continue
    return kept


def clear(where: Path) -> None:
    """Remove the kept runs: the study that needed them is written."""
    shutil.rmtree(where, ignore_errors=True)
