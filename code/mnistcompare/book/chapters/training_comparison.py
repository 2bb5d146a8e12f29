"""Training curves, time, memory and code: the main run's two networks side by side, the
study's benchmark of the trainers, and its sweep of SGD steps with the cost per step fitted
to it."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import networks
from ...core.records import BenchRun, Timing
from ...study.records import Crossover, StepCost, Study, Sweep
from ...study.spread import epochs_to_reach
from .. import bench_tables, labels
from .. import verdicts as V
from ..formatting import and_join, mib, num, pct, sci_text, sig
from ..markdown import Prose, md_table, table
from ..plots import charts
from ..plots.charts import points
from .base import Chapter

NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition


@dataclass(frozen=True, kw_only=True)
class TrainingComparison(Chapter):
    curves: str
    overfit: str
    sec_np: str
    sec_pt: str
    ips_np: str
    ips_pt: str
    np_parts: str
    bench_n: str
    bench_batch: str
    bench_hidden: str
    bench_repeats: str
    bench_warmup: str
    limit_text: str
    sweep_steps: str
    sweep_calls: str
    sweep_batches: str
    sweep_hiddens: str
    sweep_batch: str
    sweep_hidden: str
    crossover: str
    sweep_joins: str

    def fig_curves(self):
        main = self.S.main
        acc = {m: pct(net.last.test_accuracy) for m, net in main.models.items()}
        loss = {m: num(net.last.test_loss, 4) for m, net in main.models.items()}
        together = (
            "their curves lie on top of each other"
            if self.verdicts.parity.decision == "same"
            else "their curves differ by more than round-off"
        )
        alt = (
            f"Three line charts over the {len(main.models['numpy'].history)} epochs of the main run, NumPy and "
            f"PyTorch overlaid: training loss, test loss and test accuracy. After the last epoch NumPy reaches "
            f"{acc['numpy']} test accuracy with a test loss of {loss['numpy']}, PyTorch {acc['pytorch']} with "
            f"{loss['pytorch']}; {together}."
        )
        return charts.training_curves(main, alt)

    def fig_curves_per_model(self):
        main = self.S.main
        ends = ", ".join(
            f"{labels.noun(m)} ends at a training loss of {num(net.last.train_loss, 4)} and a "
            f"test loss of {num(net.last.test_loss, 4)}"
            for m, net in main.models.items()
        )
        alt = f"Training and test loss per epoch of each network, on a log scale: {ends}."
        series = {
            f"{labels.label(m)}, {kind} loss": points(net.history, f"{kind}_loss")
            for m, net in main.models.items()
            for kind in ("train", "test")
        }
        return charts.series_curves(series, alt, "fig-curves-per-model", metric="value", title="loss", log_y=True)

    def fig_time(self):
        alt = (
            f"Training seconds of each epoch for both networks: a median of {self.sec_np} s for NumPy and "
            f"{self.sec_pt} s for PyTorch."
        )
        return charts.epoch_times(self.S.main, alt)

    def tbl_convergence(self):
        return table(
            md_table(
                ["implementation", "epochs to 95%", "seconds to 95%", "epochs to 97%", "seconds to 97%"],
                convergence_rows(self.S),
            )
        )

    def tbl_memory(self):
        rows = []
        for m, net in self.S.main.models.items():
            peak, rss = net.peak_memory_bytes, net.rss_peak_growth_bytes
            assert peak is not None and rss is not None  # NEEDS_MAIN: the main run probes each network's memory
            rows.append([labels.label(m), mib(peak), net.peak_memory_method, mib(rss), f"{net.parameter_count:,}"])
        return table(md_table(["implementation", "peak memory", "method", "peak RSS growth", "parameters"], rows))

    def tbl_bench(self):
        return table(
            md_table(
                [
                    "trainer",
                    "median s/epoch",
                    "min–max s",
                    "× NumPy (median)",
                    "GFLOP/s (best)",
                    "% of limit (best)",
                    "compile s",
                ],
                bench_rows(self.S.bench.run),
                align="lrrrrrr",
            )
        )

    def tbl_step_costs(self):
        rows = [[labels.timed(m), *cost_cells(c), str(c.n)] for m, c in self.S.sweep.costs.items()]
        return table(
            md_table(
                ["implementation", "fixed cost a (µs)", "95% interval", "rate r (GFLOP/s)", "95% interval", "cells"],
                rows,
                align="lrrrrr",
            )
        )

    def fig_step_costs(self):
        sweep = self.S.sweep
        flops = [c.flops for c in sweep.cells]
        fits = "; ".join(
            f"{labels.timed(m)}, a fixed {sig(c.fixed_s * 1e6)} µs per step and "
            + (f"{sig(c.rate / 1e9)} GFLOP/s" if c.rate else "a rate not determined")
            for m, c in sweep.costs.items()
        )
        alt = (
            f"Log-log chart of milliseconds per SGD step against millions of FLOPs per step, from "
            f"{sig(min(flops) / 1e6)} to {sig(max(flops) / 1e6)}, over {len(sweep.cells)} combinations of batch size and "
            f"hidden width: each implementation's measured steps as points and its fitted line. The fits: {fits}. "
            f"{crossovers(sweep)}"
        )
        return charts.step_costs(*step_cost_rows(sweep), alt)


def convergence_rows(S: Study, thresholds=(0.95, 0.97)) -> list[list]:
    rows = []
    for m, net in S.main.models.items():
        row = [labels.label(m)]
        for t in thresholds:
            epoch, seconds = epochs_to_reach(net.history, t)
            row += ["not reached", "—"] if epoch is None else [str(epoch), f"{seconds:.1f}"]
        rows.append(row)
    return rows


def curves(S: Study, v: V.Parity) -> str:
    """How the main run's two curves stand to each other, and where they end."""
    acc = {m: pct(net.last.test_accuracy) for m, net in S.main.models.items()}
    loss = {m: num(net.last.test_loss, 4) for m, net in S.main.models.items()}
    if v.decision == "same":
        return (
            f"Under parity (identical initial weights and minibatch order) their curves lie on top of each other: "
            f"after the last epoch NumPy reaches {acc['numpy']} test accuracy with test loss {loss['numpy']}, "
            f"PyTorch {acc['pytorch']} with {loss['pytorch']}."
        )
    return (
        f"Under parity (identical initial weights and minibatch order) their curves differ by more than round-off "
        f"(a relative difference of {sci_text(v.rel)} after the first epoch, above {V.ROUNDOFF_REL:.0e}): after "
        f"the last epoch NumPy reaches {acc['numpy']} test accuracy with test loss {loss['numpy']}, PyTorch "
        f"{acc['pytorch']} with {loss['pytorch']}."
    )


