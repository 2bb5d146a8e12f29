"""The book's comparisons: each a decision taken by a stated rule from the study's numbers,
computed once per study into one typed object that the chapters read.

A fork that changes params.yml gets a book about its own run, so no comparison is typed
into a chapter. Each comparison is one rule function here that returns its own frozen
dataclass: the decision its rule takes (a Literal of the rule's outcomes) and the
quantities it was decided on. Each rule and its threshold is stated in the function's
docstring and defined once, as a constant below. `of(S)` takes every verdict of a study
at once (`Verdicts`); a verdict whose experiment diverged is `NotTaken`, with the
divergences that prevented it. The words that say a decision live with the sentence
that uses them, in the chapter's module (book/chapters/), which reads `Verdicts` and
never calls a rule. The tests check the decisions against numbers they recompute
themselves (tests/test_verdicts.py, tests/test_fork.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..core.records import Divergence
from ..study import stats
from ..study.records import Study
from ..study.stats import Interval

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


# --- what a verdict is -----------------------------------------------------------------------


@dataclass(frozen=True)
class NotTaken:
    """A verdict that could not be taken: an experiment it needs diverged (`diverged` says
    which network of which run)."""

    diverged: tuple[Divergence, ...]
    decision: Literal["not taken"] = "not taken"


@dataclass(frozen=True)
class Parity:
    rel: float  # the first epoch's |NumPy - PyTorch| training loss over NumPy's
    gap: float  # the absolute difference
    decision: Literal["same", "different"]


@dataclass(frozen=True)
class SeedComparison:
    metric: str
    n: int  # seeds per network at the look that decided (else the last)
    ran: int  # seeds the study ran (more than n when other questions needed them)
    diff: float  # PyTorch's mean minus NumPy's over those n seeds
    interval: Interval | None  # None with one seed
    margin: float
    seeds_needed: int | None
    auto: bool  # seeds added in rounds (seeds: auto) rather than fixed
    decision: Literal["numpy", "pytorch", "same", "cannot tell"]


@dataclass(frozen=True)
class WashOut:
    n: int  # seeds of the shared start (the seeds' own runs)
    intervals: dict[str, Interval | None]  # by experiment (OTHER_STARTS), paired over seeds; None: empty or one seed
    pairs: dict[str, int]  # seeds each start ran (0: empty)
    found: dict[str, str]  # each start's decision over its seeds, or "empty" (the start is the shared one)
    seeds_needed: int | None  # for the widest open interval; None when none is open or no number would do
    decision: Literal["persists", "washes out", "cannot tell"]


@dataclass(frozen=True)
class Speed:
    numpy: float  # median seconds per epoch
    pytorch: float
    ratio: float  # the geometric mean over the epochs of PyTorch's epoch over NumPy's (above 1: NumPy faster)
    interval: Interval | None  # for the mean log-ratio (kind "log ratio"); None with one epoch
    epochs: int  # the paired epochs
    rule: Literal["interval", "one epoch"]
    decision: Literal["numpy", "pytorch", "same", "cannot tell"]


@dataclass(frozen=True)
class Overhead:
    share: float | None  # PyTorch's share of the matmul limit; None: not measured
    decision: Literal["overhead", "arithmetic", "unknown"]


@dataclass(frozen=True)
class Idiom:
    chosen: float  # seconds per step (per evaluation) of the idiom the loop uses
    other: float  # of the alternative
    decision: Literal["faster", "same", "slower"]


@dataclass(frozen=True)
class SgdVariants:
    best: str  # "foreach" or "fused"
    saving: float  # seconds per step against the for-loop
    step: float | None  # a PyTorch training step; None without a finished epoch
    share: float | None  # saving / step
    decision: Literal["pays", "keep", "unknown"]


@dataclass(frozen=True)
class PaperShapes:
    numpy: float  # first-epoch test losses of the paper-like preset
    pytorch: float
    near_chance: bool  # whether each part of the rule holds
    lower: bool
    decision: Literal["reproduced", "not reproduced"]


@dataclass(frozen=True)
class Overfitting:
    numpy: float  # test minus training loss after the last epoch
    pytorch: float
    decision: Literal["same", "numpy", "pytorch"]


@dataclass(frozen=True)
class Boundaries:
    share: float  # of the plane where the two networks' regions agree
    decision: Literal["same", "different"]


@dataclass(frozen=True)
class Projection:
    gains: dict[str, float]  # accuracy on the pixels minus on the components, by classifier
    worse: list[str]  # the classifiers that do not gain
    decision: Literal["every classifier", "not every"]


@dataclass(frozen=True)
class Gradients:
    fd: float  # the largest relative errors
    autograd: float
    decision: Literal["right", "wrong"]


@dataclass(frozen=True)
class Settings:
    epochs: int  # the study's
    decision: Literal["same", "different"]


@dataclass(frozen=True)
class Unavailable:
    """A network that could not run on this machine (torch.compile without a C++ compiler):
    `why` says so."""

    why: str
    decision: Literal["unavailable"] = "unavailable"


@dataclass(frozen=True)
class Speedup:
    """How one loop's epoch time stands to another's in the study's benchmark, from the
    repeats (interleaved, so each repeat is a pair): stats.compare_times."""

    loop: str  # the loop weighed (a trainer of the benchmark)
    against: str  # the loop it is weighed against
    loop_s: float  # median seconds per epoch
    against_s: float
    ratio: float  # geometric mean of against / loop over the repeats: above 1, `loop` is faster
    interval: Interval | None  # for the mean log-ratio; None with a single repeat
    compile_s: float | None  # compiling `loop`, apart from its epochs
    pays_after: float | None  # study epochs (of the main run's images) after which compiling pays; None: never
    decision: Literal["faster", "slower", "same", "cannot tell"]


@dataclass(frozen=True)
class EagerCost:
    """Whether the framework's time on this CPU is the framework's or eager execution's."""

    fastest: str  # the fastest compiled loop of the benchmark
    versus_numpy: Literal["faster", "slower", "same", "cannot tell"]  # its speed against NumPy by hand
    decision: Literal["eager execution", "the framework", "cannot tell"]


