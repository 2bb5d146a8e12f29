"""The book's comparisons and conclusions as words computed from the numbers.

A fork that changes params.yml gets a book about its own run, so no sentence that
compares or concludes is typed into a chapter: each comes from one function here,
whose rule is stated in its docstring with the threshold it uses, and which words it
the other way when the numbers go the other way. Chapters insert the returned text.
"""

from __future__ import annotations

import math

import numpy as np

from .plots import BOUNDARY_TITLES, MODEL_LABELS

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


def first_epoch_rel_gap(result: dict) -> float:
    """|NumPy - PyTorch| / loss of the first epoch's training loss in the main (parity) run."""
    par = result["main"]["parity"]
    loss = result["main"]["models"]["numpy"]["history"][0]["train_loss"]
    return par["train_loss_abs_diff"][0] / abs(loss)


def parity(result: dict) -> str:
    """'float32 round-off' when the first epoch's relative gap is below ROUNDOFF_REL."""
    rel = first_epoch_rel_gap(result)
    if rel < ROUNDOFF_REL:
        return f"float32 round-off: a relative difference of {rel:.1e}, below {ROUNDOFF_REL:.0e}"
    return f"more than float32 round-off: a relative difference of {rel:.1e}, above {ROUNDOFF_REL:.0e}"


def same_algorithm(result: dict) -> bool:
    return first_epoch_rel_gap(result) < ROUNDOFF_REL


def parity_phrases(result: dict) -> dict[str, str]:
    """The parity verdict (same_algorithm: the first epoch agrees to ROUNDOFF_REL) in the
    words each chapter puts it in, both outcomes side by side:
      abstract    "the two implementations ___"
      curves      the training chapter's clause about @fig-curves
      growth      fairness: how the per-epoch differences read, ending where @fig-curves is cited
      conclusion  "...after the first epoch: ___"
    """
    if same_algorithm(result):
        return {
            "abstract": "are the same algorithm",
            "curves": "their curves lie on top of each other",
            "growth": "The differences grow slowly because SGD feeds each step's rounding into the next, "
                      "but they stay far below anything visible in",
            "conclusion": "they are the same algorithm",
        }
    words = parity(result)
    return {
        "abstract": "do not behave as the same algorithm",
        "curves": f"their curves differ by more than round-off ({words})",
        "growth": "They are more than round-off, so the two implementations do not compute the same steps; compare",
        "conclusion": f"more than round-off apart ({words})",
    }


def seed_verdict(result: dict) -> str:
    """Which network is more accurate over independent seeds: 'neither' when the means are
    within SPREAD_SDS standard deviations, or when a single seed leaves no spread."""
    s = result["seed_spread"]
    a, b = s["numpy"]["test_accuracy"], s["pytorch"]["test_accuracy"]
    if a["n"] < 2:
        return "undecided"
    if abs(a["mean"] - b["mean"]) <= SPREAD_SDS * max(a["sd"], b["sd"]):
        return "neither"
    return "pytorch" if b["mean"] > a["mean"] else "numpy"


def study_accuracy_claim(result: dict) -> str:
    """The study's claim that PyTorch is consistently more accurate, against our seeds."""
    return {"pytorch": "is what we measure too", "numpy": "is the opposite of what we measure",
            "neither": "is not what we measure", "undecided": "cannot be tested with a single seed"}[seed_verdict(result)]


def framework_accuracy(result: dict) -> str:
    """What the framework bought in accuracy, by the seed rule."""
    return {"pytorch": "it bought accuracy beyond the seed-to-seed spread",
            "numpy": "it did not buy accuracy (the NumPy network was more accurate beyond the seed spread)",
            "neither": "it did not buy accuracy beyond the seed-to-seed spread",
            "undecided": "a single seed cannot say whether it bought accuracy"}[seed_verdict(result)]


def speed(sec_np: float, sec_pt: float) -> tuple[str, str]:
    """(which is faster, 'a factor of x' or 'about the same'): the same within SAME_TIME."""
    ratio = max(sec_np, sec_pt) / min(sec_np, sec_pt)
    if ratio - 1 <= SAME_TIME:
        return "neither network", f"about the same time (within {SAME_TIME:.0%})"
    return ("NumPy" if sec_np < sec_pt else "PyTorch"), f"a factor of {ratio:.2f}"


def faster_words(sec_np: float, sec_pt: float) -> str:
    """'NumPy trained faster', 'PyTorch trained faster' or 'neither trained faster' (speed)."""
    faster, _ = speed(sec_np, sec_pt)
    return "neither trained faster" if faster == "neither network" else f"{faster} trained faster"


def machine(result: dict) -> str:
    """'On this CPU' or, with device cuda, where each network ran."""
    env = result["main"]["environment"]
    if result["main"]["params"].get("device", "cpu") == "cpu":
        return "On this CPU"
    return f"With PyTorch on {env.get('cuda_device') or 'the GPU'} and NumPy on the CPU"


