"""One training driver for both networks, recording the same numbers for each.

`train(params, data)` trains the NumPy and the PyTorch network epoch by epoch,
interleaved (NumPy epoch 1, PyTorch epoch 1, NumPy epoch 2, ...) so that any
slow-down of the machine falls on both alike, and returns plain data:

    {"schema_version", "params", "mode", "data", "environment",
     "models": {"numpy": {...}, "pytorch": {...}}, "parity": {...}}

Each model's record holds `history` (one dict per epoch: epoch, train_loss,
test_loss, test_accuracy, seconds, eval_seconds, samples_per_second),
`peak_memory_bytes` with `peak_memory_method` (NumPy: tracemalloc, with
`peak_memory_parts`, the bytes of the arrays it allocates by purpose; PyTorch on
the CPU: growth of the process's peak RSS; on CUDA: the allocator's peak), the
same RSS measure for both as `rss_peak_growth_bytes` (these three only when
`memory=True`, the default), `parameter_count`,
`confusion_matrix` and `test_predictions`. `write_results` saves it as
results.json and history.csv.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import time
from typing import Callable

import numpy as np
from sklearn.metrics import confusion_matrix
from tqdm.auto import tqdm

from . import atomic, measure, numpy_fast, numpy_mlp, torch_mlp
from .data import MNIST, subset
from .params import Params

SCHEMA_VERSION = 1
MODELS = ("numpy", "pytorch")
HISTORY_FIELDS = ("epoch", "train_loss", "test_loss", "test_accuracy", "seconds", "eval_seconds", "samples_per_second")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: the learning rate is too large for this set-up."""


class NumpyTrainer:
    name = "numpy"

    def __init__(self, params: Params, data: MNIST, weights: dict[str, np.ndarray]):
        self.model = numpy_mlp.NumpyMLP(weights)
        self.params, self.data = params, data

    # Overflow in a diverging run is reported once, by the loss check in `fit`,
    # not as one NumPy warning per operation.
    def train_epoch(self, order: np.ndarray) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            return numpy_fast.train_epoch(self.model, self.data.X_train, self.data.y_train, order,
                                         self.params.batch_size, self.params.lr)

    def evaluate(self) -> tuple[float, float, np.ndarray]:
        with np.errstate(over="ignore", invalid="ignore"):
            return self.model.evaluate(self.data.X_test, self.data.y_test)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.logits(np.ascontiguousarray(X, dtype=np.float32)).argmax(axis=1)

    def peak_memory(self, order: np.ndarray) -> dict:
        def run() -> None:
            probe = numpy_mlp.NumpyMLP(self.model.weights)  # a copy: the probe must not train the model
            numpy_fast.train_epoch(probe, self.data.X_train, self.data.y_train, order, self.params.batch_size, self.params.lr)

        m = measure.peak_memory(run, tracemalloc=True)
        W1, W2 = self.model.W1, self.model.W2
        # What the tracemalloc peak is made of: the arrays the probe allocates, by purpose.
        parts = {"weights (the probe's copy)": sum(a.nbytes for a in self.model.weights.values()),
                 **numpy_fast.epoch_memory(len(order), self.params.batch_size, W1.shape[0], W1.shape[1], W2.shape[1],
                                          self.data.y_train.dtype)}
        return {"peak_memory_bytes": m["tracemalloc_peak_bytes"], "peak_memory_method": "tracemalloc",
                "peak_memory_parts": parts, "rss_peak_growth_bytes": m["rss_peak_growth_bytes"],
                "rss_method": m["rss_method"]}


class TorchTrainer:
    name = "pytorch"

    def __init__(self, params: Params, data: MNIST, weights: dict[str, np.ndarray] | None, seed: int, n_classes: int,
                 init: str | None = None):
        import torch

        self.torch, self.params = torch, params
        device = torch.device(params.device)
        # The whole data set lives in tensors on the device; minibatches are indexed from it.
        self.X_train = torch.from_numpy(data.X_train).to(device)
        self.y_train = torch.from_numpy(data.y_train).to(device)
        self.X_test = torch.from_numpy(data.X_test).to(device)
        self.y_test = torch.from_numpy(data.y_test).to(device)
        self.model = torch_mlp.build(data.X_train.shape[1], params.hidden, n_classes, seed, params.device, weights, init)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=params.lr)
        self.generator = torch.Generator().manual_seed(seed)  # own minibatch order when not shared

    def own_order(self) -> np.ndarray:
        return self.torch.randperm(len(self.X_train), generator=self.generator).numpy()

    def train_epoch(self, order: np.ndarray) -> float:
        idx = self.torch.from_numpy(order).to(self.X_train.device)
        return torch_mlp.train_epoch(self.model, self.optimizer, self.X_train, self.y_train, idx, self.params.batch_size)

    def evaluate(self) -> tuple[float, float, np.ndarray]:
        return torch_mlp.evaluate(self.model, self.X_test, self.y_test)

    def predict(self, X: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            self.model.eval()
            X = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).to(self.X_train.device)
            return self.model(X).argmax(dim=1).cpu().numpy()

    def peak_memory(self, order: np.ndarray) -> dict:
        torch = self.torch
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
        return {"peak_memory_bytes": peak, "peak_memory_method": method, "rss_peak_growth_bytes": rss, "rss_method": rss_method}


