"""The study's own records: what it adds around the runs (core/records.py), typed.

The study (experiments.py) builds these frozen dataclasses where it computes them and
caches them as JSON (core.records.to_json); `Study.read` builds them again from that JSON,
so that the book reads attributes (`S.main.models["numpy"].last.test_loss`) and a
misspelt field fails where it is read, not three files later.

    Study       schema_version, params, the experiments by name (main, bench, sweep,
                seeds, paper_like, init_only, boundaries, init_small, pytorch_idioms,
                gradients, pca), the analyses of their results (misclassified, seed_spread,
                seed_questions: what the seeds settled, complexity), the time budget
                (timings, parallel, compute_seconds), every
                divergence, and where it came from (key, params_file, quick, overrides,
                created; cache_file and from_cache once loaded)
    Bench       the study's short benchmark: its size and one core.records.BenchRun
    Sweep       SGD steps timed over batch sizes and hidden widths (core.records.SweepCell),
                with each implementation's fitted cost per step (StepCost) and where
                each network's meets the network by hand's (Crossover): cost_model.py
    the rest    the analyses (analysis.py) and PyTorch's idioms timed (epoch_timing)

The schema shapes what the study computes, so this module is in the study's cache key
like every other module of core/ and study/; core.records.SCHEMA_VERSION, written into
each study file and into the key, is the schema's one version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.params import Params
from ..core.records import SCHEMA_VERSION, BenchRun, Divergence, Idioms, Run, SweepCell, from_json
from .sequential import Plan
from .stats import Interval

# --- the benchmark, the idioms, the analyses -------------------------------------------------


@dataclass(frozen=True)
class Bench:
    n_train: int
    batch_size: int
    hidden: int
    repeats: int
    warmup: int
    run: BenchRun


@dataclass(frozen=True)
class StepCost:
    """One implementation's seconds per step fitted over the sweep's cells, t = a + b F
    (cost_model.fit): fixed_s is a, the seconds of a step whatever its size; slope is b,
    seconds per FLOP; their 95% intervals (None with only two cells). `rate` is r = 1/b
    in FLOP/s, and its interval the inverse of b's: None when b's reaches 0 or below (r
    is not determined)."""

    n: int
    fixed_s: float
    slope: float
    fixed_interval: tuple[float, float] | None
    slope_interval: tuple[float, float] | None

    def seconds(self, flops: float) -> float:
        """The fitted seconds of a step of `flops` FLOPs."""
        return self.fixed_s + self.slope * flops

    @property
    def rate(self) -> float | None:
        return 1 / self.slope if self.slope > 0 else None

    @property
    def rate_interval(self) -> tuple[float, float] | None:
        if self.slope_interval is None or self.slope_interval[0] <= 0:
            return None
        low, high = self.slope_interval
        return (1 / high, 1 / low)


@dataclass(frozen=True)
class Crossover:
    """Where `network`'s fitted step time meets `reference`'s at `hidden` units: the batch
    size, None when they do not meet within the sweep's batch sizes; and which of the two
    is faster by the fits at the sweep's smallest and largest batch (the same one
    throughout when they do not meet)."""

    network: str
    reference: str
    hidden: int
    batch: float | None
    faster_small: str
    faster_large: str


@dataclass(frozen=True)
class Sweep:
    """The study's sweep (registry.sweep): `steps` SGD steps per call, `repeats` calls per
    implementation and cell after a first one timed apart, at `threads` threads; the
    cells are the batch sizes at the study's hidden width and the hidden widths at its
    batch size (the cell they share once). `implementations`: the networks that join
    the sweep, then "matmul", their matrix products alone; a network that joins only the
    batch sizes (networks' "sweep_batches") is timed in those cells only. `unavailable`:
    a network that could not run here, and why (torch.compile without a compiler)."""

    steps: int
    repeats: int
    threads: int
    batch_size: int
    hidden: int
    batch_sizes: tuple[int, ...]
    hidden_sizes: tuple[int, ...]
    implementations: tuple[str, ...]
    cells: tuple[SweepCell, ...]
    costs: dict[str, StepCost]
    crossovers: tuple[Crossover, ...]
    unavailable: dict[str, str]


@dataclass(frozen=True)
class Classifier:
    """A 3-versus-8 classifier: its regions on the grid (None when it diverged on the two
    components) and its test accuracy on each input (None where it diverged)."""

    grid: list[int] | None
    accuracy_2d: float | None
    accuracy_full: float | None


@dataclass(frozen=True)
class Boundaries:
    classifiers: dict[str, Classifier]
    digits: tuple[int, int]
    epochs: int
    explained_variance_ratio: tuple[float, ...]
    grid_x: list[float]
    grid_y: list[float]
    n_test: int
    n_train: int
    n_train_networks: int
    params: Params
    test_labels: list[int]
    test_points: list[list[float]]
    diverged: tuple[Divergence, ...] = ()


@dataclass(frozen=True)
class Gradients:
    """The hand-written gradients' largest relative error, per parameter."""

    finite_differences: dict[str, float]
    autograd: dict[str, float]
    autograd_batch: int
    fd_batch: int
    fd_network: tuple[int, ...]
    eps: float


@dataclass(frozen=True)
class Pca:
    scores: list[list[float]]
    labels: list[int]
    explained_variance_ratio: tuple[float, ...]


@dataclass(frozen=True)
class Misclassified:
    """The first misclassified test images of the main run's NumPy network."""

    indices: list[int]
    true: list[int]
    pred: list[int]
    images: list[list[int]]
    n_wrong: int


@dataclass(frozen=True)
class Stat:
    mean: float
    sd: float
    n: int


@dataclass(frozen=True)
class Spread:
    """One network over the independent seeds."""

    test_accuracy: Stat
    test_loss: Stat
    seconds_per_epoch: Stat


@dataclass(frozen=True)
class Size:
    """Lines of code of one implementation's module and of its parts."""

    file: str
    module: int
    model_and_gradients: int | None = None
    training_loop: int | None = None
    initialisation: int | None = None
    optimised_loop: int | None = None

    @property
    def model_and_loop(self) -> int:
        """The model with its gradients and the readable loop: like for like on each side."""
        assert self.model_and_gradients is not None and self.training_loop is not None
        return self.model_and_gradients + self.training_loop


@dataclass(frozen=True)
class Parallel:
    backend: str
    cluster: bool
    experiments: tuple[str, ...]
    load_average: tuple[float, ...]
    threads_per_worker: int | None
    wall_seconds: float
    workers: int


# --- the questions over the seeds (questions.py) -----------------------------------------------


@dataclass(frozen=True)
class Settled:
    """One question over the seeds, as the study settled it.

    decision  "different", "same", "cannot tell"; "empty" (the start is the study's own
              `init`, where the seed's network starts: nothing to compare, nothing ran),
              "diverged" (a run it needs diverged: not asked)
    interval  for b - a at the look that decided it (else the last), at the plan's level
    at        seeds at that look
    path      the interval at every look up to n, in order (the plan's looks)
    n         seeds it ran (pairs, for a paired question)
    """

    metric: str
    design: str  # "welch" or "paired"
    margin: float
    decision: str
    interval: Interval | None
    at: int
    path: tuple[Interval | None, ...]
    seeds_needed: int | None  # for a "cannot tell": roughly how many seeds would do, at the spread seen
    n: int


@dataclass(frozen=True)
class SeedQuestions:
    """How many seeds the study ran and what they settled: the plan of looks (None with a
    single seed), whether the seeds were added in rounds (`seeds: auto`), each question."""

    rule: Plan | None
    auto: bool
    questions: dict[str, Settled]


# --- the study -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    schema_version: int
    params: Params
    main: Run
    bench: Bench
    sweep: Sweep
    seeds: tuple[Run, ...]
    paper_like: Run
    init_only: tuple[Run, ...]  # () when the start is the study's `init` (registry.Experiment.empty)
    boundaries: Boundaries
    init_small: tuple[Run, ...]  # () likewise
    pytorch_idioms: Idioms
    gradients: Gradients
    pca: Pca
    misclassified: Misclassified | None
    seed_spread: dict[str, Spread] | None
    seed_questions: SeedQuestions
    complexity: dict[str, Size]
    timings: dict[str, float]
    parallel: Parallel
    compute_seconds: float
    diverged: tuple[Divergence, ...]
    key: str
    params_file: str | None
    quick: bool
    overrides: dict[str, Any]
    created: str
    cache_file: str | None = None
    from_cache: bool = False

    @classmethod
    def read(cls, result: dict) -> Study:
        """The typed study from the JSON the cache holds (experiments.load_or_compute)."""
        version = result.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"this study has schema version {version}, this package reads {SCHEMA_VERSION}: "
                "compute it again (make study)"
            )
        return from_json(cls, result)

    def divergences(self, *experiments: str) -> tuple[Divergence, ...]:
        """The divergences of the named experiments (every one when none is named)."""
        return tuple(d for d in self.diverged if not experiments or d.experiment in experiments)

    @property
    def edition(self) -> str:
        """ "diverged" when the main run diverged, else "study" (experiments.edition)."""
        return "diverged" if self.divergences("main") else "study"
