"""The JAX network (jax_mlp) behind the trainer interface of trainers.Trainer.

Two trainers, one per compiled loop of jax_mlp.LOOPS: `JaxTrainer` runs each epoch
as one compiled program (jax.lax.scan over the minibatches), `JaxStepTrainer` calls
a compiled step once per minibatch from Python. Both compile their programs ahead of
time in the constructor; `compile_seconds` says how long that took, so that no
epoch's time (and no evaluation's) contains compiling.

Like NumPy, JAX has no default initialisation of its own: without given weights a
trainer starts from params.init (or `init`), drawn by trainers.draw_weights from
the same weights stream as NumPy's, so the same seed gives the same start. Its own
epoch orders come from JAX's generator (jax.random) seeded with `seed`.

XLA's threads are set by measure.xla_threads, before JAX's first computation.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from . import jax_mlp, measure, trainers
from .data import MNIST
from .params import Params


class JaxTrainer:
    """jax_mlp's network with the epoch as one compiled program (loop "scan").

    Besides trainers.Trainer's interface: `loop` (jax_mlp.LOOPS) and
    `compile_seconds`, the time to compile the training and evaluation programs."""

    _LOOP = "scan"

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
        self.start = "copied" if weights is not None else init or params.init
        if weights is None:
            weights = trainers.draw_weights(data.X_train.shape[1], params.hidden, n_classes, self.start, seed)
        self.loop = self._LOOP
        measure.xla_threads(params.threads)  # before JAX's first computation in this process
        cpu = jax.devices("cpu")[0]
        # Labels as int32: JAX's integers are 32-bit unless x64 is enabled.
        put = lambda a, dtype: jax.device_put(np.asarray(a, dtype=dtype), cpu)  # noqa: E731
        X_train, y_train = put(data.X_train, jax_mlp.DTYPE), put(data.y_train, np.int32)
        X_test, y_test = put(data.X_test, jax_mlp.DTYPE), put(data.y_test, np.int32)
        # Its own copy of the weights: the compiled programs donate (reuse) their buffers.
        self.W = {k: put(np.array(weights[k]), jax_mlp.DTYPE) for k in jax_mlp.NAMES}
        self.key = jax.random.key(seed)  # own epoch orders when not shared
        self.n_rows = len(data.y_train)
        self.epoch, train_s = jax_mlp.compile_epoch(
            self.loop, self.W, X_train, y_train, self.n_rows, params.batch_size, params.lr
        )
        self.evaluate_test, eval_s = jax_mlp.compile_evaluate(self.W, X_test, y_test)
        self.compile_seconds = train_s + eval_s

    def own_order(self) -> np.ndarray:
        self.key, key = jax.random.split(self.key)
        return np.asarray(jax.random.permutation(key, self.n_rows))

    def train_epoch(self, order: np.ndarray) -> float:
        self.W, mean_loss = self.epoch(self.W, order)
        return mean_loss

    def evaluate(self) -> tuple[float, float, np.ndarray]:
        return self.evaluate_test(self.W)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(jax_mlp.predict_logits(self.W, np.asarray(X, dtype=jax_mlp.DTYPE)).argmax(axis=1))

    def peak_memory(self, order: np.ndarray) -> dict:
        def run() -> None:
            probe = {k: jnp.copy(w) for k, w in self.W.items()}  # a copy: the probe must not train the model
            jax.block_until_ready(self.epoch(probe, order))

        m = measure.peak_memory(run, tracemalloc=False)  # tracemalloc cannot see XLA's allocator
        return {
            "peak_memory_bytes": m["rss_peak_growth_bytes"],
            "peak_memory_method": m["rss_method"],
            "rss_peak_growth_bytes": m["rss_peak_growth_bytes"],
            "rss_method": m["rss_method"],
        }

    def weights(self) -> dict[str, np.ndarray]:
        return {k: np.array(w) for k, w in self.W.items()}  # np.array copies: XLA's buffer stays its own

    @property
    def n_params(self) -> int:
        return sum(int(w.size) for w in self.W.values())


class JaxStepTrainer(JaxTrainer):
    """The same, each minibatch one call of a compiled step from a Python loop (loop "step")."""

    _LOOP = "step"
