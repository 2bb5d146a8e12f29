"""The network with a framework: PyTorch's model and loop, and what its idioms cost here."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import networks
from ...study import stats
from ...study.records import Study
from .. import verdicts as V
from ..formatting import ratio, sig
from ..listings import source_of
from ..markdown import Prose
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class PytorchNetwork(Chapter):
    overhead: str
    sgd: str
    eval: str
    idiom_when: str
    loc_math: str
    loc_loop: str
    loc_module: str
    loc_np_total: str

    def listing(self, part: str) -> str:
        """The source of one part of each implementation, read without importing torch:
        "model" and "loop" (torch_mlp), beside "numpy model" and "numpy loop" (numpy_mlp)."""
        module, names = {
            "model": ("torch_mlp", ("TorchMLP.__init__", "TorchMLP.forward")),
            "loop": ("torch_mlp", ("train_epoch",)),
            "numpy model": ("numpy_mlp", ("NumpyMLP.forward", "NumpyMLP.backward", "NumpyMLP.sgd_step")),
            "numpy loop": ("numpy_mlp", ("train_epoch_reference",)),
        }[part]
        return source_of(module, *names)


def clause(v: V.Idiom, scale: float, unit: str) -> str:
    """An idiom's timing against its alternative: "faster here: 38.9 against 81.8 µs"."""
    said = {"faster": "faster here", "same": "about as fast here", "slower": "slower here"}[v.decision]
    return f"{said}: {sig(v.chosen * scale)} against {sig(v.other * scale)} {unit}"


def overhead(S: Study, v: V.Overhead, gather: V.Idiom, loss: V.Idiom) -> str:
    """Where a step's time goes, and the two idioms the loop chose because of it."""
    batch = S.params.batch_size
    if v.decision == "overhead":
        where = (
            f"At a minibatch of {batch} on the CPU, a PyTorch step spends more time issuing operations than "
            f"multiplying matrices (it reaches {v.share:.0%} of the rate of its matrix products alone)"
        )
    elif v.decision == "arithmetic":
        where = (
            f"At a minibatch of {batch} on the CPU, a PyTorch step spends most of its time multiplying matrices "
            f"(it reaches {v.share:.0%} of the rate of its matrix products alone), yet each operation it issues "
            "still costs"
        )
    else:
        where = (
            f"At a minibatch of {batch} on the CPU, how a PyTorch step's time divides between multiplying "
            "matrices and issuing operations could not be measured on this run (its best epoch beat the matrix "
            "products timed alone), but each operation it issues costs time"
        )
    return (
        f"{where}, so the loop above issues as few operations as the idiom allows without changing the "
        f"arithmetic (the parity check still holds): it gathers the minibatch with `index_select` rather than "
        f"`X[idx]` ({clause(gather, 1e6, 'µs')}), and keeps each step's loss for one average after the epoch "
        f"rather than adding it to a running total ({clause(loss, 1e6, 'µs')})."
    )


def sgd(S: Study, v: V.SgdVariants) -> str:
    """What SGD's three implementations cost per step, and whether the loop's default pays."""
    t = S.pytorch_idioms.seconds["sgd"]
    times = (
        f"With our four on a CPU they take {sig(t['for-loop'] * 1e6)}, {sig(t['foreach'] * 1e6)} and "
        f"{sig(t['fused'] * 1e6)} µs per `optimizer.step()`"
    )
    if v.saving <= 0:
        return f"{times}: neither is faster than the default for-loop here, so we keep the default."
    if v.decision == "unknown":  # no finished training epoch to set the saving against
        return (
            f"{times}: {v.best}=True is the faster by {sig(v.saving * 1e6)} µs per step; with no finished "
            "training epoch to set that against, we keep the default."
        )
    assert v.step is not None  # a verdict that saves time without a step is "unknown"
    saved, step, _ = ratio(v.saving * 1e6, v.step * 1e6)
    share = float(saved.replace(",", "")) / float(step.replace(",", ""))  # from the numbers as printed
    if v.decision == "keep":
        return (
            f"{times}: the better of the two, {v.best}=True, saves {saved} µs of a {step} µs training step "
            f"({share:.1%}), within the {stats.SAME_TIME:.0%} we count as the same time, so we keep the default."
        )
    return (
        f"{times}: the better of the two, {v.best}=True, saves {saved} µs of a {step} µs training step "
        f"({share:.1%}), more than the {stats.SAME_TIME:.0%} we count as the same time, so it would pay here; the loop "
        "keeps the default of PyTorch's own examples."
    )


def evaluation(v: V.Idiom) -> str:
    return (
        "Evaluation runs under `torch.inference_mode()` rather than `torch.no_grad()`: besides recording no graph, "
        f"it skips autograd's version counters ({clause(v, 1e3, 'ms')})."
    )


def idioms_when(S: Study) -> str:
    """How the idioms were timed: over how many steps, with how many threads, and whether
    other experiments ran beside them (the study's `parallel` record)."""
    steps, par = S.pytorch_idioms.steps, S.parallel
    threads = par.threads_per_worker
    with_threads = (
        "with one thread" if threads == 1 else "with all threads" if not threads else f"with {threads} threads"
    )
    if par.backend == "sequential":
        return Prose(
            f"These costs are medians over {steps} steps, timed {with_threads}, one experiment after another "
            "(@sec-time-budget)."
        )
    return Prose(
        f"These costs are medians over {steps} steps, timed {with_threads} while other experiments ran beside "
        "them (@sec-time-budget)."
    )


def facts(S: Study, verdicts: V.Verdicts) -> PytorchNetwork:
    cx, cx_np = S.complexity[networks.get("pytorch").source], S.complexity[networks.get("numpy").source]
    return PytorchNetwork(
        S=S,
        verdicts=verdicts,
        overhead=Prose(overhead(S, verdicts.overhead, verdicts.gather, verdicts.loss)),
        sgd=Prose(sgd(S, verdicts.sgd)),
        eval=Prose(evaluation(verdicts.eval)),
        idiom_when=idioms_when(S),
        loc_math=str(cx.model_and_gradients),
        loc_loop=str(cx.training_loop),
        loc_module=str(cx.module),
        loc_np_total=str(cx_np.model_and_loop),
    )
