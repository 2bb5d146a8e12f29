"""`python -m mnistcompare study-key`: the study's cache key, which the publish workflow
caches `_cache/` under. It must be exactly the key `study.load_or_compute` uses, follow
every layer of parameters (params.yml, quick mode, MNISTCOMPARE_* overrides), and cost
nothing: no torch import, no training, no data read."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from mnistcompare import study
from mnistcompare.cli import main
from mnistcompare.core import data, paths
from mnistcompare.core import params as P

KEY = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture
def clean_env(monkeypatch):
    """No stray MNISTCOMPARE_* settings from the calling shell."""
    for name in list(os.environ):
        if name.startswith(P.ENV_PREFIX) and name != "MNISTCOMPARE_DATA_DIR":
            monkeypatch.delenv(name)
    return monkeypatch


def key_printed(capsys, *argv: str) -> str:
    assert main(["study-key", *argv]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1 and KEY.match(lines[0]), f"expected one 16-hex line, got {out!r}"
    return lines[0]


def test_same_key_as_the_study_cache(clean_env, capsys):
    printed = key_printed(capsys)
    expected = study.cache_key(P.load(paths.params_file()).params, data.RAW_SHA256)
    assert printed == expected


def test_env_override_changes_the_key(clean_env, capsys):
    base = key_printed(capsys)
    epochs = P.load(paths.params_file()).params.epochs
    clean_env.setenv("MNISTCOMPARE_EPOCHS", str(epochs + 1))
    changed = key_printed(capsys)
    assert changed != base
    assert changed == study.cache_key(P.load(paths.params_file()).params, data.RAW_SHA256)
    clean_env.setenv("MNISTCOMPARE_EPOCHS", "")  # empty: not set
    assert key_printed(capsys) == base


def test_quick_mode_changes_the_key(clean_env, capsys):
    base = key_printed(capsys)
    clean_env.setenv("MNISTCOMPARE_QUICK", "1")
    assert key_printed(capsys) != base


def test_params_file_flag(clean_env, capsys, tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("epochs: 2\nhidden: 8\n")
    printed = key_printed(capsys, "--params", str(f))
    assert printed == study.cache_key(P.Params(epochs=2, hidden=8), data.RAW_SHA256)


def test_bad_override_exits_2(clean_env, capsys):
    clean_env.setenv("MNISTCOMPARE_EPOCHS", "0")
    assert main(["study-key"]) == 2
    assert "epochs" in capsys.readouterr().err


def test_module_entry_point_imports_no_torch():
    """As the workflow runs it: `python -m mnistcompare study-key`, and torch stays unloaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(P.ENV_PREFIX) and k != "QUARTO_PROJECT_ROOT"}
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['mnistcompare', 'study-key']\n"
        "try:\n"
        "    runpy.run_module('mnistcompare', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "assert 'torch' not in sys.modules, 'study-key imported torch'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=paths.project_root(), env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert KEY.match(result.stdout.strip()), result.stdout
    assert result.stdout.strip() == study.cache_key(P.load(paths.params_file(), environ={}).params, data.RAW_SHA256)
