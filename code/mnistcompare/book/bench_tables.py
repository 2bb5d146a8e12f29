"""The saved benchmark (benchmarks/results/bench.json) as the book shows it: tables and
the sentences that quote it, with the machine and date it was measured on.

The benchmark itself is a tool outside the package (benchmarks/harness.py, run by
`make bench`); this module only reads what it wrote.
"""

from __future__ import annotations

from pathlib import Path

from ..core import paths
from .report import md_table, pct

LABELS = {
    "numpy": "NumPy (ours)",
    "pytorch": "PyTorch (indexed tensors)",
    "pytorch_dataloader": "PyTorch (DataLoader)",
    "sklearn": "scikit-learn (MLPClassifier)",
    "matmul": "matmul limit (products alone)",
}


def results_path() -> Path:
    return paths.project_root() / "benchmarks" / "results" / "bench.json"


def load_results(path: str | Path | None = None) -> dict | None:
    """The saved benchmark (benchmarks/results/bench.json by default), or None if there is none."""
    import json

    path = Path(path) if path is not None else results_path()
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def markdown_table(results: dict) -> str:
    """The main comparison: one row per trainer and thread count, plus the matmul limit."""
    rows = []
    for run_ in results["runs"]:
        t = run_["threads"]
        numpy_median = run_["trainers"].get("numpy", {}).get("median_s")
        for name, r in run_["trainers"].items():
            ratio = f"{r['ratio_to_numpy']:.2f}" if "ratio_to_numpy" in r else ""
            rows.append([t, LABELS.get(name, name), f"{r['median_s']:.3f}", f"{r['min_s']:.3f}–{r['max_s']:.3f}", ratio,
                         f"{r['gflops']:.1f}", pct(r.get("fraction_of_matmul_rate"), 0)])
        m = run_["matmul"]
        ratio = f"{m['median_s'] / numpy_median:.2f}" if numpy_median else ""
        rows.append([t, LABELS["matmul"], f"{m['median_s']:.3f}", f"{m['min_s']:.3f}–{m['max_s']:.3f}", ratio,
                     f"{m['gflops']:.1f}", "100%"])
    return md_table(["threads", "trainer", "median s/epoch", "min–max s", "× NumPy", "GFLOP/s", "% of matmul rate"],
                    rows, align="rlrrrrr")


def scaling_rows(results: dict) -> list[dict]:
    """One row per (threads, sweep, batch size, hidden size): each trainer's median seconds
    per epoch (`<trainer>_s`), its GFLOP/s and fraction of the matmul rate at those shapes,
    and PyTorch's time relative to NumPy's."""
    table: dict[tuple, dict] = {}
    for r in results["scaling"]["rows"]:
        key = (r["threads"], r["vary"], r["batch_size"], r["hidden"])
        row = table.setdefault(key, {"threads": r["threads"], "vary": r["vary"], "batch_size": r["batch_size"],
                                     "hidden": r["hidden"], "fraction_of_epoch": r["fraction_of_epoch"]})
        name = r["trainer"]
        row[f"{name}_s"] = r["median_s"]
        row[f"{name}_gflops"] = r["gflops"]
        if name != "matmul":
            row[f"{name}_fraction_of_matmul_rate"] = r.get("fraction_of_matmul_rate")
    for row in table.values():
        if "numpy_s" in row and "pytorch_s" in row:
            row["pytorch_ratio_to_numpy"] = row["pytorch_s"] / row["numpy_s"]
    return list(table.values())


def scaling_table(results: dict) -> str:
    s3 = lambda x: f"{x:.3f}" if x is not None else ""  # noqa: E731
    rows = [[r["threads"], r["batch_size"], f"{r['hidden']}{'*' if r['fraction_of_epoch'] < 1 else ''}",
             s3(r.get("numpy_s")), s3(r.get("pytorch_s")),
             f"{r['pytorch_ratio_to_numpy']:.2f}" if "pytorch_ratio_to_numpy" in r else "", s3(r.get("matmul_s")),
             pct(r.get("numpy_fraction_of_matmul_rate"), 0), pct(r.get("pytorch_fraction_of_matmul_rate"), 0)]
            for r in scaling_rows(results)]
    return md_table(["threads", "batch", "hidden", "NumPy s/epoch", "PyTorch s/epoch", "PyTorch / NumPy", "matmul s",
                     "NumPy % of matmul rate", "PyTorch % of matmul rate"], rows, align="r" * 9)


def memory_table(results: dict) -> str:
    rows = [[LABELS.get(name, name), f"{r['rss_peak_growth_bytes'] / 2**20:.1f}",
             "" if r.get("tracemalloc_peak_bytes") is None else f"{r['tracemalloc_peak_bytes'] / 2**20:.1f}"]
            for name, r in results["memory"]["trainers"].items()]
    return md_table(["trainer", "peak RSS growth (MiB)", "tracemalloc peak (MiB)"], rows)


def provenance(results: dict | None) -> str:
    """When, where and how the saved benchmark was taken, as a sentence fragment."""
    if results is None:
        return "does not exist yet (`make bench` writes it)"
    env = results["environment"]
    threads = " and ".join(str(t) for t in results["threads"])
    return (f"was run on {results['timestamp'][:10]} (CPU: {env['cpu']}, {env['cpu_count']} cores; NumPy "
            f"{env['numpy']}, PyTorch {env['torch']}) at {threads} thread(s), {results['repeats']} timed epochs each")


def best_line(results: dict) -> str:
    """Each trainer at its own fastest thread count, in words."""
    best = results.get("best") or {}
    parts = [f"{LABELS.get(name, name)} {r['median_s']:.3f} s at {r['threads']} thread{'s' if r['threads'] > 1 else ''}"
             + (f" ({r['ratio_to_numpy_best']:.2f} × NumPy's best)" if "ratio_to_numpy_best" in r and name != "numpy" else "")
             for name, r in best.items()]
    return "Fastest thread count of each: " + "; ".join(parts) + "." if parts else ""
