"""The questions over the seeds (study/questions.py): the plan that `seeds` sets, Holm's
correction at each look, a round that runs only what is still open, and the family's
error rate under repeated looks. Synthetic numbers, no training."""

from types import SimpleNamespace as NS

import numpy as np
import pytest
from mnistcompare.core.params import ParamError, Params
from mnistcompare.core.records import Epoch, Network
from mnistcompare.study import questions, sequential, stats


def ended(loss, accuracy=0.97, init="pytorch"):
    return Network(history=(Epoch(1, 0.1, loss, accuracy, 1.0, 0.1, 1.0),), parameter_count=10, init=init)


def runs(numpy, pytorch, own, small, accuracy=None):
    """Per-seed runs whose networks end at these test losses (the starts' runs may be fewer)."""
    acc = accuracy or [(0.97, 0.97)] * len(numpy)
    return {
        "seeds": tuple(
            NS(models={"numpy": ended(a, x), "pytorch": ended(b, y)}, diverged=())
            for a, b, (x, y) in zip(numpy, pytorch, acc)
        ),
        "init_only": tuple(NS(models={"pytorch": ended(v, init="nn.Linear")}, diverged=()) for v in own),
        "init_small": tuple(NS(models={"numpy": ended(v, init="small")}, diverged=()) for v in small),
    }


# Looks at 3, 5, 6 (two seeds a round; the cap is a look). init: he, so that both starts are
# asked (each of the others is where the seeds' networks start from: nothing to compare).
AUTO = Params(seeds="auto", seeds_cap=6, init="he")


def test_the_plan_follows_the_seeds_parameter():
    assert questions.plan(AUTO).looks == (3, 5, 6) and questions.plan(AUTO).alpha_per_look == pytest.approx(0.05 / 3)
    fixed = questions.plan(Params(seeds=5))
    assert fixed.looks == (5,) and fixed.level == pytest.approx(0.95)
    assert questions.plan(Params(seeds=1)) is None


def test_seeds_auto_needs_a_cap_of_at_least_the_first_look():
    assert Params(seeds="auto").seeds_cap == 11 and Params(seeds="auto").first_seeds == 3
    with pytest.raises(
        ParamError, match=r"seeds_cap must be an integer >= 3 \(seeds: auto looks first at 3 seeds\), got 2"
    ):
        Params(seeds="auto", seeds_cap=2)
    with pytest.raises(ParamError, match="seeds must be a positive integer or auto, got 'many'"):
        Params(seeds="many")


CLOSE = [0.070, 0.071, 0.069, 0.0705, 0.0695, 0.070]


def test_a_round_runs_only_the_experiments_of_open_questions():
    """At 3 seeds the small start is clearly apart (decided), the other questions are open:
    the next round runs the seeds and PyTorch's own start, not the small start again."""
    wide = [0.060, 0.080, 0.070]
    r = runs(wide, [0.062, 0.079, 0.071], [0.065, 0.075, 0.069], [0.170, 0.181, 0.169])
    settled = questions.settle(AUTO, r).questions
    assert settled["init_small"].decision == "different" and settled["init_small"].at == 3
    assert questions.open_experiments(AUTO, r) == ("seeds", "init_only")
    assert questions.open_experiments(Params(seeds=3, init="he"), r) == ()  # a fixed number: no more rounds


def test_stops_early_when_every_question_is_decided():
    r = runs(CLOSE[:3], CLOSE[:3], [x + 0.0001 for x in CLOSE[:3]], [x + 0.1 for x in CLOSE[:3]])
    settled = questions.settle(AUTO, r)
    assert {q.decision for q in settled.questions.values()} <= {"same", "different"}
    assert all(q.at == 3 and len(q.path) == 1 for q in settled.questions.values())
    assert questions.open_experiments(AUTO, r) == ()


