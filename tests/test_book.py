"""The book, without Quarto: its structure, thin chapters, and every chapter's Python cells
run in order in a real Jupyter kernel (nbclient + ipykernel), in quick mode, once as
Quarto's HTML render would run them and once as its PDF render would.
"""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import import_module
from pathlib import Path

import nbformat
import pytest
import yaml
from bookrun import EDITIONS, ROOT, book_files, execute_info, quarto
from mnistcompare.book import qmd
from mnistcompare.book.contents import NAMES
from nbclient import NotebookClient

LABEL_OPT = re.compile(r"^#\|\s*label:\s*(\S+)", re.M)
SECTION_ID = re.compile(r"\{#((?:sec|fig|tbl)-[\w-]+)")
CROSSREF = re.compile(r"@((?:sec|fig|tbl)-[\w-]+)")
CITATION = re.compile(r"\[[^\]]*?@(?!(?:sec|fig|tbl)-)([A-Za-z][\w:-]*)")  # not a cross-reference

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


def read(path: Path) -> qmd.Chapter:
    return qmd.Chapter.read(path)


def labels(chapter: qmd.Chapter) -> list[str]:
    return [c.options["label"] for c in chapter.cells if "label" in c.options] + SECTION_ID.findall(chapter.prose)


def chapter_name(path: Path) -> str:
    return "index" if path.name == "index.qmd" else path.stem


# --- structure ------------------------------------------------------------------


def test_project_is_a_book_with_html_and_pdf():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    assert config["project"] == {"type": "book", "output-dir": "_book", "pre-render": "tools/notebooks.py"}
    html = config["format"]["html"]  # the conveniences of the best executable books, and the accessible theme
    assert html["code-copy"] and html["lightbox"]
    # Light and dark, the same layers under the dark colours; the reader's system setting picks one first.
    assert html["theme"] == {
        "light": ["cosmo", "theme/book.scss"],
        "dark": ["cosmo", "theme/book.scss", "theme/dark.scss"],
    }
    assert html["respect-user-color-scheme"] is True
    assert config["book"]["repo-actions"] == ["source", "issue"] and config["book"]["repo-url"].startswith("https://")
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
    left_out = {chapter_name(f) for f in set(full) - set(diverged)}
    assert left_out == {
        "compiled-network",
        "training-comparison",
        "fairness",
        "errors",
        "decision-boundary",
        "study-vs-ours",
        "conclusions",
    }
    # ...and exactly those chapters refuse a study whose main run diverged (book/chapters).
    needs_main = {
        n
        for n in NAMES
        if getattr(import_module(f"mnistcompare.book.chapters.{n.replace('-', '_')}"), "NEEDS_MAIN", False)
    }
    assert needs_main == left_out


def test_every_listed_chapter_exists_and_every_chapter_is_listed():
    listed = book_files()
    assert all(f.is_file() for f in listed), [str(f) for f in listed if not f.is_file()]
    assert not any(str(f.relative_to(ROOT)).startswith("./") for f in listed)
    # Files whose name starts with _ are included into chapters, never rendered on their own.
    on_disk = {f for f in (ROOT / "chapters").glob("*.qmd") if not f.name.startswith("_")}
    assert on_disk == {f for f in listed if f.parent.name == "chapters"}
    assert [chapter_name(f) for f in listed if f.stem != "references"] == list(NAMES)


@pytest.mark.parametrize("edition", EDITIONS)
def test_labels_are_unique_and_every_reference_resolves(edition):
    chapters = {f: read(f) for f in book_files(edition)}
    texts = {f: shown(c.prose, edition) for f, c in chapters.items()}
    all_labels = [label for c in chapters.values() for label in labels(c)]
    duplicates = {x for x in all_labels if all_labels.count(x) > 1}
    assert not duplicates
    missing = {(f.name, ref) for f, text in texts.items() for ref in CROSSREF.findall(text) if ref not in all_labels}
    assert not missing