def paper_shapes(result: dict) -> tuple[bool, str]:
    """Does the paper-like preset reproduce the study's two starts (NEAR_CHANCE, START_GAP)?"""
    hist = {m: r["history"][0]["test_loss"] for m, r in result["paper_like"]["models"].items()}
    near_chance = hist["numpy"] >= NEAR_CHANCE
    lower = hist["numpy"] - hist["pytorch"] >= START_GAP
    if near_chance and lower:
        return True, "reproduces both shapes, a NumPy curve that starts near chance level and a PyTorch curve that starts lower"
    missing = [what for ok, what in ((near_chance, f"a NumPy start near chance level (test loss at least {NEAR_CHANCE:.2f})"),
                                     (lower, f"a PyTorch start lower by at least {START_GAP}")) if not ok]
    return False, "does not reproduce the study's shapes: it lacks " + " and ".join(missing)


def paper_phrases(result: dict) -> dict[str, str]:
    """What the paper-like preset says about the study's curves, in the words each chapter
    puts it in. The study's reading holds when the preset reproduces both of its shapes
    (paper_shapes); "separates" also needs the main run to be one algorithm in both
    libraries (same_algorithm), since it rules out the arithmetic of training:
      abstract    a sentence on the study's NumPy curve
      like_study  fairness: the preset's first epochs are "___"
      separates   fairness: a sentence on what separates the study's two curves
      meaning     the comparison chapter's sentence on what the study's curves are evidence of
      conclusion  the conclusions' bullet on the curves
    """
    ok, shapes = paper_shapes(result)
    if ok:
        words = {
            "abstract": "Its NumPy curve's higher start is what a small initialisation produces, not the framework",
            "like_study": "a gap like the one the study reported",
            "meaning": "The study's two curves are what two initialisations and small steps produce; they are not "
                       "evidence of a difference between the frameworks.",
            "conclusion": "The study's higher and slower NumPy curve is reproduced by a small initialisation and "
                          "small steps: it says how the network was started, not which library trained it",
        }
    else:
        words = {
            "abstract": f"Our run of a preset resembling the study {shapes}",
            "like_study": "not the gap the study reported (the next chapter says which part is missing)",
            "meaning": "With these parameters the preset does not show what separates the study's curves.",
            "conclusion": f"Our paper-like preset {shapes}",
        }
    words["separates"] = (
        "What separates the study's two curves is the starting point, which the framework chooses for you "
        "and a from-scratch implementation chooses by hand, not the arithmetic of training."
        if ok and same_algorithm(result) else
        "With these parameters this run does not show what separates the study's two curves.")
    return words


def overfitting(result: dict) -> str:
    """Whether the last epoch's test-minus-training loss gap is the same for both networks."""
    gaps = {m: r["history"][-1]["test_loss"] - r["history"][-1]["train_loss"] for m, r in result["main"]["models"].items()}
    diff, largest = abs(gaps["numpy"] - gaps["pytorch"]), max(abs(g) for g in gaps.values())
    if diff <= max(SAME_GAP_REL * largest, SAME_GAP_ABS):
        return f"it is the same for both ({gaps['numpy']:.4f} and {gaps['pytorch']:.4f} after the last epoch)"
    more = max(gaps, key=gaps.get)
    return (f"it differs: {gaps['numpy']:.4f} for NumPy and {gaps['pytorch']:.4f} for PyTorch after the last epoch, "
            f"so {MODEL_LABELS[more]} overfits more")


def boundary_agreement(result: dict) -> float:
    c = result["boundaries"]["classifiers"]
    return float(np.mean(np.asarray(c["numpy"]["grid"]) == np.asarray(c["pytorch"]["grid"])))


def boundaries(result: dict) -> str:
    """The two networks 'bend it the same way' when their regions agree on SAME_REGION of the plane."""
    share = boundary_agreement(result)
    if share >= SAME_REGION:
        return f"the two implementations bend it the same way (their regions agree on {share:.1%} of the plane)"
    return f"the two implementations bend it differently (their regions agree on only {share:.1%} of the plane)"


def speed_sentence(result: dict, sec_np: float, sec_pt: float) -> str:
    """'On this CPU, NumPy is faster: ... a factor of 1.83.' (or about the same, by SAME_TIME)."""
    faster, how = speed(sec_np, sec_pt)
    times = f"{sec_np:.2f} s per epoch for NumPy against {sec_pt:.2f} s for PyTorch"
    if faster == "neither network":
        return f"{machine(result)}, the two take {how}: {times}."
    return f"{machine(result)}, {faster} is faster: {times}, {how}."


# --- a run that diverged ------------------------------------------------------------------


def divergence_rows(result: dict) -> list[list]:
    """One row per network that diverged (the study's `diverged` list): experiment,
    network, epoch, learning rate, which loss left the finite numbers and its value."""
    return [[d["experiment"], MODEL_LABELS.get(d["model"], d["model"]), d["epoch"], f"{d['lr']:g}",
             f"{d['stage']} loss", d["loss"]] for d in result.get("diverged", [])]


