"""Fairness and correctness: the same curves under the same conditions, what the
initialisation changes, the gradient check, and the independent seeds."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import params as P
from ...study import stats
from ...study.records import Stat, Study
from .. import labels
from .. import verdicts as V
from ..formatting import and_join, num, pct, sci, sci_text
from ..formatting import level as level_words
from ..markdown import Prose, md_table, table
from ..plots import charts
from ..plots.charts import points
from .base import Chapter, missing, not_taken, shown
from .data_method import seeds_words

NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition


@dataclass(frozen=True, kw_only=True)
class Fairness(Chapter):
    agree: str
    gap_train: str
    gap_test: str
    gap_acc: str
    growth: str
    init_text: str
    paper_lr: str
    paper_run: str
    separates: str
    fd_max: str
    ag_max: str
    ag_batch: str
    gradients: str
    seeds: str
    seed_draws: str
    seed_cmp: str

    def fig_parity(self):
        alt = (
            f"The absolute difference between NumPy and PyTorch after each epoch of the main run, on a log scale: "
            f"at most {self.gap_train} in training loss, {self.gap_test} in test loss and {self.gap_acc} in test "
            "accuracy."
        )
        par = self.S.main.parity["pytorch"]
        series = {
            label: [{"epoch": e + 1, "value": v} for e, v in enumerate(diffs) if v > 0]  # log scale: no zeros
            for label, diffs in (
                ("training loss", par.train_loss_abs_diff),
                ("test loss", par.test_loss_abs_diff),
                ("test accuracy", par.test_accuracy_abs_diff),
            )
        }
        return charts.series_curves(series, alt, "fig-parity", metric="value", title="|NumPy − PyTorch|", log_y=True)

    def fig_init(self):
        def draw():
            series = init_series(self.S)
            runs = "; ".join(
                f"{name} from {num(h[0]['value'], 3)} to {num(h[-1]['value'], 4)}" for name, h in series.items()
            )
            alt = (
                f"Test loss per epoch, on a log scale, of seed {self.S.params.seed}: each network in its own "
                f"minibatch order, from the shared start and from each other start that ran: {runs}."
            )
            # Lower than the others: its legend holds up to four starts, and the figure must share a page.
            return charts.series_curves(
                series, alt, "fig-init", metric="value", title="test loss", log_y=True, height=200
            )

        return shown(self.S, STARTS, draw)

    def tbl_gradients(self):
        g = self.S.gradients
        rows = [[f"`{k}`", sci(g.finite_differences[k]), sci(g.autograd[k])] for k in g.autograd]
        return table(md_table(["parameter", "vs finite differences (float64)", "vs autograd (float32)"], rows))

    def tbl_seeds(self):
        def pm(stat: Stat, fmt) -> str:
            return f"{fmt(stat.mean)} $\\pm$ {fmt(stat.sd)}"

        rows = [
            [
                labels.label(m),
                pm(v.test_accuracy, pct),
                pm(v.test_loss, lambda x: num(x, 4)),
                pm(v.seconds_per_epoch, lambda x: num(x, 3)),
                str(v.test_accuracy.n),
            ]
            for m, v in (self.S.seed_spread or {}).items()
        ]
        return shown(
            self.S,
            ("seeds",),
            lambda: table(md_table(["implementation", "test accuracy", "test loss", "s / epoch", "seeds"], rows)),
        )

    def fig_seeds(self):
        def draw():
            series = {
                f"{labels.label(m)}, seed {run.params.seed}": points(net.history, "test_accuracy")
                for run in self.S.seeds
                for m, net in run.models.items()
            }
            finals = [h[-1]["value"] for h in series.values()]
            alt = (
                f"Test accuracy per epoch of both networks for each of {self.seeds}: after the last epoch they lie "
                f"between {pct(min(finals))} and {pct(max(finals))}."
            )
            return charts.series_curves(series, alt, "fig-seeds", metric="value", title="test accuracy")

        return shown(self.S, ("seeds",), draw)


# The experiments of the initialisation section: the seeds (the shared start) and the others.
STARTS = ("seeds", "init_only", "init_small")


def other_start(S: Study, experiment: str):
    """The first seed's network from another start (verdicts.OTHER_STARTS); None when that
    start is the study's `init`, where the seed's own network starts, and so did not run."""
    runs = getattr(S, experiment)
    return runs[0].models[V.OTHER_STARTS[experiment]] if runs else None


def init_series(S: Study) -> dict[str, list[dict]]:
    """The first seed's starts as named series of test loss: each network from the shared
    start (the seed's own run) and from its other start where that one ran, in that
    network's own order."""
    shared, small, own = S.seeds[0].models, other_start(S, "init_small"), other_start(S, "init_only")
    series = {f"NumPy, the shared start (init: {S.params.init})": points(shared["numpy"].history, "test_loss")}
    if small is not None:
        series["NumPy, small N(0, 0.01²)"] = points(small.history, "test_loss")
    series[f"PyTorch, the shared start (init: {S.params.init})"] = points(shared["pytorch"].history, "test_loss")
    if own is not None:
        series["PyTorch, nn.Linear's own"] = points(own.history, "test_loss")
    return series


# --- same conditions, same curves? -------------------------------------------------------------


def agree(v: V.Parity) -> str:
    """The main run's first-epoch gap in training loss, and what it says."""
    if v.decision == "same":
        return (
            f"Their losses then agree to {sci_text(v.gap)} after the first epoch (float32 round-off: a relative "
            f"difference of {sci_text(v.rel)}, below {V.ROUNDOFF_REL:.0e}): the two libraries add the same "
            "numbers in a different order."
        )
    return (
        f"Their losses then differ by {sci_text(v.gap)} after the first epoch (more than float32 round-off: a "
        f"relative difference of {sci_text(v.rel)}, above {V.ROUNDOFF_REL:.0e})."
    )


def growth(v: V.Parity) -> str:
    """How the per-epoch differences read against the training curves."""
    if v.decision == "same":
        return Prose(
            "The differences grow slowly because SGD feeds each step's rounding into the next, but they stay "
            "far below anything visible in @fig-curves."
        )
    return Prose(
        "They are more than round-off, so the two implementations do not compute the same steps; compare @fig-curves."
    )


# --- only the initialisation differs ----------------------------------------------------------


def shared_start(init: str) -> str:
    """What the shared start is, and how PyTorch's own initialisation stands to it."""
    if init == labels.TORCH_OWN:
        return (
            f"The shared start is {labels.INIT_NAMES[init]} (`init: {init}`: {labels.INIT_DRAWS[init]}), drawn "
            "by NumPy's generator; PyTorch's own initialisation is the same distribution with other random "
            "numbers."
        )
    own = labels.TORCH_OWN
    return (
        f"The shared start is {labels.INIT_NAMES[init]} (`init: {init}`: {labels.INIT_DRAWS[init]}), drawn by "
        f"NumPy's generator; PyTorch's own initialisation is a different distribution: {labels.INIT_DRAWS[own]}."
    )


def also_offered(init: str) -> str:
    """The `init` schemes this chapter does not show, for a fork to try: "" when it shows them all."""
    others = [s for s in P.INIT_SCHEMES if s not in (init, labels.TORCH_OWN, "small")]
    return " ".join(
        f"The parameter `init` also offers {labels.INIT_NAMES[s]} ({labels.INIT_DRAWS[s]})." for s in others
    )


def starts(S: Study) -> str:
    """The first seed's starts after the first epoch and after the last: each network from
    the shared start and from its other start, or the shared start alone where the other is
    the study's `init`."""
    shared, small, own = S.seeds[0].models, other_start(S, "init_small"), other_start(S, "init_only")
    tutorials = f"the small {labels.INIT_DRAWS['small']} that many from-scratch tutorials use"

    def losses(net, other, other_words: str) -> str:
        first = num(net.first.test_loss, 3)
        if other is None:
            return f"{first} from the shared start, which here is {other_words} (`init: {S.params.init}`)"
        return f"{first} from the shared start and {num(other.first.test_loss, 3)} from {other_words}"

    pairs = [(shared["numpy"], small), (shared["pytorch"], own)]
    ends = and_join([num(net.last.test_loss, 4) for pair in pairs for net in pair if net is not None])
    gaps = [abs(other.last.test_loss - net.last.test_loss) for net, other in pairs if other is not None]
    differ = (
        f"each start differs from the shared one by at most {num(max(gaps), 4)}"
        if len(gaps) > 1
        else f"the other start differs from the shared one by {num(gaps[0], 4)}"
    )
    return (
        f"In seed {S.params.seed}, after the first epoch the NumPy network's test loss is "
        f"{losses(shared['numpy'], small, tutorials)}; the PyTorch network's is "
        f"{losses(shared['pytorch'], own, 'its own initialisation' if own is None else 'its own initial weights')}. "
        f"By the last epoch they reach {ends}: {differ} in test loss."
    )


def wash_out(v: V.WashOut) -> str:
    """Whether the starting point washes out: each other start against the shared one, paired
    seed by seed."""
    if v.n < 2:
        return (
            "With a single seed this run cannot tell whether that is more than the noise of training: two or more "
            "seeds give a spread to weigh it against."
        )
    names = {"init_only": "PyTorch's own start", "init_small": "the small start"}
    asked = {e: iv for e, iv in v.intervals.items() if v.found[e] != "empty" and iv is not None}
    each = " and ".join(
        f"{names[e]} ends {abs(iv.diff):.4f} {'above' if iv.diff > 0 else 'below'} the shared one on average over "
        f"{v.pairs[e]} seeds ({level_words(iv.level)} interval {iv.low:.4f} to {iv.high:.4f})"
        for e, iv in asked.items()
    )
    itself = {
        "init_only": "In the seeds, PyTorch's own start is the shared start itself (`init: pytorch`: each seed's "
        "PyTorch network draws it with `nn.Linear`'s own initialisation)",
        "init_small": "The small start is the shared start itself here (`init: small`)",
    }
    empty = "".join(
        f" {itself[e]}, so that comparison is empty: there is no second start to weigh, and it did not run."
        for e, found in v.found.items()
        if found == "empty"
    )
    weigh = (
        f"To weigh that, {'each other start' if len(asked) > 1 else 'the other start'} ran over the seeds too, each "
        "seed replaying the data and minibatch order of that seed's own network, which drew the shared start; "
        "within a seed only the start differs, so the per-seed differences in final test loss are paired: "
        f"{each}."
    )
    return f"{weigh} {washed(v, asked, names)}{empty}"


def washed(v: V.WashOut, asked: dict, names: dict[str, str]) -> str:
    """The verdict on the starts that were weighed (`asked`), and why."""
    margin = f"±{stats.LOSS_MARGIN:.4f}"
    if v.decision == "persists":
        apart = " and of ".join(names[e] for e, found in v.found.items() if found == "different")
        return f"The interval of {apart} excludes 0, so the starting point has not washed out."
    if v.decision == "washes out":
        every = "Both lie" if len(asked) > 1 else "It lies"
        return f"{every} inside the {margin} margin, so the starting point washes out."
    undecided = (
        f"No interval excludes 0, but not every one lies inside the {margin} margin"
        if len(asked) > 1
        else f"Its interval neither excludes 0 nor lies inside the {margin} margin"
    )
    intervals = "the intervals" if len(asked) > 1 else "its interval"
    if v.seeds_needed is None:
        return (
            f"{undecided}, so this run cannot tell whether the starting point washes out; at the spread observed no "
            f"number of seeds would narrow {intervals} to the margin."
        )
    return (
        f"{undecided}, so this run cannot tell whether the starting point washes out; at the spread observed, about "
        f"{v.seeds_needed} seeds would narrow {intervals} to the margin."
    )


def init_text(S: Study, v: V.WashOut | V.NotTaken) -> str:
    """The initialisation experiment: what the shared start is, the three starts, whether
    the start washes out (needs the seeds), and the schemes not shown."""
    init = S.params.init
    gone = missing(S, *STARTS)
    if gone:
        return Prose(f"{shared_start(init)} {gone}")
    assert not isinstance(v, V.NotTaken)  # its experiments are STARTS, which trained
    return Prose(" ".join(part for part in (shared_start(init), starts(S), wash_out(v), also_offered(init)) if part))


def paper_run(S: Study, v: V.PaperShapes | V.NotTaken) -> str:
    """The paper-like preset's first epochs against the study's reading."""
    if isinstance(v, V.NotTaken):
        return not_taken(v)
    start = (
        f"In our run of it, the NumPy network with small weights ends its first epoch at a test loss of "
        f"{num(v.numpy, 3)} and PyTorch with its own initialisation at {num(v.pytorch, 3)}"
    )
    if v.decision == "reproduced":
        return f"{start}, a gap like the one the study reported."
    return f"{start}, not the gap the study reported (the next chapter says which part is missing)."


def separates(paper: V.PaperShapes | V.NotTaken, parity: V.Parity) -> str:
    """What separates the study's two curves: the starting point, when the preset reproduces
    them and the main run is one algorithm in both libraries."""
    if isinstance(paper, V.NotTaken):
        return "Without it, this run does not show what separates the study's two curves."
    if paper.decision == "reproduced" and parity.decision == "same":
        return (
            "What separates the study's two curves is the starting point, which the framework chooses for you "
            "and a from-scratch implementation chooses by hand, not the arithmetic of training."
        )
    return "With these parameters this run does not show what separates the study's two curves."


# --- the gradients --------------------------------------------------------------------------------


def gradients(v: V.Gradients) -> str:
    if v.decision == "right":
        return "Both are within round-off, so the hand-written backward pass computes the gradient."
    return (
        f"They are larger than round-off (below {V.FD_RIGHT:.0e} and {V.ROUNDOFF_REL:.0e} expected), so the "
        "hand-written backward pass does not compute the gradient."
    )


# --- the independent seeds ------------------------------------------------------------------------


def seed_draws(S: Study) -> str:
    """What each network of the independent seeds started from, as their records say."""
    drew = {m: net.init or "" for m, net in S.seeds[0].models.items()}  # every run records its start
    if drew["numpy"] == drew["pytorch"] in labels.INIT_NAMES:
        init = drew["numpy"]
        return Prose(
            f"Both draw their initial weights from {labels.INIT_NAMES[init]} (`init: {init}`), each from its "
            f"own generator: NumPy with its own, PyTorch with {labels.TORCH_DRAWS[init]}. So the seeds compare "
            "the libraries, not two initialisations (@sec-init compares those)."
        )
    return Prose(
        f"The NumPy network draws its initial weights as `{drew['numpy']}` and the PyTorch network as "
        f"`{drew['pytorch']}`, so the seeds compare two initialisations as well as the libraries."
    )


def seed_sentence(v: V.SeedComparison) -> str:
    """One mean over the seeds compared (seed_comparison): the decision, the interval and the
    margin, and how many seeds would settle a "cannot tell". The Abstract and the
    Conclusions say it too."""
    accuracy = v.metric == "test_accuracy"
    what = "final test accuracy" if accuracy else "final test loss"
    amount = (lambda x: f"{100 * x:.2f} points") if accuracy else (lambda x: f"{x:.4f}")
    margin = f"±{100 * v.margin:.2f}-point" if accuracy else f"±{v.margin:.4f}"
    minus = f"PyTorch's mean {what} minus NumPy's is {amount(v.diff)}"
    iv = v.interval
    if iv is None:
        return (
            f"With a single seed this run cannot tell whether the networks' {what} differs: {minus}, and one seed "
            "has no spread to weigh that against (two or more seeds per network would give an interval)."
        )
    bounds = f"{100 * iv.low:.2f} to {100 * iv.high:.2f} points" if accuracy else f"{iv.low:.4f} to {iv.high:.4f}"
    interval = f"a {level_words(iv.level)} Welch interval of {bounds}"
    if v.decision in ("numpy", "pytorch"):
        better, worse = (
            labels.noun(v.decision),
            labels.noun("numpy" if v.decision == "pytorch" else "pytorch"),
        )
        side = "higher" if v.diff > 0 else "lower"
        return f"Over {v.n} seeds {better}'s mean {what} is {side} than {worse}'s: {minus}, with {interval}, which excludes 0."
    if v.decision == "same":
        return (
            f"Over {v.n} seeds the networks' mean {what} is the same within the {margin} margin: {minus}, with "
            f"{interval}, inside the margin."
        )
    stopped = f"the study stopped at its cap of {v.n} seeds; " if v.auto else ""
    if v.seeds_needed is None:
        return (
            f"Over {v.n} seeds this run cannot tell whether the networks' mean {what} differs: {minus}, with "
            f"{interval}, which neither excludes 0 nor lies inside the {margin} margin; {stopped}at the spread "
            f"observed, even {stats.MAX_SEEDS:,} seeds per network would not narrow the interval to the margin."
        )
    return (
        f"Over {v.n} seeds this run cannot tell whether the networks' mean {what} differs: {minus}, with "
        f"{interval}, which neither excludes 0 nor lies inside the {margin} margin; {stopped}at the spread observed, "
        f"about {v.seeds_needed} seeds per network would narrow the interval to the margin."
    )


def seed_rule(S: Study) -> str:
    """How the seeds are weighed and how many ran, said once beside the verdicts (the study's
    questions.py)."""
    sq = S.seed_questions
    margins = f"±{100 * stats.ACCURACY_MARGIN:.2f} points of accuracy, ±{stats.LOSS_MARGIN:.4f} of test loss"
    outcomes = (
        "different when the interval excludes 0, the same when it lies inside the margin, and otherwise this run "
        "cannot tell (@sec-verdicts)"
    )
    if sq.rule is None:
        return Prose(
            f"With more than one seed, each comparison would be decided by an interval and a margin stated in "
            f"advance ({margins}): {outcomes}."
        )
    asked = sum(q.decision not in ("empty", "diverged") for q in sq.questions.values())
    holm = f"with Holm's correction over the {asked} questions the seeds answer" if asked > 1 else "alone"
    if not sq.auto:
        return Prose(
            f"Each comparison is decided by the {level_words(sq.rule.level)} Welch interval for the difference of "
            f"the means, {holm}, and a margin stated in advance ({margins}): {outcomes}."
        )
    ran = len(S.seeds)
    why = (
        "every question over them was decided"
        if all(q.decision != "cannot tell" for q in sq.questions.values())
        else f"the cap of {sq.rule.cap} seeds"
    )
    return Prose(
        f"The seeds were added one round at a time from {sq.rule.first} (`seeds: auto`) until {why}, here at "
        f"{ran}; each of the {len(sq.rule.looks)} looks planned up to the cap of {sq.rule.cap} decides by a "
        f"{level_words(sq.rule.level)} Welch interval for the difference of the means, {holm}, and a margin stated "
        f"in advance ({margins}): {outcomes}. A question keeps the decision of the first look that took it."
    )


def seed_cmp(S: Study, accuracy: V.SeedComparison | V.NotTaken, loss: V.SeedComparison | V.NotTaken) -> str:
    if isinstance(accuracy, V.NotTaken):  # the seeds diverged: neither comparison was taken
        return not_taken(accuracy)
    assert not isinstance(loss, V.NotTaken)
    return Prose(f"{seed_sentence(accuracy)} {seed_sentence(loss)} {seed_rule(S)}")


def facts(S: Study, verdicts: V.Verdicts) -> Fairness:
    par, g = S.main.parity["pytorch"], S.gradients
    assert not isinstance(verdicts.parity, V.NotTaken)  # NEEDS_MAIN
    return Fairness(
        S=S,
        verdicts=verdicts,
        agree=agree(verdicts.parity),
        gap_train=sci_text(max(par.train_loss_abs_diff)),
        gap_test=sci_text(max(par.test_loss_abs_diff)),
        gap_acc=pct(max(par.test_accuracy_abs_diff), 3),
        growth=growth(verdicts.parity),
        init_text=init_text(S, verdicts.wash_out),
        paper_lr=f"{P.PRESETS['paper-like']['lr']:g}",
        paper_run=paper_run(S, verdicts.paper),
        separates=separates(verdicts.paper, verdicts.parity),
        fd_max=sci_text(max(g.finite_differences.values())),
        ag_max=sci_text(max(g.autograd.values())),
        ag_batch=str(g.autograd_batch),
        gradients=gradients(verdicts.gradients),
        seeds=seeds_words(S),
        seed_draws=seed_draws(S),
        seed_cmp=seed_cmp(S, verdicts.seeds, verdicts.seeds_loss),
    )
