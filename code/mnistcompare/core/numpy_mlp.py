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
`train_epoch_reference` is the plain loop over them. `train_epoch` takes the same
steps over a whole epoch with preallocated buffers (see its docstring), which is
what the study times.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    def create(cls, n_in: int = 784, n_hidden: int = 128, n_out: int = 10, init: str = "pytorch", seed: int = 0) -> "NumpyMLP":
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


def train_epoch_reference(model: NumpyMLP, X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int,
                          lr: float) -> float:
    """The readable loop: each minibatch through forward, backward and the SGD step, as the
    equations above read. `train_epoch` takes exactly these steps, faster (tested); the book
    counts this loop's lines against PyTorch's, and `train_epoch`'s as what the speed costs."""
    total = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        loss, grads = model.loss_and_grads(X[idx], y[idx])
        model.sgd_step(grads, lr)
        total += loss * len(idx)
    return total / len(order)


@dataclass
class _Buffers:
    """Every array one SGD step needs, allocated once per epoch (not once per batch)."""

    X: np.ndarray  # (B, D) the gathered minibatch
    h: np.ndarray  # (B, H) z1, then relu(z1) in place
    mask: np.ndarray  # (B, H) relu'(z1)
    dh: np.ndarray  # (B, H) lr dL/dh, then lr dL/dz1 in place
    p: np.ndarray  # (B, K) exp, then probabilities, then lr dL/dz2
    rowmax: np.ndarray  # (B, 1)
    ones: np.ndarray  # (B,) all 1: a bias gradient is 1^T dL/dz, one small matrix product
    dW1: np.ndarray  # (D, H)
    db1: np.ndarray  # (H,)
    dW2: np.ndarray  # (H, K)
    db2: np.ndarray  # (K,)

    @classmethod
    def allocate(cls, B: int, D: int, H: int, K: int) -> "_Buffers":
        e = lambda *shape, dtype=DTYPE: np.empty(shape, dtype=dtype)  # noqa: E731
        return cls(e(B, D), e(B, H), e(B, H, dtype=bool), e(B, H), e(B, K), e(B, 1), np.ones(B, dtype=DTYPE),
                   e(D, H), e(H), e(H, K), e(K))

    def first(self, n: int) -> "_Buffers":
        """Views for a last, smaller batch of n rows (the weight-shaped buffers are shared)."""
        return _Buffers(self.X[:n], self.h[:n], self.mask[:n], self.dh[:n], self.p[:n], self.rowmax[:n],
                        self.ones[:n], self.dW1, self.db1, self.dW2, self.db2)


def epoch_memory(N: int, B: int, D: int, H: int, K: int, label_dtype=np.int64) -> dict[str, int]:
    """Bytes of the arrays one `train_epoch` over N rows allocates, by what they are for
    (the shapes are those of the code below); their sum is the epoch's peak allocation
    up to small temporaries, which the tests check against tracemalloc.

      gradient buffers            dW1, db1, dW2, db2: the size of the weights
      minibatch and activations   X_b, h, the ReLU mask, dL/dh, p, row maxima, ones: B rows
      per-epoch bookkeeping       the one-hot labels Y and the logits Z (N x K), the softmax
                                  denominators S, the visit order's labels and row numbers,
                                  and the loss's gathers after the loop: N rows
    """
    buf = _Buffers.allocate(B, D, H, K)
    grads = ("dW1", "db1", "dW2", "db2")
    size = lambda name: getattr(buf, name).nbytes  # noqa: E731
    f, i = np.dtype(DTYPE).itemsize, np.dtype(label_dtype).itemsize
    return {
        "gradient buffers": sum(size(g) for g in grads),
        "minibatch and activations": sum(size(n) for n in buf.__dataclass_fields__ if n not in grads),
        # Y, Z: N x K; S, log S, z_true: N; y_seen: N labels; seen: N int64 row numbers
        "per-epoch bookkeeping": 2 * N * K * f + 3 * N * f + N * i + N * np.dtype(np.int64).itemsize,
    }


