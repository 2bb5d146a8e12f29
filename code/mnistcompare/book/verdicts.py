"""The book's comparisons and conclusions: decisions by stated rules, with their words.

A fork that changes params.yml gets a book about its own run, so no sentence that
compares or concludes is typed into a chapter. Each comparison is one function here
that returns a `Verdict`: the decision its rule takes from the numbers, and the
sentence (and the other places' wordings) that say that decision. Each rule and its
threshold is stated in the function's docstring and defined once, as a constant
below; the tests check the decisions against numbers they recompute themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .labels import BOUNDARY_TITLES, MODEL_LABELS, NETWORKS
from .report import pct

# float32 carries about 7 significant digits; a relative difference below 1e-5 (about
# a hundred units in the last place) after one epoch is round-off, not a different algorithm.
ROUNDOFF_REL = 1e-5
# Two means differ when they are further apart than twice the larger seed-to-seed
# standard deviation (with a single seed there is no spread to compare with).
SPREAD_SDS = 2.0
# Two times are "about the same" within 5%.
SAME_TIME = 0.05
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


@dataclass(frozen=True)
class Verdict:
    """A decision taken by a stated rule, and the words that say it.

    decision  one of the rule's outcomes (each function's docstring lists them)
    text      the sentence or clause a chapter inserts
    words     the same decision as other places of the book put it, by place
    """

    decision: str
    text: str
    words: dict[str, str] = field(default_factory=dict)


# --- parity: the same algorithm in both libraries? --------------------------------------------


def first_epoch_rel_gap(result: dict) -> float:
    """|NumPy - PyTorch| / loss of the first epoch's training loss in the main (parity) run."""
    par = result["main"]["parity"]
    loss = result["main"]["models"]["numpy"]["history"][0]["train_loss"]
    return par["train_loss_abs_diff"][0] / abs(loss)


def parity(result: dict) -> Verdict:
    """"same" when the main run's first-epoch relative gap in training loss is below
    ROUNDOFF_REL (float32 round-off), else "different". Words by place:
      abstract    "the two implementations ___"
      curves      the training chapter's clause about @fig-curves
      growth      fairness: how the per-epoch differences read, ending where @fig-curves is cited
      conclusion  "...after the first epoch: ___"
      coincide    the study-vs-ours chapter: what the main run's two curves do
      agree       "the two implementations ___ 1.2e-07 after one epoch"
    """
    rel = first_epoch_rel_gap(result)
    if rel < ROUNDOFF_REL:
        text = f"float32 round-off: a relative difference of {rel:.1e}, below {ROUNDOFF_REL:.0e}"
        return Verdict("same", text, {
            "abstract": "are the same algorithm",
            "curves": "their curves lie on top of each other",
            "growth": "The differences grow slowly because SGD feeds each step's rounding into the next, "
                      "but they stay far below anything visible in",
            "conclusion": "they are the same algorithm",
            "coincide": "so its two curves coincide",
            "agree": "agree to",
        })
    text = f"more than float32 round-off: a relative difference of {rel:.1e}, above {ROUNDOFF_REL:.0e}"
    return Verdict("different", text, {
        "abstract": "do not behave as the same algorithm",
        "curves": f"their curves differ by more than round-off ({text})",
        "growth": "They are more than round-off, so the two implementations do not compute the same steps; compare",
        "conclusion": f"more than round-off apart ({text})",
        "coincide": f"yet its two curves differ by more than round-off ({text})",
        "agree": "differ by",
    })


# --- accuracy over independent seeds --------------------------------------------------------------


def seed_accuracy(result: dict) -> Verdict:
    """Which network is more accurate over the independent seeds: "numpy" or "pytorch" when
    their mean final test accuracies are further apart than SPREAD_SDS times the larger
    seed-to-seed standard deviation, "neither" when they are not, "undecided" with a
    single seed (no spread). text: the comparison, completing "the mean test accuracies ___".
    Words: claim (the study's claim that PyTorch is more accurate "___"), bought (what the
    framework bought in accuracy)."""
    s = result["seed_spread"]
    a, b = s["numpy"]["test_accuracy"], s["pytorch"]["test_accuracy"]
    diff, sd = abs(a["mean"] - b["mean"]), max(a["sd"], b["sd"])
    if a["n"] < 2:
        decision = "undecided"
        text = (f"are {pct(a['mean'])} (NumPy) and {pct(b['mean'])} (PyTorch) from a single seed, a difference of "
                f"{pct(diff)} with no seed-to-seed spread to weigh it against")
    else:
        decision = "neither" if diff <= SPREAD_SDS * sd else "pytorch" if b["mean"] > a["mean"] else "numpy"
        within = "at most" if decision == "neither" else "more than"
        text = (f"are {pct(a['mean'])} (NumPy) and {pct(b['mean'])} (PyTorch) over {a['n']} seeds, a difference of "
                f"{pct(diff)}: {within} {SPREAD_SDS:g} times the seed-to-seed standard deviation ({pct(sd)})")
    claim = {"pytorch": "is what we measure too", "numpy": "is the opposite of what we measure",
             "neither": "is not what we measure", "undecided": "cannot be tested with a single seed"}[decision]
    bought = {"pytorch": "it bought accuracy beyond the seed-to-seed spread",
              "numpy": "it did not buy accuracy (the NumPy network was more accurate beyond the seed spread)",
              "neither": "it did not buy accuracy beyond the seed-to-seed spread",
              "undecided": "a single seed cannot say whether it bought accuracy"}[decision]
    return Verdict(decision, text, {"claim": claim, "bought": bought})


