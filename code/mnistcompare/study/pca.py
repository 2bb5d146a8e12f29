"""Principal components of the images, as the study writes them (its equations 6 and 7),
and the classes' geometry on the plane of the first two.

Laid out by hand at 80 columns: the book lists `pca` (the formatter leaves this module
alone; tests/test_listings.py checks the listing's width).
"""

from __future__ import annotations

import numpy as np


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
        raise ValueError(f"n_components must be between 1 and {X.shape[1]}, "
                         f"got {n_components}")
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
    spread = {int(c): float(np.sqrt(((scores[labels == c] - centroids[int(c)]) ** 2).sum(axis=1).mean())) for c in classes}
    pairs = sorted(((float(np.linalg.norm(centroids[a] - centroids[b])), a, b)
                    for i, a in enumerate(centroids) for b in list(centroids)[i + 1:]))
    return {"centroids": {k: v.tolist() for k, v in centroids.items()}, "spread": spread,
            "pairs": [{"a": a, "b": b, "distance": d} for d, a, b in pairs]}
