"""A fork's book stays true: the fork matrix.

Each case is a fork's params.yml: this repository's, with some keys changed, rendered in
quick mode (the file's quick section applies). For each, the study is computed and every
chapter of the edition it makes runs, cell by cell, as Quarto runs it (bookrun.run_chapter,
HTML). Then, for every case:

  - no `nan`, `inf`, `None` or object repr reaches the prose or a table;
  - every verdict a chapter took decides what the numbers say, recomputed here from the
    raw runs (the study's JSON, not through book/verdicts.py, whose rules they restate),
    and is "not taken" exactly where an experiment it needs diverged;
  - no sentence describes a setting the fork did not use (the initialisation, the
    banner's changed parameters, the seeds, the preset, the main run's settings);
  - what diverged is said where it is missing, and the edition follows the main run.

The matrix: every allowed value of each categorical parameter (init, parity, threads),
the edges of the numeric ones (one seed, one epoch, the smallest subset, a learning rate
that diverges only the 3-versus-8 networks, one that diverges the main run), one change
at a time from the defaults, two combined sets, and a machine where torch.compile cannot
run. `device: cuda` is left out: these machines have no GPU. `make test` runs the
defaults (EVERYDAY); `make test-all` runs every case, a quick
study and every chapter under each.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from bookrun import ROOT, book_files, execute_info, run_chapter
from conftest import cached_study, quick_environment
from mnistcompare.book import labels, provenance, qmd
from mnistcompare.book.markdown import Statement, Table
from mnistcompare.core import params as P
from mnistcompare.core import paths, torch_compiled
from mnistcompare.core.records import to_json
from scipy import stats as scipy_stats
from test_book import shown

FORKS = {
    "defaults": {},
    "init he": {"init": "he"},
    "init small": {"init": "small"},
    "parity false": {"parity": False},
    "threads 1": {"threads": 1},
    "one seed": {"seeds": 1},
    "one epoch": {"epochs": 1},
    "smallest subset": {"subset": P.MIN_SUBSET},
    "a small subset over four seeds: a wide spread": {"subset": 500, "seeds": 4},
    "seeds added until decided, up to four": {"seeds": "auto", "seeds_cap": 4},
    "lr 1000 diverges the 3-vs-8 networks": {"lr": 1000},
    "lr 1e8 diverges the main run": {"lr": 1e8},
    # A machine, not a parameter: torch.compile unavailable (as without a C++ compiler); two
    # epochs, so that its study has a key of its own.
    "no C++ compiler, two epochs": {"epochs": 2},
    "he, one seed, one epoch, one thread": {"init": "he", "seeds": 1, "epochs": 1, "threads": 1},
    "small, no parity, smallest subset, lr 1000": {
        "init": "small",
        "parity": False,
        "subset": P.MIN_SUBSET,
        "lr": 1000,
    },
}
EVERYDAY = ("defaults",)  # its study is the one the render test computes
NO_COMPILER = "no C++ compiler, two epochs"
WHY_NO_COMPILER = "Inductor needs a C++ compiler: none was found"
CASES = [pytest.param(name, id=name, marks=[] if name in EVERYDAY else [pytest.mark.full]) for name in FORKS]
# The matrix runs in one pytest-xdist worker (make test's --dist loadgroup), so that each
# case's study and chapters are computed once, while the other worker renders the book.
pytestmark = pytest.mark.xdist_group("fork matrix")


def fork_project(tmp: Path, changes: dict) -> Path:
    """A fork's checkout, as far as the book reads it: params.yml with its keys changed (the
    quick section kept), and the saved benchmark."""
    text = (ROOT / "params.yml").read_text()
    for key, value in changes.items():
        # The key itself, and its line in the quick section if it has one: the matrix runs
        # in quick mode, whose section would otherwise set it back.
        text, n = re.subn(rf"(?m)^( *){key}:[ \t]*\S+", rf"\g<1>{key}: {provenance.yaml_value(value)}", text)
        assert n >= 1, key
    (tmp / "params.yml").write_text(text)
    (tmp / "_quarto.yml").write_text((ROOT / "_quarto.yml").read_text())
    (tmp / "benchmarks" / "results").mkdir(parents=True)
    shutil.copy(ROOT / "benchmarks" / "results" / "bench.json", tmp / "benchmarks" / "results")
    return tmp


@pytest.fixture(scope="module", params=CASES)
def fork(request, tmp_path_factory, quick_cache):
    """The fork's study, and every chapter of its edition run as Quarto would."""
    changes = FORKS[request.param]
    project = fork_project(tmp_path_factory.mktemp("fork"), changes)
    info = execute_info(project, "html")
    with (
        pytest.MonkeyPatch.context() as machine,
        quick_environment(
            quick_cache,
            QUARTO_PROJECT_ROOT=str(project),
            MNISTCOMPARE_DATA_DIR=str(ROOT / "data"),
            QUARTO_EXECUTE_INFO=str(info),
        ),
    ):
        if request.param == NO_COMPILER:
            machine.setattr(torch_compiled, "unavailable", lambda: WHY_NO_COMPILER)
        loaded = P.load(paths.params_file())
        computed = cached_study(loaded, quick_cache)
        edition = computed.edition
        with quick_environment(
            quick_cache,
            QUARTO_PROJECT_ROOT=str(project),
            QUARTO_PROFILE=edition,
            MNISTCOMPARE_DATA_DIR=str(ROOT / "data"),
            QUARTO_EXECUTE_INFO=str(info),
        ):
            ran = {
                path.stem if path.name != "index.qmd" else "index": run_chapter(path) for path in book_files(edition)
            }
        # S: the study's raw JSON, which the checks below read rather than the records the
        # chapters read, so that they recompute every decision independently.
        yield {
            "name": request.param,
            "changes": changes,
            "loaded": loaded,
            "S": to_json(computed),
            "edition": edition,
            "ran": ran,
        }


