"""Analyses the book reports: PCA, decision boundaries (3 vs 8), convergence,
multi-seed spread, gradient checks, and the size of each implementation.

Plain arrays and dicts in and out; nothing here plots (see plots.py).
"""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize
from pathlib import Path

import numpy as np

from ..core.data import MNIST
from ..core.params import Params

# --- PCA, equations (6) and (7) of the study ------------------------------------------


def pca(X: np.ndarray, n_components: int = 2) -> dict:
    """Principal components from the covariance matrix, as the study writes it.

    x_bar = (1/n) sum_i x_i                                        (6)
    Sigma = (1/n) sum_i (x_i - x_bar)(x_i - x_bar)^T                (7)
    The components are Sigma's eigenvectors by decreasing eigenvalue; the scores
    are (x - x_bar) projected onto them. Signs are fixed so that each component's
    largest-magnitude loading is positive (eigenvectors are only defined up to sign).
    """
    X = np.asarray(X, dtype=np.float64)
    if not 1 <= n_components <= X.shape[1]:
        raise ValueError(
            f"n_components must be between 1 and {X.shape[1]}, "
            f"got {n_components}"
        )
    mean = X.mean(axis=0)
    centred = X - mean
    cov = centred.T @ centred / len(X)
    eigvals, eigvecs = np.linalg.eigh(cov)  # ascending
    eigvals, eigvecs = eigvals[::-1].clip(min=0), eigvecs[:, ::-1]
    components = eigvecs[:, :n_components].T  # (k, D)
    largest = np.abs(components).argmax(axis=1)  # index of the largest loading
    signs = np.sign(components[np.arange(n_components), largest])
    components *= signs[:, None]
    return {
        "mean": mean,
        "components": components,
        "explained_variance": eigvals[:n_components],
        "explained_variance_ratio": eigvals[:n_components] / eigvals.sum(),
        "scores": centred @ components.T,
    }


def pca_project(X: np.ndarray, fit: dict) -> np.ndarray:
    return (np.asarray(X, dtype=np.float64) - fit["mean"]) @ fit["components"].T


def class_geometry(scores: np.ndarray, labels: np.ndarray) -> dict:
    """Per class on the PCA plane: centroid and spread (RMS distance to the centroid),
    plus every pair of classes ordered by the distance between their centroids."""
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    classes = np.unique(labels)
    centroids = {int(c): scores[labels == c].mean(axis=0) for c in classes}
    spread = {
        int(c): float(
            np.sqrt(
                ((scores[labels == c] - centroids[int(c)]) ** 2)
                .sum(axis=1)
                .mean()
            )
        )
        for c in classes
    }
    pairs = sorted(
        (
            (float(np.linalg.norm(centroids[a] - centroids[b])), a, b)
            for i, a in enumerate(centroids)
            for b in list(centroids)[i + 1 :]
        )
    )
    return {
        "centroids": {k: v.tolist() for k, v in centroids.items()},
        "spread": spread,
        "pairs": [{"a": a, "b": b, "distance": d} for d, a, b in pairs],
    }


# --- decision boundary between two digits ---------------------------------------------


