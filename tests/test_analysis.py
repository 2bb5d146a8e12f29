"""Analyses: PCA, boundaries, convergence, spread, metrics, the line counter."""

import json

import numpy as np
import pytest
from mnistcompare.study import analysis


def test_pca_matches_the_covariance_definition_and_orders_variance(rng):
    X = rng.normal(size=(500, 6)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.1])
    fit = analysis.pca(X, 3)
    assert fit["components"].shape == (3, 6) and fit["scores"].shape == (500, 3)
    ev = fit["explained_variance"]
    assert np.all(np.diff(ev) <= 0) and np.all(np.diff(fit["explained_variance_ratio"]) <= 0)
    cov = np.cov(X, rowvar=False, bias=True)  # equation (7): 1/n
    np.testing.assert_allclose(ev, np.sort(np.linalg.eigvalsh(cov))[::-1][:3], rtol=1e-10)
    np.testing.assert_allclose(fit["components"] @ fit["components"].T, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(fit["scores"].var(axis=0), ev, rtol=1e-10)  # scores carry the variances
    np.testing.assert_allclose(analysis.pca_project(X, fit), fit["scores"], atol=1e-10)


def test_pca_rejects_bad_component_counts(rng):
    with pytest.raises(ValueError, match="n_components must be between 1 and 4"):
        analysis.pca(rng.normal(size=(10, 4)), 5)


def test_pca_of_mnist_test_set(mnist):
    fit = analysis.pca(mnist.X_test, 2)
    assert fit["scores"].shape == (10_000, 2)
    assert 0.05 < fit["explained_variance_ratio"][1] < fit["explained_variance_ratio"][0] < 0.2


def test_boundary_grid_covers_the_ranges():
    xs, ys, pts = analysis.boundary_grid((-1, 1), (0, 2), n=5)
    assert pts.shape == (25, 2)
    assert pts[:, 0].min() == -1 and pts[:, 0].max() == 1 and pts[:, 1].min() == 0 and pts[:, 1].max() == 2
    # row-major like the region image: the first n points share the first y
    assert np.all(pts[:5, 1] == 0) and np.array_equal(pts[:5, 0], xs)


@pytest.mark.slow
def test_decision_boundaries_of_3_vs_8(mnist):
    from mnistcompare.core.params import Params

    b = analysis.decision_boundaries(mnist, Params(epochs=2, hidden=16), grid_n=20, epochs=2)
    assert set(b["classifiers"]) == {"logistic", "numpy", "pytorch"}
    assert b["n_test"] == int(np.isin(mnist.y_test, (3, 8)).sum())
    assert b["n_train_networks"] == b["n_train"] == int(np.isin(mnist.y_train, (3, 8)).sum())
    for name, c in b["classifiers"].items():
        grid = np.asarray(c["grid"])
        assert grid.shape == (400,) and set(np.unique(grid)) == {0, 1}, name  # both classes appear
        assert 0.75 < c["accuracy_2d"] < c["accuracy_full"], name  # all pixels beat two components
    json.dumps(b)  # plain data


def test_decision_boundaries_train_on_the_subset_and_keep_what_did_not_diverge(mnist):
    """The networks train on the subset; at a learning rate that diverges them on the two
    standardised components, the logistic regression and the networks on the pixels are
    kept, and only what diverged is missing (None), listed with its input."""
    from mnistcompare.core.params import Params

    b = analysis.decision_boundaries(
        mnist, Params(epochs=1, hidden=8, subset=500, lr=1000.0), grid_n=5, epochs=1, on_diverge="stop"
    )
    assert b["n_train_networks"] == 500 and b["n_train"] > 500
    assert {(d["model"], d["input"]) for d in b["diverged"]} >= {("numpy", "2 components"), ("pytorch", "2 components")}
    c = b["classifiers"]
    assert c["logistic"]["grid"] is not None and 0.5 < c["logistic"]["accuracy_2d"] < c["logistic"]["accuracy_full"]
    for name in ("numpy", "pytorch"):
        diverged_on = {d["input"] for d in b["diverged"] if d["model"] == name}
        assert c[name]["grid"] is None and c[name]["accuracy_2d"] is None
        assert (c[name]["accuracy_full"] is None) == ("784 pixels" in diverged_on)
    json.dumps(b)  # plain data, None included


def test_binary_task_relabels():
    from mnistcompare.core.data import MNIST

    y = np.array([3, 8, 1, 8, 3])
    X = np.arange(5, dtype=np.float32)[:, None]
    t = analysis.binary_task(MNIST(X, y, X, y, {}))
    assert t["y_train"].tolist() == [0, 1, 1, 0] and t["X_train"][:, 0].tolist() == [0, 1, 3, 4]


def test_epochs_to_reach():
    h = [
        {"epoch": 1, "test_accuracy": 0.9, "seconds": 2.0},
        {"epoch": 2, "test_accuracy": 0.96, "seconds": 3.0},
        {"epoch": 3, "test_accuracy": 0.95, "seconds": 1.0},
    ]
    assert analysis.epochs_to_reach(h, 0.95) == {"epoch": 2, "seconds": 5.0}
    assert analysis.epochs_to_reach(h, 0.99) == {"epoch": None, "seconds": None}


def test_mean_sd_and_seed_spread():
    assert analysis.mean_sd([1.0, 2.0, 3.0]) == {"mean": 2.0, "sd": 1.0, "n": 3}
    assert analysis.mean_sd([4.0])["sd"] == 0.0
    run = lambda acc: {"models": {"numpy": {"history": [{"test_accuracy": acc, "test_loss": 1 - acc, "seconds": 1.0}]}}}  # noqa: E731
    spread = analysis.seed_spread([run(0.9), run(0.8)])
    assert spread["numpy"]["test_accuracy"]["mean"] == pytest.approx(0.85)
    assert spread["numpy"]["test_loss"]["sd"] == pytest.approx(np.std([0.1, 0.2], ddof=1))


def test_relative_error_and_gradient_check(mnist):
    assert analysis.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert analysis.relative_error(np.array([1.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)
    g = analysis.gradient_check(mnist.X_train[:64], mnist.y_train[:64], hidden=16, seed=0)
    assert max(g["finite_differences"].values()) < 1e-6
    assert max(g["autograd"].values()) < 1e-4


def test_count_code_lines_on_a_known_snippet():
    snippet = '''"""Module docstring
spanning two lines."""

import numpy as np  # a comment


def f(x):
    """Docstring."""
    # a comment line
    y = (x +
         1)
    return y
'''
    # code: import, def, "y = (x +", "1)", return
    assert analysis.count_code_lines(snippet) == 5


def test_complexity_counts_the_package_source():
    cx = analysis.complexity()
    for name in ("numpy", "pytorch"):
        assert 0 < cx[name]["model and gradients"] + cx[name]["training loop"] <= cx[name]["module"]
    # writing the backward pass by hand is the difference
    assert cx["numpy"]["model and gradients"] > cx["pytorch"]["model and gradients"]
    # the readable network and the timed loop are modules of their own
    assert cx["numpy"]["file"] == "numpy_mlp.py" and cx["numpy_fast"]["file"] == "numpy_fast.py"
    assert 0 < cx["numpy_fast"]["optimised loop"] <= cx["numpy_fast"]["module"]


def test_class_geometry_orders_pairs_by_distance():
    scores = np.array([[0, 0], [0, 0.2], [1, 0], [1, 0.2], [5, 0], [5, 0.2]], dtype=float)
    geo = analysis.class_geometry(scores, np.array([0, 0, 1, 1, 2, 2]))
    assert (geo["pairs"][0]["a"], geo["pairs"][0]["b"]) == (0, 1)
    assert geo["spread"][0] == pytest.approx(0.1)


def test_misclassified_lists_the_first_errors_with_images():
    X = np.linspace(0, 1, 5 * 4, dtype=np.float32).reshape(5, 4)
    out = analysis.misclassified(X, np.array([0, 1, 2, 3, 4]), [0, 2, 2, 0, 1], n=2)
    assert out["indices"] == [1, 3] and out["true"] == [1, 3] and out["pred"] == [2, 0] and out["n_wrong"] == 3
    assert np.array_equal(np.asarray(out["images"]), np.rint(X[[1, 3]] * 255).astype(int))
