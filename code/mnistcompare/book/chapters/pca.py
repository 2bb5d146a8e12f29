"""The test set in two dimensions: the principal components and how the digits lie on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import plots
from ..report import and_join, pct, source_block
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class Pca(Chapter):
    ev1: str
    ev2: str
    ev12: str
    ev10: str
    n_drawn: str
    tightest: str
    closest: str

    def listing(self) -> str:
        from ...study import analysis

        return source_block(analysis.pca)

    def fig_pca(self):
        pc = self.S["pca"]
        alt = (f"A scatter plot of {self.n_drawn} test images at their scores on the first two principal components "
               f"({self.ev1} and {self.ev2} of the variance), coloured by digit: the digit {self.tightest} forms the "
               f"most compact cluster, and the cluster centres closest together are those of {self.closest}.")
        return plots.pca_scatter(np.asarray(pc["scores"]), np.asarray(pc["labels"]), pc["explained_variance_ratio"], alt)


def facts(S: dict, loaded=None) -> Pca:
    from ...study import analysis

    pc = S["pca"]
    ev = pc["explained_variance_ratio"]
    geo = analysis.class_geometry(np.asarray(pc["scores"]), np.asarray(pc["labels"]))
    pairs = [f"{q['a']} and {q['b']}" for q in geo["pairs"][:3]]
    return Pca(
        S=S, ev1=pct(ev[0], 1), ev2=pct(ev[1], 1), ev12=pct(ev[0] + ev[1], 1), ev10=pct(sum(ev), 1),
        n_drawn=f"{min(len(pc['labels']), plots.PCA_POINTS):,}",
        tightest=str(min(geo["spread"], key=geo["spread"].get)), closest=and_join(pairs, sep="; "),
    )
