"""Every implementation of the network, declared once.

The study trains, times and compares the same 784-H-10 network written several ways.
Each way is one `Implementation` in NETWORKS: its name (the key of its records, in the
cache and in every table), its words (a label for tables and legends, a name for a
sentence), its colours, its trainer (training.Trainer; imported when first used, so that
a study without JAX never imports it), the module whose lines of code the book counts,
and the experiments it joins. The study, the verdicts, the tables and the figures
iterate this registry; none of them lists the networks again.

Adding a network is its module (the network and its trainer), one entry here and the
chapter prose about it (CONTRIBUTING.md walks through it). Its name must not be one of
the `init` schemes' names ("pytorch" is both a network and a scheme: nn.Linear's default
initialisation; the two are never looked up in the same table).

The first entry is the reference: the network written by hand, against which every
other one's parity (the same algorithm, to float32 round-off) is measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

# The experiments a network may join (study/registry.py names them): "main" (the main
# run: parity, the headline table, memory), "seeds" (the independent seeds), "paper_like"
# (the study's preset), "boundaries" (3 versus 8), "bench" (the study's benchmark),
# "sweep" (SGD steps timed over batch sizes and hidden widths) and "sweep_batches" (the
# sweep's batch sizes only, at the study's hidden width).
ROLES = ("main", "seeds", "paper_like", "boundaries", "bench", "sweep", "sweep_batches")


@dataclass(frozen=True)
class Implementation:
    """One way of writing the network.

    name        the key of its records ("numpy"); never a label
    label       in tables and legends: "NumPy (by hand)"
    noun        in a sentence, before "network": "the NumPy network"
    color       its series' colour on the light page (figures, PDF)
    dark_color  on the dark page (at least 3:1 against theme/dark.scss's background)
    dash        its lines' dash pattern (drawn, gap), so that overlaid curves stay apart
                in grey print too
    trainer     "package.module:Class": its trainers.Trainer
    source      the module of core/ whose lines of code the book counts
    roles       the experiments it joins (ROLES)
    """

    name: str
    label: str
    noun: str
    color: str
    dark_color: str
    dash: tuple[int, int]
    trainer: str
    source: str
    roles: frozenset[str]

    def trainer_class(self) -> Any:
        """Its Trainer class, imported now (the libraries it needs are imported with it)."""
        module, cls = self.trainer.split(":")
        return getattr(import_module(module), cls)


NETWORKS: tuple[Implementation, ...] = (
    Implementation(
        "numpy",
        label="NumPy (by hand)",
        noun="NumPy",
        color="#E66100",
        dark_color="#E66100",
        dash=(1, 0),  # solid
        trainer="mnistcompare.core.trainers:NumpyTrainer",
        source="numpy_mlp",
        roles=frozenset(ROLES) - {"sweep_batches"},
    ),
    Implementation(
        "pytorch",
        label="PyTorch",
        noun="PyTorch",
        color="#5D3A9B",
        dark_color="#B39DDB",
        dash=(6, 3),
        trainer="mnistcompare.core.trainers:TorchTrainer",
        source="torch_mlp",
        roles=frozenset(ROLES) - {"sweep_batches"},
    ),
    # The same network compiled: the algorithm is NumPy's (its parity says so), so it joins
    # the main run and the timings, not the seeds; the whole epoch is one XLA program.
    Implementation(
        "jax",
        label="JAX (jit)",
        noun="JAX",
        color="#1A7F37",
        dark_color="#66BB6A",
        dash=(2, 2),
        trainer="mnistcompare.core.jax_trainer:JaxTrainer",
        source="jax_mlp",
        roles=frozenset({"main", "bench", "sweep"}),
    ),
    # The PyTorch network with its whole training step through torch.compile: the same
    # network compiled, so it joins the timings only.
    Implementation(
        "pytorch_compiled",
        label="PyTorch (torch.compile)",
        noun="compiled PyTorch",
        color="#C2185B",
        dark_color="#F48FB1",
        dash=(8, 3),
        trainer="mnistcompare.core.torch_compiled:TorchCompiledTrainer",
        source="torch_compiled",
        # The sweep's batch sizes only: one program with a symbolic batch size serves them all,
        # while each hidden width would compile anew (measured: 6-8 s apiece on 2 cores).
        roles=frozenset({"bench", "sweep_batches"}),
    ),
)

REFERENCE = NETWORKS[0].name  # the network by hand: every other one's parity is against it


# Functions, not constants derived at import: everything reads NETWORKS when it asks.
def names() -> tuple[str, ...]:
    """Every network's name, in the registry's order (the order of the records)."""
    return tuple(n.name for n in NETWORKS)


def sweeping(batches_only: bool) -> tuple[str, ...]:
    """The networks the sweep times in a cell: every one that joins the sweep, and in the
    cells of batch sizes (batches_only) those that join only those too; registry order."""
    roles = {"sweep", "sweep_batches"} if batches_only else {"sweep"}
    return tuple(n.name for n in NETWORKS if roles & n.roles)


def joining(role: str) -> tuple[str, ...]:
    """The names of the networks that join the experiment `role`, in the registry's order."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}; the roles are {', '.join(ROLES)}")
    return tuple(n.name for n in NETWORKS if role in n.roles)


def get(name: str) -> Implementation:
    """The implementation called `name`; a clear error for a name that is none."""
    for n in NETWORKS:
        if n.name == name:
            return n
    raise ValueError(f"no network {name!r}; the networks are {', '.join(names())}")
