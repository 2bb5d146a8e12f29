"""The decision boundary between two digits (3 and 8) on the first two principal
components: logistic regression, as the study draws it, and every network that joins
the boundaries experiment (core/networks.py), each also trained on all 784 pixels."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core.data import MNIST
from ..core.params import Params
from ..core.records import Run
from .pca import pca, pca_project
from .records import Boundaries, Classifier


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
) -> Boundaries:
    """Logistic regression (the study's) and the networks that join "boundaries", trained on the first two
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

    from ..core import networks, training

    task = binary_task(data, a, b)
    fit = pca(task["X_train"], 2)
    Z_train, Z_test = fit["scores"], pca_project(task["X_test"], fit)
    # Standardise the two scores: SGD at the study's learning rate needs unit-scale inputs.
    mu, sd = Z_train.mean(axis=0), Z_train.std(axis=0)
    S_train, S_test = ((Z_train - mu) / sd).astype(np.float32), ((Z_test - mu) / sd).astype(np.float32)
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
        subset=params.subset if params.subset is not None and params.subset < n_ab else None,
    )

    logreg = LogisticRegression(max_iter=1000).fit(S_train, task["y_train"])
    logreg_full = LogisticRegression(max_iter=200).fit(task["X_train"], task["y_train"])
    classifiers = {
        "logistic": Classifier(
            grid=logreg.predict(S_grid).astype(int).tolist(),
            accuracy_2d=float(logreg.score(S_test, task["y_test"])),
            accuracy_full=float(logreg_full.score(task["X_test"], task["y_test"])),
        )
    }
    two_d = MNIST(S_train, task["y_train"], S_test, task["y_test"], data.sha256)
    full = MNIST(task["X_train"], task["y_train"], task["X_test"], task["y_test"], data.sha256)
    models = networks.joining("boundaries")
    run_2d, predict_2d = training.fit(net_params, two_d, models, progress=progress, on_diverge=on_diverge)
    run_full = training.train(net_params, full, models, progress=progress, on_diverge=on_diverge)

    def final(run: Run, name: str) -> float | None:
        net = run.models[name]
        return None if net.diverged is not None else net.last.test_accuracy

    for name in models:
        classifiers[name] = Classifier(
            grid=predict_2d[name](S_grid).astype(int).tolist() if name in predict_2d else None,
            accuracy_2d=final(run_2d, name),
            accuracy_full=final(run_full, name),
        )
    diverged = tuple(
        dataclasses.replace(d, input=k)
        for k, run in (("2 components", run_2d), ("784 pixels", run_full))
        for d in run.diverged
    )
    return Boundaries(
        digits=(a, b),
        params=net_params,
        explained_variance_ratio=tuple(fit["explained_variance_ratio"].tolist()),
        grid_x=xs.tolist(),
        grid_y=ys.tolist(),
        classifiers=classifiers,
        test_points=Z_test.round(4).tolist(),
        test_labels=task["y_test"].tolist(),
        n_train=int(len(task["y_train"])),
        n_test=int(len(task["y_test"])),
        epochs=epochs,
        n_train_networks=int(net_params.subset or len(task["y_train"])),
        diverged=diverged,
    )
