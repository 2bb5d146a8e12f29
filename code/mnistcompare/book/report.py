"""The book's building blocks: numbers as text, prose as Markdown, tables (Markdown on
the site, LaTeX floats in the PDF), source listings, the parameters in force and the
edition being rendered. No sentence of the book lives here: each is in its chapter's
module (book/chapters/).
"""

from __future__ import annotations

import inspect
import math
import os
import re
import textwrap
from pathlib import Path


def pct(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def sig(x: float | None, digits: int = 3) -> str:
    """x to `digits` significant figures, written out (0.00612, 1.05, 12.3, 1,230): times and
    ratios keep their meaning at any scale, where a fixed number of decimals would print
    0.01 for 0.0061."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    rounded = float(f"{x:.{digits - 1}e}")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:,.{decimals}f}"


def ratio(a: float, b: float, digits: int = 3, ratio_digits: int = 2) -> tuple[str, str, str]:
    """a and b as sig() prints them, and a / b computed from those printed values, so that a
    sentence's factor agrees with the two numbers beside it."""
    a_text, b_text = sig(a, digits), sig(b, digits)
    return a_text, b_text, sig(float(a_text.replace(",", "")) / float(b_text.replace(",", "")), ratio_digits)


def sci(x: float) -> str:
    """1.2e-08 as Markdown math, readable in HTML and PDF alike."""
    if x == 0:
        return "0"
    mantissa, exp = f"{x:.1e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exp)}}}$"


def sci_text(x: float) -> str:
    """1.2e-08 as plain text: Quarto escapes Markdown (and so maths) in inline output."""
    return f"{x:.1e}"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.2f} MiB"


def and_join(items: list[str], sep: str = ", ") -> str:
    """ "a", "a and b", "a, b and c" (with sep="; ": "a; b; and c")."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    last = f"{sep}and " if sep != ", " else " and "
    return sep.join(items[:-1]) + last + items[-1]


class Prose(str):
    """Text that Quarto reads as Markdown where it is inserted inline (`{python} x`): maths,
    code and cross-references in it work. A plain str is inserted as text, escaped."""

    def _repr_markdown_(self) -> str:
        return str(self)


class Statement:
    """A paragraph that stands where a figure or table would be: what diverged instead of
    what it would have shown. Markdown in both formats."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Statement({self.text!r})"


