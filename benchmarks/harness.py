"""The trainers side by side: one training epoch, timed, against the machine's matrix-multiply rate.

`run()` times one epoch of minibatch SGD (evaluation excluded) for

    numpy               our NumPy trainer, numpy_mlp.train_epoch
    pytorch             our PyTorch trainer, minibatches indexed from tensors (torch_mlp.train_epoch)
    pytorch_dataloader  the same network trained the idiomatic way, a DataLoader over a
                        TensorDataset (batch 64, shuffle; torch_mlp.train_epoch_dataloader)
    sklearn             scikit-learn's MLPClassifier with the same architecture and plain SGD,
                        one epoch per partial_fit

all in one process and interleaved: every repeat runs each trainer once, the
starting trainer rotating from repeat to repeat, so that a slow-down of the
machine falls on all of them alike. Warm-up epochs are run and discarded. The
thread count is fixed with measure.fixed_threads (NumPy's BLAS and PyTorch alike).

Next to the trainers runs a "matmul" entry: the epoch's matrix products alone
(X W1, h W2, dL/dz2 W2^T, h^T dL/dz2, X^T dL/dz1, at the same shapes, on
float32 operands that stay in cache), in a tight loop at the same thread count.
Its FLOP rate is the limit a trainer could reach; `fraction_of_matmul_rate` is
how much of it each trainer achieves over a whole epoch. FLOP_FORMULA says what
is counted.

`scaling` repeats the NumPy / PyTorch (direct) / matmul timing for other batch
and hidden sizes; `memory` measures each trainer's peak memory over a short run.
`write_results` saves bench.json and bench.md; the book reads them back through
mnistcompare.bench_tables. This harness is a user of the package, not part of it.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from mnistcompare import atomic, measure, numpy_mlp
from mnistcompare.bench_tables import best_line, markdown_table, memory_table, scaling_table

SCHEMA_VERSION = 1
N_IN, N_OUT = 784, 10
BATCH_SIZE, HIDDEN, LR = 64, 128, 0.1
TRAINERS = ("numpy", "pytorch", "pytorch_dataloader", "sklearn")
SCALING_TRAINERS = ("numpy", "pytorch")
SCALING_BATCH_SIZES = (16, 32, 64, 128, 256, 512, 1024)
SCALING_HIDDEN_SIZES = (32, 64, 128, 256, 512, 1024)
SCALING_FULL_EPOCH_MAX_HIDDEN = 256  # wider networks time a fraction 256/hidden of an epoch, scaled up
MEMORY_SAMPLES = 6400  # the short run for peak memory: 100 minibatches of 64
PAUSE_S = 0.1  # idle time before each timed run, so that spinning BLAS/OpenMP threads of the previous one settle

FLOP_FORMULA = (
    "per sample: forward 2*D*H (X W1) + 2*H*K (h W2), backward 2*H*K (dW2 = h^T dz2)"
    " + 2*H*K (dh = dz2 W2^T) + 2*D*H (dW1 = X^T dz1); total 4*D*H + 6*H*K, times N per epoch."
    " No dX (the input needs no gradient); biases, ReLU, softmax and the SGD updates"
    " (elementwise, O(B*H + D*H) per step) are not counted"
)


# --- FLOPs ----------------------------------------------------------------------------
def flops_per_sample(n_in: int = N_IN, hidden: int = HIDDEN, n_out: int = N_OUT) -> int:
    """Multiply-adds x 2 of forward + backward for one example (see FLOP_FORMULA)."""
    forward = 2 * n_in * hidden + 2 * hidden * n_out
    backward = 2 * hidden * n_out + 2 * hidden * n_out + 2 * n_in * hidden
    return forward + backward


def flops_per_epoch(n_samples: int, n_in: int = N_IN, hidden: int = HIDDEN, n_out: int = N_OUT) -> int:
    return n_samples * flops_per_sample(n_in, hidden, n_out)


# --- the timed callables ----------------------------------------------------------------
# Each factory returns epoch(order) -> None for one model that keeps training from call
# to call; `order` is the epoch's permutation of the training rows (the DataLoader and
# scikit-learn shuffle by themselves and ignore it; only its length is used).

def _weights(hidden: int, seed: int) -> dict[str, np.ndarray]:
    return numpy_mlp.init_weights(N_IN, hidden, N_OUT, "pytorch", np.random.default_rng(seed))


def _trainer(kind, X, y, batch_size, hidden, lr, seed):
    """The study's own trainer (training.NumpyTrainer / TorchTrainer) on these rows: the
    benchmark times exactly the code the study runs."""
    from mnistcompare import training
    from mnistcompare.data import MNIST
    from mnistcompare.params import Params

    params = Params(hidden=hidden, lr=lr, batch_size=batch_size, seed=seed)
    rows = MNIST(X, y, X[:1], y[:1], {})  # train_epoch reads only the training rows
    if kind == "numpy":
        return training.NumpyTrainer(params, rows, _weights(hidden, seed))
    return training.TorchTrainer(params, rows, _weights(hidden, seed), seed, N_OUT)


def make_numpy(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    return _trainer("numpy", X, y, batch_size, hidden, lr, seed).train_epoch


def make_pytorch(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    return _trainer("pytorch", X, y, batch_size, hidden, lr, seed).train_epoch


def make_pytorch_dataloader(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from mnistcompare import torch_mlp

    model = torch_mlp.build(N_IN, hidden, N_OUT, seed, weights=_weights(hidden, seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=batch_size,
                        shuffle=True, generator=torch.Generator().manual_seed(seed))

    def epoch(order):
        torch_mlp.train_epoch_dataloader(model, optimizer, loader)

    return epoch


def make_sklearn(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", solver="sgd", batch_size=batch_size,
                        learning_rate_init=lr, learning_rate="constant", momentum=0.0, nesterovs_momentum=False,
                        alpha=0.0, shuffle=True, random_state=seed)
    classes = np.arange(N_OUT)

    def epoch(order):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y, classes=classes)  # one pass over the data, shuffled by sklearn

    return epoch


def make_matmul(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    """The epoch's five matrix products and nothing else, on operands that stay in cache:
    per minibatch X W1, h W2, dz2 W2^T, h^T dz2 and X^T dz1, for the same batch sizes
    (including a last, smaller batch) as one epoch over len(order) rows."""
    rng = np.random.default_rng(seed)
    f32 = lambda *shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
    D, H, K, B = N_IN, hidden, N_OUT, batch_size
    Xb, W1, W2, dz2 = f32(B, D), f32(D, H), f32(H, K), f32(B, K)
    h, dh, z2, dW1, dW2 = f32(B, H), f32(B, H), f32(B, K), f32(D, H), f32(H, K)

    def epoch(order):
        n = len(order)
        for start in range(0, n, B):
            b = min(B, n - start)
            x, hh, d1, d2, zz = (Xb, h, dh, dz2, z2) if b == B else (Xb[:b], h[:b], dh[:b], dz2[:b], z2[:b])
            np.matmul(x, W1, out=hh)  # (b, D) @ (D, H)
            np.matmul(hh, W2, out=zz)  # (b, H) @ (H, K)
            np.matmul(d2, W2.T, out=d1)  # (b, K) @ (K, H)
            np.matmul(hh.T, d2, out=dW2)  # (H, b) @ (b, K)
            np.matmul(x.T, d1, out=dW1)  # (D, b) @ (b, H)

    return epoch


FACTORIES = {
    "numpy": make_numpy,
    "pytorch": make_pytorch,
    "pytorch_dataloader": make_pytorch_dataloader,
    "sklearn": make_sklearn,
    "matmul": make_matmul,
}


# --- the harness ------------------------------------------------------------------------
def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def summarize(times: list[float]) -> dict:
    return {"median_s": float(np.median(times)), "min_s": float(min(times)), "max_s": float(max(times)),
            "all_s": [float(t) for t in times]}


def time_interleaved(epochs: dict[str, Callable[[np.ndarray], None]], n_samples: int, n_rows: int, repeats: int,
                     warmup: int, rng: np.random.Generator, log: Callable[[str], None] | None = None,
                     label: str = "", pause_s: float = PAUSE_S) -> dict[str, list[float]]:
    """Seconds per call of each callable: warmup + repeats rounds, every round one call of
    each (the starting one rotating), all given the same permutation of n_rows rows cut to
    n_samples. Warm-up rounds are discarded."""
    names = list(epochs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(warmup + repeats):
        order = rng.permutation(n_rows)[:n_samples]
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            time.sleep(pause_s)
            t0 = time.perf_counter()
            epochs[name](order)
            elapsed = time.perf_counter() - t0
            if r >= warmup:
                times[name].append(elapsed)
        if log:
            kind = "warm-up" if r < warmup else f"repeat {r - warmup + 1}/{repeats}"
            last = ", ".join(f"{n} {times[n][-1]:.3f}s" for n in names if r >= warmup)
            log(f"  {label}{kind}" + (f": {last}" if last else ""))
    return times


def _with_rates(stats: dict, flops: int, numpy_median: float | None, matmul_gflops: float | None) -> dict:
    gflops = flops / stats["median_s"] / 1e9
    out = dict(stats, gflops=gflops)
    if numpy_median is not None:
        out["ratio_to_numpy"] = stats["median_s"] / numpy_median
    if matmul_gflops is not None:
        out["fraction_of_matmul_rate"] = gflops / matmul_gflops
    return out


def compare(X, y, threads: int, repeats: int, warmup: int, batch_size: int, hidden: int, lr: float,
            trainers: Iterable[str] = TRAINERS, seed: int = 0, log=_stderr, pause_s: float = PAUSE_S) -> dict:
    """The main comparison at one thread count (call inside measure.fixed_threads)."""
    names = [*trainers, "matmul"]
    epochs = {name: FACTORIES[name](X, y, batch_size, hidden, lr, seed) for name in names}
    raw = time_interleaved(epochs, len(y), len(y), repeats, warmup, np.random.default_rng([seed, threads]), log,
                           label=f"[{threads} thread{'s' if threads > 1 else ''}] ", pause_s=pause_s)
    flops = flops_per_epoch(len(y), N_IN, hidden, N_OUT)
    matmul = summarize(raw.pop("matmul"))
    matmul["gflops"] = flops / matmul["median_s"] / 1e9
    numpy_median = float(np.median(raw["numpy"])) if "numpy" in raw else None
    return {
        "threads": threads,
        "matmul": matmul,
        "trainers": {name: _with_rates(summarize(t), flops, numpy_median, matmul["gflops"]) for name, t in raw.items()},
    }


def scaling(X, y, threads: int, repeats: int, warmup: int, batch_sizes: Iterable[int], hidden_sizes: Iterable[int],
            lr: float, trainers: Iterable[str] = SCALING_TRAINERS, seed: int = 0, log=_stderr,
            full_epoch_max_hidden: int = SCALING_FULL_EPOCH_MAX_HIDDEN, pause_s: float = PAUSE_S) -> list[dict]:
    """Seconds per epoch against batch size (hidden HIDDEN) and hidden size (batch BATCH_SIZE)."""
    configs = [("batch_size", b, HIDDEN) for b in batch_sizes] + [("hidden", BATCH_SIZE, h) for h in hidden_sizes]
    rows = []
    for vary, batch_size, hidden in configs:
        fraction = min(1.0, full_epoch_max_hidden / hidden)
        n = min(len(y), max(batch_size, int(round(len(y) * fraction))))
        fraction = n / len(y)
        names = [*trainers, "matmul"]
        epochs = {name: FACTORIES[name](X, y, batch_size, hidden, lr, seed) for name in names}
        raw = time_interleaved(epochs, n, len(y), repeats, warmup, np.random.default_rng([seed, threads, batch_size, hidden]),
                               log, label=f"[{threads}t, batch {batch_size}, hidden {hidden}"
                               + (f", {n} of {len(y)} images" if n < len(y) else "") + "] ", pause_s=pause_s)
        flops = flops_per_epoch(len(y), N_IN, hidden, N_OUT)
        per_epoch = {name: [t / fraction for t in times] for name, times in raw.items()}  # scaled up to a full epoch
        matmul_gflops = flops / float(np.median(per_epoch["matmul"])) / 1e9
        numpy_median = float(np.median(per_epoch["numpy"])) if "numpy" in per_epoch else None
        for name, times in per_epoch.items():
            rows.append({"threads": threads, "vary": vary, "batch_size": batch_size, "hidden": hidden, "trainer": name,
                         "samples_timed": n, "fraction_of_epoch": fraction,
                         **_with_rates(summarize(times), flops, numpy_median, matmul_gflops)})
    return rows


def memory(X, y, n_samples: int, batch_size: int, hidden: int, lr: float, trainers: Iterable[str] = TRAINERS,
           seed: int = 0) -> dict:
    """Peak memory of one short epoch (n_samples rows) of a fresh model per trainer: growth
    of the process's peak RSS for all, and tracemalloc's peak for the NumPy-based ones
    (PyTorch's allocator is invisible to tracemalloc)."""
    Xs, ys = np.ascontiguousarray(X[:n_samples]), np.ascontiguousarray(y[:n_samples])
    order = np.random.default_rng(seed).permutation(n_samples)
    out = {}
    for name in trainers:
        epoch = FACTORIES[name](Xs, ys, batch_size, hidden, lr, seed)
        rss, method = measure.rss_peak_growth(lambda: epoch(order))
        record = {"rss_peak_growth_bytes": rss, "rss_method": method}
        if name in ("numpy", "sklearn"):
            epoch = FACTORIES[name](Xs, ys, batch_size, hidden, lr, seed)
            record["tracemalloc_peak_bytes"] = measure.tracemalloc_peak(lambda: epoch(order))
        out[name] = record
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


def run(data=None, *, threads: Iterable[int] | None = None, repeats: int = 5, warmup: int = 1,
        n_train: int | None = None, batch_size: int = BATCH_SIZE, hidden: int = HIDDEN, lr: float = LR,
        scaling_repeats: int = 3, scaling_batch_sizes: Iterable[int] = SCALING_BATCH_SIZES,
        scaling_hidden_sizes: Iterable[int] = SCALING_HIDDEN_SIZES, memory_samples: int = MEMORY_SAMPLES,
        trainers: Iterable[str] = TRAINERS, quick: bool = False, seed: int = 0, log=_stderr,
        pause_s: float = PAUSE_S) -> dict:
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
    threads = tuple(threads or default_threads())
    trainers = tuple(trainers)
    if data is None:
        from mnistcompare import data as data_module

        data = data_module.load()
    X, y = data.X_train, data.y_train
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    X, y = np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y, dtype=np.int64)

    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load_start and load_start[0] >= 0.5 * (os.cpu_count() or 1):
        log(f"warning: load average {load_start[0]:.2f} on {os.cpu_count()} cores: other processes are running, "
            "and timings (above all with more than one thread) will be slower and noisier than on an idle machine")
    log(f"benchmark: {len(y)} images, batch {batch_size}, hidden {hidden}, threads {', '.join(map(str, threads))}, "
        f"{warmup} warm-up + {repeats} repeats, interleaved")
    log(f"FLOPs {FLOP_FORMULA}. D={N_IN}, H={hidden}, K={N_OUT}: {flops_per_sample(N_IN, hidden, N_OUT):,} per sample, "
        f"{flops_per_epoch(len(y), N_IN, hidden, N_OUT) / 1e9:.2f} GFLOP per epoch of N={len(y)}.")
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
            scaling_rows_ += scaling(X, y, fixed, scaling_repeats, 1 if warmup else 0, scaling_batch_sizes,
                                     scaling_hidden_sizes, lr, [t for t in SCALING_TRAINERS if t in trainers], seed, log,
                                     pause_s=pause_s)
    with measure.fixed_threads(threads[0]) as fixed:
        log(f"peak memory over {min(memory_samples, len(y))} images at {fixed} thread(s)")
        mem = memory(X, y, min(memory_samples, len(y)), batch_size, hidden, lr, trainers, seed)
        mem["threads"] = fixed
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else None

    results = {
        "schema_version": SCHEMA_VERSION,
        "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": quick,
        "environment": env,
        "load_average": {"start": list(load_start) if load_start else None, "end": list(load_end) if load_end else None},
        "threads": list(threads),
        "repeats": repeats,
        "warmup": warmup,
        "config": {"n_train": len(y), "batch_size": batch_size, "hidden": hidden, "n_in": N_IN, "n_out": N_OUT, "lr": lr},
        "flops": {"formula": FLOP_FORMULA, "per_sample": flops_per_sample(N_IN, hidden, N_OUT),
                  "per_epoch": flops_per_epoch(len(y), N_IN, hidden, N_OUT)},
        "runs": runs,
        "scaling": {
            "repeats": scaling_repeats, "warmup": 1 if warmup else 0, "threads": list(threads),
            "batch_sizes": list(scaling_batch_sizes), "hidden_sizes": list(scaling_hidden_sizes),
            "note": (f"hidden sizes above {SCALING_FULL_EPOCH_MAX_HIDDEN} time the first {SCALING_FULL_EPOCH_MAX_HIDDEN}/hidden "
                     "of an epoch and scale it up to a full epoch (fraction_of_epoch)"),
            "rows": scaling_rows_,
        },
        "memory": mem,
        "best": best_setups(runs),
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






















def _comparison_lines(run_: dict) -> str:
    m = run_["matmul"]
    lines = [f"  matmul limit: {m['median_s']:.3f} s/epoch = {m['gflops']:.1f} GFLOP/s"]
    for name, r in run_["trainers"].items():
        ratio = f", {r['ratio_to_numpy']:.2f} x numpy" if "ratio_to_numpy" in r else ""
        lines.append(f"  {name:<19} median {r['median_s']:.3f} s (min {r['min_s']:.3f}, max {r['max_s']:.3f}){ratio}, "
                     f"{r['gflops']:.1f} GFLOP/s = {100 * r['fraction_of_matmul_rate']:.0f}% of the matmul rate")
    return "\n".join(lines)


def report_markdown(results: dict) -> str:
    env = results["environment"] or {}
    cfg = results["config"]
    blas = ", ".join(f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')})" for b in env.get("blas", []))
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
        f"N={cfg['n_train']}. GFLOP/s = that / median seconds; % of matmul rate = that / the matmul limit's GFLOP/s "
        "(equivalently, the GEMMs' own time / the trainer's epoch time).",
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
