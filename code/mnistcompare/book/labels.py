"""The words for the study's names: experiments, classifiers, schemes, what diverged.

The study and its cache know experiments, runs and networks by name only
(study/registry.py, core/networks.py); every label a reader sees is here, keyed by those
names, but the networks' own words, which their registry entry holds (`label`, `noun`).
This module is not in the study's cache key: rewording a label never retrains.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..core import networks


def label(name: str) -> str:
    """A network in tables and legends: "NumPy (by hand)"."""
    return networks.get(name).label


def noun(name: str) -> str:
    """A network in a sentence, before "network": "the NumPy network"."""
    return networks.get(name).noun


# The benchmark's other trainers (core/epoch_timing.VARIANTS), which are no network of the
# registry, and its limits: each backend's matrix products alone (epoch_timing.LIMITS).
VARIANTS = {
    "pytorch_dataloader": "PyTorch (DataLoader)",
    "sklearn": "scikit-learn (MLPClassifier)",
    "jax_step": "JAX (jit of each step)",
    "pytorch_compiled_model": "PyTorch (torch.compile of the model)",
}
LIMITS = {"numpy": "NumPy's BLAS", "pytorch": "PyTorch's matmul", "jax": "XLA (JAX)"}


def trainer(name: str) -> str:
    """A trainer of the benchmark in words: a network's label, or a variant's."""
    return VARIANTS.get(name) or label(name)


LIMIT = "matrix products alone (the limit)"  # "matmul": the step's products timed by themselves


def timed(name: str) -> str:
    """An implementation the sweep times, in tables and legends: a network's label, or the
    limit's (the matrix products alone, "matmul")."""
    return LIMIT if name == "matmul" else label(name)


# The 3-versus-8 classifiers that are not networks of the registry.
CLASSIFIERS = {"logistic": "logistic regression"}


def classifier(name: str) -> str:
    """A 3-versus-8 classifier in words: "logistic regression", "NumPy network"."""
    return CLASSIFIERS.get(name) or f"{noun(name)} network"


# The `init` schemes (numpy_mlp.init_weights) in words: the scheme's name, and what it
# draws, in Markdown.
INIT_NAMES = {
    "pytorch": "the default initialisation of `nn.Linear`",
    "he": "He's initialisation",
    "small": "the tutorials' small initialisation",
}
INIT_DRAWS = {
    "pytorch": r"weights and biases uniform on $[-1/\sqrt{n_\mathrm{in}}, 1/\sqrt{n_\mathrm{in}}]$",
    "he": r"weights from $\mathcal{N}(0, 2/n_\mathrm{in})$ and zero biases [@he2015]",
    "small": r"weights from $\mathcal{N}(0, 0.01^2)$ and zero biases",
}
# PyTorch's own initialisation, which a network gets when no weights are copied into it (the
# `start` of the registry's init_only).
TORCH_OWN = "pytorch"
# How the PyTorch network draws each scheme itself (torch_mlp.init_parameters).
TORCH_DRAWS = {
    "pytorch": "the default initialisation of `nn.Linear`, which is that scheme",
    "he": "`torch.nn.init.kaiming_normal_` (ReLU's gain) and `zeros_`",
    "small": "`torch.nn.init.normal_` (standard deviation 0.01) and `zeros_`",
}


@dataclass(frozen=True)
class Label:
    """An experiment in words.

    run     the run in a sentence ("the NumPy network of the ___ diverged"); {seed} and
            {input} are filled in from the divergence record
    budget  its row of the time budget ({seed} for a per-seed run)
    shows   what the book shows from it, with where (Markdown cross-references): what a
            divergence of this experiment leaves out
    """

    run: str
    budget: str
    shows: str


