"""One training driver for any network of the registry, recording the same numbers for each.

A trainer (`Trainer`; one per network in TRAINERS: NumPy's and PyTorch's) owns one
network, its data and its own random streams, and exposes the same methods whatever
the library. `train(params, data)` drives them epoch by epoch, interleaved (NumPy
epoch 1, PyTorch epoch 1, NumPy epoch 2, ...) so that any slow-down of the machine
falls on all alike, and returns plain data: one run, whose schema (every key and
what it means) is written down once, as the typed record `Run` in study/records.py.
`write_results` saves it as results.json and history.csv.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import torch
from sklearn.metrics import confusion_matrix
from tqdm.auto import tqdm

from . import atomic, measure, numpy_fast, numpy_mlp, torch_mlp
from .data import MNIST, subset
from .params import Params

SCHEMA_VERSION = 1
HISTORY_FIELDS = ("epoch", "train_loss", "test_loss", "test_accuracy", "seconds", "eval_seconds", "samples_per_second")
OWN_INITS = ("default", "scheme")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: the learning rate is too large for this set-up."""


# Separate NumPy streams for weights and orders, both from the seed: changing how
# one is drawn never shifts the other. The shared start and the shared orders come
# from these same streams, so the NumPy network's own start (of params.init) and
# its own orders are the shared ones.
def weights_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 0])


def order_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 1])


def draw_weights(n_in: int, n_hidden: int, n_out: int, scheme: str, seed: int) -> dict[str, np.ndarray]:
    """Initial weights of the `init` scheme, in the NumPy layout (W: (in, out)), from the weights stream."""
    return numpy_mlp.init_weights(n_in, n_hidden, n_out, scheme, weights_rng(seed))


@runtime_checkable
class Trainer(Protocol):
    """What `fit` (and the benchmark) may ask of a network's trainer, whatever its library.

    Constructed as Trainer(params, data, seed, n_classes, weights=None, init=None): with
    `weights` (NumPy layout) it copies them; otherwise it draws its own start from
    `seed`, with the scheme `init` if given, else its library's default. `start` says
    which: "copied", an `init` scheme, or the default's name. The input size is
    data.X_train's width; params gives the hidden size, batch size and learning rate.
    """

    start: str

    def own_order(self) -> np.ndarray: ...  # the next epoch's order, from its own generator

    def train_epoch(self, order: np.ndarray) -> float: ...  # one SGD pass over X_train[order]; mean loss

    def evaluate(self) -> tuple[float, float, np.ndarray]: ...  # (test loss, accuracy, predictions)

    def predict(self, X: np.ndarray) -> np.ndarray: ...  # labels of X, (N, D) -> (N,)

    def peak_memory(self, order: np.ndarray) -> dict: ...  # peak_memory_* of an untimed epoch on a copy

    def weights(self) -> dict[str, np.ndarray]: ...  # a copy of W1, b1, W2, b2 in the NumPy layout

    @property
    def n_params(self) -> int: ...


