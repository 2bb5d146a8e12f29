"""The PyTorch network (torch_mlp) through torch.compile, behind trainers.Trainer's interface.

Two trainers, one per thing compiled (TARGETS):

    "step"   `TorchCompiledTrainer`: the whole training step, the minibatch's gather,
             forward, loss, backward and optimizer.step(), one torch.compile'd function.
             Dynamo breaks the graph at loss.backward(): the forward and the loss are one
             graph, whose backward AOTAutograd compiles with it, and optimizer.step()
             another.
    "model"  `TorchCompiledModelTrainer`, the ablation: torch.compile(model) trained by
             the eager loop, torch_mlp.train_epoch, the study's own.

A symbolic batch size (dynamic=True): one program serves every minibatch size, the
epoch's short last one and each batch size of the study's sweep, where static shapes
would compile each anew (measured on 2 cores: 6-8 s apiece after a first of about
20 s). The constructor compiles before any timed epoch, by a warm-up over one full
minibatch and the short one, after which the weights are put back; `compile_seconds`
is how long it took. Inductor keeps what it compiled in an on-disk cache (torch's
own, on by default), so a process that finds it warm compiles in seconds what a cold
one takes tens of seconds for.

Dynamo keeps compiled code per code object, guarded on the model the step closes over,
and past `recompile_limit` entries (8) it silently runs the code eagerly: a process that
builds many trainers (the sweep, one per batch size) clears Dynamo's caches between them
(epoch_timing.time_steps), which Inductor's own cache then refills in a second or two.

Inductor compiles C++ for the CPU: `unavailable()` says why torch.compile cannot run
here (no C++ compiler, an unsupported Python, a failed trial compile), or None when
it can. The trainers refuse to start without it (CompileUnavailable, with that reason).
Evaluation and predict run the eager model: only training is compiled.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

import numpy as np
import torch
from torch import nn

from . import measure, torch_mlp, trainers
from .data import MNIST
from .params import Params

TARGETS = ("step", "model")


class _Unrelated(logging.Filter):
    """Drops two warnings that torch prints on the first compile of a CPU training step and
    that concern nothing this study does: optimizer.step()'s profiler mark, which Dynamo
    does not trace, and a CUDA_HOME found on a machine without CUDA (Inductor compiles for
    the CPU). Every other message passes."""

    LOGGERS = ("torch._dynamo.variables.ctx_manager", "torch.utils.cpp_extension")
    MESSAGES = ("Profiler record function", "No CUDA runtime is found")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.MESSAGES)


@contextmanager
def quiet_compile() -> Iterator[None]:
    """Within the block (this module's compiles), torch's two unrelated warnings are dropped;
    torch's loggers are as they were after it."""
    loggers, unrelated = [logging.getLogger(name) for name in _Unrelated.LOGGERS], _Unrelated()
    for log in loggers:
        log.addFilter(unrelated)
    try:
        yield
    finally:
        for log in loggers:
            log.removeFilter(unrelated)


class CompileUnavailable(RuntimeError):
    """torch.compile cannot run on this machine; the message says why."""


def _trial(x: torch.Tensor) -> torch.Tensor:
    return torch.relu(x) + 1


def unavailable() -> str | None:
    """None when torch.compile works here; otherwise why it does not, in one sentence."""
    import torch._dynamo
    from torch._inductor import cpp_builder, exc

    if not torch._dynamo.is_dynamo_supported():
        return f"torch.compile does not support Python {platform.python_version()}"
    try:
        cpp_builder.get_cpp_compiler()  # the search Inductor itself makes (CXX, else g++)
    except exc.InvalidCxxCompiler as e:
        return f"Inductor needs a C++ compiler: {e}"
    try:
        with quiet_compile():
            torch.compile(_trial, dynamic=False)(torch.ones(2))
    except Exception as e:  # whatever stops it is the reason to record
        return f"a trial torch.compile failed: {type(e).__name__}: {e}"
    return None


def compile_step(
    model: nn.Module, optimizer: torch.optim.Optimizer
) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    """The eager loop's step (torch_mlp.train_epoch) as one compiled function:
    step(X, y, idx) trains on the rows idx of (X, y) and returns their loss."""
    loss_fn = nn.NLLLoss()

    def step(X: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad()
        loss = loss_fn(model(X.index_select(0, idx)), y.index_select(0, idx))
        loss.backward()
        optimizer.step()
        return loss.detach()

    return torch.compile(step, dynamic=True)


def train_epoch(step: Callable, X: torch.Tensor, y: torch.Tensor, order: torch.Tensor, batch_size: int) -> float:
    """One epoch of compiled steps over X[order]; the mean training loss, weighted as
    torch_mlp.train_epoch weighs it (each minibatch's mean loss by its size)."""
    losses = [step(X, y, order[start : start + batch_size]) for start in range(0, len(order), batch_size)]
    sizes = torch.full((len(losses),), float(batch_size), dtype=torch.float64, device=X.device)
    sizes[-1] = len(order) - batch_size * (len(losses) - 1)
    return float(torch.stack(losses).double() @ sizes) / len(order)


class TorchCompiledTrainer(trainers.TorchTrainer):
    """TorchTrainer with its training step compiled whole (target "step").

    Besides trainers.Trainer's interface: `target` (TARGETS) and `compile_seconds`,
    the warm-up that compiled every graph an epoch runs."""

    _TARGET = "step"

    @staticmethod
    def unavailable() -> str | None:
        """Why it cannot run here (epoch_timing.unavailable asks): the module's unavailable()."""
        return unavailable()

    def __init__(
        self,
        params: Params,
        data: MNIST,
        seed: int,
        n_classes: int,
        weights: dict[str, np.ndarray] | None = None,
        init: str | None = None,
    ):
        reason = unavailable()
        if reason is not None:
            raise CompileUnavailable(reason)
        super().__init__(params, data, seed, n_classes, weights, init)
        self.target = self._TARGET
        if self.target == "step":
            self.step = compile_step(self.model, self.optimizer)
        else:
            # An OptimizedModule: it wraps the TorchMLP and hands on its attributes.
            self.compiled_model = cast(torch_mlp.TorchMLP, torch.compile(self.model, dynamic=True))
        # Every shape an epoch meets: one full minibatch and, if the epoch has one, the short last.
        B, n = params.batch_size, len(data.y_train)
        warm_up = np.arange(min(n, B + n % B))
        with self._weights_restored(), quiet_compile():
            start = time.perf_counter()
            self._train(warm_up)
            self.compile_seconds = time.perf_counter() - start

    def _train(self, order: np.ndarray) -> float:
        idx = torch.from_numpy(order).to(self.X_train.device)
        if self.target == "step":
            self.model.train()
            return train_epoch(self.step, self.X_train, self.y_train, idx, self.params.batch_size)
        return torch_mlp.train_epoch(
            self.compiled_model, self.optimizer, self.X_train, self.y_train, idx, self.params.batch_size
        )

    @contextmanager
    def _weights_restored(self) -> Iterator[None]:
        """Put the weights back as they were after the block: the compiled code is tied to
        these very parameters (Dynamo's guards), so a copy of the model would compile again."""
        saved = [p.detach().clone() for p in self.model.parameters()]
        try:
            yield
        finally:
            with torch.no_grad():
                for p, s in zip(self.model.parameters(), saved):
                    p.copy_(s)
            self.optimizer.zero_grad()

    def train_epoch(self, order: np.ndarray) -> float:
        return self._train(order)

    def peak_memory(self, order: np.ndarray) -> dict:
        """RSS growth of an untimed compiled epoch, the weights restored after it (on the
        CPU; on CUDA, as TorchTrainer measures it, the eager loop's)."""
        if self.params.device == "cuda":
            return super().peak_memory(order)
        with self._weights_restored():
            m = measure.peak_memory(lambda: self._train(order), tracemalloc=False)
        return {
            "peak_memory_bytes": m["rss_peak_growth_bytes"],
            "peak_memory_method": m["rss_method"],
            "rss_peak_growth_bytes": m["rss_peak_growth_bytes"],
            "rss_method": m["rss_method"],
        }


class TorchCompiledModelTrainer(TorchCompiledTrainer):
    """The ablation: only the model compiled, torch.compile(model), in the eager loop (target "model")."""

    _TARGET = "model"