def md_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A pipe table; align is one letter per column (l, r, c)."""
    align = align or "l" + "r" * (len(headers) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


class Table:
    """A pipe table that displays as Markdown in HTML and as a LaTeX `tabular` in the PDF.

    Quarto puts a labelled table cell's LaTeX inside a `table` float: one caption, never
    split across pages, unlike the `longtable` that Pandoc makes of a Markdown table.
    """

    def __init__(self, markdown_text: str):
        self.markdown_text = markdown_text

    def _repr_markdown_(self) -> str:
        return self.markdown_text

    def _repr_latex_(self) -> str:
        return latex_table(self.markdown_text)


def table(markdown_text: str) -> Table:
    return Table(markdown_text)


def _pipe_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def latex_cell(text: str) -> str:
    """One Markdown table cell as LaTeX: `code`, **bold**, $maths$ kept, the rest escaped."""
    special = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    escape = lambda s: "".join(special.get(ch, ch) for ch in s)  # noqa: E731
    out = []
    for part in re.split(r"(\$[^$]*\$|`[^`]*`)", text):
        if part.startswith("$") and part.endswith("$") and len(part) > 1:
            out.append(part)
        elif part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(r"\texttt{" + escape(part[1:-1]) + "}")
        else:
            out.append(re.sub(r"\*\*(.+?)\*\*", r"\\textbf{\1}", escape(part)))
    return "".join(out)


def latex_table(markdown_text: str, header_chars: int = 14) -> str:
    """A pipe table as a booktabs `tabular` in a small font; headers wrap onto short lines,
    and a table still wider than the text is scaled down to the text width."""
    lines = [ln for ln in markdown_text.strip().splitlines() if ln.strip()]
    headers, marks, rows = _pipe_cells(lines[0]), _pipe_cells(lines[1]), [_pipe_cells(ln) for ln in lines[2:]]
    align = "".join("c" if m.startswith(":") and m.endswith(":") else "r" if m.endswith(":") else "l" for m in marks)

    def head(h: str, a: str) -> str:  # a header on lines of at most `header_chars`
        wrapped = textwrap.wrap(h, header_chars, break_long_words=False) or [""]
        return r"\begin{tabular}[b]{@{}" + a + "@{}}" + r" \\ ".join(map(latex_cell, wrapped)) + r"\end{tabular}"

    body = [" & ".join(map(head, headers, align)) + r" \\", r"\midrule"]
    body += [" & ".join(map(latex_cell, r)) + r" \\" for r in rows]
    tabular = "\n".join([r"\begin{tabular}{@{}" + align + "@{}}", r"\toprule", *body, r"\bottomrule", r"\end{tabular}"])
    return "{\\small\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n" + tabular + "}}"


def source_of(module: str, *names: str) -> str:
    """Like source_block, for top-level functions or Class.method of one of the core's
    modules, read from its file without importing it (the PyTorch chapter shows
    torch_mlp without a warm render paying for `import torch`)."""
    from ..study.complexity import definition_source

    source = (Path(__file__).resolve().parents[1] / "core" / f"{module}.py").read_text()
    return f"```python\n{without_docstrings(definition_source(source, list(names))).rstrip()}\n```"


def source_block(*objects) -> str:
    """The package's own source of functions/classes as one fenced code block, so the
    book always shows the code that produced its numbers. The listing keeps the code and
    its comments and drops the docstrings (without_docstrings): the prose says what they say."""
    src = "\n\n".join(textwrap.dedent(inspect.getsource(o)) for o in objects)
    return f"```python\n{without_docstrings(src).rstrip()}\n```"


def without_docstrings(src: str) -> str:
    """Python source without the docstrings of its functions and classes: each docstring's
    lines are removed, and a body that was only a docstring becomes `...`. Comments, code and
    every other line are kept as they are, so the listing is still the code that ran."""
    import ast

    lines = src.splitlines()
    drop: set[int] = set()
    stub: dict[int, str] = {}  # first line of a docstring that was a whole body -> "..." at its indent
    for node in ast.walk(ast.parse(src)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        doc = node.body[0]
        if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str)):
            continue
        first, last = doc.lineno, doc.end_lineno
        # Only a docstring on lines of its own (not `def f(): "doc"`, not `"doc"; x = 1`).
        # (ast's column offsets count UTF-8 bytes.)
        if (
            lines[first - 1].encode()[: doc.col_offset].strip()
            or lines[last - 1].encode()[doc.end_col_offset :].strip()
        ):
            continue
        drop.update(range(first, last + 1))
        if len(node.body) == 1:
            stub[first] = " " * doc.col_offset + "..."
    return "\n".join(stub.get(i, line) for i, line in enumerate(lines, 1) if i not in drop or i in stub)


def edition(S) -> str:
    """The edition of the book this study makes ("study", or "diverged" when the main run
    diverged; records.Study.edition), checked against the Quarto profile being rendered: a
    chapter that needs trained networks must not render a diverged study's numbers."""
    made = S.edition
    rendering = os.environ.get("QUARTO_PROFILE") or "study"
    if made not in rendering.split(","):
        raise RuntimeError(
            f"this study makes the {made!r} edition of the book, but the {rendering!r} edition is being "
            f"rendered; render with `make report`, which picks the edition (or quarto render --profile {made})"
        )
    return made


def in_force():
    """The parameters in force for this render, read now (params.yml, quick mode, the
    environment), not from the cached study: the cache may have been filled by a render
    whose quick mode or overrides differed while the parameters came out the same."""
    from ..core import params as P
    from ..core import paths

    return P.load(paths.params_file())


def changed(loaded) -> list[tuple[str, object, str]]:
    """(key, value, source) for each parameter in force whose value differs from the
    project's defaults (params.Params) and changes the book; source is where the value
    came from: the parameters file, quick mode or an environment override."""
    from ..core import params as P
    from ..study.experiments import NOT_IN_KEY  # what the study never reads changes no book either

    defaults = P.Params().to_dict()
    return [
        (k, v, loaded.sources.get(k, ""))
        for k, v in loaded.params.to_dict().items()
        if k not in NOT_IN_KEY and v != defaults[k]
    ]


SOURCE_WORDS = {"quick mode": "quick mode", "environment override": "environment", "default": "default"}


def yaml_value(v) -> str:
    """A parameter's value as params.yml writes it (null, true, 0.1)."""
    if isinstance(v, float):
        return f"{v:g}"
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def limit_shares(S) -> dict[str, float | None]:
    """NumPy's and PyTorch's share of the matrix-multiply limit's rate in the study's own
    benchmark (core.records.BenchRun.share_of_limit); None where it was not measured."""
    return {m: S.bench.run.share_of_limit(m) for m in ("numpy", "pytorch")}


def points(history, name: str) -> list[dict]:
    """One per-epoch number of a network's history as {epoch, value} points (plots.series_curves)."""
    return [{"epoch": e.epoch, "value": getattr(e, name)} for e in history]
