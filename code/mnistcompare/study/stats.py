"""How the study weighs a few runs: intervals for a difference, and a margin.

A comparison over independent seeds is decided by a 95% interval for the difference
of two means and by an equivalence margin, stated once per metric below (SEED_METRICS):

    "different"    the interval excludes 0: the data show a difference;
    "same"         the interval lies inside +-margin: whatever the difference is, it is
                   smaller than what the margin says a reader would care about;
    "cannot tell"  anything else, and always with fewer than two runs on a side.

The intervals, all Student-t:

  welch       two samples of runs (the networks over their seeds): Welch's interval for
              mean(b) - mean(a), which assumes neither equal spreads nor equal counts;
  one run     a single run against a sample of runs (a starting point run once, against
              the seeds of one start): the prediction interval for the difference,
              x - mean(sample) +- t(n-1) * sd * sqrt(1 + 1/n), which holds when the single
              run spreads as the sample's runs do;
  paired      runs that come in pairs (both networks of one seed, when the seed fixes
              what they share): the interval for the mean of the per-pair differences
              b - a. What the pair shares cancels, so it is narrower than Welch's when
              the pairs move together;
  log ratio   paired times (the epochs of two trainers, interleaved): the paired interval
              of log(b / a), whose exponent is a ratio of times (compare_times).

These statistics live in the study, not in the book, because a rule that decides how
many seeds to run (sequential.py) drives what the study computes.

`seeds_needed` turns a "cannot tell" into advice: how many runs per side would make the
interval's half-width fit inside the margin at the spread observed. `p_value` and
`holm_decide` decide a family of questions together, by Holm's step-down correction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Student's t through scipy.special alone (stdtr, its CDF; stdtrit, its quantile): every
# chapter of the book imports this module, and scipy.stats would add most of a second to each.
from scipy import special as _special

LEVEL = 0.95
ALPHA = 1 - LEVEL
MAX_SEEDS = 10_000  # seeds_needed looks no further

# The margins: a difference inside +-margin is one no reader would act on.
ACCURACY_MARGIN = 0.005
LOSS_MARGIN = 0.01
# Two times are "about the same" within 5%: the longer over the shorter, minus 1.
SAME_TIME = 0.05


@dataclass(frozen=True)
class SeedMetric:
    """A metric compared over the seeds: which way is better, its margin, and why that
    margin (the reproducibility appendix prints it)."""

    name: str
    higher_better: bool
    margin: float
    why: str


SEED_METRICS = {
    m.name: m
    for m in (
        SeedMetric(
            "test_accuracy",
            higher_better=True,
            margin=ACCURACY_MARGIN,
            why=f"half a percentage point, {ACCURACY_MARGIN * 10_000:.0f} of MNIST's 10,000 test images: less than "
            "what would make a reader choose one library over the other for this network",
        ),
        SeedMetric(
            "test_loss",
            higher_better=False,
            margin=LOSS_MARGIN,
            why=f"a difference of {LOSS_MARGIN:g} in mean cross-entropy moves the geometric mean of the probability "
            f"given to the right digit by about {math.expm1(LOSS_MARGIN):.0%}, far less than separates a good "
            "network from a poor one here",
        ),
    )
}


@dataclass(frozen=True)
class Interval:
    """An interval for a difference (b - a), and what it was computed from."""

    diff: float  # the observed difference
    low: float
    high: float
    n: tuple[int, int]  # runs on each side (pairs on both, for "paired" and "log ratio")
    sd: tuple[float, float]  # their standard deviations (ddof 1; 0 for a single run; the differences' and 0 if paired)
    kind: str  # "welch", "one run", "paired" or "log ratio"
    df: float | None = None  # the Student-t degrees of freedom (None: not known, as for a hand-made interval)
    level: float = LEVEL

    @property
    def half(self) -> float:
        return (self.high - self.low) / 2


def t_quantile(df: float, level: float = LEVEL) -> float:
    """The two-sided Student-t quantile: P(|T| <= q) = level. (scipy.special's, a hundred
    times quicker than scipy.stats.t.ppf: the sequential rule's tests call it often.)"""
    return float(_special.stdtrit(df, 0.5 + level / 2))


def _mean_sd(x: Sequence[float]) -> tuple[int, float, float]:
    v = np.asarray(x, dtype=float)
    return len(v), float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def welch_df(sd_a: float, n_a: int, sd_b: float, n_b: int) -> float:
    """Welch-Satterthwaite degrees of freedom (inf when neither side spreads)."""
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    if va + vb == 0:
        return math.inf
    return (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))


