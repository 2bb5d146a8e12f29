"""Conclusions: what we find, point by point, against the study's conclusions."""

from __future__ import annotations

from dataclasses import dataclass

from ...study import experiments
from .. import labels, verdicts as V
from ..report import Prose, matmul_fractions, max_parity_gap, median, sci_text
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
    np_frac: str
    pt_frac: str
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
    np_frac, pt_frac = matmul_fractions(S)
    return Conclusions(
        S=S, verdicts=verdicts, agree=verdicts["parity"].words["agree"], gap_first=sci_text(max_parity_gap(S)["first_epoch_train_loss"]),
        same_alg=verdicts["parity"].words["conclusion"],
        seeds=(f"Over independent seeds the mean accuracies {verdicts['seeds'].text}." if "seeds" in verdicts else
               Prose(f"The independent seeds are not compared: {labels.divergences(experiments.diverged(S, 'seeds'))}.")),
        speed_text=verdicts["speed"].text, np_frac=np_frac, pt_frac=pt_frac,
        curves=(Prose(f"{verdicts['paper'].words['conclusion']} (@sec-study-vs-ours).") if "paper" in verdicts else
                Prose(f"The study's curves are not reproduced here: "
                      f"{labels.divergences(experiments.diverged(S, 'paper_like'))}.")),
        bends=(f"on the same features {verdicts['boundaries'].text}" if "boundaries" in verdicts else
               f"whether the two networks bend it the same way is not known here, because {labels.divergences(gone_2d)}"),
        loc_np=str(cx["numpy"]["model and gradients"] + cx["numpy"]["training loop"]),
        loc_pt=str(cx["pytorch"]["model and gradients"] + cx["pytorch"]["training loop"]),
        bought=(verdicts["seeds"].words["bought"] if "seeds" in verdicts else
                "the diverged seeds cannot say whether it bought accuracy"),
        faster_words=verdicts["speed"].words["faster"],
    )
