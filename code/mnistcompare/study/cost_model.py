"""Where the time of an SGD step goes: a fixed cost, and arithmetic at a rate.

Each implementation's step, timed across the sweep's cells (registry.sweep), is fitted
by least squares to

    t = a + F / r        (written t = a + b F, r = 1 / b)

with F the FLOPs of the step (epoch_timing.flops_per_sample x batch size): `a` is what a
step costs whatever its size (Python, dispatch, autograd bookkeeping, allocation), `r`
the rate at which the step's arithmetic runs. Each cell's time is its best repeat
(noise only ever adds time). The 95% intervals come from the OLS standard errors and
Student's t with n - 2 degrees of freedom; r's interval inverts b's, so it exists only
when b's interval lies above 0 (else more arithmetic was not shown to cost more time,
and r is not determined). The intervals measure how far the cells scatter about the
line; the model leaves out what it does not count (the elementwise work of a step).

Two such lines meet where a_x + F / r_x = a_ref + F / r_ref: at the study's hidden
width, F = flops_per_sample(hidden) x B, so at one batch size B, which `crossover`
reports when it lies within the sweep's batch sizes. Pure functions: numbers in,
records (study/records.py) out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from ..core.epoch_timing import flops_per_sample
from ..core.records import SweepCell
from .records import Crossover, StepCost

LEVEL = 0.95


def fit(flops: Sequence[float], seconds: Sequence[float], level: float = LEVEL) -> StepCost:
    """t = a + b F by ordinary least squares over the cells (F, t), with `level` intervals
    for a and b. Two cells give the line but no interval (no degree of freedom left);
    fewer than two distinct F give no line at all (a ValueError)."""
    F, t = np.asarray(flops, dtype=float), np.asarray(seconds, dtype=float)
    if F.shape != t.shape or F.ndim != 1:
        raise ValueError(f"flops and seconds must be two sequences of one length; got {F.shape} and {t.shape}")
    if len(np.unique(F)) < 2:
        raise ValueError("a line needs cells at two or more FLOP counts")
    X = np.column_stack([np.ones_like(F), F / F.max()])  # F scaled: a well-conditioned solve
    (a, b_scaled), *_ = np.linalg.lstsq(X, t, rcond=None)
    b = b_scaled / F.max()
    dof = len(t) - 2
    if dof < 1:
        return StepCost(n=len(t), fixed_s=float(a), slope=float(b), fixed_interval=None, slope_interval=None)
    residual = t - X @ np.array([a, b_scaled])
    cov = (residual @ residual / dof) * np.linalg.inv(X.T @ X)
    q = float(special.stdtrit(dof, 0.5 + level / 2))  # Student's t quantile
    se_a, se_b = np.sqrt(cov[0, 0]), np.sqrt(cov[1, 1]) / F.max()
    return StepCost(
        n=len(t),
        fixed_s=float(a),
        slope=float(b),
        fixed_interval=(float(a - q * se_a), float(a + q * se_a)),
        slope_interval=(float(b - q * se_b), float(b + q * se_b)),
    )


def step_costs(cells: Sequence[SweepCell], names: Sequence[str]) -> dict[str, StepCost]:
    """Each implementation's fit over the cells that timed it, from its best repeat in each."""
    return {
        name: fit([c.flops for c in cells if name in c.step_s], [c.best(name) for c in cells if name in c.step_s])
        for name in names
    }


def crossover(
    network: str, reference: str, costs: dict[str, StepCost], hidden: int, batch_sizes: Sequence[int]
) -> Crossover:
    """The batch size at which `network`'s fitted step time equals `reference`'s at
    `hidden` units, when it lies within [min(batch_sizes), max(batch_sizes)]; and which of
    the two the fits make faster at the smallest and at the largest of those batches."""
    x, ref = costs[network], costs[reference]
    per_sample = flops_per_sample(hidden=hidden)
    lo, hi = min(batch_sizes), max(batch_sizes)

    def faster(B: int) -> str:
        return network if x.seconds(per_sample * B) < ref.seconds(per_sample * B) else reference

    batch = None
    if x.slope != ref.slope:
        B = (ref.fixed_s - x.fixed_s) / (per_sample * (x.slope - ref.slope))
        batch = float(B) if lo <= B <= hi else None
    return Crossover(
        network=network,
        reference=reference,
        hidden=hidden,
        batch=batch,
        faster_small=faster(lo),
        faster_large=faster(hi),
    )
