"""The network by hand: its equations, the code that says them, and what it costs in lines."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import networks
from ...study.records import Study
from .. import verdicts as V
from ..listings import source_block
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class NumpyNetwork(Chapter):
    n_params: str
    loc_math: str
    loc_loop: str
    loc_module: str
    loc_fast: str
    loc_fast_module: str
    loc_init: str

    def listing(self, part: str) -> str:
        """The package's own source of one part of the network: "step" (forward, backward,
        the SGD step), "softmax", "reference loop" or "optimised loop"."""
        from ...core import numpy_fast, numpy_mlp

        return source_block(
            *{
                "step": (numpy_mlp.NumpyMLP.forward, numpy_mlp.NumpyMLP.backward, numpy_mlp.NumpyMLP.sgd_step),
                "softmax": (numpy_mlp.log_softmax,),
                "reference loop": (numpy_mlp.train_epoch_reference,),
                "optimised loop": (numpy_fast.train_epoch,),
            }[part]
        )


def facts(S: Study, verdicts: V.Verdicts) -> NumpyNetwork:
    cx, fast = S.complexity[networks.get("numpy").source], S.complexity["numpy_fast"]
    return NumpyNetwork(
        S=S,
        verdicts=verdicts,
        n_params=f"{S.main.models['numpy'].parameter_count:,}",
        loc_math=str(cx.model_and_gradients),
        loc_loop=str(cx.training_loop),
        loc_module=str(cx.module),
        loc_fast=str(fast.optimised_loop),
        loc_fast_module=str(fast.module),
        loc_init=str(cx.initialisation),
    )
