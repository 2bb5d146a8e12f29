"""The questions the independent seeds answer, and how many seeds the study runs for them.

Four questions are asked of the seeds, each a difference decided by an interval and a
margin (stats.py):

  test_accuracy  PyTorch's mean final test accuracy minus NumPy's, over the seeds
                 (Welch: the networks of a seed share nothing, so the two are samples);
  test_loss      the same for the final test loss;
  init_only      PyTorch's own start (nn.Linear's) against the shared start's scheme:
                 the final test loss of the experiment `init_only` minus the seed's
                 PyTorch network, paired by seed;
  init_small     the small start against the shared one, on the NumPy network, paired.

A start is paired with the seed run itself: with the same seed it replays that
network's data and minibatch order (its own, since the seeds share nothing), so within a
seed only the start differs, and the seeds' noise that the two runs share cancels. A
start that is the study's own `init` (`init: pytorch` for PyTorch's own start, since
nn.Linear's is that scheme; `init: small` for the small one) is where the seed's network
already starts: its comparison is "empty", not a difference of zero, and it runs nothing.

How many seeds (sequential.Plan): `seeds: N` runs N and looks once, at level 95%.
`seeds: auto` looks first at params.AUTO_FIRST seeds and then after every round of STEP
more, up to `seeds_cap`; each round runs only the experiments whose questions are still
open (the seeds themselves while any question is, since every question uses them).

Each look decides the questions together: Holm's correction over the family of
questions (stats.holm_decide) at alpha / K, K being the plan's number of looks. Holm
keeps the chance of any wrong "different" over the family at most alpha / K at each
look, and of any wrong "same" at most alpha / (2K); by the union bound over the K looks,
at most alpha and alpha / 2 for the whole study, however it stops. A question keeps the
decision of the first look that decided it. The study records each question's interval
at every look (at level 1 - alpha / K), so that the book can show why it stopped where
it did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core import params as P
from ..core.records import Run
from . import registry, sequential, stats
from .records import SeedQuestions, Settled

# seeds: auto adds two seeds a round. Measured on 2 cores (a seed of both networks about 40 s on
# one worker): a round of one seed leaves a worker idle once only the seeds are still open,
# and fewer looks let each decide at a less strict level. At the default spreads this decides
# every question more often, and in less time, than a seed a round.
STEP = 2


@dataclass(frozen=True)
class Spec:
    """What a question compares: the metric, the arm `a` (a network of the seeds), and `b`:
    the other network of the seeds (Welch), or that network in another experiment (paired)."""

    metric: str
    a: str  # the network of the seeds
    b: str  # the other network (welch), or the network of `experiment` (paired)
    experiment: str = "seeds"

    @property
    def design(self) -> str:
        return "welch" if self.experiment == "seeds" else "paired"

    @property
    def experiments(self) -> tuple[str, ...]:
        """The experiments it needs: the seeds, and its start's."""
        return ("seeds",) if self.experiment == "seeds" else ("seeds", self.experiment)

    @property
    def margin(self) -> float:
        return stats.SEED_METRICS[self.metric].margin


SPECS = {
    "test_accuracy": Spec("test_accuracy", "numpy", "pytorch"),
    "test_loss": Spec("test_loss", "numpy", "pytorch"),
    "init_only": Spec("test_loss", "pytorch", "pytorch", "init_only"),
    "init_small": Spec("test_loss", "numpy", "numpy", "init_small"),
}
# The experiments run once per seed: the seeds, and the starts set against them.
PER_SEED = ("seeds", "init_only", "init_small")


def plan(p: P.Params) -> sequential.Plan | None:
    """The looks fixed before any seed runs: one at `seeds` when fixed, from AUTO_FIRST to
    seeds_cap every STEP with `auto`; None with a single seed (no interval)."""
    if p.auto_seeds:
        return sequential.Plan(first=P.AUTO_FIRST, cap=p.seeds_cap, step=STEP)
    return sequential.Plan(first=p.first_seeds, cap=p.first_seeds) if p.first_seeds >= 2 else None


def empty(spec: Spec, p: P.Params) -> bool:
    """Whether the start is the study's own `init`, which the seeds' networks already start
    from (registry.Experiment.empty): then there is nothing to compare, and nothing ran."""
    return spec.design == "paired" and registry.BY_NAME[spec.experiment].empty(p)


