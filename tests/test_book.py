"""The book, without Quarto: its structure, and every chapter's Python cells run in
order in a real Jupyter kernel (nbclient + ipykernel), in quick mode, once as
Quarto's HTML render would run them and once as its PDF render would.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
LABEL_OPT = re.compile(r"^#\|\s*label:\s*(\S+)", re.M)
SECTION_ID = re.compile(r"\{#((?:sec|fig|tbl)-[\w-]+)")
CROSSREF = re.compile(r"@((?:sec|fig|tbl)-[\w-]+)")
CITATION = re.compile(r"\[[^\]]*?@(?!(?:sec|fig|tbl)-)([A-Za-z][\w:-]*)")  # not a cross-reference


EDITIONS = ("study", "diverged")  # the Quarto profiles, one chapter list each (see _quarto.yml)


def book_files(edition: str = "study") -> list[Path]:
    book = yaml.safe_load((ROOT / f"_quarto-{edition}.yml").read_text())["book"]
    return [ROOT / f for f in book["chapters"] + book.get("appendices", [])]


# Conditional content: a span [..]{.content-visible KIND="x"} or a div ::: {.content-visible KIND="x"}.
CONDITIONAL_SPAN = r'\[(?:[^\[\]]|\[[^\]]*\])*\]\{{\.content-visible {0}="{1}"\}}'
CONDITIONAL_DIV = r'^::: *\{{\.content-visible {0}="{1}"\}}\n.*?^:::\n'


def shown(text: str, edition: str) -> str:
    """The chapter's text as an edition (Quarto profile) shows it: what it hides removed."""
    hidden = [("unless-profile", edition)] + [("when-profile", other) for other in EDITIONS if other != edition]
    for kind, name in hidden:
        text = re.sub(CONDITIONAL_DIV.format(kind, name), "", text, flags=re.S | re.M)
        text = re.sub(CONDITIONAL_SPAN.format(kind, name), "", text)
    return text


def prose(text: str) -> str:
    """The Markdown outside code cells."""
    return CELL.sub("", text)


def cells(text: str) -> list[str]:
    return CELL.findall(text)


def labels(text: str) -> list[str]:
    return LABEL_OPT.findall(text) + SECTION_ID.findall(prose(text))


# --- structure ------------------------------------------------------------------


def test_project_is_a_book_with_html_and_pdf():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    assert config["project"] == {"type": "book", "output-dir": "_book"}
    assert set(config["format"]) == {"html", "pdf"}
    assert config["book"]["downloads"] == ["pdf"]
    assert config["profile"]["default"] == "study"
    # Profiles append to _quarto.yml's lists: the chapters must be in the profiles only.
    assert "chapters" not in config["book"] and "appendices" not in config["book"]
    for edition in EDITIONS:
        assert book_files(edition)[0] == ROOT / "index.qmd"
    assert "freeze" not in config.get("execute", {})


def test_the_diverged_edition_keeps_the_chapters_that_need_no_trained_network():
    full, diverged = book_files("study"), book_files("diverged")
    assert set(diverged) < set(full) and diverged == [f for f in full if f in diverged]  # same order
    left_out = {f.stem for f in set(full) - set(diverged)}
    assert left_out == {"training-comparison", "fairness", "errors", "decision-boundary", "study-vs-ours", "conclusions"}


def test_every_listed_chapter_exists_and_every_chapter_is_listed():
    listed = book_files()
    assert all(f.is_file() for f in listed), [str(f) for f in listed if not f.is_file()]
    assert not any(str(f.relative_to(ROOT)).startswith("./") for f in listed)
    on_disk = set((ROOT / "chapters").glob("*.qmd"))
    assert on_disk == {f for f in listed if f.parent.name == "chapters"}


@pytest.mark.parametrize("edition", EDITIONS)
def test_labels_are_unique_and_every_reference_resolves(edition):
    files = {f: shown(f.read_text(), edition) for f in book_files(edition)}
    all_labels = [label for text in files.values() for label in labels(text)]
    duplicates = {x for x in all_labels if all_labels.count(x) > 1}
    assert not duplicates
    missing = {(f.name, ref) for f, text in files.items() for ref in CROSSREF.findall(prose(text)) if ref not in all_labels}
    assert not missing


def test_every_figure_and_table_has_a_caption_and_is_cited():
    texts = {f: f.read_text() for f in book_files()}
    cited = {ref for t in texts.values() for ref in CROSSREF.findall(prose(t))}
    for f, text in texts.items():
        for cell in cells(text):
            for label in LABEL_OPT.findall(cell):
                kind = label.split("-")[0]
                assert re.search(rf"^#\|\s*{kind}-cap:", cell, re.M), f"{f.name}: {label} has no {kind}-cap"
                assert label in cited, f"{f.name}: {label} is never cited in the prose"


def test_citations_exist_in_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(), re.M))
    used = {k for f in book_files() for k in CITATION.findall(prose(f.read_text()))}
    assert used and used <= keys, used - keys


CAPTION = re.compile(r"^#\|\s*(?:fig|tbl)-cap:\s*(.*)$", re.M)
# Numbers a reader could take for a result: decimals, percentages, numbers of two or
# more digits (12, 4,000). Single digits name things (equation 6, digit 3, two layers).
NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\.\d+%?|\b\d+%|\b\d{2,}\b")
# Allowed literals: the accuracy thresholds (the question asked, not a result) and facts
# of MNIST that no parameter changes.
NOT_RESULTS = {"97%", "95%", "784", "28", "255", "10,000", "60,000", "70,000", "256"}


