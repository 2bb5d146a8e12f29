"""The study's figures beside ours: what the study's text says of its curves, and our
paper-like preset."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import params as P
from ...study import registry
from ...study.records import Study
from .. import labels
from .. import verdicts as V
from ..formatting import and_join, num
from ..markdown import Prose, md_table, table
from ..plots import charts
from ..plots.charts import points
from .base import Chapter, not_taken, shown
from .index import paper_lacks

# The preset's keys in words, and what a change of each means.
PRESET_WORDS = {"lr": "learning rate", "batch_size": "minibatch size", "epochs": "epochs"}
# The study's loss curves as its text describes them (its figures carry no data):
# (network, epoch, value, the sentence it comes from).
STUDY_REPORTED = [
    ("numpy", 1, 2.00, "initial loss value was above 2.00"),
    ("numpy", 20, 0.25, "close to 0.25 in the 20th epoch"),
    ("pytorch", 1, 1.25, "in the first epoch started from around 1.25"),
    ("pytorch", 2, 0.50, "decreased drastically to around 0.5 in just one epoch"),
    ("pytorch", 20, 0.20, "close to 0.20 in the 20th epoch"),
]

NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition


@dataclass(frozen=True, kw_only=True)
class StudyVsOurs(Chapter):
    main_curves: str
    preset: str
    shapes: str

    def fig_paper(self):
        def draw():
            ours = {
                f"{labels.label(m)} (ours, paper-like)": points(net.history, "test_loss")
                for m, net in self.S.paper_like.models.items()
            }
            theirs = [
                {"series": f"{labels.label(m)} (the study)", "epoch": e, "value": v, "note": quote}
                for m, e, v, quote in STUDY_REPORTED
            ]
            said_ours = "; ".join(
                f"{name} from {num(h[0]['value'], 3)} to {num(h[-1]['value'], 3)}" for name, h in ours.items()
            )
            said_theirs = "; ".join(f"{p['series']} {p['value']:.2f} at epoch {p['epoch']}" for p in theirs)
            alt = (
                f"Test loss per epoch of the paper-like preset: {said_ours}. The study's values, as points: "
                f"{said_theirs}."
            )
            return charts.series_curves(ours, alt, "fig-paper", metric="value", title="test loss", points=theirs)

        return shown(self.S, ("paper_like",), draw)

    def tbl_paper(self):
        def rows():
            loss = {m: {e.epoch: e.test_loss for e in net.history} for m, net in self.S.paper_like.models.items()}
            return [
                [labels.label(m), str(e), f"\u201c{quote}\u201d", num(loss[m].get(e), 3)]
                for m, e, _, quote in STUDY_REPORTED
            ]

        return shown(
            self.S,
            ("paper_like",),
            lambda: table(md_table(["network", "epoch", "the study", "ours (paper-like)"], rows(), align="lrlr")),
        )


def preset_changes(p: P.Params) -> str:
    """What the paper-like preset changes of the study's parameters, and what it keeps."""
    q = registry.paper_like_params(p)
    changed = [
        f"the {PRESET_WORDS[k]} from {getattr(p, k):g} to {getattr(q, k):g}"
        for k in PRESET_WORDS
        if getattr(p, k) != getattr(q, k)
    ]
    kept = [f"the {PRESET_WORDS[k]} ({getattr(p, k):g})" for k in PRESET_WORDS if getattr(p, k) == getattr(q, k)]
    init = f"{labels.INIT_NAMES[q.init]}, {labels.INIT_DRAWS[q.init]}"
    if p.init != q.init:
        changed.append(f"the NumPy network's initial weights from {labels.INIT_NAMES[p.init]} to {init}")
    else:
        kept.append(f"the NumPy network's initial weights ({init})")
    kept += [f"the hidden size ({p.hidden})", "the subset and the seed"]
    changes = f"changes {and_join(changed)}" if changed else "changes none of the main run's settings"
    return Prose(
        f"The paper-like preset {changes}; PyTorch keeps the default initialisation of `nn.Linear`, and each "
        f"network draws its own weights and order, as in the study. It keeps {and_join(kept)} (the reasoning "
        "is in `core/params.py`)."
    )


def main_curves(S: Study, v: V.Parity) -> str:
    """The main run's two curves, which start from the same weights."""
    first = {m: num(net.first.test_loss, 3) for m, net in S.main.models.items()}
    at = f"at learning rate {S.params.lr:g} and batch {S.params.batch_size}"
    if v.decision == "same":
        return Prose(
            f"Our main run starts both networks from the same weights, so its two curves coincide ({at}, a "
            f"test loss of {first['numpy']} for both after the first epoch, @fig-curves), where the study's "
            "differ."
        )
    return Prose(
        f"Our main run starts both networks from the same weights, yet its two curves differ by more than "
        f"round-off: {at}, test losses of {first['numpy']} for NumPy and {first['pytorch']} for PyTorch after "
        "the first epoch (@fig-curves)."
    )


def shapes(v: V.PaperShapes) -> str:
    """Whether the preset reproduces the study's two shapes, and what that means."""
    if v.decision == "reproduced":
        return Prose(
            "The preset reproduces both shapes, a NumPy curve that starts near chance level and a PyTorch "
            "curve that starts lower, with the training code of the main run for both networks "
            "(@sec-fairness compares them from the same weights). The study's two curves are what two "
            "initialisations and small steps produce; they are not evidence of a difference between the "
            "frameworks."
        )
    return Prose(
        f"The preset does not reproduce the study's shapes: it lacks {paper_lacks(v)}, with the training code "
        "of the main run for both networks (@sec-fairness compares them from the same weights). With these "
        "parameters the preset does not show what separates the study's curves."
    )


def facts(S: Study, verdicts: V.Verdicts) -> StudyVsOurs:
    assert not isinstance(verdicts.parity, V.NotTaken)  # NEEDS_MAIN
    return StudyVsOurs(
        S=S,
        verdicts=verdicts,
        main_curves=main_curves(S, verdicts.parity),
        preset=preset_changes(S.params),
        shapes=not_taken(verdicts.paper) if isinstance(verdicts.paper, V.NotTaken) else shapes(verdicts.paper),
    )