def diverged(spec: Spec, runs: Mapping[str, Sequence[Run]]) -> bool:
    return any(run.diverged for e in spec.experiments for run in runs[e])


def question(spec: Spec, runs: Mapping[str, Sequence[Run]]) -> sequential.Question:
    """The question on the seeds run so far (a paired one on the seeds both sides have)."""
    seeds = runs["seeds"]
    a = [getattr(r.models[spec.a].last, spec.metric) for r in seeds]
    if spec.design == "welch":
        b = [getattr(r.models[spec.b].last, spec.metric) for r in seeds]
        return sequential.Question(a, b, spec.margin)
    b = [getattr(r.models[spec.b].last, spec.metric) for r in runs[spec.experiment]]
    n = min(len(a), len(b))
    return sequential.Question(a[:n], b[:n], spec.margin, design="paired")


def decide(
    rule: sequential.Plan, asked: Mapping[str, sequential.Question]
) -> dict[str, tuple[str, int, tuple[stats.Interval | None, ...]]]:
    """Each question's (decision, seeds at the look that took it, its interval at every look
    up to its seeds), by the plan's looks with Holm's correction over the questions at each
    (stats.holm_decide at alpha / K). A question's intervals at a look beyond its own seeds
    are those of its last seeds (it stopped, decided); one still open at its last look
    "cannot tell", at its own seeds."""
    paths: dict[str, list[stats.Interval | None]] = {name: [] for name in asked}
    found: dict[str, tuple[str, int]] = {}
    n_max = max((q.n for q in asked.values()), default=0)
    for k in (k for k in rule.looks if k <= n_max):
        ivs = {name: q.interval(min(k, q.n), rule.level) for name, q in asked.items()}
        decisions = stats.holm_decide(list(ivs.values()), [q.margin for q in asked.values()], rule.alpha_per_look)
        for (name, iv), decision in zip(ivs.items(), decisions):
            if k <= asked[name].n:
                paths[name].append(iv)
            if name not in found and decision != "cannot tell":
                found[name] = (decision, k)
    return {name: (*found.get(name, ("cannot tell", q.n)), tuple(paths[name])) for name, q in asked.items()}


def settle(p: P.Params, runs: Mapping[str, Sequence[Run]]) -> SeedQuestions:
    """Every question's answer on the runs so far (the records of each per-seed experiment,
    in seed order), by `decide`. A question is "empty" when its start is the study's `init`,
    "diverged" when a run it needs diverged (not asked; it leaves the family); with a
    single seed, "cannot tell"."""
    rule = plan(p)
    asked = {
        name: question(spec, runs) for name, spec in SPECS.items() if not empty(spec, p) and not diverged(spec, runs)
    }
    decided = decide(rule, asked) if rule else {name: ("cannot tell", q.n, ()) for name, q in asked.items()}
    answers = {}
    for name, spec in SPECS.items():
        if name not in asked:
            status = "empty" if empty(spec, p) else "diverged"
            answers[name] = Settled(spec.metric, spec.design, spec.margin, status, None, 0, (), None, 0)
            continue
        decision, at, path = decided[name]
        iv = path[rule.looks.index(at)] if rule and path else None
        needed = stats.seeds_needed(iv, spec.margin, rule.level) if rule and decision == "cannot tell" else None
        answers[name] = Settled(spec.metric, spec.design, spec.margin, decision, iv, at, path, needed, asked[name].n)
    return SeedQuestions(rule=rule, auto=p.auto_seeds, questions=answers)


def open_experiments(p: P.Params, runs: Mapping[str, Sequence[Run]]) -> tuple[str, ...]:
    """The per-seed experiments the next round must run: those of every question still open
    (the seeds for any); none when every question is decided or the cap is reached."""
    rule = plan(p)
    n = len(runs["seeds"])
    if not p.auto_seeds or rule is None or rule.after(n) is None:
        return ()
    settled = settle(p, runs).questions
    still = [SPECS[name] for name, s in settled.items() if s.decision == "cannot tell"]
    return tuple(e for e in PER_SEED if any(e in spec.experiments for spec in still))
