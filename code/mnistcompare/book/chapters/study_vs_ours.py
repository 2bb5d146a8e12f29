"""The study's figures beside ours: what the study's text says of its curves, and our
paper-like preset."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import params as P
from ...study import registry
from .. import labels, plots, verdicts as V
from ..report import Prose, and_join, md_table, num, paper_rows, paper_series, table
from .base import Chapter, either, missing, shown

# The preset's keys in words, and what a change of each means.
PRESET_WORDS = {"lr": "learning rate", "batch_size": "minibatch size", "epochs": "epochs"}


NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition

@dataclass(frozen=True, kw_only=True)
class StudyVsOurs(Chapter):
    main_curves: str
    preset: str
    shapes: str

    def fig_paper(self):
        def draw():
            series, points = paper_series(self.S)
            ours = "; ".join(f"{name} from {num(h[0]['value'], 3)} to {num(h[-1]['value'], 3)}" for name, h in series.items())
            theirs = "; ".join(f"{p['series']} {p['value']:.2f} at epoch {p['epoch']}" for p in points)
            alt = f"Test loss per epoch of the paper-like preset: {ours}. The study's values, as points: {theirs}."
            return plots.series_curves(series, alt, "fig-paper", metric="value", title="test loss", points=points)

        return shown(self.S, ("paper_like",), draw)

    def tbl_paper(self):
        return shown(self.S, ("paper_like",), lambda: table(md_table(
            ["network", "epoch", "the study", "ours (paper-like)"], paper_rows(self.S), align="lrlr")))


def preset_changes(p: P.Params) -> str:
    """What the paper-like preset changes of the study's parameters, and what it keeps."""
    q = registry.paper_like_params(p)
    changed = [f"the {PRESET_WORDS[k]} from {getattr(p, k):g} to {getattr(q, k):g}"
               for k in PRESET_WORDS if getattr(p, k) != getattr(q, k)]
    kept = [f"the {PRESET_WORDS[k]} ({getattr(p, k):g})" for k in PRESET_WORDS if getattr(p, k) == getattr(q, k)]
    init = f"{labels.INIT_NAMES[q.init]}, {labels.INIT_DRAWS[q.init]}"
    if p.init != q.init:
        changed.append(f"the NumPy network's initial weights from {labels.INIT_NAMES[p.init]} to {init}")
    else:
        kept.append(f"the NumPy network's initial weights ({init})")
    kept += [f"the hidden size ({p.hidden})", "the subset and the seed"]
    changes = f"changes {and_join(changed)}" if changed else "changes none of the main run's settings"
    return Prose(f"The paper-like preset {changes}; PyTorch keeps the default initialisation of `nn.Linear`, and each network "
                 f"draws its own weights and order, as in the study. It keeps {and_join(kept)} (the reasoning is in "
                 "`core/params.py`).")


def facts(S: dict, loaded=None) -> StudyVsOurs:
    p, main = P.Params(**S["params"]), S["main"]
    verdicts = {"parity": V.parity(S)}
    first = {m: main["models"][m]["history"][0]["test_loss"] for m in ("numpy", "pytorch")}
    at = f"at learning rate {p.lr:g} and batch {p.batch_size}"
    main_curves = Prose(
        f"Our main run starts both networks from the same weights, {verdicts['parity'].words['coincide']} ({at}, a "
        f"test loss of {num(first['numpy'], 3)} for both after the first epoch, @fig-curves), where the study's differ."
        if verdicts["parity"].decision == "same" else
        f"Our main run starts both networks from the same weights, {verdicts['parity'].words['coincide']}: {at}, "
        f"test losses of {num(first['numpy'], 3)} for NumPy and {num(first['pytorch'], 3)} for PyTorch after the first "
        "epoch (@fig-curves).")
    if not missing(S, "paper_like"):
        verdicts["paper"] = V.paper_shapes(S)
    shapes = either(S, ("paper_like",), lambda: Prose(
        f"The preset {verdicts['paper'].text}, with the training code of the main run for both networks "
        f"(@sec-fairness compares them from the same weights). {verdicts['paper'].words['meaning']}"))
    return StudyVsOurs(S=S, verdicts=verdicts, main_curves=main_curves, preset=preset_changes(p), shapes=shapes)