def test_prose_and_captions_hold_no_hand_typed_results():
    """Numbers in the prose and in figure and table captions come from inline code
    (maths and code aside)."""
    for f in book_files():
        text = f.read_text()
        text = INLINE.sub("", prose(text)) + "\n" + "\n".join(CAPTION.findall(text))
        text = re.sub(r"\$[^$]*\$", "", text)  # maths
        text = re.sub(r"`[^`]*`", "", text)  # code
        text = re.sub(r"SHA-256|float32|float64|int64", "", text)  # names
        found = set(NUMBER.findall(text)) - NOT_RESULTS
        assert not found, f"{f.name}: literal results {sorted(found)}"


def test_the_number_check_catches_a_typed_result_in_a_caption():
    cap = '#| fig-cap: "The first 36 test images (4,000 sampled), 0.25 loss, 97% and 784 pixels."'
    assert set(NUMBER.findall("\n".join(CAPTION.findall(cap)))) - NOT_RESULTS == {"36", "4,000", "0.25"}


def test_inline_expressions_name_what_their_chapter_defines():
    """Every name an inline expression uses is assigned in one of the chapter's cells."""
    for f in book_files():
        text = f.read_text()
        code = "\n".join(cells(text))
        for expr in INLINE.findall(prose(text)):
            for name in re.findall(r"\b[A-Za-z_]\w*\b", expr):
                assert re.search(rf"(^|[\s,(]){name}\b[^=\n]*=|^import .*\b{name}\b|^from .*\b{name}\b|\bfor\b.*\b{name}\b",
                                 code, re.M), f"{f.name}: inline `{expr}` uses {name}, which no cell defines"


# --- execution ----------------------------------------------------------------------


def notebook_for(qmd: Path) -> nbformat.NotebookNode:
    """The chapter's cells in order, then one cell that evaluates each inline expression."""
    text = qmd.read_text()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells(text)]
    inline = INLINE.findall(prose(text))
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json as _json\n"
        f"_exprs = {inline!r}\n"
        "print(_json.dumps([[e, str(eval(e)), type(eval(e)).__name__] for e in _exprs]))"))
    return nb


@pytest.fixture(scope="module")
def book_env(tmp_path_factory, monkeypatch_module):
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch_module.setenv("MNISTCOMPARE_QUICK", "1")
    monkeypatch_module.setenv("MNISTCOMPARE_CACHE_DIR", str(cache))
    monkeypatch_module.setenv("QUARTO_PROJECT_ROOT", str(ROOT))
    for key in ("EPOCHS", "HIDDEN", "LR", "BATCH_SIZE", "SEEDS", "FIGURES"):
        monkeypatch_module.delenv(f"MNISTCOMPARE_{key}", raising=False)
    monkeypatch_module.delenv("QUARTO_PROFILE", raising=False)  # the default edition, "study"
    return tmp_path_factory.mktemp("info")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def execute(qmd: Path, base_format: str, info_dir: Path, monkeypatch) -> nbformat.NotebookNode:
    info = info_dir / f"{base_format}.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": base_format}}}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    nb = notebook_for(qmd)
    NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(qmd.parent)}}).execute()
    return nb


FIGURE_MIMES = {"html": ("text/html", "application/vnd.vegalite.v5+json", "application/vnd.vegalite.v6+json"),
                "pdf": ("image/png", "application/pdf", "image/svg+xml")}


@pytest.mark.slow
@pytest.mark.parametrize("base_format", ["html", "pdf"])
@pytest.mark.parametrize("qmd", book_files(), ids=lambda p: p.name)
def test_chapter_executes_and_produces_its_figures_and_tables(qmd, base_format, book_env, monkeypatch):
    nb = execute(qmd, base_format, book_env, monkeypatch)
    for cell in nb.cells[:-1]:
        for label in LABEL_OPT.findall(cell.source):
            data = [o.get("data", {}) for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
            if label.startswith("fig-"):
                mimes = FIGURE_MIMES["html"] if base_format == "html" and "plots.decision_boundaries" not in cell.source \
                    and "digit_gallery" not in cell.source else FIGURE_MIMES["pdf"]
                assert any(m in d for d in data for m in mimes), f"{label}: no figure in {[list(d) for d in data]}"
                if base_format == "pdf":
                    assert not any("alt.Chart" in d.get("text/plain", "") for d in data)
            else:
                assert any("text/markdown" in d and "|" in d["text/markdown"] for d in data), f"{label}: no table"
    values = json.loads(nb.cells[-1].outputs[0]["text"])
    # Quarto evaluates every inline expression, also in content this edition hides
    # (the diverged edition's words are empty here): only those shown must read well.
    in_edition = set(INLINE.findall(prose(shown(qmd.read_text(), "study"))))
    for expr, value, type_name in values:
        assert type_name in ("str", "int", "float"), f"inline `{expr}` gives a {type_name}"
        if expr not in in_edition:
            continue
        assert value and "nan" not in value.lower(), f"inline `{expr}` gives {value!r}"
        # Quarto inserts inline output as text, escaping Markdown: no maths or code markup.
        assert not re.search(r"[$`]", value), f"inline `{expr}` gives markup {value!r}"
