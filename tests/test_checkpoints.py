"""Nothing computed is lost to an interrupt: each finished run is kept (study/checkpoints.py)
and an interrupted study resumes without computing it again. Tiny fake experiments in
place of the registry's: no training."""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from mnistcompare.core import params as P
from mnistcompare.core.records import DataInfo, Divergence, Mode, Network, Run, from_json
from mnistcompare.study import checkpoints, registry, runner
from mnistcompare.study import experiments as study

CALLS: list[str] = []  # every run computed, in order (the tests run the fakes in this process)
STOP_AT: set[str] = set()  # runs that are interrupted instead of computed


@dataclass(frozen=True)
class Fake:
    """A fake experiment's record."""

    run: str
    diverged: tuple[Divergence, ...] = ()


def fake(data, name):
    if name in STOP_AT:
        raise KeyboardInterrupt
    CALLS.append(name)
    return Fake(name)


def fake_main(data, name):
    """A main run whose network by hand diverged: no predictions, so no misclassified images."""
    CALLS.append(name)
    gone = Divergence("numpy", 1, 0.1, "nan", "training")
    return Run(P.Params(), Mode(True, True), DataInfo(1, 1, {}), None, {"numpy": Network((), 1, diverged=gone)})


FAKES = (
    registry.Experiment("main", fake_main, lambda p: {"name": "main"}, alone=True, record=Run),
    registry.Experiment("seeds", fake, lambda p: {"name": f"seed_{p.seed}"}, per_seed=True, record=Fake),
    registry.Experiment("extra", fake, lambda p: {"name": "extra"}, record=Fake),
    registry.Experiment("last", fake, lambda p: {"name": "last"}, record=Fake),
)


@dataclass(frozen=True)
class FakeStudy:
    """A study of the fake experiments: the fields compute and load_or_compute fill."""

    main: Any
    seeds: Any
    extra: Any
    last: Any
    misclassified: Any
    seed_spread: Any
    complexity: Any
    timings: dict
    parallel: Any
    compute_seconds: float
    diverged: Any
    schema_version: int
    key: str
    params: Any
    params_file: Any
    quick: bool
    overrides: Any
    created: str
    cache_file: Any = None
    from_cache: bool = field(default=False)

    @classmethod
    def read(cls, value: dict) -> "FakeStudy":
        return from_json(cls, value)


