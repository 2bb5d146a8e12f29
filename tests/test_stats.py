"""The intervals the verdicts decide by, checked against SciPy's own implementations
(book/stats.py computes them itself)."""

import numpy as np
import pytest
from mnistcompare.book import stats
from scipy import stats as scipy_stats


@pytest.mark.parametrize(
    "a, b",
    [
        ([0.85, 0.88], [0.89, 0.91]),
        ([0.975, 0.976, 0.974], [0.9761, 0.9749, 0.9772, 0.9755]),  # unequal counts and spreads
        (list(np.linspace(0.1, 0.2, 10)), list(np.linspace(0.12, 0.14, 7))),
    ],
)
def test_welch_interval_is_scipys(a, b):
    ours = stats.welch(a, b)
    theirs = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (ours.low, ours.high) == pytest.approx((theirs.low, theirs.high), rel=1e-10)
    assert ours.diff == pytest.approx(np.mean(b) - np.mean(a)) and ours.n == (len(a), len(b))


def test_one_run_interval_is_the_pooled_interval_of_a_single_observation():
    """For one run x against n runs, the pooled two-sample interval has the sample's variance
    and n - 1 degrees of freedom: exactly the prediction interval x - mean +- t s sqrt(1 + 1/n)."""
    sample, x = [0.070, 0.072, 0.071, 0.069], 0.075
    ours = stats.one_run(sample, x)
    theirs = scipy_stats.ttest_ind([x], sample, equal_var=True).confidence_interval(0.95)
    assert (ours.low, ours.high) == pytest.approx((theirs.low, theirs.high), rel=1e-10)


def test_three_outcomes():
    iv = lambda low, high: stats.Interval((low + high) / 2, low, high, (3, 3), (0.01, 0.01), "welch")  # noqa: E731
    assert stats.decide(iv(0.001, 0.004), margin=0.005) == "different"  # excludes 0
    assert stats.decide(iv(-0.004, -0.001), margin=0.005) == "different"
    assert stats.decide(iv(-0.003, 0.004), margin=0.005) == "same"  # inside +-margin
    assert stats.decide(iv(-0.003, 0.009), margin=0.005) == "cannot tell"
    assert stats.decide(None, margin=0.005) == "cannot tell"  # a single run on a side
    assert stats.welch([0.9], [0.8, 0.85]) is None and stats.one_run([0.9], 0.8) is None


def test_seeds_needed_fit_the_margin_and_no_fewer_do():
    iv = stats.welch([0.84, 0.87], [0.88, 0.90])
    n = stats.seeds_needed(iv, 0.005)
    half = lambda k: stats.welch_half(iv.sd[0], k, iv.sd[1], k)  # noqa: E731
    assert half(n) <= 0.005 < half(n - 1)
    # One run against many never gets narrower than about 1.96 sd: a margin below it is out of reach.
    one = stats.one_run([0.06, 0.08, 0.07], 0.07)
    assert stats.seeds_needed(one, 0.01) is None and stats.seeds_needed(one, 0.03) is not None