# --- parity: the same algorithm in both libraries? --------------------------------------------


def parity(S: Study, network: str = "pytorch") -> Parity:
    """ "same" when the main run's first-epoch |network - NumPy| training loss, relative to
    NumPy's loss, is below ROUNDOFF_REL (float32 round-off), else "different"."""
    gap = S.main.parity[network].train_loss_abs_diff[0]
    rel = gap / abs(S.main.models["numpy"].first.train_loss)
    return Parity(rel, gap, "same" if rel < ROUNDOFF_REL else "different")


# --- means over independent seeds ------------------------------------------------------------


def seed_values(S: Study, metric: str) -> dict[str, list[float]]:
    """Each network's final value of `metric` in each independent seed."""
    return {m: [getattr(run.models[m].last, metric) for run in S.seeds] for m in ("numpy", "pytorch")}


def seed_comparison(S: Study, metric: str = "test_accuracy") -> SeedComparison:
    """Whether the networks' mean final `metric` (test_accuracy or test_loss) over the
    independent seeds differs, as the study settled it (study/questions.py: Welch's
    interval for PyTorch's mean minus NumPy's, the metric's margin, the plan's looks and
    Holm's correction over the questions): "numpy" or "pytorch" (the better one: the
    higher accuracy, the lower loss) when the interval excludes 0, "same" when it lies
    inside +-margin, "cannot tell" otherwise and with a single seed."""
    q, auto = S.seed_questions.questions[metric], S.seed_questions.auto
    spec = stats.SEED_METRICS[metric]
    if q.interval is None:  # a single seed
        values = seed_values(S, metric)
        diff = float(np.mean(values["pytorch"]) - np.mean(values["numpy"]))
        return SeedComparison(metric, q.n, q.n, diff, None, spec.margin, None, auto, "cannot tell")
    decision = q.decision
    if decision == "different":
        decision = "pytorch" if (q.interval.diff > 0) == spec.higher_better else "numpy"
    return SeedComparison(
        metric,
        q.at,
        q.n,
        q.interval.diff,
        q.interval,
        spec.margin,
        q.seeds_needed,
        auto,
        decision,  # type: ignore[arg-type]
    )


# The starts the initialisation experiment sets against the shared one: the experiment,
# the network it trains.
OTHER_STARTS = {"init_only": "pytorch", "init_small": "numpy"}


