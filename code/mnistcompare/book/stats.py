"""How the book weighs a few runs: intervals for a difference, and a margin.

A comparison over independent seeds is decided by a 95% interval for the difference
of two means and by an equivalence margin, stated once per metric in verdicts.py:

    "different"    the interval excludes 0: the data show a difference;
    "same"         the interval lies inside +-margin: whatever the difference is, it is
                   smaller than what the margin says a reader would care about;
    "cannot tell"  anything else, and always with fewer than two runs on a side.

Two kinds of interval, both Student-t:

  welch       two samples of runs (the networks over their seeds): Welch's interval for
              mean(b) - mean(a), which assumes neither equal spreads nor equal counts;
  one_run     a single run against a sample of runs (a starting point run once, against
              the seeds of one start): the prediction interval for the difference,
              x - mean(sample) +- t(n-1) * sd * sqrt(1 + 1/n), which holds when the single
              run spreads as the sample's runs do.

`seeds_needed` turns a "cannot tell" into advice: how many runs per side would make the
interval's half-width fit inside the margin at the spread observed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy

LEVEL = 0.95
MAX_SEEDS = 10_000  # seeds_needed looks no further


@dataclass(frozen=True)
class Interval:
    """An interval for a difference (b - a), and what it was computed from."""

    diff: float  # the observed difference
    low: float
    high: float
    n: tuple[int, int]  # runs on each side
    sd: tuple[float, float]  # their standard deviations (ddof 1; 0 for a single run)
    kind: str  # "welch" or "one run"

    @property
    def half(self) -> float:
        return (self.high - self.low) / 2


def t_quantile(df: float, level: float = LEVEL) -> float:
    """The two-sided Student-t quantile: P(|T| <= q) = level."""
    return float(_scipy.t.ppf(0.5 + level / 2, df))


def _mean_sd(x: Sequence[float]) -> tuple[int, float, float]:
    x = np.asarray(x, dtype=float)
    return len(x), float(x.mean()), float(x.std(ddof=1)) if len(x) > 1 else 0.0


def welch_half(sd_a: float, n_a: int, sd_b: float, n_b: int, level: float = LEVEL) -> float:
    """The half-width of Welch's interval for these spreads and counts."""
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    se2 = va + vb
    if se2 == 0:
        return 0.0
    df = se2**2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))  # Welch-Satterthwaite
    return t_quantile(df, level) * math.sqrt(se2)


def welch(a: Sequence[float], b: Sequence[float], level: float = LEVEL) -> Interval | None:
    """Welch's interval for mean(b) - mean(a); None with fewer than two values on a side."""
    (n_a, m_a, s_a), (n_b, m_b, s_b) = _mean_sd(a), _mean_sd(b)
    if min(n_a, n_b) < 2:
        return None
    diff, half = m_b - m_a, welch_half(s_a, n_a, s_b, n_b, level)
    return Interval(diff, diff - half, diff + half, (n_a, n_b), (s_a, s_b), "welch")


def one_run_half(sd: float, n: int, level: float = LEVEL) -> float:
    return t_quantile(n - 1, level) * sd * math.sqrt(1 + 1 / n)


def one_run(sample: Sequence[float], x: float, level: float = LEVEL) -> Interval | None:
    """The prediction interval for x - mean(sample), x being one run; None when the sample
    has fewer than two runs (no spread to predict with)."""
    n, m, s = _mean_sd(sample)
    if n < 2:
        return None
    diff, half = x - m, one_run_half(s, n, level)
    return Interval(diff, diff - half, diff + half, (n, 1), (s, 0.0), "one run")


def decide(interval: Interval | None, margin: float) -> str:
    """ "different", "same" or "cannot tell" (see the module's docstring)."""
    if interval is None:
        return "cannot tell"
    if interval.low > 0 or interval.high < 0:
        return "different"
    if -margin <= interval.low and interval.high <= margin:
        return "same"
    return "cannot tell"


def seeds_needed(interval: Interval | None, margin: float, level: float = LEVEL) -> int | None:
    """Roughly how many runs per side would make the interval's half-width no wider than
    the margin, at the spread this interval observed: the smallest such n up to
    MAX_SEEDS, else None. For a single run against a sample (kind "one run") the
    half-width never falls below 1.96 sd, whatever n: None when that is wider than the
    margin. None too when there was no spread to extrapolate from (a single run)."""
    if interval is None:
        return None
    s_a, s_b = interval.sd

    def half(n: int) -> float:  # falls as n grows
        return welch_half(s_a, n, s_b, n, level) if interval.kind == "welch" else one_run_half(s_a, n, level)

    if half(MAX_SEEDS) > margin:
        return None
    low, high = 1, MAX_SEEDS  # half(high) fits; find the smallest n that does
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if half(mid) <= margin else (mid, high)
    return high
