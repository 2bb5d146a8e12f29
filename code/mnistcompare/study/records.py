"""The study's results as typed records: the one place their schema is written down.

The study is computed as plain data and cached as JSON (experiments.py); `Study.read`
builds these frozen dataclasses from that JSON once, so that the book reads attributes
(`S.main.models["numpy"].last.test_loss`) and a misspelt field fails where it is read,
not three files later. Study -> Run (one training run) -> Network (one network's record)
-> Epoch (one row of its history); beside the runs, the analyses.

    Study       schema_version, params, the experiments by name (main, bench, seeds,
                paper_like, init_only, boundaries, init_small, pytorch_idioms, gradients,
                pca), the analyses of their results (misclassified, seed_spread,
                complexity), the time budget (timings, parallel, compute_seconds), every
                divergence, and where it came from (key, params_file, quick, overrides,
                created; cache_file and from_cache once loaded)
    Run         what training.train returns: params, mode, data, environment, models
                (Network by name), parity (both networks trained from one start), diverged
    Network     history (Epoch per epoch), parameter_count, init (what it started
                from), and when it trained to the end its confusion matrix, test
                predictions and (main run) memory probes; diverged when it did not
    Epoch       epoch, train_loss (mean over the epoch's minibatches), test_loss,
                test_accuracy, seconds (training only), eval_seconds, samples_per_second

The cache stays JSON: any tool can read it. SCHEMA_VERSION is written into each study
file and into the cache key, so a file of another schema is never read as this one;
`Study.read` refuses one anyway, naming both versions. This module reads the cache and
computes nothing: it is outside the study's cache key (experiments.NOT_KEYED), so adding
a convenience here re-renders from the cache; changing what the study computes changes
core/ or study/ and so the key.
"""

from __future__ import annotations

import dataclasses
import statistics
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from ..core.params import Params

SCHEMA_VERSION = 2


def json_name(f: dataclasses.Field) -> str:
    """A field's key in the JSON: its name, or metadata["json"] where that has spaces."""
    return f.metadata.get("json", f.name)


def build(tp: Any, value: Any) -> Any:
    """`value` (parsed JSON) as the type `tp`: dataclasses field by field, tuples, lists and
    dicts of them, Optional; primitives and containers of primitives as they are."""
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return build(inner, value)
    if dataclasses.is_dataclass(tp):
        return from_json(tp, value)
    if origin in (tuple, list) and needs_build(args[0]):
        return origin(build(args[0], v) for v in value)
    if origin is tuple:
        return tuple(value)
    if origin is dict and needs_build(args[1]):
        return {k: build(args[1], v) for k, v in value.items()}
    return value


def needs_build(tp: Any) -> bool:
    """Whether values of type `tp` hold a dataclass somewhere (else they are kept as read)."""
    if dataclasses.is_dataclass(tp):
        return True
    return any(needs_build(a) for a in typing.get_args(tp) if a is not type(None) and a is not Ellipsis)


def from_json(cls: type, value: dict) -> Any:
    """An instance of the dataclass `cls` from its JSON object. Keys it does not declare are
    refused: the schema is the dataclass."""
    if cls is Params:
        return Params(**value)
    hints = typing.get_type_hints(cls)
    fields = {json_name(f): f for f in dataclasses.fields(cls)}
    unknown = set(value) - set(fields)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field {', '.join(sorted(unknown))} (study/records.py)")
    return cls(**{f.name: build(hints[f.name], value[key]) for key, f in fields.items() if key in value})


# --- one training run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Epoch:
    """One epoch: train_loss is the mean minibatch loss over it (before each step); seconds
    its training alone, eval_seconds the test set's evaluation after it."""

    epoch: int
    train_loss: float
    test_loss: float
    test_accuracy: float
    seconds: float
    eval_seconds: float
    samples_per_second: float


@dataclass(frozen=True)
class Divergence:
    """A network whose loss left the finite numbers: in which epoch, with which learning
    rate, which loss (stage "training" or "test") and its value ("nan", "inf"). The
    study adds the experiment and the run's seed; the 3-versus-8 analysis its input."""

    model: str
    epoch: int
    lr: float
    loss: str
    stage: str
    experiment: str | None = None
    seed: int | None = None
    input: str | None = None

    @property
    def infinite(self) -> bool:
        return self.loss.lstrip("+-") == "inf"