def boundary_grid(
    x_range: tuple[float, float], y_range: tuple[float, float], n: int = 150
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n x n grid covering the ranges; returns (xs, ys, points of shape (n*n, 2))."""
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def binary_task(data: MNIST, a: int = 3, b: int = 8) -> dict:
    """The images of digits a and b, relabelled 0 (a) and 1 (b)."""
    tr = np.isin(data.y_train, (a, b))
    te = np.isin(data.y_test, (a, b))
    return {
        "X_train": data.X_train[tr],
        "y_train": (data.y_train[tr] == b).astype(np.int64),
        "X_test": data.X_test[te],
        "y_test": (data.y_test[te] == b).astype(np.int64),
    }


def decision_boundaries(
    data: MNIST,
    params: Params,
    a: int = 3,
    b: int = 8,
    grid_n: int = 150,
    epochs: int = 10,
    progress: bool = False,
    on_diverge: str = "raise",
) -> dict:
    """Logistic regression (the study's) and both networks, trained on the first two
    principal components of the a/b training images, plus each trained on all 784
    pixels for contrast. The networks use params.hidden, lr and batch size,
    `epochs` passes, and their own initial weights and order (parity off); with
    params.subset they train on at most that many a/b images, as the main run does.

    With on_diverge="stop", a network whose loss leaves the finite numbers stops
    (training.fit) and the result keeps everything else: the logistic regression,
    and each network's results for the input on which it did train. A diverged
    network has None for what it could not compute (its region grid and its accuracy
    on that input) and is listed under `diverged`, with its input."""
    from sklearn.linear_model import LogisticRegression

    from ..core import training

    task = binary_task(data, a, b)
    fit = pca(task["X_train"], 2)
    Z_train, Z_test = fit["scores"], pca_project(task["X_test"], fit)
    # Standardise the two scores: SGD at the study's learning rate needs unit-scale inputs.
    mu, sd = Z_train.mean(axis=0), Z_train.std(axis=0)
    S_train, S_test = (
        ((Z_train - mu) / sd).astype(np.float32),
        ((Z_test - mu) / sd).astype(np.float32),
    )
    pad = 0.05 * (Z_test.max(axis=0) - Z_test.min(axis=0))
    xs, ys, grid = boundary_grid(
        (Z_test[:, 0].min() - pad[0], Z_test[:, 0].max() + pad[0]),
        (Z_test[:, 1].min() - pad[1], Z_test[:, 1].max() + pad[1]),
        grid_n,
    )
    S_grid = ((grid - mu) / sd).astype(np.float32)

    n_ab = len(task["y_train"])
    net_params = params.replace(
        epochs=epochs,
        parity=False,
        subset=params.subset
        if params.subset is not None and params.subset < n_ab
        else None,
    )

    logreg = LogisticRegression(max_iter=1000).fit(S_train, task["y_train"])
    logreg_full = LogisticRegression(max_iter=200).fit(
        task["X_train"], task["y_train"]
    )
    classifiers = {
        "logistic": {
            "grid": logreg.predict(S_grid).astype(int).tolist(),
            "accuracy_2d": float(logreg.score(S_test, task["y_test"])),
            "accuracy_full": float(
                logreg_full.score(task["X_test"], task["y_test"])
            ),
        }
    }
    two_d = MNIST(S_train, task["y_train"], S_test, task["y_test"], data.sha256)
    full = MNIST(
        task["X_train"],
        task["y_train"],
        task["X_test"],
        task["y_test"],
        data.sha256,
    )
    res_2d, predict_2d = training.fit(
        net_params, two_d, progress=progress, on_diverge=on_diverge
    )
    res_full = training.train(
        net_params, full, progress=progress, on_diverge=on_diverge
    )
    def final(res: dict, name: str) -> float | None:
        record = res["models"][name]
        return None if "diverged" in record else record["history"][-1]["test_accuracy"]

    for name in training.MODELS:
        classifiers[name] = {
            "grid": predict_2d[name](S_grid).astype(int).tolist()
            if name in predict_2d
            else None,
            "accuracy_2d": final(res_2d, name),
            "accuracy_full": final(res_full, name),
        }
    diverged = [
        {**d, "input": k}
        for k, res in (("2 components", res_2d), ("784 pixels", res_full))
        for d in res.get("diverged", [])
    ]
    return {
        "digits": [a, b],
        "params": net_params.to_dict(),
        "explained_variance_ratio": fit["explained_variance_ratio"].tolist(),
        "grid_x": xs.tolist(),
        "grid_y": ys.tolist(),
        "classifiers": classifiers,
        "test_points": Z_test.round(4).tolist(),
        "test_labels": task["y_test"].tolist(),
        "n_train": int(len(task["y_train"])),
        "n_test": int(len(task["y_test"])),
        "epochs": epochs,
        "n_train_networks": int(net_params.subset or len(task["y_train"])),
        **({"diverged": diverged} if diverged else {}),
    }


def misclassified(
    X: np.ndarray, y: np.ndarray, predictions, n: int = 36
) -> dict:
    """The first n misclassified examples: indices, labels, predictions, and the
    images as 0-255 integers (compact enough for the JSON cache)."""
    pred = np.asarray(predictions)
    wrong = np.flatnonzero(pred != y)
    first = wrong[:n]
    return {
        "indices": first.tolist(),
        "true": y[first].tolist(),
        "pred": pred[first].tolist(),
        "images": np.rint(X[first] * 255).astype(int).tolist(),
        "n_wrong": int(len(wrong)),
    }


# --- convergence and spread -----------------------------------------------------------


def epochs_to_reach(history: list[dict], threshold: float) -> dict:
    """First epoch whose test accuracy is >= threshold, and the training seconds
    spent up to and including it; None for both if never reached."""
    seconds = 0.0
    for row in history:
        seconds += row["seconds"]
        if row["test_accuracy"] >= threshold:
            return {"epoch": row["epoch"], "seconds": seconds}
    return {"epoch": None, "seconds": None}


def mean_sd(values: list[float]) -> dict:
    """Mean and sample standard deviation (ddof=1; 0 for a single value)."""
    v = np.asarray(values, dtype=float)
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
        "n": int(len(v)),
    }


def seed_spread(runs: list[dict]) -> dict:
    """Across runs (one per seed): final accuracy, final test loss and median epoch
    time, each as mean and sd, per model."""
    out = {}
    for name in runs[0]["models"]:
        hist = [r["models"][name]["history"] for r in runs]
        out[name] = {
            "test_accuracy": mean_sd([h[-1]["test_accuracy"] for h in hist]),
            "test_loss": mean_sd([h[-1]["test_loss"] for h in hist]),
            "seconds_per_epoch": mean_sd(
                [float(np.median([row["seconds"] for row in h])) for h in hist]
            ),
        }
    return out


# --- gradient check ---------------------------------------------------------------------


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a|, |b|): scale-free, 0 for identical arrays."""
    scale = max(np.abs(a).max(), np.abs(b).max())
    return float(np.abs(a - b).max() / scale) if scale > 0 else 0.0


def numerical_gradients(
    model, X: np.ndarray, y: np.ndarray, eps: float = 1e-6
) -> dict[str, np.ndarray]:
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


def gradient_check(
    X: np.ndarray,
    y: np.ndarray,
    hidden: int,
    seed: int,
    eps: float = 1e-6,
    n_fd: int = 8,
) -> dict:
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
    return {
        "finite_differences": fd,
        "autograd": {k: relative_error(grads[k], auto[k]) for k in grads},
        "fd_network": [12, 6, 10],
        "fd_batch": n_fd,
        "autograd_batch": int(len(y)),
        "eps": eps,
    }


# --- implementation complexity ----------------------------------------------------------


def count_code_lines(source: str) -> int:
    """Lines that hold code: not blank, not only a comment, not part of a docstring."""
    tree = ast.parse(source)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(
                node,
                (
                    ast.Module,
                    ast.ClassDef,
                    ast.FunctionDef,
                    ast.AsyncFunctionDef,
                ),
            )
            and node.body
        ):
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                doc_lines.update(range(first.lineno, first.end_lineno + 1))
    code_lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
            tokenize.ENCODING,
        ):
            continue
        code_lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(code_lines - doc_lines)


