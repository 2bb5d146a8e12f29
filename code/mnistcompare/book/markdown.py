"""What a chapter hands Quarto to print: Markdown inline (`Prose`), a paragraph in a
figure's or a table's place (`Statement`), and tables, Markdown on the site and LaTeX
floats in the PDF (`Table`).
"""

from __future__ import annotations

import re
import textwrap


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