def overfit(v: V.Overfitting) -> str:
    """The test-minus-training loss gap of each network after the last epoch."""
    if v.decision == "same":
        return f"After the last epoch the gap is the same for both: {v.numpy:.4f} and {v.pytorch:.4f}."
    return (
        f"After the last epoch the gap differs: {v.numpy:.4f} for NumPy and {v.pytorch:.4f} for PyTorch, so "
        f"{labels.label(v.decision)} overfits more."
    )


def memory_parts(S: Study) -> str:
    """What the NumPy loop's tracemalloc peak (main run) is made of: the sum of the arrays
    it allocates against the peak, each part, and the largest named first."""
    net = S.main.models["numpy"]
    # NEEDS_MAIN: the main run probes each network's memory
    assert net.peak_memory_parts is not None and net.peak_memory_bytes is not None
    parts = sorted(net.peak_memory_parts.items(), key=lambda kv: -kv[1])
    total = sum(b for _, b in parts)
    listed = ", ".join(f"{name} {mib(b)}" for name, b in parts)
    return (
        f"For the optimised NumPy loop the arrays it allocates account for {mib(total)} of the "
        f"{mib(net.peak_memory_bytes)} peak ({pct(total / net.peak_memory_bytes, 0)}), largest first: {listed}."
    )


