"""Which digits each network gets wrong: confusion matrices and the misclassified images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...study.records import Study
from .. import verdicts as V
from ..plots import charts, images
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
        alt = (
            f"Two ten-by-ten confusion matrices of the main run, NumPy and PyTorch, true digits in the rows and "
            f"predictions in the columns: {self.n_wrong_np} and {self.n_wrong_pt} of the 10,000 test images lie off "
            f"the diagonal. {self.confusion}"
        )
        return charts.confusion_matrices(self.S.main, alt)

    def fig_misclassified(self):
        wrong = self.S.misclassified
        assert wrong is not None  # NEEDS_MAIN: recorded unless the main run's NumPy network diverged
        pairs = ", ".join(f"{t} as {p}" for t, p in zip(wrong.true, wrong.pred))
        alt = f"A grid of the first {self.n_shown} test images the NumPy network misclassifies; true digit read as: {pairs}."
        return images.digit_gallery(np.asarray(wrong.images) / 255, np.asarray(wrong.true), np.asarray(wrong.pred), alt)


def confusion(S: Study) -> str:
    """The NumPy network's most frequent confusion of one digit for another."""
    cm = np.asarray(S.main.models["numpy"].confusion_matrix)
    off = cm - np.diag(np.diag(cm))
    true, pred = np.unravel_index(off.argmax(), off.shape)
    count = int(off.max())
    a = lambda digit: f"an {digit}" if digit == 8 else f"a {digit}"  # noqa: E731
    if not count:
        return "The NumPy network confuses no digit with another."
    return (
        f"The most frequent single confusion of the NumPy network is {a(true)} read as {a(pred)} "
        f"({count} time{'s' if count > 1 else ''})."
    )


def facts(S: Study, verdicts: V.Verdicts) -> Errors:
    nets = S.main.models
    wrong = {
        m: int(np.sum(np.asarray(net.confusion_matrix)) - np.trace(np.asarray(net.confusion_matrix)))
        for m, net in nets.items()
    }
    shown = S.misclassified
    assert shown is not None  # NEEDS_MAIN: recorded unless the main run's NumPy network diverged
    disagree = int((np.asarray(nets["numpy"].test_predictions) != np.asarray(nets["pytorch"].test_predictions)).sum())
    return Errors(
        S=S,
        verdicts=verdicts,
        n_wrong_np=f"{wrong['numpy']:,}",
        n_wrong_pt=f"{wrong['pytorch']:,}",
        n_disagree=f"{disagree:,}",
        confusion=confusion(S),
        n_shown=str(len(shown.true)),
    )
