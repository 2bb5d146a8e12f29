"""The experiment's parameters: one dataclass, validated at the boundary.

The same keys are used by the CLI flags, by the top-level `params.yml` that the
book reads, and by the `MNISTCOMPARE_<KEY>` environment overrides that the
publishing workflow sets. Every value is checked once, here, with an error that
names the parameter, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INIT_SCHEMES = ("pytorch", "he", "small")
DEVICES = ("cpu", "cuda")
QUICK_ENV = "MNISTCOMPARE_QUICK"
# The smallest training subset the study supports: a hundred images, ten of each digit on
# average, so that the stratified subset holds every digit (the rarest, 5, nine times),
# the 3-versus-8 networks see both of their digits, and every experiment has a minibatch
# of each class to learn from. tests/test_fork.py renders the book at this size.
MIN_SUBSET = 100
ENV_PREFIX = "MNISTCOMPARE_"
# `seeds: auto` runs the independent seeds in rounds until every question over them is
# decided (study/sequential.py): its first look is at AUTO_FIRST seeds (an interval needs
# a spread, and three give a first one worth weighing), its last at `seeds_cap`.
AUTO = "auto"
AUTO_FIRST = 3

# A named preset that resembles the study's reported curves (chapter "The study's
# figures beside ours"). The study does not state lr, batch size or initialisation.
# Its NumPy test loss starts "above 2.00" after the first epoch and ends near 0.25
# after 20; its PyTorch loss starts near 1.25, is near 0.5 one epoch later and ends
# near 0.20. lr 0.1 at batch 64 is below 0.3 after one epoch, so the study's runs
# took far smaller steps. lr 0.01 at batch 128 (469 updates per epoch), with the
# from-scratch tutorials' N(0, 0.01^2) initialisation for NumPy and nn.Linear's
# default for PyTorch, reproduces both shapes: a NumPy start near ln(10) = 2.30
# (the small weights make every first prediction nearly uniform), a lower PyTorch
# start, and both ending near 0.25 (a grid of lr 0.005-0.01 and batch 128-256 was
# tried; this was the closest).
PRESETS: dict[str, dict[str, Any]] = {
    "paper-like": {"lr": 0.01, "batch_size": 128, "epochs": 20, "init": "small", "parity": False},
}


class ParamError(ValueError):
    """A parameter value (or parameters file) that the study cannot run with."""


def _param(default: Any, help: str) -> Any:
    """A parameter with its one description: the CLI's --help, the README's table
    (held to it by tests/test_params.py) and this file all read it from here."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Params:
    """Hyperparameters and run settings shared by both networks."""

    epochs: int = _param(20, "passes over the training images")
    hidden: int = _param(128, "hidden units")
    lr: float = _param(0.1, "SGD learning rate")
    batch_size: int = _param(64, "minibatch size")
    seed: int = _param(0, "seed for initial weights, minibatch order and subsets")
    subset: int | None = _param(
        None, f"train on a stratified subset of N images, N >= {MIN_SUBSET} (`null`: all 60,000)"
    )
    init: str = _param("pytorch", "initial weights: `pytorch` (nn.Linear's default), `he`, `small` (N(0, 0.01²))")
    parity: bool = _param(
        True,
        "`make run`: identical initial weights and minibatch order for both networks (the book always runs both ways)",
    )
    device: str = _param("cpu", "PyTorch device (`cuda` if available); NumPy always runs on the CPU")
    seeds: int | str = _param(
        AUTO,
        "independent runs in the book's multi-seed spread, or `auto`: added in rounds until every question over "
        "them is decided, up to `seeds_cap`",
    )
    seeds_cap: int = _param(11, f"with `seeds: auto`, the most seeds it runs (at least {AUTO_FIRST})")
    threads: int | None = _param(None, "BLAS and torch threads (`null`: one per core); both libraries get the same")

    def __post_init__(self) -> None:
        _positive_int("epochs", self.epochs)
        _positive_int("hidden", self.hidden)
        _positive_int("batch_size", self.batch_size)
        if self.seeds != AUTO and (not isinstance(self.seeds, int) or not _is_int(self.seeds) or self.seeds < 1):
            raise ParamError(f"seeds must be a positive integer or {AUTO}, got {self.seeds!r}")
        if not _is_int(self.seeds_cap) or self.seeds_cap < AUTO_FIRST:
            raise ParamError(
                f"seeds_cap must be an integer >= {AUTO_FIRST} (seeds: {AUTO} looks first at {AUTO_FIRST} seeds), "
                f"got {self.seeds_cap!r}"
            )
        if not _is_int(self.seed) or self.seed < 0:
            raise ParamError(f"seed must be an integer >= 0, got {self.seed!r}")
        if (
            isinstance(self.lr, bool)
            or not isinstance(self.lr, (int, float))
            or not math.isfinite(self.lr)
            or self.lr <= 0
        ):
            raise ParamError(f"lr must be a positive finite number, got {self.lr!r}")
        object.__setattr__(self, "lr", float(self.lr))
        if self.subset is not None:
            _positive_int("subset", self.subset)
            if self.subset < MIN_SUBSET:
                raise ParamError(
                    f"subset must be at least {MIN_SUBSET} images (ten of each digit on average), "
                    f"or null for all of them; got {self.subset}"
                )
        if self.threads is not None:
            _positive_int("threads", self.threads)
        if self.init not in INIT_SCHEMES:
            raise ParamError(f"init must be one of {', '.join(INIT_SCHEMES)}; got {self.init!r}")
        if not isinstance(self.parity, bool):
            raise ParamError(f"parity must be true or false, got {self.parity!r}")
        if self.device not in DEVICES:
            raise ParamError(f"device must be one of {', '.join(DEVICES)}; got {self.device!r}")

    @property
    def auto_seeds(self) -> bool:
        """Whether the seeds are added in rounds (`seeds: auto`) rather than fixed."""
        return self.seeds == AUTO

    @property
    def first_seeds(self) -> int:
        """The seeds of the first round: all of them when fixed, AUTO_FIRST with `auto`."""
        return AUTO_FIRST if self.seeds == AUTO else int(self.seeds)

    @property
    def most_seeds(self) -> int:
        """The most seeds the study may run: seeds_cap with `auto`, else `seeds`."""
        return self.seeds_cap if self.seeds == AUTO else int(self.seeds)

    def replace(self, **changes: Any) -> Params:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def check_device(self) -> None:
        """Fail early when the requested PyTorch device does not exist on this machine."""
        if self.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise ParamError(
                    "device 'cuda' is not available on this machine (torch.cuda.is_available() is False); use device: cpu"
                )

    def check_subset(self, n_available: int) -> None:
        if self.subset is not None and self.subset > n_available:
            raise ParamError(f"subset must be <= the {n_available} training images available, got {self.subset}")


