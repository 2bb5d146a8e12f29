"""Every experiment the book reports, computed once and cached on disk.

Quarto executes each chapter in its own kernel, once per output format (HTML,
then PDF). Each chapter calls `load_or_compute()`: the first call trains and
writes `_cache/study-<key>.json`; every later call reads it. The key is a hash of
the parameters, this package's source code, the library versions and the data
checksums, so a changed parameter or a code change computes afresh, and an
interrupted run leaves no entry behind (the file is written atomically). Each run
that finishes is kept meanwhile (checkpoints.py), so an interrupted study resumes
where it stopped. JSON, not pickle: the cache is plain data that any tool can read.

The experiments are declared once, in registry.py (their names, what they train,
how their parameters derive from params.yml).

The main run goes first, alone on the machine, with params.threads: its epoch
times are the book's headline; the short benchmark and the sweep of SGD steps follow,
alone too. Every other experiment is independent of them and of each other, so they
then run side by side, one thread each, in worker
processes (or on a Dask cluster named by MNISTCOMPARE_SCHEDULER; see runner.py);
their results are bit-identical to running them one after another with one
thread, but their epoch times are measured side by side. `timings` records the
seconds of each experiment and `parallel` how the side-by-side ones were run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from ..core import atomic, data, networks, paths
from ..core import params as P
from ..core.records import SCHEMA_VERSION, Divergence, read, to_json
from . import checkpoints, complexity, questions, records, registry, runner, spread

CACHE_VERSION = 1


# The key covers the modules that compute: core/ and study/, the records included (they
# shape what the study computes). The book's presentation (book/: figures, tables,
# verdict words) and the command line change the book's text, never a number, so they
# stay out of it and a change there re-renders from the cache.
KEYED_LAYERS = ("core", "study")
# Parameters the study does not read: it always runs both parity and independent runs.
NOT_IN_KEY = ("parity",)


def study_sources() -> list[Path]:
    """The package's modules that compute the study: everything in core/ and study/."""
    package = Path(__file__).resolve().parents[1]
    return [f for layer in KEYED_LAYERS for f in sorted((package / layer).glob("*.py"))]


