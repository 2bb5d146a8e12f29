"""The same two-layer network in JAX: NumPy's forward pass and loss, line by line,
with the gradient from jax.grad instead of a backward pass written by hand.

`forward`, `log_softmax` and `cross_entropy` are numpy_mlp's with `jnp` for `np`
(the book prints them side by side). `sgd_step` takes the loss's gradient with
jax.value_and_grad and moves every weight by -lr times it, as
numpy_mlp.sgd_step does. The weights are a dict W1, b1, W2, b2 in the NumPy
layout (W: (in, out)), float32, on the CPU.

The training is compiled by XLA, in the two ways JAX's own examples compile it
(LOOPS):

    "step"  jax.jit of one SGD step, called by a Python loop once per minibatch
    "scan"  the whole epoch as one compiled program: jax.lax.scan of the same
            step over the epoch's minibatches

`compile_epoch` compiles either ahead of time, jax.jit(...).lower(...).compile(),
and says how long that took, so that compiling is measured apart from training.

Static shapes, one program: the last minibatch of an epoch is usually smaller
than the others (60,000 = 937 x 64 + 32), and a program for another shape would
be a second compile. So `minibatches` pads the epoch's order to whole minibatches
and masks the padding rows out of the loss (and so out of the gradient): each
minibatch's loss is the mean over its real rows, as NumPy's is. The one program
serves every minibatch of every epoch over the same number of rows.

XLA sizes its CPU thread pool when JAX starts its backend, at the first
computation: call measure.xla_threads before that, in every worker process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

DTYPE = np.float32
NAMES = ("W1", "b1", "W2", "b2")
LOOPS = ("scan", "step")

Weights = dict[str, jax.Array]


def forward(params: Weights, X: jax.Array) -> jax.Array:
    W1, b1, W2, b2 = (params[k] for k in NAMES)
    z1 = X @ W1 + b1  # (B, H)
    h = jnp.maximum(z1, 0)  # (B, H)
    z2 = h @ W2 + b2  # (B, K) logits
    return z2


def log_softmax(z: jax.Array) -> jax.Array:
    """log p = z - logsumexp(z), shifted by the row maximum so exp never
    overflows. The shift cancels, so it is a constant to the gradient."""
    shifted = z - jax.lax.stop_gradient(z.max(axis=1, keepdims=True))
    return shifted - jnp.log(jnp.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(logits: jax.Array, y: jax.Array) -> jax.Array:
    """Mean of -log p_{i, y_i} over the batch."""
    logp = log_softmax(logits)
    return -logp[jnp.arange(len(y)), y].mean()


def loss(
    params: Weights, X: jax.Array, y: jax.Array, mask: jax.Array
) -> jax.Array:
    """cross_entropy over the minibatch's real rows (mask 1): the padding rows
    (mask 0) weigh nothing, in the loss or in its gradient."""
    logp = log_softmax(forward(params, X))
    nll = -logp[jnp.arange(len(y)), y]
    return (nll * mask).sum() / mask.sum()


def sgd_step(
    params: Weights, X: jax.Array, y: jax.Array, mask: jax.Array, lr: float
) -> tuple[Weights, jax.Array]:
    """One SGD step: (the weights after it, the loss before it)."""
    L, grads = jax.value_and_grad(loss)(params, X, y, mask)
    # Each weight moves by -lr dL/dw, as numpy_mlp.sgd_step moves it.
    return {k: w - lr * grads[k] for k, w in params.items()}, L


# --- the two compiled loops ------------------------------------------------------
def step_program(
    params: Weights,
    X: jax.Array,
    y: jax.Array,
    rows: jax.Array,
    mask: jax.Array,
    lr: float,
) -> tuple[Weights, jax.Array]:
    """One minibatch (rows, mask: (B,)), gathered inside the program."""
    return sgd_step(params, X[rows], y[rows], mask, lr)


def epoch_program(
    params: Weights,
    X: jax.Array,
    y: jax.Array,
    rows: jax.Array,
    mask: jax.Array,
    lr: float,
) -> tuple[Weights, jax.Array]:
    """Every minibatch of the epoch (rows, mask: (n_batches, B)), one program:
    scan carries the weights from step to step and stacks the losses."""

    def step(params: Weights, batch: tuple) -> tuple[Weights, jax.Array]:
        rows, mask = batch
        return step_program(params, X, y, rows, mask, lr)

    return jax.lax.scan(step, params, (rows, mask))


def minibatches(order: np.ndarray, batch_size: int) -> tuple[np.ndarray, ...]:
    """The epoch's order as whole minibatches: row numbers (n_batches, B), the
    padding rows pointing at row 0, and the mask, 1 on real rows, 0 on padding."""
    n = len(order)
    padded = -(-n // batch_size) * batch_size
    rows = np.zeros(padded, dtype=np.int32)
    rows[:n] = order
    mask = (np.arange(padded) < n).astype(DTYPE)
    return rows.reshape(-1, batch_size), mask.reshape(-1, batch_size)


def compile_epoch(
    loop: str,
    params: Weights,
    X: jax.Array,
    y: jax.Array,
    n_rows: int,
    batch_size: int,
    lr: float,
) -> tuple[Callable[[Weights, np.ndarray], tuple[Weights, float]], float]:
    """One epoch of minibatch SGD over n_rows of (X, y), compiled ahead of time:
    (epoch, seconds it took to compile). epoch(params, order) -> (the weights
    after it, the mean training loss); it consumes `params` (their buffers are
    donated to the new weights). The loss is the mean over minibatches of the
    loss before each step, weighted by their sizes, as numpy_fast.train_epoch's."""
    if loop not in LOOPS:
        raise ValueError(
            f"loop must be one of {', '.join(LOOPS)}; got {loop!r}"
        )
    rows, mask = minibatches(np.zeros(n_rows, dtype=np.int32), batch_size)
    if loop == "scan":
        fn, shape_of = epoch_program, (rows, mask)
    else:
        fn, shape_of = step_program, (rows[0], mask[0])
    start = time.perf_counter()
    program = (
        jax.jit(partial(fn, lr=lr), donate_argnums=0)
        .lower(params, X, y, *shape_of)
        .compile()
    )
    seconds = time.perf_counter() - start

    def epoch(params: Weights, order: np.ndarray) -> tuple[Weights, float]:
        if len(order) != n_rows:
            raise ValueError(
                f"compiled for epochs of {n_rows} rows; got {len(order)}"
            )
        # JAX clamps an index out of range; NumPy's loop would raise.
        if n_rows and (order.min() < 0 or order.max() >= len(X)):
            raise IndexError(f"order must hold indices in [0, {len(X)})")
        rows, mask = minibatches(order, batch_size)
        if loop == "scan":
            params, losses = program(params, X, y, rows, mask)
        else:
            steps = []
            for r, m in zip(rows, mask):
                params, L = program(params, X, y, r, m)
                steps.append(L)
            losses = jnp.stack(steps)
        sizes = mask.sum(axis=1, dtype=np.float64)
        total = np.asarray(losses, dtype=np.float64) @ sizes
        return params, float(total / n_rows)

    return epoch, seconds


# --- inference -------------------------------------------------------------------
def evaluate_program(
    params: Weights, X: jax.Array, y: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """(mean cross-entropy, predicted labels) of the whole set, one program."""
    logits = forward(params, X)
    return cross_entropy(logits, y), logits.argmax(axis=1)


def compile_evaluate(
    params: Weights, X: jax.Array, y: jax.Array
) -> tuple[Callable[[Weights], tuple[float, float, np.ndarray]], float]:
    """The evaluation on (X, y), compiled ahead of time: (evaluate, seconds).
    evaluate(params) -> (mean cross-entropy, accuracy, predicted labels)."""
    start = time.perf_counter()
    program = jax.jit(evaluate_program).lower(params, X, y).compile()
    seconds = time.perf_counter() - start
    y_host = np.asarray(y)

    def evaluate(params: Weights) -> tuple[float, float, np.ndarray]:
        L, pred = program(params, X, y)
        pred = np.asarray(pred)
        return float(L), float((pred == y_host).mean()), pred

    return evaluate, seconds


predict_logits = jax.jit(forward)  # any number of rows: one compile per shape
