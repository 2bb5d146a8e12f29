"""Training curves, time, memory and code: the main run's two networks side by side, and
the study's benchmark of the trainers."""

from __future__ import annotations

from dataclasses import dataclass

from .. import bench_tables, labels, plots, verdicts as V
from ..report import (Prose, convergence_rows, final, limit_shares, loss_series, md_table, median, memory_parts,
                      memory_rows, num, pct, sig, table)
from .base import Chapter

NO_BENCH = "| benchmark |\n|:--|\n| not run: `make bench` writes benchmarks/results/bench.json |"


NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition

@dataclass(frozen=True, kw_only=True)
class TrainingComparison(Chapter):
    curves: str
    acc_np: str
    acc_pt: str
    loss_np: str
    loss_pt: str
    overfit: str
    sec_np: str
    sec_pt: str
    ips_np: str
    ips_pt: str
    np_parts: str
    bench_setup: str
    limit_text: str
    bench_when: str

    def fig_curves(self):
        main = self.S["main"]
        alt = (f"Three line charts over the {len(main['models']['numpy']['history'])} epochs of the main run, NumPy and "
               f"PyTorch overlaid: training loss, test loss and test accuracy. After the last epoch NumPy reaches "
               f"{self.acc_np} test accuracy with a test loss of {self.loss_np}, PyTorch {self.acc_pt} with "
               f"{self.loss_pt}; {self.curves}.")
        return plots.training_curves(main, alt)

    def fig_curves_per_model(self):
        main = self.S["main"]
        ends = ", ".join(f"{labels.NETWORKS[m]} ends at a training loss of {num(final(main, m, 'train_loss'), 4)} and a "
                         f"test loss of {num(final(main, m, 'test_loss'), 4)}" for m in main["models"])
        alt = f"Training and test loss per epoch of each network, on a log scale: {ends}."
        return plots.series_curves(loss_series(main), alt, "fig-curves-per-model", metric="value", title="loss",
                                   log_y=True)

    def fig_time(self):
        alt = (f"Training seconds of each epoch for both networks: a median of {self.sec_np} s for NumPy and "
               f"{self.sec_pt} s for PyTorch.")
        return plots.epoch_times(self.S["main"], alt)

    def tbl_convergence(self):
        return table(md_table(["implementation", "epochs to 95%", "seconds to 95%", "epochs to 97%", "seconds to 97%"],
                              convergence_rows(self.S)))

    def tbl_memory(self):
        return table(md_table(["implementation", "peak memory", "method", "peak RSS growth", "parameters"],
                              memory_rows(self.S)))

    def tbl_bench(self):
        return table(bench_tables.markdown_table({"runs": [self.S["bench"]["run"]]}))

    def tbl_scaling(self):
        """From the saved `make bench` run (another machine, another day: the text says which)."""
        saved = bench_tables.load_results()
        return table(bench_tables.scaling_table(saved) if saved is not None else NO_BENCH)


def facts(S: dict, loaded=None) -> TrainingComparison:
    main, bench = S["main"], S["bench"]
    verdicts = {"parity": V.parity(S), "overfitting": V.overfitting(S)}
    return TrainingComparison(
        S=S, verdicts=verdicts, curves=verdicts["parity"].words["curves"],
        acc_np=pct(final(main, "numpy")), acc_pt=pct(final(main, "pytorch")),
        loss_np=num(final(main, "numpy", "test_loss"), 4), loss_pt=num(final(main, "pytorch", "test_loss"), 4),
        overfit=verdicts["overfitting"].text,
        sec_np=sig(median(main, "numpy")), sec_pt=sig(median(main, "pytorch")),
        ips_np=f'{median(main, "numpy", "samples_per_second"):,.0f}',
        ips_pt=f'{median(main, "pytorch", "samples_per_second"):,.0f}',
        np_parts=memory_parts(S),
        bench_setup=(f"{bench['n_train']:,} images at batch {bench['batch_size']} and {bench['hidden']} hidden units, "
                     f"{bench['repeats']} timed repeats after {bench['warmup']} warm-up"),
        limit_text=limit_text(S),
        bench_when=bench_tables.provenance(bench_tables.load_results()),
    )


def limit_text(S: dict) -> str:
    """Each loop's share of the limit at the benchmark's thread count, from the best repeats."""
    shares, threads = limit_shares(S), S["bench"]["run"]["threads"]
    if None in shares.values():
        return Prose("On this run a loop's best epoch beat the limit's best, which no loop can truly do, since it runs "
                     "the same products and more: the limit was not measured, and @tbl-bench gives no share of it.")
    return Prose(f"At {threads} thread{'s' if threads > 1 else ''}, comparing the best repeat of each (noise on a "
                 f"shared machine only ever adds time), the hand-written loop reaches {pct(shares['numpy'], 0)} of that "
                 f"limit and PyTorch with directly indexed tensors {pct(shares['pytorch'], 0)}: the arithmetic is the "
                 "same, and the rest of each step is overhead, which for PyTorch includes per-operation dispatch, "
                 "autograd bookkeeping and the optimizer.")
