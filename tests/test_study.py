"""The book's study: computed once, cached as JSON under a key that tracks its inputs."""

import dataclasses
import json
from types import SimpleNamespace

import pytest
from conftest import TINY_GROUP, bare_study
from mnistcompare.core import epoch_timing, networks
from mnistcompare.core import params as P
from mnistcompare.core.records import Divergence, Epoch, from_json
from mnistcompare.study import experiments as study  # the module under test, internals included
from mnistcompare.study import records, registry

# The fields of a records.Study that load_or_compute adds to what `compute` returns.
ADDED = ("schema_version", "key", "params", "params_file", "quick", "overrides", "created", "cache_file", "from_cache")


def computed_fields() -> dict:
    """What `compute` returns, every experiment None: a stand-in for a study that is not computed."""
    S = bare_study(compute_seconds=1.0)
    return {f.name: getattr(S, f.name) for f in dataclasses.fields(S) if f.name not in ADDED}


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTCOMPARE_CACHE_DIR", str(tmp_path))
    return P.LoadedParams(P.Params(epochs=1, subset=600, hidden=16, seeds=2), path=None, quick=True, overrides={})


@pytest.mark.slow
@TINY_GROUP
def test_study_is_computed_once_then_read_from_the_cache(tiny_study, monkeypatch):
    first, cache, loaded = tiny_study  # computed by this worker, or by another and read
    files = list(cache.glob("study-*.json"))
    assert [f.name for f in files] == [f"study-{first.key}.json"]
    monkeypatch.setenv("MNISTCOMPARE_CACHE_DIR", str(cache))
    second = study.load_or_compute(loaded, progress=False)
    assert second.from_cache and second.main == first.main and second.key == first.key
    cached = json.loads(files[0].read_text())  # plain JSON, no pickle
    assert {
        "main",
        "init_only",
        "init_small",
        "seeds",
        "seed_spread",
        "paper_like",
        "boundaries",
        "pca",
        "gradients",
        "complexity",
        "params",
        "quick",
    } <= set(cached)
    assert len(cached["seeds"]) == 2 and cached["params"]["hidden"] == 16
    bench = cached["bench"]  # the short benchmark, measured by the study on this machine
    assert bench["n_train"] == 600 and bench["hidden"] == 16 and bench["repeats"] == registry.BENCH_REPEATS
    run = bench["run"]  # every trainer ran, or says why it could not (torch.compile without a C++ compiler)
    assert set(run["trainers"]) | set(run["unavailable"]) == set(epoch_timing.default_trainers())
    assert set(run["compile_seconds"]) <= {"jax", "jax_step", "pytorch_compiled", "pytorch_compiled_model"}
    assert all(len(r["all_s"]) == registry.BENCH_REPEATS for r in bench["run"]["trainers"].values())
    assert all(limit["median_s"] > 0 for limit in bench["run"]["limits"].values())
    sweep = cached["sweep"]  # the sweep of SGD steps, alone after the benchmark, shrunk with the subset
    assert (sweep["steps"], sweep["repeats"]) == registry.sweep_size(loaded.params, 60_000) == (5, 1)
    # every network of the sweep, or of its batch sizes (compiled PyTorch), unless it could not run here
    assert [*sweep["implementations"], *sweep["unavailable"]] == [*networks.sweeping(batches_only=True), "matmul"]
    assert [[c["batch_size"], c["hidden"]] for c in sweep["cells"]] == [
        list(c) for c in registry.sweep_cells(loaded.params, 60_000)
    ]
    assert all(len(t) == 1 for c in sweep["cells"] for t in c["step_s"].values())
    assert not cached["seeds"][0]["mode"]["shared_init"]  # independent runs
    # The other starts run seed by seed, each in its seed's own order, paired with the seed's run.
    assert len(cached["init_only"]) == len(cached["init_small"]) == 2
    assert cached["init_only"][1]["mode"] == {"shared_init": False, "shared_order": False}
    assert cached["init_only"][1]["params"]["seed"] == cached["seeds"][1]["params"]["seed"] == 1
    assert cached["init_only"][0]["models"]["pytorch"]["init"] == "nn.Linear"
    assert cached["init_small"][0]["models"]["numpy"]["init"] == "small"
    assert set(cached["seed_questions"]["questions"]) == {"test_accuracy", "test_loss", "init_only", "init_small"}
    assert cached["main"]["models"]["numpy"]["init"] == cached["main"]["models"]["pytorch"]["init"] == "shared"
    init = cached["params"]["init"]  # the seeds: both draw params.init
    assert all(m["init"] == init for run in cached["seeds"] for m in run["models"].values())
    # The typed records read the whole study, every field declared (study/records.py).
    S = records.Study.read(cached)
    assert S.main.models["numpy"].last.test_loss == cached["main"]["models"]["numpy"]["history"][-1]["test_loss"]
    assert S.complexity["numpy_mlp"].model_and_gradients == cached["complexity"]["numpy_mlp"]["model_and_gradients"]
    assert len(S.seeds) == 2 and S.params.hidden == 16 and S.edition == "study"
    assert S.sweep.costs["numpy"].n == len(S.sweep.cells) and S.sweep.crossovers[0].reference == "numpy"