class NumpyTrainer:
    """The network by hand (numpy_mlp), trained by numpy_fast's loop. Its only default
    start is params.init (NumPy has no library default): drawn from the weights stream."""

    def __init__(
        self,
        params: Params,
        data: MNIST,
        seed: int,
        n_classes: int,
        weights: dict[str, np.ndarray] | None = None,
        init: str | None = None,
    ):
        self.params, self.data = params, data
        self.start = "copied" if weights is not None else init or params.init
        if weights is None:
            weights = draw_weights(data.X_train.shape[1], params.hidden, n_classes, self.start, seed)
        self.model = numpy_mlp.NumpyMLP(weights)  # its own copy
        self.rng = order_rng(seed)  # own epoch order when not shared

    def own_order(self) -> np.ndarray:
        return self.rng.permutation(len(self.data.y_train))

    # Overflow in a diverging run is reported once, by the loss check in `fit`,
    # not as one NumPy warning per operation.
    def train_epoch(self, order: np.ndarray) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            return numpy_fast.train_epoch(
                self.model, self.data.X_train, self.data.y_train, order, self.params.batch_size, self.params.lr
            )

    def evaluate(self) -> tuple[float, float, np.ndarray]:
        with np.errstate(over="ignore", invalid="ignore"):
            return self.model.evaluate(self.data.X_test, self.data.y_test)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.logits(np.ascontiguousarray(X, dtype=np.float32)).argmax(axis=1)

    def peak_memory(self, order: np.ndarray) -> dict:
        def run() -> None:
            probe = numpy_mlp.NumpyMLP(self.model.weights)  # a copy: the probe must not train the model
            numpy_fast.train_epoch(
                probe, self.data.X_train, self.data.y_train, order, self.params.batch_size, self.params.lr
            )

        m = measure.peak_memory(run, tracemalloc=True)
        W1, W2 = self.model.W1, self.model.W2
        # What the tracemalloc peak is made of: the arrays the probe allocates, by purpose.
        parts = {
            "weights (the probe's copy)": sum(a.nbytes for a in self.model.weights.values()),
            **numpy_fast.epoch_memory(
                len(order), self.params.batch_size, W1.shape[0], W1.shape[1], W2.shape[1], self.data.y_train.dtype
            ),
        }
        return {
            "peak_memory_bytes": m["tracemalloc_peak_bytes"],
            "peak_memory_method": "tracemalloc",
            "peak_memory_parts": parts,
            "rss_peak_growth_bytes": m["rss_peak_growth_bytes"],
            "rss_method": m["rss_method"],
        }

    def weights(self) -> dict[str, np.ndarray]:
        return {k: w.copy() for k, w in self.model.weights.items()}

    @property
    def n_params(self) -> int:
        return int(self.model.n_params)


class TorchTrainer:
    """The nn.Module (torch_mlp) with torch.optim.SGD on params.device. Its default start
    is nn.Linear's own; a scheme `init` is drawn through torch.nn.init
    (torch_mlp.init_parameters), both from torch's generator seeded with `seed`."""

    def __init__(
        self,
        params: Params,
        data: MNIST,
        seed: int,
        n_classes: int,
        weights: dict[str, np.ndarray] | None = None,
        init: str | None = None,
    ):
        self.params = params
        self.start = "copied" if weights is not None else init or "nn.Linear"
        device = torch.device(params.device)
        # The whole data set lives in tensors on the device; minibatches are indexed from it.
        self.X_train = torch.from_numpy(data.X_train).to(device)
        self.y_train = torch.from_numpy(data.y_train).to(device)
        self.X_test = torch.from_numpy(data.X_test).to(device)
        self.y_test = torch.from_numpy(data.y_test).to(device)
        self.model = torch_mlp.build(
            data.X_train.shape[1], params.hidden, n_classes, seed, params.device, weights, init
        )
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=params.lr)
        self.generator = torch.Generator().manual_seed(seed)  # own epoch order when not shared

    def own_order(self) -> np.ndarray:
        return torch.randperm(len(self.X_train), generator=self.generator).numpy()

    def train_epoch(self, order: np.ndarray) -> float:
        idx = torch.from_numpy(order).to(self.X_train.device)
        return torch_mlp.train_epoch(
            self.model, self.optimizer, self.X_train, self.y_train, idx, self.params.batch_size
        )

    def evaluate(self) -> tuple[float, float, np.ndarray]:
        return torch_mlp.evaluate(self.model, self.X_test, self.y_test)

    def predict(self, X: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            self.model.eval()
            X = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).to(self.X_train.device)
            return self.model(X).argmax(dim=1).cpu().numpy()

    def peak_memory(self, order: np.ndarray) -> dict:
        idx = torch.from_numpy(order).to(self.X_train.device)

        def run() -> None:
            probe = copy.deepcopy(self.model)  # a copy: the probe must not train the model
            optimizer = torch.optim.SGD(probe.parameters(), lr=self.params.lr)
            torch_mlp.train_epoch(probe, optimizer, self.X_train, self.y_train, idx, self.params.batch_size)

        m = measure.peak_memory(run, tracemalloc=False)  # tracemalloc cannot see PyTorch's allocator
        rss, rss_method = m["rss_peak_growth_bytes"], m["rss_method"]
        if self.params.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            start = torch.cuda.memory_allocated()
            run()
            peak, method = torch.cuda.max_memory_allocated() - start, "cuda_max_memory_allocated"
        else:
            peak, method = rss, rss_method
        return {
            "peak_memory_bytes": peak,
            "peak_memory_method": method,
            "rss_peak_growth_bytes": rss,
            "rss_method": rss_method,
        }

    def weights(self) -> dict[str, np.ndarray]:
        return {k: w.copy() for k, w in self.model.numpy_params().items()}  # .copy(): off the device's memory

    @property
    def n_params(self) -> int:
        return int(self.model.n_params)


