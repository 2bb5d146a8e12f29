"""A fork's book stays true: under contrasting parameters, every verdict sentence the
chapters print agrees with the numbers it is about.

For each parameter set the study is computed in quick mode, the chapters that state a
comparison run in a real Jupyter kernel as Quarto runs them, and each verdict they
insert is checked against the study's numbers, recomputed here from the raw runs
(not through `verdicts`, whose rules they restate).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from mnistcompare.core import params as P
from mnistcompare.core import paths
from mnistcompare import study
from mnistcompare.book.plots import MODEL_LABELS
from test_book import ROOT, execute

FORKS = {
    "small network, two epochs": {"MNISTCOMPARE_HIDDEN": "16", "MNISTCOMPARE_EPOCHS": "2"},
    "lr written 1e-3": {"MNISTCOMPARE_LR": "1e-3"},
    "batch 512": {"MNISTCOMPARE_BATCH_SIZE": "512"},
}
CHAPTERS = ["index.qmd", "chapters/data-method.qmd", "chapters/pytorch-network.qmd", "chapters/training-comparison.qmd",
            "chapters/fairness.qmd", "chapters/study-vs-ours.qmd", "chapters/decision-boundary.qmd",
            "chapters/conclusions.qmd"]


def inline_values(nb) -> dict[str, str]:
    return {expr: value for expr, value, _ in json.loads(nb.cells[-1].outputs[0]["text"])}


def first(run, model, key):
    return run["models"][model]["history"][0][key]


def last(run, model, key):
    return run["models"][model]["history"][-1][key]


def fork_study(overrides: dict[str, str], tmp_path_factory):
    """The environment of a fork's quick render (its overrides, nothing else set) and its
    study: (the MonkeyPatch to undo, the study, a folder for the kernels' format files)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MNISTCOMPARE_QUICK", "1")
    mp.setenv("MNISTCOMPARE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    mp.setenv("QUARTO_PROJECT_ROOT", str(ROOT))
    mp.delenv("QUARTO_PROFILE", raising=False)
    for key in P.KEYS:
        mp.delenv(f"MNISTCOMPARE_{key.upper()}", raising=False)
    for name, value in overrides.items():
        mp.setenv(name, value)
    S = study.load_or_compute(P.load(paths.params_file()), progress=False)
    return mp, S, tmp_path_factory.mktemp("info")


@pytest.fixture(scope="module", params=list(FORKS), ids=list(FORKS))
def fork(request, tmp_path_factory):
    mp, S, info = fork_study(FORKS[request.param], tmp_path_factory)
    # Inline values by chapter: two chapters may use the same name for different words.
    values = {Path(qmd).stem: inline_values(execute(ROOT / qmd, "html", info, mp)) for qmd in CHAPTERS}
    yield S, values
    mp.undo()


@pytest.mark.slow
def test_the_fork_parameters_are_in_force(fork):
    S, _ = fork
    loaded = P.load(paths.params_file())
    assert S["params"] == loaded.params.to_dict()


@pytest.mark.slow
def test_parity_verdict(fork):
    S, v = fork
    rel = S["main"]["parity"]["train_loss_abs_diff"][0] / first(S["main"], "numpy", "train_loss")
    assert (v["index"]["same_alg"] == "are the same algorithm") == (rel < 1e-5)
    assert v["index"]["parity_words"].startswith("float32 round-off") == (rel < 1e-5)
    assert (v["conclusions"]["same_alg"] == "they are the same algorithm") == (rel < 1e-5)


@pytest.mark.slow
def test_seed_verdicts(fork):
    S, v = fork
    acc = {m: np.array([last(run, m, "test_accuracy") for run in S["seeds"]]) for m in ("numpy", "pytorch")}
    diff = abs(acc["numpy"].mean() - acc["pytorch"].mean())
    sd = max(acc["numpy"].std(ddof=1), acc["pytorch"].std(ddof=1))
    within = diff <= 2 * sd
    assert (v["index"]["claim"] == "is not what we measure") == within
    assert ("did not buy accuracy beyond the seed-to-seed spread" in v["conclusions"]["bought"]) == within


@pytest.mark.slow
def test_speed_verdict(fork):
    S, v = fork
    med = {m: np.median([h["seconds"] for h in S["main"]["models"][m]["history"]]) for m in ("numpy", "pytorch")}
    ratio = max(med.values()) / min(med.values())
    if ratio <= 1.05:
        assert "the two take about the same time" in v["index"]["speed_text"]
    else:
        winner = "NumPy" if med["numpy"] < med["pytorch"] else "PyTorch"
        assert f"{winner} is faster" in v["index"]["speed_text"] and f"a factor of {ratio:.2f}" in v["index"]["speed_text"]
    assert v["index"]["speed_text"].startswith("On this CPU")  # device: cpu in every fork here
    assert v["conclusions"]["speed_text"] == v["index"]["speed_text"]


@pytest.mark.slow
def test_overfitting_verdict(fork):
    S, v = fork
    gap = {m: last(S["main"], m, "test_loss") - last(S["main"], m, "train_loss") for m in ("numpy", "pytorch")}
    same = abs(gap["numpy"] - gap["pytorch"]) <= max(0.1 * max(map(abs, gap.values())), 0.005)
    assert v["training-comparison"]["overfit"].startswith("it is the same for both") == same


@pytest.mark.slow
def test_study_shape_verdict(fork):
    S, v = fork
    np_first, pt_first = first(S["paper_like"], "numpy", "test_loss"), first(S["paper_like"], "pytorch", "test_loss")
    reproduced = np_first >= 0.8 * np.log(10) and np_first - pt_first >= 0.5
    assert v["study-vs-ours"]["shapes"].startswith("reproduces both shapes") == reproduced
    assert ("is reproduced by a small initialisation" in v["conclusions"]["curves"]) == reproduced


@pytest.mark.slow
def test_boundary_verdict(fork):
    S, v = fork
    c = S["boundaries"]["classifiers"]
    agree = np.mean(np.asarray(c["numpy"]["grid"]) == np.asarray(c["pytorch"]["grid"]))
    assert ("bend it the same way" in v["decision-boundary"]["bends"]) == (agree >= 0.95)
    assert f"{agree:.1%}" in v["decision-boundary"]["bends"]
    assert v["conclusions"]["bends"] == v["decision-boundary"]["bends"]


@pytest.mark.slow
def test_projection_verdict(fork):
    S, v = fork
    gains = [c["accuracy_full"] - c["accuracy_2d"] for c in S["boundaries"]["classifiers"].values()]
    assert v["decision-boundary"]["projection"].startswith("each does better with the pixels") == (min(gains) > 0)


@pytest.mark.slow
def test_initialisation_wash_out_verdict(fork):
    S, v = fork
    runs = ((S["main"], "numpy"), (S["init_only"], "pytorch"), (S["init_small"], "numpy"))
    spread = np.ptp([last(r, m, "test_loss") for r, m in runs])
    sd = max(np.std([last(run, m, "test_loss") for run in S["seeds"]], ddof=1) for m in ("numpy", "pytorch"))
    assert v["fairness"]["wash_words"].startswith("the starting point washes out") == (spread <= 2 * sd)


@pytest.mark.slow
def test_study_settings_and_sgd_verdicts(fork):
    S, v = fork
    assert v["data-method"]["stated"].startswith("The study also") == (S["params"]["epochs"] == 20)
    sgd = S["pytorch_idioms"]["seconds"]["sgd"]
    saving = sgd["for-loop"] - min(sgd["foreach"], sgd["fused"])
    steps = -(-S["main"]["data"]["n_train"] // S["params"]["batch_size"])
    step = np.median([h["seconds"] for h in S["main"]["models"]["pytorch"]["history"]]) / steps
    assert ("we keep the default" in v["pytorch-network"]["sgd_words"]) == (saving / step <= 0.05)


# --- a learning rate that diverges -------------------------------------------------------

DIVERGING = {"MNISTCOMPARE_LR": "1e8"}  # the losses leave the finite numbers in the first epoch
DIVERGED_EDITION = yaml.safe_load((ROOT / "_quarto-diverged.yml").read_text())["book"]
DIVERGED_CHAPTERS = [q for q in DIVERGED_EDITION["chapters"] + DIVERGED_EDITION["appendices"] if q != "chapters/references.qmd"]


@pytest.fixture(scope="module")
def diverged(tmp_path_factory):
    mp, S, info = fork_study(DIVERGING, tmp_path_factory)
    mp.setenv("QUARTO_PROFILE", "diverged")  # as make report renders it
    values = {Path(qmd).stem: inline_values(execute(ROOT / qmd, "html", info, mp)) for qmd in DIVERGED_CHAPTERS}
    mp.setenv("QUARTO_PROFILE", "study")  # what a plain `quarto render` would do
    yield S, values, info, mp
    mp.undo()


def runs_that_train(S) -> list[tuple[str, dict]]:
    """Every record of a trained network in the study (recomputed here, not through study.divergences)."""
    runs = [S["main"], S["init_only"], S["init_small"], S["paper_like"], *S["seeds"]]
    return [(name, rec) for run in runs for name, rec in run["models"].items()]


@pytest.mark.slow
def test_a_diverging_run_makes_the_diverged_edition(diverged):
    S, values, _, _ = diverged
    assert study.edition(S) == "diverged"
    for name in ("numpy", "pytorch"):  # the main run: both stop where their finite epochs end
        rec = S["main"]["models"][name]
        d = rec["diverged"]
        assert d["epoch"] == len(rec["history"]) + 1 and d["lr"] == 1e8
        assert not np.isfinite(float(d["loss"]))
        assert "test_predictions" not in rec and "peak_memory_bytes" not in rec
    assert S["misclassified"] is None and S["seed_spread"] is None
    # The paper-like preset has its own learning rate (0.01): it trains to the end.
    assert all("diverged" not in r for r in S["paper_like"]["models"].values())
    assert len(S["paper_like"]["models"]["numpy"]["history"]) == S["paper_like"]["params"]["epochs"]


@pytest.mark.slow
def test_the_diverged_abstract_says_which_network_when_and_at_which_rate(diverged):
    S, values, _, _ = diverged
    text = values["index"]["diverged_text"]
    first_np = S["main"]["models"]["numpy"]["diverged"]
    assert text.startswith(f"the {MODEL_LABELS['numpy']} network of the main run diverged in epoch {first_np['epoch']}: "
                           f"its {first_np['stage']} loss became {first_np['loss']} with learning rate 1e+08")
    n = sum("diverged" in rec for _, rec in runs_that_train(S)) + len(S["boundaries"].get("diverged", []))
    assert n > 2 and text.endswith(f"and {n - 1} other networks diverged too")
    # The full Abstract's words are not computed from a run that has no trained network.
    assert values["index"]["acc_np"] == "" and values["index"]["speed_text"] == ""


@pytest.mark.slow
def test_a_chapter_that_needs_trained_networks_refuses_a_diverged_study(diverged):
    from nbclient.exceptions import CellExecutionError

    _, _, info, mp = diverged
    with pytest.raises(CellExecutionError, match="makes the 'diverged' edition of the book.*make report"):
        execute(ROOT / "chapters/training-comparison.qmd", "html", info, mp)
