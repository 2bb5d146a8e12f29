"""The book's building blocks: numbers as text, prose as Markdown, tables built from
results (Markdown on the site, LaTeX floats in the PDF), source listings, the banner
that says which parameters are in force, and what stands in for a diverged result.

The chapters' facts (book/chapters/) are made of these.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import textwrap
from pathlib import Path

import numpy as np

from .labels import BOUNDARY_TITLES, MODEL_LABELS
from .plots import output_format


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
    """"a", "a and b", "a, b and c" (with sep="; ": "a; b; and c")."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    last = f"{sep}and " if sep != ", " else " and "
    return sep.join(items[:-1]) + last + items[-1]


def pm(stat: dict, fmt=pct) -> str:
    return f"{fmt(stat['mean'])} $\\pm$ {fmt(stat['sd'])}"


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
    special = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
               "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
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
    return ("{\\small\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
            + tabular + "}}")


def source_of(module: str, *names: str) -> str:
    """Like source_block, for top-level functions or Class.method of one of the core's
    modules, read from its file without importing it (the PyTorch chapter shows
    torch_mlp without a warm render paying for `import torch`)."""
    from ..study.analysis import definition_source

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
        if lines[first - 1].encode()[:doc.col_offset].strip() or lines[last - 1].encode()[doc.end_col_offset:].strip():
            continue
        drop.update(range(first, last + 1))
        if len(node.body) == 1:
            stub[first] = " " * doc.col_offset + "..."
    return "\n".join(stub.get(i, line) for i, line in enumerate(lines, 1) if i not in drop or i in stub)


def edition(result: dict) -> str:
    """The edition of the book this study makes ("study", or "diverged" when a network
    diverged; study.edition), checked against the Quarto profile being rendered: a
    chapter that needs trained networks must not render a diverged study's numbers."""
    from .. import study

    made = study.edition(result)
    rendering = os.environ.get("QUARTO_PROFILE") or "study"
    if made not in rendering.split(","):
        raise RuntimeError(
            f"this study makes the {made!r} edition of the book, but the {rendering!r} edition is being "
            f"rendered; render with `make report`, which picks the edition (or quarto render --profile {made})")
    return made


def in_force(loaded=None):
    """The parameters in force for this render, read now (params.yml, quick mode, the
    environment), not from the cached study: the cache may have been filled by a render
    whose quick mode or overrides differed while the parameters came out the same."""
    from ..core import params as P
    from ..core import paths

    return loaded or P.load(paths.params_file())


def changed(loaded) -> list[tuple[str, object, str]]:
    """(key, value, source) for each parameter in force whose value differs from the
    project's defaults (params.Params) and changes the book; source is where the value
    came from: the parameters file, quick mode or an environment override."""
    from ..core import params as P
    from ..study.experiments import NOT_IN_KEY  # what the study never reads changes no book either

    defaults = P.Params().to_dict()
    return [(k, v, loaded.sources.get(k, "")) for k, v in loaded.params.to_dict().items()
            if k not in NOT_IN_KEY and v != defaults[k]]


SOURCE_WORDS = {"quick mode": "quick mode", "environment override": "environment", "default": "default"}


def yaml_value(v) -> str:
    """A parameter's value as params.yml writes it (null, true, 0.1)."""
    if isinstance(v, float):
        return f"{v:g}"
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def mode_banner(result: dict, loaded=None) -> str:
    """The callout at the top of the book: quick mode, every parameter that differs from
    the project's defaults with where it was set, and the parameters in force."""
    loaded = in_force(loaded)
    p = loaded.params
    what = (f"{p.epochs} epochs, hidden {p.hidden}, lr {p.lr:g}, batch {p.batch_size}, "
            f"{'all 60,000' if p.subset is None else format(p.subset, ',')} training images, init {p.init}, "
            f"{p.seeds} seed{'s' if p.seeds > 1 else ''} from seed {p.seed}, device {p.device}, "
            f"{'one thread per core' if p.threads is None else f'{p.threads} thread(s)'}")
    lines = []
    if loaded.quick:
        lines.append("**Quick mode (MNISTCOMPARE_QUICK=1): a preview on a small subset with few epochs, not the study's results.**")
    differ = changed(loaded)
    if differ:
        lines.append("Changed from the project's defaults: " + ", ".join(
            f"`{k}: {yaml_value(v)}` ({SOURCE_WORDS.get(src, src)})" for k, v, src in differ) + ".")
    lines.append(f"Parameters in force: {what}; computed {result['created']} in {result['compute_seconds']:.0f} s.")
    if output_format() == "html":
        return "::: {.callout-note}\n" + "\n\n".join(lines) + "\n:::"
    # In LaTeX a callout needs the fontawesome5 package, which a basic TeX Live lacks.
    return "\n".join("> " + line + "\n>" for line in lines).rstrip(">\n")