def divergence_summary(result: dict) -> str:
    """The divergence in one sentence, from the study's `diverged` list (no rule: it says
    what happened): the first network that diverged, where, when and at which learning
    rate, and how many diverged in all. Empty when nothing diverged."""
    found = result.get("diverged", [])
    if not found:
        return ""
    d = found[0]
    first = (f"the {MODEL_LABELS.get(d['model'], d['model'])} network of the {d['experiment']} diverged "
             f"in epoch {d['epoch']}: its {d['stage']} loss became {d['loss']} with learning rate {d['lr']:g}")
    others = len(found) - 1
    return first + (f", and {others} other network{'s' if others > 1 else ''} diverged too" if others else "")


# --- the study's settings -------------------------------------------------------------------

# What the study states of its training set-up: "the value of the loss on the test data
# during the 20 epoch of the training" (its Figures 4.1 and 4.2). It gives no hidden size,
# learning rate or batch size.
STUDY_STATED = {"epochs": 20}


def study_settings(params: dict) -> str:
    """How the main run's settings stand to the study's (STUDY_STATED), as a sentence:
    "also" where they agree, the study's value beside ours where they do not."""
    said = "; it states no hidden size, learning rate or batch size."
    if all(params[k] == v for k, v in STUDY_STATED.items()):
        return f"The study also trained for {STUDY_STATED['epochs']} epochs" + said
    return f"The study trained for {STUDY_STATED['epochs']} epochs, not {params['epochs']}" + said


# --- PyTorch's step ----------------------------------------------------------------------------


def pytorch_overhead(result: dict) -> str:
    """Where a PyTorch training step's time goes, from the study's benchmark: "more time
    issuing operations than multiplying matrices" when it reaches under half of the rate of
    its matrix products alone (fraction_of_matmul_rate < 0.5), else "most of its time
    multiplying matrices"."""
    frac = result["bench"]["run"]["trainers"]["pytorch"]["fraction_of_matmul_rate"]
    share = f"it reaches {frac:.0%} of the rate of its matrix products alone"
    if frac < 0.5:
        return f"a PyTorch step spends more time issuing operations than multiplying matrices ({share})"
    return f"a PyTorch step spends most of its time multiplying matrices ({share}), yet each operation it issues still costs"


def sgd_variants(result: dict) -> str:
    """Whether SGD's foreach or fused update pays here, by SAME_TIME: the best of the two
    pays when it saves more than 5% of a PyTorch training step (the main run's median
    epoch over its steps). The loop keeps the default either way; the sentence says why."""
    sgd = result["pytorch_idioms"]["seconds"]["sgd"]
    best = min(("foreach", "fused"), key=lambda k: sgd[k])
    saving = sgd["for-loop"] - sgd[best]
    main = result["main"]
    history = main["models"]["pytorch"]["history"]
    if not history:  # the main run diverged in its first epoch: no step to compare with
        return (f"{best}=True is the faster by {saving * 1e6:.0f} µs per step; with no finished training epoch "
                "to set that against, we keep the default")
    steps = math.ceil(main["data"]["n_train"] / main["params"]["batch_size"])
    step = float(np.median([h["seconds"] for h in history])) / steps
    share = saving / step
    said = (f"the better of the two, {best}=True, saves {saving * 1e6:.0f} µs of a {step * 1e6:.0f} µs training step "
            f"({share:.1%})")
    if share <= SAME_TIME:
        return f"{said}, within the {SAME_TIME:.0%} we count as the same time, so we keep the default"
    return (f"{said}: more than the {SAME_TIME:.0%} we count as the same time, so it would pay here; the loop "
            "keeps the default of PyTorch's own examples")


# --- initialisation and the 3-versus-8 projection ------------------------------------------

def starts_wash_out(last: list[float], seed_sd: float) -> str:
    """Whether the initialisations' final test losses are within the noise of training:
    their spread (max - min) is at most SPREAD_SDS times the larger seed-to-seed standard
    deviation of the final test loss (seed_sd)."""
    spread = max(last) - min(last)
    bound = f"{SPREAD_SDS:g} times the seed-to-seed standard deviation of the final test loss ({seed_sd:.4f})"
    if spread <= SPREAD_SDS * seed_sd:
        return f"the starting point washes out, as that is within {bound}"
    return f"the starting point has not washed out, as that is more than {bound}"


def projection_loss(result: dict) -> str:
    """What two principal components cost each 3-versus-8 classifier: accuracy with all
    784 pixels minus accuracy on the two components, for every classifier."""
    c = result["boundaries"]["classifiers"]
    gain = {k: v["accuracy_full"] - v["accuracy_2d"] for k, v in c.items()}
    lo, hi = min(gain.values()), max(gain.values())
    if lo > 0:
        return (f"each does better with the pixels, by {lo * 100:.1f} to {hi * 100:.1f} points, so the projection "
                "to two dimensions loses part of what separates a 3 from an 8, for every classifier, whatever trains it")
    worse = [f"the {BOUNDARY_TITLES.get(k, k)}" for k, g in gain.items() if g <= 0]
    return (f"not every classifier does better with the pixels here ({' and '.join(worse)} "
            f"{'does' if len(worse) == 1 else 'do'} not), so with these parameters the projection is not what limits "
            "them all")
