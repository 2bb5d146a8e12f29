"""Every experiment of the registry has its words in the book, and the cache holds names only."""

import dataclasses

from mnistcompare.book import labels
from mnistcompare.core.records import Divergence
from mnistcompare.study import registry


def test_every_registered_experiment_has_a_label():
    assert set(registry.BY_NAME) == set(labels.EXPERIMENTS)
    for name, label in labels.EXPERIMENTS.items():
        assert label.run and label.budget and "@sec-" in label.shows, name


def test_the_registry_declares_each_experiment_once():
    names = [e.name for e in registry.EXPERIMENTS]
    assert len(names) == len(set(names))
    assert [e.name for e in registry.EXPERIMENTS if e.alone] == ["main", "bench", "sweep"]  # first, alone
    assert [e.name for e in registry.EXPERIMENTS if e.per_seed] == ["seeds", "init_only", "init_small"]
    # The starts set against the seeds, by the scheme each starts from: PyTorch's own is the book's TORCH_OWN.
    assert {e.name: e.start for e in registry.EXPERIMENTS if e.start} == {
        "init_only": labels.TORCH_OWN,
        "init_small": "small",
    }
    assert {e.name for e in registry.EXPERIMENTS if e.networks} == {
        "main",
        "seeds",
        "paper_like",
        "init_only",
        "boundaries",
        "init_small",
    }


def test_divergences_say_what_each_record_says():
    """Numbers, not wording: each record's run, network, epoch and learning rate are said;
    networks of one run that diverged alike are named once together, others apart."""
    d = Divergence(model="pytorch", epoch=2, lr=1000.0, loss="nan", stage="training", experiment="seeds", seed=4)
    one = labels.divergence(d)
    assert all(said in one for said in ("PyTorch", "seed 4", "epoch 2", "1000", "training", labels.became(d)))
    alike = labels.divergences([dataclasses.replace(d, model="numpy", loss="inf"), dataclasses.replace(d, loss="inf")])
    assert alike.count("epoch 2") == 1 and "NumPy" in alike and "PyTorch" in alike and "; " not in alike
    apart = labels.divergences([d, dataclasses.replace(d, epoch=3)])
    assert apart.count("; ") == 1 and "epoch 2" in apart and "epoch 3" in apart
    assert labels.became(d) != labels.became(dataclasses.replace(d, loss="-inf"))


def test_time_budget_labels():
    assert labels.budget_label("seed_7") == "independent run, seed 7"
    assert labels.budget_label("init_small_seed_2") == "NumPy with small initial weights, seed 2"
    assert labels.budget_label("main") == "main run (both networks)"
    assert labels.budget_label("load_data") == "loading and verifying MNIST"
    assert labels.budget_label("sweep") == "SGD steps over batch sizes and hidden widths"