def test_reaches_the_cap_with_a_question_still_open():
    """The seeds' losses spread by about the margin and differ by about half of it: no look up
    to the cap decides, and the answer says how many seeds would."""
    numpy = [0.060, 0.080, 0.070, 0.075, 0.062, 0.078]
    pytorch = [0.068, 0.088, 0.072, 0.090, 0.070, 0.083]
    r = runs(numpy, pytorch, [x + 0.0001 * (-1) ** i for i, x in enumerate(pytorch)], [x + 0.1 for x in numpy])
    assert questions.open_experiments(AUTO, {k: v[:5] for k, v in r.items()}) == ("seeds",)
    loss = questions.settle(AUTO, r).questions["test_loss"]
    assert loss.decision == "cannot tell" and loss.at == loss.n == 6 and len(loss.path) == 3  # looks at 3, 5, 6
    assert loss.interval == loss.path[-1] and loss.interval.level == pytest.approx(1 - 0.05 / 3)
    assert loss.seeds_needed > 6
    assert questions.open_experiments(AUTO, r) == ()  # the cap: no further round


def test_an_empty_start_and_a_diverged_one_leave_the_family():
    """A start that is the study's `init` is empty (it ran nothing); one whose run diverged is
    not asked. Either leaves the family, and never holds up a round."""
    r = runs(CLOSE[:3], CLOSE[:3], CLOSE[:3], [x + 0.1 for x in CLOSE[:3]])
    r["init_only"] = ()  # init: pytorch, the default: the seeds' PyTorch network starts from nn.Linear's own
    settled = questions.settle(AUTO.replace(init="pytorch"), r).questions
    assert settled["init_only"].decision == "empty" and settled["init_only"].interval is None
    assert settled["init_small"].decision == "different"
    r = runs(CLOSE[:3], CLOSE[:3], CLOSE[:3], CLOSE[:3])
    r["init_small"] = ()
    r["init_only"] = (*r["init_only"][:2], NS(models=r["init_only"][2].models, diverged=("x",)))
    settled = questions.settle(AUTO.replace(init="small"), r).questions
    assert settled["init_small"].decision == "empty" and settled["init_only"].decision == "diverged"
    assert {q.decision for q in settled.values()} == {"empty", "diverged", "same"}


def test_a_start_that_is_the_studys_init_runs_nothing():
    from mnistcompare.study import registry

    for init, empty in (("pytorch", "init_only"), ("small", "init_small"), ("he", None)):
        p = Params(init=init, seeds=3)
        ran = {e.name: e.runs(p) for e in registry.EXPERIMENTS if e.start}
        assert {name for name, r in ran.items() if not r} == ({empty} if empty else set())
        assert all(len(r) == 3 for name, r in ran.items() if name != empty)


def test_holm_is_stricter_than_each_question_alone():
    """Each of two questions decides alone at the look, but not as a family of four: Holm asks
    the smallest p-value to pass a quarter of the look's alpha."""
    plan = sequential.Plan(first=3, cap=3)
    q = sequential.Question([0.0, 0.1, 0.05], [0.04, 0.18, 0.11], 0.01, design="paired")  # diffs 0.04, 0.08, 0.06
    alone = questions.decide(plan, {"q": q})
    family = questions.decide(plan, {name: q for name in "abcd"})
    assert alone["q"][0] == "different" and {d for d, *_ in family.values()} == {"cannot tell"}


def test_the_familys_error_rate_holds_under_repeated_looks():
    """Two questions with no true difference, looked at after every seed from 3 to 8: the
    chance that any look calls either different stays at alpha (Holm at each look,
    Bonferroni over the looks); looking naively at 95% after every seed breaks it."""
    plan, sequences = sequential.Plan(first=3, cap=8), 400
    rng = np.random.default_rng(7)
    data = rng.standard_normal((sequences, 4, plan.cap))

    def family(x):
        qs = {name: sequential.Question(x[2 * i], x[2 * i + 1], 0.1) for i, name in enumerate("ab")}
        return any(d == "different" for d, *_ in questions.decide(plan, qs).values())

    def naive(x):
        return any(
            stats.decide(stats.welch(x[2 * i][:n], x[2 * i + 1][:n]), 0.1) == "different"
            for n in plan.looks
            for i in range(2)
        )

    ours = np.mean([family(x) for x in data])
    tolerance = 3 * np.sqrt(plan.alpha * (1 - plan.alpha) / sequences)
    assert ours <= plan.alpha + tolerance
    assert np.mean([naive(x) for x in data]) > plan.alpha + tolerance
