"""Telling 3 from 8: the logistic regression and both networks on two principal
components, and with all 784 pixels."""

from __future__ import annotations

from dataclasses import dataclass

from .. import labels, plots, verdicts as V
from ..report import and_join, boundary_rows, md_table, pct, table
from .base import Chapter, diverged

INPUTS = {"accuracy_2d": "2 components", "accuracy_full": "784 pixels"}


NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition

@dataclass(frozen=True, kw_only=True)
class DecisionBoundary(Chapter):
    n_train: str
    n_test: str
    n_networks: str
    epochs: str
    ev2: str
    two_d: str
    bends: str
    pixels: str

    def fig_boundary(self):
        panels = "; ".join(f"the {labels.BOUNDARY_TITLES[k]}, " + (f"{pct(c['accuracy_2d'])} correct" if c["grid"] is not None
                                                                   else "which diverged and has no regions")
                           for k, c in self.S["boundaries"]["classifiers"].items())
        alt = (f"Three panels on the plane of the first two principal components, each with the {self.n_test} test "
               f"images of 3s and 8s on top of one classifier's regions for 3 and for 8: {panels}.")
        return plots.decision_boundaries(self.S["boundaries"], alt)

    def tbl_boundary(self):
        return table(md_table(["classifier", "2 PCA features", "784 pixels"], boundary_rows(self.S)))


def accuracies(S: dict, key: str) -> tuple[str, str]:
    """Each classifier's accuracy on one input in words ("85.10% for the logistic regression,
    86.00% for the NumPy network and 85.90% for the PyTorch network"), and what diverged on
    that input ("" when every network trained on it)."""
    have = [f"{pct(c[key])} for the {labels.BOUNDARY_TITLES[k]}" for k, c in S["boundaries"]["classifiers"].items()
            if c[key] is not None]
    gone = [d for d in diverged(S, "boundaries") if d["input"] == INPUTS[key]]
    return and_join(have), labels.divergences(gone)


def facts(S: dict, loaded=None) -> DecisionBoundary:
    b = S["boundaries"]
    two_d, gone_2d = accuracies(S, "accuracy_2d")
    full, gone_full = accuracies(S, "accuracy_full")
    verdicts = {"projection": V.projection_loss(S)}
    if not gone_2d:
        verdicts["boundaries"] = V.boundaries(S)
    return DecisionBoundary(
        S=S, verdicts=verdicts, n_train=f"{b['n_train']:,}", n_test=f"{b['n_test']:,}",
        n_networks=f"{b['n_train_networks']:,}", epochs=str(b["epochs"]), ev2=pct(sum(b["explained_variance_ratio"]), 1),
        two_d=(f"On two features, the share of test images classified correctly is {two_d}."
                    + (f" Not every network trained: {gone_2d}." if gone_2d else "")),
        bends=(verdicts["boundaries"].text if not gone_2d else
               "whether they bend it the same way is not known, as they did not both train on the two features"),
        pixels=(f"Given all 784 pixels instead, it is {full}"
                + (f" (not every network trained: {gone_full})" if gone_full else "")
                + f": {verdicts['projection'].text}."),
    )