@dataclass(frozen=True)
class Network:
    """One network's record of a run. The memory probes run an extra, untimed epoch on a
    copy of the trained network: peak_memory_bytes by peak_memory_method (NumPy:
    tracemalloc, with peak_memory_parts, the bytes of the arrays it allocates by purpose;
    PyTorch on the CPU: the growth of the process's peak RSS; on CUDA: the allocator's
    peak), and the same RSS measure for both as rss_peak_growth_bytes."""

    history: tuple[Epoch, ...]
    parameter_count: int
    init: str | None = None  # what it started from: "shared" (copied), "nn.Linear", or the scheme it drew
    diverged: Divergence | None = None
    confusion_matrix: list[list[int]] | None = None
    test_predictions: list[int] | None = None
    # The memory probes (the main run only).
    peak_memory_bytes: int | None = None
    peak_memory_method: str | None = None
    peak_memory_parts: dict[str, int] | None = None
    rss_peak_growth_bytes: int | None = None
    rss_method: str | None = None

    @property
    def first(self) -> Epoch:
        return self.history[0]

    @property
    def last(self) -> Epoch:
        return self.history[-1]

    def median(self, name: str = "seconds") -> float:
        """The median over the epochs of one of the history's numbers."""
        return float(statistics.median(getattr(e, name) for e in self.history))


@dataclass(frozen=True)
class Mode:
    """Whether the networks started from one draw of params.init, copied into each, and
    trained in one minibatch order per epoch (parity); each network's `init` says what it
    started from otherwise."""

    shared_init: bool
    shared_order: bool


@dataclass(frozen=True)
class DataInfo:
    n_train: int
    n_test: int
    sha256: dict[str, str]


@dataclass(frozen=True)
class Blas:
    internal_api: str | None
    version: str | None
    architecture: str | None
    num_threads: int | None


@dataclass(frozen=True)
class Environment:
    python: str
    numpy: str
    torch: str
    torchvision: str
    platform: str
    cpu: str
    cpu_count: int | None
    threads: int
    blas: tuple[Blas, ...]
    cuda_device: str | None


@dataclass(frozen=True)
class Parity:
    """Per-epoch |NumPy - PyTorch| of a run whose networks started alike."""

    train_loss_abs_diff: tuple[float, ...]
    test_loss_abs_diff: tuple[float, ...]
    test_accuracy_abs_diff: tuple[float, ...]
    max_train_loss_rel_diff: float


@dataclass(frozen=True)
class Run:
    schema_version: int
    params: Params
    mode: Mode
    data: DataInfo
    environment: Environment
    models: dict[str, Network]
    parity: Parity | None = None
    diverged: tuple[Divergence, ...] = ()


# --- the benchmark, the idioms, the analyses -------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds per epoch over the repeats; the rate and the share of the limit at the best."""

    median_s: float
    min_s: float
    max_s: float
    all_s: tuple[float, ...]
    gflops: float
    ratio_to_numpy: float | None = None
    fraction_of_matmul_rate: float | None = None


@dataclass(frozen=True)
class BenchRun:
    threads: int
    matmul: Timing
    trainers: dict[str, Timing]


@dataclass(frozen=True)
class Bench:
    n_train: int
    batch_size: int
    hidden: int
    repeats: int
    warmup: int
    run: BenchRun


@dataclass(frozen=True)
class Idioms:
    """Seconds per step (per evaluation for "eval") of PyTorch's idioms: by group, by variant."""

    threads: int
    steps: int
    rounds: int
    batch_size: int
    seconds: dict[str, dict[str, float]]


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
    model_and_gradients: int | None = field(default=None, metadata={"json": "model and gradients"})
    training_loop: int | None = field(default=None, metadata={"json": "training loop"})
    initialisation: int | None = None
    optimised_loop: int | None = field(default=None, metadata={"json": "optimised loop"})

    @property
    def model_and_loop(self) -> int:
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


# --- the study -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    schema_version: int
    params: Params
    main: Run
    bench: Bench
    seeds: tuple[Run, ...]
    paper_like: Run
    init_only: Run
    boundaries: Boundaries
    init_small: Run
    pytorch_idioms: Idioms
    gradients: Gradients
    pca: Pca
    misclassified: Misclassified | None
    seed_spread: dict[str, Spread] | None
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