def test_every_figure_and_table_has_a_caption_and_is_cited():
    chapters = {f: read(f) for f in book_files()}
    cited = {ref for c in chapters.values() for ref in CROSSREF.findall(c.prose)}
    for f, c in chapters.items():
        for cell in c.cells:
            label = cell.options.get("label")
            if label:
                kind = label.split("-")[0]
                assert f"{kind}-cap" in cell.options, f"{f.name}: {label} has no {kind}-cap"
                assert label in cited, f"{f.name}: {label} is never cited in the prose"


def test_citations_exist_in_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(), re.M))
    used = {k for f in book_files() for k in CITATION.findall(read(f).prose)}
    assert used and used <= keys, used - keys


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
        c = read(f)
        text = (
            qmd.INLINE.sub("", c.prose)
            + "\n"
            + "\n".join(cell.options[k] for cell in c.cells for k in ("fig-cap", "tbl-cap") if k in cell.options)
        )
        text = re.sub(r"\$[^$]*\$", "", text)  # maths
        text = re.sub(r"`[^`]*`", "", text)  # code
        text = re.sub(r"SHA-256|float32|float64|int64", "", text)  # names
        found = set(NUMBER.findall(text)) - NOT_RESULTS
        assert not found, f"{f.name}: literal results {sorted(found)}"


def test_the_number_check_catches_a_typed_result_in_a_caption():
    cap = "The first 36 test images (4,000 sampled), 0.25 loss, 97% and 784 pixels."
    assert set(NUMBER.findall(cap)) - NOT_RESULTS == {"36", "4,000", "0.25"}


# --- thin chapters: the .qmd narrates, book/chapters/ computes -------------------------

# At most this many lines of Python (not blank, not a comment) in any cell of a chapter.
MAX_CELL_LINES = 10
# What a chapter's Python may be: the shared set-up (chapters/_setup.qmd), one call that
# returns the chapter's facts, and one call per figure, table or listing. Inline values
# are facts. Nothing else: no lambdas, joins, comparisons or either-or choices.
SETUP = "{{< include _setup.qmd >}}"
ALLOWED_LINES = [
    re.compile(p)
    for p in (
        r'F = book\.chapter\("[\w-]+", S\)',
        r"F\.\w+\(\)",
        r'F\.\w+\("[\w ]+"\)',
        r'print\(F\.\w+\((?:"[\w ]+")?\)\)',
    )
]
ALLOWED_INLINE = re.compile(r"F\.\w+")


def test_every_chapter_starts_from_the_shared_setup_and_one_call():
    for f in book_files():
        if f.stem == "references":  # no Python at all
            assert "```{python}" not in f.read_text()
            continue
        raw = f.read_text()
        assert raw.count("{{< include") == 1 and re.search(r"\{\{< include (chapters/)?_setup\.qmd >\}\}", raw), f.name
        calls = re.findall(r'^F = book\.chapter\("([\w-]+)", S\)$', raw, re.M)
        assert calls == [chapter_name(f)], f"{f.name}: {calls}"


@pytest.mark.parametrize("path", book_files(), ids=lambda p: p.name)
def test_chapter_cells_are_thin(path):
    chapter = read(path)
    for cell in chapter.cells:
        lines = cell.python_lines()
        assert len(lines) <= MAX_CELL_LINES, f"{path.name}: a cell of {len(lines)} lines of Python"
    own = [c for c in qmd.CELL.findall(path.read_text())]  # the chapter's own cells, the set-up aside
    for body in own:
        for line in qmd.parse_cell(body).python_lines():
            assert any(p.fullmatch(line.strip()) for p in ALLOWED_LINES), f"{path.name}: logic in a cell: {line!r}"
    for expr in chapter.inline:
        assert ALLOWED_INLINE.fullmatch(expr.strip()), f"{path.name}: logic in an inline value: {expr!r}"


def test_the_thin_chapter_check_catches_logic(tmp_path):
    bad = tmp_path / "bad.qmd"
    bad.write_text(
        '# Bad\n\n```{python}\nwords = ", ".join(x for x in F.names)\n```\n\n`{python} F.a if F.b else F.c`\n'
    )
    chapter = read(bad)
    assert not any(p.fullmatch(chapter.cells[0].python_lines()[0]) for p in ALLOWED_LINES)
    assert not ALLOWED_INLINE.fullmatch(chapter.inline[0])


