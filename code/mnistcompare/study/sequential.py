"""Seeds added in rounds until every question is decided, up to a cap ("seeds: auto").

Looking after every round and stopping as soon as an interval decides is not the same
as deciding once: each look is another chance for a 95% interval to exclude 0 by luck,
and over eight looks a true difference of 0 is called "different" about three times as
often as the 5% a single interval promises (tests/test_sequential.py measures it).

The rule here spends the error rate across the looks, Bonferroni's way: the plan fixes
in advance the seeds at each look (first, first + step, ..., cap), and each look decides
by `stats.decide` on an interval at level 1 - alpha / K, K being the number of looks.
By the union bound the chance that any look wrongly decides a question is at most
K * alpha / K = alpha, whatever the looks' dependence on each other and whenever the
study stops. It is conservative (an interval at each look is wider than a single 95%
one), and it is valid only for the looks it planned: a look at a seed count outside
the plan is refused. The cap bounds the cost; a question still undecided there stays
"cannot tell".

A question's answer is the decision of the first look that decided it: the rule is a
pure function of the values so far, which it re-reads at each planned look (a prefix of
the seeds), so the study need not remember earlier looks.

Alternatives weighed: a Pocock or O'Brien-Fleming boundary spends alpha more cleverly
but needs a known or estimated correlation between looks and tables for t-intervals;
an anytime-valid confidence sequence needs a known variance bound or a heavier
construction. With at most tens of seeds and a handful of looks, the Bonferroni split
is simple to state in the book and exactly as valid as it claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import stats


@dataclass(frozen=True)
class Plan:
    """The looks fixed before any seed is run: at `first` seeds, then every `step` more,
    and at `cap` (the last look, even when the steps do not land on it); each with
    alpha / (number of looks)."""

    first: int
    cap: int
    step: int = 1
    alpha: float = stats.ALPHA

    def __post_init__(self) -> None:
        if self.first < 2:
            raise ValueError(f"the first look needs at least 2 seeds (an interval needs a spread), got {self.first}")
        if self.cap < self.first or self.step < 1:
            raise ValueError(f"a plan needs first <= cap and step >= 1, got {self.first}, {self.cap}, {self.step}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), got {self.alpha}")

    @property
    def looks(self) -> tuple[int, ...]:
        """The seed counts at which the rule looks."""
        steps = tuple(range(self.first, self.cap + 1, self.step))
        return steps if steps[-1] == self.cap else (*steps, self.cap)

    @property
    def alpha_per_look(self) -> float:
        return self.alpha / len(self.looks)

    @property
    def level(self) -> float:
        """The level of each look's interval."""
        return 1 - self.alpha_per_look

    def after(self, n: int) -> int | None:
        """The seed count of the look after the one at n; None after the last."""
        later = [k for k in self.looks if k > n]
        return later[0] if later else None


@dataclass(frozen=True)
class Question:
    """One question asked of the seeds: the values per seed so far, and the margin.

    design  "welch": a and b are two samples (one value per seed each);
            "paired": a[i] and b[i] come from the same seed;
            "one run": a is the sample per seed, b the single run set against it.
    """

    a: Sequence[float]
    b: Sequence[float]
    margin: float
    design: str = "welch"

    @property
    def n(self) -> int:
        """Seeds so far."""
        return len(self.a)

    def interval(self, n: int, level: float) -> stats.Interval | None:
        """The interval on the first n seeds."""
        if self.design == "welch":
            return stats.welch(self.a[:n], self.b[:n], level)
        if self.design == "paired":
            return stats.paired(self.a[:n], self.b[:n], level)
        if self.design == "one run":
            (x,) = self.b
            return stats.one_run(self.a[:n], x, level)
        raise ValueError(f"unknown design {self.design!r}: welch, paired or one run")


@dataclass(frozen=True)
class Answer:
    """A question's decision, the interval it was taken on, and the seeds at that look."""

    decision: str
    interval: stats.Interval | None
    n: int

    @property
    def decided(self) -> bool:
        return self.decision != "cannot tell"


@dataclass(frozen=True)
class Look:
    """Where the rule stands at n seeds: each question's answer, whether to stop (every
    question decided, or the cap reached), and the seed count of the next look."""

    n: int
    answers: dict[str, Answer]
    stop: bool
    next: int | None


def answer(plan: Plan, q: Question, n: int) -> Answer:
    """The first planned look up to n that decides q, else the look at n undecided."""
    iv = None
    for k in (k for k in plan.looks if k <= n):
        iv = q.interval(k, plan.level)
        decision = stats.decide(iv, q.margin)
        if decision != "cannot tell":
            return Answer(decision, iv, k)
    return Answer("cannot tell", iv, n)


def look(plan: Plan, questions: Mapping[str, Question]) -> Look:
    """The rule at the seeds run so far. Every question must have the same number of
    seeds, a count the plan looks at (ValueError otherwise)."""
    counts = {q.n for q in questions.values()}
    if len(counts) != 1:
        raise ValueError(f"every question needs the same seeds, got counts {sorted(counts)}")
    (n,) = counts
    if n not in plan.looks:
        raise ValueError(f"the plan looks at {plan.looks} seeds, not at {n}: an unplanned look spends no alpha")
    answers = {name: answer(plan, q, n) for name, q in questions.items()}
    stop = n == plan.cap or all(a.decided for a in answers.values())
    return Look(n, answers, stop, None if stop else plan.after(n))
