"""The study's sweep of SGD steps: the instrument (epoch_timing.time_steps), its size and
cells (registry), its records, and how the book shows it (a table, a figure, a sentence)."""

import numpy as np
import pytest
from mnistcompare.book import labels
from mnistcompare.book.chapters import training_comparison as tc
from mnistcompare.book.plots import charts, delivery, palettes
from mnistcompare.core import data, networks
from mnistcompare.core import params as P
from mnistcompare.core.epoch_timing import flops_per_sample, time_steps
from mnistcompare.core.records import SweepCell, read, to_json
from mnistcompare.study import cost_model, registry
from mnistcompare.study.records import Sweep


def rows(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)


def test_time_steps_times_each_implementation_in_each_cell():
    X, y = rows(200)
    both = ("numpy", "pytorch")
    cells = time_steps(
        X, y, [(8, 16, both), (16, 32, both), (16, 16, ("numpy",))], steps=3, repeats=2, lr=0.1, pause_s=0
    )
    assert [(c.batch_size, c.hidden) for c in cells] == [(8, 16), (16, 32), (16, 16)]
    assert list(cells[2].step_s) == ["numpy", "matmul"]  # a cell times only its own networks
    cells = cells[:2]
    assert [c.flops for c in cells] == [8 * flops_per_sample(hidden=16), 16 * flops_per_sample(hidden=32)]
    for c in cells:
        assert list(c.step_s) == list(c.first_s) == ["numpy", "pytorch", "matmul"]
        assert all(len(t) == 2 and min(t) > 0 for t in c.step_s.values()) and min(c.first_s.values()) > 0
        assert c.best("numpy") == min(c.step_s["numpy"])
    with pytest.raises(ValueError, match="need 240 rows; there are 200"):
        time_steps(X, y, [(16, 8, ("numpy",))], steps=15, repeats=1, lr=0.1, pause_s=0)


def test_the_sweep_shrinks_with_the_training_set_and_shares_its_middle_cell():
    assert registry.sweep_size(P.Params(), 60_000) == (registry.SWEEP_STEPS, registry.SWEEP_REPEATS) == (50, 3)
    assert registry.sweep_size(P.Params(subset=30_000), 60_000) == (25, 2)
    assert registry.sweep_size(P.Params(subset=3000), 60_000) == (registry.SWEEP_MIN_STEPS, 1)  # quick mode
    # a small subset (quick mode) times every other size
    assert registry.sweep_sizes(P.Params(subset=3000)) == ((16, 64, 256), (32, 128, 512))
    assert registry.sweep_sizes(P.Params(subset=30_000)) == (registry.SWEEP_BATCH_SIZES, registry.SWEEP_HIDDEN_SIZES)
    assert registry.sweep_cells(P.Params(subset=3000)) == [(16, 128), (64, 128), (256, 128), (64, 32), (64, 512)]
    cells = registry.sweep_cells(P.Params())  # batch 64, hidden 128: in both sweeps, timed once
    assert len(cells) == len(registry.SWEEP_BATCH_SIZES) + len(registry.SWEEP_HIDDEN_SIZES) - 1
    assert cells[:6] == [(b, 128) for b in registry.SWEEP_BATCH_SIZES] and cells.count((64, 128)) == 1
    assert len(registry.sweep_cells(P.Params(hidden=100))) == 11 and (64, 100) in registry.sweep_cells(
        P.Params(hidden=100)
    )


def eager_stand_in(monkeypatch):
    """Compiled PyTorch's entry with the eager trainer behind it: the sweep's bookkeeping
    without tens of seconds of torch.compile."""
    import dataclasses

    eager = tuple(
        dataclasses.replace(n, trainer=networks.get("pytorch").trainer) if n.name == "pytorch_compiled" else n
        for n in networks.NETWORKS
    )
    monkeypatch.setattr(networks, "NETWORKS", eager)


