"""The whole study's wall time, sequential against parallel, on this machine in one run.

Loads MNIST once, then computes the study (study.compute: every experiment the
book reports, nothing read from or written to the cache) three ways, one after
another in this process:

  parallel      the main run, the benchmark and the sweep alone, then the other
                experiments side by side in one worker process per core, one
                thread each (what make study does)
  sequential-1  the same experiments one after another, one thread each
  sequential    one after another, every experiment with the main run's threads
                (params.threads: one per core), as the study ran before

The parallel run goes first, so it pays for starting its worker processes. It
checks that parallel and sequential-1 computed bit-identical results (timings,
memory and environment aside), prints each run's wall time, the speed-up against
the faster sequential run, the load average around each run, and the parallel
run's time budget. Run it on an otherwise idle machine.

    .venv/bin/python benchmarks/study_time.py               # the default study (params.yml), ~6-8 minutes on 2 cores
    .venv/bin/python benchmarks/study_time.py --quick       # params.yml's quick section: a smoke run
    .venv/bin/python benchmarks/study_time.py --runs parallel,sequential-1 --workers 2
    .venv/bin/python benchmarks/study_time.py --torch-compile   # eager against torch.compile instead
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from mnistcompare import study
from mnistcompare.book.chapters.reproducibility import time_budget
from mnistcompare.core import data, paths
from mnistcompare.core import params as P
from mnistcompare.core.records import to_json
from mnistcompare.study import records, runner

RUNS = {  # name: (worker processes, threads per side-by-side experiment); None: the defaults
    "parallel": (None, 1),
    "sequential-1": (1, 1),
    "sequential": (1, None),
}


def run_list(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(names) - set(RUNS))
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"runs must be a comma-separated selection of {', '.join(RUNS)}; got {text!r}")
    return names


def torch_compile_check(mnist, epochs: int = 3, threads: int = 1) -> dict:
    """Does torch.compile pay at this size? The trainer's epoch (torch_mlp.train_epoch)
    with the model eager and with torch.compile(model): seconds of the first
    epoch (which compiles) and the median of the next `epochs`, interleaved.
    Inductor caches compiled code on disk; an empty cache folder gives the compile
    time a first run pays (a fresh CI runner, a fork's first publish)."""
    import statistics
    import tempfile

    import torch
    from mnistcompare.core import measure, torch_mlp

    X, y = torch.from_numpy(mnist.X_train), torch.from_numpy(mnist.y_train)
    g = torch.Generator().manual_seed(0)
    out = {}
    with tempfile.TemporaryDirectory(prefix="mnistcompare-inductor-") as cache, measure.fixed_threads(threads):
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
        runs = {}
        for name in ("eager", "compiled"):
            model = torch_mlp.build(X.shape[1], 128, 10, seed=0)
            runs[name] = (
                torch.compile(model) if name == "compiled" else model,
                torch.optim.SGD(model.parameters(), lr=0.1),
                [],
            )
        for _ in range(epochs + 1):
            order = torch.randperm(len(X), generator=g)
            for model, optimizer, times in runs.values():
                t0 = time.perf_counter()
                torch_mlp.train_epoch(model, optimizer, X, y, order, 64)
                times.append(time.perf_counter() - t0)
        for name, (_, _, times) in runs.items():
            out[name] = {"first_epoch_s": times[0], "epoch_s": statistics.median(times[1:])}
    return {"threads": threads, **out}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--runs",
        type=run_list,
        default=list(RUNS),
        help=f"which ways to compute the study, in this order (default {','.join(RUNS)})",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes of the parallel run (default: one per core)"
    )
    p.add_argument("--quick", action="store_true", help="params.yml's quick section (a small subset, a few epochs)")
    p.add_argument("--params", default=None, help="parameters file (default params.yml at the project root)")
    p.add_argument("--json", type=Path, default=None, help="also write every number to this JSON file")
    p.add_argument(
        "--torch-compile",
        action="store_true",
        help="instead: time PyTorch's epoch eager against torch.compile (compile time, epoch time)",
    )
    args = p.parse_args(argv)

    environ = dict(os.environ)
    environ.pop(runner.SCHEDULER_ENV, None)  # this benchmark is about this machine
    if args.quick:
        environ[P.QUICK_ENV] = "1"
    loaded = P.load(args.params or paths.params_file(), environ=environ)
    from mnistcompare.core import training  # noqa: F401  (import torch before any clock starts)

    t0 = time.perf_counter()
    mnist = data.load(paths.data_dir())
    load_seconds = time.perf_counter() - t0
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log(f"parameters {loaded.params.to_dict()}; MNIST loaded in {load_seconds:.1f} s")
    if args.torch_compile:
        c = torch_compile_check(mnist)
        e, k = c["eager"], c["compiled"]
        print(f"PyTorch epoch (batch 64, hidden 128, {c['threads']} thread), load average {os.getloadavg()[0]:.2f}:")
        print(f"  eager     first epoch {e['first_epoch_s']:.2f} s, then {e['epoch_s']:.3f} s per epoch")
        print(f"  compiled  first epoch {k['first_epoch_s']:.2f} s (compiles), then {k['epoch_s']:.3f} s per epoch")
        saved = e["epoch_s"] - k["epoch_s"]
        cost = k["first_epoch_s"] - k["epoch_s"]
        print(
            f"  compile time about {cost:.1f} s; "
            + (
                f"pays after {cost / saved:.0f} epochs"
                if saved > 0
                else "compiled epochs are not faster: it never pays"
            )
        )
        return 0

    results = {}
    for name in args.runs:
        n_jobs, threads = RUNS[name]
        n_jobs = args.workers if name == "parallel" and args.workers else n_jobs
        log(f"--- {name} (load average {os.getloadavg()[0]:.2f})")
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        result = study.compute(loaded, mnist, progress=True, n_jobs=n_jobs, threads=threads)
        wall = time.perf_counter() - t0
        results[name] = {"result": result, "wall": wall, "load": [load_before, os.getloadavg()[0]]}

    rows = []
    for name, r in results.items():
        res, par = r["result"], r["result"]["parallel"]
        side = [res["timings"][k] for k in par.experiments]
        rows.append(
            (
                name,
                f"{par.backend}, {par.workers} x {par.threads_per_worker or 'all'} thread(s)",
                r["wall"],
                res["timings"]["main"],
                par.wall_seconds,
                sum(side),
                f"{r['load'][0]:.2f} / {r['load'][1]:.2f}",
            )
        )
    cpu = next(iter(results.values()))["result"]["main"].environment.cpu
    print(
        f"\nStudy wall time on this machine: {cpu}, "
        f"{os.cpu_count()} cores; parameters {loaded.params.to_dict()}; MNIST loading {load_seconds:.1f} s, not included\n"
    )
    print(
        "| run | side-by-side experiments | study s | main run s (alone) | other experiments s (wall) "
        "| sum of their own s | load avg before / after |"
    )
    print("|:--|:--|--:|--:|--:|--:|--:|")
    for name, how, wall, main_s, side_wall, side_sum, load in rows:
        print(f"| {name} | {how} | {wall:.1f} | {main_s:.1f} | {side_wall:.1f} | {side_sum:.1f} | {load} |")

    summary = {
        "load_seconds": load_seconds,
        "params": loaded.params.to_dict(),
        "runs": {
            n: {
                "wall_seconds": r["wall"],
                "load_average": r["load"],
                "timings": r["result"]["timings"],
                "parallel": to_json(r["result"]["parallel"]),
            }
            for n, r in results.items()
        },
    }
    sequential = [n for n in ("sequential", "sequential-1") if n in results]
    if "parallel" in results and sequential:
        best = min(sequential, key=lambda n: results[n]["wall"])
        speedup = results[best]["wall"] / results["parallel"]["wall"]
        summary["speedup"] = {"against": best, "factor": speedup}
        print(f"\nparallel against the faster sequential run ({best}): {speedup:.2f}x")
    if "parallel" in results and "sequential-1" in results:
        # The bookkeeping keys differ by design and the short benchmark ("bench") and the
        # sweep are measurements only; compare the experiments themselves.
        measured = ("timings", "parallel", "compute_seconds", "bench", "sweep")
        keys = [k for k in results["parallel"]["result"] if k not in measured]
        same = all(
            runner.computed_values(results["parallel"]["result"][k])
            == runner.computed_values(results["sequential-1"]["result"][k])
            for k in keys
        )
        summary["bit_identical"] = same
        print(
            f"parallel and sequential-1 results bit-identical (timings, memory, environment aside): {'yes' if same else 'NO'}"
        )
    if "parallel" in results:
        print("\nTime budget of the parallel run:\n")
        print("| experiment | s | how |\n|:--|--:|:--|")
        # The book's time budget reads the study as typed records: the computed study, with
        # what load_or_compute adds before caching it.
        computed = {
            **results["parallel"]["result"],
            "schema_version": records.SCHEMA_VERSION,
            "key": "",
            "params": loaded.params.to_dict(),
            "params_file": loaded.path,
            "quick": loaded.quick,
            "overrides": loaded.overrides,
            "created": "",
        }
        for row in time_budget(records.Study.read(to_json(computed))):
            print(f"| {row['what']} | {row['seconds']:.1f} | {row['how']} |")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
        log(f"wrote {args.json}")
    return 0 if summary.get("bit_identical", True) else 1


if __name__ == "__main__":
    sys.exit(main())
