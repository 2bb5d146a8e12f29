"""Telling 3 from 8: the logistic regression and both networks on two principal
components, and with all 784 pixels."""

from __future__ import annotations

from dataclasses import dataclass

from ...study.records import Study
from .. import labels
from .. import verdicts as V
from ..formatting import and_join, pct
from ..markdown import md_table, table
from ..plots import images
from .base import Chapter

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
        panels = "; ".join(
            f"the {labels.classifier(k)}, {pct(c.accuracy_2d)} correct"
            if c.grid is not None
            else f"the {labels.classifier(k)}, which diverged and has no regions"
            for k, c in self.S.boundaries.classifiers.items()
        )
        alt = (
            f"Three panels on the plane of the first two principal components, each with the {self.n_test} test "
            f"images of 3s and 8s on top of one classifier's regions for 3 and for 8: {panels}."
        )
        return images.decision_boundaries(self.S.boundaries, alt)

    def tbl_boundary(self):
        acc = lambda x: "diverged" if x is None else pct(x)  # noqa: E731
        rows = [
            [labels.classifier(k), acc(c.accuracy_2d), acc(c.accuracy_full)]
            for k, c in self.S.boundaries.classifiers.items()
        ]
        return table(md_table(["classifier", "2 PCA features", "784 pixels"], rows))


def diverged_on(S: Study, key: str) -> list:
    """The 3-versus-8 networks that diverged on one input ("accuracy_2d" or "accuracy_full")."""
    return [d for d in S.divergences("boundaries") if d.input == INPUTS[key]]


def accuracies(S: Study, key: str) -> tuple[str, str]:
    """Each classifier's accuracy on one input ("85.10% for the logistic regression, 86.00%
    for the NumPy network and 85.90% for the PyTorch network"), and what diverged on that
    input ("" when every network trained on it)."""
    have = [
        f"{pct(getattr(c, key))} for the {labels.classifier(k)}"
        for k, c in S.boundaries.classifiers.items()
        if getattr(c, key) is not None
    ]
    return and_join(have), labels.divergences(diverged_on(S, key))


def two_d(S: Study) -> str:
    have, gone = accuracies(S, "accuracy_2d")
    if gone:
        return f"On two features, the share of test images classified correctly is {have}. Not every network trained: {gone}."
    return f"On two features, the share of test images classified correctly is {have}."


def bends(v: V.Boundaries | V.NotTaken) -> str:
    """Whether the two networks bend the boundary the same way on the two features."""
    if isinstance(v, V.NotTaken):
        return (
            "The networks can bend their boundary, and whether they bend it the same way is not known, as they "
            "did not both train on the two features."
        )
    if v.decision == "same":
        return (
            f"The networks can bend their boundary, and the two implementations bend it the same way (their "
            f"regions agree on {v.share:.1%} of the plane)."
        )
    return (
        f"The networks can bend their boundary, and the two implementations bend it differently (their regions "
        f"agree on only {v.share:.1%} of the plane)."
    )


def pixels(S: Study, v: V.Projection) -> str:
    """Each classifier on all 784 pixels, and what the projection to two components costs."""
    have, gone = accuracies(S, "accuracy_full")
    given = f"Given all 784 pixels instead, it is {have}" + (f" (not every network trained: {gone})" if gone else "")
    gains = v.gains.values()
    lo, hi = 100 * min(gains), 100 * max(gains)
    if v.decision == "not every":
        worse = " and ".join(f"the {labels.classifier(k)}" for k in v.worse)
        verb = "does" if len(v.worse) == 1 else "do"
        return (
            f"{given}: not every classifier does better with the pixels here ({worse} {verb} not), so with these "
            "parameters the projection is not what limits them all."
        )
    if len(v.gains) == 1:
        (only,) = v.gains
        return (
            f"{given}: the {labels.classifier(only)}, the only one that trained on both, does better with the "
            f"pixels, by {lo:.1f} points, so the projection to two dimensions loses part of what separates a 3 "
            "from an 8."
        )
    return (
        f"{given}: each does better with the pixels, by {lo:.1f} to {hi:.1f} points, so the projection to two "
        "dimensions loses part of what separates a 3 from an 8, for every classifier, whatever trains it."
    )


def facts(S: Study, verdicts: V.Verdicts) -> DecisionBoundary:
    b = S.boundaries
    return DecisionBoundary(
        S=S,
        verdicts=verdicts,
        n_train=f"{b.n_train:,}",
        n_test=f"{b.n_test:,}",
        n_networks=f"{b.n_train_networks:,}",
        epochs=str(b.epochs),
        ev2=pct(sum(b.explained_variance_ratio), 1),
        two_d=two_d(S),
        bends=bends(verdicts.boundaries),
        pixels=pixels(S, verdicts.projection),
    )