def bench_rows(run: BenchRun) -> list[list]:
    """One row per trainer of the benchmark, then the products alone in each backend; the
    share of each is of the fastest of those (BenchRun.share_of_limit)."""
    numpy_median = run.trainers["numpy"].median_s
    fastest = run.limits[run.fastest_limit]

    def row(name: str, t: Timing, share: str, compiled: str) -> list:
        return [
            name,
            sig(t.median_s),
            f"{sig(t.min_s)}–{sig(t.max_s)}",
            f"{t.median_s / numpy_median:.2f}",
            f"{t.gflops:.1f}",
            share,
            compiled,
        ]

    rows = [
        row(
            labels.trainer(name),
            t,
            bench_tables.share_text(run.share_of_limit(name)),
            sig(run.compile_seconds[name]) if name in run.compile_seconds else "—",
        )
        for name, t in run.trainers.items()
    ]
    rows += [
        row(
            f"products alone: {labels.LIMITS[backend]}" + (" (the limit)" if backend == run.fastest_limit else ""),
            t,
            pct(fastest.min_s / t.min_s, 0),
            "—",
        )
        for backend, t in run.limits.items()
    ]
    return rows


def limit_text(S: Study) -> str:
    """Each loop's share of the limit at the benchmark's thread count, from the best repeats."""
    run = S.bench.run
    shares = bench_tables.eager_shares(run)
    threads, limit = run.threads, labels.LIMITS[run.fastest_limit]
    if shares is None:
        return Prose(
            f"The limit is the fastest of the three, here {limit}. On this run a loop's best epoch beat the limit's "
            "best, which no loop can truly do, since it runs the same products and more: the limit was not "
            "measured, and @tbl-bench gives no share of it."
        )
    return Prose(
        f"The limit is the fastest of the three, here {limit}. At {threads} thread{'s' if threads > 1 else ''}, "
        f"comparing the best repeat of each (noise on a shared machine only ever adds time), the hand-written "
        f"loop reaches {pct(shares['numpy'], 0)} of that limit and PyTorch with directly indexed tensors "
        f"{pct(shares['pytorch'], 0)}: the arithmetic is the same, and the rest of each step is overhead, which "
        "for PyTorch includes per-operation dispatch, autograd bookkeeping and the optimizer."
    )


def cost_cells(c: StepCost) -> list[str]:
    """A fit in a table's cells: a in µs and its interval, r in GFLOP/s and its interval."""
    a = c.fixed_interval
    r = c.rate_interval
    return [
        sig(c.fixed_s * 1e6),
        "n/a" if a is None else f"{sig(a[0] * 1e6)} to {sig(a[1] * 1e6)}",
        sig(c.rate / 1e9) if c.rate else "not determined",
        "not determined" if r is None else f"{sig(r[0] / 1e9)} to {sig(r[1] / 1e9)}",
    ]


FIT_POINTS = 40  # points along each fitted line, evenly spaced on the log axis


def step_cost_rows(sweep: Sweep) -> tuple[list[dict], list[dict], dict[str, str]]:
    """The figure's rows: each implementation's measured cells (its best repeat), its fitted
    line across the cells' FLOPs, and each label's implementation."""
    flops = [c.flops for c in sweep.cells]
    along = [min(flops) * (max(flops) / min(flops)) ** (i / (FIT_POINTS - 1)) for i in range(FIT_POINTS)]
    series = {labels.timed(m): m for m in sweep.implementations}
    measured = [
        {"series": s, "batch": c.batch_size, "hidden": c.hidden, "mflop": c.flops / 1e6, "ms": c.best(m) * 1e3}
        for s, m in series.items()
        for c in sweep.cells
        if m in c.step_s  # a network of the batch sizes only is not in the hidden widths' cells
    ]
    fitted = [
        {"series": s, "mflop": F / 1e6, "ms": sweep.costs[m].seconds(F) * 1e3}
        for s, m in series.items()
        for F in along
        if sweep.costs[m].seconds(F) > 0  # a log axis: a line fitted below 0 at the smallest steps stops there
    ]
    return measured, fitted, series


