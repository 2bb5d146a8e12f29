"""The network with a framework: PyTorch's model and loop, and what its idioms cost here."""

from __future__ import annotations

from dataclasses import dataclass

from .. import verdicts as V
from ..report import num, source_of
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class PytorchNetwork(Chapter):
    batch: str
    overhead: str
    gather: str
    loss: str
    sgd_loop: str
    sgd_foreach: str
    sgd_fused: str
    sgd_words: str
    eval: str
    idiom_steps: str
    idiom_when: str
    loc_math: str
    loc_loop: str
    loc_module: str
    loc_np_total: str

    def listing(self, part: str) -> str:
        """The source of one part of each implementation, read without importing torch:
        "model" and "loop" (torch_mlp), beside "numpy model" and "numpy loop" (numpy_mlp)."""
        module, names = {"model": ("torch_mlp", ("TorchMLP.__init__", "TorchMLP.forward")),
                         "loop": ("torch_mlp", ("train_epoch",)),
                         "numpy model": ("numpy_mlp", ("NumpyMLP.forward", "NumpyMLP.backward", "NumpyMLP.sgd_step")),
                         "numpy loop": ("numpy_mlp", ("train_epoch_reference",))}[part]
        return source_of(module, *names)


def idioms_when(S: dict) -> str:
    """How the idioms were timed: with how many threads, and whether other experiments ran
    beside them (the study's `parallel` record)."""
    par = S["parallel"]
    threads = par["threads_per_worker"]
    with_threads = "with one thread" if threads == 1 else "with all threads" if not threads else f"with {threads} threads"
    if par["backend"] == "sequential":
        return f"timed {with_threads}, one experiment after another"
    return f"timed {with_threads} while other experiments ran beside them"


def facts(S: dict, loaded=None) -> PytorchNetwork:
    t = S["pytorch_idioms"]["seconds"]
    us = lambda seconds: num(seconds * 1e6, 0)  # noqa: E731
    cx, cx_np = S["complexity"]["pytorch"], S["complexity"]["numpy"]
    verdicts = {"overhead": V.pytorch_overhead(S), "sgd": V.sgd_variants(S),
                "gather": V.idiom(S, "gather", "index_select", "X[idx]"), "loss": V.idiom(S, "loss", "keep", "accumulate"),
                "eval": V.idiom(S, "eval", "inference_mode", "no_grad", unit="ms")}
    return PytorchNetwork(
        S=S, verdicts=verdicts, batch=str(S["params"]["batch_size"]), overhead=verdicts["overhead"].text,
        gather=verdicts["gather"].text, loss=verdicts["loss"].text, eval=verdicts["eval"].text,
        sgd_loop=us(t["sgd"]["for-loop"]), sgd_foreach=us(t["sgd"]["foreach"]), sgd_fused=us(t["sgd"]["fused"]),
        sgd_words=verdicts["sgd"].text, idiom_steps=str(S["pytorch_idioms"]["steps"]), idiom_when=idioms_when(S),
        loc_math=str(cx["model and gradients"]), loc_loop=str(cx["training loop"]), loc_module=str(cx["module"]),
        loc_np_total=str(cx_np["model and gradients"] + cx_np["training loop"]),
    )