def small_sweep(monkeypatch):
    monkeypatch.setattr(registry, "SWEEP_BATCH_SIZES", (8, 16))
    monkeypatch.setattr(registry, "SWEEP_HIDDEN_SIZES", (8, 16))
    monkeypatch.setattr(registry, "SWEEP_THIN_SHARE", 0.0)  # every size, on however small a subset
    X, y = rows(2000)
    mnist = data.MNIST(X, y, X[:10], y[:10], {})
    return registry.sweep(mnist, P.Params(batch_size=16, hidden=8, subset=100, threads=1))


def test_the_sweep_experiment_records_every_network_that_joins_it(monkeypatch):
    eager_stand_in(monkeypatch)
    S = small_sweep(monkeypatch)
    joined, batches_only = networks.joining("sweep"), networks.joining("sweep_batches")
    assert {"numpy", "pytorch"} <= set(joined) and batches_only == ("pytorch_compiled",)
    assert S.implementations == (*networks.sweeping(batches_only=True), "matmul") and S.unavailable == {}
    assert list(S.costs) == list(S.implementations)
    assert [(c.batch_size, c.hidden) for c in S.cells] == [(8, 8), (16, 8), (16, 16)]
    # the batch sizes (at the study's 8 hidden units) time every network; the other width not compiled PyTorch
    assert [set(c.step_s) for c in S.cells] == [{*S.implementations}] * 2 + [{*joined, "matmul"}]
    assert (S.steps, S.repeats, S.threads) == (registry.SWEEP_MIN_STEPS, 1, 1)
    assert [c.network for c in S.crossovers] == [n for n in S.implementations[:-1] if n != networks.REFERENCE]
    assert all(c.reference == networks.REFERENCE and c.hidden == 8 for c in S.crossovers)
    assert {m: c.n for m, c in S.costs.items()} == {m: 2 if m in batches_only else 3 for m in S.implementations}
    assert to_json(read(Sweep, to_json(S))) == to_json(S)  # the record reads back from its JSON
    assert "Compiled PyTorch joins only the batch sizes, at 8 hidden units" in tc.sweep_joins(S)


def test_a_network_that_cannot_run_here_leaves_the_sweep_and_says_why(monkeypatch):
    from mnistcompare.core import epoch_timing

    why = {"pytorch_compiled": "Inductor needs a C++ compiler"}
    monkeypatch.setattr(epoch_timing, "unavailable", lambda name: why.get(name))
    S = small_sweep(monkeypatch)
    assert "pytorch_compiled" not in S.implementations and S.unavailable == why
    assert all("pytorch_compiled" not in c.step_s for c in S.cells)
    assert tc.sweep_joins(S) == (
        "Compiled PyTorch could not run on this machine (Inductor needs a C++ compiler) and is not in the sweep."
    )


# --- the book, on made-up sweeps ---------------------------------------------------------------

HIDDEN, BATCHES, WIDTHS = 128, (16, 32, 64, 128, 256, 512), (32, 64, 256, 512)


def made_up(lines: dict[str, tuple[float, float]], noise: float = 0.0) -> Sweep:
    """A sweep whose step times lie on t = a + F / r (lines: name -> (a, r)), with noise."""
    rng = np.random.default_rng(0)
    shapes = [(b, HIDDEN) for b in BATCHES] + [(64, h) for h in WIDTHS]
    cells = []
    for b, h in shapes:
        F = b * flops_per_sample(hidden=h)
        seconds = {m: tuple(a + F / r + abs(rng.normal(0, noise)) for _ in range(3)) for m, (a, r) in lines.items()}
        cells.append(SweepCell(b, h, F, {m: 3 * t[0] for m, t in seconds.items()}, seconds))
    costs = cost_model.step_costs(cells, list(lines))
    return Sweep(
        steps=50,
        repeats=3,
        threads=2,
        batch_size=64,
        hidden=HIDDEN,
        batch_sizes=BATCHES,
        hidden_sizes=(32, 64, 128, 256, 512),
        implementations=tuple(lines),
        cells=tuple(cells),
        costs=costs,
        crossovers=(cost_model.crossover("pytorch", "numpy", costs, HIDDEN, BATCHES),),
        unavailable={},
    )


