"""What the runs add up to (study/spread.py): the seeds' spread, epochs to an accuracy,
the misclassified images."""

import numpy as np
import pytest
from mnistcompare.core.params import Params
from mnistcompare.core.records import DataInfo, Epoch, Mode, Network, Run
from mnistcompare.study import spread
from mnistcompare.study.records import Stat


def run_of(accuracy: float) -> Run:
    """A run whose NumPy network ends its only epoch at this accuracy (and 1 - accuracy loss)."""
    net = Network(history=(Epoch(1, 0.5, 1 - accuracy, accuracy, 1.0, 0.1, 1.0),), parameter_count=10)
    return Run(Params(), Mode(False, False), DataInfo(1, 1, {}), None, {"numpy": net})  # type: ignore[arg-type]


def test_epochs_to_reach():
    h = (
        Epoch(1, 1.0, 1.0, 0.9, 2.0, 0.1, 1.0),
        Epoch(2, 1.0, 1.0, 0.96, 3.0, 0.1, 1.0),
        Epoch(3, 1.0, 1.0, 0.95, 1.0, 0.1, 1.0),
    )
    assert spread.epochs_to_reach(h, 0.95) == (2, 5.0)
    assert spread.epochs_to_reach(h, 0.99) == (None, None)


def test_mean_sd_and_seed_spread():
    assert spread.mean_sd([1.0, 2.0, 3.0]) == Stat(mean=2.0, sd=1.0, n=3)
    assert spread.mean_sd([4.0]).sd == 0.0
    s = spread.seed_spread((run_of(0.9), run_of(0.8)))
    assert s["numpy"].test_accuracy.mean == pytest.approx(0.85)
    assert s["numpy"].test_loss.sd == pytest.approx(np.std([0.1, 0.2], ddof=1))


def test_misclassified_lists_the_first_errors_with_images():
    X = np.linspace(0, 1, 5 * 4, dtype=np.float32).reshape(5, 4)
    out = spread.misclassified(X, np.array([0, 1, 2, 3, 4]), [0, 2, 2, 0, 1], n=2)
    assert out.indices == [1, 3] and out.true == [1, 3] and out.pred == [2, 0] and out.n_wrong == 3
    assert np.array_equal(np.asarray(out.images), np.rint(X[[1, 3]] * 255).astype(int))
