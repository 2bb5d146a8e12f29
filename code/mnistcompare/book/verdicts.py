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

from . import stats
from .labels import BOUNDARY_TITLES, MODEL_LABELS, NETWORKS
from .report import limit_shares, ratio, sig

# float32 carries about 7 significant digits; a relative difference below 1e-5 (about
# a hundred units in the last place) after one epoch is round-off, not a different algorithm.
ROUNDOFF_REL = 1e-5
# Means over independent seeds are compared by a 95% interval for their difference
# (book/stats.py: Welch's for two sets of seeds, a prediction interval for one run against
# a set) and an equivalence margin per metric: "different" when the interval excludes 0,
# "same" when it lies inside +-margin, "cannot tell" otherwise (and with a single seed).
# The margins and their reasons are stated once, here (SEED_METRICS' "why"; the
# reproducibility appendix prints them).
ACCURACY_MARGIN = 0.005
LOSS_MARGIN = 0.01
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


# --- accuracy and loss over independent seeds -------------------------------------------------

LEVEL = f"{stats.LEVEL:.0%}"  # "95%"

# What each metric is, which way is better, its margin and why that margin.
SEED_METRICS = {
    "test_accuracy": {
        "what": "final test accuracy", "margin": ACCURACY_MARGIN, "higher_better": True,
        "why": f"half a percentage point, {ACCURACY_MARGIN * 10_000:.0f} of MNIST's 10,000 test images: less than "
               "what would make a reader choose one library over the other for this network"},
    "test_loss": {
        "what": "final test loss", "margin": LOSS_MARGIN, "higher_better": False,
        "why": f"a difference of {LOSS_MARGIN:g} in mean cross-entropy moves the geometric mean of the probability "
               f"given to the right digit by about {math.expm1(LOSS_MARGIN):.0%}, far less than separates a good "
               "network from a poor one here"},
}


def seed_values(result: dict, metric: str) -> dict[str, list[float]]:
    """Each network's final value of `metric` in each independent seed."""
    return {m: [run["models"][m]["history"][-1][metric] for run in result["seeds"]] for m in NETWORKS}


def amount(metric: str, x: float) -> str:
    """A difference of `metric` in its unit: points of accuracy, or loss to 4 decimals."""
    return f"{100 * x:.2f}" if metric == "test_accuracy" else f"{x:.4f}"


def unit(metric: str) -> str:
    return " points" if metric == "test_accuracy" else ""


def interval_words(metric: str, iv: stats.Interval) -> str:
    """"-0.21 to 0.29 points"."""
    return f"{amount(metric, iv.low)} to {amount(metric, iv.high)}{unit(metric)}"


def margin_value(metric: str) -> str:
    """"±0.50 points", "±0.0100"."""
    return f"±{amount(metric, SEED_METRICS[metric]['margin'])}{unit(metric)}"


def margin_words(metric: str) -> str:
    """"the ±0.50-point margin", "the ±0.0100 margin"."""
    m = SEED_METRICS[metric]["margin"]
    return f"the ±{amount(metric, m)}-point margin" if metric == "test_accuracy" else f"the ±{amount(metric, m)} margin"


def more_seeds(iv: stats.Interval | None, margin: float) -> str:
    """How many seeds would settle a "cannot tell", as a clause."""
    n = stats.seeds_needed(iv, margin)
    if iv is None:
        return "two or more seeds per network would give an interval"
    if n is None:
        return (f"at the spread observed, even {stats.MAX_SEEDS:,} seeds per network would not narrow the interval to "
                "the margin")
    return f"at the spread observed, about {n} seeds per network would narrow the interval to the margin"


