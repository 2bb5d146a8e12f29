"""A two-layer network written by hand with NumPy: forward, backward and SGD.

Notation (one minibatch of B images, D = 784 inputs, H hidden units, K = 10 classes):

    z1 = X W1 + b1          X: (B, D)   W1: (D, H)   b1: (H,)   z1: (B, H)
    h  = relu(z1)                                                h: (B, H)
    z2 = h W2 + b2          W2: (H, K)  b2: (K,)                 z2: (B, K)  (the logits)
    p  = softmax(z2)        p_ik = exp(z2_ik) / sum_j exp(z2_ij)
    L  = -(1/B) sum_i log p_{i, y_i}          mean cross-entropy, equation (1) of the study

Backpropagation, one line per layer (Y is the one-hot matrix of the labels):

    dL/dz2 = (p - Y) / B                      (B, K)   softmax + cross-entropy together
    dL/dW2 = h^T dL/dz2                       (H, K)
    dL/db2 = sum_i dL/dz2_i                   (K,)
    dL/dh  = dL/dz2 W2^T                      (B, H)
    dL/dz1 = dL/dh * [z1 > 0]                 (B, H)   relu passes gradient where it was active
    dL/dW1 = X^T dL/dz1                       (D, H)
    dL/db1 = sum_i dL/dz1_i                   (H,)

SGD, equations (2) and (3):  W <- W - lr dL/dW,  b <- b - lr dL/db.

`NumpyMLP.forward` / `backward` spell this out one allocation per line; they are
the reference that the tests check against finite differences and autograd, and
`train_epoch_reference` is the plain loop over them. This module is what the book
prints and teaches. numpy_fast.train_epoch takes the same steps over a whole epoch
with preallocated buffers, which is what the study times; it lives apart, as
Nielsen keeps his faster variants in files of their own.
"""

from __future__ import annotations

import numpy as np

DTYPE = np.float32


def init_weights(n_in: int, n_hidden: int, n_out: int, scheme: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Initial weights, drawn in the order W1, b1, W2, b2.

    "pytorch": U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, which is
               what torch.nn.Linear does by default (kaiming_uniform with a = sqrt(5)).
    "he":      N(0, 2/fan_in) weights, zero biases (He et al., 2015).
    "small":   N(0, 0.01^2) weights, zero biases: the usual from-scratch tutorial choice.
    """

    def layer(fan_in: int, fan_out: int) -> tuple[np.ndarray, np.ndarray]:
        if scheme == "pytorch":
            bound = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-bound, bound, (fan_in, fan_out)), rng.uniform(-bound, bound, fan_out)
        if scheme == "he":
            return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)), np.zeros(fan_out)
        if scheme == "small":
            return rng.normal(0.0, 0.01, (fan_in, fan_out)), np.zeros(fan_out)
        raise ValueError(f"init must be one of pytorch, he, small; got {scheme!r}")

    W1, b1 = layer(n_in, n_hidden)
    W2, b2 = layer(n_hidden, n_out)
    return {name: np.ascontiguousarray(w, dtype=DTYPE) for name, w in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2))}


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log p = z - logsumexp(z), shifted by the row maximum so exp never overflows."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean of -log p_{i, y_i} over the batch."""
    logp = log_softmax(logits)
    return float(-logp[np.arange(len(y)), y].mean())


class NumpyMLP:
    """784 -> hidden (ReLU) -> 10 (softmax), parameters as float32 arrays."""

    def __init__(self, weights: dict[str, np.ndarray], dtype=DTYPE):
        # Own contiguous copies (training updates them in place); float32 unless a
        # float64 copy is wanted, as for the finite-difference gradient check.
        self.W1, self.b1, self.W2, self.b2 = (np.array(weights[k], dtype=dtype, order="C") for k in ("W1", "b1", "W2", "b2"))

    @classmethod
    def create(cls, n_in: int = 784, n_hidden: int = 128, n_out: int = 10, init: str = "pytorch", seed: int = 0) -> NumpyMLP:
        return cls(init_weights(n_in, n_hidden, n_out, init, np.random.default_rng(seed)))

    @property
    def weights(self) -> dict[str, np.ndarray]:
        return {"W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": self.b2}

    @property
    def n_params(self) -> int:
        return sum(w.size for w in self.weights.values())

    # --- the derivation, one line per equation -------------------------------------
    def forward(self, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        z1 = X @ self.W1 + self.b1  # (B, H)
        h = np.maximum(z1, 0)  # (B, H)
        z2 = h @ self.W2 + self.b2  # (B, K) logits
        return z2, (X, z1, h, z2)

    def backward(self, cache: tuple, y: np.ndarray) -> dict[str, np.ndarray]:
        X, z1, h, z2 = cache
        B = len(y)
        p = np.exp(log_softmax(z2))  # (B, K) softmax probabilities
        dz2 = p.copy()
        dz2[np.arange(B), y] -= 1  # p - Y
        dz2 /= B  # (B, K)
        dW2 = h.T @ dz2  # (H, K)
        db2 = dz2.sum(axis=0)  # (K,)
        dh = dz2 @ self.W2.T  # (B, H)
        dz1 = dh * (z1 > 0)  # (B, H)
        dW1 = X.T @ dz1  # (D, H)
        db1 = dz1.sum(axis=0)  # (H,)
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        logits, cache = self.forward(X)
        return cross_entropy(logits, y), self.backward(cache, y)

    def sgd_step(self, grads: dict[str, np.ndarray], lr: float) -> None:
        for name, w in self.weights.items():
            w -= w.dtype.type(lr) * grads[name]  # w <- w - lr dL/dw

    # --- inference ---------------------------------------------------------------
    def logits(self, X: np.ndarray, chunk: int = 10_000) -> np.ndarray:
        return np.concatenate([self.forward(X[i : i + chunk])[0] for i in range(0, len(X), chunk)])

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
        """(mean cross-entropy, accuracy, predicted labels)."""
        logits = self.logits(X)
        pred = logits.argmax(axis=1)
        return cross_entropy(logits, y), float((pred == y).mean()), pred


def train_epoch_reference(model: NumpyMLP, X: np.ndarray, y: np.ndarray,
                          order: np.ndarray, batch_size: int,
                          lr: float) -> float:
    """The readable loop: each minibatch through forward, backward and the SGD step, as the
    equations above read. numpy_fast.train_epoch takes exactly these steps, faster (tested);
    the book counts this loop's lines against PyTorch's, and numpy_fast's as what the speed costs."""
    total = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        loss, grads = model.loss_and_grads(X[idx], y[idx])
        model.sgd_step(grads, lr)
        total += loss * len(idx)
    return total / len(order)
