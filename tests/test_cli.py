"""The command line: flags mirror the parameters, bad input exits with a message."""

import json

from conftest import bare_study
from mnistcompare.cli import main
from mnistcompare.core.records import Divergence


def test_run_trains_both_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "--epochs", "1", "--subset", "600", "--hidden", "16", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "numpy" in printed and "pytorch" in printed and "test acc" in printed
    results = json.loads((out / "results.json").read_text())
    assert results["params"]["hidden"] == 16 and results["params"]["subset"] == 600
    assert (out / "history.csv").is_file()


def test_flags_override_the_parameters_file(tmp_path, capsys):
    f = tmp_path / "p.yml"
    f.write_text("epochs: 1\nsubset: 500\nhidden: 8\nlr: 0.05\n")
    assert main(["run", "--params", str(f), "--hidden", "12", "--quiet", "--out", str(tmp_path)]) == 0
    params = json.loads((tmp_path / "results.json").read_text())["params"]
    assert (params["hidden"], params["lr"], params["subset"]) == (12, 0.05, 500)


def test_bad_value_exits_2_with_the_reason(tmp_path, capsys):
    assert main(["run", "--epochs", "0", "--out", str(tmp_path)]) == 2
    assert "epochs must be a positive integer, got 0" in capsys.readouterr().err
    assert not (tmp_path / "results.json").exists()


def test_unknown_key_in_parameters_file_exits_2(tmp_path, capsys):
    f = tmp_path / "p.yml"
    f.write_text("epochs: 1\nmomentum: 0.9\n")
    assert main(["run", "--params", str(f), "--out", str(tmp_path)]) == 2
    assert "unknown key(s)" in capsys.readouterr().err


def test_missing_data_exits_1_naming_the_fix(tmp_path, capsys):
    assert main(["run", "--epochs", "1", "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "missing" in err and "make data" in err


def test_interrupt_exits_130_without_writing(tmp_path, capsys, monkeypatch):
    from mnistcompare.core import training

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train", interrupted)
    assert main(["run", "--epochs", "1", "--subset", "500", "--out", str(tmp_path)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_params_prints_each_value_and_its_source_and_refuses_bad_input(tmp_path, monkeypatch, capsys):
    """What the publish workflow runs first: the study's own checks, before any install."""
    f = tmp_path / "p.yml"
    f.write_text("epochs: 4\nlr: 1e-3\n")
    monkeypatch.setenv("MNISTCOMPARE_HIDDEN", "32")
    monkeypatch.delenv("MNISTCOMPARE_QUICK", raising=False)
    assert main(["params", "--params", str(f)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["epochs"].split()[1:] == ["4", "(p.yml)"]
    assert lines["lr"].split()[1:] == ["0.001", "(p.yml)"]
    assert lines["hidden"].split()[1:3] == ["32", "(environment"]
    assert lines["seed"].split()[1:] == ["0", "(default)"]
    monkeypatch.setenv("MNISTCOMPARE_EPOCHS", "-1")
    assert main(["params", "--params", str(f)]) == 2
    assert "epochs must be a positive integer, got -1" in capsys.readouterr().err


def test_study_edition_prints_the_profile_that_renders_the_book(monkeypatch, capsys):
    from mnistcompare import study

    d = {"model": "numpy", "epoch": 2, "lr": 50.0, "loss": "inf", "stage": "test", "seed": 0}
    side = Divergence(**d, experiment="boundaries", input="2 components")
    main_run = Divergence(**d, experiment="main")
    # Only a main run that diverged makes the reduced edition: a side experiment costs its own parts.
    for found, edition in (((), "study"), ((side,), "study"), ((side, main_run), "diverged")):
        S = bare_study(diverged=found, cache_file="c.json", compute_seconds=1.0)
        monkeypatch.setattr(study, "load_or_compute", lambda *a, S=S, **k: S)
        assert main(["study", "--edition", "--quiet"]) == 0
        assert capsys.readouterr().out == edition + "\n"  # nothing else on stdout: make report reads it
    assert main(["study", "--quiet"]) == 0
    assert (
        "diverged: main (seed 0): numpy network: test loss became inf in epoch 2 with learning rate 50.0"
        in capsys.readouterr().out
    )