EXPERIMENTS = {
    "main": Label(
        "main run",
        "main run (both networks)",
        "the comparison of the two trained networks (@sec-training-comparison onwards)",
    ),
    "bench": Label("short benchmark", "benchmark of the trainers", "the benchmark of the trainers (@sec-benchmark)"),
    "sweep": Label(
        "sweep of batch sizes and hidden widths",
        "SGD steps over batch sizes and hidden widths",
        "where the time of a step goes (@sec-step-costs)",
    ),
    "seeds": Label(
        "independent run with seed {seed}",
        "independent run, seed {seed}",
        "the accuracy over independent seeds (@sec-seeds), the study's accuracy claim, and whether the "
        "initialisations wash out (@sec-init)",
    ),
    "paper_like": Label(
        "paper-like preset",
        "paper-like preset",
        "the study's curves reproduced (@sec-study-vs-ours) and what separates them (@sec-init)",
    ),
    "init_only": Label(
        "run with PyTorch's own initial weights, seed {seed}",
        "PyTorch's own initial weights",
        "the comparison of initialisations (@sec-init)",
    ),
    "boundaries": Label(
        "3-versus-8 run on {input}",
        "decision boundaries 3 vs 8",
        "what the networks do with 3 versus 8 (@sec-decision-boundary)",
    ),
    "init_small": Label(
        "run with small initial weights, seed {seed}",
        "NumPy with small initial weights",
        "the comparison of initialisations (@sec-init)",
    ),
    "pytorch_idioms": Label(
        "timing of PyTorch's idioms", "PyTorch idioms timed", "what PyTorch's idioms cost (@sec-pytorch-network)"
    ),
    "gradients": Label("gradient check", "gradient check", "the gradient check (@sec-gradients)"),
    "pca": Label("PCA of the test set", "PCA of the test set", "the principal components (@sec-pca)"),
}
# The questions over the seeds (study/questions.py), in a legend or a sentence.
QUESTIONS = {
    "test_accuracy": "final test accuracy, PyTorch − NumPy",
    "test_loss": "final test loss, PyTorch − NumPy",
    "init_only": "PyTorch's own start − the shared one",
    "init_small": "the small start − the shared one",
}
# The time budget's other rows: work that is not an experiment of the registry.
BUDGET = {"load_data": "loading and verifying MNIST", "other": "misclassified images, lines of code"}


def budget_label(run: str) -> str:
    """A run of the study's time budget in words: its experiment's label, and the seed of a
    per-seed run (named seed_<s> for the seeds, <experiment>_seed_<s> for the others)."""
    if run in BUDGET:
        return BUDGET[run]
    if run in EXPERIMENTS:
        return EXPERIMENTS[run].budget
    experiment, _, seed = run.rpartition("_seed_")
    if experiment in EXPERIMENTS:
        return f"{EXPERIMENTS[experiment].budget}, seed {seed}"
    return EXPERIMENTS["seeds"].budget.format(seed=run.removeprefix("seed_"))


# --- what diverged ----------------------------------------------------------------------------------


def where(d) -> str:
    """The run a divergence record (records.Divergence) comes from, in words: "the run with
    small initial weights"."""
    return "the " + EXPERIMENTS[d.experiment].run.format(seed=d.seed, input=d.input)


def became(d) -> str:
    """What the loss became, in words: "infinite" or "not a number"."""
    return "infinite" if d.infinite else "not a number"


def divergence(d, models: list[str] | None = None) -> str:
    """Diverged networks of one run, everything the record says: "the NumPy network of the
    main run diverged in epoch 2 with learning rate 1000: its training loss became not a
    number" (the value itself, nan or inf, is in the divergence table). `models`: several
    networks that diverged alike (same epoch, loss and value)."""
    models = models or [d.model]
    names = " and ".join(noun(m) for m in models)
    if len(models) > 1:
        return (
            f"the {names} networks of {where(d)} diverged in epoch {d.epoch} with learning rate {d.lr:g}: their "
            f"{d.stage} losses became {became(d)}"
        )
    return (
        f"the {names} network of {where(d)} diverged in epoch {d.epoch} with learning rate {d.lr:g}: its "
        f"{d.stage} loss became {became(d)}"
    )


def divergences(found) -> str:
    """Diverged networks in one clause: networks of one run that diverged alike are named
    together; runs are joined with semicolons."""
    groups: dict[tuple, list[str]] = {}
    firsts: dict[tuple, object] = {}
    for d in found:
        key = tuple(v for k, v in dataclasses.asdict(d).items() if k != "model")
        groups.setdefault(key, []).append(d.model)
        firsts.setdefault(key, d)
    return "; ".join(divergence(firsts[k], models) for k, models in groups.items())


def not_shown(found) -> str:
    """The sentence that stands in place of a figure, table or sentence that needs a
    diverged network."""
    return f"Not shown, because {divergences(found)}."


def divergence_rows(found) -> list[list]:
    """One table row per diverged network: experiment, network, epoch, learning rate, and
    which loss left the finite numbers, as what."""
    return [
        [
            where(d).removeprefix("the "),
            label(d.model),
            d.epoch,
            f"{d.lr:g}",
            f"{d.stage} loss, {became(d)}",
        ]
        for d in found
    ]
