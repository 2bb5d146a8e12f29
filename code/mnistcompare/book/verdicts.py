"""The book's comparisons: each a decision taken by a stated rule from the study's numbers.

A fork that changes params.yml gets a book about its own run, so no comparison is typed
into a chapter. Each comparison is one function here that returns a `Verdict`: the
decision its rule takes and the quantities it was decided on. Each rule and its
threshold is stated in the function's docstring and defined once, as a constant below;
the words that say a decision live with the sentence that uses them, in the chapter's
module (book/chapters/). The tests check the decisions against numbers they recompute
themselves (tests/test_verdicts.py, tests/test_fork.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..study import stats
from ..study.records import Study
from .report import limit_shares

# float32 carries about 7 significant digits; a relative difference below 1e-5 (about
# a hundred units in the last place) after one epoch is round-off, not a different algorithm.
ROUNDOFF_REL = 1e-5
# The study's curves: NumPy starts "above 2.00", near chance (ln 10 = 2.30); PyTorch
# starts "around 1.25". A run reproduces them when NumPy's first-epoch test loss is
# within 20% of chance and PyTorch's is lower by at least 0.5.
CHANCE_LOSS = math.log(10)
NEAR_CHANCE = 0.8 * CHANCE_LOSS
START_GAP = 0.5
# Two networks bend a boundary the same way when their regions agree on 95% of the plane.
SAME_REGION = 0.95
# Overfitting gaps (test loss - training loss after the last epoch) are the same within
# 10% of the larger one, or 0.005 in absolute terms.
SAME_GAP_REL, SAME_GAP_ABS = 0.10, 0.005
# A float64 gradient is right when its relative error against central differences is
# below FD_RIGHT (truncation and rounding at eps = 1e-6 leave about 1e-9); a float32
# gradient when its error against autograd is float32 round-off (ROUNDOFF_REL).
FD_RIGHT = 1e-6
# A PyTorch step "spends more time issuing operations than multiplying matrices" when it
# reaches less than half of the rate of its matrix products alone.
OVERHEAD_FRACTION = 0.5
# What the study states of its training set-up: "the value of the loss on the test data
# during the 20 epoch of the training" (its Figures 4.1 and 4.2). It gives no hidden size,
# learning rate or batch size.
STUDY_STATED = {"epochs": 20}


@dataclass(frozen=True)
class Verdict:
    """A decision taken by a stated rule, and the quantities it was decided on, read as
    attributes (`v.rel`, `v.interval`).

    decision  one of the rule's outcomes (each function's docstring lists them)
    numbers   the quantities, by name
    """

    decision: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        numbers = self.__dict__.get("numbers", {})
        if name in numbers:
            return numbers[name]
        raise AttributeError(f"this verdict ({self.decision}) has no {name!r}")


# --- parity: the same algorithm in both libraries? --------------------------------------------


def parity(S: Study) -> Verdict:
    """ "same" when the main run's first-epoch |NumPy - PyTorch| training loss, relative to the
    loss, is below ROUNDOFF_REL (float32 round-off), else "different". Numbers: rel, gap
    (the absolute difference)."""
    gap = S.main.parity.train_loss_abs_diff[0]
    rel = gap / abs(S.main.models["numpy"].first.train_loss)
    return Verdict("same" if rel < ROUNDOFF_REL else "different", {"rel": rel, "gap": gap})


# --- means over independent seeds ------------------------------------------------------------


def seed_values(S: Study, metric: str) -> dict[str, list[float]]:
    """Each network's final value of `metric` in each independent seed."""
    return {m: [getattr(run.models[m].last, metric) for run in S.seeds] for m in ("numpy", "pytorch")}


def seed_comparison(S: Study, metric: str = "test_accuracy") -> Verdict:
    """Whether the networks' mean final `metric` (test_accuracy or test_loss) over the
    independent seeds differs, by Welch's 95% interval for PyTorch's mean minus NumPy's
    and the metric's margin (SEED_METRICS; stats.decide): "numpy" or "pytorch" (the better
    one: the higher accuracy, the lower loss) when the interval excludes 0, "same" when it
    lies inside +-margin, "cannot tell" otherwise and with a single seed. Numbers: metric,
    n (seeds), diff (PyTorch's mean minus NumPy's), interval (None with one seed), margin,
    seeds_needed (stats.seeds_needed)."""
    spec = stats.SEED_METRICS[metric]
    values = seed_values(S, metric)
    iv = stats.welch(values["numpy"], values["pytorch"])
    diff = float(np.mean(values["pytorch"]) - np.mean(values["numpy"]))
    decision = stats.decide(iv, spec.margin)
    if decision == "different":
        decision = "pytorch" if (diff > 0) == spec.higher_better else "numpy"
    return Verdict(
        decision,
        {
            "metric": metric,
            "n": len(values["numpy"]),
            "diff": diff,
            "interval": iv,
            "margin": spec.margin,
            "seeds_needed": stats.seeds_needed(iv, spec.margin),
        },
    )


