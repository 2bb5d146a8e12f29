"""One training epoch of each trainer, timed side by side: the instrument that the
study's short benchmark and `make bench`'s full sweep (benchmarks/harness.py) share.

`compare()` times one epoch of minibatch SGD (evaluation excluded) for

    numpy               the study's NumPy trainer (networks.NETWORKS' "numpy")
    pytorch             the study's PyTorch trainer, minibatches indexed from tensors (its "pytorch")
    pytorch_dataloader  the same network trained the idiomatic way, a DataLoader over a
                        TensorDataset (torch_mlp.train_epoch_dataloader)
    sklearn             scikit-learn's MLPClassifier with the same architecture and plain SGD,
                        one epoch per partial_fit

interleaved: every repeat runs each trainer once, the starting trainer rotating from
repeat to repeat, so that a slow-down of the machine falls on all of them alike;
warm-up epochs are discarded. Next to the trainers runs "matmul": the epoch's matrix
products alone at the same shapes, on operands that stay in cache, the limit a trainer
could reach; records.share_of_limit is how much of it each achieves (FLOP_FORMULA says
what is counted). Rates and fractions come from the best (shortest) repeat of
each: noise on a shared machine only ever adds time, so the best repeat is the
closest to what the code itself costs, and a limit taken from a median could be beaten
by a trainer's lucky repeat. Call it inside measure.fixed_threads.

`time_steps()` times a fixed number of SGD steps of each network it is given, and of
their matrix products alone, in each cell of a grid of batch sizes and hidden widths
(the study's sweep: study/registry.py), interleaved within each cell after a first,
separately timed call that pays for any per-shape warm-up or compilation.

`time_idioms()` times, per step, the PyTorch idioms the training loop chose between
(the PyTorch chapter quotes it).
"""

from __future__ import annotations

import gc
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from . import numpy_mlp
from .records import BenchRun, Idioms, SweepCell, Timing

N_IN, N_OUT = 784, 10
BATCH_SIZE, HIDDEN, LR = 64, 128, 0.1
# What compare() times besides the networks that join the benchmark (networks.joining
# ("bench")): other ways of training the same network, each against its network, and
# the epoch's matrix products alone in each backend (LIMITS).
VARIANTS = ("pytorch_dataloader", "sklearn", "jax_step", "pytorch_compiled_model")
# The ablations are trainers too: the other compiled loop of each compiled network.
VARIANT_TRAINERS = {
    "jax_step": "mnistcompare.core.jax_trainer:JaxStepTrainer",
    "pytorch_compiled_model": "mnistcompare.core.torch_compiled:TorchCompiledModelTrainer",
}
LIMITS = {"numpy": "matmul", "pytorch": "matmul_torch", "jax": "matmul_jax"}  # backend: its products alone
PAUSE_S = 0.1  # idle time before each timed run, so that spinning BLAS/OpenMP threads of the previous one settle


def pause(threads: int) -> float:
    """The idle time before each timed run at `threads` threads: PAUSE_S, or none at one
    thread, which leaves no other thread of the process spinning."""
    return PAUSE_S if threads > 1 else 0.0


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


def trainer_class(kind: str):
    """The trainer of a network of the registry, or of a variant that is a trainer."""
    from importlib import import_module

    from . import networks

    if kind in VARIANT_TRAINERS:
        module, cls = VARIANT_TRAINERS[kind].split(":")
        return getattr(import_module(module), cls)
    return networks.get(kind).trainer_class()


def _trainer(kind, X, y, batch_size, hidden, lr, seed):
    """The study's own trainer (networks.get(kind), or a variant's) on these rows, from
    the same weights for every kind: the benchmark times exactly the code the study runs.
    A compiled trainer compiles here, before any timed epoch."""
    from .data import MNIST
    from .params import Params

    params = Params(hidden=hidden, lr=lr, batch_size=batch_size, seed=seed)
    rows = MNIST(X, y, X[:1], y[:1], {})  # train_epoch reads only the training rows
    return trainer_class(kind)(params, rows, seed, N_OUT, weights=_weights(hidden, seed))


