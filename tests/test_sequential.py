"""The sequential rule for "seeds: auto": it stops when every question is decided, stops
at the cap otherwise, and keeps its stated error rate however often it looks
(study/sequential.py). Synthetic normal numbers, no training."""

import numpy as np
import pytest
from mnistcompare.core.params import Params
from mnistcompare.study import questions, sequential, stats

PLAN = sequential.Plan(first=3, cap=10, step=1)  # 8 looks: at 3, 4, ..., 10 seeds


def test_the_plan_fixes_the_looks_and_splits_alpha_over_them():
    assert PLAN.looks == (3, 4, 5, 6, 7, 8, 9, 10)
    assert PLAN.alpha_per_look == pytest.approx(0.05 / 8) and PLAN.level == pytest.approx(1 - 0.05 / 8)
    odd = sequential.Plan(first=4, cap=11, step=3)
    assert odd.looks == (4, 7, 10, 11)  # the cap is always a look
    assert odd.after(4) == 7 and odd.after(10) == 11 and odd.after(11) is None
    assert sequential.Plan(first=5, cap=5).looks == (5,)  # one look: the fixed design at full alpha
    for bad in ((1, 5, 1), (6, 5, 1), (2, 5, 0)):
        with pytest.raises(ValueError):
            sequential.Plan(*bad)


def test_stops_early_when_every_question_is_decided():
    acc = sequential.Question([0.970, 0.971, 0.969], [0.980, 0.981, 0.979], margin=stats.ACCURACY_MARGIN)
    loss = sequential.Question([0.0700, 0.0701, 0.0699], [0.0702, 0.0701, 0.0700], margin=stats.LOSS_MARGIN)
    found = sequential.look(PLAN, {"accuracy": acc, "loss": loss})
    assert found.stop and found.next is None and found.n == 3
    assert found.answers["accuracy"].decision == "different" and found.answers["loss"].decision == "same"
    assert found.answers["accuracy"].interval.level == PLAN.level  # the look's level, not 95%


def test_an_undecided_question_asks_for_the_next_round_and_a_decision_stands():
    rng = np.random.default_rng(3)
    a, b = 0.970 + 0.01 * rng.standard_normal(10), 0.970 + 0.01 * rng.standard_normal(10)
    clear = sequential.Question([0.97, 0.971, 0.969, 0.970], [0.99, 0.991, 0.989, 0.990], margin=0.005)
    noisy = sequential.Question(list(a[:4]), list(b[:4]), margin=0.005)
    found = sequential.look(PLAN, {"clear": clear, "noisy": noisy})
    assert not found.stop and found.next == 5
    assert found.answers["noisy"].decision == "cannot tell" and found.answers["noisy"].n == 4
    # decided at 3 seeds: the answer is that look's, whatever the fourth seed adds
    assert found.answers["clear"].decision == "different" and found.answers["clear"].n == 3


def test_reaches_the_cap_when_a_question_stays_open():
    """A true difference of about the margin, with seeds spread by about the margin: no
    look can say "same" or "different", and the rule stops at the cap without an answer."""
    a = [0.9708, 0.9679, 0.9683, 0.9602, 0.9772, 0.9746, 0.9687, 0.9731, 0.9711, 0.9678]
    b = [0.9789, 0.9738, 0.9737, 0.9718, 0.9768, 0.9746, 0.9772, 0.9726, 0.9755, 0.9714]
    q = sequential.Question(a, b, margin=0.005)
    found = sequential.look(PLAN, {"q": q})
    assert found.stop and found.next is None and found.n == 10
    assert found.answers["q"].decision == "cannot tell" and found.answers["q"].n == 10
    for n in PLAN.looks[:-1]:  # every earlier look asked for more
        early = sequential.look(PLAN, {"q": sequential.Question(a[:n], b[:n], margin=0.005)})
        assert not early.stop and early.next == n + 1


def test_designs_and_refusals():
    x = [0.90, 0.95, 0.92]
    paired = sequential.Question(x, [v + 0.002 for v in x], margin=0.005, design="paired")
    assert sequential.look(PLAN, {"p": paired}).answers["p"].interval.kind == "paired"
    one = sequential.Question([0.0700, 0.0702, 0.0698], [0.0701], margin=stats.LOSS_MARGIN, design="one run")
    assert sequential.look(PLAN, {"o": one}).answers["o"].interval.kind == "one run"
    with pytest.raises(ValueError, match="not at 11"):  # an unplanned look
        sequential.look(PLAN, {"q": sequential.Question([0.9] * 11, [0.9] * 11, margin=0.005)})
    with pytest.raises(ValueError, match="same seeds"):
        sequential.look(PLAN, {"a": paired, "b": sequential.Question(x + [0.9], x + [0.9], margin=0.005)})
    with pytest.raises(ValueError, match="unknown design"):
        sequential.look(PLAN, {"q": sequential.Question(x, x, margin=0.005, design="pooled")})


def wrongly_different(decide_first, plan, sequences=2_000, seed=0):
    """The share of simulated studies, with no true difference, whose first deciding look
    calls the two sides different. Spread 1 against a margin of 0.1: "same" is out of
    reach at the cap, so every deciding look is a wrong "different"."""
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, sequences, plan.cap))
    return np.mean([decide_first(a[i], b[i]) == "different" for i in range(sequences)])


# A seed a round, and the study's own plan at the default parameters (two a round, up to 11).
@pytest.mark.parametrize("plan", [PLAN, questions.plan(Params(seeds="auto"))], ids=["step 1", "the default plan"])
def test_the_error_rate_holds_under_repeated_looks_and_naive_looks_break_it(plan):
    alpha = plan.alpha
    ours = wrongly_different(
        lambda a, b: sequential.look(plan, {"q": sequential.Question(a, b, 0.1)}).answers["q"].decision, plan
    )

    def naive(a, b):  # every round at the full 95%, stopping at the first decision
        for n in plan.looks:
            decision = stats.decide(stats.welch(a[:n], b[:n]), 0.1)
            if decision != "cannot tell":
                return decision
        return "cannot tell"

    tolerance = 3 * np.sqrt(alpha * (1 - alpha) / 2_000)  # three standard errors of the observed rate
    assert ours <= alpha + tolerance
    assert wrongly_different(naive, plan) > alpha + tolerance  # the test can fail: looking naively inflates the rate
