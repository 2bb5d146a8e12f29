"""The parameters in force are read at render time; the banner names what changed and where."""

import re
from types import SimpleNamespace as NS

from mnistcompare.book import provenance
from mnistcompare.book.chapters import index, reproducibility


def project(tmp_path, monkeypatch, text: str):
    """A project whose params.yml says `text`, as a render of it reads it."""
    (tmp_path / "params.yml").write_text(text)
    monkeypatch.setenv("QUARTO_PROJECT_ROOT", str(tmp_path))
    for name in ("MNISTCOMPARE_QUICK", "MNISTCOMPARE_EPOCHS", "MNISTCOMPARE_HIDDEN", "MNISTCOMPARE_DEVICE"):
        monkeypatch.delenv(name, raising=False)


def test_the_banner_is_a_callout_only_in_html(tmp_path, monkeypatch):
    project(tmp_path, monkeypatch, "epochs: 3\nsubset: 3000\nseeds: 2\n")
    S = NS(created="2026-11-27", compute_seconds=30)
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", "html")
    assert index.banner(S).startswith("::: {.callout-note}")
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", "static")
    static = index.banner(S)
    assert ":::" not in static and static.startswith("> ") and "3,000 training images" in static


def test_provenance_is_read_at_render_time_not_from_the_cache(tmp_path, monkeypatch):
    """A study cached by a render with MNISTCOMPARE_EPOCHS=5 is served to a render whose
    params.yml says epochs: 5: the banner and the table must say params.yml, not the override."""
    from mnistcompare.core import params as P

    project(tmp_path, monkeypatch, "epochs: 5\nquick:\n  subset: 500\n")
    S = NS(created="x", compute_seconds=1)  # cached with quick mode and an override: neither is read
    banner = index.banner(S)
    assert "Quick mode" not in banner and "5 epochs" in banner and "`epochs: 5` (params.yml)" in banner
    params = reproducibility.params_table().markdown_text
    assert "| `epochs` | `5` | params.yml |" in params and "| `hidden` | `128` | default |" in params
    monkeypatch.setenv("MNISTCOMPARE_QUICK", "1")
    monkeypatch.setenv("MNISTCOMPARE_HIDDEN", "32")
    params = reproducibility.params_table().markdown_text
    assert "| `subset` | `500` | quick mode |" in params and "| `hidden` | `32` | environment override |" in params
    banner = index.banner(S)
    assert all(
        item in banner
        for item in ("`epochs: 5` (params.yml)", "`hidden: 32` (environment)", "`subset: 500` (quick mode)")
    )
    assert P.load(tmp_path / "params.yml", environ={}).sources["seed"] == "default"


def test_the_banner_names_every_changed_parameter_that_changes_the_book(tmp_path, monkeypatch):
    """init, seed, threads and device too, each with where it was set; parity changes only
    `make run`, so it is not named; a value equal to the default is not a change."""
    from mnistcompare.core import params as P

    project(tmp_path, monkeypatch, "init: he\nseed: 3\nthreads: 1\nparity: false\nhidden: 128\n")
    monkeypatch.setenv("MNISTCOMPARE_DEVICE", "cuda")
    loaded = P.load(tmp_path / "params.yml")
    assert [(k, src) for k, _, src in provenance.changed(loaded)] == [
        ("seed", "params.yml"),
        ("init", "params.yml"),
        ("device", "environment override"),
        ("threads", "params.yml"),
    ]
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", "html")
    banner = index.banner(NS(created="x", compute_seconds=1))
    named = re.findall(r"`(\w+): ([^`]+)` \(([^)]+)\)", banner)
    assert named == [
        ("seed", "3", "params.yml"),
        ("init", "he", "params.yml"),
        ("device", "cuda", "environment"),
        ("threads", "1", "params.yml"),
    ]
    assert "init he, seeds added until decided (at most 11) from seed 3, device cuda, 1 thread(s)" in banner
    assert provenance.changed(P.load(None, environ={})) == []
