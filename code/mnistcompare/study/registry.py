"""Every experiment the study runs, declared once.

An experiment is

  name      the key of its results in the study (and in the cache), and of its words
            in book/labels.py: the cache holds names, never labels;
  fn        what it computes: fn(mnist, **kwargs) -> plain data;
  kwargs    how its parameters derive from the study's (params.yml): the keyword
            arguments of fn, from the study's Params;
  networks  the networks it trains: core/networks.py's networks that join it (or a
            fixed one, for an experiment about one network); none for an analysis;
  alone     it runs alone on the machine, before the others, with the `threads`
            parameter, because its times are the book's headline. The others are
            independent of it and of each other, so they run side by side;
  per_seed  one run per seed, else one run: the independent seeds, and the starts set
            against them seed by seed (questions.py decides how many seeds each runs);
  start     for a start set against the seeds, the `init` scheme it starts from. When the
            study's `init` is that scheme, the seeds' own networks already start from it:
            the experiment has nothing to add and runs nothing (its comparison is empty);
  each      a per-seed run's name ({name}, {seed});
  record    the record fn returns (core/records.py, study/records.py).

The study (experiments.compute) loops over EXPERIMENTS in order; the side-by-side
ones are handed out in that order, so the longest come first. Adding an experiment
is one entry here, its label in book/labels.py, and the chapter text that shows it
(CONTRIBUTING.md walks through it). Each function returns its typed record (core/records.py,
study/records.py), which the cache writes as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import data, networks
from ..core import params as P
from ..core.records import Idioms, Run
from . import boundaries as bnd
from . import cost_model
from . import gradients as grad
from .pca import pca as principal_components
from .records import Bench, Boundaries, Gradients, Pca, Sweep


@dataclass(frozen=True)
class Experiment:
    name: str
    fn: Callable[..., Any]
    kwargs: Callable[[P.Params], dict]
    networks: tuple[str, ...] = ()
    alone: bool = False
    per_seed: bool = False
    start: str | None = None
    record: type = field(kw_only=True)  # what fn returns: a kept run (checkpoints) is read back as one
    each: str = field(default="{name}_seed_{seed}", kw_only=True)

    def runs(self, p: P.Params, seeds: range | None = None) -> dict[str, dict]:
        """{run name: keyword arguments of fn}. One run named like the experiment, or with
        per_seed one run per seed of `seeds` (offsets from params.seed; default the first
        round's: 0, 1, ..., params.first_seeds - 1), named by `each`. No run at all for a start
        the seeds' networks already start from (`empty`)."""
        if self.empty(p):
            return {}
        if not self.per_seed:
            return {self.name: self.kwargs(p)}
        seeds = range(p.first_seeds) if seeds is None else seeds
        return {
            self.each.format(name=self.name, seed=p.seed + i): self.kwargs(p.replace(seed=p.seed + i)) for i in seeds
        }

    def empty(self, p: P.Params) -> bool:
        """Whether this is a start that the seeds' own networks already start from (`start`
        is the study's `init`): then it has nothing to run."""
        return self.start is not None and self.start == p.init


# --- what each experiment computes (module-level: worker processes and Dask pickle them) ---


def train_main(mnist: data.MNIST, params: P.Params, models: tuple[str, ...]) -> Run:
    """The main run's networks from identical initial weights in an identical minibatch order
    (parity, whatever params.parity says: the independent comparison is the seeds), with
    the memory probes. A network that diverges stops, and the book says so."""
    from ..core import training

    return training.train(params, mnist, models, progress=False, share_init=True, share_order=True, on_diverge="stop")


def train_side(mnist: data.MNIST, params: P.Params, **kwargs) -> Run:
    """One side-by-side training run: no memory probes, no progress bar."""
    from ..core import training

    return training.train(params, mnist, progress=False, memory=False, on_diverge="stop", **kwargs)


def boundaries(mnist: data.MNIST, params: P.Params) -> Boundaries:
    return bnd.decision_boundaries(mnist, params, epochs=min(10, params.epochs), on_diverge="stop")


def pca(mnist: data.MNIST) -> Pca:
    fit = principal_components(mnist.X_test, 10)
    return Pca(
        scores=fit["scores"][:, :2].round(4).tolist(),
        labels=mnist.y_test.tolist(),
        explained_variance_ratio=tuple(fit["explained_variance_ratio"].tolist()),
    )


def gradients(mnist: data.MNIST, params: P.Params) -> Gradients:
    return grad.gradient_check(mnist.X_train[:256], mnist.y_train[:256], params.hidden, params.seed)


# The study's own benchmark: one epoch of each trainer on this machine, interleaved, alone.
BENCH_ROWS = 12_800  # the first 12,800 training images (200 minibatches of 64): seconds, not minutes
BENCH_REPEATS, BENCH_WARMUP = 3, 1


def short_benchmark(mnist: data.MNIST, params: P.Params) -> Bench:
    """epoch_timing.compare on the machine that computes the study, at its batch, hidden
    size, learning rate and thread count, on the CPU (device aside); a short version of
    `make bench`, run alone after the main run so that the book's table is this machine's."""
    from ..core import epoch_timing, measure

    n = min(len(mnist.y_train), params.subset or BENCH_ROWS, BENCH_ROWS)
    X, y = np.ascontiguousarray(mnist.X_train[:n]), np.ascontiguousarray(mnist.y_train[:n])
    with measure.fixed_threads(params.threads) as threads:
        run = epoch_timing.compare(
            X,
            y,
            threads,
            BENCH_REPEATS,
            BENCH_WARMUP,
            params.batch_size,
            params.hidden,
            params.lr,
            seed=params.seed,
            log=None,
            pause_s=epoch_timing.pause(threads),
        )
    return Bench(
        n_train=n,
        batch_size=params.batch_size,
        hidden=params.hidden,
        repeats=BENCH_REPEATS,
        warmup=BENCH_WARMUP,
        run=run,
    )


# The sweep: a fixed number of SGD steps per cell, so that every cell weighs a step's fixed
# cost alike, over batch sizes (at the study's hidden width) and hidden widths (at its batch
# size). On the whole training set about 25 s on 2 cores; a study on a subset (quick mode,
# a short fork) shrinks it in proportion, to at least SWEEP_MIN_STEPS steps and one repeat.
SWEEP_BATCH_SIZES = (16, 32, 64, 128, 256, 512)
SWEEP_HIDDEN_SIZES = (32, 64, 128, 256, 512)
SWEEP_STEPS, SWEEP_REPEATS = 50, 3
SWEEP_MIN_STEPS = 5


def sweep_size(params: P.Params, n_train: int) -> tuple[int, int]:
    """(steps per call, timed repeats): SWEEP_STEPS and SWEEP_REPEATS on the whole training
    set, in proportion to params.subset on a subset."""
    share = min(1.0, (params.subset or n_train) / n_train)
    return max(SWEEP_MIN_STEPS, round(SWEEP_STEPS * share)), max(1, round(SWEEP_REPEATS * share))


SWEEP_THIN_SHARE = 0.25  # on a subset under this share of the training set, every other size


def sweep_sizes(params: P.Params, n_train: int = 60_000) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(batch sizes, hidden widths) of the sweep: all of them on the training set, every
    other one on a small subset (quick mode, short forks: a preview, in half the cells)."""
    if (params.subset or n_train) / n_train < SWEEP_THIN_SHARE:
        return SWEEP_BATCH_SIZES[::2], SWEEP_HIDDEN_SIZES[::2]
    return SWEEP_BATCH_SIZES, SWEEP_HIDDEN_SIZES


def sweep_cells(params: P.Params, n_train: int = 60_000) -> list[tuple[int, int]]:
    """(batch size, hidden width): the batch sizes at the study's hidden width, then the
    hidden widths at its batch size; the cell they share once."""
    batches, widths = sweep_sizes(params, n_train)
    cells = [(b, params.hidden) for b in batches] + [(params.batch_size, h) for h in widths]
    return list(dict.fromkeys(cells))


def sweep(mnist: data.MNIST, params: P.Params) -> Sweep:
    """SGD steps of the networks that join the sweep and of their matrix products alone,
    timed cell by cell alone on the machine (epoch_timing.time_steps, on the CPU at the
    study's thread count and learning rate), and each one's cost per step fitted
    (cost_model)."""
    from ..core import epoch_timing, measure

    n_train = len(mnist.y_train)
    steps, repeats = sweep_size(params, n_train)
    batches, widths = sweep_sizes(params, n_train)
    names = networks.sweeping(batches_only=True)
    unavailable = {n: why for n in names if (why := epoch_timing.unavailable(n)) is not None}
    names = tuple(n for n in names if n not in unavailable)
    # The cells of batch sizes are those at the study's hidden width; the others time only
    # the networks that join every cell.
    timed = [
        (b, h, [n for n in names if n in networks.sweeping(h == params.hidden)])
        for b, h in sweep_cells(params, n_train)
    ]
    with measure.fixed_threads(params.threads) as threads:
        cells = epoch_timing.time_steps(
            mnist.X_train,
            mnist.y_train,
            timed,
            steps,
            repeats,
            params.lr,
            seed=params.seed,
            pause_s=epoch_timing.pause(threads),
        )
    implementations = (*names, "matmul")
    costs = cost_model.step_costs(cells, implementations)
    others = [n for n in names if n != networks.REFERENCE] if networks.REFERENCE in names else []
    return Sweep(
        steps=steps,
        repeats=repeats,
        threads=threads,
        batch_size=params.batch_size,
        hidden=params.hidden,
        batch_sizes=batches,
        hidden_sizes=widths,
        implementations=implementations,
        cells=cells,
        costs=costs,
        crossovers=tuple(cost_model.crossover(n, networks.REFERENCE, costs, params.hidden, batches) for n in others),
        unavailable=unavailable,
    )


def pytorch_idioms(mnist: data.MNIST, params: P.Params) -> Idioms:
    import torch

    from ..core import epoch_timing

    X, y, Xt, yt = (torch.from_numpy(a) for a in (mnist.X_train, mnist.y_train, mnist.X_test, mnist.y_test))
    return epoch_timing.time_idioms(
        X, y, Xt, yt, hidden=params.hidden, lr=params.lr, batch_size=params.batch_size, seed=params.seed
    )


# --- how each derives its parameters ---------------------------------------------------------


def paper_like_params(p: P.Params) -> P.Params:
    """The "paper-like" preset (params.PRESETS) over the study's parameters. It keeps
    subset, hidden, seed, device and threads, and never runs longer than the main run:
    quick mode and short forks shrink it too."""
    return P.apply_preset(p, "paper-like").replace(epochs=min(P.PRESETS["paper-like"]["epochs"], p.epochs))


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "main",
        train_main,
        lambda p: {"params": p, "models": networks.joining("main")},
        networks.joining("main"),
        alone=True,
        record=Run,
    ),
    Experiment("bench", short_benchmark, lambda p: {"params": p}, alone=True, record=Bench),
    Experiment("sweep", sweep, lambda p: {"params": p}, alone=True, record=Sweep),
    # Each network draws its own weights and order, as two separate users of the libraries
    # would, both from the `init` scheme (PyTorch through torch.nn.init): the seeds
    # compare the libraries, not two initialisations.
    Experiment(
        "seeds",
        train_side,
        lambda p: {"params": p.replace(parity=False), "models": networks.joining("seeds"), "own_init": "scheme"},
        networks.joining("seeds"),
        per_seed=True,
        record=Run,
        each="seed_{seed}",
    ),
    Experiment(
        "paper_like",
        train_side,
        lambda p: {"params": paper_like_params(p), "models": networks.joining("paper_like")},
        networks.joining("paper_like"),
        record=Run,
    ),
    # PyTorch with nn.Linear's own initial weights, seed by seed: with the seed's own data and
    # minibatch order (torch's generator, as the seed's PyTorch network draws it), so that it
    # pairs with that network, which drew the shared start's scheme (questions.py). nn.Linear's
    # own is the `pytorch` scheme (torch_mlp.init_parameters draws that scheme with nn.Linear's
    # reset_parameters): with `init: pytorch` the seed's network already starts from it.
    Experiment(
        "init_only",
        train_side,
        lambda p: {"params": p.replace(parity=False), "models": ("pytorch",), "own_init": "default"},
        ("pytorch",),
        per_seed=True,
        start="pytorch",
        record=Run,
    ),
    # 3 versus 8 on two principal components: logistic regression and the networks.
    Experiment("boundaries", boundaries, lambda p: {"params": p}, networks.joining("boundaries"), record=Boundaries),
    # The NumPy network with the tutorials' N(0, 0.01^2) weights, seed by seed, paired with the
    # seed's NumPy network: the same data and minibatch order (NumPy's order stream).
    Experiment(
        "init_small",
        train_side,
        lambda p: {"params": p.replace(init="small", parity=False), "models": ("numpy",)},
        ("numpy",),
        per_seed=True,
        start="small",
        record=Run,
    ),
    # Timed side by side: relative costs only.
    Experiment("pytorch_idioms", pytorch_idioms, lambda p: {"params": p}, record=Idioms),
    Experiment("gradients", gradients, lambda p: {"params": p}, record=Gradients),
    Experiment("pca", pca, lambda p: {}, record=Pca),
)

BY_NAME = {e.name: e for e in EXPERIMENTS}