def headline_rows(result: dict) -> list[list]:
    """Accuracy, final loss, seconds per epoch, peak memory, lines of code, per model.

    Like for like: memory is the growth of peak resident memory for both (tracemalloc
    cannot see PyTorch's allocator), and the lines are the model with its gradients and
    the readable loop on both sides."""
    cx, main = result["complexity"], result["main"]
    rows = []
    for m, record in main["models"].items():  # read from the cache: a warm render imports no torch
        rows.append([MODEL_LABELS[m], pct(final(main, m)), num(final(main, m, "test_loss"), 4), num(median(main, m), 3),
                     mib(record["rss_peak_growth_bytes"]),
                     f"{cx[m]['model and gradients'] + cx[m]['training loop']} ({cx[m]['module']})"])
    return rows


HEADLINE_HEADERS = ["implementation", "test accuracy", "final test loss", "s / epoch (median)", "peak RSS growth",
                    "lines: model + loop (module)"]


def convergence_rows(result: dict, thresholds=(0.95, 0.97)) -> list[list]:
    from ..study.analysis import epochs_to_reach

    rows = []
    for m, rec in result["main"]["models"].items():
        row = [MODEL_LABELS[m]]
        for t in thresholds:
            hit = epochs_to_reach(rec["history"], t)
            row += ["not reached", "—"] if hit["epoch"] is None else [str(hit["epoch"]), f"{hit['seconds']:.1f}"]
        rows.append(row)
    return rows


def spread_rows(result: dict) -> list[list]:
    s = result["seed_spread"]
    return [[MODEL_LABELS[m], pm(v["test_accuracy"]), pm(v["test_loss"], lambda x: num(x, 4)),
             pm(v["seconds_per_epoch"], lambda x: num(x, 3)), str(v["test_accuracy"]["n"])] for m, v in s.items()]


def memory_rows(result: dict) -> list[list]:
    return [[MODEL_LABELS[m], mib(r["peak_memory_bytes"]), r["peak_memory_method"], mib(r["rss_peak_growth_bytes"]),
             f"{r['parameter_count']:,}"] for m, r in result["main"]["models"].items()]


def limit_shares(result: dict) -> dict[str, float | None]:
    """NumPy's and PyTorch's share of the matrix-multiply limit's rate in the study's own
    benchmark, from the best repeat of each (epoch_timing.fraction_of_limit); None for a
    trainer whose best beat the limit's best: the limit was not measured, and the book
    says so instead of printing more than 100%."""
    from ..core.epoch_timing import fraction_of_limit

    run = result["bench"]["run"]
    shares = {m: fraction_of_limit(run["trainers"][m]["min_s"], run["matmul"]["min_s"]) for m in ("numpy", "pytorch")}
    return {m: f if f <= 1 else None for m, f in shares.items()}


def limit_sentence(result: dict, measured: str, unmeasured: str) -> str:
    """`measured` with {numpy} and {pytorch} filled in by each loop's share of the limit, or
    `unmeasured` when either share could not be measured on this run."""
    shares = limit_shares(result)
    if None in shares.values():
        return unmeasured
    return measured.format(**{m: pct(f, 0) for m, f in shares.items()})


def memory_parts(result: dict) -> str:
    """What the NumPy loop's tracemalloc peak (main run) is made of, in words: the sum of
    the arrays it allocates against the peak, each part, and the largest named first."""
    r = result["main"]["models"]["numpy"]
    parts = sorted(r["peak_memory_parts"].items(), key=lambda kv: -kv[1])
    total = sum(b for _, b in parts)
    listed = ", ".join(f"{name} {mib(b)}" for name, b in parts)
    return (f"the arrays it allocates account for {mib(total)} of the {mib(r['peak_memory_bytes'])} peak "
            f"({pct(total / r['peak_memory_bytes'], 0)}), largest first: {listed}")


def gradient_rows(result: dict) -> list[list]:
    g = result["gradients"]
    return [[f"`{k}`", sci(g["finite_differences"][k]), sci(g["autograd"][k])] for k in g["autograd"]]


def boundary_rows(result: dict) -> list[list]:
    """Each 3-versus-8 classifier's test accuracy on two components and on the pixels
    ("diverged" where its network did not train)."""
    acc = lambda x: "diverged" if x is None else pct(x)  # noqa: E731
    return [[BOUNDARY_TITLES[k], acc(c["accuracy_2d"]), acc(c["accuracy_full"])]
            for k, c in result["boundaries"]["classifiers"].items()]


def max_parity_gap(result: dict) -> dict:
    par = result["main"]["parity"]
    return {"train_loss": max(par["train_loss_abs_diff"]), "test_loss": max(par["test_loss_abs_diff"]),
            "test_accuracy": max(par["test_accuracy_abs_diff"]), "first_epoch_train_loss": par["train_loss_abs_diff"][0]}


def final(run: dict, model: str, key: str = "test_accuracy") -> float:
    return run["models"][model]["history"][-1][key]


