"""The gradient check (study/gradients.py)."""

import numpy as np
import pytest
from mnistcompare.study import gradients


def test_relative_error_and_gradient_check(mnist):
    assert gradients.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert gradients.relative_error(np.array([1.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)
    g = gradients.gradient_check(mnist.X_train[:64], mnist.y_train[:64], hidden=16, seed=0)
    assert max(g.finite_differences.values()) < 1e-6
    assert max(g.autograd.values()) < 1e-4