def seed_comparison(result: dict, metric: str = "test_accuracy") -> Verdict:
    """Whether the networks' mean final `metric` (test_accuracy or test_loss) over the
    independent seeds differs, by Welch's 95% (stats.LEVEL) interval for PyTorch's mean minus NumPy's
    and the metric's margin (SEED_METRICS; book/stats.py): "numpy" or "pytorch" (the
    better one: higher accuracy, lower loss) when the interval excludes 0, "same" when it
    lies inside +-margin, "cannot tell" otherwise, and with a single seed. text: one or
    two sentences that give the interval and the margin. Words: claim (how the study's
    claim that PyTorch is more accurate stands: "___."), bought (what the framework
    bought in accuracy)."""
    spec = SEED_METRICS[metric]
    values = seed_values(result, metric)
    n = len(values["numpy"])
    iv = stats.welch(values["numpy"], values["pytorch"])
    diff = float(np.mean(values["pytorch"]) - np.mean(values["numpy"]))
    margin = margin_words(metric)
    found = stats.decide(iv, spec["margin"])
    what = spec["what"]
    minus = f"PyTorch's mean {what} minus NumPy's is {amount(metric, diff)}{unit(metric)}"
    if iv is None:
        decision = "cannot tell"
        text = (f"With a single seed this run cannot tell whether the networks' {what} differs: {minus}, and one seed "
                f"has no spread to weigh that against ({more_seeds(iv, spec['margin'])}).")
    elif found == "different":
        better_higher = (diff > 0) == spec["higher_better"]
        decision = "pytorch" if better_higher else "numpy"
        better, worse = (NETWORKS[decision], NETWORKS["numpy" if decision == "pytorch" else "pytorch"])
        side = "higher" if diff > 0 else "lower"
        text = (f"Over {n} seeds {better}'s mean {what} is {side} than {worse}'s: {minus}, with a {LEVEL} Welch "
                f"interval of {interval_words(metric, iv)}, which excludes 0.")
    elif found == "same":
        decision = "same"
        text = (f"Over {n} seeds the networks' mean {what} is the same within {margin}: {minus}, with a {LEVEL} Welch "
                f"interval of {interval_words(metric, iv)}, inside the margin.")
    else:
        decision = "cannot tell"
        text = (f"Over {n} seeds this run cannot tell whether the networks' mean {what} differs: {minus}, with a "
                f"{LEVEL} Welch interval of {interval_words(metric, iv)}, which neither excludes 0 nor lies inside "
                f"{margin}; {more_seeds(iv, spec['margin'])}.")
    claim = {"pytorch": "is what we measure too", "numpy": "is the opposite of what we measure",
             "same": "is refuted by this run", "cannot tell": "is untested by this run"}[decision]
    bought = {"pytorch": "the framework bought accuracy (the interval over the seeds excludes 0)",
              "numpy": "the framework bought no accuracy (the NumPy network was the more accurate over the seeds)",
              "same": f"the framework bought no accuracy beyond {margin}",
              "cannot tell": "this run cannot tell whether the framework bought accuracy"}[decision]
    return Verdict(decision, text, {"claim": claim, "bought": bought})


def seed_accuracy(result: dict) -> Verdict:
    """seed_comparison of the final test accuracy."""
    return seed_comparison(result, "test_accuracy")


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
    which, _ = faster(sec_np, sec_pt)
    decision = {"a": "numpy", "b": "pytorch", "same": "same"}[which]
    slow, quick = sorted((sec_np, sec_pt), reverse=True)
    _, _, factor = ratio(slow, quick)  # from the times as printed
    times = f"{sig(sec_np)} s per epoch for NumPy against {sig(sec_pt)} s for PyTorch"
    if decision == "same":
        text = f"{machine(result)}, the two take about the same time (within {SAME_TIME:.0%}): {times}."
        words = "neither trained faster"
    else:
        text = f"{machine(result)}, {NETWORKS[decision]} is faster: {times}, a factor of {factor}."
        words = f"{NETWORKS[decision]} trained faster"
    return Verdict(decision, text, {"faster": words})


