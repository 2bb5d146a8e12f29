"""One training driver for any network of the registry, recording the same numbers for each.

A trainer (trainers.Trainer; each network's is named in networks.NETWORKS) owns one
network, its data and its own random streams, and exposes the same methods whatever
the library. `train(params, data)` drives them epoch by epoch, interleaved (NumPy
epoch 1, PyTorch epoch 1, NumPy epoch 2, ...) so that any slow-down of the machine
falls on all alike, and returns one typed record, records.Run, whose schema (every
field and what it means) is written down once, in core/records.py. `write_results`
saves it as results.json and history.csv.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix
from tqdm.auto import tqdm

from . import atomic, measure, networks
from .data import MNIST, subset
from .params import Params
from .records import SCHEMA_VERSION, DataInfo, Divergence, Epoch, Mode, Network, Parity, Run, to_json
from .trainers import Trainer, draw_weights, order_rng

HISTORY_FIELDS = tuple(f.name for f in dataclasses.fields(Epoch))
OWN_INITS = ("default", "scheme")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: the learning rate is too large for this set-up."""


def divergence(loss: float, model: str, epoch: int, lr: float, stage: str) -> Divergence | None:
    """The record of a diverged network (None while its loss is finite): which network,
    at which epoch, with which learning rate, and whether the training or the test loss
    was the first to leave the finite numbers."""
    if math.isfinite(loss):
        return None
    return Divergence(model=model, epoch=epoch, lr=lr, loss=str(loss), stage=stage)


def divergence_message(d: Divergence) -> str:
    return f"{d.model} network: {d.stage} loss became {d.loss} in epoch {d.epoch} with learning rate {d.lr}"


