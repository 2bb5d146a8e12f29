"""The hand-written gradients checked: against central differences (float64) and against
PyTorch's autograd (float32)."""

from __future__ import annotations

import numpy as np

from .records import Gradients


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a|, |b|): scale-free, 0 for identical arrays."""
    scale = max(np.abs(a).max(), np.abs(b).max())
    return float(np.abs(a - b).max() / scale) if scale > 0 else 0.0


def numerical_gradients(model, X: np.ndarray, y: np.ndarray, eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Central differences (L(w + eps) - L(w - eps)) / 2 eps for every weight of a NumpyMLP."""
    from ..core.numpy_mlp import cross_entropy

    out = {}
    for name, w in model.weights.items():
        numeric = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            old = w[i]
            w[i] = old + eps
            plus = cross_entropy(model.forward(X)[0], y)
            w[i] = old - eps
            minus = cross_entropy(model.forward(X)[0], y)
            w[i] = old
            numeric[i] = (plus - minus) / (2 * eps)
        out[name] = numeric
    return out


def gradient_check(X: np.ndarray, y: np.ndarray, hidden: int, seed: int, eps: float = 1e-6, n_fd: int = 8) -> Gradients:
    """Relative errors of the hand-written gradients, per parameter:
    - against central finite differences, in float64, on a small network
      (12 inputs, 6 hidden units, 10 classes, n_fd random examples) so that every
      weight can be perturbed;
    - against PyTorch autograd, in float32, on the real network and the batch X, y."""
    import torch

    from ..core.numpy_mlp import NumpyMLP, init_weights
    from ..core.torch_mlp import TorchMLP

    rng = np.random.default_rng(seed)
    # Finite differences: a small float64 network on random inputs (every weight is perturbed).
    small = NumpyMLP(init_weights(12, 6, 10, "pytorch", rng), dtype=np.float64)
    Xs, ys = rng.normal(size=(n_fd, 12)), rng.integers(0, 10, n_fd)
    _, grads = small.loss_and_grads(Xs, ys)
    numeric = numerical_gradients(small, Xs, ys, eps)
    fd = {name: relative_error(grads[name], numeric[name]) for name in grads}

    # Autograd: the real architecture on real images.
    weights = init_weights(X.shape[1], hidden, 10, "pytorch", rng)
    _, grads = NumpyMLP(weights).loss_and_grads(X, y)
    net = TorchMLP(X.shape[1], hidden, 10).load_numpy_weights(weights)
    torch.nn.NLLLoss()(net(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    auto = net.numpy_grads()
    return Gradients(
        finite_differences=fd,
        autograd={k: relative_error(grads[k], auto[k]) for k in grads},
        fd_network=(12, 6, 10),
        fd_batch=n_fd,
        autograd_batch=int(len(y)),
        eps=eps,
    )
