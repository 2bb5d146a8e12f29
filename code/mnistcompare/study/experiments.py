"""Every experiment the book reports, computed once and cached on disk.

Quarto executes each chapter in its own kernel, once per output format (HTML,
then PDF). Each chapter calls `load_or_compute()`: the first call trains and
writes `_cache/study-<key>.json`; every later call reads it. The key is a hash of
the parameters, this package's source code, the library versions and the data
checksums, so a changed parameter or a code change computes afresh, and an
interrupted run leaves no entry behind (the file is written atomically). JSON,
not pickle: the cache is plain data that any tool can read.

Experiments (the parameters come from params.yml):
  main        both networks, identical initial weights and minibatch order (parity;
              the independent comparison is `seeds`)
  bench       one epoch of each trainer (NumPy, PyTorch, PyTorch with a DataLoader,
              scikit-learn) against the matmul limit, interleaved (short_benchmark)
  init_only   PyTorch with nn.Linear's own initial weights and the main run's
              minibatch order (NumPy's own draw is the main run's)
  init_small  the NumPy network with the tutorials' N(0, 0.01^2) weights, order as main
  seeds       `seeds` independent runs (seed, seed+1, ...): each network draws its
              own weights and order, as two separate users of the libraries would
  paper_like  the "paper-like" preset (params.PRESETS)
  boundaries  3 vs 8 on two principal components: logistic regression and both networks
  pca         the test set projected on its first two principal components
  gradients   relative errors of the hand-written gradients
  complexity  lines of code of each implementation
  pytorch_idioms  what SGD's for-loop / foreach / fused step, X[idx] / index_select,
              the loss bookkeeping and no_grad / inference_mode cost (epoch_timing.time_idioms)

The main run goes first, alone on the machine, with params.threads: its epoch
times are the book's headline; the short benchmark follows, alone too. Every other experiment is independent of it and
of each other, so they then run side by side, one thread each, in worker
processes (or on a Dask cluster named by MNISTCOMPARE_SCHEDULER; see runner.py);
their results are bit-identical to running them one after another with one
thread, but their epoch times are measured side by side. `timings` records the
seconds of each experiment and `parallel` how the side-by-side ones were run.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import analysis, runner
from ..core import atomic, data, paths
from ..core import params as P

CACHE_VERSION = 1


# The key covers the modules that compute: core/ and study/. The book's presentation
# (book/: figures, tables, verdict words) and the command line change the book's text,
# never a number, so they stay out of it and a change there re-renders from the cache.
KEYED_LAYERS = ("core", "study")
# Parameters the study does not read: it always runs both parity and independent runs.
NOT_IN_KEY = ("parity",)


def study_sources() -> list[Path]:
    """The package's modules that compute the study: everything in core/ and study/."""
    package = Path(__file__).resolve().parents[1]
    return [f for layer in KEYED_LAYERS for f in sorted((package / layer).glob("*.py"))]