def welch_half(sd_a: float, n_a: int, sd_b: float, n_b: int, level: float = LEVEL) -> float:
    """The half-width of Welch's interval for these spreads and counts."""
    se2 = sd_a**2 / n_a + sd_b**2 / n_b
    if se2 == 0:
        return 0.0
    return t_quantile(welch_df(sd_a, n_a, sd_b, n_b), level) * math.sqrt(se2)


def welch(a: Sequence[float], b: Sequence[float], level: float = LEVEL) -> Interval | None:
    """Welch's interval for mean(b) - mean(a); None with fewer than two values on a side."""
    (n_a, m_a, s_a), (n_b, m_b, s_b) = _mean_sd(a), _mean_sd(b)
    if min(n_a, n_b) < 2:
        return None
    diff, half = m_b - m_a, welch_half(s_a, n_a, s_b, n_b, level)
    return Interval(
        diff, diff - half, diff + half, (n_a, n_b), (s_a, s_b), "welch", welch_df(s_a, n_a, s_b, n_b), level
    )


def one_run_half(sd: float, n: int, level: float = LEVEL) -> float:
    return t_quantile(n - 1, level) * sd * math.sqrt(1 + 1 / n)


def one_run(sample: Sequence[float], x: float, level: float = LEVEL) -> Interval | None:
    """The prediction interval for x - mean(sample), x being one run; None when the sample
    has fewer than two runs (no spread to predict with)."""
    n, m, s = _mean_sd(sample)
    if n < 2:
        return None
    diff, half = x - m, one_run_half(s, n, level)
    return Interval(diff, diff - half, diff + half, (n, 1), (s, 0.0), "one run", n - 1, level)


def paired_half(sd: float, n: int, level: float = LEVEL) -> float:
    return t_quantile(n - 1, level) * sd / math.sqrt(n)


def paired(a: Sequence[float], b: Sequence[float], level: float = LEVEL, kind: str = "paired") -> Interval | None:
    """The interval for the mean of the per-pair differences b[i] - a[i]; None with fewer
    than two pairs. Raises ValueError when a and b are not pairs (unequal lengths)."""
    if len(a) != len(b):
        raise ValueError(f"a paired interval needs pairs: {len(a)} values against {len(b)}")
    n, diff, s = _mean_sd(np.asarray(b, dtype=float) - np.asarray(a, dtype=float))
    if n < 2:
        return None
    half = paired_half(s, n, level)
    return Interval(diff, diff - half, diff + half, (n, n), (s, 0.0), kind, n - 1, level)


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
        if interval.kind == "welch":
            return welch_half(s_a, n, s_b, n, level)
        if interval.kind == "one run":
            return one_run_half(s_a, n, level)
        return paired_half(s_a, n, level)

    if half(MAX_SEEDS) > margin:
        return None
    low, high = 1, MAX_SEEDS  # half(high) fits; find the smallest n that does
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if half(mid) <= margin else (mid, high)
    return high


# --- a family of questions: p-values and Holm's correction -----------------------------------


def _se(interval: Interval) -> float:
    if interval.df is None:
        raise ValueError("this interval does not state its degrees of freedom: no p-value")
    return interval.half / t_quantile(interval.df, interval.level)


def p_value(interval: Interval | None) -> float:
    """The two-sided p-value of "no difference" (b - a = 0) behind this interval: below
    1 - level exactly when the interval excludes 0. 1 with no interval."""
    if interval is None:
        return 1.0
    se = _se(interval)
    if se == 0:
        return 0.0 if interval.diff != 0 else 1.0
    return float(2 * _special.stdtr(interval.df, -abs(interval.diff) / se))


