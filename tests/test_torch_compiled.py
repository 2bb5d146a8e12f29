"""PyTorch through torch.compile: eager PyTorch's steps to float32 round-off, compiled once
before training, and a reason recorded where it cannot compile."""

import numpy as np
import pytest
import torch
from mnistcompare.core import torch_compiled, trainers
from mnistcompare.core.data import MNIST
from mnistcompare.core.params import Params
from torch._dynamo.utils import counters

RTOL = 1e-5  # measured here: ~3e-8 relative after three epochs over 610 images
N_ROWS, HIDDEN, BATCH = 610, 16, 50  # 12 full minibatches and a short one of 10
PARAMS = Params(hidden=HIDDEN, batch_size=BATCH, seed=1)
CLASSES = {"step": torch_compiled.TorchCompiledTrainer, "model": torch_compiled.TorchCompiledModelTrainer}


def test_without_a_cpp_compiler_it_says_why_and_refuses_to_start(mnist):
    from torch._inductor import config

    rows = MNIST(mnist.X_train[:N_ROWS], mnist.y_train[:N_ROWS], mnist.X_test[:10], mnist.y_test[:10], {})
    with config.patch({"cpp.cxx": (None, "/nonexistent/g++")}):  # what CXX=/nonexistent/g++ sets
        reason = torch_compiled.unavailable()
        assert reason is not None and "C++ compiler" in reason and "/nonexistent/g++" in reason
        for cls in CLASSES.values():
            with pytest.raises(torch_compiled.CompileUnavailable, match="C\\+\\+ compiler"):
                cls(PARAMS, rows, 1, 10)


def test_a_failed_trial_compile_is_the_reason(monkeypatch):
    from torch._inductor import cpp_builder

    def broken(*args, **kwargs):
        raise RuntimeError("no Python headers")

    monkeypatch.setattr(cpp_builder, "get_cpp_compiler", lambda: "g++")  # a compiler is found...
    monkeypatch.setattr(torch, "compile", broken)  # ...but compiling fails
    assert torch_compiled.unavailable() == "a trial torch.compile failed: RuntimeError: no Python headers"


@pytest.mark.slow  # compiling takes seconds each, tens of seconds with torch's caches cold
@pytest.mark.parametrize("target", torch_compiled.TARGETS)
def test_compiled_training_takes_eager_pytorchs_steps(mnist, target):
    if reason := torch_compiled.unavailable():
        pytest.skip(reason)
    rows = MNIST(mnist.X_train[:N_ROWS], mnist.y_train[:N_ROWS], mnist.X_test[:300], mnist.y_test[:300], {})
    start = trainers.draw_weights(784, HIDDEN, 10, "pytorch", 1)
    eager = trainers.TorchTrainer(PARAMS, rows, 1, 10, weights=start)
    compiled = CLASSES[target](PARAMS, rows, 1, 10, weights=start)
    assert isinstance(compiled, trainers.Trainer) and compiled.target == target and compiled.start == "copied"
    assert compiled.compile_seconds > 0
    # The warm-up compiled on the weights and put them back as they were given.
    assert all(np.array_equal(compiled.weights()[k], w) for k, w in start.items())
    graphs = counters["stats"]["unique_graphs"]
    rng = np.random.default_rng(0)
    for _ in range(2):
        order = rng.permutation(N_ROWS)
        assert compiled.train_epoch(order) == pytest.approx(eager.train_epoch(order), rel=RTOL)
    assert counters["stats"]["unique_graphs"] == graphs  # every graph was compiled before training
    for k, w in eager.weights().items():
        np.testing.assert_allclose(compiled.weights()[k], w, rtol=1e-4, atol=1e-6)
    before = compiled.weights()
    m = compiled.peak_memory(order)
    assert m["peak_memory_method"] == m["rss_method"] and m["peak_memory_bytes"] >= 0
    assert all(np.array_equal(compiled.weights()[k], w) for k, w in before.items())  # untrained by the probe
    (la, _, pa), (lb, _, pb) = eager.evaluate(), compiled.evaluate()
    assert lb == pytest.approx(la, rel=RTOL) and np.array_equal(pb, pa)


@pytest.mark.slow
def test_the_sweep_compiles_each_cell_afresh_so_that_dynamo_never_falls_back_to_eager():
    """Dynamo keeps compiled code per code object, guarded on the model the step closes
    over; past its recompile limit it runs the code eagerly (here: fails, as the test asks).
    Three cells with a limit of two: without a fresh start per cell the third would reach it."""
    if reason := torch_compiled.unavailable():
        pytest.skip(reason)
    import torch._dynamo.config as dynamo
    from mnistcompare.core.epoch_timing import time_steps

    rng = np.random.default_rng(0)
    X, y = rng.random((96, 784), dtype=np.float32), rng.integers(0, 10, 96).astype(np.int64)
    cells = [(b, HIDDEN, ("pytorch_compiled",)) for b in (8, 16, 32)]
    # torch's own patch: monkeypatch would delete the setting on undo, and torch then hides it
    with dynamo.patch(recompile_limit=2, fail_on_recompile_limit_hit=True):
        timed = time_steps(X, y, cells, steps=3, repeats=1, lr=0.1, pause_s=0)
    assert [c.batch_size for c in timed] == [8, 16, 32] and all(c.best("pytorch_compiled") > 0 for c in timed)


def test_only_the_two_unrelated_warnings_of_a_cpu_compile_are_dropped_and_only_while_it_compiles():
    """torch's warnings about optimizer.step()'s profiler mark and a CUDA_HOME without CUDA say
    nothing about the study and are dropped while this module compiles; any other message of
    those loggers passes, and after the compile torch's loggers are as they were."""
    import logging

    def passes(logger: str, msg: str, *args) -> bool:
        log = logging.getLogger(logger)
        record = log.makeRecord(logger, logging.WARNING, __file__, 0, msg, args, None)
        return bool(log.filter(record))

    profiler = ("torch._dynamo.variables.ctx_manager", "Profiler record function %s will be ignored", "f")
    cuda = ("torch.utils.cpp_extension", "No CUDA runtime is found, using CUDA_HOME='%s'", "/usr/local")
    with torch_compiled.quiet_compile():
        assert not passes(*profiler) and not passes(*cuda)
        assert passes("torch._dynamo.variables.ctx_manager", "Graph break: %s", "x")
        assert passes("torch.utils.cpp_extension", "Error building extension %s", "x")
    assert passes(*profiler) and passes(*cuda)