# The starts the initialisation experiment sets against the shared one: the experiment,
# the network it trains.
OTHER_STARTS = {"init_only": "pytorch", "init_small": "numpy"}


def starts_wash_out(S: Study) -> Verdict:
    """Whether the starting point washes out by the last epoch. Each other start was run once
    (OTHER_STARTS); its final test loss is set against the independent seeds of the same
    network, which all draw the shared start's scheme, by the 95% prediction interval for
    one run against them (stats.one_run) and LOSS_MARGIN: "persists" when any start's
    interval excludes 0, "washes out" when every one lies inside +-margin, "cannot tell"
    otherwise and with a single seed. Numbers: n (seeds), intervals (by experiment),
    found (each start's stats.decide), seeds_needed (for the widest interval; None when no
    number of seeds would do)."""
    losses = seed_values(S, "test_loss")
    ivs = {e: stats.one_run(losses[m], getattr(S, e).models[m].last.test_loss) for e, m in OTHER_STARTS.items()}
    found = {e: stats.decide(iv, stats.LOSS_MARGIN) for e, iv in ivs.items()}
    if "different" in found.values():
        decision = "persists"
    elif all(d == "same" for d in found.values()):
        decision = "washes out"
    else:
        decision = "cannot tell"
    known = [iv for iv in ivs.values() if iv is not None]
    widest = max(known, key=lambda iv: iv.half) if known else None
    return Verdict(
        decision,
        {
            "n": len(S.seeds),
            "intervals": ivs,
            "found": found,
            "seeds_needed": stats.seeds_needed(widest, stats.LOSS_MARGIN),
        },
    )


# --- time ---------------------------------------------------------------------------------------


def faster(a: float, b: float) -> str:
    """ "a" when a takes less time than b by more than SAME_TIME, "b" when b does, "same"
    within it (the longer time over the shorter, minus 1)."""
    if max(a, b) / min(a, b) - 1 <= stats.SAME_TIME:
        return "same"
    return "a" if a < b else "b"


def speed(S: Study) -> Verdict:
    """Which network trains faster in the main run: "numpy", "pytorch", or "same" within
    SAME_TIME of each other's median epoch. Numbers: numpy, pytorch (median seconds per
    epoch)."""
    sec = {m: S.main.models[m].median("seconds") for m in ("numpy", "pytorch")}
    decision = {"a": "numpy", "b": "pytorch", "same": "same"}[faster(sec["numpy"], sec["pytorch"])]
    return Verdict(decision, sec)


def pytorch_overhead(S: Study) -> Verdict:
    """Where a PyTorch training step's time goes, from the study's benchmark (best repeats,
    report.limit_shares): "overhead" when it reaches under OVERHEAD_FRACTION of the rate
    of its matrix products alone, "arithmetic" when it reaches more, "unknown" when the
    limit was not measured (PyTorch's best epoch beat it). Numbers: share."""
    share = limit_shares(S)["pytorch"]
    if share is None:
        return Verdict("unknown", {"share": None})
    return Verdict("overhead" if share < OVERHEAD_FRACTION else "arithmetic", {"share": share})


def idiom(S: Study, group: str, chosen: str, other: str) -> Verdict:
    """Whether the idiom the loop uses (`chosen`) beats the alternative (`other`), from the
    study's timing of PyTorch's idioms: "faster", "same" (within SAME_TIME) or "slower".
    Numbers: chosen, other (seconds per step, or per evaluation)."""
    t = S.pytorch_idioms.seconds[group]
    decision = {"a": "faster", "b": "slower", "same": "same"}[faster(t[chosen], t[other])]
    return Verdict(decision, {"chosen": t[chosen], "other": t[other]})


