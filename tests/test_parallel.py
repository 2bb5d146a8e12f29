"""Experiments side by side: worker processes (joblib/loky) and a Dask cluster give
bit-identical results to running the same experiments one after another."""

import json

import pytest
from conftest import TINY_GROUP
from mnistcompare import study
from mnistcompare.core import data
from mnistcompare.core import params as P
from mnistcompare.core.records import Run
from mnistcompare.study import registry, runner

computed = runner.computed_values  # results without timings, memory and environment


@pytest.fixture(scope="module")
def small(mnist):
    """3,000 training and 2,000 test images: enough for every experiment, quick to ship to workers."""
    return data.MNIST(
        mnist.X_train[:3000], mnist.y_train[:3000], mnist.X_test[:2000], mnist.y_test[:2000], mnist.sha256
    )


@pytest.fixture(scope="module")
def tasks():
    # Every side-by-side experiment of the study: 2 seeds, the preset, the
    # initialisation runs (init: he, so that both run), the boundaries, the gradient check and PCA.
    return study.side_by_side_tasks(P.Params(epochs=2, subset=600, hidden=16, seeds=2, init="he"), threads=1)


@pytest.fixture(scope="module")
def sequential(tasks, small):
    return runner.run_tasks(tasks, small, n_jobs=1, threads=1)


def test_tasks_cover_every_side_by_side_experiment_longest_first(tasks):
    assert [t.name for t in tasks] == [
        "seed_0",
        "seed_1",
        "paper_like",
        "init_only_seed_0",
        "init_only_seed_1",
        "boundaries",
        "init_small_seed_0",
        "init_small_seed_1",
        "pytorch_idioms",
        "gradients",
        "pca",
    ]
    assert all(t.kwargs["params"].threads == 1 for t in tasks if "params" in t.kwargs)


def test_sequential_run_reports_each_task(sequential, tasks):
    results, seconds, how = sequential
    assert list(results) == list(seconds) == [t.name for t in tasks]
    assert all(s > 0 for s in seconds.values())
    assert how["backend"] == "sequential" and how["workers"] == 1 and how["threads_per_worker"] == 1
    assert results["seed_1"].params.seed == 1 and not results["seed_1"].mode.shared_init
    assert results["seed_0"].models["numpy"].peak_memory_bytes is None  # probes in the main run only


def test_worker_processes_give_bit_identical_results(sequential, tasks, small):
    results, seconds, how = runner.run_tasks(tasks, small, n_jobs=2, threads=1)
    assert how["backend"] == "loky" and how["workers"] == 2
    assert list(results) == [t.name for t in tasks]
    assert computed(results) == computed(sequential[0])
    runs = [r for r in results.values() if isinstance(r, Run)]
    trained = [t for t in tasks if t.name.startswith(("seed_", "paper_like", "init_"))]  # the seeds and the starts
    assert len(runs) == len(trained) and all(r.environment.threads == 1 for r in runs)
    # exact floats, not approximately equal ones
    a, b = results["seed_0"].models["pytorch"].history, sequential[0]["seed_0"].models["pytorch"].history
    assert [h.train_loss for h in a] == [h.train_loss for h in b]


@pytest.mark.full  # a LocalCluster starts in about 20 s on 2 cores: make test-all
def test_dask_cluster_gives_bit_identical_results(sequential, tasks, small):
    pytest.importorskip(
        "dask.distributed", reason="dask is optional: pip install -e '.[cluster]' to test the cluster path"
    )
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        results, seconds, how = runner.run_tasks(tasks, small, threads=1, scheduler=cluster.scheduler_address)
    assert how["backend"] == "dask" and how["workers"] == 2 and how["cluster"] is True
    assert "127.0.0.1" not in json.dumps(how)  # the scheduler's address stays out of the study
    assert computed(results) == computed(sequential[0])


def test_unique_task_names_and_a_clear_error_without_dask(small, monkeypatch):
    task = runner.Task("pca", registry.pca)
    with pytest.raises(ValueError, match="unique"):
        runner.run_tasks([task, task], small, n_jobs=1)
    assert runner.scheduler_from_env({"MNISTCOMPARE_SCHEDULER": " tcp://10.0.0.5:8786 "}) == "tcp://10.0.0.5:8786"
    assert runner.scheduler_from_env({"MNISTCOMPARE_SCHEDULER": ""}) is None
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(
        RuntimeError, match=r"MNISTCOMPARE_SCHEDULER=tcp://127.0.0.1:1 .*pip install -e '\.\[cluster\]'"
    ):
        runner.run_tasks([task], small, scheduler="tcp://127.0.0.1:1")


@pytest.mark.slow
@TINY_GROUP
def test_study_records_its_time_budget(tiny_study):
    S = tiny_study[0]  # computed on two worker processes
    t = S.timings
    alone = {"load_data", "main", "bench", "sweep", "other"}  # the benchmark and the sweep: alone after the main run
    assert set(t) == alone | {
        "seed_0",
        "seed_1",
        "paper_like",
        "init_only_seed_0",
        "init_only_seed_1",
        "boundaries",
        "init_small_seed_0",
        "init_small_seed_1",
        "pytorch_idioms",
        "gradients",
        "pca",
    }
    assert all(v >= 0 for v in t.values())
    par = S.parallel
    assert par.backend == "loky" and par.workers == 2 and par.threads_per_worker == 1
    assert par.experiments == tuple(k for k in t if k not in alone)
    assert t["main"] + t["bench"] + t["sweep"] + par.wall_seconds <= S.compute_seconds
    from mnistcompare.book.chapters.reproducibility import time_budget

    rows = time_budget(S)
    assert rows[-1]["what"] == "total (wall clock)"
    assert rows[-1]["seconds"] == S.compute_seconds + t["load_data"]
    assert len(rows) == len(t) + 1


def test_only_measured_values_are_left_out_of_the_comparison():
    run = {"history": [{"epoch": 1, "train_loss": 0.25, "seconds": 1.0}], "environment": {"threads": 1}}
    slower = {"history": [{"epoch": 1, "train_loss": 0.25, "seconds": 2.0}], "environment": {"threads": 2}}
    other_loss = {
        "history": [{"epoch": 1, "train_loss": 0.25 + 1e-16 * 4, "seconds": 1.0}],
        "environment": {"threads": 1},
    }
    assert computed(run) == computed(slower) == {"history": [{"epoch": 1, "train_loss": 0.25}]}
    assert computed(run) != computed(other_loss)


@pytest.mark.slow
@pytest.mark.full  # the benchmark script end to end: it computes the quick study twice
def test_study_time_benchmark_compares_and_checks_identity(capsys, monkeypatch):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "study_time.py"
    spec = importlib.util.spec_from_file_location("study_time", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # two workers, whatever this pytest-xdist worker's one core (conftest.pin_worker)
    assert module.main(["--quick", "--runs", "parallel,sequential-1", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "| parallel | loky, " in out and "| sequential-1 | sequential, " in out
    assert "parallel against the faster sequential run (sequential-1): " in out
    assert "results bit-identical (timings, memory, environment aside): yes" in out
    assert "| total (wall clock) |" in out
