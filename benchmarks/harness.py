"""`make bench`: the trainers side by side at each thread count, a scaling sweep and a
memory probe, written to benchmarks/results/.

`run()` calls mnistcompare.core.epoch_timing.compare (one epoch of each trainer,
interleaved, with warm-up, against the matmul limit; its docstring says what is
timed) once per thread count, with the thread count fixed by
measure.fixed_threads (NumPy's BLAS and PyTorch alike).

`scaling` repeats the NumPy / PyTorch (direct) / matmul timing for other batch
and hidden sizes; `memory` measures each trainer's peak memory over a short run.
`write_results` saves bench.json and bench.md (its tables from
mnistcompare.book.bench_tables, which reads them back); the book shows the study's own
sweep instead. This harness is a user of the package, not part of it.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from mnistcompare.book.bench_tables import best_line, markdown_table, memory_table, scaling_table
from mnistcompare.core import atomic, measure
from mnistcompare.core.epoch_timing import (
    BATCH_SIZE,
    FLOP_FORMULA,
    HIDDEN,
    LR,
    N_IN,
    N_OUT,
    PAUSE_S,  # noqa: F401
    compare,
    default_trainers,
    flops_per_epoch,
    flops_per_sample,
    log_stderr,
    make,
    time_interleaved,
    timing,
)
from mnistcompare.core.records import BenchRun, to_json
from mnistcompare.core.torch_compiled import CompileUnavailable

BENCH_SCHEMA_VERSION = 1  # bench.json's own format (the study's file has core.records.SCHEMA_VERSION)
SCALING_TRAINERS = ("numpy", "pytorch")
SCALING_BATCH_SIZES = (16, 32, 64, 128, 256, 512, 1024)
SCALING_HIDDEN_SIZES = (32, 64, 128, 256, 512, 1024)
SCALING_FULL_EPOCH_MAX_HIDDEN = 256  # wider networks time a fraction 256/hidden of an epoch, scaled up
MEMORY_SAMPLES = 6400  # the short run for peak memory: 100 minibatches of 64


def scaling(
    X,
    y,
    threads: int,
    repeats: int,
    warmup: int,
    batch_sizes: Iterable[int],
    hidden_sizes: Iterable[int],
    lr: float,
    trainers: Iterable[str] = SCALING_TRAINERS,
    seed: int = 0,
    log=log_stderr,
    full_epoch_max_hidden: int = SCALING_FULL_EPOCH_MAX_HIDDEN,
    pause_s: float = PAUSE_S,
) -> list[dict]:
    """Seconds per epoch against batch size (hidden HIDDEN) and hidden size (batch BATCH_SIZE)."""
    configs = [("batch_size", b, HIDDEN) for b in batch_sizes] + [("hidden", BATCH_SIZE, h) for h in hidden_sizes]
    rows = []
    for vary, batch_size, hidden in configs:
        fraction = min(1.0, full_epoch_max_hidden / hidden)
        n = min(len(y), max(batch_size, int(round(len(y) * fraction))))
        fraction = n / len(y)
        names = [*trainers, "matmul"]
        epochs = {name: make(name, X, y, batch_size, hidden, lr, seed) for name in names}
        raw = time_interleaved(
            epochs,
            n,
            len(y),
            repeats,
            warmup,
            np.random.default_rng([seed, threads, batch_size, hidden]),
            log,
            label=f"[{threads}t, batch {batch_size}, hidden {hidden}"
            + (f", {n} of {len(y)} images" if n < len(y) else "")
            + "] ",
            pause_s=pause_s,
        )
        flops = flops_per_epoch(len(y), N_IN, hidden, N_OUT)
        per_epoch = {name: [t / fraction for t in times] for name, times in raw.items()}  # scaled up to a full epoch
        numpy_median = float(np.median(per_epoch["numpy"])) if "numpy" in per_epoch else None
        for name, times in per_epoch.items():
            rows.append(
                {
                    "threads": threads,
                    "vary": vary,
                    "batch_size": batch_size,
                    "hidden": hidden,
                    "trainer": name,
                    "samples_timed": n,
                    "fraction_of_epoch": fraction,
                    **to_json(timing(times, flops, numpy_median)),
                }
            )
    return rows


def memory(
    X, y, n_samples: int, batch_size: int, hidden: int, lr: float, trainers: Iterable[str] | None = None, seed: int = 0
) -> dict:
    """Peak memory of one short epoch (n_samples rows) of a fresh model per trainer, with the
    study's instruments (measure.peak_memory): growth of the process's peak RSS for all, and
    tracemalloc's peak for the NumPy-based ones (PyTorch's allocator is invisible to it)."""
    Xs, ys = np.ascontiguousarray(X[:n_samples]), np.ascontiguousarray(y[:n_samples])
    order = np.random.default_rng(seed).permutation(n_samples)
    out = {}
    for name in default_trainers() if trainers is None else trainers:
        # A fresh model for each instrument (its set-up included), as the study's trainers do.
        run = lambda name=name: make(name, Xs, ys, batch_size, hidden, lr, seed)(order)  # noqa: E731
        try:
            out[name] = measure.peak_memory(run, tracemalloc=name in ("numpy", "sklearn"))
        except CompileUnavailable:  # the comparison says why (compare's `unavailable`)
            continue
    return {"samples": n_samples, "batch_size": batch_size, "hidden": hidden, "trainers": out}


def best_setups(runs: list[dict]) -> dict:
    """Each trainer at its fastest thread count: {name: {"threads", "median_s", "ratio_to_numpy_best"}}."""
    best: dict[str, dict] = {}
    for run_ in runs:
        for name, r in [*run_["trainers"].items(), ("matmul", run_["matmul"])]:
            if name not in best or r["median_s"] < best[name]["median_s"]:
                best[name] = {"threads": run_["threads"], "median_s": r["median_s"]}
    if "numpy" in best:
        for r in best.values():
            r["ratio_to_numpy_best"] = r["median_s"] / best["numpy"]["median_s"]
    return best


def default_threads() -> tuple[int, ...]:
    """1 and one per core (just 1 on a single core)."""
    return tuple(sorted({1, os.cpu_count() or 1}))


def run(
    data=None,
    *,
    threads: Iterable[int] | None = None,
    repeats: int = 5,
    warmup: int = 1,
    n_train: int | None = None,
    batch_size: int = BATCH_SIZE,
    hidden: int = HIDDEN,
    lr: float = LR,
    scaling_repeats: int = 3,
    scaling_batch_sizes: Iterable[int] = SCALING_BATCH_SIZES,
    scaling_hidden_sizes: Iterable[int] = SCALING_HIDDEN_SIZES,
    memory_samples: int = MEMORY_SAMPLES,
    trainers: Iterable[str] | None = None,
    quick: bool = False,
    seed: int = 0,
    log=log_stderr,
    pause_s: float = PAUSE_S,
) -> dict:
    """The whole benchmark; returns the results as plain data (see the module docstring).

    quick: a smoke run in seconds (640 images, 1 repeat, two sizes per scaling sweep,
    one thread count); its numbers mean nothing.
    """
    if quick:
        n_train = min(n_train or 640, 640)
        repeats, warmup, scaling_repeats = 1, 1, 1
        scaling_batch_sizes, scaling_hidden_sizes = (32, 64), (32, 64)
        memory_samples = min(memory_samples, 320)
        threads = tuple(threads or (1,))[:1]
        pause_s = 0.0
    if repeats < 1 or warmup < 0 or scaling_repeats < 1:
        raise ValueError("repeats and scaling_repeats must be >= 1, warmup >= 0")
    trainers = tuple(default_trainers() if trainers is None else trainers)
    threads = tuple(threads or default_threads())
    trainers = tuple(trainers)
    if data is None:
        from mnistcompare.core import data as data_module

        data = data_module.load()
    X, y = data.X_train, data.y_train
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    X, y = np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y, dtype=np.int64)

    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load_start and load_start[0] >= 0.5 * (os.cpu_count() or 1):
        log(
            f"warning: load average {load_start[0]:.2f} on {os.cpu_count()} cores: other processes are running, "
            "and timings (above all with more than one thread) will be slower and noisier than on an idle machine"
        )
    log(
        f"benchmark: {len(y)} images, batch {batch_size}, hidden {hidden}, threads {', '.join(map(str, threads))}, "
        f"{warmup} warm-up + {repeats} repeats, interleaved"
    )
    log(
        f"FLOPs {FLOP_FORMULA}. D={N_IN}, H={hidden}, K={N_OUT}: {flops_per_sample(N_IN, hidden, N_OUT):,} per sample, "
        f"{flops_per_epoch(len(y), N_IN, hidden, N_OUT) / 1e9:.2f} GFLOP per epoch of N={len(y)}."
    )
    runs, scaling_rows_, env = [], [], None
    for n in threads:
        with measure.fixed_threads(n) as fixed:
            log(f"threads fixed to {fixed} (NumPy's BLAS and torch intra-op)")
            if env is None:
                env = measure.environment(fixed)
            runs.append(compare(X, y, fixed, repeats, warmup, batch_size, hidden, lr, trainers, seed, log, pause_s))
            log(_comparison_lines(runs[-1]))
    for n in threads:
        with measure.fixed_threads(n) as fixed:
            log(f"scaling at {fixed} thread(s): {scaling_repeats} repeats each")
            scaling_rows_ += scaling(
                X,
                y,
                fixed,
                scaling_repeats,
                1 if warmup else 0,
                scaling_batch_sizes,
                scaling_hidden_sizes,
                lr,
                [t for t in SCALING_TRAINERS if t in trainers],
                seed,
                log,
                pause_s=pause_s,
            )
    with measure.fixed_threads(threads[0]) as fixed:
        log(f"peak memory over {min(memory_samples, len(y))} images at {fixed} thread(s)")
        mem = memory(X, y, min(memory_samples, len(y)), batch_size, hidden, lr, trainers, seed)
        mem["threads"] = fixed
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else None

    results = {
        "schema_version": BENCH_SCHEMA_VERSION,
        "timestamp": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "environment": to_json(env),
        "load_average": {
            "start": list(load_start) if load_start else None,
            "end": list(load_end) if load_end else None,
        },
        "threads": list(threads),
        "repeats": repeats,
        "warmup": warmup,
        "config": {
            "n_train": len(y),
            "batch_size": batch_size,
            "hidden": hidden,
            "n_in": N_IN,
            "n_out": N_OUT,
            "lr": lr,
        },
        "flops": {
            "formula": FLOP_FORMULA,
            "per_sample": flops_per_sample(N_IN, hidden, N_OUT),
            "per_epoch": flops_per_epoch(len(y), N_IN, hidden, N_OUT),
        },
        "runs": [run_json(r) for r in runs],
        "scaling": {
            "repeats": scaling_repeats,
            "warmup": 1 if warmup else 0,
            "threads": list(threads),
            "batch_sizes": list(scaling_batch_sizes),
            "hidden_sizes": list(scaling_hidden_sizes),
            "note": (
                f"hidden sizes above {SCALING_FULL_EPOCH_MAX_HIDDEN} time the first {SCALING_FULL_EPOCH_MAX_HIDDEN}/hidden "
                "of an epoch and scale it up to a full epoch (fraction_of_epoch)"
            ),
            "rows": scaling_rows_,
        },
        "memory": mem,
        "best": best_setups([run_json(r) for r in runs]),
        "notes": [
            "One epoch = one pass over the training images with minibatch SGD; evaluation is not timed.",
            "Trainers run interleaved in one process: each repeat runs every trainer once, the first one rotating.",
            "The matmul limit times only the epoch's five matrix products per minibatch, operands in cache.",
            "pytorch_dataloader and sklearn shuffle by themselves; numpy, pytorch and matmul share each repeat's permutation.",
            "sklearn: MLPClassifier(solver='sgd', momentum=0, alpha=0, learning_rate='constant'), one partial_fit "
            "per epoch, which includes its input validation.",
        ],
    }
    return results


# --- the report of `make bench` ------------------------------------------------------------


def run_json(run_: BenchRun) -> dict:
    """A thread count's comparison in bench.json: the record, and NumPy's BLAS products
    alone as "matmul", the limit its tables show (bench_tables)."""
    return {**to_json(run_), "matmul": to_json(run_.limits["numpy"])}


def _comparison_lines(run_: BenchRun) -> str:
    lines = [
        f"  matmul limit ({backend}): best {m.min_s:.3f} s/epoch = {m.gflops:.1f} GFLOP/s"
        for backend, m in run_.limits.items()
    ]
    for name, r in run_.trainers.items():
        ratio = f", {r.ratio_to_numpy:.2f} x numpy" if r.ratio_to_numpy is not None else ""
        share = run_.share_of_limit(name)
        lines.append(
            f"  {name:<19} median {r.median_s:.3f} s (min {r.min_s:.3f}, max {r.max_s:.3f}){ratio}, "
            f"{r.gflops:.1f} GFLOP/s at its best = "
            + ("limit not measured" if share is None else f"{100 * share:.0f}% of the matmul rate")
        )
    return "\n".join(lines)


def report_markdown(results: dict) -> str:
    env = results["environment"] or {}
    cfg = results["config"]
    blas = ", ".join(
        f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')})" for b in env.get("blas", [])
    )
    load = results.get("load_average") or {}
    parts = [
        "# Benchmark: one training epoch, side by side",
        "",
        f"Run {results['timestamp']}{' (QUICK smoke run: numbers mean nothing)' if results.get('quick') else ''} on "
        f"{env.get('cpu')} ({env.get('cpu_count')} cores), Python {env.get('python')}, NumPy {env.get('numpy')}, "
        f"PyTorch {env.get('torch')}, BLAS {blas}. Load average at start / end: {load.get('start')} / {load.get('end')}.",
        "",
        f"{cfg['n_train']} images, batch {cfg['batch_size']}, hidden {cfg['hidden']}, lr {cfg['lr']}; "
        f"{results['warmup']} warm-up + {results['repeats']} timed epochs per trainer and thread count, interleaved. "
        f"Threads fixed to {', '.join(map(str, results['threads']))} (NumPy's BLAS and torch alike).",
        "",
        f"FLOPs counted {results['flops']['formula']}. D={cfg['n_in']}, H={cfg['hidden']}, K={cfg['n_out']}: "
        f"{results['flops']['per_sample']:,} per sample, {results['flops']['per_epoch'] / 1e9:.2f} GFLOP per epoch of "
        f"N={cfg['n_train']}. GFLOP/s = that / the best repeat's seconds; % of matmul rate = that / the matmul "
        "limit's GFLOP/s, both at their best repeat (equivalently, the GEMMs' best time / the trainer's best epoch "
        "time); a trainer above 100% would mean the limit was not measured, and is shown as such.",
        "",
        markdown_table(results),
        "",
        best_line(results),
        "",
        "## Scaling",
        "",
        f"Median of {results['scaling']['repeats']} epochs (after a warm-up). Batch sweep at hidden {HIDDEN}, "
        f"hidden sweep at batch {BATCH_SIZE}. * {results['scaling']['note']}.",
        "",
        scaling_table(results),
        "",
        "## Peak memory",
        "",
        f"One short epoch of {results['memory']['samples']} images on a fresh model, {results['memory']['threads']} thread(s).",
        "",
        memory_table(results),
        "",
    ]
    return "\n".join(parts)


def write_results(results: dict, out_dir: str | Path) -> dict[str, str]:
    """bench.json and bench.md in out_dir, each written atomically."""
    out_dir = Path(out_dir)
    files = {"json": out_dir / "bench.json", "md": out_dir / "bench.md"}
    atomic.write_json(files["json"], results)
    atomic.write_text(files["md"], report_markdown(results))
    return {k: str(v) for k, v in files.items()}
