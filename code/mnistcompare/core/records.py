"""The records of a training run and of a timed epoch: the one place their schema is written.

Training (training.fit) and the benchmark (epoch_timing.compare) build these frozen
dataclasses where they compute them; the study adds its own records around them
(study/records.py). They are written as JSON with `to_json` (dataclasses.asdict) and read
back with `read`, so that the schema is the dataclasses and nothing else:

    Run         one training run: params, mode, data, environment, models (Network by
                name, in the registry's order), parity (each network trained from the
                shared start against the one by hand), diverged
    Network     history (Epoch per epoch), parameter_count, init (what it started
                from), and when it trained to the end its confusion matrix, test
                predictions and (main run) memory probes; diverged when it did not
    Epoch       epoch, train_loss (mean over the epoch's minibatches), test_loss,
                test_accuracy, seconds (training only), eval_seconds, samples_per_second
    BenchRun    one thread count of the benchmark: each trainer's Timing and the matrix
                products' alone in each backend (the limits); `share_of_limit` is the
                one home of a trainer's share of the fastest of them
    SweepCell   one cell (batch size, hidden width) of the sweep of SGD steps
                (epoch_timing.time_steps): seconds per step of each implementation

JSON, not pickle: any tool can read it. SCHEMA_VERSION is written into every file made of
these records (the study's, `make run`'s results.json) and into the study's cache key, so
a file of another schema is never read as this one.
"""

from __future__ import annotations

import dataclasses
import statistics
import types
import typing
from dataclasses import dataclass
from typing import Any

from .params import Params

SCHEMA_VERSION = 5


def to_json(record: Any) -> Any:
    """A record (or a dict or list of them) as plain JSON data: what `read` reads back."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_json(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, dict):
        return {k: to_json(v) for k, v in record.items()}
    if isinstance(record, (list, tuple)):
        return [to_json(v) for v in record]
    return record


def read(cls: type, value: Any) -> Any:
    """An instance of the record type `cls` from its JSON (`to_json`'s output)."""
    return build(cls, value)


def build(tp: Any, value: Any) -> Any:
    """`value` (parsed JSON) as the type `tp`: dataclasses field by field, tuples, lists and
    dicts of them, Optional; primitives and containers of primitives as they are."""
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return build(inner, value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
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
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(value) - names
    if unknown:
        raise ValueError(f"{cls.__name__} has no field {', '.join(sorted(unknown))} (core/records.py)")
    return cls(**{name: build(hints[name], v) for name, v in value.items()})


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
    compile_seconds: float | None = None  # compiling its training, apart from the epochs (None: eager)

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
    jax: str | None
    platform: str
    cpu: str
    cpu_count: int | None
    threads: int  # NumPy's BLAS and PyTorch's intra-op threads
    xla_threads: int | None  # XLA's (JAX's) threads, when JAX ran in the process
    blas: tuple[Blas, ...]
    cuda_device: str | None


@dataclass(frozen=True)
class Parity:
    """Per-epoch |network - the network by hand| (networks.REFERENCE) of a run whose
    networks started from one draw and trained in one order."""

    train_loss_abs_diff: tuple[float, ...]
    test_loss_abs_diff: tuple[float, ...]
    test_accuracy_abs_diff: tuple[float, ...]
    max_train_loss_rel_diff: float


@dataclass(frozen=True)
class Run:
    """One training run (training.fit). parity: by network, each one against the network by
    hand, when they started from one draw and trained in one order and neither diverged."""

    params: Params
    mode: Mode
    data: DataInfo
    environment: Environment
    models: dict[str, Network]
    parity: dict[str, Parity] = dataclasses.field(default_factory=dict)
    diverged: tuple[Divergence, ...] = ()


# --- the benchmark -------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds per epoch over the repeats; the rate (GFLOP/s) at the best; the median over
    the hand-written network's median (ratio_to_numpy)."""

    median_s: float
    min_s: float
    max_s: float
    all_s: tuple[float, ...]
    gflops: float
    ratio_to_numpy: float | None = None


@dataclass(frozen=True)
class BenchRun:
    """One thread count of the benchmark: each trainer's epoch, and the epoch's matrix
    products alone in each backend (`limits`: "numpy" NumPy's BLAS, "pytorch"
    torch.matmul, "jax" XLA), the limit a trainer could reach; what compiling took
    (`compile_seconds`, the compiled trainers only), and why a trainer could not run
    (`unavailable`)."""

    threads: int
    limits: dict[str, Timing]
    trainers: dict[str, Timing]
    compile_seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    unavailable: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def fastest_limit(self) -> str:
        """The backend whose products alone were fastest: the limit every loop is weighed against."""
        return min(self.limits, key=lambda b: self.limits[b].min_s)

    def share_of_limit(self, trainer: str) -> float | None:
        """The trainer's share of the fastest limit's rate (share_of_limit); None: not measured."""
        return share_of_limit(self.trainers[trainer].min_s, self.limits[self.fastest_limit].min_s)


def share_of_limit(best_s: float, limit_best_s: float) -> float | None:
    """A trainer's share of the matmul limit's rate, from the best repeat of each: the
    limit's seconds over the trainer's (the same FLOPs). None above 1: a trainer cannot
    beat its own products alone, so the limit was not measured, and the book says so
    rather than print a share over 100%. The one place the share is computed."""
    share = limit_best_s / best_s
    return share if share <= 1 else None


@dataclass(frozen=True)
class SweepCell:
    """One cell of the sweep (epoch_timing.time_steps): its batch size and hidden width, the
    FLOPs of one SGD step there (flops_per_sample x batch size), and by implementation (the
    networks, then "matmul": their matrix products alone) the seconds of its first call,
    all its steps (the warm-up: allocation, any per-shape compilation), and the seconds
    per step of each timed repeat."""

    batch_size: int
    hidden: int
    flops: int
    first_s: dict[str, float]
    step_s: dict[str, tuple[float, ...]]

    def best(self, name: str) -> float:
        """Seconds per step of the best (shortest) repeat: noise only ever adds time."""
        return min(self.step_s[name])


@dataclass(frozen=True)
class Idioms:
    """Seconds per step (per evaluation for "eval") of PyTorch's idioms: by group, by variant."""

    threads: int
    steps: int
    rounds: int
    batch_size: int
    seconds: dict[str, dict[str, float]]