def starts_wash_out(S: Study) -> WashOut:
    """Whether the starting point washes out by the last epoch, as the study settled it
    (study/questions.py). Each other start (OTHER_STARTS) ran over the seeds, each seed
    replaying the data and minibatch order of the seed's own network, which drew the
    shared start's scheme; its final test loss minus that network's, paired by seed, is
    decided by the interval for the mean difference and LOSS_MARGIN. A start that is the
    study's `init` (`init: pytorch` for PyTorch's own, `init: small` for the small one) is
    "empty": it did not run, and is left out. "persists"
    when any start's interval excludes 0, "washes out" when every other lies inside
    +-margin, "cannot tell" otherwise and with a single seed. seeds_needed: for the widest
    open interval; None when no number of seeds would do."""
    qs = S.seed_questions.questions
    found = {e: qs[e].decision for e in OTHER_STARTS}
    asked = [d for d in found.values() if d != "empty"]
    decision: Literal["persists", "washes out", "cannot tell"]
    if "different" in asked:
        decision = "persists"
    elif asked and all(d == "same" for d in asked):
        decision = "washes out"
    else:
        decision = "cannot tell"
    open_ = [qs[e] for e, d in found.items() if d == "cannot tell" and qs[e].interval is not None]
    widest = max(open_, key=lambda q: q.interval.half) if open_ else None  # type: ignore[union-attr]
    return WashOut(
        len(S.seeds),
        {e: qs[e].interval for e in OTHER_STARTS},
        {e: qs[e].at for e in OTHER_STARTS},
        found,
        widest.seeds_needed if widest else None,
        decision,
    )


# --- time ---------------------------------------------------------------------------------------


def speed(S: Study) -> Speed:
    """Which network trains faster in the main run, from its epochs paired as they ran
    (interleaved: epoch i of NumPy beside epoch i of PyTorch, so that the machine's drift
    falls on both) by stats.compare_times: the interval for the mean log-ratio of
    PyTorch's epoch over NumPy's, against log(1 + SAME_TIME): "numpy" or "pytorch" when it
    excludes 0 (the faster one), "same" when it lies inside the margin, "cannot tell"
    otherwise. With a single epoch there is no interval: "same" within SAME_TIME, else the
    faster one (rule "one epoch")."""
    a, b = S.main.models["numpy"], S.main.models["pytorch"]
    t = stats.compare_times([e.seconds for e in a.history], [e.seconds for e in b.history])
    decision = {"faster": "numpy", "slower": "pytorch"}.get(t.decision, t.decision)
    return Speed(
        a.median("seconds"),
        b.median("seconds"),
        t.ratio,
        t.interval,
        len(a.history),
        t.rule,  # type: ignore[arg-type]
        decision,  # type: ignore[arg-type]
    )


def pytorch_overhead(S: Study) -> Overhead:
    """Where a PyTorch training step's time goes, from the study's benchmark (best repeats,
    core.records.BenchRun.share_of_limit): "overhead" when it reaches under
    OVERHEAD_FRACTION of the rate of its matrix products alone, "arithmetic" when it
    reaches more, "unknown" when the limit was not measured (PyTorch's best epoch beat it)."""
    share = S.bench.run.share_of_limit("pytorch")
    if share is None:
        return Overhead(None, "unknown")
    return Overhead(share, "overhead" if share < OVERHEAD_FRACTION else "arithmetic")


def idiom(S: Study, group: str, chosen: str, other: str) -> Idiom:
    """Whether the idiom the loop uses (`chosen`) beats the alternative (`other`), from the
    study's timing of PyTorch's idioms (medians of rounds apart, so no interval): by the
    one-pair point rule of stats.compare_times, "faster", "same" (within SAME_TIME) or "slower"."""
    t = S.pytorch_idioms.seconds[group]
    decision = stats.compare_times([t[chosen]], [t[other]]).decision
    return Idiom(t[chosen], t[other], decision)  # type: ignore[arg-type]


def sgd_variants(S: Study) -> SgdVariants:
    """Whether SGD's foreach or fused update pays here, by SAME_TIME: "pays" when the better
    of the two saves more than SAME_TIME of a PyTorch training step (the main run's median
    epoch over its steps), "keep" when it does not or saves nothing, "unknown" without a
    finished epoch to compare with."""
    sgd = S.pytorch_idioms.seconds["sgd"]
    best = min(("foreach", "fused"), key=lambda k: sgd[k])
    saving = sgd["for-loop"] - sgd[best]
    network = S.main.models["pytorch"]
    if not network.history:  # the main run diverged in its first epoch: no step to compare with
        return SgdVariants(best, saving, None, None, "unknown" if saving > 0 else "keep")
    step = network.median("seconds") / math.ceil(S.main.data.n_train / S.main.params.batch_size)
    share = saving / step
    return SgdVariants(best, saving, step, share, "pays" if share > stats.SAME_TIME else "keep")


