"""Shared fixtures. The MNIST files must be in place (`make setup` or `make data`):
a test that needs them fails with the data module's own message otherwise."""

import dataclasses
import fcntl
import os
from contextlib import contextmanager

import numpy as np
import pytest
from bookrun import ROOT, environment
from mnistcompare import study
from mnistcompare.core import data, paths
from mnistcompare.core import params as P
from mnistcompare.study import records


def pin_worker() -> None:
    """Each pytest-xdist worker on a core of its own, when there are cores enough (make test
    runs a worker per core). A study's "one thread per core" (measure.cores) is then one
    thread, so that two workers never oversubscribe the cores with BLAS, OpenMP and XLA
    threads that spin while they wait: on 2 cores, oversubscribed, a 7.8 s training test
    took 47 s."""
    worker, count = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if not worker or not count or not hasattr(os, "sched_setaffinity"):
        return
    allowed = sorted(os.sched_getaffinity(0))
    if int(count) <= len(allowed):
        os.sched_setaffinity(0, {allowed[int(worker.removeprefix("gw")) % len(allowed)]})


pin_worker()


@pytest.fixture(scope="session")
def mnist() -> data.MNIST:
    return data.load(paths.data_dir())


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def quick_cache(tmp_path_factory):
    """One study cache for the whole session, shared by the pytest-xdist workers: the
    quick study that one test computes, every other test of the book reads."""
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "study-cache"
    cache.mkdir(exist_ok=True)
    return cache


@contextmanager
def file_lock(path):
    """An exclusive lock on `path` across processes (the xdist workers)."""
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def bare_study(**values) -> records.Study:
    """A records.Study that holds only `values` (every other field None, no timings, no
    divergences): a stand-in where a test needs a few fields of a study, not a computed one."""
    empty = {f.name: None for f in dataclasses.fields(records.Study) if f.default is dataclasses.MISSING}
    return records.Study(**{**empty, "timings": {}, "diverged": (), **values})


def cached_study(loaded, cache) -> records.Study:
    """The study for these parameters, computed by the first worker that asks for it and
    read from `cache` by every other (MNISTCOMPARE_CACHE_DIR must name `cache`)."""
    key = study.cache_key(loaded.params, data.RAW_SHA256)
    with file_lock(cache / f"study-{key}.lock"):
        return study.load_or_compute(loaded, progress=False)


def quick_environment(cache, **more):
    """The environment of a quick-mode render of this repository's book: params.yml and its
    quick section, nothing else overridden, the study cached in `cache`."""
    clean = {f"{P.ENV_PREFIX}{k.upper()}": None for k in P.KEYS}
    return environment(
        **{
            **clean,
            "MNISTCOMPARE_QUICK": "1",
            "MNISTCOMPARE_CACHE_DIR": str(cache),
            "QUARTO_PROJECT_ROOT": str(ROOT),
            "MNISTCOMPARE_FIGURES": None,
            "QUARTO_PROFILE": None,
            "MNISTCOMPARE_SCHEDULER": None,
            **more,
        }
    )


@pytest.fixture(scope="module")
def quick_study_env(quick_cache):
    """The environment of a quick render, its study computed (once, for every worker)."""
    with quick_environment(quick_cache):
        cached_study(P.load(paths.params_file()), quick_cache)
        yield


# init: he, so that both other starts run (with the default, PyTorch's own start is the seeds'
# own and runs nothing; the quick study renders that case).
TINY = P.Params(epochs=1, subset=600, hidden=16, seeds=2, init="he")
# The tests that read the tiny study share one pytest-xdist worker where they can; the
# study is computed once for the session either way (a cache shared by the workers).
TINY_GROUP = pytest.mark.xdist_group("tiny study")


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory):
    """A whole study of tiny parameters (one epoch, 600 images, 16 hidden units, two seeds),
    computed once into its own cache, shared by the pytest-xdist workers, on two worker
    processes; the workers that come later read it: (the study, the cache folder, the
    parameters)."""
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "tiny-cache"
    cache.mkdir(exist_ok=True)
    loaded = P.LoadedParams(TINY, path=None, quick=True, overrides={})
    with (
        file_lock(cache / "tiny.lock"),
        environment(MNISTCOMPARE_CACHE_DIR=str(cache), MNISTCOMPARE_SCHEDULER=None),
    ):
        first = study.load_or_compute(loaded, progress=False, n_jobs=2)
    return first, cache, loaded


# The longest tests first, so that pytest-xdist (make test) starts them at once, one on each
# worker, while the other tests share the remaining time.
LONGEST_FIRST = (
    "test_the_real_book_renders_and_reads",  # make test's
    "test_the_real_book_passes_the_render_check",  # make test-all's too
    "test_check_fails_on_each_injected_defect",
)


def order(item) -> int:
    """The longest tests first; the tests that read the quick study last, so that they find
    it computed by the longest one (the render's) rather than wait for its lock; the rest
    between, in their order (a stable sort)."""
    if item.originalname in LONGEST_FIRST:
        return 0
    return 2 if {"quick_cache", "quick_study_env"} & set(getattr(item, "fixturenames", ())) else 1


def pytest_collection_modifyitems(items):
    items.sort(key=order)
