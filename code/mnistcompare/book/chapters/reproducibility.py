"""The reproducibility appendix: the parameters, software, data and time of this render."""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass
from datetime import date

from ...study import stats
from ...study.records import Study
from .. import labels
from .. import verdicts as V
from ..formatting import and_join, num
from ..formatting import level as level_words
from ..markdown import Prose, Statement, md_table, table
from ..plots import charts
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
    seed_plan: str
    family: str

    def tbl_params(self):
        return params_table()

    def fig_seed_looks(self):
        """Each question over the seeds at each look, against its margin."""
        rows = look_rows(self.S)
        if not rows:
            return Statement("With a single seed there is no interval to draw.")
        settled = {labels.QUESTIONS[name]: q for name, q in self.S.seed_questions.questions.items() if q.path}
        ends = "; ".join(f"{name}: {q.decision} at {q.at} seeds" for name, q in settled.items())
        alt = (
            "Each question over the seeds at each look: the difference and its interval, divided by the question's "
            f"margin, against the band from -1 to 1 (inside it: the same). {ends}."
        )
        return charts.seed_looks(rows, alt)

    def tbl_environment(self):
        env = self.S.main.environment
        blas = "; ".join(f"{b.internal_api} {b.version} ({b.architecture})" for b in env.blas) or "n/a"
        rows = [
            ["Python", env.python],
            ["NumPy", env.numpy],
            ["PyTorch", env.torch],
            ["torchvision", env.torchvision],
            ["platform", env.platform],
            ["CPU", f"{env.cpu} ({env.cpu_count} {'core' if env.cpu_count == 1 else 'cores'} for the study)"],
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


def look_rows(S: Study) -> list[dict]:
    """The figure's rows: each asked question's interval at each look, divided by its margin."""
    sq = S.seed_questions
    if sq.rule is None:
        return []
    return [
        {
            "question": labels.QUESTIONS[name],
            "seeds": k,
            "diff": iv.diff / q.margin,
            "low": iv.low / q.margin,
            "high": iv.high / q.margin,
        }
        for name, q in sq.questions.items()
        for k, iv in zip(sq.rule.looks, q.path)
        if iv is not None
    ]


def seed_plan(S: Study) -> str:
    """How many seeds the study ran and why it stopped there, with how repeated looks keep
    their error rate (study/questions.py, study/sequential.py)."""
    sq, ran = S.seed_questions, len(S.seeds)
    if sq.rule is None:
        return Prose(
            "This run has a single seed, so no question over the seeds has an interval: each says it cannot tell."
        )
    rule = sq.rule
    if not sq.auto:
        return Prose(
            f"This run fixed its seeds at {ran} (`seeds: {ran}`): the questions over them are decided once, at "
            f"{level_words(rule.level)}, and a question that cannot tell says roughly how many seeds would."
        )
    open_ = [labels.QUESTIONS[n] for n, q in sq.questions.items() if q.decision == "cannot tell"]
    stop = (
        f"it stopped at {ran}, when every question was decided"
        if not open_
        else f"it stopped at its cap of {ran} with {len(open_)} question(s) still open"
    )
    return Prose(
        f"With `seeds: auto` the study runs {rule.first} seeds, then adds them {rule.step} at a time "
        f"(looking at {and_join([str(k) for k in rule.looks])} seeds), running again only the experiments whose questions are still open, up to `seeds_cap` ({rule.cap}); {stop} "
        f"(@fig-seed-looks). Looking after every round and stopping at the first decision would give each "
        f"question more than one chance to be wrong, so the {len(rule.looks)} looks are planned before any seed "
        f"runs and share the error rate: each decides at {level_words(rule.level)} "
        f"(5% / {len(rule.looks)}), so that over all the looks a question is wrongly called different at most 5% "
        "of the time and wrongly called the same at most 2.5%, however early it stops (Bonferroni's "
        "inequality; the test suite checks it by simulation)."
    )


# The verdicts decided by intervals over repeated runs; every other verdict is a rule on measured numbers.
SEED_VERDICTS = ("seeds", "seeds_loss", "wash_out")


def family(S: Study, verdicts: V.Verdicts) -> str:
    """How many comparisons the verdicts make, and their error rates, each and together."""
    taken = {f.name: getattr(verdicts, f.name) for f in dataclasses.fields(verdicts)}
    taken = {name: v for name, v in taken.items() if not isinstance(v, V.NotTaken)}
    asked = [q for q in S.seed_questions.questions.values() if q.decision not in ("empty", "diverged")]
    if not any(name in taken for name in SEED_VERDICTS) or S.seed_questions.rule is None:
        asked = []
    timed = isinstance(taken.get("speed"), V.Speed) and taken["speed"].interval is not None
    rules = len([n for n in taken if n not in SEED_VERDICTS and not (n == "speed" and timed)])
    intervals = len(asked) + timed
    each = "each wrong at most 5% of the time when it says “different” and 2.5% when it says “the same”"
    if len(asked) > 1:
        seeds = (
            f"The {len(asked)} questions over the seeds are one family, decided together with Holm's correction: at "
            "each look the smallest p-value must pass the look's error rate divided by the number of questions, "
            "the next that rate divided by one fewer, and so on, so that the chance of any wrong “different” "
            "among them stays at 5% (2.5% for any wrong “the same”), whatever their dependence. The intervals "
            "shown are at each look's level, before this correction: one can lie inside its margin while its "
            "question, tested more strictly, still cannot tell, and the verdicts give the corrected decisions."
        )
    elif asked:
        seeds = "A single question over the seeds is a family of one: it needs no correction."
    else:
        seeds = "No question over the seeds has an interval in this run."
    speed = (
        " The speed verdict stands alone, at 5%: together with the seeds' family, the chance of any wrong "
        "“different” among the interval verdicts is at most 10% (Bonferroni's inequality)."
        if timed and asked
        else ""
    )
    return Prose(
        f"This book takes {len(taken)} verdicts: {intervals} comparison(s) decided by an interval over repeated "
        f"runs or epochs, {each}, and {rules} rules on measured numbers (a threshold, a share, a round-off bound) "
        f"that no interval describes. {seeds}{speed}"
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
        seed_plan=seed_plan(S),
        family=family(S, verdicts),
    )
