"""The intervals the verdicts decide by, checked against SciPy's own implementations
(study/stats.py computes them itself)."""

import numpy as np
import pytest
from mnistcompare.study import stats
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


def test_margins_are_one_typed_definition():
    acc, loss = stats.SEED_METRICS["test_accuracy"], stats.SEED_METRICS["test_loss"]
    assert (acc.name, acc.higher_better, acc.margin) == ("test_accuracy", True, stats.ACCURACY_MARGIN)
    assert (loss.name, loss.higher_better, loss.margin) == ("test_loss", False, stats.LOSS_MARGIN)
    assert "50 of MNIST's 10,000 test images" in acc.why and "1%" in loss.why


def test_paired_interval_is_scipys_and_decides_where_welch_cannot():
    """Seeds that move both networks together (a hard seed is hard for both): Welch sees
    the spread between seeds and cannot tell; the pairs cancel it, and their differences
    of about 0.002 are clearly not 0."""
    a = [0.90, 0.95, 0.92, 0.97, 0.93]
    b = [x + d for x, d in zip(a, (0.0020, 0.0022, 0.0018, 0.0021, 0.0019))]
    ours = stats.paired(a, b)
    theirs = scipy_stats.ttest_rel(b, a).confidence_interval(0.95)
    assert (ours.low, ours.high) == pytest.approx((theirs.low, theirs.high), rel=1e-10)
    assert ours.kind == "paired" and ours.n == (5, 5) and ours.diff == pytest.approx(0.002)
    assert stats.decide(stats.welch(a, b), stats.ACCURACY_MARGIN) == "cannot tell"
    assert stats.decide(ours, stats.ACCURACY_MARGIN) == "different"
    assert stats.paired([0.9], [0.91]) is None
    with pytest.raises(ValueError, match="pairs"):
        stats.paired([0.9, 0.8], [0.91])
    # seeds_needed for pairs: t(n-1) sd / sqrt(n) fits the margin at n, not at n - 1
    wide = stats.paired([0.90, 0.95, 0.92], [0.91, 0.94, 0.935])
    n = stats.seeds_needed(wide, 0.005)
    half = lambda k: stats.t_quantile(k - 1) * wide.sd[0] / k**0.5  # noqa: E731
    assert half(n) <= 0.005 < half(n - 1)


@pytest.mark.parametrize(
    "iv",
    [
        stats.welch([0.975, 0.976, 0.974], [0.9761, 0.9749, 0.9772, 0.9755]),
        stats.welch([0.97, 0.971, 0.969], [0.976, 0.977, 0.975]),
        stats.paired([0.90, 0.95, 0.92], [0.91, 0.94, 0.935]),
    ],
)
def test_p_values_agree_with_scipy_and_with_the_interval(iv):
    p = stats.p_value(iv)
    if iv.kind == "welch":
        a = [0.975, 0.976, 0.974] if iv.n == (3, 4) else [0.97, 0.971, 0.969]
        b = [0.9761, 0.9749, 0.9772, 0.9755] if iv.n == (3, 4) else [0.976, 0.977, 0.975]
        assert p == pytest.approx(scipy_stats.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-8)
    else:
        assert p == pytest.approx(scipy_stats.ttest_rel([0.91, 0.94, 0.935], [0.90, 0.95, 0.92]).pvalue, rel=1e-8)
    assert (p < 0.05) == (stats.decide(iv, 0.0) == "different")
    for margin in (0.001, 0.005, 0.02, 0.1):  # inside +-margin exactly when the equivalence p is at most 2.5%
        assert (stats.equivalence_p(iv, margin) <= 0.025) == (-margin <= iv.low and iv.high <= margin)
    assert stats.p_value(None) == 1.0 and stats.equivalence_p(None, 0.1) == 1.0
    with pytest.raises(ValueError, match="degrees of freedom"):
        stats.p_value(stats.Interval(0.01, 0.0, 0.02, (3, 3), (0.01, 0.01), "welch"))