def last(run, model, key="test_loss"):
    return run["models"][model]["history"][-1][key]


def first(run, model, key="test_loss"):
    return run["models"][model]["history"][0][key]


def diverged_in(S, experiment):
    return [d for d in S["diverged"] if d["experiment"] == experiment]


def verdicts_of(ran) -> dict:
    """The verdicts a chapter's facts hold, by name (none for a chapter without facts)."""
    v = ran.facts.verdicts if ran.facts else None
    return {f.name: getattr(v, f.name) for f in dataclasses.fields(v)} if v else {}


# The experiments each verdict needs trained: it is "not taken" when a network of one of
# them diverged (the 3-versus-8 comparison needs only the networks on the two components).
NEEDS = {
    "parity": ("main",),
    "speed": ("main",),
    "overfitting": ("main",),
    "jax_parity": ("main",),
    "seeds": ("seeds",),
    "seeds_loss": ("seeds",),
    "wash_out": ("init_only", "init_small", "seeds"),
    "paper": ("paper_like",),
}


def not_taken(name: str, S: dict) -> bool:
    if name == "boundaries":
        return any(d["input"] == "2 components" for d in diverged_in(S, "boundaries"))
    return any(diverged_in(S, e) for e in NEEDS.get(name, ()))


# --- the decisions, recomputed from the raw runs ------------------------------------------------


# Each compiled loop's verdict: the loop and the eager one it is weighed against.
COMPILED = {
    "jax": ("jax", "numpy"),
    "jax_step": ("jax_step", "numpy"),
    "compiled": ("pytorch_compiled", "pytorch"),
    "compiled_model": ("pytorch_compiled_model", "pytorch"),
}


