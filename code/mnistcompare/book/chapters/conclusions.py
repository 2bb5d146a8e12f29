"""Conclusions: what we find, point by point, against the study's conclusions."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import networks
from ...study import stats
from ...study.records import Study
from .. import bench_tables, labels
from .. import verdicts as V
from ..formatting import pct, sci_text
from ..markdown import Prose
from .base import Chapter
from .compiled_network import cost
from .decision_boundary import diverged_on
from .fairness import seed_sentence
from .index import missing_parts, paper_lacks, speed_sentence

NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition


@dataclass(frozen=True, kw_only=True)
class Conclusions(Chapter):
    accuracy: str
    speed: str
    limit: str
    cost: str
    curves: str
    bends: str
    loc_np: str
    loc_pt: str
    bought: str

    def missing_note(self):
        return missing_parts(self.S)


def accuracy(S: Study, parity: V.Parity, seeds: V.SeedComparison | V.NotTaken) -> str:
    """The main run's parity, then the seeds and how the study's accuracy claim stands."""
    if parity.decision == "same":
        same = (
            f"Started from the same weights and fed the same minibatches, the two implementations agree to "
            f"{sci_text(parity.gap)} after one epoch: they are the same algorithm."
        )
    else:
        same = (
            f"Started from the same weights and fed the same minibatches, the two implementations differ by "
            f"{sci_text(parity.gap)} after one epoch, more than round-off (a relative difference of "
            f"{sci_text(parity.rel)}, above {V.ROUNDOFF_REL:.0e})."
        )
    if isinstance(seeds, V.NotTaken):
        return Prose(f"{same} The independent seeds are not compared: {labels.divergences(S.divergences('seeds'))}.")
    claim = {
        "pytorch": "The study's claim that PyTorch is more accurate is what we measure too.",
        "numpy": "The study's claim that PyTorch is more accurate is the opposite of what we measure.",
        "same": "The study's claim that PyTorch is more accurate is refuted by this run.",
        "cannot tell": "The study's claim that PyTorch is more accurate is untested by this run.",
    }[seeds.decision]
    return Prose(f"{same} {seed_sentence(seeds)} {claim}")


def limit(S: Study) -> str:
    """The five matrix products both loops hand to BLAS, and each loop's share of their rate."""
    shares = bench_tables.eager_shares(S.bench.run)
    if shares is None:
        return Prose(
            "Both hand the same five matrix products per step to an optimised BLAS; what share of each step "
            "the products take could not be measured on this run (@sec-benchmark)."
        )
    return Prose(
        f"Both hand the same five matrix products per step to an optimised BLAS; timed alone (the fastest way "
        f"measured: {labels.LIMITS[S.bench.run.fastest_limit]}), NumPy's loop "
        f"reaches {pct(shares['numpy'], 0)} of those products' rate and PyTorch's {pct(shares['pytorch'], 0)}: "
        "what differs is the overhead around them (@sec-benchmark)."
    )


def curves(S: Study, v: V.PaperShapes | V.NotTaken) -> str:
    if isinstance(v, V.NotTaken):
        return Prose(f"The study's curves are not reproduced here: {labels.divergences(S.divergences('paper_like'))}.")
    if v.decision == "reproduced":
        return Prose(
            "The study's higher and slower NumPy curve is reproduced by a small initialisation and small steps: "
            "it says how the network was started, not which library trained it (@sec-study-vs-ours)."
        )
    return Prose(
        f"Our paper-like preset does not reproduce the study's shapes: it lacks {paper_lacks(v)} (@sec-study-vs-ours)."
    )


def bends(S: Study, v: V.Boundaries | V.NotTaken) -> str:
    """Whether the two networks bend the 3-versus-8 boundary alike."""
    if isinstance(v, V.NotTaken):
        return Prose(
            f"Whether the two networks bend the boundary the same way is not known here, because "
            f"{labels.divergences(diverged_on(S, 'accuracy_2d'))} (@sec-decision-boundary)."
        )
    if v.decision == "same":
        return Prose(
            f"On the same two features the two networks bend the boundary the same way: their regions agree "
            f"on {v.share:.1%} of the plane (@sec-decision-boundary)."
        )
    return Prose(
        f"On the same two features the two networks bend the boundary differently: their regions agree on only "
        f"{v.share:.1%} of the plane (@sec-decision-boundary)."
    )


def bought(seeds: V.SeedComparison | V.NotTaken, speed: V.Speed) -> str:
    """What the framework bought here, in accuracy and in time."""
    accuracy = {
        "not taken": "Here the diverged seeds cannot say whether the framework bought accuracy",
        "pytorch": "Here the framework bought accuracy (the interval over the seeds excludes 0)",
        "numpy": "Here the framework bought no accuracy (the NumPy network was the more accurate over the seeds)",
        "same": f"Here the framework bought no accuracy beyond the ±{100 * stats.ACCURACY_MARGIN:.2f}-point margin",
        "cannot tell": "Here this run cannot tell whether the framework bought accuracy",
    }[seeds.decision]
    time = {
        "numpy": "NumPy trained faster",
        "pytorch": "PyTorch trained faster",
        "same": "neither trained faster",
        "cannot tell": "this run cannot tell whether either trained faster",
    }[speed.decision]
    return f"{accuracy}, and {time}."


def facts(S: Study, verdicts: V.Verdicts) -> Conclusions:
    assert not isinstance(verdicts.parity, V.NotTaken) and not isinstance(verdicts.speed, V.NotTaken)  # NEEDS_MAIN
    return Conclusions(
        S=S,
        verdicts=verdicts,
        accuracy=accuracy(S, verdicts.parity, verdicts.seeds),
        speed=speed_sentence(S, verdicts.speed),
        limit=limit(S),
        cost=cost(verdicts.eager_cost),
        curves=curves(S, verdicts.paper),
        bends=bends(S, verdicts.boundaries),
        loc_np=str(S.complexity[networks.get("numpy").source].model_and_loop),
        loc_pt=str(S.complexity[networks.get("pytorch").source].model_and_loop),
        bought=bought(verdicts.seeds, verdicts.speed),
    )
