"""Every verdict the book prints follows its stated rule: its decision turns when the
numbers turn, and its words say that decision."""

import math

import pytest

from mnistcompare.book import verdicts as V


def history(first_test_loss=0.3, last=(0.05, 0.08)):
    return [{"epoch": 1, "train_loss": 0.5, "test_loss": first_test_loss},
            {"epoch": 2, "train_loss": last[0], "test_loss": last[1]}]


def result(rel_gap=1e-8, acc=(0.975, 0.976), sds=(0.001, 0.001), n=3, paper=(2.2, 1.3), gaps=((0.05, 0.08), (0.05, 0.08)),
           grids=([0, 1, 1, 0], [0, 1, 1, 0]), device="cpu"):
    spread = {m: {"test_accuracy": {"mean": a, "sd": s, "n": n}} for m, a, s in zip(("numpy", "pytorch"), acc, sds)}
    return {
        "main": {"parity": {"train_loss_abs_diff": [rel_gap * 0.5]},
                 "params": {"device": device}, "environment": {"cuda_device": "NVIDIA H100" if device == "cuda" else None},
                 "models": {m: {"history": history(last=g)} for m, g in zip(("numpy", "pytorch"), gaps)}},
        "seed_spread": spread,
        "paper_like": {"models": {m: {"history": history(first_test_loss=v)} for m, v in zip(("numpy", "pytorch"), paper)}},
        "boundaries": {"classifiers": {m: {"grid": g} for m, g in zip(("numpy", "pytorch"), grids)}},
    }


def test_parity_is_round_off_only_below_the_threshold():
    same, apart = V.parity(result(rel_gap=1e-8)), V.parity(result(rel_gap=1e-3))
    assert same.decision == "same" and same.text.startswith("float32 round-off")
    assert apart.decision == "different" and apart.text.startswith("more than float32 round-off")
    assert same.words.keys() == apart.words.keys() == {"abstract", "curves", "growth", "conclusion", "coincide", "agree"}
    assert same.words["abstract"] == "are the same algorithm" and apart.words["abstract"] == "do not behave as the same algorithm"
    # The other outcome says by how much, in parity's words.
    assert apart.text in apart.words["curves"] and apart.text in apart.words["conclusion"]
    assert (same.words["agree"], apart.words["agree"]) == ("agree to", "differ by")


@pytest.mark.parametrize("acc, sds, n, decision", [
    ((0.975, 0.976), (0.001, 0.001), 3, "neither"),   # 0.1 points apart, sd 0.1: within 2 sd
    ((0.970, 0.976), (0.001, 0.001), 3, "pytorch"),   # 0.6 points apart: beyond 2 sd
    ((0.980, 0.976), (0.001, 0.001), 3, "numpy"),
    ((0.970, 0.976), (0.0, 0.0), 1, "undecided"),      # a single seed has no spread
])
def test_seed_accuracy_follows_the_two_sd_rule(acc, sds, n, decision):
    v = V.seed_accuracy(result(acc=acc, sds=sds, n=n))
    assert v.decision == decision
    assert ("is not what we measure" in v.words["claim"]) == (decision == "neither")
    assert ("bought accuracy beyond" in v.words["bought"]) == (decision == "pytorch")
    assert ("at most 2 times" in v.text) == (decision == "neither")
    assert ("single seed" in v.text) == (decision == "undecided")


def test_speed_names_the_faster_or_neither():
    v = V.speed(result(), 0.26, 0.48)
    assert v.decision == "numpy" and "a factor of 1.85" in v.text and v.words["faster"] == "NumPy trained faster"
    assert v.text.startswith("On this CPU, NumPy is faster: 0.26 s per epoch")
    assert V.speed(result(), 0.50, 0.25).decision == "pytorch"
    same = V.speed(result(), 0.50, 0.51)
    assert same.decision == "same" and same.words["faster"] == "neither trained faster"
    assert V.speed(result(device="cuda"), 0.26, 0.1).text.startswith("With PyTorch on NVIDIA H100 and NumPy on the CPU")


def test_paper_shapes_need_a_start_near_chance_and_a_lower_pytorch_start():
    assert V.paper_shapes(result(paper=(2.2, 1.3))).decision == "reproduced"
    v = V.paper_shapes(result(paper=(1.0, 0.9)))
    assert v.decision == "not reproduced" and "near chance" in v.text and "lower by at least" in v.text
    v = V.paper_shapes(result(paper=(2.2, 2.0)))
    assert v.decision == "not reproduced" and "near chance" not in v.text
    assert V.NEAR_CHANCE == pytest.approx(0.8 * math.log(10))


@pytest.mark.parametrize("paper, rel_gap, ok, separates", [
    ((2.2, 1.3), 1e-8, True, True),     # the study's shapes and one algorithm: the starting point separates them
    ((2.2, 1.3), 1e-3, True, False),    # shapes, but the libraries compute different steps: the run cannot say
    ((1.0, 0.9), 1e-8, False, False),   # no start near chance: the preset does not reproduce the study
])
def test_paper_words_follow_the_shapes_and_the_parity_rule(paper, rel_gap, ok, separates):
    v = V.paper_shapes(result(paper=paper, rel_gap=rel_gap))
    assert v.words.keys() == {"abstract", "like_study", "separates", "meaning", "conclusion"}
    assert v.words["like_study"].startswith("a gap like") == ok
    assert ("not evidence of a difference" in v.words["meaning"]) == ok
    assert v.words["separates"].startswith("What separates the study's two curves is the starting point") == separates
    if not ok:  # the failed rule is named: which of the study's shapes is missing
        assert v.text in v.words["conclusion"] and v.text in v.words["abstract"]