# Every network the driver can train, by the name its results are recorded under. The
# order is the order of the interleaved epochs and of the records.
TRAINERS: dict[str, Callable[..., Trainer]] = {"numpy": NumpyTrainer, "pytorch": TorchTrainer}
MODELS = tuple(TRAINERS)


def divergence(loss: float, model: str, epoch: int, lr: float, stage: str) -> dict | None:
    """The record of a diverged network (None while its loss is finite): which network,
    at which epoch, with which learning rate, and whether the training or the test loss
    was the first to leave the finite numbers."""
    if math.isfinite(loss):
        return None
    return {"model": model, "epoch": epoch, "lr": lr, "loss": str(loss), "stage": stage}


def divergence_message(d: dict) -> str:
    return (
        f"{d['model']} network: {d['stage']} loss became {d['loss']} in epoch {d['epoch']} with learning rate {d['lr']}"
    )


def train(
    params: Params,
    data: MNIST,
    models: tuple[str, ...] = MODELS,
    *,
    share_init: bool | None = None,
    share_order: bool | None = None,
    own_init: str = "default",
    memory: bool = True,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    on_diverge: str = "raise",
) -> dict:
    """Train the requested networks with `params`; return the results as plain data.
    (See `fit` for the options.)"""
    return fit(
        params,
        data,
        models,
        share_init=share_init,
        share_order=share_order,
        own_init=own_init,
        memory=memory,
        progress=progress,
        log=log,
        on_diverge=on_diverge,
    )[0]


@dataclass
class NetworkRun:
    """One network's training under way: its trainer and what `fit` records of it."""

    name: str
    trainer: Trainer
    init: str  # what it started from: "shared" or its trainer's own `start`
    history: list[dict] = field(default_factory=list)
    first_order: np.ndarray | None = None  # epoch 1's order, which the memory probe replays
    predictions: np.ndarray | None = None  # of the test set, at the last evaluation
    diverged: dict | None = None


def fit(
    params: Params,
    data: MNIST,
    models: tuple[str, ...] = MODELS,
    *,
    share_init: bool | None = None,
    share_order: bool | None = None,
    own_init: str = "default",
    memory: bool = True,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    on_diverge: str = "raise",
) -> tuple[dict, dict[str, Callable[[np.ndarray], np.ndarray]]]:
    """Train the requested networks (names in TRAINERS); return (results, {model: predict function}).

    The number of classes is read from the labels (10 for MNIST, 2 for the 3-vs-8
    task), the input size from X_train.

    share_init / share_order default to params.parity. A shared start is drawn once
    with params.init (from the weights stream, `weights_rng`) and copied into every
    network. Otherwise each draws its own from the seed, as own_init says:
    "default", its library's default (NumPy, which has none, draws params.init;
    PyTorch, nn.Linear's own); "scheme", params.init (PyTorch through torch.nn.init),
    so that all draw from the same distribution. Each record's `init` says what its
    network started from. A shared order is one permutation per epoch (from
    `order_rng`) given to all; otherwise each draws its own (`own_order`).

    memory: run the untimed peak-memory probes after training (an extra epoch
    per instrument); the study asks for them in its main run only. Without them
    the records have no peak_memory_* or rss_* keys.

    on_diverge: what a non-finite loss (a learning rate too large) does. "raise":
    TrainingDiverged. "stop": that network stops; its record keeps the finite epochs
    before it in `history` and says when it diverged in `diverged` (see
    `divergence`), with no memory, confusion matrix or predictions; the others
    train on. The study stops, so that its book can say what happened.
    """
    check_options(models, own_init, on_diverge)
    share_init = params.parity if share_init is None else share_init
    share_order = params.parity if share_order is None else share_order
    params.check_device()
    params.check_subset(len(data.y_train))
    data = subset(data, params.subset, params.seed)
    n_classes = int(max(data.y_train.max(), data.y_test.max())) + 1

    with measure.fixed_threads(params.threads) as threads:
        runs = start_runs(params, data, models, n_classes, share_init, own_init)
        train_epochs(runs, params, len(data.y_train), share_order, on_diverge, progress, log)
        records = {run.name: final_record(run, data.y_test, n_classes, memory) for run in runs}
        env = measure.environment(threads)

    results = {
        "schema_version": SCHEMA_VERSION,
        "params": params.to_dict(),
        "mode": {"shared_init": share_init, "shared_order": share_order},
        "data": {"n_train": len(data.y_train), "n_test": int(len(data.y_test)), "sha256": data.sha256},
        "environment": env,
        "models": records,
    }
    diverged = [run.diverged for run in runs if run.diverged is not None]
    if diverged:
        results["diverged"] = diverged
    elif len(records) == 2:
        results["parity"] = parity_summary(*(record["history"] for record in records.values()))
    return results, {run.name: run.trainer.predict for run in runs if run.diverged is None}


