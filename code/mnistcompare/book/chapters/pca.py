"""The test set in two dimensions: the principal components and how the digits lie on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...study.records import Study
from .. import verdicts as V
from ..formatting import and_join, pct
from ..listings import source_block
from ..plots import charts
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class Pca(Chapter):
    ev1: str
    ev2: str
    ev12: str
    ev10: str
    n_drawn: str
    clusters: str

    def listing(self) -> str:
        from ...study import pca

        return source_block(pca.pca)

    def fig_pca(self):
        pc = self.S.pca
        tightest, closest = geometry(self.S)
        alt = (
            f"A scatter plot of {self.n_drawn} test images at their scores on the first two principal components "
            f"({self.ev1} and {self.ev2} of the variance), coloured by digit: the digit {tightest} forms the "
            f"most compact cluster, and the cluster centres closest together are those of {closest}."
        )
        return charts.pca_scatter(np.asarray(pc.scores), np.asarray(pc.labels), list(pc.explained_variance_ratio), alt)


def geometry(S: Study) -> tuple[int, str]:
    """The digit of the most compact cluster, and the three pairs of digits whose cluster
    centres lie closest together ("4 and 9; 7 and 9; and 3 and 5")."""
    from ...study.pca import class_geometry

    geo = class_geometry(np.asarray(S.pca.scores), np.asarray(S.pca.labels))
    return (
        min(geo["spread"], key=geo["spread"].get),
        and_join([f"{q['a']} and {q['b']}" for q in geo["pairs"][:3]], sep="; "),
    )


def clusters(S: Study) -> str:
    tightest, closest = geometry(S)
    return (
        f"The most compact cluster is the digit {tightest}; the three pairs of digits whose cluster centres lie "
        f"closest together are {closest}."
    )


def facts(S: Study, verdicts: V.Verdicts) -> Pca:
    ev = S.pca.explained_variance_ratio
    return Pca(
        S=S,
        verdicts=verdicts,
        ev1=pct(ev[0], 1),
        ev2=pct(ev[1], 1),
        ev12=pct(ev[0] + ev[1], 1),
        ev10=pct(sum(ev), 1),
        n_drawn=f"{min(len(S.pca.labels), charts.PCA_POINTS):,}",
        clusters=clusters(S),
    )