def test_overfitting_same_or_the_network_that_overfits_more():
    assert V.overfitting(result()).decision == "same"
    v = V.overfitting(result(gaps=((0.05, 0.08), (0.05, 0.20))))
    assert v.decision == "pytorch" and "PyTorch overfits more" in v.text


def test_boundaries_agree_on_the_plane_or_not():
    assert V.boundaries(result()).decision == "same"
    v = V.boundaries(result(grids=([0, 1, 1, 0], [1, 0, 1, 0])))
    assert v.decision == "different" and "50.0%" in v.text


def test_study_settings_say_also_only_when_the_epochs_are_the_studys():
    assert V.study_settings({"epochs": 20}).text.startswith("The study also trained for 20 epochs;")
    v = V.study_settings({"epochs": 3})
    assert v.decision == "different" and v.text.startswith("The study trained for 20 epochs, not 3;")


def _idioms_study(loop_us, foreach_us, fused_us, epoch_s, frac=0.3, history=True):
    return {"pytorch_idioms": {"seconds": {"sgd": {"for-loop": loop_us * 1e-6, "foreach": foreach_us * 1e-6,
                                                   "fused": fused_us * 1e-6},
                                           "gather": {"X[idx]": 70e-6, "index_select": 20e-6}}},
            "bench": {"run": {"trainers": {"pytorch": {"fraction_of_matmul_rate": frac}}}},
            "main": {"data": {"n_train": 64_000}, "params": {"batch_size": 64},
                     "models": {"pytorch": {"history": [{"seconds": epoch_s}] * 3 if history else []}}}}


def test_sgd_variants_pay_only_above_five_percent_of_a_step():
    # 1,000 steps per epoch: a 0.5 s epoch is a 500 µs step.
    small = V.sgd_variants(_idioms_study(61, 55, 53, 0.5))  # 8 µs of 500: 1.6%
    assert small.decision == "keep" and "fused=True, saves 8 µs of a 500 µs training step (1.6%)" in small.text
    big = V.sgd_variants(_idioms_study(100, 60, 70, 0.5))  # 40 µs of 500: 8%
    assert big.decision == "pays" and "foreach=True, saves 40 µs" in big.text and "(8.0%)" in big.text
    assert V.sgd_variants(_idioms_study(61, 55, 53, 0.5, history=False)).decision == "unknown"
    slower = V.sgd_variants(_idioms_study(50, 55, 53, 0.5))  # neither variant saves anything
    assert slower.decision == "keep" and "neither is faster" in slower.text


def test_idioms_faster_same_or_slower_within_five_percent():
    S = _idioms_study(1, 1, 1, 1)
    v = V.idiom(S, "gather", "index_select", "X[idx]")
    assert v.decision == "faster" and v.text == "faster here: 20 against 70 µs"
    assert V.idiom(S, "gather", "X[idx]", "index_select").decision == "slower"
    S["pytorch_idioms"]["seconds"]["gather"]["X[idx]"] = 20.5e-6
    assert V.idiom(S, "gather", "index_select", "X[idx]").decision == "same"


def test_pytorch_overhead_follows_half_the_matmul_rate():
    assert V.pytorch_overhead(_idioms_study(1, 1, 1, 1, frac=0.3)).decision == "overhead"
    assert V.pytorch_overhead(_idioms_study(1, 1, 1, 1, frac=0.7)).decision == "arithmetic"


def test_starts_wash_out_within_twice_the_seed_spread():
    v = V.starts_wash_out([0.100, 0.102, 0.104], 0.003, 3)  # 0.004 <= 0.006
    assert v.decision == "washes out" and v.text.startswith("the starting point washes out")
    v = V.starts_wash_out([0.1, 0.2, 0.3], 0.003, 3)
    assert v.decision == "persists" and "(0.0030)" in v.text
    assert V.starts_wash_out([0.1, 0.2, 0.3], 0.0, 1).decision == "undecided"


def test_projection_loss_names_who_does_not_gain():
    c = lambda a2, af: {"accuracy_2d": a2, "accuracy_full": af}  # noqa: E731
    S = {"boundaries": {"classifiers": {"logistic": c(0.86, 0.96), "numpy": c(0.85, 0.99), "pytorch": c(0.85, 0.97)}}}
    v = V.projection_loss(S)
    assert v.decision == "every classifier" and v.text.startswith("each does better with the pixels, by 10.0 to 14.0 points")
    S["boundaries"]["classifiers"]["numpy"] = c(0.85, 0.80)
    v = V.projection_loss(S)
    assert v.decision == "not every" and "(the NumPy network does not)" in v.text
    # A network that diverged on one input is left out of the comparison, not counted as a loss.
    S["boundaries"]["classifiers"]["numpy"] = c(None, 0.99)
    assert V.projection_loss(S).decision == "every classifier"
    S["boundaries"]["classifiers"]["pytorch"] = c(None, 0.51)
    v = V.projection_loss(S)  # the logistic regression alone: no "each"
    assert v.decision == "every classifier" and v.text.startswith("the logistic regression, the only one that trained")


def test_gradients_are_right_within_round_off():
    S = {"gradients": {"finite_differences": {"W1": 1e-9}, "autograd": {"W1": 4e-7}}}
    assert V.gradients(S).decision == "right"
    S["gradients"]["autograd"]["W1"] = 1e-3
    assert V.gradients(S).decision == "wrong"