def _source_digest() -> str:
    digest = hashlib.sha256()
    for f in study_sources():
        digest.update(f"{f.parent.name}/{f.name}".encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def cache_key(params: P.Params, sha256: dict) -> str:
    # Versions from the installed metadata: importing torch just to read its
    # version would cost a warm render a second per chapter.
    from importlib.metadata import version

    payload = {
        "cache_version": CACHE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "source": _source_digest(),
        "data": sha256,
        "params": {k: v for k, v in params.to_dict().items() if k not in NOT_IN_KEY},
        "versions": [version(name) for name in ("numpy", "torch", "scikit-learn")],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _log(progress: bool, msg: str) -> None:
    if progress:
        print(f"[study] {msg}", file=sys.stderr, flush=True)


def side_by_side_tasks(p: P.Params, threads: int | None = 1) -> list[runner.Task]:
    """Every run of the first round of every experiment that is not `alone`, as runner
    tasks, in the registry's order (longest first). They are independent of each other and
    of the main run (each seeds itself), so they may run side by side; each gets `threads`
    BLAS / torch threads."""
    q = p.replace(threads=threads)
    return [
        runner.Task(name, e.fn, kwargs)
        for e in registry.EXPERIMENTS
        if not e.alone
        for name, kwargs in e.runs(q).items()
    ]


def round_tasks(p: P.Params, experiments: tuple[str, ...], seeds: range, threads: int | None = 1) -> list[runner.Task]:
    """The tasks of a later round of `seeds: auto`: `seeds` more of each named per-seed
    experiment, the seeds first (they are the longest)."""
    q = p.replace(threads=threads)
    return [
        runner.Task(name, e.fn, kwargs)
        for e in registry.EXPERIMENTS
        if e.name in experiments
        for name, kwargs in e.runs(q, seeds).items()
    ]


def per_seed(runs: dict, p: P.Params) -> dict[str, tuple]:
    """Each per-seed experiment's runs so far, in seed order (its first runs that are there)."""
    found = {}
    for e in registry.EXPERIMENTS:
        if e.per_seed:
            names = list(e.runs(p, range(p.most_seeds)))
            ran = [name for name in names if name in runs]
            found[e.name] = tuple(runs[name] for name in names[: len(ran)])
    return found


def collect(runs: dict, p: P.Params) -> dict:
    """The runs' records by experiment: one record, or for per-seed experiments the tuple
    of their runs in seed order."""
    seeded = per_seed(runs, p)
    return {e.name: seeded[e.name] if e.per_seed else runs[e.name] for e in registry.EXPERIMENTS}


def compute(
    loaded: P.LoadedParams,
    mnist: data.MNIST,
    progress: bool = True,
    *,
    n_jobs: int | None = None,
    threads: int | None = 1,
    scheduler: str | None = None,
    keep: Path | None = None,
) -> dict:
    """Every experiment of the registry, as typed records keyed by the experiments'
    names, with the analyses of their results and the time budget: the fields of a
    records.Study that the study computes (load_or_compute adds where it came from).

    The experiments marked `alone` (the main run, the short benchmark, the sweep) go first, alone on
    the machine, with params.threads: their times are the book's headline. The others
    then run side by side (`runner.run_tasks`): n_jobs worker processes (default one per
    core; 1: one after another in this process) or, with `scheduler`, a Dask cluster;
    each with `threads` threads. Their results are the same whichever way they run.
    Three analyses of their results follow: the misclassified test images of the main
    run's network by hand, the spread over the seeds, and the lines of code.

    keep: a folder where each run is saved as it finishes (checkpoints.py); a run already
    saved there is read back, not computed again.
    """
    from ..core import training  # imports torch: only when there is something to train

    p = loaded.params
    t_start = time.perf_counter()
    step = lambda msg: _log(progress, msg)  # noqa: E731
    load_before = os.getloadavg()

    kept = checkpoints.load(keep) if keep else {}
    wall, side_names = 0.0, []
    how: dict = {}
    save = (lambda name, run, s: checkpoints.save(keep, name, run, s)) if keep else None
    tasks = side_by_side_tasks(p, threads)
    if kept:
        total = len(tasks) + sum(len(e.runs(p)) for e in registry.EXPERIMENTS if e.alone)
        step(f"resuming: {len(kept)} of {total} runs reused from {keep}")
    record = {name: e.record for e in registry.EXPERIMENTS for name in e.runs(p, range(p.most_seeds))}
    runs = {name: read(record[name], r) for name, (r, _) in kept.items() if name in record}
    seconds = {name: s for name, (_, s) in kept.items()}
    for e in registry.EXPERIMENTS:
        for name, kwargs in e.runs(p).items() if e.alone else ():
            if name in kept:
                continue
            step(f"{name}: alone on the machine, {p.threads or 'all'} thread(s)")
            t0 = time.perf_counter()
            runs[name] = e.fn(mnist, **kwargs)
            seconds[name] = time.perf_counter() - t0
            step(f"{name}: {seconds[name]:.1f} s")
            if save:
                save(name, runs[name], seconds[name])
    rule = questions.plan(p)
    while tasks:
        side, side_seconds, round_how = runner.run_tasks(
            [t for t in tasks if t.name not in kept],
            mnist,
            n_jobs=n_jobs,
            threads=threads,
            scheduler=scheduler,
            log=step,
            on_done=save,
        )
        runs.update(side)
        seconds.update(side_seconds)
        # How the side-by-side runs ran is the first round's: a later round of a single run
        # goes one after another, which says nothing of how the rest ran.
        how = how or round_how
        wall += round_how["wall_seconds"]
        side_names += [t.name for t in tasks]
        # seeds: auto: another round of seeds for the questions still open (questions.py)
        more = questions.open_experiments(p, per_seed(runs, p))
        tasks = []
        if more:
            assert rule is not None
            n = len(per_seed(runs, p)["seeds"])
            after = rule.after(n)
            assert after is not None
            step(f"seeds: {n} so far, questions open on {', '.join(more)}: {after - n} more seed(s)")
            tasks = round_tasks(p, more, range(n, after), threads)
    how["wall_seconds"] = wall
    result = collect(runs, p)
    result["seed_questions"] = questions.settle(p, per_seed(runs, p))

    t0 = time.perf_counter()
    by_hand = result["main"].models[networks.REFERENCE]
    result["misclassified"] = (
        spread.misclassified(mnist.X_test, mnist.y_test, by_hand.test_predictions) if by_hand.diverged is None else None
    )
    seeds = result["seeds"]
    result["seed_spread"] = None if any(r.diverged for r in seeds) else spread.seed_spread(seeds)
    result["complexity"] = complexity.complexity()
    # The time budget: each run's own seconds (the side-by-side ones in their worker),
    # and how the side-by-side ones were run.
    alone = [name for e in registry.EXPERIMENTS if e.alone for name in e.runs(p)]
    result["timings"] = {**{n: seconds[n] for n in alone + side_names}, "other": time.perf_counter() - t0}
    result["parallel"] = records.Parallel(
        **how, experiments=tuple(side_names), load_average=(load_before[0], os.getloadavg()[0])
    )
    result["compute_seconds"] = time.perf_counter() - t_start
    result["diverged"] = divergences(result)
    for d in result["diverged"]:
        step(f"diverged: {d.experiment} (seed {d.seed}), {training.divergence_message(d)}")
    return result


def divergences(result: dict) -> tuple[Divergence, ...]:
    """Every network that diverged, in any experiment of the registry that trains, with
    the experiment's name and the seed of its run."""
    out: list[Divergence] = []
    for e in registry.EXPERIMENTS:
        if e.networks:
            for run in result[e.name] if e.per_seed else [result[e.name]]:
                out += [dataclasses.replace(d, experiment=e.name, seed=run.params.seed) for d in run.diverged]
    return tuple(out)


class Interrupted(KeyboardInterrupt):
    """The study was interrupted; its message says how many finished runs were kept."""


class DamagedCacheWarning(UserWarning):
    """A cached study that could not be read: it was moved aside and is computed again."""


def read_cache(cache_file: Path, progress: bool = True) -> records.Study | None:
    """The cached study, or None when there is none. A file that is not a whole study (cut
    short by a full disk, edited by hand) is moved aside to <name>.damaged, so that it is
    kept for a look but never read again, and the caller computes the study afresh; a
    warning names both files."""
    if not cache_file.is_file():
        return None
    _log(progress, f"loading {cache_file}")
    try:
        result = json.loads(cache_file.read_text())
        if not isinstance(result, dict) or "main" not in result:
            raise ValueError("it holds no study")
        return records.Study.read(result)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as err:  # JSONDecodeError is a ValueError
        damaged = cache_file.with_name(cache_file.name + ".damaged")
        cache_file.replace(damaged)
        message = (
            f"the cached study {cache_file} could not be read ({err!r}); it was moved aside to {damaged} "
            "and the study is computed again"
        )
        print(f"[study] warning: {message}", file=sys.stderr, flush=True)
        warnings.warn(message, DamagedCacheWarning, stacklevel=3)
        return None


def load_or_compute(
    loaded: P.LoadedParams | None = None, data_dir=None, progress: bool = True, n_jobs: int | None = None
) -> records.Study:
    """The study for these parameters, as typed records: from the cache when it is there,
    else computed and cached.

    loaded: parameters with their provenance (default: params.yml at the project root,
    with the quick section and environment overrides applied). The experiments
    after the main run go to the Dask scheduler named by MNISTCOMPARE_SCHEDULER
    when it is set, else to n_jobs local worker processes (default one per core).
    """
    loaded = loaded or P.load(paths.params_file())
    # The key names the data by its expected checksums; data.load verifies the
    # files themselves before anything is computed from them.
    key = cache_key(loaded.params, data.RAW_SHA256)
    cache_file = paths.cache_dir() / f"study-{key}.json"
    cached = read_cache(cache_file, progress)
    if cached is not None:
        return dataclasses.replace(cached, cache_file=str(cache_file), from_cache=True)
    _log(progress, f"computing the study (cache {cache_file.name}); parameters {loaded.params.to_dict()}")
    t0 = time.perf_counter()
    mnist = data.load(paths.data_dir(data_dir))
    load_seconds = time.perf_counter() - t0
    keep = checkpoints.folder(paths.cache_dir(), key)
    try:
        result = compute(loaded, mnist, progress, n_jobs=n_jobs, scheduler=runner.scheduler_from_env(), keep=keep)
    except KeyboardInterrupt:
        kept = len(checkpoints.load(keep))
        raise Interrupted(f"{kept} finished run(s) kept in {keep}; the study resumes from them") from None
    result["timings"]["load_data"] = load_seconds
    S = records.Study(
        **result,
        schema_version=SCHEMA_VERSION,
        key=key,
        params=loaded.params,
        params_file=loaded.path,
        quick=loaded.quick,
        overrides=loaded.overrides,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    atomic.write_json(cache_file, to_json(S))
    checkpoints.clear(keep)
    _log(progress, f"study computed in {S.compute_seconds:.1f} s")
    return dataclasses.replace(S, cache_file=str(cache_file), from_cache=False)
