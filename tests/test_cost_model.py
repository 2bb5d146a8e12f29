"""The cost of an SGD step, t = a + F / r, fitted by least squares (study/cost_model.py):
known lines recovered, intervals that cover at their level, crossovers inside and outside
the sweep, and the fits that cannot be made."""

import numpy as np
import pytest
from mnistcompare.core.epoch_timing import flops_per_sample
from mnistcompare.study import cost_model

BATCHES = (16, 32, 64, 128, 256, 512)
# The sweep's FLOPs per step: batch sizes at 128 hidden units, hidden widths at a batch of 64.
FLOPS = np.array(
    [b * flops_per_sample(hidden=128) for b in BATCHES] + [64 * flops_per_sample(hidden=h) for h in (32, 64, 256, 512)],
    dtype=float,
)


def line(a: float, rate: float, flops=FLOPS) -> np.ndarray:
    return a + flops / rate


def test_a_line_without_noise_is_recovered_exactly():
    c = cost_model.fit(FLOPS, line(300e-6, 20e9))
    assert c.n == len(FLOPS)
    assert c.fixed_s == pytest.approx(300e-6, rel=1e-9) and c.rate == pytest.approx(20e9, rel=1e-9)
    assert c.fixed_interval[0] == pytest.approx(300e-6, rel=1e-6) == c.fixed_interval[1]
    low, high = c.rate_interval
    assert low == pytest.approx(20e9, rel=1e-6) and high == pytest.approx(20e9, rel=1e-6)
    assert c.seconds(1e8) == pytest.approx(300e-6 + 1e8 / 20e9)


def test_the_intervals_cover_the_true_values_at_their_level():
    """Gaussian noise about a known line, a thousand times: each 95% interval holds the truth
    about 95% of the time (exact for OLS with normal errors); r's because b's does."""
    rng = np.random.default_rng(7)
    a, rate, runs = 300e-6, 20e9, 1000
    covered_a = covered_r = 0
    for _ in range(runs):
        c = cost_model.fit(FLOPS, line(a, rate) + rng.normal(0, 200e-6, len(FLOPS)))
        covered_a += c.fixed_interval[0] <= a <= c.fixed_interval[1]
        covered_r += c.rate_interval is not None and c.rate_interval[0] <= rate <= c.rate_interval[1]
    assert 0.93 <= covered_a / runs <= 0.97
    assert 0.93 <= covered_r / runs <= 0.97


def test_a_wider_level_gives_a_wider_interval():
    t = line(300e-6, 20e9) + np.random.default_rng(1).normal(0, 100e-6, len(FLOPS))
    narrow, wide = cost_model.fit(FLOPS, t, level=0.5), cost_model.fit(FLOPS, t)
    assert wide.fixed_interval[0] < narrow.fixed_interval[0] < narrow.fixed_interval[1] < wide.fixed_interval[1]


def costs(**lines):
    return {name: cost_model.fit(FLOPS, line(a, r)) for name, (a, r) in lines.items()}


def test_a_crossover_inside_the_sweep():
    """A larger fixed cost with faster arithmetic: slower at small batches, faster at large.
    a_np + B f / r_np = a_x + B f / r_x at B = (a_x - a_np) / (f (1/r_np - 1/r_x)) = 88.0."""
    fitted = costs(numpy=(100e-6, 20e9), pytorch=(1000e-6, 40e9))
    c = cost_model.crossover("pytorch", "numpy", fitted, 128, BATCHES)
    expected = 900e-6 / (flops_per_sample(hidden=128) * (1 / 20e9 - 1 / 40e9))
    assert c.batch == pytest.approx(expected, rel=1e-6) and 16 < c.batch < 512
    assert (c.faster_small, c.faster_large) == ("numpy", "pytorch")
    assert (c.network, c.reference, c.hidden) == ("pytorch", "numpy", 128)


def test_no_crossover_outside_the_sweep_or_between_parallel_lines():
    # They would meet at a batch of about 924, beyond 512: NumPy is faster throughout.
    beyond = cost_model.crossover(
        "pytorch", "numpy", costs(numpy=(100e-6, 20e9), pytorch=(1000e-6, 21e9)), 128, BATCHES
    )
    assert beyond.batch is None and beyond.faster_small == beyond.faster_large == "numpy"
    # Smaller fixed cost and faster arithmetic: they meet at a negative batch, never.
    never = cost_model.crossover("pytorch", "numpy", costs(numpy=(500e-6, 20e9), pytorch=(100e-6, 30e9)), 128, BATCHES)
    assert never.batch is None and never.faster_small == never.faster_large == "pytorch"
    parallel = cost_model.crossover(
        "pytorch", "numpy", costs(numpy=(100e-6, 20e9), pytorch=(200e-6, 20e9)), 128, BATCHES
    )
    assert parallel.batch is None and parallel.faster_small == "numpy"
    # The same lines meet inside a range that reaches their crossing.
    inside = cost_model.crossover(
        "pytorch", "numpy", costs(numpy=(100e-6, 20e9), pytorch=(1000e-6, 21e9)), 128, (*BATCHES, 1024)
    )
    assert inside.batch == pytest.approx(900e-6 / (flops_per_sample(hidden=128) * (1 / 20e9 - 1 / 21e9)), rel=1e-6)


def test_degenerate_fits():
    with pytest.raises(ValueError, match="two or more FLOP counts"):
        cost_model.fit([1e6, 1e6, 1e6], [1e-3, 2e-3, 3e-3])
    with pytest.raises(ValueError, match="one length"):
        cost_model.fit([1e6, 2e6], [1e-3])
    two = cost_model.fit([1e6, 3e6], [2e-3, 4e-3])  # the line, but no degree of freedom for an interval
    assert two.fixed_s == pytest.approx(1e-3) and two.rate == pytest.approx(1e9)
    assert two.fixed_interval is None and two.slope_interval is None and two.rate_interval is None
    # Time that does not grow with the arithmetic: b's interval reaches 0, r is not determined.
    flat = cost_model.fit(FLOPS, 1e-3 + np.random.default_rng(3).normal(0, 1e-5, len(FLOPS)))
    assert flat.slope_interval[0] < 0 < flat.slope_interval[1] and flat.rate_interval is None
    falling = cost_model.fit(FLOPS, 1e-3 - FLOPS / 1e12)  # less time for more work: no rate at all
    assert falling.slope < 0 and falling.rate is None and falling.rate_interval is None
