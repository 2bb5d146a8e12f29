"""The NumPy network's timed training loop: numpy_mlp's equations, arranged for speed.

`train_epoch` takes exactly the steps of numpy_mlp.train_epoch_reference (the tests
check it step by step), with every array allocated once per epoch instead of once per
operation (see its docstring). `epoch_memory` accounts for the bytes it allocates, by
purpose, for the book's memory section. The readable network is numpy_mlp; this module
is what its speed costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .numpy_mlp import DTYPE, NumpyMLP


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
    def allocate(cls, B: int, D: int, H: int, K: int) -> _Buffers:
        e = lambda *shape, dtype=DTYPE: np.empty(shape, dtype=dtype)  # noqa: E731
        return cls(e(B, D), e(B, H), e(B, H, dtype=bool), e(B, H), e(B, K), e(B, 1), np.ones(B, dtype=DTYPE),
                   e(D, H), e(H), e(H, K), e(K))

    def first(self, n: int) -> _Buffers:
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


def train_epoch(model: NumpyMLP, X: np.ndarray, y: np.ndarray,
                order: np.ndarray, batch_size: int, lr: float) -> float:
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
    Y = np.zeros((N, K), dtype=DTYPE)  # one-hot labels                  (N, K)
    Y[seen, y_seen] = 1
    Z = np.empty((N, K), dtype=DTYPE)  # logits minus their row maximum  (N, K)
    S = np.empty((N, 1), dtype=DTYPE)  # sum_j exp of those              (N, 1)
    full = _Buffers.allocate(batch_size, D, H, K)
    for start in range(0, N, batch_size):
        stop = min(start + batch_size, N)
        B = stop - start
        buf = full if B == batch_size else full.first(B)
        Xb, h, dh, p = buf.X, buf.h, buf.dh, buf.p
        # this batch's rows: (B, K), (B, 1)
        z2, rowsum = Z[start:stop], S[start:stop]
        # (B, D) minibatch; indices checked above
        np.take(X, order[start:stop], axis=0, out=Xb, mode="clip")

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
        # lr dL/dh = lr dL/dz2 W2^T (before W2 moves)
        np.matmul(p, W2.T, out=dh)
        np.greater(h, 0, out=buf.mask)  # relu'(z1): h > 0 exactly where z1 > 0
        dh *= buf.mask  # lr dL/dz1                           (B, H)
        np.matmul(h.T, p, out=buf.dW2)  # lr dL/dW2                   (H, K)
        W2 -= buf.dW2
        # lr dL/db2 = 1^T lr dL/dz2  (K,)
        b2 -= np.matmul(buf.ones, p, out=buf.db2)
        np.matmul(Xb.T, dh, out=buf.dW1)  # lr dL/dW1               (D, H)
        W1 -= buf.dW1
        # lr dL/db1 = 1^T lr dL/dz1  (H,)
        b1 -= np.matmul(buf.ones, dh, out=buf.db1)

    # loss_i = log sum_j exp(z2_ij) - z2_{i,y_i} (on the shifted logits),
    # averaged over the epoch: the mean of the minibatch losses weighted by
    # batch size.
    z_true = Z[seen, y_seen]  # (N,)
    total = np.log(S).sum(dtype=np.float64) - z_true.sum(dtype=np.float64)
    return float(total / N)