def test_holm_steps_down_and_stops_at_the_first_p_value_it_keeps():
    # m = 4: thresholds 0.0125, 0.0167, 0.025, 0.05 for the sorted p-values
    assert stats.holm([0.01, 0.04, 0.02, 0.005]) == (True, True, True, True)
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == (True, False, False, True)  # 0.03 > 0.025 stops it
    assert stats.holm([0.02, 0.001, 0.03, 0.04]) == (False, True, False, False)  # 0.02 > 0.0167 stops it
    assert stats.holm([0.001, 0.001, 0.001, 0.049]) == (True, True, True, True)  # the last against 0.05
    assert stats.holm([0.049, 0.049]) == (False, False)  # Bonferroni would keep both too; neither passes 0.025
    assert stats.holm([]) == ()
    # Holm rejects at least what Bonferroni does, and never a p-value above alpha
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = rng.uniform(0, 0.1, rng.integers(1, 8))
        rejected = np.array(stats.holm(p))
        assert rejected[p <= 0.05 / len(p)].all() and not rejected[p > 0.05].any()


TIGHT = [0.9750 + 0.0005 * (i % 3 - 1) for i in range(30)]  # 30 seeds within 0.05 points of 97.5%


def test_holm_decide_is_decide_for_one_question_and_stricter_for_several():
    close = stats.welch([0.970, 0.971, 0.969, 0.970], [0.9745, 0.975, 0.9755, 0.9740])  # p about 0.001
    edge = stats.welch([0.970, 0.972, 0.968, 0.971], [0.9735, 0.9755, 0.9715, 0.9745])  # p 0.027: different alone
    tight = stats.welch(TIGHT, [x + 0.0002 for x in TIGHT])
    for iv in (close, edge, tight):
        assert stats.holm_decide([iv], [0.005]) == (stats.decide(iv, 0.005),)
    assert stats.decide(edge, 0.005) == "different" and 0.025 < stats.p_value(edge) < 0.05
    assert stats.holm_decide([close, edge, tight], [0.005] * 3) == ("different", "cannot tell", "same")
    assert stats.holm_decide([None], [0.005]) == ("cannot tell",)
    with pytest.raises(ValueError, match="margins"):
        stats.holm_decide([close], [])


def test_times_are_compared_by_the_interval_of_their_log_ratio():
    a = [1.00, 1.02, 0.99, 1.01, 1.00]
    slower_b = [1.20, 1.23, 1.18, 1.22, 1.19]
    t = stats.compare_times(a, slower_b)
    assert t.decision == "faster" and t.rule == "interval" and t.interval.kind == "log ratio"
    theirs = scipy_stats.ttest_rel(np.log(slower_b), np.log(a)).confidence_interval(0.95)
    assert (t.interval.low, t.interval.high) == pytest.approx((theirs.low, theirs.high), rel=1e-10)
    assert t.ratio == pytest.approx(np.exp(np.mean(np.log(slower_b) - np.log(a))))
    assert stats.compare_times(slower_b, a).decision == "slower"
    # within 5% either way, every epoch: the same
    assert stats.compare_times(a, [x * f for x, f in zip(a, (1.01, 0.99, 1.0, 1.02, 0.995))]).decision == "same"
    # 4% on average, but the epochs scatter by 10%: cannot tell
    assert stats.compare_times(a, [x * f for x, f in zip(a, (1.14, 0.94, 1.10, 0.96, 1.06))]).decision == "cannot tell"


def test_one_epoch_falls_back_to_the_point_rule():
    for b, decision in ((1.04, "same"), (1.06, "faster"), (0.94, "slower"), (1 / 1.049, "same")):
        t = stats.compare_times([1.0], [b])
        assert (t.decision, t.interval, t.rule) == (decision, None, "one epoch")
    for a, b in (([], []), ([1.0, 1.0], [1.0]), ([1.0], [0.0])):
        with pytest.raises(ValueError):
            stats.compare_times(a, b)