def crossover(c: Crossover, costs: dict[str, StepCost], batch_sizes: tuple[int, ...]) -> str:
    """Where one network's fitted step time meets the network by hand's, at the study's
    hidden width, or that it does not within the sweep's batch sizes, and why."""
    net, ref = labels.noun(c.network), labels.noun(c.reference)
    if c.batch is not None:
        return (
            f"At {c.hidden} hidden units the fitted step times of {ref} and {net} meet at a batch of about "
            f"{c.batch:.0f}: below it the {labels.noun(c.faster_small)} network's step is faster, because its fixed "
            f"cost is smaller, and above it the {labels.noun(c.faster_large)} network's, because its arithmetic "
            "runs faster."
        )
    fast, slow = costs[c.faster_small], costs[c.network if c.faster_small == c.reference else c.reference]
    why = (
        "it has both the smaller fixed cost and the faster arithmetic"
        if fast.fixed_s <= slow.fixed_s and fast.slope <= slow.slope
        else "the lines would meet only outside that range"
    )
    return (
        f"At {c.hidden} hidden units the fitted step times of {ref} and {net} do not meet within the sweep's "
        f"batch sizes ({min(batch_sizes)} to {max(batch_sizes)}): the {labels.noun(c.faster_small)} network's step "
        f"is faster throughout, because {why}."
    )


def sweep_joins(sweep: Sweep) -> str:
    """The networks the sweep times in only some of its cells, or not at all, and why."""
    partly = {m for m in sweep.implementations if any(m not in c.step_s for c in sweep.cells)}
    parts = [
        f"{labels.noun(m)} joins only the batch sizes, at {sweep.hidden} hidden units: one program with a symbolic "
        "batch size serves all of them, where each hidden width would compile anew"
        for m in networks.names()
        if m in partly
    ]
    parts += [
        f"{labels.noun(m)} could not run on this machine ({why}) and is not in the sweep"
        for m, why in sweep.unavailable.items()
    ]
    return Prose(" ".join(f"{p[0].upper()}{p[1:]}." for p in parts))


def crossovers(sweep: Sweep) -> str:
    """Every network's crossover with the network by hand, one sentence each."""
    return Prose(" ".join(crossover(c, sweep.costs, sweep.batch_sizes) for c in sweep.crossovers))


def facts(S: Study, verdicts: V.Verdicts) -> TrainingComparison:
    main, bench = S.main, S.bench
    assert not isinstance(verdicts.parity, V.NotTaken) and not isinstance(verdicts.overfitting, V.NotTaken)
    return TrainingComparison(
        S=S,
        verdicts=verdicts,
        curves=curves(S, verdicts.parity),
        overfit=overfit(verdicts.overfitting),
        sec_np=sig(main.models["numpy"].median()),
        sec_pt=sig(main.models["pytorch"].median()),
        ips_np=f"{main.models['numpy'].median('samples_per_second'):,.0f}",
        ips_pt=f"{main.models['pytorch'].median('samples_per_second'):,.0f}",
        np_parts=memory_parts(S),
        bench_n=f"{bench.n_train:,}",
        bench_batch=str(bench.batch_size),
        bench_hidden=str(bench.hidden),
        bench_repeats=str(bench.repeats),
        bench_warmup=str(bench.warmup),
        limit_text=limit_text(S),
        sweep_steps=str(S.sweep.steps),
        sweep_calls=f"{S.sweep.repeats} timed call{'s' if S.sweep.repeats > 1 else ''}",
        sweep_batches=and_join([str(b) for b in S.sweep.batch_sizes]),
        sweep_hiddens=and_join([str(h) for h in S.sweep.hidden_sizes]),
        sweep_batch=str(S.sweep.batch_size),
        sweep_hidden=str(S.sweep.hidden),
        crossover=crossovers(S.sweep),
        sweep_joins=sweep_joins(S.sweep),
    )
