"""What the runs add up to: each network's spread over the independent seeds, when each
reaches an accuracy, and the main run's misclassified test images."""

from __future__ import annotations

import numpy as np

from ..core.records import Epoch, Run
from .records import Misclassified, Spread, Stat


def misclassified(X: np.ndarray, y: np.ndarray, predictions, n: int = 36) -> Misclassified:
    """The first n misclassified examples: indices, labels, predictions, and the
    images as 0-255 integers (compact enough for the JSON cache)."""
    pred = np.asarray(predictions)
    wrong = np.flatnonzero(pred != y)
    first = wrong[:n]
    return Misclassified(
        indices=first.tolist(),
        true=y[first].tolist(),
        pred=pred[first].tolist(),
        images=np.rint(X[first] * 255).astype(int).tolist(),
        n_wrong=int(len(wrong)),
    )


def epochs_to_reach(history: tuple[Epoch, ...], threshold: float) -> tuple[int | None, float | None]:
    """(epoch, seconds): the first epoch whose test accuracy is >= threshold, and the
    training seconds spent up to and including it; (None, None) if never reached."""
    seconds = 0.0
    for e in history:
        seconds += e.seconds
        if e.test_accuracy >= threshold:
            return e.epoch, seconds
    return None, None


def mean_sd(values: list[float]) -> Stat:
    """Mean and sample standard deviation (ddof=1; 0 for a single value)."""
    v = np.asarray(values, dtype=float)
    return Stat(mean=float(v.mean()), sd=float(v.std(ddof=1)) if len(v) > 1 else 0.0, n=int(len(v)))


def seed_spread(runs: tuple[Run, ...]) -> dict[str, Spread]:
    """Across runs (one per seed): final accuracy, final test loss and median epoch
    time, each as mean and sd, per network."""
    return {
        name: Spread(
            test_accuracy=mean_sd([r.models[name].last.test_accuracy for r in runs]),
            test_loss=mean_sd([r.models[name].last.test_loss for r in runs]),
            seconds_per_epoch=mean_sd([r.models[name].median("seconds") for r in runs]),
        )
        for name in runs[0].models
    }
