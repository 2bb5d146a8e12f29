"""Data and method: the data set, what each experiment trains, and what is measured."""

from __future__ import annotations

from dataclasses import dataclass

from ...study.records import Study
from .. import labels
from .. import verdicts as V
from ..listings import source_block
from ..markdown import Prose
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class DataMethod(Chapter):
    n_train: str
    n_test: str
    main_setup: str
    stated: str
    independent: str
    threads: str

    def listing_load(self) -> str:
        from ...core import data

        return source_block(data.load)


def seeds_words(S: Study) -> str:
    """The independent seeds the study ran, as a quantity: "3 seeds (0–2)" or "one seed (0)"."""
    n, first = len(S.seeds), S.params.seed
    return f"one seed ({first})" if n == 1 else f"{n} seeds ({first}–{first + n - 1})"


def main_setup(S: Study) -> str:
    p = S.params
    return Prose(
        f"The main run trains both networks for {p.epochs} epoch{'s' if p.epochs > 1 else ''} with {p.hidden} "
        f"hidden units, learning rate {p.lr:g} and minibatches of {p.batch_size}, starting from "
        f"{labels.INIT_NAMES[p.init]} (`init: {p.init}`: {labels.INIT_DRAWS[p.init]})."
    )


def stated(v: V.Settings, S: Study) -> str:
    """The main run's settings against what the study states of its own."""
    if v.decision == "same":
        return f"The study also trained for {v.epochs} epochs; it states no hidden size, learning rate or batch size."
    return (
        f"The study trained for {v.epochs} epochs, not {S.params.epochs}; it states no hidden size, learning rate "
        "or batch size."
    )


def independent(S: Study) -> str:
    """The experiments beside the main run, with where the book shows them (not in the
    diverged edition, which leaves those chapters out)."""
    where = "" if S.edition == "diverged" else " (@sec-fairness, @sec-study-vs-ours)"
    # A start that is the study's `init` did not run: the seeds' networks start from it.
    others = [
        words
        for e, words in (
            ("init_only", "PyTorch from its own initial weights"),
            ("init_small", "NumPy from the small initialisation common in from-scratch code"),
        )
        if getattr(S, e)
    ]
    starts = f" seed by seed, with that seed's data and minibatch order, {' and '.join(others)};" if others else ""
    return Prose(
        f"To see what that changes, we also train each network on its own over {seeds_words(S)};{starts} and with "
        f"a preset that resembles the study's curves{where}."
    )


def threads(S: Study) -> str:
    env = S.main.environment
    return f"Both libraries use the same number of threads: {env.threads} on this machine (CPU: {env.cpu})."


def facts(S: Study, verdicts: V.Verdicts) -> DataMethod:
    return DataMethod(
        S=S,
        verdicts=verdicts,
        n_train=f"{S.main.data.n_train:,}",
        n_test=f"{S.main.data.n_test:,}",
        main_setup=main_setup(S),
        stated=stated(verdicts.study_settings, S),
        independent=independent(S),
        threads=threads(S),
    )