def check_options(models: tuple[str, ...], own_init: str, on_diverge: str) -> None:
    if on_diverge not in ("raise", "stop"):
        raise ValueError(f"on_diverge must be 'raise' or 'stop'; got {on_diverge!r}")
    unknown = sorted(set(models) - set(TRAINERS))
    if unknown or not models:
        raise ValueError(f"models must be a non-empty selection of {', '.join(TRAINERS)}; got {models!r}")
    if own_init not in OWN_INITS:
        raise ValueError(f"own_init must be one of {', '.join(OWN_INITS)}; got {own_init!r}")


def start_runs(
    params: Params, data: MNIST, models: tuple[str, ...], n_classes: int, share_init: bool, own_init: str
) -> list[NetworkRun]:
    """A trainer for each requested network, in TRAINERS' order, with its start: the
    shared draw of params.init, or its own (its default, or params.init)."""
    n_in = data.X_train.shape[1]
    shared = draw_weights(n_in, params.hidden, n_classes, params.init, params.seed) if share_init else None
    init = params.init if own_init == "scheme" and not share_init else None  # None: each its default
    runs = []
    for name in (n for n in TRAINERS if n in models):
        trainer = TRAINERS[name](params, data, params.seed, n_classes, weights=shared, init=init)
        runs.append(NetworkRun(name, trainer, "shared" if share_init else trainer.start))
    return runs


def train_epochs(
    runs: list[NetworkRun],
    params: Params,
    n_train: int,
    share_order: bool,
    on_diverge: str,
    progress: bool,
    log: Callable[[str], None] | None,
) -> None:
    """params.epochs epochs of every network still training, interleaved; a shared order
    is drawn once per epoch. Stops early when every network has diverged."""
    orders = order_rng(params.seed) if share_order else None
    bar = tqdm(range(1, params.epochs + 1), desc="epochs", unit="epoch", disable=not progress, leave=False)
    for epoch in bar:
        shared = orders.permutation(n_train) if orders is not None else None
        for run in live(runs):
            one_epoch(run, shared if shared is not None else run.trainer.own_order(), epoch, params.lr)
            if run.diverged is not None:
                stop(run.diverged, on_diverge, log)
        if not live(runs):
            break
        bar.set_postfix({run.name: f"acc {run.history[-1]['test_accuracy']:.4f}" for run in live(runs)})
        if log:
            log(
                f"epoch {epoch}/{params.epochs}: "
                + ", ".join(
                    f"{run.name} loss {run.history[-1]['train_loss']:.4f} acc {run.history[-1]['test_accuracy']:.4f}"
                    for run in live(runs)
                )
            )


def live(runs: list[NetworkRun]) -> list[NetworkRun]:
    return [run for run in runs if run.diverged is None]