def _source_digest() -> str:
    digest = hashlib.sha256()
    for f in study_sources():
        digest.update(f"{f.parent.name}/{f.name}".encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def cache_key(params: P.Params, sha256: dict) -> str:
    # Versions from the installed metadata: importing torch just to read its
    # version would cost a warm render a second per chapter.
    from importlib.metadata import version

    payload = {
        "cache_version": CACHE_VERSION, "source": _source_digest(), "data": sha256,
        "params": {k: v for k, v in params.to_dict().items() if k not in NOT_IN_KEY},
        "versions": [version(name) for name in ("numpy", "torch", "scikit-learn")],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _log(progress: bool, msg: str) -> None:
    if progress:
        print(f"[study] {msg}", file=sys.stderr, flush=True)


def _train(mnist: data.MNIST, params: P.Params, **kwargs) -> dict:
    """One side-by-side training run (a runner task): no memory probes, no progress bar."""
    from ..core import training

    return training.train(params, mnist, progress=False, memory=False, on_diverge="stop", **kwargs)


def _boundaries(mnist: data.MNIST, params: P.Params) -> dict:
    return analysis.decision_boundaries(mnist, params, epochs=min(10, params.epochs), on_diverge="stop")


def _pca(mnist: data.MNIST) -> dict:
    fit = analysis.pca(mnist.X_test, 10)
    return {
        "scores": fit["scores"][:, :2].round(4).tolist(),
        "labels": mnist.y_test.tolist(),
        "explained_variance_ratio": fit["explained_variance_ratio"].tolist(),
    }


def _gradients(mnist: data.MNIST, params: P.Params) -> dict:
    return analysis.gradient_check(mnist.X_train[:256], mnist.y_train[:256], params.hidden, params.seed)


# The study's own benchmark: one epoch of each trainer on this machine, interleaved, alone.
BENCH_ROWS = 12_800  # the first 12,800 training images (200 minibatches of 64): seconds, not minutes
BENCH_REPEATS, BENCH_WARMUP = 3, 1


def short_benchmark(mnist: data.MNIST, params: P.Params) -> dict:
    """epoch_timing.compare on the machine that computes the study, at its batch, hidden
    size, learning rate and thread count, on the CPU (device aside); a short version of
    `make bench`, run alone after the main run so that the book's table is this machine's."""
    from ..core import epoch_timing, measure

    n = min(len(mnist.y_train), params.subset or BENCH_ROWS, BENCH_ROWS)
    X, y = np.ascontiguousarray(mnist.X_train[:n]), np.ascontiguousarray(mnist.y_train[:n])
    with measure.fixed_threads(params.threads) as threads:
        run = epoch_timing.compare(X, y, threads, BENCH_REPEATS, BENCH_WARMUP, params.batch_size, params.hidden,
                                   params.lr, seed=params.seed, log=None)
    return {"n_train": n, "batch_size": params.batch_size, "hidden": params.hidden, "repeats": BENCH_REPEATS,
            "warmup": BENCH_WARMUP, "run": run}


def _pytorch_idioms(mnist: data.MNIST, params: P.Params) -> dict:
    import torch

    from ..core import epoch_timing

    X, y, Xt, yt = (torch.from_numpy(a) for a in (mnist.X_train, mnist.y_train, mnist.X_test, mnist.y_test))
    return epoch_timing.time_idioms(X, y, Xt, yt, hidden=params.hidden, lr=params.lr, batch_size=params.batch_size,
                                    seed=params.seed)


def side_by_side_tasks(p: P.Params, threads: int | None = 1) -> list[runner.Task]:
    """Every experiment except the main run, as runner tasks, longest first.

    They are independent of each other and of the main run (each seeds itself),
    so they may run side by side; each gets `threads` BLAS / torch threads.
    """
    q = p.replace(threads=threads)
    seeds = [runner.Task(f"seed_{s}", _train, {"params": q.replace(seed=s, parity=False)})
             for s in range(p.seed, p.seed + p.seeds)]
    return [
        *seeds,  # both networks, p.epochs each
        # The preset keeps subset, device and threads, and never runs longer than the main
        # run: quick mode and short forks shrink it too.
        runner.Task("paper_like", _train, {"params": P.apply_preset(q, "paper-like").replace(
            epochs=min(P.PRESETS["paper-like"]["epochs"], p.epochs))}),
        runner.Task("init_only", _train, {"params": q, "models": ("pytorch",), "share_init": False, "share_order": True}),
        runner.Task("boundaries", _boundaries, {"params": q}),
        runner.Task("init_small", _train, {"params": q.replace(init="small"), "models": ("numpy",), "share_order": True}),
        runner.Task("pytorch_idioms", _pytorch_idioms, {"params": q}),  # timed side by side: relative costs only
        runner.Task("gradients", _gradients, {"params": q}),
        runner.Task("pca", _pca),
    ]


def compute(loaded: P.LoadedParams, mnist: data.MNIST, progress: bool = True, *, n_jobs: int | None = None,
            threads: int | None = 1, scheduler: str | None = None) -> dict:
    """Every experiment of the book, as plain data.

    The main run goes first, alone on the machine, with params.threads (its epoch
    times are the book's headline). The other experiments then run side by side
    (`runner.run_tasks`): n_jobs worker processes (default one per core; 1: one
    after another in this process) or, with `scheduler`, a Dask cluster; each with
    `threads` threads. Their results are the same whichever way they run.
    """
    from ..core import training  # imports torch: only when there is something to train

    p = loaded.params
    t_start = time.perf_counter()
    step = lambda msg: _log(progress, msg)  # noqa: E731
    load_before = os.getloadavg()

    step(f"main run: {p.epochs} epochs, both networks, shared weights and order, alone on the machine")
    t0 = time.perf_counter()
    # Parity, whatever params.parity says. A network that diverges stops, and the book says so.
    main = training.train(p, mnist, progress=False, share_init=True, share_order=True, on_diverge="stop")
    main_seconds = time.perf_counter() - t0
    step(f"main run: {main_seconds:.1f} s")
    step("benchmark: one epoch of each trainer, interleaved, alone on the machine")
    t0 = time.perf_counter()
    bench = short_benchmark(mnist, p)
    bench_seconds = time.perf_counter() - t0

    results, seconds, how = runner.run_tasks(side_by_side_tasks(p, threads), mnist, n_jobs=n_jobs, threads=threads,
                                             scheduler=scheduler, log=step)
    seed_runs = [results[f"seed_{s}"] for s in range(p.seed, p.seed + p.seeds)]
    t0 = time.perf_counter()
    np_main = main["models"]["numpy"]
    misclassified = (analysis.misclassified(mnist.X_test, mnist.y_test, np_main["test_predictions"])
                     if "diverged" not in np_main else None)
    complexity = analysis.complexity()
    result = {
        "main": main,
        "init_only": results["init_only"],
        "init_small": results["init_small"],
        "seeds": seed_runs,
        "seed_spread": None if any("diverged" in r for r in seed_runs) else analysis.seed_spread(seed_runs),
        "paper_like": results["paper_like"],
        "boundaries": results["boundaries"],
        "pca": results["pca"],
        "gradients": results["gradients"],
        "pytorch_idioms": results["pytorch_idioms"],
        "bench": bench,
        "misclassified": misclassified,
        "complexity": complexity,
        # The time budget: each experiment's own seconds (the side-by-side ones in
        # their worker), and how the side-by-side experiments were run.
        "timings": {"main": main_seconds, "bench": bench_seconds, **seconds, "other": time.perf_counter() - t0},
        "parallel": {**how, "experiments": list(seconds), "load_average": [load_before[0], os.getloadavg()[0]]},
        "compute_seconds": time.perf_counter() - t_start,
    }
    result["diverged"] = divergences(result)
    for d in result["diverged"]:
        step(f"diverged: {d['experiment']}, {training.divergence_message(d)}")
    return result


# The experiments that train one run each, in the words of the divergence sentence
# (the seeds and the two 3-versus-8 runs are named in `divergences`).
TRAINING_EXPERIMENTS = {
    "main": "main run", "init_only": "run with PyTorch's own initial weights",
    "init_small": "run with small initial weights", "paper_like": "paper-like preset",
}


def divergences(result: dict) -> list[dict]:
    """Every network that diverged, in any experiment: one dict each with the
    experiment's name and training.divergence's fields (model, epoch, lr, loss, stage)."""
    runs = [(label, result[k]) for k, label in TRAINING_EXPERIMENTS.items()]
    runs += [(f"independent run with seed {r['params']['seed']}", r) for r in result["seeds"]]
    out = [{"experiment": label, **d} for label, run in runs for d in run.get("diverged", [])]
    out += [{"experiment": f"3-versus-8 run on {d['input']}", **{k: v for k, v in d.items() if k != "input"}}
            for d in result["boundaries"].get("diverged", [])]
    return out


def edition(result: dict) -> str:
    """Which book the study makes: "study" (every chapter), or "diverged" when a network
    diverged in any experiment (the chapters that compare trained networks are left out;
    see _quarto-diverged.yml). The name is the Quarto profile that renders it."""
    return "diverged" if result.get("diverged") else "study"


EXPERIMENT_LABELS = {
    "load_data": "loading and verifying MNIST", "main": "main run (both networks)",
    "init_only": "PyTorch's own initial weights", "init_small": "NumPy with small initial weights",
    "paper_like": "paper-like preset", "boundaries": "decision boundaries 3 vs 8", "gradients": "gradient check",
    "pca": "PCA of the test set", "pytorch_idioms": "PyTorch idioms timed", "bench": "benchmark of the trainers", "other": "misclassified images, lines of code",
}


def time_budget(result: dict) -> list[dict]:
    """The study's time budget, one row per experiment in the order they ran:
    {"experiment", "seconds", "how"}; the last row is the total (wall clock)."""
    t, par = result["timings"], result["parallel"]
    threads = lambda n: "all threads" if not n else f"{n} thread" + ("s" if n > 1 else "")  # noqa: E731
    side = (f"side by side: {par['workers']} {par['backend']} workers, {threads(par['threads_per_worker'])} each"
            if par["backend"] != "sequential" else f"one after another, {threads(par['threads_per_worker'])}")
    label = lambda k: EXPERIMENT_LABELS.get(k) or f"independent run, seed {k.split('_')[1]}"  # noqa: E731
    rows = [{"experiment": label("load_data"), "seconds": t["load_data"], "how": "alone"}] if "load_data" in t else []
    main_threads = threads(result["main"]["environment"]["threads"])
    rows.append({"experiment": label("main"), "seconds": t["main"], "how": f"alone, {main_threads}, networks interleaved"})
    if "bench" in t:
        rows.append({"experiment": label("bench"), "seconds": t["bench"], "how": f"alone, {main_threads}, trainers interleaved"})
    rows += [{"experiment": label(k), "seconds": t[k], "how": side} for k in par["experiments"]]
    rows.append({"experiment": label("other"), "seconds": t["other"], "how": "alone"})
    rows.append({"experiment": "total (wall clock)", "seconds": result["compute_seconds"] + t.get("load_data", 0.0), "how": ""})
    return rows


def load_or_compute(loaded: P.LoadedParams | None = None, data_dir=None, progress: bool = True,
                    n_jobs: int | None = None) -> dict:
    """The study for these parameters: from the cache when it is there, else computed and cached.

    loaded: parameters with their provenance (default: params.yml at the project root,
    with the quick section and environment overrides applied). The experiments
    after the main run go to the Dask scheduler named by MNISTCOMPARE_SCHEDULER
    when it is set, else to n_jobs local worker processes (default one per core).
    """
    loaded = loaded or P.load(paths.params_file())
    # The key names the data by its expected checksums; data.load verifies the
    # files themselves before anything is computed from them.
    key = cache_key(loaded.params, data.RAW_SHA256)
    cache_file = paths.cache_dir() / f"study-{key}.json"
    if cache_file.is_file():
        _log(progress, f"loading {cache_file}")
        result = json.loads(cache_file.read_text())
        result["cache_file"] = str(cache_file)
        result["from_cache"] = True
        return result
    _log(progress, f"computing the study (cache {cache_file.name}); parameters {loaded.params.to_dict()}")
    t0 = time.perf_counter()
    mnist = data.load(paths.data_dir(data_dir))
    load_seconds = time.perf_counter() - t0
    result = compute(loaded, mnist, progress, n_jobs=n_jobs, scheduler=runner.scheduler_from_env())
    result["timings"]["load_data"] = load_seconds
    result.update({
        "key": key,
        "params": loaded.params.to_dict(),
        "params_file": loaded.path,
        "quick": loaded.quick,
        "overrides": loaded.overrides,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    })
    atomic.write_json(cache_file, result)
    _log(progress, f"study computed in {result['compute_seconds']:.1f} s")
    return {**result, "cache_file": str(cache_file), "from_cache": False}