def train(
    params: Params,
    data: MNIST,
    models: tuple[str, ...] | None = None,
    *,
    share_init: bool | None = None,
    share_order: bool | None = None,
    own_init: str = "default",
    memory: bool = True,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    on_diverge: str = "raise",
) -> Run:
    """Train the requested networks with `params`; return the run's record.
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
    history: list[Epoch] = field(default_factory=list)
    first_order: np.ndarray | None = None  # epoch 1's order, which the memory probe replays
    predictions: np.ndarray | None = None  # of the test set, at the last evaluation
    diverged: Divergence | None = None


def fit(
    params: Params,
    data: MNIST,
    models: tuple[str, ...] | None = None,
    *,
    share_init: bool | None = None,
    share_order: bool | None = None,
    own_init: str = "default",
    memory: bool = True,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    on_diverge: str = "raise",
) -> tuple[Run, dict[str, Callable[[np.ndarray], np.ndarray]]]:
    """Train the requested networks (names in networks.NETWORKS; default: those that join
    the main run); return (the run's record, {model: predict function}).

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
    the network records' peak_memory_* and rss_* fields are None.

    on_diverge: what a non-finite loss (a learning rate too large) does. "raise":
    TrainingDiverged. "stop": that network stops; its record keeps the finite epochs
    before it in `history` and says when it diverged in `diverged` (see
    `divergence`), with no memory, confusion matrix or predictions; the others
    train on. The study stops, so that its book can say what happened.
    """
    models = networks.joining("main") if models is None else models
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

    diverged = tuple(run.diverged for run in runs if run.diverged is not None)
    run = Run(
        params=params,
        mode=Mode(shared_init=share_init, shared_order=share_order),
        data=DataInfo(n_train=len(data.y_train), n_test=int(len(data.y_test)), sha256=data.sha256),
        environment=env,
        models=records,
        parity=parities(records) if share_init and share_order and not diverged else {},
        diverged=diverged,
    )
    return run, {run.name: run.trainer.predict for run in runs if run.diverged is None}


def check_options(models: tuple[str, ...], own_init: str, on_diverge: str) -> None:
    if on_diverge not in ("raise", "stop"):
        raise ValueError(f"on_diverge must be 'raise' or 'stop'; got {on_diverge!r}")
    unknown = sorted(set(models) - set(networks.names()))
    if unknown or not models:
        raise ValueError(f"models must be a non-empty selection of {', '.join(networks.names())}; got {models!r}")
    if own_init not in OWN_INITS:
        raise ValueError(f"own_init must be one of {', '.join(OWN_INITS)}; got {own_init!r}")


def start_runs(
    params: Params, data: MNIST, models: tuple[str, ...], n_classes: int, share_init: bool, own_init: str
) -> list[NetworkRun]:
    """A trainer for each requested network, in the registry's order, with its start: the
    shared draw of params.init, or its own (its default, or params.init)."""
    n_in = data.X_train.shape[1]
    shared = draw_weights(n_in, params.hidden, n_classes, params.init, params.seed) if share_init else None
    init = params.init if own_init == "scheme" and not share_init else None  # None: each its default
    runs = []
    for name in (n for n in networks.names() if n in models):
        trainer = networks.get(name).trainer_class()(params, data, params.seed, n_classes, weights=shared, init=init)
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
        bar.set_postfix({run.name: f"acc {run.history[-1].test_accuracy:.4f}" for run in live(runs)})
        if log:
            log(
                f"epoch {epoch}/{params.epochs}: "
                + ", ".join(
                    f"{run.name} loss {run.history[-1].train_loss:.4f} acc {run.history[-1].test_accuracy:.4f}"
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
        Epoch(epoch, float(train_loss), float(test_loss), float(test_acc), seconds, eval_seconds, len(order) / seconds)
    )


def stop(diverged: Divergence, on_diverge: str, log: Callable[[str], None] | None) -> None:
    """A network diverged: raise TrainingDiverged ("raise"), or say that it stops ("stop")."""
    if on_diverge == "raise":
        raise TrainingDiverged(divergence_message(diverged) + "; lower the learning rate (lr) and run again")
    if log:
        log(divergence_message(diverged) + ": it stops here")


def final_record(run: NetworkRun, y_test: np.ndarray, n_classes: int, memory: bool) -> Network:
    """A network's record once training is over. Peak memory is an extra, untimed epoch
    (epoch 1's order) on a copy of the trained model: the instruments would distort the
    timed epochs. A diverged network has no memory, confusion matrix or predictions."""
    common: dict[str, Any] = {
        "init": run.init,
        "history": tuple(run.history),
        "parameter_count": run.trainer.n_params,
        "compile_seconds": run.trainer.compile_seconds,
    }
    if run.diverged is not None:
        return Network(**common, diverged=run.diverged)
    assert run.first_order is not None and run.predictions is not None  # it trained at least one epoch
    return Network(
        **common,
        **(run.trainer.peak_memory(run.first_order) if memory else {}),
        confusion_matrix=confusion_matrix(y_test, run.predictions, labels=np.arange(n_classes)).tolist(),
        test_predictions=run.predictions.astype(int).tolist(),
    )


def parities(records: dict[str, Network]) -> dict[str, Parity]:
    """Each network against the one by hand (networks.REFERENCE), when both trained."""
    if networks.REFERENCE not in records:
        return {}
    reference = records[networks.REFERENCE].history
    return {name: parity(reference, net.history) for name, net in records.items() if name != networks.REFERENCE}


def parity(a: tuple[Epoch, ...], b: tuple[Epoch, ...]) -> Parity:
    """Per-epoch differences between two histories (the parity check), and the largest
    training-loss difference relative to b's loss."""

    def diff(key: str) -> tuple[float, ...]:
        return tuple(abs(getattr(x, key) - getattr(y, key)) for x, y in zip(a, b))

    rel = [abs(x.train_loss - y.train_loss) / abs(y.train_loss) for x, y in zip(a, b)]
    return Parity(diff("train_loss"), diff("test_loss"), diff("test_accuracy"), max(rel))


def history_csv(run: Run) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("model", *HISTORY_FIELDS))
    for name, record in run.models.items():
        for row in record.history:
            writer.writerow((name, *(getattr(row, f) for f in HISTORY_FIELDS)))
    return out.getvalue()


def write_results(run: Run, out_dir) -> dict[str, str]:
    """results.json (the run's record, with the schema's version) and history.csv in
    out_dir, each written atomically."""
    from pathlib import Path

    out_dir = Path(out_dir)
    files = {"json": out_dir / "results.json", "csv": out_dir / "history.csv"}
    atomic.write_json(files["json"], {"schema_version": SCHEMA_VERSION, **to_json(run)})
    atomic.write_text(files["csv"], history_csv(run))
    return {k: str(v) for k, v in files.items()}


def summary_rows(run: Run) -> list[dict]:
    """One row per model: the numbers the CLI prints."""
    return [
        {
            "model": name,
            "test_accuracy": net.last.test_accuracy,
            "test_loss": net.last.test_loss,
            "train_loss": net.last.train_loss,
            "seconds_per_epoch": net.median("seconds"),
            "peak_memory_bytes": net.peak_memory_bytes,
            "peak_memory_method": net.peak_memory_method,
        }
        for name, net in run.models.items()
    ]
