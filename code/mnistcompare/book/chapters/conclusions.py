"""Conclusions: what we find, point by point, against the study's conclusions."""

from __future__ import annotations

from dataclasses import dataclass

from ...study import experiments
from .. import labels, verdicts as V
from ..report import Prose, limit_shares, max_parity_gap, median, pct, sci_text
from .base import Chapter, missing
from .index import missing_parts


NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition

@dataclass(frozen=True, kw_only=True)
class Conclusions(Chapter):
    agree: str
    gap_first: str
    same_alg: str
    seeds: str
    speed_text: str
    limit_text: str
    curves: str
    bends: str
    loc_np: str
    loc_pt: str
    bought: str
    faster_words: str

    def missing_note(self):
        return missing_parts(self.S, "This book")


def facts(S: dict, loaded=None) -> Conclusions:
    main, cx = S["main"], S["complexity"]
    verdicts = {"parity": V.parity(S), "speed": V.speed(S, median(main, "numpy"), median(main, "pytorch"))}
    for name, needs, verdict in (("seeds", "seeds", V.seed_accuracy), ("paper", "paper_like", V.paper_shapes)):
        if not missing(S, needs):
            verdicts[name] = verdict(S)
    gone_2d = [d for d in experiments.diverged(S, "boundaries") if d["input"] == "2 components"]
    if not gone_2d:
        verdicts["boundaries"] = V.boundaries(S)
    return Conclusions(
        S=S, verdicts=verdicts, agree=verdicts["parity"].words["agree"], gap_first=sci_text(max_parity_gap(S)["first_epoch_train_loss"]),
        same_alg=verdicts["parity"].words["conclusion"],
        seeds=(f"{verdicts['seeds'].text} The study's claim that PyTorch is more accurate "
               f"{verdicts['seeds'].words['claim']}." if "seeds" in verdicts else
               Prose(f"The independent seeds are not compared: {labels.divergences(experiments.diverged(S, 'seeds'))}.")),
        speed_text=verdicts["speed"].text, limit_text=limit_text(S),
        curves=(Prose(f"{verdicts['paper'].words['conclusion']} (@sec-study-vs-ours).") if "paper" in verdicts else
                Prose(f"The study's curves are not reproduced here: "
                      f"{labels.divergences(experiments.diverged(S, 'paper_like'))}.")),
        bends=(f"on the same features {verdicts['boundaries'].text}" if "boundaries" in verdicts else
               f"whether the two networks bend it the same way is not known here, because {labels.divergences(gone_2d)}"),
        loc_np=str(cx["numpy"]["model and gradients"] + cx["numpy"]["training loop"]),
        loc_pt=str(cx["pytorch"]["model and gradients"] + cx["pytorch"]["training loop"]),
        bought=(verdicts["seeds"].words["bought"] if "seeds" in verdicts else
                "the diverged seeds cannot say whether the framework bought accuracy"),
        faster_words=verdicts["speed"].words["faster"],
    )


def limit_text(S: dict) -> str:
    """The five matrix products both loops hand to BLAS, and each loop's share of their rate."""
    shares = limit_shares(S)
    if None in shares.values():
        return Prose("Both hand the same five matrix products per step to an optimised BLAS; what share of each step "
                     "the products take could not be measured on this run (@sec-benchmark).")
    return Prose(f"Both hand the same five matrix products per step to an optimised BLAS; timed alone, NumPy's loop "
                 f"reaches {pct(shares['numpy'], 0)} of those products' rate and PyTorch's {pct(shares['pytorch'], 0)}: "
                 "what differs is the overhead around them (@sec-benchmark).")
