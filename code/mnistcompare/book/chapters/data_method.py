"""Data and method: the data set, what each experiment trains, and what is measured."""

from __future__ import annotations

from dataclasses import dataclass

from .. import labels, verdicts as V
from ..report import Prose, source_block
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class DataMethod(Chapter):
    n_train: str
    n_test: str
    main_setup: str
    stated: str
    independent: str
    threads: str
    cpu: str

    def listing_load(self) -> str:
        from ...core import data

        return source_block(data.load)


def seeds_words(p: dict) -> str:
    """The independent seeds in words: "3 seeds (0 to 2)" or "one seed (0)"."""
    n, s = p["seeds"], p["seed"]
    return f"one seed ({s})" if n == 1 else f"{n} seeds ({s} to {s + n - 1})"


def facts(S: dict, loaded=None) -> DataMethod:
    p, main = S["params"], S["main"]
    stated = V.study_settings(p)
    return DataMethod(
        S=S, verdicts={"study_settings": stated},
        n_train=f"{main['data']['n_train']:,}", n_test=f"{main['data']['n_test']:,}",
        main_setup=Prose(f"The main run trains both networks for {p['epochs']} epoch{'s' if p['epochs'] > 1 else ''} "
                         f"with {p['hidden']} hidden units, learning rate {p['lr']:g} and minibatches of "
                         f"{p['batch_size']}, starting from {labels.INIT_NAMES[p['init']]} "
                         f"(`init: {p['init']}`: {labels.INIT_DRAWS[p['init']]})."),
        stated=stated.text,
        independent=(f"we also train with the same minibatch order but PyTorch's own initial weights, and with the "
                     f"small initialisation common in from-scratch code; each network on its own over "
                     f"{seeds_words(p)}; and with a preset that resembles the study's curves"),
        threads=str(main["environment"]["threads"]), cpu=main["environment"]["cpu"],
    )