def pytorch_overhead(result: dict) -> Verdict:
    """Where a PyTorch training step's time goes, from the study's benchmark (best repeats,
    report.limit_shares): "overhead" when it reaches under OVERHEAD_FRACTION of the rate
    of its matrix products alone, "arithmetic" when it reaches more, "unknown" when the
    limit was not measured (PyTorch's best epoch beat it)."""
    frac = limit_shares(result)["pytorch"]
    if frac is None:
        return Verdict("unknown", "how a PyTorch step's time divides between multiplying matrices and issuing "
                                  "operations could not be measured on this run (its best epoch beat the matrix "
                                  "products timed alone), but each operation it issues costs time")
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
    scale = 1e6 if unit == "µs" else 1e3
    times = f"{sig(t[chosen] * scale)} against {sig(t[other] * scale)} {unit}"
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
        return Verdict("unknown", f"{best}=True is the faster by {sig(saving * 1e6)} µs per step; with no finished "
                                  "training epoch to set that against, we keep the default")
    steps = math.ceil(main["data"]["n_train"] / main["params"]["batch_size"])
    step = float(np.median([h["seconds"] for h in history])) / steps
    share = saving / step
    saved_us, step_us, _ = ratio(saving * 1e6, step * 1e6)
    printed_share = float(saved_us.replace(",", "")) / float(step_us.replace(",", ""))  # from the numbers as printed
    said = f"the better of the two, {best}=True, saves {saved_us} µs of a {step_us} µs training step ({printed_share:.1%})"
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
            "abstract": "The higher start of the study's NumPy curve is what a small initialisation produces, not the "
                        "framework",
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


# The starts the initialisation experiment sets against the shared one: (experiment, the
# network it trains, the start in words).
OTHER_STARTS = (("init_only", "pytorch", "PyTorch's own start"), ("init_small", "numpy", "the small start"))


def starts_wash_out(result: dict) -> Verdict:
    """Whether the starting point washes out by the last epoch. Each other start was run
    once (OTHER_STARTS); its final test loss is set against the independent seeds of the
    same network, which all draw the shared start's scheme, by the 95% prediction interval
    for one run against them (stats.one_run) and LOSS_MARGIN: "persists" when any start's
    interval excludes 0, "washes out" when every one lies inside +-margin, "cannot tell"
    otherwise, and with a single seed. text: the sentence that weighs them."""
    seeds = seed_values(result, "test_loss")
    n = len(seeds["numpy"])
    margin = margin_words("test_loss")
    if n < 2:
        return Verdict("cannot tell", "With a single seed this run cannot tell whether that is more than the noise of "
                                      "training: two or more seeds give a spread to weigh it against.")
    ivs = {what: stats.one_run(seeds[m], result[e]["models"][m]["history"][-1]["test_loss"])
           for e, m, what in OTHER_STARTS}
    found = {what: stats.decide(iv, LOSS_MARGIN) for what, iv in ivs.items()}
    each = " and ".join(f"{what} {amount('test_loss', abs(iv.diff))} {'above' if iv.diff > 0 else 'below'} their mean "
                        f"({interval_words('test_loss', iv)})" for what, iv in ivs.items())
    weigh = (f"To weigh that, each start's final test loss is set against the {n} independent seeds of the same "
             f"network, which draw the shared start's scheme, by a {LEVEL} prediction interval for one run: {each}.")
    apart = [what for what, d in found.items() if d == "different"]
    if apart:
        return Verdict("persists", f"{weigh} The interval of {' and of '.join(apart)} excludes 0, so the starting "
                                   "point has not washed out.")
    if all(d == "same" for d in found.values()):
        return Verdict("washes out", f"{weigh} Both lie inside {margin}, so the starting point washes out.")
    widest = max(ivs.values(), key=lambda iv: iv.half)
    n_more = stats.seeds_needed(widest, LOSS_MARGIN)
    advice = (f"at the spread observed, about {n_more} seeds would narrow the intervals to the margin" if n_more else
              "at the spread observed no number of seeds would: a single run varies by more than the margin, so "
              "each start would need several runs of its own")
    return Verdict("cannot tell", f"{weigh} No interval excludes 0, but not every one lies inside {margin}, so this "
                                  f"run cannot tell whether the starting point washes out; {advice}.")


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