# --- the compiled networks --------------------------------------------------------------------

# The compiled loops the benchmark weighs, each against the eager loop it replaces: JAX
# against NumPy by hand (the same algorithm, parity says), PyTorch compiled against eager.
COMPILED = {"jax": "numpy", "pytorch_compiled": "pytorch"}


def speedup(S: Study, loop: str, against: str) -> Speedup | Unavailable:
    """How `loop` stands to `against` in the study's benchmark: stats.compare_times on
    their repeats (paired: each repeat runs every trainer once), "faster" or "slower" when
    the 95% interval for the mean log-ratio excludes 0, "same" when it lies within
    SAME_TIME, else "cannot tell" (one repeat: the point rule). Compiling pays after
    compile / (against's epoch - loop's epoch), in epochs of the main run's images
    (median times, scaled from the benchmark's images); never when loop is not quicker."""
    run = S.bench.run
    if loop in run.unavailable:
        return Unavailable(run.unavailable[loop])
    a, b = run.trainers[loop], run.trainers[against]
    found = stats.compare_times(a.all_s, b.all_s)
    compile_s = run.compile_seconds.get(loop)
    saving = (b.median_s - a.median_s) * S.main.data.n_train / S.bench.n_train  # per main-run epoch
    pays = None if compile_s is None or saving <= 0 else compile_s / saving
    return Speedup(loop, against, a.median_s, b.median_s, found.ratio, found.interval, compile_s, pays, found.decision)  # type: ignore[arg-type]


def eager_cost(S: Study) -> EagerCost:
    """Whose is the framework's time on this CPU: "eager execution" when the fastest
    compiled loop of the benchmark is faster than NumPy by hand or the same by the speed
    rule (speedup), "the framework" when it is slower, "cannot tell" otherwise."""
    run = S.bench.run
    compiled = [c for c in COMPILED if c in run.trainers]
    fastest = min(compiled, key=lambda c: run.trainers[c].median_s)
    found = stats.compare_times(run.trainers[fastest].all_s, run.trainers["numpy"].all_s).decision
    decision = {"faster": "eager execution", "same": "eager execution", "slower": "the framework"}.get(
        found, "cannot tell"
    )
    return EagerCost(fastest, found, decision)  # type: ignore[arg-type]


# --- the study's curves -------------------------------------------------------------------------


def paper_shapes(S: Study) -> PaperShapes:
    """Does the paper-like preset reproduce the study's two starts? "reproduced" when its
    NumPy first-epoch test loss is at least NEAR_CHANCE and PyTorch's lower by at least
    START_GAP, else "not reproduced"."""
    first = {m: net.first.test_loss for m, net in S.paper_like.models.items()}
    near_chance = first["numpy"] >= NEAR_CHANCE
    lower = first["numpy"] - first["pytorch"] >= START_GAP
    return PaperShapes(
        first["numpy"],
        first["pytorch"],
        near_chance,
        lower,
        "reproduced" if near_chance and lower else "not reproduced",
    )


# --- overfitting, the 3-versus-8 boundary, the gradients -----------------------------------------


def overfitting(S: Study) -> Overfitting:
    """Whether the last epoch's test-minus-training loss gap is the same for both networks:
    "same" within SAME_GAP_REL of the larger gap (or SAME_GAP_ABS), else the network that
    overfits more, "numpy" or "pytorch"."""
    gaps = {m: S.main.models[m].last.test_loss - S.main.models[m].last.train_loss for m in ("numpy", "pytorch")}
    diff, largest = abs(gaps["numpy"] - gaps["pytorch"]), max(abs(g) for g in gaps.values())
    decision = "same" if diff <= max(SAME_GAP_REL * largest, SAME_GAP_ABS) else max(gaps, key=gaps.__getitem__)
    return Overfitting(gaps["numpy"], gaps["pytorch"], decision)  # type: ignore[arg-type]


def boundaries(S: Study) -> Boundaries:
    """ "same" when the two networks' 3-versus-8 regions agree on at least SAME_REGION of the
    plane, else "different"."""
    c = S.boundaries.classifiers
    share = float(np.mean(np.asarray(c["numpy"].grid) == np.asarray(c["pytorch"].grid)))
    return Boundaries(share, "same" if share >= SAME_REGION else "different")