def time_decision(run: dict, loop: str, against: str) -> str:
    """How `loop` stands to `against` over the benchmark's repeats (paired: interleaved), by
    SciPy's one-sample t interval of log(against / loop) and the 5% margin; one repeat: the
    point rule; "unavailable" when the loop could not run."""
    if loop in run["unavailable"]:
        return "unavailable"
    a, b = np.array(run["trainers"][loop]["all_s"]), np.array(run["trainers"][against]["all_s"])
    log_ratio = np.log(b) - np.log(a)
    if len(log_ratio) < 2:
        ratio = math.exp(log_ratio.mean())
        return "same" if max(ratio, 1 / ratio) - 1 <= 0.05 else "faster" if ratio > 1 else "slower"
    ci = scipy_stats.ttest_1samp(log_ratio, 0.0).confidence_interval(0.95)
    if ci.low > 0 or ci.high < 0:
        return "faster" if ci.low > 0 else "slower"
    return "same" if -math.log(1.05) <= ci.low and ci.high <= math.log(1.05) else "cannot tell"


def seed_finals(S, metric):
    return {m: np.array([last(run, m, metric) for run in S["seeds"]]) for m in ("numpy", "pytorch")}


def holm(p_values: dict, alpha: float) -> set:
    """The names Holm's step-down rejects at alpha."""
    ranked, rejected = sorted(p_values, key=p_values.get), set()
    for k, name in enumerate(ranked):
        if p_values[name] > alpha / (len(ranked) - k):
            break
        rejected.add(name)
    return rejected


def p_value(design: str, a, b, shift: float = 0.0, side: str = "two-sided") -> float:
    """SciPy's p-value that mean(b) - mean(a) (Welch) or the mean of b - a (paired) is `shift`."""
    if design == "welch":
        return scipy_stats.ttest_ind(b - shift, a, equal_var=False, alternative=side).pvalue
    return scipy_stats.ttest_1samp(b - a, shift, alternative=side).pvalue


def seed_questions(S) -> dict:
    """Each question over the seeds, recomputed with SciPy's t-tests: {name: (decision, the
    difference at the deciding look)}, or None where the start is the shared one. The looks
    are 3, 5, 7, ... and seeds_cap with `seeds: auto`, else the one look at `seeds`; at each, Holm
    over the questions at 0.05 / looks ("different": the t-test's p-value; "same": the two
    one-sided tests against the margin, at half that); a question keeps its first decision."""
    p, seeds = S["params"], S["seeds"]
    looks = (
        sorted({*range(3, p["seeds_cap"] + 1, 2), p["seeds_cap"]})
        if p["seeds"] == "auto"
        else [p["seeds"]]
        if p["seeds"] > 1
        else []
    )
    alpha = 0.05 / max(len(looks), 1)
    asked = {
        m: ("welch", *seed_finals(S, m).values(), margin)
        for m, margin in (("test_accuracy", 0.005), ("test_loss", 0.01))
    }
    # A start that is the fork's own `init` is where the seeds' network starts: it ran nothing.
    for e, m, scheme in (("init_only", "pytorch", "pytorch"), ("init_small", "numpy", "small")):
        assert (not S[e]) == (p["init"] == scheme)
        if S[e]:
            a, b = [last(r, m) for r in seeds], [last(r, m) for r in S[e]]
            asked[e] = ("paired", np.array(a[: len(b)]), np.array(b), 0.01)
    found = {}
    for k in looks:
        if k > len(seeds):
            break
        apart, inside, diffs = {}, {}, {}
        for name, (design, a, b, margin) in asked.items():
            a, b = a[:k], b[:k]
            apart[name] = p_value(design, a, b)
            inside[name] = max(p_value(design, a, b, -margin, "greater"), p_value(design, a, b, margin, "less"))
            diffs[name] = float(np.mean(b) - np.mean(a))
        different, same = holm(apart, alpha), holm(inside, alpha / 2)
        for name in asked:
            if name not in found and (name in different or name in same):
                found[name] = ("different" if name in different else "same", diffs[name])
    out = {name: found.get(name, ("cannot tell", 0.0)) for name in asked}
    return {**{e: None for e in ("init_only", "init_small")}, **out}