def definition_source(source: str, names: list[str]) -> str:
    """The source text of the named top-level functions/classes (Class.method allowed)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    chunks = []
    for name in names:
        owner, _, member = name.partition(".")
        node = next(
            (n for n in tree.body if getattr(n, "name", None) == owner), None
        )
        if node is not None and member:
            node = next(
                (n for n in node.body if getattr(n, "name", None) == member),
                None,
            )
        if node is None:
            raise KeyError(f"{name} not found")
        start = min(
            [node.lineno]
            + [d.lineno for d in getattr(node, "decorator_list", [])]
        )
        chunks.append("\n".join(lines[start - 1 : node.end_lineno]))
    return "\n\n".join(textwrap.dedent(c) for c in chunks)


# What each implementation needs for the model and one training step: the math
# (forward, gradients, update) and the per-epoch loop. Measured from this package's source.
# Like for like: the model with its gradients and the readable loop on each side.
# NumPy's initialisation (three schemes; PyTorch's lives inside nn.Linear) is counted apart,
# and so is its buffer-optimised loop, a module of its own: what its speed costs.
COMPLEXITY_PARTS = {
    "numpy": {
        "file": "numpy_mlp.py",
        "model and gradients": [
            "log_softmax",
            "cross_entropy",
            "NumpyMLP.forward",
            "NumpyMLP.backward",
            "NumpyMLP.loss_and_grads",
            "NumpyMLP.sgd_step",
        ],
        "training loop": ["train_epoch_reference"],
        "initialisation": ["init_weights"],
    },
    "numpy_fast": {
        "file": "numpy_fast.py",
        "optimised loop": ["_Buffers", "train_epoch"],
    },
    "pytorch": {
        "file": "torch_mlp.py",
        "model and gradients": ["TorchMLP.__init__", "TorchMLP.forward"],
        "training loop": ["train_epoch"],
    },
}


def complexity(package_dir: str | Path | None = None) -> dict:
    """Lines of code of each implementation (the modules in core/, or package_dir): the
    whole module, and its parts."""
    package_dir = Path(
        package_dir or Path(__file__).resolve().parents[1] / "core"
    )
    out = {}
    for name, spec in COMPLEXITY_PARTS.items():
        source = (package_dir / spec["file"]).read_text()
        out[name] = {"file": spec["file"], "module": count_code_lines(source)}
        for part, names in spec.items():
            if part != "file":
                out[name][part] = count_code_lines(
                    definition_source(source, names)
                )
    return out
