"""Which digits each network gets wrong: confusion matrices and the misclassified images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import plots
from ..report import error_counts
from .base import Chapter


NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition

@dataclass(frozen=True, kw_only=True)
class Errors(Chapter):
    n_wrong_np: str
    n_wrong_pt: str
    n_disagree: str
    confusion: str
    n_shown: str

    def fig_confusion(self):
        alt = (f"Two ten-by-ten confusion matrices of the main run, NumPy and PyTorch, true digits in the rows and "
               f"predictions in the columns: {self.n_wrong_np} and {self.n_wrong_pt} of the 10,000 test images lie off "
               f"the diagonal. {self.confusion}")
        return plots.confusion_matrices(self.S["main"], alt)

    def fig_misclassified(self):
        wrong = self.S["misclassified"]
        pairs = ", ".join(f"{t} as {p}" for t, p in zip(wrong["true"], wrong["pred"]))
        alt = f"A grid of the first {self.n_shown} test images the NumPy network misclassifies; true digit read as: {pairs}."
        return plots.digit_gallery(np.asarray(wrong["images"]) / 255, wrong["true"], wrong["pred"], alt)


def facts(S: dict, loaded=None) -> Errors:
    n_np, n_pt, n_disagree, top_true, top_pred, top_count = error_counts(S)
    a = lambda digit: f"an {digit}" if digit == 8 else f"a {digit}"  # noqa: E731
    confusion = (f"The most frequent single confusion of the NumPy network is {a(top_true)} read as {a(top_pred)} "
                 f"({top_count} time{'s' if top_count > 1 else ''})." if top_count else
                 "The NumPy network confuses no digit with another.")
    return Errors(S=S, n_wrong_np=f"{n_np:,}", n_wrong_pt=f"{n_pt:,}", n_disagree=f"{n_disagree:,}",
                  confusion=confusion, n_shown=str(len(S["misclassified"]["true"])))
