"""The benchmark's tables: the study's own in the book (`markdown_table`), and the saved
`make bench` run (benchmarks/results/bench.json) in its own report, bench.md, which
benchmarks/harness.py writes with the tables here; the book shows no saved run.

The benchmark itself is a tool outside the package (benchmarks/harness.py, run by
`make bench`); this module only reads what it wrote.
"""

from __future__ import annotations

from pathlib import Path

from ..core import paths, records
from . import labels
from .formatting import pct, sig
from .markdown import md_table


def label(name: str) -> str:
    """A trainer of the saved benchmark in words (labels.trainer), or its limit (labels.LIMIT)."""
    return labels.LIMIT if name == "matmul" else labels.trainer(name)


EAGER = ("numpy", "pytorch")  # the eager loops whose overhead the book weighs against the limit


def eager_shares(run: records.BenchRun) -> dict[str, float] | None:
    """NumPy's and eager PyTorch's shares of the limit (BenchRun.share_of_limit), or None
    when either was not measured (a loop's best epoch beat the limit's best)."""
    shares = {m: run.share_of_limit(m) for m in EAGER}
    measured = {m: s for m, s in shares.items() if s is not None}
    return measured if len(measured) == len(shares) else None


def results_path() -> Path:
    return paths.project_root() / "benchmarks" / "results" / "bench.json"


def load_results(path: str | Path | None = None) -> dict | None:
    """The saved benchmark (benchmarks/results/bench.json by default), or None if there is none."""
    import json

    path = Path(path) if path is not None else results_path()
    if not path.is_file():
        return None
    return json.loads(path.read_text())


NOT_MEASURED = "limit not measured"


def share_of_limit(best_s: float | None, limit_best_s: float | None) -> str:
    """A trainer's share of the matmul limit's rate, from the best repeat of each (computed
    here from the stored times, whatever fractions an older file holds): a percentage up
    to 100%, else NOT_MEASURED, because a trainer cannot beat its own products alone."""
    if best_s is None or limit_best_s is None:
        return ""
    return share_text(records.share_of_limit(best_s, limit_best_s))


def share_text(share: float | None) -> str:
    """A share of the limit as a percentage, or NOT_MEASURED where there is none."""
    return NOT_MEASURED if share is None else pct(share, 0)


def markdown_table(results: dict) -> str:
    """The main comparison: one row per trainer and thread count, plus the matmul limit.
    Rates (GFLOP/s) and shares of the limit are at each one's best repeat."""
    rows = []
    for run_ in results["runs"]:
        t, m = run_["threads"], run_["matmul"]
        numpy_median = run_["trainers"].get("numpy", {}).get("median_s")
        for name, r in [*run_["trainers"].items(), ("matmul", m)]:
            ratio = f"{r['median_s'] / numpy_median:.2f}" if numpy_median else ""
            rows.append(
                [
                    t,
                    label(name),
                    sig(r["median_s"]),
                    f"{sig(r['min_s'])}–{sig(r['max_s'])}",
                    ratio,
                    f"{r['gflops']:.1f}",
                    "100%" if name == "matmul" else share_of_limit(r["min_s"], m["min_s"]),
                ]
            )
    return md_table(
        [
            "threads",
            "trainer",
            "median s/epoch",
            "min–max s",
            "× NumPy (median)",
            "GFLOP/s (best)",
            "% of matmul rate (best)",
        ],
        rows,
        align="rlrrrrr",
    )


def scaling_rows(results: dict) -> list[dict]:
    """One row per (threads, sweep, batch size, hidden size): each trainer's median and best
    seconds per epoch (`<trainer>_s`, `<trainer>_best_s`), and PyTorch's median time over
    NumPy's."""
    table: dict[tuple, dict] = {}
    for r in results["scaling"]["rows"]:
        key = (r["threads"], r["vary"], r["batch_size"], r["hidden"])
        row = table.setdefault(
            key,
            {
                "threads": r["threads"],
                "vary": r["vary"],
                "batch_size": r["batch_size"],
                "hidden": r["hidden"],
                "fraction_of_epoch": r["fraction_of_epoch"],
            },
        )
        row[f"{r['trainer']}_s"], row[f"{r['trainer']}_best_s"] = r["median_s"], r["min_s"]
    for row in table.values():
        if "numpy_s" in row and "pytorch_s" in row:
            row["pytorch_ratio_to_numpy"] = row["pytorch_s"] / row["numpy_s"]
    return list(table.values())


def scaling_table(results: dict) -> str:
    rows = [
        [
            r["threads"],
            r["batch_size"],
            f"{r['hidden']}{'*' if r['fraction_of_epoch'] < 1 else ''}",
            sig(r.get("numpy_s")),
            sig(r.get("pytorch_s")),
            f"{r['pytorch_ratio_to_numpy']:.2f}" if "pytorch_ratio_to_numpy" in r else "",
            sig(r.get("matmul_s")),
            share_of_limit(r.get("numpy_best_s"), r.get("matmul_best_s")),
            share_of_limit(r.get("pytorch_best_s"), r.get("matmul_best_s")),
        ]
        for r in scaling_rows(results)
    ]
    return md_table(
        [
            "threads",
            "batch",
            "hidden",
            "NumPy s/epoch",
            "PyTorch s/epoch",
            "PyTorch / NumPy",
            "matmul s",
            "NumPy % of matmul rate (best)",
            "PyTorch % of matmul rate (best)",
        ],
        rows,
        align="r" * 9,
    )


def memory_table(results: dict) -> str:
    rows = [
        [
            label(name),
            f"{r['rss_peak_growth_bytes'] / 2**20:.1f}",
            "" if r.get("tracemalloc_peak_bytes") is None else f"{r['tracemalloc_peak_bytes'] / 2**20:.1f}",
        ]
        for name, r in results["memory"]["trainers"].items()
    ]
    return md_table(["trainer", "peak RSS growth (MiB)", "tracemalloc peak (MiB)"], rows)


def best_line(results: dict) -> str:
    """Each trainer at its own fastest thread count, in words."""
    best = results.get("best") or {}
    parts = [
        f"{label(name)} {r['median_s']:.3f} s at {r['threads']} thread{'s' if r['threads'] > 1 else ''}"
        + (
            f" ({r['ratio_to_numpy_best']:.2f} × NumPy's best)"
            if "ratio_to_numpy_best" in r and name != "numpy"
            else ""
        )
        for name, r in best.items()
    ]
    return "Fastest thread count of each: " + "; ".join(parts) + "." if parts else ""