@pytest.fixture
def fakes(monkeypatch, tmp_path):
    """The fake registry and study, a cache folder of its own, and cheap analyses."""
    monkeypatch.setenv("MNISTCOMPARE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(registry, "EXPERIMENTS", FAKES)
    monkeypatch.setattr(study.records, "Study", FakeStudy)
    monkeypatch.setattr(study.complexity, "complexity", lambda: {})
    monkeypatch.setattr(study.spread, "seed_spread", lambda seeds: {})
    monkeypatch.setattr(study.data, "load", lambda *a, **k: "mnist")
    CALLS.clear()
    STOP_AT.clear()
    loaded = P.LoadedParams(P.Params(seeds=3), path=None, quick=True, overrides={})
    key = study.cache_key(loaded.params, study.data.RAW_SHA256)
    return loaded, tmp_path, key


def compute(loaded):
    return study.load_or_compute(loaded, progress=True, n_jobs=1)


def test_an_interrupted_study_resumes_without_computing_again(fakes, capsys):
    loaded, cache, key = fakes
    STOP_AT.add("extra")  # interrupted after the main run and the three seeds
    with pytest.raises(study.Interrupted, match=rf"4 finished run\(s\) kept in .*partial-{key}"):
        compute(loaded)
    assert CALLS == ["main", "seed_0", "seed_1", "seed_2"]
    assert sorted(f.name for f in (cache / f"partial-{key}").iterdir()) == [
        "main.json",
        "seed_0.json",
        "seed_1.json",
        "seed_2.json",
    ]
    assert not list(cache.glob("study-*.json"))  # the study itself is written only whole
    CALLS.clear()
    STOP_AT.clear()
    capsys.readouterr()
    result = compute(loaded)
    assert CALLS == ["extra", "last"]  # only what had not finished
    assert f"resuming: 4 of 6 runs reused from {cache / f'partial-{key}'}" in capsys.readouterr().err
    assert [r.run for r in result.seeds] == ["seed_0", "seed_1", "seed_2"] and result.extra == Fake("extra")
    assert list(result.timings) == ["main", "seed_0", "seed_1", "seed_2", "extra", "last", "other", "load_data"]
    assert not (cache / f"partial-{key}").exists()  # gone once the study is written
    written = json.loads((cache / f"study-{key}.json").read_text())
    assert [r["run"] for r in written["seeds"]] == ["seed_0", "seed_1", "seed_2"]
    assert result.main.models["numpy"].diverged.loss == "nan"  # a kept run is read back as its record


def test_a_complete_study_leaves_no_partial_folder(fakes):
    loaded, cache, key = fakes
    compute(loaded)
    assert CALLS == ["main", "seed_0", "seed_1", "seed_2", "extra", "last"]
    assert [f.name for f in cache.iterdir()] == [f"study-{key}.json"]


def test_a_damaged_checkpoint_is_ignored_and_computed_again(fakes):
    loaded, cache, key = fakes
    where = checkpoints.folder(cache, key)
    checkpoints.save(where, "seed_0", Fake("seed_0"), 1.5)
    (where / "seed_1.json").write_text('{"result": {"run": "se')  # cut short
    (where / "seed_2.json").write_text('{"seconds": 1.0}')  # not a kept run
    assert set(checkpoints.load(where)) == {"seed_0"}
    result = compute(loaded)
    assert CALLS == ["main", "seed_1", "seed_2", "extra", "last"]
    assert result.seeds[0] == Fake("seed_0") and result.timings["seed_0"] == 1.5


@dataclass(frozen=True)
class Record:
    loss: float
    history: tuple[float, ...]


def test_checkpoints_write_json_dataclasses_included_and_read_plain_json(tmp_path):
    where = tmp_path / "partial-abc"
    assert checkpoints.load(where) == {}  # no folder: nothing kept
    checkpoints.save(where, "main", Record(0.25, (1.0, 0.5)), 2.0)
    checkpoints.save(where, "pca", {"scores": [[0.1, 0.2]]}, 0.5)
    assert checkpoints.load(where) == {
        "main": ({"loss": 0.25, "history": [1.0, 0.5]}, 2.0),
        "pca": ({"scores": [[0.1, 0.2]]}, 0.5),
    }
    assert not list(where.glob(".*.tmp"))  # written atomically: no temporary file left
    checkpoints.clear(where)
    assert not where.exists()
    checkpoints.clear(where)  # clearing twice is harmless


def test_worker_processes_hand_each_result_over_as_it_arrives():
    """With loky the results arrive in the order the tasks finish; each reaches on_done in
    this process, once."""
    seen = []
    tasks = [runner.Task("upper", str.upper), runner.Task("lower", str.lower), runner.Task("title", str.title)]
    results, seconds, how = runner.run_tasks(tasks, "aB c", n_jobs=2, on_done=lambda *args: seen.append(args))
    assert how["backend"] == "loky" and results == {"upper": "AB C", "lower": "ab c", "title": "Ab C"}
    assert sorted(name for name, _, _ in seen) == ["lower", "title", "upper"]
    assert all(results[name] == result and seconds[name] == s for name, result, s in seen)


def test_an_interrupt_prints_one_line_naming_what_was_kept(monkeypatch, capsys):
    from mnistcompare import cli
    from mnistcompare import study as package

    def interrupted(*args, **kwargs):
        raise study.Interrupted("4 finished run(s) kept in _cache/partial-abc; the study resumes from them")

    monkeypatch.setattr(package, "load_or_compute", interrupted)
    assert cli.main(["study"]) == 130
    assert capsys.readouterr().err == (
        "interrupted: 4 finished run(s) kept in _cache/partial-abc; the study resumes from them\n"
    )
    monkeypatch.setattr(package, "load_or_compute", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    assert cli.main(["study"]) == 130
    assert capsys.readouterr().err == "interrupted: no partial results were written\n"
