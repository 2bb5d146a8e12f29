"""Every verdict the book prints follows its stated rule, and turns when the numbers turn."""

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
    assert V.parity(result(rel_gap=1e-8)).startswith("float32 round-off") and V.same_algorithm(result(rel_gap=1e-8))
    assert V.parity(result(rel_gap=1e-3)).startswith("more than float32 round-off")
    assert not V.same_algorithm(result(rel_gap=1e-3))


@pytest.mark.parametrize("acc, sds, n, verdict", [
    ((0.975, 0.976), (0.001, 0.001), 3, "neither"),   # 0.1 points apart, sd 0.1: within 2 sd
    ((0.970, 0.976), (0.001, 0.001), 3, "pytorch"),   # 0.6 points apart: beyond 2 sd
    ((0.980, 0.976), (0.001, 0.001), 3, "numpy"),
    ((0.970, 0.976), (0.0, 0.0), 1, "undecided"),      # a single seed has no spread
])
def test_seed_verdict_follows_the_two_sd_rule(acc, sds, n, verdict):
    r = result(acc=acc, sds=sds, n=n)
    assert V.seed_verdict(r) == verdict
    claim = V.study_accuracy_claim(r)
    assert ("is not what we measure" in claim) == (verdict == "neither")
    assert ("bought accuracy beyond" in V.framework_accuracy(r)) == (verdict == "pytorch")


def test_speed_names_the_faster_or_neither():
    assert V.speed(0.26, 0.48) == ("NumPy", "a factor of 1.85")
    assert V.speed(0.50, 0.25)[0] == "PyTorch"
    assert V.speed(0.50, 0.51)[0] == "neither network"
    assert V.speed_sentence(result(), 0.26, 0.48).startswith("On this CPU, NumPy is faster: 0.26 s per epoch")
    assert V.speed_sentence(result(device="cuda"), 0.26, 0.1).startswith("With PyTorch on NVIDIA H100 and NumPy on the CPU")


def test_paper_shapes_need_a_start_near_chance_and_a_lower_pytorch_start():
    assert V.paper_shapes(result(paper=(2.2, 1.3)))[0]
    ok, text = V.paper_shapes(result(paper=(1.0, 0.9)))
    assert not ok and "near chance" in text and "lower by at least" in text
    ok, text = V.paper_shapes(result(paper=(2.2, 2.0)))
    assert not ok and "near chance" not in text
    assert V.NEAR_CHANCE == pytest.approx(0.8 * math.log(10))


def test_parity_phrases_turn_with_the_round_off_rule():
    same, apart = V.parity_phrases(result(rel_gap=1e-8)), V.parity_phrases(result(rel_gap=1e-3))
    assert same.keys() == apart.keys() == {"abstract", "curves", "growth", "conclusion"}
    assert same["abstract"] == "are the same algorithm" and apart["abstract"] == "do not behave as the same algorithm"
    assert same["curves"] == "their curves lie on top of each other"
    # The other outcome says by how much, in parity's words.
    assert V.parity(result(rel_gap=1e-3)) in apart["curves"] and V.parity(result(rel_gap=1e-3)) in apart["conclusion"]
    assert "far below anything visible" in same["growth"] and "more than round-off" in apart["growth"]


@pytest.mark.parametrize("paper, rel_gap, ok, separates", [
    ((2.2, 1.3), 1e-8, True, True),     # the study's shapes and one algorithm: the starting point separates them
    ((2.2, 1.3), 1e-3, True, False),    # shapes, but the libraries compute different steps: the run cannot say
    ((1.0, 0.9), 1e-8, False, False),   # no start near chance: the preset does not reproduce the study
])
def test_paper_phrases_follow_the_shapes_and_the_parity_rule(paper, rel_gap, ok, separates):
    r = result(paper=paper, rel_gap=rel_gap)
    words = V.paper_phrases(r)
    assert words.keys() == {"abstract", "like_study", "separates", "meaning", "conclusion"}
    assert words["like_study"].startswith("a gap like") == ok
    assert ("not evidence of a difference" in words["meaning"]) == ok
    assert ("small initialisation" in words["abstract"]) == ok
    assert words["separates"].startswith("What separates the study's two curves is the starting point") == separates
    if not ok:  # the failed rule is named: which of the study's shapes is missing
        assert V.paper_shapes(r)[1] in words["conclusion"] and V.paper_shapes(r)[1] in words["abstract"]