def test_the_crossover_sentence_says_where_the_lines_meet_or_why_they_do_not():
    meet = made_up({"numpy": (100e-6, 20e9), "pytorch": (1000e-6, 40e9), "matmul": (10e-6, 50e9)})
    said = tc.crossovers(meet)
    assert "meet at a batch of about 88:" in said and "128 hidden units" in said
    assert "below it the NumPy network's step is faster" in said and "above it the PyTorch network's" in said
    ahead = made_up({"numpy": (100e-6, 30e9), "pytorch": (1000e-6, 20e9), "matmul": (10e-6, 50e9)})
    said = tc.crossovers(ahead)
    assert "do not meet within the sweep's batch sizes (16 to 512)" in said
    assert "the NumPy network's step is faster throughout, because it has both the smaller fixed cost" in said
    beyond = made_up({"numpy": (100e-6, 20e9), "pytorch": (1000e-6, 21e9), "matmul": (10e-6, 50e9)})
    assert "because the lines would meet only outside that range" in tc.crossovers(beyond)


def test_the_table_gives_each_fit_and_says_when_a_rate_is_not_determined():
    sweep = made_up({"numpy": (100e-6, 20e9), "pytorch": (1000e-6, 40e9), "matmul": (10e-6, 50e9)}, noise=20e-6)
    a, a_interval, r, r_interval = tc.cost_cells(sweep.costs["numpy"])
    low, high = (float(x.replace(",", "")) for x in a_interval.split(" to "))
    assert low < float(a) < high and 0 < float(r) and " to " in r_interval
    flat = cost_model.fit([c.flops for c in sweep.cells], 1e-3 + np.random.default_rng(3).normal(0, 1e-5, 10))
    assert tc.cost_cells(flat)[3] == "not determined"
    assert labels.timed("matmul") == "matrix products alone (the limit)" and labels.timed("numpy") == labels.label(
        "numpy"
    )


@pytest.mark.parametrize("fmt", ["html", "static"])
def test_the_figure_builds_with_its_points_and_lines(monkeypatch, fmt):
    import altair as alt

    monkeypatch.setenv("MNISTCOMPARE_FIGURES", fmt)
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    sweep = made_up({"numpy": (100e-6, 20e9), "pytorch": (1000e-6, 40e9), "matmul": (-50e-6, 50e9)})
    measured, fitted, series = tc.step_cost_rows(sweep)
    assert len(measured) == 3 * len(sweep.cells) and list(series.values()) == ["numpy", "pytorch", "matmul"]
    assert min(r["ms"] for r in fitted) > 0  # the limit's line, below 0 at the smallest steps, stops there
    assert len([r for r in fitted if r["series"] == labels.timed("numpy")]) == tc.FIT_POINTS
    fig = charts.step_costs(measured, fitted, series, "alt: steps")
    if fmt == "html":
        assert isinstance(fig, alt.TopLevelMixin)
        spec = fig.to_dict()
        assert spec["description"] == "alt: steps" and spec["width"] == "container"
        colours = spec["layer"][0]["encoding"]["color"]["scale"]["range"]
        assert colours == [palettes.LIGHT.model("numpy"), palettes.LIGHT.model("pytorch"), palettes.LIGHT.text]
    else:
        assert isinstance(fig, delivery.StaticFigure) and fig.png().startswith(b"\x89PNG")


def test_a_timed_loop_keeps_what_was_alive_out_of_the_collectors_walk_and_gives_it_back():
    """The collection before each timed call walks only what came after the loop began
    (epoch_timing.frozen_heap); nested blocks unfreeze once, at the outermost."""
    import gc

    from mnistcompare.core import epoch_timing

    assert gc.get_freeze_count() == 0
    seen: list[int] = []
    with epoch_timing.frozen_heap():
        outer = gc.get_freeze_count()
        epoch_timing.time_interleaved(
            {"a": lambda order: seen.append(gc.get_freeze_count())}, 4, 4, 2, 0, np.random.default_rng(0), pause_s=0
        )
        # The inner block left the outer's frozen (unfreezing empties the permanent generation).
        # A frozen object that reference counting frees leaves it, so the count may drop by a few.
        assert outer > 0 and gc.get_freeze_count() > outer // 2
    assert min(seen) > outer // 2 and gc.get_freeze_count() == 0