def divergence(loss: float, model: str, epoch: int, lr: float, stage: str) -> dict | None:
    """The record of a diverged network (None while its loss is finite): which network,
    at which epoch, with which learning rate, and whether the training or the test loss
    was the first to leave the finite numbers."""
    if math.isfinite(loss):
        return None
    return {"model": model, "epoch": epoch, "lr": lr, "loss": str(loss), "stage": stage}


def divergence_message(d: dict) -> str:
    return (f"{d['model']} network: {d['stage']} loss became {d['loss']} in epoch {d['epoch']} "
            f"with learning rate {d['lr']}")


def train(params: Params, data: MNIST, models: tuple[str, ...] = MODELS, *, share_init: bool | None = None,
          share_order: bool | None = None, pytorch_init: str = "nn.Linear", memory: bool = True,
          progress: bool = True, log: Callable[[str], None] | None = None, on_diverge: str = "raise") -> dict:
    """Train the requested networks with `params`; return the results as plain data.
    (See `fit` for the options.)"""
    return fit(params, data, models, share_init=share_init, share_order=share_order, pytorch_init=pytorch_init,
               memory=memory, progress=progress, log=log, on_diverge=on_diverge)[0]


def fit(params: Params, data: MNIST, models: tuple[str, ...] = MODELS, *, share_init: bool | None = None,
        share_order: bool | None = None, pytorch_init: str = "nn.Linear", memory: bool = True, progress: bool = True,
        log: Callable[[str], None] | None = None,
        on_diverge: str = "raise") -> tuple[dict, dict[str, Callable[[np.ndarray], np.ndarray]]]:
    """Train the requested networks; return (results, {model: predict function}).

    The number of classes is read from the labels (10 for MNIST, 2 for the 3-vs-8
    task), the input size from X_train.

    share_init / share_order default to params.parity. Shared initial weights are
    drawn once with params.init and copied into both networks. Otherwise the NumPy
    network draws them with params.init from its generator, and PyTorch from its own
    as pytorch_init says: "nn.Linear" (the default), nn.Linear's own initialisation
    whatever params.init is; "init", the scheme params.init through torch.nn.init
    (torch_mlp.init_parameters), so that both networks draw from the same
    distribution. A shared order is one permutation per epoch given to both;
    otherwise each draws its own (NumPy's Generator, torch.randperm).

    memory: run the untimed peak-memory probes after training (an extra epoch
    per instrument); the study asks for them in its main run only. Without them
    the records have no peak_memory_* or rss_* keys.

    on_diverge: what a non-finite loss (a learning rate too large) does. "raise":
    TrainingDiverged. "stop": that network stops; its record keeps the finite epochs
    before it in `history` and says when it diverged in `diverged` (see
    `divergence`), with no memory, confusion matrix or predictions; the other
    network trains on. The study stops, so that its book can say what happened.
    """
    if on_diverge not in ("raise", "stop"):
        raise ValueError(f"on_diverge must be 'raise' or 'stop'; got {on_diverge!r}")
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        raise ValueError(f"models must be a non-empty selection of {', '.join(MODELS)}; got {models!r}")
    share_init = params.parity if share_init is None else share_init
    share_order = params.parity if share_order is None else share_order
    if pytorch_init not in ("nn.Linear", "init"):
        raise ValueError(f"pytorch_init must be 'nn.Linear' or 'init'; got {pytorch_init!r}")
    params.check_device()
    params.check_subset(len(data.y_train))
    data = subset(data, params.subset, params.seed)
    n_train = len(data.y_train)

    # Separate streams for weights and orders: changing one never shifts the other.
    init_rng = np.random.default_rng([params.seed, 0])
    order_rng = np.random.default_rng([params.seed, 1])
    n_classes = int(max(data.y_train.max(), data.y_test.max())) + 1
    weights = numpy_mlp.init_weights(data.X_train.shape[1], params.hidden, n_classes, params.init, init_rng)

    with measure.fixed_threads(params.threads) as threads:
        trainers = {}
        if "numpy" in models:
            trainers["numpy"] = NumpyTrainer(params, data, weights)
        if "pytorch" in models:
            trainers["pytorch"] = TorchTrainer(params, data, weights if share_init else None, params.seed, n_classes,
                                               params.init if pytorch_init == "init" else None)
        histories: dict[str, list] = {name: [] for name in trainers}
        divergences: dict[str, dict] = {}
        all_trainers = dict(trainers)
        preds: dict[str, np.ndarray] = {}
        first_orders: dict[str, np.ndarray] = {}

        bar = tqdm(range(1, params.epochs + 1), desc="epochs", unit="epoch", disable=not progress, leave=False)
        for epoch in bar:
            shared = order_rng.permutation(n_train) if share_order else None
            for name, trainer in trainers.items():
                if shared is not None:
                    order = shared
                elif name == "numpy":
                    order = order_rng.permutation(n_train)
                else:
                    order = trainer.own_order()
                first_orders.setdefault(name, order)
                t0 = time.perf_counter()
                train_loss = trainer.train_epoch(order)
                seconds = time.perf_counter() - t0
                diverged = divergence(train_loss, name, epoch, params.lr, "training")
                if diverged is None:
                    t0 = time.perf_counter()
                    test_loss, test_acc, preds[name] = trainer.evaluate()
                    eval_seconds = time.perf_counter() - t0
                    diverged = divergence(test_loss, name, epoch, params.lr, "test")
                if diverged is not None:
                    if on_diverge == "raise":
                        raise TrainingDiverged(divergence_message(diverged) + "; lower the learning rate (lr) and run again")
                    divergences[name] = diverged
                    if log:
                        log(divergence_message(diverged) + ": it stops here")
                    continue
                histories[name].append({
                    "epoch": epoch, "train_loss": train_loss, "test_loss": test_loss, "test_accuracy": test_acc,
                    "seconds": seconds, "eval_seconds": eval_seconds, "samples_per_second": n_train / seconds,
                })
            for name in divergences:
                trainers.pop(name, None)
            if not trainers:
                break
            live = {name: histories[name] for name in trainers}
            bar.set_postfix({name: f"acc {h[-1]['test_accuracy']:.4f}" for name, h in live.items()})
            if log:
                log(f"epoch {epoch}/{params.epochs}: " + ", ".join(
                    f"{name} loss {h[-1]['train_loss']:.4f} acc {h[-1]['test_accuracy']:.4f}" for name, h in live.items()))

        # Peak memory: an extra, untimed epoch (epoch 1's order) on a copy of each
        # trained model; the instruments would distort the timed epochs.
        records = {}
        for name, trainer in all_trainers.items():
            if name in divergences:
                records[name] = {"history": histories[name], "diverged": divergences[name],
                                 "parameter_count": int(trainer.model.n_params)}
                continue
            records[name] = {
                "history": histories[name],
                **(trainer.peak_memory(first_orders[name]) if memory else {}),
                "parameter_count": int(trainer.model.n_params),
                "confusion_matrix": confusion_matrix(data.y_test, preds[name], labels=np.arange(n_classes)).tolist(),
                "test_predictions": preds[name].astype(int).tolist(),
            }
        env = measure.environment(threads)

    results = {
        "schema_version": SCHEMA_VERSION,
        "params": params.to_dict(),
        # What each network started from: the shared draw, or each its own (PyTorch's
        # from nn.Linear's default or from params.init).
        "mode": {"shared_init": share_init, "shared_order": share_order,
                 "pytorch_init": "shared" if share_init else pytorch_init},
        "data": {"n_train": n_train, "n_test": int(len(data.y_test)), "sha256": data.sha256},
        "environment": env,
        "models": records,
    }
    if divergences:
        results["diverged"] = [divergences[name] for name in records if name in divergences]
    elif len(records) == 2:
        results["parity"] = parity_summary(records["numpy"]["history"], records["pytorch"]["history"])
    return results, {name: t.predict for name, t in all_trainers.items() if name not in divergences}


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
        rows.append({
            "model": name,
            "test_accuracy": last["test_accuracy"],
            "test_loss": last["test_loss"],
            "train_loss": last["train_loss"],
            "seconds_per_epoch": float(np.median([h["seconds"] for h in record["history"]])),
            "peak_memory_bytes": record["peak_memory_bytes"],
            "peak_memory_method": record["peak_memory_method"],
        })
    return rows