def make_pytorch_dataloader(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from . import torch_mlp

    model = torch_mlp.build(N_IN, hidden, N_OUT, seed, weights=_weights(hidden, seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(
        TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )

    def epoch(order):
        torch_mlp.train_epoch_dataloader(model, optimizer, loader)

    return epoch


def make_sklearn(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    from sklearn.neural_network import MLPClassifier

    def new() -> MLPClassifier:
        return MLPClassifier(
            hidden_layer_sizes=(hidden,),
            activation="relu",
            solver="sgd",
            batch_size=batch_size,
            learning_rate_init=lr,
            learning_rate="constant",
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            shuffle=True,
            random_state=seed,
        )

    clf = new()
    classes = np.arange(N_OUT)

    def epoch(order):
        nonlocal clf
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                clf.partial_fit(X, y, classes=classes)  # one pass over the data, shuffled by sklearn
            except ValueError:
                # Raised after the pass when the weights left the finite numbers (a learning
                # rate too large): the epoch's work was done; the next one starts afresh.
                clf = new()

    return epoch


def make_matmul(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    """The epoch's five matrix products and nothing else, on operands that stay in cache:
    per minibatch X W1, h W2, dz2 W2^T, h^T dz2 and X^T dz1, for the same batch sizes
    (including a last, smaller batch) as one epoch over len(order) rows."""
    rng = np.random.default_rng(seed)

    def f32(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32)

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


def make_matmul_torch(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    """The same five products through torch.matmul, on the same shapes, in cache."""
    import torch

    g = torch.Generator().manual_seed(seed)
    f32 = lambda *shape: torch.randn(*shape, generator=g)  # noqa: E731
    D, H, K, B = N_IN, hidden, N_OUT, batch_size
    Xb, W1, W2, dz2 = f32(B, D), f32(D, H), f32(H, K), f32(B, K)
    h, dh, z2, dW1, dW2 = f32(B, H), f32(B, H), f32(B, K), f32(D, H), f32(H, K)

    def epoch(order):
        n = len(order)
        with torch.no_grad():
            for start in range(0, n, B):
                b = min(B, n - start)
                x, hh, d1, d2, zz = (Xb, h, dh, dz2, z2) if b == B else (Xb[:b], h[:b], dh[:b], dz2[:b], z2[:b])
                torch.matmul(x, W1, out=hh)
                torch.matmul(hh, W2, out=zz)
                torch.matmul(d2, W2.T, out=d1)
                torch.matmul(hh.T, d2, out=dW2)
                torch.matmul(x.T, d1, out=dW1)

    return epoch


def make_matmul_jax(X, y, batch_size, hidden, lr, seed=0) -> Callable[[np.ndarray], None]:
    """The same five products as one XLA program per minibatch shape (jax.jit), called once
    per minibatch: XLA's own matrix products, compiled before the first timed epoch."""
    import jax
    import jax.numpy as jnp

    from . import measure

    measure.xla_threads(None)  # before JAX's first computation (the JAX trainer does the same)
    rng = np.random.default_rng(seed)
    D, H, K, B = N_IN, hidden, N_OUT, batch_size
    W1, W2 = (jnp.asarray(rng.standard_normal(s, dtype=np.float32)) for s in ((D, H), (H, K)))

    @jax.jit
    def products(x, d2):
        h = x @ W1  # (b, D) @ (D, H)
        z2 = h @ W2  # (b, H) @ (H, K)
        d1 = d2 @ W2.T  # (b, K) @ (K, H)
        return z2, h.T @ d2, x.T @ d1  # (H, b) @ (b, K), (D, b) @ (b, H)

    def operands(b):
        return (
            jnp.asarray(rng.standard_normal((b, D), dtype=np.float32)),
            jnp.asarray(rng.standard_normal((b, K), dtype=np.float32)),
        )

    shapes: dict[int, tuple] = {}

    def epoch(order):
        n = len(order)
        for start in range(0, n, B):
            b = min(B, n - start)
            if b not in shapes:  # compiled on first sight (the warm-up epoch)
                shapes[b] = operands(b)
                jax.block_until_ready(products(*shapes[b]))
            jax.block_until_ready(products(*shapes[b]))

    return epoch


FACTORIES = {
    "pytorch_dataloader": make_pytorch_dataloader,
    "sklearn": make_sklearn,
    "matmul": make_matmul,
    "matmul_torch": make_matmul_torch,
    "matmul_jax": make_matmul_jax,
}


# --- the harness ------------------------------------------------------------------------
def log_stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


_frozen = 0  # how many frozen_heap blocks are open: the outermost one unfreezes


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Everything alive when the block starts is kept out of the collector's sight until the
    outermost such block ends (gc.freeze), so that the collection before each timed call
    walks only what came after. Torch and a compiler's work hold millions of objects:
    measured, a full collection then took 0.1-0.4 s, 20 of the 37 s of a quick benchmark."""
    global _frozen
    gc.collect()
    gc.freeze()
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if _frozen == 0:
            gc.unfreeze()


def time_interleaved(
    epochs: dict[str, Callable[[np.ndarray], None]],
    n_samples: int,
    n_rows: int,
    repeats: int,
    warmup: int,
    rng: np.random.Generator,
    log: Callable[[str], None] | None = None,
    label: str = "",
    pause_s: float = PAUSE_S,
) -> dict[str, list[float]]:
    """Seconds per call of each callable: warmup + repeats rounds, every round one call of
    each (the starting one rotating), all given the same permutation of n_rows rows cut to
    n_samples. Warm-up rounds are discarded."""
    names = list(epochs)
    times: dict[str, list[float]] = {name: [] for name in names}
    with frozen_heap():
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


def timing(times: list[float], flops: int, numpy_median: float | None) -> Timing:
    """The repeats' times with the rate (GFLOP/s at the best repeat) and the median time
    over NumPy's median."""
    return Timing(
        median_s=float(np.median(times)),
        min_s=float(min(times)),
        max_s=float(max(times)),
        all_s=tuple(float(t) for t in times),
        gflops=flops / min(times) / 1e9,
        ratio_to_numpy=None if numpy_median is None else float(np.median(times)) / numpy_median,
    )


def unavailable(name: str) -> str | None:
    """Why `name` cannot run on this machine (torch.compile without a C++ compiler), or None."""
    if name in FACTORIES:
        return None
    return getattr(trainer_class(name), "unavailable", lambda: None)()


def make(name: str, X, y, batch_size: int, hidden: int, lr: float, seed: int = 0) -> Callable[[np.ndarray], None]:
    """epoch(order) for any name compare() knows: a network, a variant or a limit."""
    if name in FACTORIES:
        return FACTORIES[name](X, y, batch_size, hidden, lr, seed)
    return _trainer(name, X, y, batch_size, hidden, lr, seed).train_epoch


def default_trainers() -> tuple[str, ...]:
    """Every network that joins the benchmark, then the variants."""
    from . import networks

    return (*networks.joining("bench"), *VARIANTS)


def compare(
    X,
    y,
    threads: int,
    repeats: int,
    warmup: int,
    batch_size: int,
    hidden: int,
    lr: float,
    trainers: Iterable[str] | None = None,
    seed: int = 0,
    log=log_stderr,
    pause_s: float = PAUSE_S,
) -> BenchRun:
    """The main comparison at one thread count (call inside measure.fixed_threads): each
    trainer (default: default_trainers()) and the matrix products alone in each backend.
    A trainer that cannot run here (torch.compile without a C++ compiler) is left out and
    says why in `unavailable`; a compiled one's compile time is kept apart from its epochs."""
    from .torch_compiled import CompileUnavailable

    epochs: dict[str, Callable[[np.ndarray], None]] = {}
    compile_seconds: dict[str, float] = {}
    unavailable: dict[str, str] = {}
    for name in default_trainers() if trainers is None else trainers:
        if name in FACTORIES:
            epochs[name] = FACTORIES[name](X, y, batch_size, hidden, lr, seed)
            continue
        try:
            trainer = _trainer(name, X, y, batch_size, hidden, lr, seed)
        except CompileUnavailable as why:
            unavailable[name] = str(why)
            continue
        epochs[name] = trainer.train_epoch
        if trainer.compile_seconds is not None:
            compile_seconds[name] = trainer.compile_seconds
    limits = {backend: FACTORIES[limit](X, y, batch_size, hidden, lr, seed) for backend, limit in LIMITS.items()}
    raw = time_interleaved(
        {**epochs, **{LIMITS[b]: f for b, f in limits.items()}},
        len(y),
        len(y),
        repeats,
        warmup,
        np.random.default_rng([seed, threads]),
        log,
        label=f"[{threads} thread{'s' if threads > 1 else ''}] ",
        pause_s=pause_s,
    )
    flops = flops_per_epoch(len(y), N_IN, hidden, N_OUT)
    numpy_median = float(np.median(raw["numpy"])) if "numpy" in raw else None
    return BenchRun(
        threads,
        {b: timing(raw.pop(LIMITS[b]), flops, None) for b in LIMITS},
        {name: timing(t, flops, numpy_median) for name, t in raw.items()},
        compile_seconds,
        unavailable,
    )


def time_steps(
    X,
    y,
    cells: Iterable[tuple[int, int, Sequence[str]]],
    steps: int,
    repeats: int,
    lr: float,
    seed: int = 0,
    pause_s: float = PAUSE_S,
    log: Callable[[str], None] | None = None,
) -> tuple[SweepCell, ...]:
    """`steps` SGD steps of each network of a cell (networks.get(name)'s trainer) and of
    the matrix products alone ("matmul"), in each cell (batch size, hidden width, the
    networks it times): one first call of each, timed apart (it pays for whatever a new
    shape costs once: allocation, a compilation, its construction included), then
    `repeats` rounds interleaved as time_interleaved does. A call trains on `steps`
    minibatches of a permutation of the first steps x batch size rows, which len(y) must
    hold. Call it inside measure.fixed_threads."""
    out = []
    with frozen_heap():  # and each cell's time_interleaved freezes what its building made
        for batch_size, hidden, networks in cells:
            names = [*networks, "matmul"]
            # The previous cell's compiled code is of no more use, and Dynamo's caches would
            # fill up: past its recompile limit it silently runs the code eagerly (measured:
            # from the ninth cell on). Inductor's on-disk cache refills them in a second or two.
            if "torch._dynamo" in sys.modules:
                sys.modules["torch._dynamo"].reset()
            n = steps * batch_size
            if n > len(y):
                raise ValueError(f"{steps} steps of {batch_size} need {n} rows; there are {len(y)}")
            # The cell's rows: a compiled epoch (JAX's) is a program for one number of rows.
            Xn, yn = np.ascontiguousarray(X[:n]), np.ascontiguousarray(y[:n])
            rng = np.random.default_rng([seed, batch_size, hidden])
            # Building each one and its first call at this shape, timed apart, back to back:
            # what a new shape costs once (an ahead-of-time compilation in the constructor, or
            # one at the first call) dwarfs what a spinning thread could steal.
            first: dict[str, float] = {}
            calls: dict[str, Callable[[np.ndarray], None]] = {}
            order = rng.permutation(n)
            for name in names:
                gc.collect()
                t0 = time.perf_counter()
                calls[name] = make(name, Xn, yn, batch_size, hidden, lr, seed)
                calls[name](order)
                first[name] = time.perf_counter() - t0
            label = f"[batch {batch_size}, hidden {hidden}] "
            raw = time_interleaved(calls, n, n, repeats, 0, rng, log, label=label, pause_s=pause_s)
            out.append(
                SweepCell(
                    batch_size=batch_size,
                    hidden=hidden,
                    flops=batch_size * flops_per_sample(N_IN, hidden, N_OUT),
                    first_s=first,
                    step_s={name: tuple(t / steps for t in raw[name]) for name in names},
                )
            )
    return tuple(out)


def time_idioms(
    X, y, X_test, y_test, *, hidden: int, lr: float, batch_size: int, seed: int, steps: int = 200, rounds: int = 5
) -> Idioms:
    """What the idioms in train_epoch and evaluate cost on this machine: seconds per
    step (per evaluation for eval) under "seconds", by group and variant.

    Each variant is timed once per round, in a rotating order (so a slow-down of
    the machine falls on all alike), and the median over `rounds` is reported:
      sgd:    optimizer.step() alone (the gradients of one real minibatch), with
              torch.optim.SGD's three implementations: the for-loop over the
              parameters (the default on the CPU), foreach=True (one multi-tensor
              call per operation) and fused=True (one kernel for the whole update);
      gather: the minibatch (images and labels) by X[idx] or by index_select;
      loss:   per-step loss bookkeeping, total += loss.detach() * B against
              keeping loss.detach() in a list (averaged once after the epoch);
      eval:   one evaluation of the test set under no_grad or inference_mode.
    """
    import statistics

    import torch
    from torch import nn

    from .torch_mlp import build

    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(X), generator=g)[: steps * batch_size]
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    n_out = int(max(y.max(), y_test.max())) + 1
    loss_fn = nn.NLLLoss()

    def model_and_sgd(**kw):
        model = build(X.shape[1], hidden, n_out, seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, **kw)
        loss_fn(model(X.index_select(0, batches[0])), y.index_select(0, batches[0])).backward()
        return model, optimizer

    sgd = {"for-loop": model_and_sgd(), "foreach": model_and_sgd(foreach=True), "fused": model_and_sgd(fused=True)}

    def sgd_with(name):
        optimizer = sgd[name][1]
        for _ in batches:
            optimizer.step()

    def gather_with(name):
        for idx in batches:
            if name == "X[idx]":
                X[idx], y[idx]
            else:
                X.index_select(0, idx), y.index_select(0, idx)

    loss = torch.tensor(0.5)

    def loss_with(name):
        total, kept = torch.zeros((), dtype=torch.float64), []
        for idx in batches:
            if name == "accumulate":
                total += loss.detach() * len(idx)
            else:
                kept.append(loss.detach())

    eval_model = sgd["for-loop"][0]

    def eval_with(name):
        with torch.no_grad() if name == "no_grad" else torch.inference_mode():
            eval_model.eval()
            logp = eval_model(X_test)
            nn.functional.nll_loss(logp, y_test).item()
            (logp.argmax(dim=1) == y_test).sum().item()

    groups = {
        "sgd": (sgd_with, list(sgd), len(batches)),
        "gather": (gather_with, ["X[idx]", "index_select"], len(batches)),
        "loss": (loss_with, ["accumulate", "keep"], len(batches)),
        "eval": (eval_with, ["no_grad", "inference_mode"], 1),
    }
    times: dict[str, dict[str, list[float]]] = {k: {v: [] for v in variants} for k, (_, variants, _) in groups.items()}
    for r in range(rounds + 1):  # round 0 warms up and is not counted
        for key, (fn, variants, per) in groups.items():
            for name in variants[r % len(variants) :] + variants[: r % len(variants)]:
                t0 = time.perf_counter()
                fn(name)
                if r:
                    times[key][name].append((time.perf_counter() - t0) / per)
    return Idioms(
        threads=torch.get_num_threads(),
        steps=len(batches),
        rounds=rounds,
        batch_size=batch_size,
        seconds={key: {name: statistics.median(v) for name, v in variants.items()} for key, variants in times.items()},
    )