def projection_loss(S: Study) -> Projection:
    """What two principal components cost the 3-versus-8 classifiers that trained on both
    inputs: "every classifier" when each does better with all 784 pixels than with the two
    components, else "not every"."""
    gains = {
        k: c.accuracy_full - c.accuracy_2d
        for k, c in S.boundaries.classifiers.items()
        if c.accuracy_2d is not None and c.accuracy_full is not None
    }
    worse = [k for k, g in gains.items() if g <= 0]
    return Projection(gains, worse, "not every" if worse else "every classifier")


def gradients(S: Study) -> Gradients:
    """ "right" when the hand-written gradients' largest relative error is below FD_RIGHT
    against central differences (float64) and below ROUNDOFF_REL against autograd
    (float32), else "wrong"."""
    g = S.gradients
    fd, auto = max(g.finite_differences.values()), max(g.autograd.values())
    return Gradients(fd, auto, "right" if fd < FD_RIGHT and auto < ROUNDOFF_REL else "wrong")


def study_settings(S: Study) -> Settings:
    """How the main run's settings stand to the study's (STUDY_STATED): "same" when every
    setting the study states is ours too, else "different"."""
    same = all(getattr(S.params, k) == v for k, v in STUDY_STATED.items())
    return Settings(STUDY_STATED["epochs"], "same" if same else "different")


# --- every verdict of a study, once ------------------------------------------------------------

# The 3-versus-8 input on which the two networks' regions are compared.
TWO_COMPONENTS = "2 components"


@dataclass(frozen=True)
class Verdicts:
    """Every verdict the book states, taken once from one study (`of`)."""

    parity: Parity | NotTaken
    speed: Speed | NotTaken
    overfitting: Overfitting | NotTaken
    seeds: SeedComparison | NotTaken  # the final test accuracy
    seeds_loss: SeedComparison | NotTaken  # the final test loss
    wash_out: WashOut | NotTaken
    paper: PaperShapes | NotTaken
    boundaries: Boundaries | NotTaken
    projection: Projection
    gradients: Gradients
    study_settings: Settings
    overhead: Overhead
    sgd: SgdVariants
    gather: Idiom
    loss: Idiom
    eval: Idiom
    jax_parity: Parity | NotTaken  # the JAX network against NumPy's, in the main run
    jax: Speedup | Unavailable  # JAX against NumPy by hand, in the benchmark
    jax_step: Speedup | Unavailable  # JAX's jitted step loop (the ablation) against NumPy by hand
    compiled: Speedup | Unavailable  # PyTorch's whole step compiled against eager PyTorch
    compiled_model: Speedup | Unavailable  # the model alone compiled (the ablation) against eager PyTorch
    eager_cost: EagerCost


def of(S: Study) -> Verdicts:
    """Every verdict of the study S. A verdict that needs an experiment in which a network
    diverged is NotTaken, with those divergences (the 3-versus-8 comparison needs only the
    networks trained on the two components)."""

    def needs(diverged: tuple[Divergence, ...], rule):
        return NotTaken(diverged) if diverged else rule(S)

    on_plane = tuple(d for d in S.divergences("boundaries") if d.input == TWO_COMPONENTS)
    return Verdicts(
        parity=needs(S.divergences("main"), parity),
        speed=needs(S.divergences("main"), speed),
        overfitting=needs(S.divergences("main"), overfitting),
        seeds=needs(S.divergences("seeds"), lambda S: seed_comparison(S, "test_accuracy")),
        seeds_loss=needs(S.divergences("seeds"), lambda S: seed_comparison(S, "test_loss")),
        wash_out=needs(S.divergences("init_only", "init_small", "seeds"), starts_wash_out),
        paper=needs(S.divergences("paper_like"), paper_shapes),
        boundaries=needs(on_plane, boundaries),
        projection=projection_loss(S),
        gradients=gradients(S),
        study_settings=study_settings(S),
        overhead=pytorch_overhead(S),
        sgd=sgd_variants(S),
        gather=idiom(S, "gather", "index_select", "X[idx]"),
        loss=idiom(S, "loss", "keep", "accumulate"),
        eval=idiom(S, "eval", "inference_mode", "no_grad"),
        jax_parity=needs(S.divergences("main"), lambda S: parity(S, "jax")),
        jax=speedup(S, "jax", "numpy"),
        jax_step=speedup(S, "jax_step", "numpy"),
        compiled=speedup(S, "pytorch_compiled", "pytorch"),
        compiled_model=speedup(S, "pytorch_compiled_model", "pytorch"),
        eager_cost=eager_cost(S),
    )