def test_what_chapters_use_of_their_facts_exists():
    """Every F.name a chapter uses is a field or a method of its facts (book/chapters/<name>.py)."""
    for f in book_files():
        if f.stem == "references":
            continue
        module = import_module(f"mnistcompare.book.chapters.{chapter_name(f).replace('-', '_')}")
        facts_type = module.facts.__annotations__["return"]
        facts_type = getattr(module, facts_type) if isinstance(facts_type, str) else facts_type
        names = {fld.name for fld in dataclasses.fields(facts_type)} | set(dir(facts_type))
        used = set(re.findall(r"\bF\.(\w+)", f.read_text()))
        assert used <= names, f"{f.name}: {sorted(used - names)}"


# --- execution ----------------------------------------------------------------------


def notebook_for(path: Path) -> nbformat.NotebookNode:
    """The chapter's cells in order, then one cell that evaluates each inline expression."""
    chapter = read(path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(cell.source) for cell in chapter.cells]
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\n"
            f"_exprs = {chapter.inline!r}\n"
            "print(_json.dumps([[e, str(eval(e)), type(eval(e)).__name__] for e in _exprs]))"
        )
    )
    return nb


@pytest.fixture(scope="module")
def book_env(quick_study_env, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.delenv("QUARTO_PROFILE", raising=False)  # the default edition, "study"
    return tmp_path_factory.mktemp("info")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def execute(path: Path, base_format: str, info_dir: Path, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(execute_info(info_dir, base_format)))
    nb = notebook_for(path)
    NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


# Where Quarto is installed, the whole render check (tests/test_render_books.py, marked
# full: make test-all) renders the book and so executes every chapter for both formats,
# and checks the PDF's figures and text: the same execution is not run twice. (make test's
# smoke test renders the site alone.) Each chapter's notebook runs in a fresh kernel as its
# readers run it (tests/test_notebooks.py).
PDF_BY_RENDER = pytest.mark.skipif(
    bool(quarto()),
    reason="Quarto is installed: the whole render check (make test-all) executes every chapter for the PDF "
    "and checks what it shows",
)
FIGURE = re.compile(r'^!\[\]\((figures/fig-[\w-]+\.pdf)\)\{fig-alt="([^"]{40,})"\}$')


@pytest.mark.slow
@PDF_BY_RENDER
@pytest.mark.parametrize("path", book_files(), ids=lambda p: p.name)
def test_chapter_executes_for_the_pdf_with_its_figures_and_tables(path, book_env, monkeypatch):
    """As Quarto's PDF render runs it: every figure an image file with its alt text (a
    vector PDF), every table a table, every inline value plain text or Markdown."""
    nb = execute(path, "pdf", book_env, monkeypatch)
    for cell in nb.cells[:-1]:
        for label in LABEL_OPT.findall(cell.source):
            data = [o.get("data", {}) for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
            markdown = [d["text/markdown"] for d in data if "text/markdown" in d]
            if label.startswith("fig-"):
                found = [FIGURE.match(m.strip()) for m in markdown]
                assert any(found), f"{label}: no figure with alt text in {markdown}"
                image = next(m for m in found if m).group(1)
                assert (path.parent / image).read_bytes().startswith(b"%PDF"), image
                assert not any("alt.Chart" in d.get("text/plain", "") for d in data)
            else:
                assert any("|" in m for m in markdown), f"{label}: no table"
    values = json.loads(nb.cells[-1].outputs[0]["text"])
    # Quarto evaluates every inline expression, also in content this edition hides
    # (the diverged edition's words are empty here): only those shown must read well.
    in_edition = set(qmd.INLINE.findall(shown(read(path).prose, "study")))
    for expr, value, type_name in values:
        assert type_name in ("str", "int", "float", "Prose"), f"inline `{expr}` gives a {type_name}"
        if expr not in in_edition:
            continue
        assert value and not re.search(r"\bnan\b|\binf\b|\bNone\b", value, re.I), f"inline `{expr}` gives {value!r}"
        # Quarto inserts a plain string as text, escaping Markdown: maths and code need Prose.
        if type_name != "Prose":
            assert not re.search(r"[$`]", value), f"inline `{expr}` gives markup {value!r} as plain text"
