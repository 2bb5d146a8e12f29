"""Every experiment of the registry has its words in the book, and the cache holds names only."""

from mnistcompare.book import labels
from mnistcompare.study import registry


def test_every_registered_experiment_has_a_label():
    assert set(registry.BY_NAME) == set(labels.EXPERIMENTS)
    for name, label in labels.EXPERIMENTS.items():
        assert label.run and label.budget and "@sec-" in label.shows, name


def test_the_registry_declares_each_experiment_once():
    names = [e.name for e in registry.EXPERIMENTS]
    assert len(names) == len(set(names))
    assert [e.name for e in registry.EXPERIMENTS if e.alone] == ["main", "bench"]  # first, alone on the machine
    assert [e.name for e in registry.EXPERIMENTS if e.per_seed] == ["seeds"]
    assert {e.name for e in registry.EXPERIMENTS if e.networks} == {"main", "seeds", "paper_like", "init_only",
                                                                     "boundaries", "init_small"}


def test_divergences_in_words():
    d = {"experiment": "seeds", "seed": 4, "model": "pytorch", "epoch": 2, "lr": 1000.0, "loss": "nan",
         "stage": "training"}
    assert labels.divergence(d) == ("the PyTorch network of the independent run with seed 4 diverged in epoch 2 with "
                                    "learning rate 1000: its training loss became not a number")
    both = labels.divergences([{**d, "model": "numpy", "loss": "inf"}, {**d, "loss": "inf"}])
    assert both.startswith("the NumPy and PyTorch networks of the independent run with seed 4 diverged")
    assert both.endswith("their training losses became infinite")
    apart = labels.divergences([d, {**d, "epoch": 3}])
    assert apart.count("; ") == 1 and "epoch 2" in apart and "epoch 3" in apart
    assert labels.not_shown([d]).startswith("Not shown, because the PyTorch network")


def test_time_budget_labels():
    assert labels.budget_label("seed_7") == "independent run, seed 7"
    assert labels.budget_label("main") == "main run (both networks)"
    assert labels.budget_label("load_data") == "loading and verifying MNIST"