def train_epoch(model: NumpyMLP, X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int, lr: float) -> float:
    """One epoch of minibatch SGD over X[order]; returns the mean training loss.

    The same equations as forward/backward above, arranged so the loop spends its
    time in the two big matrix products (X W1 and X^T dL/dz1) rather than in
    allocation, copies and NumPy's per-call overhead:
      * every intermediate lives in a buffer allocated once and written with out=;
      * the minibatch is gathered straight into a reused buffer (np.take, out=),
        with the indices checked once per epoch instead of once per batch;
      * the labels are turned into the one-hot matrix Y once per epoch, so
        p - Y is one subtraction of a contiguous slice;
      * lr/B is folded into dL/dz2 once, so the products that follow yield the
        SGD steps lr*dL/dW directly and each update is a single in-place subtract;
      * the bias gradients are the products 1^T dL/dz, and the row reductions call
        the ufuncs directly (np.sum / np.max add a Python layer per call).
    The training loss is the mean over minibatches of the loss *before* each
    step, as PyTorch's examples report it. The loop keeps each batch's shifted
    logits and softmax denominators in per-epoch arrays; the loss is computed
    from them once, after the loop.
    """
    W1, b1, W2, b2 = model.W1, model.b1, model.W2, model.b2
    D, H = W1.shape
    K = W2.shape[1]
    N = len(order)
    if N and (order.min() < 0 or order.max() >= len(X)):
        raise IndexError(f"order must hold indices in [0, {len(X)})")
    # One row per example, in the order the epoch visits them:
    seen = np.arange(N)
    y_seen = y[order]  # (N,)
    Y = np.zeros((N, K), dtype=DTYPE)  # one-hot labels                   (N, K)
    Y[seen, y_seen] = 1
    Z = np.empty((N, K), dtype=DTYPE)  # logits minus their row maximum    (N, K)
    S = np.empty((N, 1), dtype=DTYPE)  # sum_j exp of those                (N, 1)
    full = _Buffers.allocate(batch_size, D, H, K)
    for start in range(0, N, batch_size):
        stop = min(start + batch_size, N)
        B = stop - start
        buf = full if B == batch_size else full.first(B)
        Xb, h, dh, p = buf.X, buf.h, buf.dh, buf.p
        z2, rowsum = Z[start:stop], S[start:stop]  # this batch's rows: (B, K), (B, 1)
        np.take(X, order[start:stop], axis=0, out=Xb, mode="clip")  # (B, D) minibatch; indices checked above

        # forward
        np.matmul(Xb, W1, out=h)  # z1 = X W1 ...
        h += b1  # ... + b1                                  (B, H)
        np.maximum(h, 0, out=h)  # h = relu(z1)                   (B, H)
        np.matmul(h, W2, out=z2)  # z2 = h W2 ...
        z2 += b2  # ... + b2                                 (B, K)
        np.maximum.reduce(z2, axis=1, keepdims=True, out=buf.rowmax)
        z2 -= buf.rowmax  # z2 - max_j z2_j: exp cannot overflow
        np.exp(z2, out=p)
        np.add.reduce(p, axis=1, keepdims=True, out=rowsum)
        p /= rowsum  # p = softmax(z2)                     (B, K)

        # backward, with the learning rate folded in
        p -= Y[start:stop]  # p - Y
        p *= lr / B  # lr dL/dz2                           (B, K)
        np.matmul(p, W2.T, out=dh)  # lr dL/dh = lr dL/dz2 W2^T  (before W2 moves)
        np.greater(h, 0, out=buf.mask)  # relu'(z1): h > 0 exactly where z1 > 0
        dh *= buf.mask  # lr dL/dz1                           (B, H)
        np.matmul(h.T, p, out=buf.dW2)  # lr dL/dW2                   (H, K)
        W2 -= buf.dW2
        b2 -= np.matmul(buf.ones, p, out=buf.db2)  # lr dL/db2 = 1^T lr dL/dz2   (K,)
        np.matmul(Xb.T, dh, out=buf.dW1)  # lr dL/dW1               (D, H)
        W1 -= buf.dW1
        b1 -= np.matmul(buf.ones, dh, out=buf.db1)  # lr dL/db1 = 1^T lr dL/dz1   (H,)

    # loss_i = log sum_j exp(z2_ij) - z2_{i,y_i} (on the shifted logits), averaged
    # over the epoch: the mean of the minibatch losses weighted by batch size.
    z_true = Z[seen, y_seen]  # (N,)
    return float((np.log(S).sum(dtype=np.float64) - z_true.sum(dtype=np.float64)) / N)