def sgd_variants(S: Study) -> Verdict:
    """Whether SGD's foreach or fused update pays here, by SAME_TIME: "pays" when the better
    of the two saves more than SAME_TIME of a PyTorch training step (the main run's median
    epoch over its steps), "keep" when it does not or saves nothing, "unknown" without a
    finished epoch to compare with. Numbers: best ("foreach" or "fused"), saving and step
    (seconds), share (saving / step; None without a step)."""
    sgd = S.pytorch_idioms.seconds["sgd"]
    best = min(("foreach", "fused"), key=lambda k: sgd[k])
    saving = sgd["for-loop"] - sgd[best]
    network = S.main.models["pytorch"]
    if not network.history:  # the main run diverged in its first epoch: no step to compare with
        return Verdict(
            "unknown" if saving > 0 else "keep", {"best": best, "saving": saving, "step": None, "share": None}
        )
    step = network.median("seconds") / math.ceil(S.main.data.n_train / S.main.params.batch_size)
    share = saving / step
    return Verdict(
        "pays" if share > stats.SAME_TIME else "keep", {"best": best, "saving": saving, "step": step, "share": share}
    )


# --- the study's curves -------------------------------------------------------------------------


def paper_shapes(S: Study) -> Verdict:
    """Does the paper-like preset reproduce the study's two starts? "reproduced" when its
    NumPy first-epoch test loss is at least NEAR_CHANCE and PyTorch's lower by at least
    START_GAP, else "not reproduced". Numbers: numpy, pytorch (first-epoch test losses),
    near_chance, lower (whether each part of the rule holds)."""
    first = {m: net.first.test_loss for m, net in S.paper_like.models.items()}
    near_chance = first["numpy"] >= NEAR_CHANCE
    lower = first["numpy"] - first["pytorch"] >= START_GAP
    return Verdict(
        "reproduced" if near_chance and lower else "not reproduced",
        {**first, "near_chance": near_chance, "lower": lower},
    )


# --- overfitting, the 3-versus-8 boundary, the gradients -----------------------------------------


def overfitting(S: Study) -> Verdict:
    """Whether the last epoch's test-minus-training loss gap is the same for both networks:
    "same" within SAME_GAP_REL of the larger gap (or SAME_GAP_ABS), else the network that
    overfits more, "numpy" or "pytorch". Numbers: numpy, pytorch (the gaps)."""
    gaps = {m: net.last.test_loss - net.last.train_loss for m, net in S.main.models.items()}
    diff, largest = abs(gaps["numpy"] - gaps["pytorch"]), max(abs(g) for g in gaps.values())
    decision = "same" if diff <= max(SAME_GAP_REL * largest, SAME_GAP_ABS) else max(gaps, key=gaps.get)
    return Verdict(decision, gaps)


def boundaries(S: Study) -> Verdict:
    """ "same" when the two networks' 3-versus-8 regions agree on at least SAME_REGION of the
    plane, else "different". Numbers: share (of the plane where they agree)."""
    c = S.boundaries.classifiers
    share = float(np.mean(np.asarray(c["numpy"].grid) == np.asarray(c["pytorch"].grid)))
    return Verdict("same" if share >= SAME_REGION else "different", {"share": share})


def projection_loss(S: Study) -> Verdict:
    """What two principal components cost the 3-versus-8 classifiers that trained on both
    inputs: "every classifier" when each does better with all 784 pixels than with the two
    components, else "not every". Numbers: gains (accuracy on the pixels minus on the
    components, by classifier), worse (the classifiers that do not gain)."""
    gains = {
        k: c.accuracy_full - c.accuracy_2d
        for k, c in S.boundaries.classifiers.items()
        if c.accuracy_2d is not None and c.accuracy_full is not None
    }
    worse = [k for k, g in gains.items() if g <= 0]
    return Verdict("not every" if worse else "every classifier", {"gains": gains, "worse": worse})


def gradients(S: Study) -> Verdict:
    """ "right" when the hand-written gradients' largest relative error is below FD_RIGHT
    against central differences (float64) and below ROUNDOFF_REL against autograd
    (float32), else "wrong". Numbers: fd, autograd (the largest errors)."""
    g = S.gradients
    fd, auto = max(g.finite_differences.values()), max(g.autograd.values())
    return Verdict("right" if fd < FD_RIGHT and auto < ROUNDOFF_REL else "wrong", {"fd": fd, "autograd": auto})


def study_settings(S: Study) -> Verdict:
    """How the main run's settings stand to the study's (STUDY_STATED): "same" when every
    setting the study states is ours too, else "different". Numbers: epochs (the study's)."""
    same = all(getattr(S.params, k) == v for k, v in STUDY_STATED.items())
    return Verdict("same" if same else "different", {"epochs": STUDY_STATED["epochs"]})