def equivalence_p(interval: Interval | None, margin: float) -> float:
    """The p-value of "a difference of at least the margin" by two one-sided tests: at most
    (1 - level) / 2 exactly when the interval lies inside +-margin. 1 with no interval."""
    if interval is None:
        return 1.0
    se = _se(interval)
    if se == 0:
        return 0.0 if abs(interval.diff) < margin else 1.0
    below, above = (interval.diff + margin) / se, (margin - interval.diff) / se
    return float(max(_special.stdtr(interval.df, -below), _special.stdtr(interval.df, -above)))


def holm(p_values: Sequence[float], alpha: float = ALPHA) -> tuple[bool, ...]:
    """Holm's step-down correction: which hypotheses of the family to reject, so that the
    chance of rejecting any true one stays at most alpha, whatever their dependence. The
    k-th smallest p-value (k = 1, 2, ...) is rejected when it and every smaller one are
    at most alpha / (m - k + 1)."""
    m = len(p_values)
    rejected = [False] * m
    for k, i in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        if p_values[i] > alpha / (m - k):
            break
        rejected[i] = True
    return tuple(rejected)


def holm_decide(
    intervals: Sequence[Interval | None], margins: Sequence[float], alpha: float = ALPHA
) -> tuple[str, ...]:
    """`decide` for a family of questions at once, corrected by Holm: "different" where
    Holm rejects "no difference" among the family's p-values at alpha, else "same" where
    Holm rejects "a difference of at least the margin" among the equivalence p-values at
    alpha / 2 (the half that `decide`'s interval leaves on each side), else "cannot tell".
    With a single question it is `decide` at level 1 - alpha. Over the whole family, the
    chance of any wrong "different" (where there is no difference) is at most alpha, and
    of any wrong "same" (where the difference reaches the margin) at most alpha / 2."""
    if len(intervals) != len(margins):
        raise ValueError(f"{len(intervals)} intervals against {len(margins)} margins")
    different = holm([p_value(iv) for iv in intervals], alpha)
    same = holm([equivalence_p(iv, m) for iv, m in zip(intervals, margins)], alpha / 2)
    return tuple("different" if d else "same" if s else "cannot tell" for d, s in zip(different, same))


# --- times: the ratio of paired epochs --------------------------------------------------------


@dataclass(frozen=True)
class TimeComparison:
    """How trainer a's time stands to trainer b's.

    decision  "faster" (a takes less time), "slower", "same" (within the margin) or
              "cannot tell"
    ratio     the geometric mean of b / a over the epochs (above 1: a is faster)
    interval  the interval for the mean log(b / a) (kind "log ratio"; exp() of its ends
              bounds the ratio); None with fewer than two epochs
    rule      "interval", or "one epoch" when there was a single pair to go on
    """

    decision: str
    ratio: float
    interval: Interval | None
    rule: str


def compare_times(
    a: Sequence[float], b: Sequence[float], margin: float = SAME_TIME, level: float = LEVEL
) -> TimeComparison:
    """Whether a trains faster than b, from paired per-epoch seconds (epoch i of a beside
    epoch i of b, interleaved so that both saw the same machine). Times are compared as
    ratios, so the interval is the paired one of log(b / a), decided by `decide` against
    log(1 + margin): a ratio within margin either way is "same".

    With a single pair there is no spread and no interval; the rule falls back to the
    point rule on that pair: "same" when the longer time over the shorter, minus 1, is at
    most the margin, else the faster one. Raises ValueError with no epochs, unequal
    counts, or a time that is not positive."""
    t_a, t_b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(t_a) == 0 or len(t_a) != len(t_b):
        raise ValueError(f"paired epoch times needed: {len(t_a)} against {len(t_b)}")
    if (t_a <= 0).any() or (t_b <= 0).any():
        raise ValueError("every epoch time must be positive")
    log_ratio = np.log(t_b) - np.log(t_a)
    ratio = float(math.exp(log_ratio.mean()))
    faster_or_slower = "faster" if ratio > 1 else "slower"
    if len(t_a) < 2:
        same = max(ratio, 1 / ratio) - 1 <= margin
        return TimeComparison("same" if same else faster_or_slower, ratio, None, "one epoch")
    iv = paired(np.log(t_a), np.log(t_b), level, kind="log ratio")
    decision = decide(iv, math.log1p(margin))
    return TimeComparison(faster_or_slower if decision == "different" else decision, ratio, iv, "interval")