def median(run: dict, model: str, key: str = "seconds") -> float:
    """The median over a run's epochs of one of a model's per-epoch numbers."""
    return float(np.median([h[key] for h in run["models"][model]["history"]]))


def series(history: list[dict], key: str) -> list[dict]:
    """One per-epoch number as {epoch, value} points, the form plots.series_curves draws."""
    return [{"epoch": h["epoch"], "value": h[key]} for h in history]


def loss_series(run: dict) -> dict[str, list[dict]]:
    """Training and test loss of each model as named series (for series_curves, metric 'value')."""
    return {f"{MODEL_LABELS[m]}, {kind} loss": series(rec["history"], f"{kind}_loss")
            for m, rec in run["models"].items() for kind in ("train", "test")}


def parity_series(result: dict) -> dict[str, list[dict]]:
    """Per-epoch |NumPy - PyTorch| of the main run; exact zeros are left out (log scale)."""
    par = result["main"]["parity"]
    names = {"train_loss_abs_diff": "training loss", "test_loss_abs_diff": "test loss", "test_accuracy_abs_diff": "test accuracy"}
    return {label: [{"epoch": e + 1, "value": v} for e, v in enumerate(par[key]) if v > 0] for key, label in names.items()}


def seed_series(result: dict, metric: str = "test_accuracy") -> dict[str, list[dict]]:
    return {f"{MODEL_LABELS[m]}, seed {run['params']['seed']}": series(rec["history"], metric)
            for run in result["seeds"] for m, rec in run["models"].items()}


# The study's loss curves as its text describes them (its figures carry no data):
# (model, epoch, value, the sentence it comes from).
STUDY_REPORTED = [
    ("numpy", 1, 2.00, "initial loss value was above 2.00"),
    ("numpy", 20, 0.25, "close to 0.25 in the 20th epoch"),
    ("pytorch", 1, 1.25, "in the first epoch started from around 1.25"),
    ("pytorch", 2, 0.50, "decreased drastically to around 0.5 in just one epoch"),
    ("pytorch", 20, 0.20, "close to 0.20 in the 20th epoch"),
]


def paper_series(result: dict) -> tuple[dict[str, list[dict]], list[dict]]:
    """Our paper-like preset's test loss per model, and the study's values as points."""
    run = result["paper_like"]
    ours = {f"{MODEL_LABELS[m]} (ours, paper-like)": series(rec["history"], "test_loss") for m, rec in run["models"].items()}
    points = [{"series": f"{MODEL_LABELS[m]} (the study)", "epoch": e, "value": v, "note": quote}
              for m, e, v, quote in STUDY_REPORTED]
    return ours, points


def paper_rows(result: dict) -> list[list]:
    hist = {m: {h["epoch"]: h["test_loss"] for h in rec["history"]} for m, rec in result["paper_like"]["models"].items()}
    return [[MODEL_LABELS[m], str(e), f"\u201c{quote}\u201d", num(hist[m].get(e), 3)] for m, e, _, quote in STUDY_REPORTED]


def params_rows(result: dict, loaded=None) -> list[list]:
    """Each parameter in force, its value and the layer that set it (computed at render time)."""
    loaded = in_force(loaded)
    return [[f"`{k}`", f"`{yaml_value(v)}`", loaded.sources.get(k, "")] for k, v in loaded.params.to_dict().items()]


def environment_rows(result: dict) -> list[list]:
    env = result["main"]["environment"]
    blas = "; ".join(f"{b['internal_api']} {b['version']} ({b['architecture']})" for b in env["blas"]) or "n/a"
    return [["Python", env["python"]], ["NumPy", env["numpy"]], ["PyTorch", env["torch"]], ["torchvision", env["torchvision"]],
            ["platform", env["platform"]], ["CPU", f"{env['cpu']} ({env['cpu_count']} cores)"], ["BLAS (NumPy)", blas],
            ["threads (BLAS and torch)", str(env["threads"])], ["CUDA device", env["cuda_device"] or "none"]]


def checksum_rows(result: dict) -> list[list]:
    return [[f"`{name}`", f"`{sha[:16]}…`"] for name, sha in result["main"]["data"]["sha256"].items()]


def error_counts(result: dict) -> tuple[int, int, int, int, int, int]:
    """(NumPy's errors, PyTorch's errors, test images where they disagree, and NumPy's
    most frequent confusion: true digit, predicted digit, count) in the main run."""
    models = result["main"]["models"]
    cms = {m: np.asarray(models[m]["confusion_matrix"]) for m in ("numpy", "pytorch")}
    wrong = {m: int(c.sum() - np.trace(c)) for m, c in cms.items()}
    disagree = int((np.asarray(models["numpy"]["test_predictions"]) != np.asarray(models["pytorch"]["test_predictions"])).sum())
    off = cms["numpy"] - np.diag(np.diag(cms["numpy"]))
    t, p = np.unravel_index(off.argmax(), off.shape)
    return wrong["numpy"], wrong["pytorch"], disagree, int(t), int(p), int(off.max())
