"""The Abstract (index.qmd): the whole comparison in one paragraph, or, when the main run
diverged, what diverged; the banner of the parameters in force."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...core import networks
from ...study import stats
from ...study.records import Study
from .. import bench_tables, labels
from .. import verdicts as V
from ..formatting import level, mib, num, pct, ratio, sci_text, sig
from ..markdown import Prose, Statement, md_table, table
from ..provenance import changed, in_force, yaml_value
from .base import Chapter
from .compiled_network import cost
from .fairness import seed_sentence

HEADLINE_HEADERS = [
    "implementation",
    "test accuracy",
    "final test loss",
    "s / epoch (median)",
    "peak RSS growth",
    "lines: model + loop (module)",
]
SOURCE_WORDS = {"quick mode": "quick mode", "environment override": "environment", "default": "default"}


@dataclass(frozen=True, kw_only=True)
class Index(Chapter):
    edition: str
    diverged_text: str = ""  # the diverged edition's words
    parity_sentence: str = ""  # the full edition's from here on
    seeds_sentence: str = ""
    start_sentence: str = ""
    speed_sentence: str = ""
    limit_sentence: str = ""
    cost: str = ""

    def banner(self) -> Statement:
        return Statement(banner(self.S))

    def missing_note(self) -> Statement | None:
        """In a full book whose side experiments diverged: which parts are missing, and why."""
        return missing_parts(self.S)

    def tbl_headline(self):
        """The headline table; nothing in the diverged edition, which hides it (Quarto runs
        the cells of hidden content too)."""
        return table(md_table(HEADLINE_HEADERS, headline_rows(self.S))) if self.edition == "study" else None

    def tbl_diverged(self):
        return table(
            md_table(
                ["experiment", "network", "epoch", "learning rate", "which loss, as what"],
                labels.divergence_rows(self.S.diverged),
                align="llrrl",
            )
        )


def seeds_count(p) -> str:
    """The `seeds` parameter as a quantity: "3 seeds", "one seed", "seeds added until decided (at most 10)"."""
    if p.auto_seeds:
        return f"seeds added until decided (at most {p.seeds_cap})"
    return "one seed" if p.seeds == 1 else f"{p.seeds} seeds"


def banner(S: Study) -> str:
    """The callout at the top of the book: quick mode, every parameter that differs from the
    project's defaults with where it was set, and the parameters in force (read now:
    provenance.in_force)."""
    from ..plots.delivery import output_format

    loaded = in_force()
    p = loaded.params
    what = (
        f"{p.epochs} epochs, hidden {p.hidden}, lr {p.lr:g}, batch {p.batch_size}, "
        f"{'all 60,000' if p.subset is None else format(p.subset, ',')} training images, init {p.init}, "
        f"{seeds_count(p)} from seed {p.seed}, device {p.device}, "
        f"{'one thread per core' if p.threads is None else f'{p.threads} thread(s)'}"
    )
    lines = []
    if loaded.quick:
        lines.append(
            "**Quick mode (MNISTCOMPARE_QUICK=1): a preview on a small subset with few epochs, not the "
            "study's results.**"
        )
    differ = changed(loaded)
    if differ:
        lines.append(
            "Changed from the project's defaults: "
            + ", ".join(f"`{k}: {yaml_value(v)}` ({SOURCE_WORDS.get(src, src)})" for k, v, src in differ)
            + "."
        )
    lines.append(f"Parameters in force: {what}; computed {S.created} in {S.compute_seconds:.0f} s.")
    if output_format() == "html":
        return "::: {.callout-note}\n" + "\n\n".join(lines) + "\n:::"
    # In LaTeX a callout needs the fontawesome5 package, which a basic TeX Live lacks.
    return "\n".join("> " + line + "\n>" for line in lines).rstrip(">\n")


def headline_rows(S: Study) -> list[list]:
    """Accuracy, final loss, seconds per epoch, peak memory, lines of code, per network.

    Like for like: memory is the growth of peak resident memory for both (tracemalloc
    cannot see PyTorch's allocator), and the lines are the model with its gradients and
    the readable loop on both sides."""
    return [
        [
            labels.label(m),
            pct(net.last.test_accuracy),
            num(net.last.test_loss, 4),
            num(net.median(), 3),
            mib(net.rss_peak_growth_bytes or 0),  # the main run's networks are all probed (NEEDS_MAIN)
            f"{S.complexity[networks.get(m).source].model_and_loop} ({S.complexity[networks.get(m).source].module})",
        ]
        for m, net in S.main.models.items()
    ]


def missing_parts(S: Study) -> Statement | None:
    """A paragraph listing what a divergence outside the main run left out of the book, one
    bullet per experiment, with where it would have been; None when nothing diverged."""
    if not S.diverged or S.edition == "diverged":
        return None
    by_experiment: dict[str, list] = {}
    for d in S.diverged:
        by_experiment.setdefault(d.experiment or "", []).append(d)  # the study names each one's experiment
    bullets = [f"- {labels.EXPERIMENTS[name].shows}: {labels.divergences(ds)}." for name, ds in by_experiment.items()]
    return Statement(
        "**Parts of this run are missing.** This book shows every result that trained, but where a "
        "result needs a network that diverged, a note says so in its place:\n\n" + "\n".join(bullets)
    )


def diverged_sentence(S: Study) -> str:
    """The diverged edition: the first network that diverged, and how many others did."""
    first, others = labels.divergence(S.diverged[0]), len(S.diverged) - 1
    first = first[0].upper() + first[1:]
    if not others:
        return Prose(f"{first}.")
    return Prose(f"{first}, and {others} other network{'s' if others > 1 else ''} diverged too.")


def parity_sentence(S: Study, v: V.Parity) -> str:
    acc = {m: pct(net.last.test_accuracy) for m, net in S.main.models.items()}
    if v.decision == "same":
        return (
            f"Trained under identical conditions, the two implementations are the same algorithm: their per-epoch "
            f"losses agree to {sci_text(v.gap)} in the first epoch (float32 round-off: a relative difference of "
            f"{sci_text(v.rel)}, below {V.ROUNDOFF_REL:.0e}), and they reach {acc['numpy']} (NumPy) and "
            f"{acc['pytorch']} (PyTorch) test accuracy."
        )
    return (
        f"Trained under identical conditions, the two implementations do not behave as the same algorithm: their "
        f"per-epoch losses differ by {sci_text(v.gap)} in the first epoch (more than float32 round-off: a relative "
        f"difference of {sci_text(v.rel)}, above {V.ROUNDOFF_REL:.0e}), and they reach {acc['numpy']} (NumPy) and "
        f"{acc['pytorch']} (PyTorch) test accuracy."
    )


def claim_sentence(S: Study, v: V.SeedComparison | V.NotTaken) -> str:
    """How the study's accuracy claim stands, then the comparison over the seeds."""
    if isinstance(v, V.NotTaken):
        return Prose(
            "The study's claim that PyTorch is consistently more accurate is untested by this run: "
            f"{labels.divergences(S.divergences('seeds'))}."
        )
    claim = {
        "pytorch": "The study's claim that PyTorch is consistently more accurate is what we measure too.",
        "numpy": "The study's claim that PyTorch is consistently more accurate is the opposite of what we measure.",
        "same": "The study's claim that PyTorch is consistently more accurate is refuted by this run.",
        "cannot tell": "The study's claim that PyTorch is consistently more accurate is untested by this run.",
    }
    return Prose(f"{claim[v.decision]} {seed_sentence(v)}")


def start_sentence(S: Study, v: V.PaperShapes | V.NotTaken) -> str:
    """What the paper-like preset says of the study's NumPy curve."""
    if isinstance(v, V.NotTaken):
        return Prose(
            f"What the study's NumPy curve shows is not tested here: {labels.divergences(S.divergences('paper_like'))}."
        )
    if v.decision == "reproduced":
        return Prose(
            "The higher start of the study's NumPy curve is what a small initialisation produces, not the "
            "framework (@sec-init)."
        )
    return Prose(
        f"Our run of a preset resembling the study does not reproduce the study's shapes: it lacks "
        f"{paper_lacks(v)} (@sec-init)."
    )


def paper_lacks(v: V.PaperShapes) -> str:
    """What of the study's two starts the paper-like preset does not show."""
    lacks = [
        what
        for ok, what in (
            (v.near_chance, f"a NumPy start near chance level (test loss at least {V.NEAR_CHANCE:.2f})"),
            (v.lower, f"a PyTorch start lower by at least {V.START_GAP}"),
        )
        if not ok
    ]
    return " and ".join(lacks)


def speed_sentence(S: Study, v: V.Speed) -> str:
    """Which network trained faster in the main run, with both times and the factor (from the
    times as printed), then the interval the decision was taken on, or the one-epoch rule.
    The Conclusions say it too."""
    where = (
        "On this CPU"
        if S.main.params.device == "cpu"
        else f"With PyTorch on {S.main.environment.cuda_device or 'the GPU'} and NumPy on the CPU"
    )
    slow, quick = sorted((v.numpy, v.pytorch), reverse=True)
    _, _, factor = ratio(slow, quick)
    a, b = ratio(v.numpy, v.pytorch)[:2]
    times = f"{a} s per epoch for NumPy against {b} s for PyTorch"
    within = f"{stats.SAME_TIME:.0%}"
    if v.interval is None:
        how = (
            f"With a single epoch there is no interval: the rule compares that epoch's two times, the same within "
            f"{within}."
        )
    else:
        iv = v.interval
        low, high = sig(math.exp(iv.low)), sig(math.exp(iv.high))
        how = (
            f"Over the {v.epochs} epochs, trained interleaved so that the machine's drift falls on both, PyTorch's "
            f"epoch takes {sig(v.ratio)} times NumPy's on average (the geometric mean of the per-epoch ratios, "
            "which the verdict weighs), with a "
            f"{level(iv.level)} interval of {low} to {high}; the interval covers this run's noise on this machine, "
            "not another machine's."
        )
    if v.decision == "same":
        return f"{where}, the two take about the same time (within {within}): {times}. {how}"
    if v.decision == "cannot tell":
        return (
            f"{where}, this run cannot tell whether the two take the same time: {times}. {how} It neither excludes "
            f"1 nor lies within {within} of it."
        )
    return f"{where}, {labels.noun(v.decision)} is faster: {times}, a factor of {factor} between the medians. {how}"


def limit_sentence(S: Study) -> str:
    """The five matrix products of a step, and each loop's share of their rate timed alone."""
    shares = bench_tables.eager_shares(S.bench.run)
    if shares is None:
        return Prose(
            "Each step's arithmetic is five matrix products (two forward, three backward), which both "
            "libraries hand to an optimised BLAS; how much of each step they take could not be measured on "
            "this run, because a loop's best epoch beat the products timed alone (@sec-benchmark)."
        )
    return Prose(
        f"Each step's arithmetic is five matrix products (two forward, three backward), which both libraries "
        f"hand to an optimised BLAS; timed alone on this machine (the fastest way measured to do them: "
        f"{labels.LIMITS[S.bench.run.fastest_limit]}), the NumPy loop reaches "
        f"{pct(shares['numpy'], 0)} of the rate of those products by themselves and PyTorch's "
        f"{pct(shares['pytorch'], 0)}, the rest of each step being the overhead around them "
        "(@sec-training-comparison)."
    )


def facts(S: Study, verdicts: V.Verdicts) -> Index:
    if S.edition == "diverged":
        return Index(S=S, verdicts=verdicts, edition="diverged", diverged_text=diverged_sentence(S))
    assert not isinstance(verdicts.parity, V.NotTaken) and not isinstance(verdicts.speed, V.NotTaken)
    return Index(
        S=S,
        verdicts=verdicts,
        edition="study",
        parity_sentence=parity_sentence(S, verdicts.parity),
        seeds_sentence=claim_sentence(S, verdicts.seeds),
        start_sentence=start_sentence(S, verdicts.paper),
        speed_sentence=speed_sentence(S, verdicts.speed),
        limit_sentence=limit_sentence(S),
        cost=cost(verdicts.eager_cost),
    )
