"""Principal components (study/pca.py): the covariance definition, and the classes' geometry."""

import numpy as np
import pytest
from mnistcompare.study import pca


def test_pca_matches_the_covariance_definition_and_orders_variance(rng):
    X = rng.normal(size=(500, 6)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.1])
    fit = pca.pca(X, 3)
    assert fit["components"].shape == (3, 6) and fit["scores"].shape == (500, 3)
    ev = fit["explained_variance"]
    assert np.all(np.diff(ev) <= 0) and np.all(np.diff(fit["explained_variance_ratio"]) <= 0)
    cov = np.cov(X, rowvar=False, bias=True)  # equation (7): 1/n
    np.testing.assert_allclose(ev, np.sort(np.linalg.eigvalsh(cov))[::-1][:3], rtol=1e-10)
    np.testing.assert_allclose(fit["components"] @ fit["components"].T, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(fit["scores"].var(axis=0), ev, rtol=1e-10)  # scores carry the variances
    np.testing.assert_allclose(pca.pca_project(X, fit), fit["scores"], atol=1e-10)


def test_pca_rejects_bad_component_counts(rng):
    with pytest.raises(ValueError, match="n_components must be between 1 and 4"):
        pca.pca(rng.normal(size=(10, 4)), 5)


def test_pca_of_mnist_test_set(mnist):
    fit = pca.pca(mnist.X_test, 2)
    assert fit["scores"].shape == (10_000, 2)
    assert 0.05 < fit["explained_variance_ratio"][1] < fit["explained_variance_ratio"][0] < 0.2


def test_class_geometry_orders_pairs_by_distance():
    scores = np.array([[0, 0], [0, 0.2], [1, 0], [1, 0.2], [5, 0], [5, 0.2]], dtype=float)
    geo = pca.class_geometry(scores, np.array([0, 0, 1, 1, 2, 2]))
    assert (geo["pairs"][0]["a"], geo["pairs"][0]["b"]) == (0, 1)
    assert geo["spread"][0] == pytest.approx(0.1)