# --- time ---------------------------------------------------------------------------------------


def machine(result: dict) -> str:
    """'On this CPU' or, with device cuda, where each network ran."""
    env = result["main"]["environment"]
    if result["main"]["params"].get("device", "cpu") == "cpu":
        return "On this CPU"
    return f"With PyTorch on {env.get('cuda_device') or 'the GPU'} and NumPy on the CPU"


def faster(a: float, b: float) -> tuple[str, float]:
    """("a", ratio) when a takes less time than b by more than SAME_TIME, ("b", ratio) when
    b does, ("same", ratio) within it; ratio = the longer time over the shorter."""
    ratio = max(a, b) / min(a, b)
    return ("same" if ratio - 1 <= SAME_TIME else "a" if a < b else "b"), ratio


def speed(result: dict, sec_np: float, sec_pt: float) -> Verdict:
    """Which network trains faster: "numpy", "pytorch", or "same" within SAME_TIME of the
    median epoch. text: the sentence with both times; words: faster ("NumPy trained faster")."""
    which, ratio = faster(sec_np, sec_pt)
    decision = {"a": "numpy", "b": "pytorch", "same": "same"}[which]
    times = f"{sec_np:.2f} s per epoch for NumPy against {sec_pt:.2f} s for PyTorch"
    if decision == "same":
        text = f"{machine(result)}, the two take about the same time (within {SAME_TIME:.0%}): {times}."
        words = "neither trained faster"
    else:
        text = f"{machine(result)}, {NETWORKS[decision]} is faster: {times}, a factor of {ratio:.2f}."
        words = f"{NETWORKS[decision]} trained faster"
    return Verdict(decision, text, {"faster": words})


def pytorch_overhead(result: dict) -> Verdict:
    """Where a PyTorch training step's time goes, from the study's benchmark: "overhead" when
    it reaches under OVERHEAD_FRACTION of the rate of its matrix products alone, else
    "arithmetic"."""
    frac = result["bench"]["run"]["trainers"]["pytorch"]["fraction_of_matmul_rate"]
    share = f"it reaches {frac:.0%} of the rate of its matrix products alone"
    if frac < OVERHEAD_FRACTION:
        return Verdict("overhead", f"a PyTorch step spends more time issuing operations than multiplying matrices ({share})")
    return Verdict("arithmetic", f"a PyTorch step spends most of its time multiplying matrices ({share}), yet each "
                                 "operation it issues still costs")


def idiom(result: dict, group: str, chosen: str, other: str, unit: str = "µs") -> Verdict:
    """Whether the idiom the loop uses (`chosen`) beats the alternative (`other`), from the
    study's timing of PyTorch's idioms: "faster", "same" (within SAME_TIME) or "slower".
    text: "faster here: 12 against 20 µs" (unit µs per step, or ms per evaluation)."""
    t = result["pytorch_idioms"]["seconds"][group]
    which, _ = faster(t[chosen], t[other])
    decision = {"a": "faster", "b": "slower", "same": "same"}[which]
    scale, digits = (1e6, 0) if unit == "µs" else (1e3, 1)
    times = f"{t[chosen] * scale:.{digits}f} against {t[other] * scale:.{digits}f} {unit}"
    return Verdict(decision, {"faster": "faster here", "same": "about as fast here",
                              "slower": "slower here"}[decision] + f": {times}")


