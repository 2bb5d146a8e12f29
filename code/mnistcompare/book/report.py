"""The share of the matrix-multiply limit's rate that each network reaches in the study's
own benchmark."""

from __future__ import annotations


def limit_shares(S) -> dict[str, float | None]:
    """NumPy's and PyTorch's share of the matrix-multiply limit's rate in the study's own
    benchmark, from the best repeat of each (epoch_timing.fraction_of_limit); None for a
    trainer whose best beat the limit's best: the limit was not measured, and the book
    says so instead of printing more than 100%."""
    from ..core.epoch_timing import fraction_of_limit

    run = S.bench.run
    shares = {m: fraction_of_limit(run.trainers[m].min_s, run.matmul.min_s) for m in ("numpy", "pytorch")}
    return {m: f if f <= 1 else None for m, f in shares.items()}