def one_epoch(run: NetworkRun, order: np.ndarray, epoch: int, lr: float) -> None:
    """One timed training epoch of one network and its evaluation, appended to its
    history; or, where its training or test loss left the finite numbers, its
    `divergence` in run.diverged instead."""
    if run.first_order is None:
        run.first_order = order
    t0 = time.perf_counter()
    train_loss = run.trainer.train_epoch(order)
    seconds = time.perf_counter() - t0
    run.diverged = divergence(train_loss, run.name, epoch, lr, "training")
    if run.diverged is not None:
        return
    t0 = time.perf_counter()
    test_loss, test_acc, run.predictions = run.trainer.evaluate()
    eval_seconds = time.perf_counter() - t0
    run.diverged = divergence(test_loss, run.name, epoch, lr, "test")
    if run.diverged is not None:
        return
    run.history.append(
        {
            "epoch": epoch,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "test_accuracy": test_acc,
            "seconds": seconds,
            "eval_seconds": eval_seconds,
            "samples_per_second": len(order) / seconds,
        }
    )


def stop(diverged: dict, on_diverge: str, log: Callable[[str], None] | None) -> None:
    """A network diverged: raise TrainingDiverged ("raise"), or say that it stops ("stop")."""
    if on_diverge == "raise":
        raise TrainingDiverged(divergence_message(diverged) + "; lower the learning rate (lr) and run again")
    if log:
        log(divergence_message(diverged) + ": it stops here")


def final_record(run: NetworkRun, y_test: np.ndarray, n_classes: int, memory: bool) -> dict:
    """A network's record once training is over. Peak memory is an extra, untimed epoch
    (epoch 1's order) on a copy of the trained model: the instruments would distort the
    timed epochs. A diverged network has no memory, confusion matrix or predictions."""
    if run.diverged is not None:
        return {
            "init": run.init,
            "history": run.history,
            "diverged": run.diverged,
            "parameter_count": run.trainer.n_params,
        }
    return {
        "init": run.init,
        "history": run.history,
        **(run.trainer.peak_memory(run.first_order) if memory else {}),
        "parameter_count": run.trainer.n_params,
        "confusion_matrix": confusion_matrix(y_test, run.predictions, labels=np.arange(n_classes)).tolist(),
        "test_predictions": run.predictions.astype(int).tolist(),
    }


def parity_summary(a: list[dict], b: list[dict]) -> dict:
    """Largest per-epoch differences between two histories (the parity check)."""
    diff = lambda key: [abs(x[key] - y[key]) for x, y in zip(a, b)]  # noqa: E731
    rel = [abs(x["train_loss"] - y["train_loss"]) / abs(y["train_loss"]) for x, y in zip(a, b)]
    return {
        "train_loss_abs_diff": diff("train_loss"),
        "test_loss_abs_diff": diff("test_loss"),
        "test_accuracy_abs_diff": diff("test_accuracy"),
        "max_train_loss_rel_diff": max(rel),
    }


def history_csv(results: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("model", *HISTORY_FIELDS))
    for name, record in results["models"].items():
        for row in record["history"]:
            writer.writerow((name, *(row[f] for f in HISTORY_FIELDS)))
    return out.getvalue()


def write_results(results: dict, out_dir) -> dict[str, str]:
    """results.json and history.csv in out_dir, each written atomically."""
    from pathlib import Path

    out_dir = Path(out_dir)
    files = {"json": out_dir / "results.json", "csv": out_dir / "history.csv"}
    atomic.write_json(files["json"], results)
    atomic.write_text(files["csv"], history_csv(results))
    return {k: str(v) for k, v in files.items()}


def summary_rows(results: dict) -> list[dict]:
    """One row per model: the numbers the CLI prints and the book's headline table uses."""
    rows = []
    for name, record in results["models"].items():
        last = record["history"][-1]
        rows.append(
            {
                "model": name,
                "test_accuracy": last["test_accuracy"],
                "test_loss": last["test_loss"],
                "train_loss": last["train_loss"],
                "seconds_per_epoch": float(np.median([h["seconds"] for h in record["history"]])),
                "peak_memory_bytes": record["peak_memory_bytes"],
                "peak_memory_method": record["peak_memory_method"],
            }
        )
    return rows