def test_cache_key_tracks_parameters_code_and_data(monkeypatch):
    p = P.Params()
    key = study.cache_key(p, {"a": "1"})
    assert key == study.cache_key(P.Params(), {"a": "1"})
    assert key != study.cache_key(p.replace(lr=0.05), {"a": "1"})
    assert key != study.cache_key(p, {"a": "2"})
    monkeypatch.setattr(study, "_source_digest", lambda: "changed code")
    assert key != study.cache_key(p, {"a": "1"})


def test_cache_key_ignores_what_does_not_change_the_study():
    """`parity` changes only `make run`; presentation modules change words, not numbers. The
    records' schemas shape what the study computes, so they are in the key."""
    p = P.Params()
    assert study.cache_key(p.replace(parity=False), {"a": "1"}) == study.cache_key(p, {"a": "1"})
    hashed = {f"{f.parent.name}/{f.name}" for f in study.study_sources()}
    assert {
        "core/numpy_mlp.py",
        "core/numpy_fast.py",
        "core/torch_mlp.py",
        "core/networks.py",
        "core/trainers.py",
        "core/training.py",
        "core/records.py",
        "study/records.py",
        "study/pca.py",
        "study/boundaries.py",
        "study/spread.py",
        "study/gradients.py",
        "study/complexity.py",
        "core/data.py",
        "study/experiments.py",
        "core/params.py",
    } <= hashed
    assert {name.split("/")[0] for name in hashed} == {"core", "study"}
    assert not {name.split("/")[1] for name in hashed} & {
        "charts.py",
        "delivery.py",
        "images.py",
        "palettes.py",
        "formatting.py",
        "markdown.py",
        "listings.py",
        "provenance.py",
        "verdicts.py",
        "cli.py",
    }


def test_the_cache_holds_the_records_schema_and_the_records_read_it(tmp_path):
    """The study's JSON names its schema version; the typed records refuse another one and
    any key their dataclasses do not declare."""
    with pytest.raises(ValueError, match="schema version 1, this package reads"):
        records.Study.read({"schema_version": 1})
    with pytest.raises(ValueError, match="Epoch has no field speed"):
        from_json(
            Epoch,
            {
                "epoch": 1,
                "train_loss": 0.5,
                "test_loss": 0.4,
                "test_accuracy": 0.9,
                "seconds": 1.0,
                "eval_seconds": 0.1,
                "samples_per_second": 10.0,
                "speed": 3,
            },
        )


def test_quick_mode_and_short_forks_shrink_every_experiment():
    """The paper-like preset never runs longer than the main run; the 3-versus-8 networks
    train on the subset too (decision_boundaries)."""
    tasks = {t.name: t for t in study.side_by_side_tasks(P.Params(epochs=3, subset=3000))}
    assert tasks["paper_like"].kwargs["params"].epochs == 3
    assert tasks["paper_like"].kwargs["params"].subset == 3000
    assert tasks["boundaries"].kwargs["params"].subset == 3000
    long = {t.name: t for t in study.side_by_side_tasks(P.Params(epochs=30))}
    assert long["paper_like"].kwargs["params"].epochs == P.PRESETS["paper-like"]["epochs"]


def test_a_damaged_cache_is_moved_aside_named_and_recomputed(tiny, tmp_path, monkeypatch):
    """A cache file cut short (a full disk, an editor) is never read as a study: it is moved
    to <name>.damaged, a warning names both files, and the study is computed again."""
    key = study.cache_key(tiny.params, study.data.RAW_SHA256)
    cached = tmp_path / f"study-{key}.json"
    cached.write_text('{"main": {"models": "cut sh')
    monkeypatch.setattr(study, "compute", lambda *a, **k: computed_fields())
    monkeypatch.setattr(study.data, "load", lambda *a, **k: None)
    with pytest.warns(
        study.DamagedCacheWarning, match=rf"{cached}.*could not be read.*moved aside to {cached}.damaged"
    ):
        result = study.load_or_compute(tiny, progress=False)
    assert not result.from_cache and (tmp_path / f"study-{key}.json.damaged").read_text().endswith("cut sh")
    assert study.load_or_compute(tiny, progress=False).from_cache  # the recomputed study was cached


def test_divergences_name_experiments_never_labels():
    """The cache holds the registry's names: the words are the book's (book/labels.py)."""
    run = lambda seed, *diverged: SimpleNamespace(params=P.Params(seed=seed), diverged=diverged)  # noqa: E731
    d = Divergence(model="numpy", epoch=2, lr=1000.0, loss="nan", stage="training")
    seeds = lambda e: (run(0), run(1, d)) if e.name == "seeds" else (run(0), run(1))  # noqa: E731  (seed 1 diverged)
    result = {e.name: (seeds(e) if e.per_seed else run(0)) for e in registry.EXPERIMENTS if e.networks}
    on_plane = dataclasses.replace(d, input="2 components")
    result["boundaries"] = run(0, on_plane)
    found = study.divergences(result)
    assert found == (
        dataclasses.replace(d, experiment="seeds", seed=1),
        dataclasses.replace(on_plane, experiment="boundaries", seed=0),
    )
    S = bare_study(diverged=found)
    assert S.edition == "study" and S.divergences("seeds") == found[:1] and S.divergences() == found
    assert bare_study(diverged=(dataclasses.replace(d, experiment="main", seed=0),)).edition == "diverged"
