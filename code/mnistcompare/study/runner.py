"""Run independent experiments side by side: local worker processes, or a Dask cluster.

An experiment is a `Task`: a name, a module-level function and its keyword
arguments. The function receives the data set as its first argument and returns
plain data; it draws everything random from the seeds in its arguments, so a task
gives the same result wherever it runs. `run_tasks` runs a list of them

  * one after another in this process (`n_jobs=1`),
  * in `n_jobs` worker processes through joblib's `loky` backend (the data set is
    memory-mapped once, not copied into each worker), or
  * on a Dask cluster through joblib's `dask` backend, when `scheduler` names the
    scheduler's address (the data set is scattered to every worker once).

Each task runs with `threads` BLAS and PyTorch threads (`measure.fixed_threads`)
whichever way it is run: the thread count changes the round-off, so the same
thread count makes the parallel results bit-identical to the sequential ones.
Dask is optional (`pip install -e '.[cluster]'`); joblib comes with scikit-learn.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import measure

SCHEDULER_ENV = "MNISTCOMPARE_SCHEDULER"


@dataclass(frozen=True)
class Task:
    """One independent experiment: `fn(data, **kwargs)`, reported under `name`."""

    name: str
    fn: Callable[..., Any]
    kwargs: dict = field(default_factory=dict)


def scheduler_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The Dask scheduler address in MNISTCOMPARE_SCHEDULER (e.g. tcp://10.0.0.5:8786), or None."""
    environ = os.environ if environ is None else environ
    return environ.get(SCHEDULER_ENV, "").strip() or None


# What a run measures rather than computes, so differs from one run to the next:
# timings, memory, and the environment (its list of loaded BLAS libraries depends
# on what the process imported before; scikit-learn brings its own OpenBLAS).
MEASURED_KEYS = frozenset(
    {
        "seconds",
        "eval_seconds",
        "samples_per_second",
        "seconds_per_epoch",
        "compile_seconds",
        "peak_memory_bytes",
        "rss_peak_growth_bytes",
        "environment",
    }
)


def computed_values(obj: Any) -> Any:
    """A result (a record, or its JSON) without its measured values (MEASURED_KEYS), for
    exact comparison of two runs of the same experiments."""
    from ..core.records import to_json

    obj = to_json(obj)
    if isinstance(obj, dict):
        return {k: computed_values(v) for k, v in obj.items() if k not in MEASURED_KEYS}
    if isinstance(obj, (list, tuple)):
        return [computed_values(v) for v in obj]
    if hasattr(obj, "tolist"):  # NumPy arrays and scalars
        return obj.tolist()
    return obj


def _run_one(task: Task, data: Any, threads: int | None) -> tuple[str, Any, float]:
    """Run one task with a fixed thread count; return (name, result, seconds)."""

    t0 = time.perf_counter()
    with measure.fixed_threads(threads):
        result = task.fn(data, **task.kwargs)
    return task.name, result, time.perf_counter() - t0


def run_tasks(
    tasks: list[Task],
    data: Any,
    *,
    n_jobs: int | None = None,
    threads: int | None = 1,
    scheduler: str | None = None,
    log: Callable[[str], None] | None = None,
    on_done: Callable[[str, Any, float], None] | None = None,
) -> tuple[dict, dict, dict]:
    """Run every task; return (results, seconds, how).

    results and seconds are keyed by task name, in the order of `tasks`; seconds is
    each task's own time where it ran. how describes the run: backend
    ("sequential", "loky" or "dask"), workers, threads per worker, whether a cluster
    ran them (never its address) and the wall-clock seconds of the whole batch. Tasks are handed out in list order,
    so put the longest first. n_jobs: worker processes (default: one per core; on
    a cluster, every worker thread). on_done(name, result, seconds) is called in this
    process as each task's result arrives (in the order they finish), e.g. to keep it
    on disk (checkpoints.py).
    """
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ValueError(f"task names must be unique, got {names}")
    log = log or (lambda msg: None)
    t0 = time.perf_counter()
    done: dict[str, tuple[Any, float]] = {}

    def finished(name: str, result: Any, seconds: float) -> None:
        done[name] = (result, seconds)
        log(f"{name}: {seconds:.1f} s")
        if on_done:
            on_done(name, result, seconds)

    if scheduler:
        how = _run_dask(tasks, data, n_jobs, threads, scheduler, log, finished)
    else:
        n_jobs = n_jobs or measure.cores()
        if n_jobs == 1 or len(tasks) <= 1:
            how = {"backend": "sequential", "workers": 1}
            for task in tasks:
                finished(*_run_one(task, data, threads))
        else:
            how = _run_loky(tasks, data, n_jobs, threads, log, finished)
    # Whether a cluster ran them, never its address: the study is plain data that a render
    # prints from, and the address of a fork's scheduler is its own (a secret in CI).
    how.update({"threads_per_worker": threads, "cluster": bool(scheduler), "wall_seconds": time.perf_counter() - t0})
    return {n: done[n][0] for n in names}, {n: done[n][1] for n in names}, how


def _ignore_interrupts() -> None:
    """A worker's initializer: Ctrl-C reaches every process of the terminal's group, but
    only the parent acts on it (it stops the workers itself), so no worker dies mid-task
    with a traceback and leaves its resources to the resource tracker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_loky(tasks, data, n_jobs, threads, log, finished) -> dict:
    from joblib import Parallel, delayed

    n_jobs = min(n_jobs, len(tasks))
    # mmap_mode="c": arrays above 1 MB reach the workers as copy-on-write memory
    # maps of one shared file (writable, as torch.from_numpy wants; nothing writes).
    parallel = Parallel(
        n_jobs=n_jobs,
        backend="loky",
        batch_size=1,
        mmap_mode="c",
        return_as="generator_unordered",
        initializer=_ignore_interrupts,
    )
    log(f"{len(tasks)} experiments on {n_jobs} worker processes, {threads or 'all'} thread(s) each")
    results = parallel(delayed(_run_one)(task, data, threads) for task in tasks)
    try:
        for name, result, seconds in results:
            finished(name, result, seconds)
    except KeyboardInterrupt:
        # Closing the generator aborts the batch: joblib stops the workers, then removes
        # the memory-mapped copy of the data, so nothing is left behind for the
        # resource tracker to warn about.
        results.close()
        raise
    return {"backend": "loky", "workers": n_jobs}


def _run_dask(tasks, data, n_jobs, threads, scheduler, log, finished) -> dict:
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError(
            f"{SCHEDULER_ENV}={scheduler} asks for a Dask cluster, but dask.distributed is not "
            "installed: pip install -e '.[cluster]' (or unset the variable to run locally)"
        ) from None
    from joblib import Parallel, delayed, parallel_config

    with Client(scheduler, set_as_default=False) as client:
        workers = sum(client.nthreads().values())
        log(
            f"{len(tasks)} experiments on the Dask cluster named by {SCHEDULER_ENV} ({workers} worker threads), "
            f"{threads or 'all'} thread(s) each"
        )
        # scatter: the data set goes to every worker once, not once per task.
        with parallel_config(backend="dask", client=client, scatter=[data]):
            parallel = Parallel(n_jobs=n_jobs or -1, batch_size=1, return_as="generator_unordered")
            for name, result, seconds in parallel(delayed(_run_one)(task, data, threads) for task in tasks):
                finished(name, result, seconds)
    return {"backend": "dask", "workers": workers}
