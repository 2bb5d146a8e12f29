"""Every parameter is validated at the boundary, naming the key, the value and the range."""

import dataclasses

import pytest
from mnistcompare.core import params as P
from mnistcompare.core.params import ParamError, Params


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("epochs", 0, "epochs must be a positive integer, got 0"),
        ("epochs", 2.5, "epochs must be a positive integer, got 2.5"),
        ("hidden", -3, "hidden must be a positive integer, got -3"),
        ("batch_size", "64", "batch_size must be a positive integer, got '64'"),
        ("lr", 0.0, "lr must be a positive finite number, got 0.0"),
        ("lr", float("nan"), "lr must be a positive finite number, got nan"),
        ("lr", float("inf"), "lr must be a positive finite number, got inf"),
        ("subset", 0, "subset must be a positive integer, got 0"),
        (
            "subset",
            99,
            "subset must be at least 100 images (ten of each digit on average), or null for all of them; got 99",
        ),
        ("seed", -1, "seed must be an integer >= 0, got -1"),
        ("init", "xavier", "init must be one of pytorch, he, small; got 'xavier'"),
        ("device", "tpu", "device must be one of cpu, cuda; got 'tpu'"),
        ("parity", "yes", "parity must be true or false, got 'yes'"),
        ("seeds", 0, "seeds must be a positive integer or auto, got 0"),
        ("seeds_cap", 2, "seeds_cap must be an integer >= 3 (seeds: auto looks first at 3 seeds), got 2"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(key, value, message):
    with pytest.raises(ParamError) as err:
        Params(**{key: value})
    assert str(err.value) == message


def test_defaults_match_the_study():
    p = Params()
    assert (p.hidden, p.lr, p.batch_size, p.epochs, p.seed) == (128, 0.1, 64, 20, 0)


def test_subset_larger_than_the_data_is_refused():
    with pytest.raises(ParamError, match="subset must be <= the 60000 training images available, got 70000"):
        Params(subset=70_000).check_subset(60_000)


def test_unavailable_device_is_refused(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ParamError, match="device 'cuda' is not available"):
        Params(device="cuda").check_device()


def test_file_with_unknown_key_is_refused(tmp_path):
    f = tmp_path / "params.yml"
    f.write_text("epochs: 3\nlearning_rate: 0.5\n")
    with pytest.raises(ParamError, match=r"unknown key\(s\) in .*params.yml: learning_rate; allowed keys: epochs"):
        P.load(f, environ={})


def test_file_quick_section_and_environment_layer_in_order(tmp_path):
    f = tmp_path / "params.yml"
    f.write_text("epochs: 7\nhidden: 64\nquick:\n  epochs: 2\n  subset: 500\n")
    assert P.load(f, environ={}).params.epochs == 7
    quick = P.load(f, environ={"MNISTCOMPARE_QUICK": "1"})
    assert quick.quick and (quick.params.epochs, quick.params.subset, quick.params.hidden) == (2, 500, 64)
    env = P.load(
        f,
        environ={
            "MNISTCOMPARE_QUICK": "1",
            "MNISTCOMPARE_EPOCHS": "4",
            "MNISTCOMPARE_LR": "0.05",
            "MNISTCOMPARE_HIDDEN": "",
        },
    )
    assert (env.params.epochs, env.params.lr, env.params.hidden) == (4, 0.05, 64)
    assert env.overrides == {"epochs": 4, "lr": 0.05}


def test_bad_environment_override_is_refused(tmp_path):
    with pytest.raises(ParamError, match="epochs must be a positive integer, got -2"):
        P.load(None, environ={"MNISTCOMPARE_EPOCHS": "-2"})


def test_missing_or_malformed_file_is_refused(tmp_path):
    with pytest.raises(ParamError, match="does not exist"):
        P.load(tmp_path / "nope.yml", environ={})
    bad = tmp_path / "bad.yml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ParamError, match="must hold a mapping"):
        P.load(bad, environ={})


def test_the_project_parameters_file_states_every_key_at_its_default():
    """params.yml is the one file a fork edits: it names every parameter, at the dataclass's
    defaults (which the README's table gives), plus a quick section of known keys."""
    import yaml
    from mnistcompare.core import paths

    raw = yaml.safe_load(paths.params_file().read_text())
    assert set(raw) == set(P.KEYS) | {"quick"}
    assert set(raw["quick"]) <= set(P.KEYS)
    assert P.load(paths.params_file(), environ={}).params == Params()
    quick = P.load(paths.params_file(), environ={"MNISTCOMPARE_QUICK": "1"}).params
    assert quick.subset is not None and quick.epochs < Params().epochs


def test_readme_parameter_table_matches_the_dataclass():
    import re

    from mnistcompare.core import paths

    readme = (paths.project_root() / "README.md").read_text()
    table = readme.split("| key | default | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = {k: (d, m) for k, d, m in re.findall(r"^\| `(\w+)` \| `?([^|`]+?)`? \| (.*) \|$", table, re.M)}
    yaml_word = {None: "null", True: "true", False: "false"}
    fields = {f.name: f for f in dataclasses.fields(Params)}
    assert set(rows) == set(fields)
    for key, (default, meaning) in rows.items():
        value = fields[key].default
        assert default == (yaml_word[value] if value is None or isinstance(value, bool) else str(value)), key
        assert meaning == fields[key].metadata["help"], key


def test_cli_flags_come_from_the_dataclass():
    from mnistcompare.cli import build_parser

    run = build_parser()._subparsers._group_actions[0].choices["run"]
    flags = {a.dest: a for a in run._actions if a.dest in P.KEYS}
    assert set(flags) == set(P.KEYS)
    assert "hidden units (default 128)" == flags["hidden"].help
    args = build_parser().parse_args(["run", "--lr", "1e-3", "--no-parity", "--subset", "500", "--init", "he"])
    assert (args.lr, args.parity, args.subset, args.init, args.epochs) == (0.001, False, 500, "he", None)


@pytest.mark.parametrize("written", ["1e-3", "1E-3", ".001", "0.001", "1.0e-3"])
def test_a_number_in_any_spelling_is_accepted(tmp_path, written):
    f = tmp_path / "params.yml"
    f.write_text(f"lr: {written}\n")
    assert P.load(f, environ={}).params.lr == 0.001
    assert P.load(None, environ={"MNISTCOMPARE_LR": written}).params.lr == 0.001


def test_a_word_for_a_number_is_still_refused():
    with pytest.raises(ParamError, match="lr must be a positive finite number, got 'fast'"):
        P.load(None, environ={"MNISTCOMPARE_LR": "fast"})


def test_presets_are_valid_and_unknown_ones_refused():
    for name in P.PRESETS:
        P.apply_preset(Params(), name)
    with pytest.raises(ParamError, match="preset must be one of"):
        P.apply_preset(Params(), "fast")


def test_a_key_set_twice_is_refused_with_both_lines(tmp_path):
    f = tmp_path / "params.yml"
    f.write_text("# a fork's line above the file's own\nepochs: 5\nhidden: 64\nepochs: 7\n")
    with pytest.raises(ParamError, match=r"params.yml sets 'epochs' twice, on lines 2 and 4; keep one of them"):
        P.load(f, environ={})
    f.write_text("epochs: 5\nquick:\n  subset: 500\n  subset: 600\n")  # in the quick section too
    with pytest.raises(ParamError, match=r"sets 'subset' twice, on lines 3 and 4"):
        P.load(f, environ={})
    f.write_text("epochs: 5\nquick:\n  epochs: 2\n")  # the same key in two mappings is no repeat
    assert P.load(f, environ={"MNISTCOMPARE_QUICK": "1"}).params.epochs == 2
