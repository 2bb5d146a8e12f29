"""The reproducibility appendix: the parameters, software, data and time of this render."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

from ...study import stats
from ...study.records import Study
from .. import labels
from .. import verdicts as V
from ..formatting import and_join, num
from ..markdown import md_table, table
from ..provenance import in_force, yaml_value
from .base import Chapter


@dataclass(frozen=True, kw_only=True)
class Reproducibility(Chapter):
    key: str
    created: str
    compute_s: str
    total_s: str
    alone: str
    side_text: str
    margins: str
    level: str
    same_time: str

    def tbl_params(self):
        return params_table()

    def tbl_environment(self):
        env = self.S.main.environment
        blas = "; ".join(f"{b.internal_api} {b.version} ({b.architecture})" for b in env.blas) or "n/a"
        rows = [
            ["Python", env.python],
            ["NumPy", env.numpy],
            ["PyTorch", env.torch],
            ["torchvision", env.torchvision],
            ["platform", env.platform],
            ["CPU", f"{env.cpu} ({env.cpu_count} cores)"],
            ["BLAS (NumPy)", blas],
            ["threads (BLAS and torch)", str(env.threads)],
            ["CUDA device", env.cuda_device or "none"],
        ]
        return table(md_table(["component", "version"], rows, align="ll"))

    def tbl_checksums(self):
        rows = [[f"`{name}`", f"`{sha[:16]}…`"] for name, sha in self.S.main.data.sha256.items()]
        return table(md_table(["file", "SHA-256"], rows, align="ll"))

    def bibtex(self) -> str:
        """ "Cite this book": a BibTeX entry whose version (the package's, and the commit) and
        date are this render's."""
        return f"```bibtex\n{bibtex(self.S)}\n```"

    def tbl_time_budget(self):
        rows = [[r["what"], num(r["seconds"], 1), r["how"]] for r in time_budget(self.S)]
        rows[-1][0] = f"**{rows[-1][0]}**"
        return table(md_table(["experiment", "seconds", "how it ran"], rows, align="lrl"))


def params_table():
    """Each parameter in force, its value and the layer that set it (read at render time:
    provenance.in_force)."""
    loaded = in_force()
    rows = [[f"`{k}`", f"`{yaml_value(v)}`", loaded.sources.get(k, "")] for k, v in loaded.params.to_dict().items()]
    return table(md_table(["parameter", "value", "source"], rows, align="lll"))


def commit() -> str:
    """The commit this render was made from: GITHUB_SHA in GitHub's CI, else git's HEAD in
    the project; "uncommitted" for a copy without git."""
    import os
    import subprocess

    from ...core import paths

    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"][:12]
    done = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.project_root(), capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "uncommitted"


def bibtex(S: Study, today: date | None = None) -> str:
    """The book as a BibTeX @software entry: title and authors from _quarto.yml, the
    package's version and the commit, the render's date, the repository's address."""
    import yaml

    from ... import __version__
    from ...core import paths
    from ..contents import repo_url

    root = paths.project_root()
    book = yaml.safe_load((root / "_quarto.yml").read_text())["book"]
    today = today or date.today()
    version = f"{__version__} (commit {commit()})"
    # The title on lines that fit the PDF's code (BibTeX reads a line break in it as a space).
    title = f"{book['title']} {book.get('subtitle', '')}".strip()
    title_lines = textwrap.wrap(
        f"  title   = {{{{{title}}}}},", 78, subsequent_indent=" " * 14, break_long_words=False, break_on_hyphens=False
    )
    return "\n".join(
        [
            "@software{mnistcompare,",
            *title_lines,
            f"  author  = {{{{{book['author']}}}}},",
            f"  version = {{{version}}},",
            f"  year    = {{{today.year}}},",
            f"  month   = {{{today.month}}},",
            f"  date    = {{{today.isoformat()}}},",
            f"  url     = {{{repo_url(root)}}},",
            "}",
        ]
    )


def threads_words(n: int | None) -> str:
    return "all threads" if not n else f"{n} thread" + ("s" if n > 1 else "")


def side_how(par) -> str:
    """How the side-by-side experiments ran, from the study's `parallel` record."""
    if par.backend == "sequential":
        return f"one after another, {threads_words(par.threads_per_worker)}"
    return f"side by side: {par.workers} {par.backend} workers, {threads_words(par.threads_per_worker)} each"


def time_budget(S: Study) -> list[dict]:
    """The study's time budget, one row per run in the order they ran: {"what", "seconds",
    "how"}; the last row is the total (wall clock)."""
    t, par = S.timings, S.parallel
    main_threads = threads_words(S.main.environment.threads)
    alone = {
        "load_data": "alone",
        "main": f"alone, {main_threads}, networks interleaved",
        "bench": f"alone, {main_threads}, trainers interleaved",
        "sweep": f"alone, {main_threads}, implementations interleaved",
    }
    rows = [{"what": labels.budget_label(k), "seconds": t[k], "how": how} for k, how in alone.items() if k in t]
    rows += [{"what": labels.budget_label(k), "seconds": t[k], "how": side_how(par)} for k in par.experiments]
    rows.append({"what": labels.budget_label("other"), "seconds": t["other"], "how": "alone"})
    rows.append({"what": "total (wall clock)", "seconds": S.compute_seconds + t.get("load_data", 0.0), "how": ""})
    return rows


def alone(S: Study) -> str:
    """The experiments that ran alone on the machine, first."""
    names = and_join([r["what"] for r in time_budget(S) if r["how"].startswith("alone, ")])
    return (
        f"The {names} went first, alone on the machine (the main run {num(S.timings['main'], 1)} s), because "
        "their times are the book's headline."
    )


def side_text(S: Study) -> str:
    """How the other experiments ran: one after another, or side by side."""
    par = S.parallel
    work, wall = sum(S.timings[k] for k in par.experiments), par.wall_seconds
    threads = threads_words(par.threads_per_worker)
    if par.backend == "sequential":
        return (
            f"Every other experiment is independent of them and of the others; they ran one after another in one "
            f"process, with {threads} each: {num(work, 1)} s of work in {num(wall, 1)} s."
        )
    return (
        f"Every other experiment is independent of them and of the others, so they ran side by side, "
        f"{par.workers} at a time, each in its own worker process ({par.backend}), with {threads} each: "
        f"{num(work, 1)} s of work in {num(wall, 1)} s. Their results are bit-identical to running the same "
        "experiments one after another (the test suite checks it); their own timings were measured side by "
        "side and are not comparable with the main run's."
    )


def margins() -> str:
    """Each seed metric's margin and why, as stats.SEED_METRICS states them."""
    acc, loss = stats.SEED_METRICS["test_accuracy"], stats.SEED_METRICS["test_loss"]
    return (
        f"The margins are ±{100 * acc.margin:.2f} points for the final test accuracy ({acc.why}) and "
        f"±{loss.margin:.4f} for the final test loss ({loss.why})."
    )


def facts(S: Study, verdicts: V.Verdicts) -> Reproducibility:
    return Reproducibility(
        S=S,
        verdicts=verdicts,
        key=S.key,
        created=S.created,
        compute_s=num(S.compute_seconds, 1),
        total_s=num(time_budget(S)[-1]["seconds"], 1),
        alone=alone(S),
        side_text=side_text(S),
        margins=margins(),
        level=f"{stats.LEVEL:.0%}",
        same_time=f"{stats.SAME_TIME:.0%}",
    )