def sgd_variants(result: dict) -> Verdict:
    """Whether SGD's foreach or fused update pays here, by SAME_TIME: "pays" when the better
    of the two saves more than 5% of a PyTorch training step (the main run's median epoch
    over its steps), "keep" when it does not (or saves nothing), "unknown" without a
    finished epoch. The loop
    keeps the default either way; the sentence says why."""
    sgd = result["pytorch_idioms"]["seconds"]["sgd"]
    best = min(("foreach", "fused"), key=lambda k: sgd[k])
    saving = sgd["for-loop"] - sgd[best]
    if saving <= 0:
        return Verdict("keep", "neither is faster than the default for-loop here, so we keep the default")
    main = result["main"]
    history = main["models"]["pytorch"]["history"]
    if not history:  # the main run diverged in its first epoch: no step to compare with
        return Verdict("unknown", f"{best}=True is the faster by {saving * 1e6:.0f} µs per step; with no finished "
                                  "training epoch to set that against, we keep the default")
    steps = math.ceil(main["data"]["n_train"] / main["params"]["batch_size"])
    step = float(np.median([h["seconds"] for h in history])) / steps
    share = saving / step
    said = (f"the better of the two, {best}=True, saves {saving * 1e6:.0f} µs of a {step * 1e6:.0f} µs training step "
            f"({share:.1%})")
    if share <= SAME_TIME:
        return Verdict("keep", f"{said}, within the {SAME_TIME:.0%} we count as the same time, so we keep the default")
    return Verdict("pays", f"{said}: more than the {SAME_TIME:.0%} we count as the same time, so it would pay here; "
                           "the loop keeps the default of PyTorch's own examples")


# --- the study's curves -------------------------------------------------------------------------


def paper_shapes(result: dict) -> Verdict:
    """Does the paper-like preset reproduce the study's two starts? "reproduced" when its
    NumPy first-epoch test loss is at least NEAR_CHANCE and PyTorch's lower by at least
    START_GAP, else "not reproduced" (the text names what is missing). Words by place:
      abstract    a sentence on the study's NumPy curve
      like_study  fairness: the preset's first epochs are "___"
      separates   fairness: what separates the study's two curves; it also needs the main
                  run to be one algorithm in both libraries (parity "same")
      meaning     the comparison chapter's sentence on what the study's curves are evidence of
      conclusion  the conclusions' bullet on the curves
    """
    first = {m: r["history"][0]["test_loss"] for m, r in result["paper_like"]["models"].items()}
    near_chance = first["numpy"] >= NEAR_CHANCE
    lower = first["numpy"] - first["pytorch"] >= START_GAP
    if near_chance and lower:
        text = ("reproduces both shapes, a NumPy curve that starts near chance level and a PyTorch curve that "
                "starts lower")
        words = {
            "abstract": "Its NumPy curve's higher start is what a small initialisation produces, not the framework",
            "like_study": "a gap like the one the study reported",
            "meaning": "The study's two curves are what two initialisations and small steps produce; they are not "
                       "evidence of a difference between the frameworks.",
            "conclusion": "The study's higher and slower NumPy curve is reproduced by a small initialisation and "
                          "small steps: it says how the network was started, not which library trained it",
        }
    else:
        missing = [what for ok, what in ((near_chance, f"a NumPy start near chance level (test loss at least "
                                                       f"{NEAR_CHANCE:.2f})"),
                                         (lower, f"a PyTorch start lower by at least {START_GAP}")) if not ok]
        text = "does not reproduce the study's shapes: it lacks " + " and ".join(missing)
        words = {
            "abstract": f"Our run of a preset resembling the study {text}",
            "like_study": "not the gap the study reported (the next chapter says which part is missing)",
            "meaning": "With these parameters the preset does not show what separates the study's curves.",
            "conclusion": f"Our paper-like preset {text}",
        }
    ok = near_chance and lower
    words["separates"] = (
        "What separates the study's two curves is the starting point, which the framework chooses for you "
        "and a from-scratch implementation chooses by hand, not the arithmetic of training."
        if ok and "parity" in result["main"] and parity(result).decision == "same" else
        "With these parameters this run does not show what separates the study's two curves.")
    return Verdict("reproduced" if ok else "not reproduced", text, words)


# --- overfitting, initialisation, the 3-versus-8 boundary -----------------------------------------


def overfitting(result: dict) -> Verdict:
    """Whether the last epoch's test-minus-training loss gap is the same for both networks:
    "same" within SAME_GAP_REL of the larger gap (or SAME_GAP_ABS), else the network that
    overfits more, "numpy" or "pytorch"."""
    gaps = {m: r["history"][-1]["test_loss"] - r["history"][-1]["train_loss"] for m, r in result["main"]["models"].items()}
    diff, largest = abs(gaps["numpy"] - gaps["pytorch"]), max(abs(g) for g in gaps.values())
    if diff <= max(SAME_GAP_REL * largest, SAME_GAP_ABS):
        return Verdict("same", f"it is the same for both ({gaps['numpy']:.4f} and {gaps['pytorch']:.4f} after the "
                               "last epoch)")
    more = max(gaps, key=gaps.get)
    return Verdict(more, f"it differs: {gaps['numpy']:.4f} for NumPy and {gaps['pytorch']:.4f} for PyTorch after the "
                         f"last epoch, so {MODEL_LABELS[more]} overfits more")