KEYS = tuple(f.name for f in dataclasses.fields(Params))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(name: str, value: Any) -> None:
    if not _is_int(value) or value < 1:
        raise ParamError(f"{name} must be a positive integer, got {value!r}")


def int_or_auto(text: str) -> int | str:
    """A command-line value of `seeds`: a number, or `auto`."""
    return text if text == AUTO else int(text)


FLOAT_KEYS = tuple(f.name for f in dataclasses.fields(Params) if f.type == "float")


def _as_written(key: str, value: Any) -> Any:
    """A number as a person writes it: YAML 1.1 reads `1e-3` and `1E-3` (no dot) as strings,
    and so do environment values; for a float parameter they mean the number."""
    if key in FLOAT_KEYS and isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value  # Params refuses it with its usual message
    return value


def from_mapping(values: Mapping[str, Any], base: Params | None = None, source: str = "parameters") -> Params:
    """Params from a plain mapping; unknown keys are an error, not silently ignored."""
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise ParamError(f"unknown key(s) in {source}: {', '.join(unknown)}; allowed keys: {', '.join(KEYS)}")
    return dataclasses.replace(base or Params(), **{k: _as_written(k, v) for k, v in values.items()})


def apply_preset(params: Params, name: str) -> Params:
    if name not in PRESETS:
        raise ParamError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")
    return params.replace(**PRESETS[name])


def _parse_env_value(key: str, text: str) -> Any:
    """Environment values arrive as text; read them as YAML scalars (5, 0.1, true, null)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ParamError(f"{ENV_PREFIX}{key.upper()}={text!r} is not a valid value: {err}") from None


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`MNISTCOMPARE_EPOCHS=5` and friends; empty values mean 'not set'."""
    environ = os.environ if environ is None else environ
    found = {}
    for key in KEYS:
        text = environ.get(ENV_PREFIX + key.upper(), "").strip()
        if text:
            found[key] = _as_written(key, _parse_env_value(key, text))
    return found


def quick_mode(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class LoadedParams:
    """The parameters in force, and where each layer of them came from."""

    params: Params
    path: str | None
    quick: bool
    overrides: dict[str, Any]
    # Where each key's value came from: "default", the file's name, "quick mode" or
    # "environment override" (the last layer that set it).
    sources: dict[str, str] = dataclasses.field(default_factory=dict)


def read_yaml(path: Path) -> Any:
    """A parameters file as YAML, refusing a key set twice in one mapping: YAML itself keeps
    the last value silently, so a fork that adds `epochs: 5` above the file's own
    `epochs: 20` would get 20 without a word."""
    import yaml

    class UniqueKeys(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ParamError(
                    f"parameters file {path} sets {key!r} twice, on lines {seen[key]} and {line}; keep one of them"
                )
            seen[key] = line
        return loader.construct_mapping(node, deep=deep)

    UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        return yaml.load(path.read_text(), Loader=UniqueKeys)
    except yaml.YAMLError as err:
        raise ParamError(f"parameters file {path} is not valid YAML: {err}") from None


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> LoadedParams:
    """Read `params.yml`, then apply the quick section (if MNISTCOMPARE_QUICK=1),
    then the MNISTCOMPARE_<KEY> environment overrides. Missing file: the defaults."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    quick_values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ParamError(f"parameters file {path} does not exist")
        loaded = read_yaml(path) or {}
        if not isinstance(loaded, dict):
            raise ParamError(f"parameters file {path} must hold a mapping of keys to values")
        quick_values = loaded.pop("quick", None) or {}
        if not isinstance(quick_values, dict):
            raise ParamError(f"the 'quick' section of {path} must be a mapping")
        values = loaded
    params = from_mapping(values, source=str(path or "parameters"))
    sources = {key: (path.name if path is not None and key in values else "default") for key in KEYS}
    quick = quick_mode(environ)
    if quick:
        params = from_mapping(quick_values, base=params, source=f"quick section of {path}")
        sources.update(dict.fromkeys(quick_values, "quick mode"))
    overrides = env_overrides(environ)
    params = from_mapping(overrides, base=params, source="environment")
    sources.update(dict.fromkeys(overrides, "environment override"))
    return LoadedParams(
        params=params, path=str(path) if path else None, quick=quick, overrides=overrides, sources=sources
    )