def test_faster_words_name_the_faster_network_outside_five_percent():
    assert V.faster_words(0.26, 0.48) == "NumPy trained faster"
    assert V.faster_words(0.50, 0.25) == "PyTorch trained faster"
    assert V.faster_words(0.50, 0.51) == "neither trained faster"


def test_overfitting_same_or_different():
    assert V.overfitting(result()).startswith("it is the same for both")
    different = V.overfitting(result(gaps=((0.05, 0.08), (0.05, 0.20))))
    assert different.startswith("it differs") and "PyTorch overfits more" in different


def test_boundaries_agree_on_the_plane_or_not():
    assert "the same way" in V.boundaries(result())
    assert "differently" in V.boundaries(result(grids=([0, 1, 1, 0], [1, 0, 1, 0])))


def test_study_settings_say_also_only_when_the_epochs_are_the_studys():
    assert V.study_settings({"epochs": 20}).startswith("The study also trained for 20 epochs;")
    assert V.study_settings({"epochs": 3}).startswith("The study trained for 20 epochs, not 3;")


def _idioms_study(loop_us, foreach_us, fused_us, epoch_s, frac=0.3, history=True):
    return {"pytorch_idioms": {"seconds": {"sgd": {"for-loop": loop_us * 1e-6, "foreach": foreach_us * 1e-6,
                                                   "fused": fused_us * 1e-6}}},
            "bench": {"run": {"trainers": {"pytorch": {"fraction_of_matmul_rate": frac}}}},
            "main": {"data": {"n_train": 64_000}, "params": {"batch_size": 64},
                     "models": {"pytorch": {"history": [{"seconds": epoch_s}] * 3 if history else []}}}}


def test_sgd_variants_pay_only_above_five_percent_of_a_step():
    # 1,000 steps per epoch: a 0.5 s epoch is a 500 µs step.
    small = V.sgd_variants(_idioms_study(61, 55, 53, 0.5))  # 8 µs of 500: 1.6%
    assert "fused=True, saves 8 µs of a 500 µs training step (1.6%)" in small and "we keep the default" in small
    big = V.sgd_variants(_idioms_study(100, 60, 70, 0.5))  # 40 µs of 500: 8%
    assert "foreach=True, saves 40 µs" in big and "(8.0%)" in big and "it would pay here" in big
    assert "no finished training epoch" in V.sgd_variants(_idioms_study(61, 55, 53, 0.5, history=False))


def test_pytorch_overhead_follows_half_the_matmul_rate():
    assert "more time issuing operations" in V.pytorch_overhead(_idioms_study(1, 1, 1, 1, frac=0.3))
    assert "most of its time multiplying" in V.pytorch_overhead(_idioms_study(1, 1, 1, 1, frac=0.7))


def test_starts_wash_out_within_twice_the_seed_spread():
    assert V.starts_wash_out([0.100, 0.102, 0.104], 0.003).startswith("the starting point washes out")  # 0.004 <= 0.006
    assert V.starts_wash_out([0.1, 0.2, 0.3], 0.003).startswith("the starting point has not washed out")
    assert "(0.0030)" in V.starts_wash_out([0.1, 0.2, 0.3], 0.003)


def test_projection_loss_names_who_does_not_gain():
    c = lambda a2, af: {"accuracy_2d": a2, "accuracy_full": af}  # noqa: E731
    S = {"boundaries": {"classifiers": {"logistic": c(0.86, 0.96), "numpy": c(0.85, 0.99), "pytorch": c(0.85, 0.97)}}}
    assert V.projection_loss(S).startswith("each does better with the pixels, by 10.0 to 14.0 points")
    S["boundaries"]["classifiers"]["numpy"] = c(0.85, 0.80)
    assert "(the NumPy network does not)" in V.projection_loss(S)