def starts_wash_out(last: list[float], seed_sd: float, n_seeds: int) -> Verdict:
    """Whether the initialisations' final test losses are within the noise of training:
    "washes out" when their spread (max - min) is at most SPREAD_SDS times the larger
    seed-to-seed standard deviation of the final test loss (seed_sd), "persists" when it is
    more, "undecided" with a single seed (no spread to compare with)."""
    spread = max(last) - min(last)
    if n_seeds < 2:
        return Verdict("undecided", "whether that is more than the noise of training a single seed cannot say")
    bound = f"{SPREAD_SDS:g} times the seed-to-seed standard deviation of the final test loss ({seed_sd:.4f})"
    if spread <= SPREAD_SDS * seed_sd:
        return Verdict("washes out", f"the starting point washes out, as that is within {bound}")
    return Verdict("persists", f"the starting point has not washed out, as that is more than {bound}")


def boundary_agreement(result: dict) -> float:
    c = result["boundaries"]["classifiers"]
    return float(np.mean(np.asarray(c["numpy"]["grid"]) == np.asarray(c["pytorch"]["grid"])))


def boundaries(result: dict) -> Verdict:
    """"same" when the two networks' regions agree on at least SAME_REGION of the plane, else
    "different"."""
    share = boundary_agreement(result)
    if share >= SAME_REGION:
        return Verdict("same", f"the two implementations bend it the same way (their regions agree on {share:.1%} "
                               "of the plane)")
    return Verdict("different", f"the two implementations bend it differently (their regions agree on only "
                                f"{share:.1%} of the plane)")


def projection_loss(result: dict) -> Verdict:
    """What two principal components cost the 3-versus-8 classifiers that trained on both
    inputs: "every classifier" when each does better with all 784 pixels than with the two
    components, else "not every" (the text names those that do not)."""
    c = {k: v for k, v in result["boundaries"]["classifiers"].items()
         if v["accuracy_2d"] is not None and v["accuracy_full"] is not None}
    gain = {k: v["accuracy_full"] - v["accuracy_2d"] for k, v in c.items()}
    lo, hi = min(gain.values()), max(gain.values())
    if lo > 0:
        if len(gain) == 1:
            (only,) = gain
            return Verdict("every classifier", f"the {BOUNDARY_TITLES.get(only, only)}, the only one that trained on "
                                               f"both, does better with the pixels, by {lo * 100:.1f} points, so the "
                                               "projection to two dimensions loses part of what separates a 3 from an 8")
        return Verdict("every classifier", f"each does better with the pixels, by {lo * 100:.1f} to {hi * 100:.1f} "
                                           "points, so the projection to two dimensions loses part of what separates "
                                           "a 3 from an 8, for every classifier, whatever trains it")
    worse = [f"the {BOUNDARY_TITLES.get(k, k)}" for k, g in gain.items() if g <= 0]
    return Verdict("not every", f"not every classifier does better with the pixels here ({' and '.join(worse)} "
                                f"{'does' if len(worse) == 1 else 'do'} not), so with these parameters the projection "
                                "is not what limits them all")


def gradients(result: dict) -> Verdict:
    """"right" when the hand-written gradients' largest relative error is below FD_RIGHT
    against central differences (float64) and below ROUNDOFF_REL against autograd
    (float32), else "wrong"."""
    g = result["gradients"]
    fd, auto = max(g["finite_differences"].values()), max(g["autograd"].values())
    if fd < FD_RIGHT and auto < ROUNDOFF_REL:
        return Verdict("right", "both within round-off, so the hand-written backward pass computes the gradient")
    return Verdict("wrong", f"larger than round-off (below {FD_RIGHT:.0e} and {ROUNDOFF_REL:.0e} expected), so the "
                            "hand-written backward pass does not compute the gradient")


# --- the study's settings ---------------------------------------------------------------------------

# What the study states of its training set-up: "the value of the loss on the test data
# during the 20 epoch of the training" (its Figures 4.1 and 4.2). It gives no hidden size,
# learning rate or batch size.
STUDY_STATED = {"epochs": 20}


def study_settings(params: dict) -> Verdict:
    """How the main run's settings stand to the study's (STUDY_STATED): "same" when every
    setting the study states is ours too ("also"), else "different" (the study's value
    beside ours)."""
    said = "; it states no hidden size, learning rate or batch size."
    if all(params[k] == v for k, v in STUDY_STATED.items()):
        return Verdict("same", f"The study also trained for {STUDY_STATED['epochs']} epochs" + said)
    return Verdict("different", f"The study trained for {STUDY_STATED['epochs']} epochs, not {params['epochs']}" + said)
