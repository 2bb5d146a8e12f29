"""The 3-versus-8 decision boundaries (study/boundaries.py)."""

import json

import numpy as np
import pytest
from mnistcompare.core import networks
from mnistcompare.core.records import to_json
from mnistcompare.study import boundaries


def test_boundary_grid_covers_the_ranges():
    xs, ys, pts = boundaries.boundary_grid((-1, 1), (0, 2), n=5)
    assert pts.shape == (25, 2)
    assert pts[:, 0].min() == -1 and pts[:, 0].max() == 1 and pts[:, 1].min() == 0 and pts[:, 1].max() == 2
    # row-major like the region image: the first n points share the first y
    assert np.all(pts[:5, 1] == 0) and np.array_equal(pts[:5, 0], xs)


@pytest.mark.slow
def test_decision_boundaries_of_3_vs_8(mnist):
    from mnistcompare.core.params import Params

    b = boundaries.decision_boundaries(mnist, Params(epochs=2, hidden=16), grid_n=20, epochs=2)
    assert set(b.classifiers) == {"logistic", *networks.joining("boundaries")}
    assert b.n_test == int(np.isin(mnist.y_test, (3, 8)).sum())
    assert b.n_train_networks == b.n_train == int(np.isin(mnist.y_train, (3, 8)).sum())
    for name, c in b.classifiers.items():
        grid = np.asarray(c.grid)
        assert grid.shape == (400,) and set(np.unique(grid)) == {0, 1}, name  # both classes appear
        assert 0.75 < c.accuracy_2d < c.accuracy_full, name  # all pixels beat two components
    json.dumps(to_json(b))  # plain data


def test_decision_boundaries_train_on_the_subset_and_keep_what_did_not_diverge(mnist):
    """The networks train on the subset; at a learning rate that diverges them on the two
    standardised components, the logistic regression and the networks on the pixels are
    kept, and only what diverged is missing (None), listed with its input."""
    from mnistcompare.core.params import Params

    b = boundaries.decision_boundaries(
        mnist, Params(epochs=1, hidden=8, subset=500, lr=1000.0), grid_n=5, epochs=1, on_diverge="stop"
    )
    assert b.n_train_networks == 500 and b.n_train > 500
    assert {(d.model, d.input) for d in b.diverged} >= {("numpy", "2 components"), ("pytorch", "2 components")}
    c = b.classifiers
    assert c["logistic"].grid is not None and 0.5 < c["logistic"].accuracy_2d < c["logistic"].accuracy_full
    for name in ("numpy", "pytorch"):
        diverged_on = {d.input for d in b.diverged if d.model == name}
        assert c[name].grid is None and c[name].accuracy_2d is None
        assert (c[name].accuracy_full is None) == ("784 pixels" in diverged_on)
    json.dumps(to_json(b))  # plain data, None included


def test_binary_task_relabels():
    from mnistcompare.core.data import MNIST

    y = np.array([3, 8, 1, 8, 3])
    X = np.arange(5, dtype=np.float32)[:, None]
    t = boundaries.binary_task(MNIST(X, y, X, y, {}))
    assert t["y_train"].tolist() == [0, 1, 1, 0] and t["X_train"][:, 0].tolist() == [0, 1, 3, 4]