def expected(name: str, S: dict) -> str:
    """The decision each verdict must take, from the study's raw numbers."""
    main = S["main"]
    if not_taken(name, S):
        return "not taken"
    if name == "parity":
        rel = main["parity"]["pytorch"]["train_loss_abs_diff"][0] / first(main, "numpy", "train_loss")
        return "same" if rel < 1e-5 else "different"
    if name == "speed":
        t = {m: np.array([h["seconds"] for h in main["models"][m]["history"]]) for m in ("numpy", "pytorch")}
        log_ratio = np.log(t["pytorch"]) - np.log(t["numpy"])
        if len(log_ratio) < 2:  # one epoch: the point rule
            if max(t["numpy"][0], t["pytorch"][0]) / min(t["numpy"][0], t["pytorch"][0]) <= 1.05:
                return "same"
            return "numpy" if t["numpy"][0] < t["pytorch"][0] else "pytorch"
        ci = scipy_stats.ttest_1samp(log_ratio, 0.0).confidence_interval(0.95)
        if ci.low > 0 or ci.high < 0:  # PyTorch's epoch over NumPy's excludes 1: the faster one
            return "numpy" if ci.low > 0 else "pytorch"
        return "same" if -math.log(1.05) <= ci.low and ci.high <= math.log(1.05) else "cannot tell"
    if name in ("seeds", "seeds_loss"):
        metric = "test_accuracy" if name == "seeds" else "test_loss"
        decision, diff = seed_questions(S)[metric]
        if decision == "different":  # the better one: the higher accuracy, the lower loss
            return "pytorch" if (diff > 0) == (metric == "test_accuracy") else "numpy"
        return decision
    if name == "paper":
        np_first, pt_first = first(S["paper_like"], "numpy"), first(S["paper_like"], "pytorch")
        return "reproduced" if np_first >= 0.8 * math.log(10) and np_first - pt_first >= 0.5 else "not reproduced"
    if name == "overfitting":
        gap = {m: last(main, m) - last(main, m, "train_loss") for m in ("numpy", "pytorch")}
        if abs(gap["numpy"] - gap["pytorch"]) <= max(0.1 * max(map(abs, gap.values())), 0.005):
            return "same"
        return max(gap, key=gap.get)
    if name == "boundaries":
        c = S["boundaries"]["classifiers"]
        return (
            "same"
            if np.mean(np.asarray(c["numpy"]["grid"]) == np.asarray(c["pytorch"]["grid"])) >= 0.95
            else "different"
        )
    if name == "projection":
        gains = [
            c["accuracy_full"] - c["accuracy_2d"]
            for c in S["boundaries"]["classifiers"].values()
            if c["accuracy_full"] is not None and c["accuracy_2d"] is not None
        ]
        return "every classifier" if min(gains) > 0 else "not every"
    if name == "wash_out":
        found = [v[0] for e, v in seed_questions(S).items() if e.startswith("init_") and v is not None]
        if "different" in found:
            return "persists"
        return "washes out" if found and all(d == "same" for d in found) else "cannot tell"
    if name == "gradients":
        g = S["gradients"]
        return (
            "right" if max(g["finite_differences"].values()) < 1e-6 and max(g["autograd"].values()) < 1e-5 else "wrong"
        )
    if name == "study_settings":
        return "same" if S["params"]["epochs"] == 20 else "different"
    if name == "overhead":
        run = S["bench"]["run"]
        best, limit = run["trainers"]["pytorch"]["min_s"], min(t["min_s"] for t in run["limits"].values())
        return "unknown" if best < limit else "overhead" if limit / best < 0.5 else "arithmetic"
    if name == "jax_parity":
        rel = main["parity"]["jax"]["train_loss_abs_diff"][0] / first(main, "numpy", "train_loss")
        return "same" if rel < 1e-5 else "different"
    if name in COMPILED:
        loop, against = COMPILED[name]
        return time_decision(S["bench"]["run"], loop, against)
    if name == "eager_cost":
        run = S["bench"]["run"]
        compiled = [c for c in ("jax", "pytorch_compiled") if c in run["trainers"]]
        fastest = min(compiled, key=lambda c: run["trainers"][c]["median_s"])
        return {"faster": "eager execution", "same": "eager execution", "slower": "the framework"}.get(
            time_decision(run, fastest, "numpy"), "cannot tell"
        )
    if name in ("gather", "loss", "eval"):
        t = S["pytorch_idioms"]["seconds"][name]
        chosen, other = {
            "gather": ("index_select", "X[idx]"),
            "loss": ("keep", "accumulate"),
            "eval": ("inference_mode", "no_grad"),
        }[name]
        if max(t[chosen], t[other]) / min(t[chosen], t[other]) <= 1.05:
            return "same"
        return "faster" if t[chosen] < t[other] else "slower"
    if name == "sgd":
        sgd = S["pytorch_idioms"]["seconds"]["sgd"]
        saving = sgd["for-loop"] - min(sgd["foreach"], sgd["fused"])
        history = main["models"]["pytorch"]["history"]
        if saving <= 0:
            return "keep"
        if not history:
            return "unknown"
        steps = -(-main["data"]["n_train"] // main["params"]["batch_size"])
        step = np.median([h["seconds"] for h in history]) / steps
        return "keep" if saving / step <= 0.05 else "pays"
    raise AssertionError(f"no recomputation for the verdict {name!r}")


# --- the checks ---------------------------------------------------------------------------------

LEAK = re.compile(r"(?i:\bnan\b|\binf\b)|\bNone\b|object at 0x|alt\.\w*Chart\(|<function ")


def shown_texts(ran) -> list[str]:
    """Everything of a chapter a reader reads: inline values, printed Markdown, statements
    and tables."""
    listings = re.compile(r"^```.*?^```", re.S | re.M)  # source listings are code, not prose
    texts = [str(v) for v in ran.inline.values()] + [listings.sub("", p) for p in ran.printed]
    for out in ran.outputs:
        if isinstance(out, Statement):
            texts.append(out.text)
        elif isinstance(out, Table):
            texts.append(out.markdown_text)
    return texts


@pytest.mark.slow
def test_the_fork_parameters_are_in_force(fork):
    S, loaded = fork["S"], fork["loaded"]
    # parity changes only `make run`: a study cached for the other value is the same study.
    assert {**S["params"], "parity": None} == {**loaded.params.to_dict(), "parity": None}
    for key, value in fork["changes"].items():
        assert getattr(loaded.params, key) == value and loaded.sources[key] in ("params.yml", "quick mode")


def book_labels() -> set[str]:
    """Every cross-reference target of the book: the cells' labels and the sections' ids."""
    found = set()
    for path in book_files():
        chapter = qmd.Chapter.read(path)
        found |= {c.options["label"] for c in chapter.cells if "label" in c.options}
        found |= set(re.findall(r"\{#((?:sec|fig|tbl)-[\w-]+)", chapter.prose))
    return found


@pytest.mark.slow
def test_every_chapter_runs_and_no_raw_value_reaches_the_prose(fork):
    targets = book_labels()
    for name, ran in fork["ran"].items():
        for text in shown_texts(ran):
            m = LEAK.search(text)
            assert not m, f"{name}: {m.group(0)!r} in {text[max(0, m.start() - 80) : m.end() + 40]!r}"
            # A cross-reference in generated words names a figure, table or section of the book.
            assert set(re.findall(r"@((?:sec|fig|tbl)-[\w-]+)", text)) <= targets, text
        # Quarto evaluates the inline values of content an edition hides too: only those shown must read.
        in_edition = set(qmd.INLINE.findall(shown(ran.chapter.prose, fork["edition"])))
        for expr, value in ran.inline.items():
            assert value or expr not in in_edition, f"{name}: `{expr}` is empty"


VERDICTS = {
    "parity",
    "speed",
    "seeds",
    "seeds_loss",
    "paper",
    "overfitting",
    "boundaries",
    "projection",
    "wash_out",
    "gradients",
    "study_settings",
    "overhead",
    "gather",
    "loss",
    "eval",
    "sgd",
    "jax_parity",
    "jax",
    "jax_step",
    "compiled",
    "compiled_model",
    "eager_cost",
}


@pytest.mark.slow
def test_every_verdict_decides_what_the_numbers_say(fork):
    checked = set()
    for name, ran in fork["ran"].items():
        for verdict_name, verdict in verdicts_of(ran).items():
            assert verdict.decision == expected(verdict_name, fork["S"]), f"{name}: {verdict_name}: {verdict}"
            checked.add(verdict_name)
    assert checked == VERDICTS  # every chapter reads the study's verdicts, each taken once
    if fork["edition"] == "diverged":  # the main run's comparisons could not be taken
        decisions = {k: v.decision for ran in fork["ran"].values() for k, v in verdicts_of(ran).items()}
        assert {k for k, d in decisions.items() if d == "not taken"} >= {"parity", "speed", "overfitting"}


@pytest.mark.slow
def test_a_machine_without_a_compiler_says_why_and_times_the_rest(fork):
    if fork["name"] != NO_COMPILER:
        pytest.skip("torch.compile is available to this case")
    run, sweep = fork["S"]["bench"]["run"], fork["S"]["sweep"]
    assert run["unavailable"] == {n: WHY_NO_COMPILER for n in ("pytorch_compiled", "pytorch_compiled_model")}
    assert {"numpy", "pytorch", "jax", "jax_step"} <= set(run["trainers"])  # the others ran
    assert sweep["unavailable"] == {"pytorch_compiled": WHY_NO_COMPILER}
    assert "pytorch_compiled" not in sweep["implementations"] and "jax" in sweep["implementations"]
    said = fork["ran"]["compiled-network"].inline["F.compiled"]
    assert f"could not run on this machine ({WHY_NO_COMPILER})" in said, said
    said = fork["ran"]["training-comparison"].inline["F.sweep_joins"]
    assert f"Compiled PyTorch could not run on this machine ({WHY_NO_COMPILER})" in said, said


@pytest.mark.slow
def test_the_words_describe_the_settings_in_force(fork):
    p, ran = fork["loaded"].params, fork["ran"]
    setup = ran["data-method"].inline["F.main_setup"]
    for words in (
        f"{p.epochs} epoch",
        f"{p.hidden} hidden units",
        f"learning rate {p.lr:g}",
        f"minibatches of {p.batch_size}",
        f"`init: {p.init}`",
    ):
        assert words in setup, (words, setup)
    assert ("one seed" in ran["data-method"].inline["F.independent"]) == (p.seeds == 1)
    banner = next(
        out.text for out in ran["index"].outputs if hasattr(out, "text") and "Parameters in force" in out.text
    )
    changed = re.search(r"Changed from the project's defaults: (.*?)\.(?:\n|$)", banner)
    listed = dict(re.findall(r"`(\w+): ([^`]+)` \(", changed.group(1))) if changed else {}
    defaults = P.Params().to_dict()
    in_book = {k: v for k, v in p.to_dict().items() if k != "parity" and v != defaults[k]}
    assert listed == {k: provenance.yaml_value(v) for k, v in in_book.items()}, banner
    if fork["edition"] != "study":
        return
    init_text = ran["fairness"].inline["F.init_text"]
    assert f"`init: {p.init}`" in init_text
    assert ("the same distribution" in init_text) == (p.init == "pytorch")
    offered = re.findall(r"`init` also offers (.*?) \(", init_text)
    assert f"The shared start is {labels.INIT_NAMES[p.init]} (`init: {p.init}`" in init_text
    assert offered == [labels.INIT_NAMES[s] for s in P.INIT_SCHEMES if s not in (p.init, "pytorch", "small")]
    # A start that is the fork's `init` did not run; with two or more seeds the book says why.
    empty = re.findall(r"(PyTorch's own start|The small start) is the shared start itself", init_text)
    weighed = len(fork["S"]["seeds"]) > 1 and not not_taken("wash_out", fork["S"])
    assert empty == (
        [{"pytorch": "PyTorch's own start", "small": "The small start"}[p.init]] if weighed and p.init != "he" else []
    )
    # The independent seeds compare the libraries: both draw the fork's scheme, and the book says how.
    draws = ran["fairness"].inline["F.seed_draws"]
    assert f"{labels.INIT_NAMES[p.init]} (`init: {p.init}`)" in draws and labels.TORCH_DRAWS[p.init] in draws
    assert all(m["init"] == p.init for run in fork["S"]["seeds"] for m in run["models"].values())
    preset = ran["study-vs-ours"].inline["F.preset"]
    assert (f"the learning rate from {p.lr:g} to 0.01" in preset) == (p.lr != 0.01)
    assert ("initial weights from" in preset) == (p.init != "small")
    assert f"the hidden size ({p.hidden})" in preset


SENTENCES = re.compile(r"^[A-Z`@*\[(].*[.!?]\)?$", re.S)  # starts like a sentence, ends with its stop
BEFORE = re.compile(r"(?:^|[.!?:]\)?|\*\*|`|^- )\s*$", re.S)  # a sentence ends, a lead-in, a bullet, another value
AFTER = re.compile(r"^\s*(?:$|[A-Z`@*\[]|\n)")


def words(text: str) -> int:
    return len(re.sub(r"\$[^$]*\$|`[^`]*`", "x", str(text)).split())


@pytest.mark.slow
def test_inline_values_are_numbers_quantities_or_whole_sentences(fork):
    """One home per sentence: an inline value of five words or more is whole sentences,
    standing where the chapter's own sentences end and begin, never a clause that the
    .qmd completes."""
    for name, ran in fork["ran"].items():
        prose = shown(ran.chapter.prose, fork["edition"])
        for m in re.finditer(qmd.INLINE, prose):
            value = ran.inline.get(m.group(1))
            if value is None or words(value) < 5:
                continue
            where = f"{name}: `{m.group(1)}` = {str(value)[:80]!r}"
            assert SENTENCES.match(str(value).strip()), where
            paragraph_before = re.split(r"\n\s*\n|^:::.*$", prose[: m.start()], flags=re.M)[-1]
            assert BEFORE.search(paragraph_before), f"{where} follows {paragraph_before[-40:]!r}"
            assert AFTER.match(prose[m.end() :]), f"{where} is followed by {prose[m.end() : m.end() + 40]!r}"


FACTOR = re.compile(r"([\d.,]+) s per epoch for NumPy against ([\d.,]+) s for PyTorch, a factor of (\d+(?:\.\d+)?)")
SHARE = re.compile(r"(\d+)% of (?:that limit|the rate|those products)")


@pytest.mark.slow
def test_numbers_keep_their_meaning(fork):
    """Every stated factor agrees with the two times printed beside it, no loop is said to
    beat its matrix-multiply limit, and a seed comparison that cannot tell says how many
    seeds would."""
    texts = [t for ran in fork["ran"].values() for t in shown_texts(ran)]
    factors = [m for t in texts for m in FACTOR.findall(t)]
    taken = next((verdicts_of(ran) for ran in fork["ran"].values() if ran.facts), {})
    if fork["edition"] == "study" and taken["speed"].decision in ("numpy", "pytorch"):
        assert factors  # a speed verdict that names the faster network states the factor
    for a, b, factor in factors:
        a, b = float(a.replace(",", "")), float(b.replace(",", ""))
        # Two significant figures round by at most 5%.
        assert float(factor) == pytest.approx(max(a, b) / min(a, b), rel=0.05), (a, b, factor)
    assert all(int(share) <= 100 for t in texts for share in SHARE.findall(t))
    # The verdicts are the study's (verdicts.of): every chapter's facts hold the same ones.
    shown = " ".join(texts)
    for name, verdict in taken.items():
        if name.startswith("seeds") and verdict.decision == "cannot tell" and verdict.n > 1:
            # The book says how many seeds would settle it, with the number the rule computed.
            assert (f"about {verdict.seeds_needed} seeds" if verdict.seeds_needed else "even 10,000 seeds") in shown


@pytest.mark.slow
def test_what_diverged_is_said_where_it_is_missing(fork):
    S, ran, edition = fork["S"], fork["ran"], fork["edition"]
    main_diverged = bool(diverged_in(S, "main"))
    assert edition == ("diverged" if main_diverged else "study")
    if main_diverged:
        text = ran["index"].inline["F.diverged_text"]
        d = diverged_in(S, "main")[0]
        # The first network that diverged, with its epoch and learning rate, and how many others did.
        assert labels.noun(d["model"]) in text and f"epoch {d['epoch']}" in text and f"{d['lr']:g}" in text
        assert (f"{len(S['diverged']) - 1} other" in text) == (len(S["diverged"]) > 1)
        rows = ran["index"].output("tbl-diverged").markdown_text.count("\n") - 1
        assert rows == len(S["diverged"])
        return
    note = ran["index"].outputs[-1]
    assert (note is not None) == bool(S["diverged"])
    boundaries = diverged_in(S, "boundaries")
    if boundaries:
        for d in boundaries:
            assert (
                f"epoch {d['epoch']} with learning rate {d['lr']:g}"
                in ran["decision-boundary"].inline["F.two_d"] + ran["decision-boundary"].inline["F.pixels"]
            )
        assert labels.EXPERIMENTS["boundaries"].shows in note.text
        # The 3-versus-8 analysis keeps what trained: the logistic regression, and each
        # network on the input it trained on.
        c = S["boundaries"]["classifiers"]
        assert c["logistic"]["grid"] is not None and c["logistic"]["accuracy_full"] is not None
        for d in boundaries:
            key = "accuracy_2d" if d["input"] == "2 components" else "accuracy_full"
            assert c[d["model"]][key] is None
    for experiment, chapter, label in (
        ("seeds", "fairness", "tbl-seeds"),
        ("seeds", "fairness", "fig-seeds"),
        ("init_only", "fairness", "fig-init"),
        ("paper_like", "study-vs-ours", "fig-paper"),
    ):
        if diverged_in(S, experiment):
            stand_in = ran[chapter].output(label)  # what diverged, in place of the figure or table
            d = diverged_in(S, experiment)[0]
            assert isinstance(stand_in, Statement) and f"epoch {d['epoch']}" in stand_in.text


def test_the_matrix_covers_every_categorical_value_and_the_numeric_edges():
    values = {k: {changes.get(k, getattr(P.Params(), k)) for changes in FORKS.values()} for k in P.KEYS}
    assert values["init"] == set(P.INIT_SCHEMES)
    assert values["parity"] == {True, False}
    assert values["threads"] == {None, 1}
    assert {1} <= values["seeds"] and {1} <= values["epochs"] and P.MIN_SUBSET in values["subset"]
    assert values["device"] == {"cpu"}  # cuda: no GPU on these machines
    singles = [c for c in FORKS.values() if len(c) == 1]
    assert len(singles) >= 9 and sum(len(c) > 1 for c in FORKS.values()) >= 2
    assert all(name in FORKS for name in EVERYDAY)


def test_a_fork_params_file_sets_what_it_says(tmp_path):
    project = fork_project(tmp_path, {"init": "he", "lr": 1e8, "parity": False, "seeds": 1})
    loaded = P.load(project / "params.yml", environ={"MNISTCOMPARE_QUICK": "1"})
    assert (loaded.params.init, loaded.params.lr, loaded.params.parity, loaded.params.seeds) == ("he", 1e8, False, 1)
    quick = yaml.safe_load((project / "params.yml").read_text())["quick"]
    assert quick == {**yaml.safe_load((ROOT / "params.yml").read_text())["quick"], "seeds": 1}
