"""Shared fixtures. The MNIST files must be in place (`make setup` or `make data`):
a test that needs them fails with the data module's own message otherwise."""

import numpy as np
import pytest

from bookrun import ROOT, environment
from mnistcompare.core import data, paths
from mnistcompare.core import params as P


@pytest.fixture(scope="session")
def mnist() -> data.MNIST:
    return data.load(paths.data_dir())


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def quick_cache(tmp_path_factory):
    """One study cache for the whole session: the quick study that one test computes,
    every other test of the book reads."""
    return tmp_path_factory.mktemp("study-cache")


def quick_environment(cache, **more):
    """The environment of a quick-mode render of this repository's book: params.yml and its
    quick section, nothing else overridden, the study cached in `cache`."""
    clean = {f"{P.ENV_PREFIX}{k.upper()}": None for k in P.KEYS}
    return environment(**{**clean, "MNISTCOMPARE_QUICK": "1", "MNISTCOMPARE_CACHE_DIR": str(cache),
                          "QUARTO_PROJECT_ROOT": str(ROOT), "MNISTCOMPARE_FIGURES": None, "QUARTO_PROFILE": None,
                          "MNISTCOMPARE_SCHEDULER": None, **more})


@pytest.fixture(scope="module")
def quick_study_env(quick_cache):
    with quick_environment(quick_cache):
        yield
