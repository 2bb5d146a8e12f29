"""The trainers: one per network, each owning its network, its data and its own random
streams, behind one interface (`Trainer`) that the driver (training.fit) and the
benchmark (epoch_timing) use whatever the library. The registry of networks
(networks.py) names each network's trainer.
"""

from __future__ import annotations

import copy
from typing import Protocol, runtime_checkable

import numpy as np
import torch

from . import measure, numpy_fast, numpy_mlp, torch_mlp
from .data import MNIST
from .params import Params


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
    compile_seconds: float | None  # what compiling its training took (None: it runs eagerly)

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
        self.compile_seconds: float | None = None  # NumPy runs each operation as it comes
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
        self.compile_seconds: float | None = None  # eager PyTorch (torch_compiled compiles it)
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
            inputs = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).to(self.X_train.device)
            return self.model(inputs).argmax(dim=1).cpu().numpy()

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
