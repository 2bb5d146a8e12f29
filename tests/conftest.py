"""Shared fixtures. The MNIST files must be in place (`make setup` or `make data`):
a test that needs them fails with the data module's own message otherwise."""

import numpy as np
import pytest

from mnistcompare.core import data, paths


@pytest.fixture(scope="session")
def mnist() -> data.MNIST:
    return data.load(paths.data_dir())


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
