"""Fairness and correctness: the same curves under the same conditions, what the
initialisation changes, the gradient check, and the independent seeds."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import params as P
from .. import labels, plots, verdicts as V
from ..report import Prose, gradient_rows, max_parity_gap, md_table, num, parity_series, pct, sci_text, series, \
    spread_rows, table
from .base import Chapter, missing, shown
from .data_method import seeds_words

NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition

# How the seeds are weighed, said once beside the verdicts (book/verdicts.py's rule).
SEED_RULE = (f"Each comparison is decided by the 95% Welch interval for the difference of the means and a margin "
             f"stated in advance ({V.margin_value('test_accuracy')} of accuracy, {V.margin_value('test_loss')} of "
             "test loss): different when the interval excludes "
             "0, the same when it lies inside the margin, and otherwise this run cannot tell (@sec-verdicts).")

@dataclass(frozen=True, kw_only=True)
class Fairness(Chapter):
    agree: str
    gap_train: str
    gap_test: str
    gap_acc: str
    grow_words: str
    init_text: str
    paper_lr: str
    paper_run: str
    separates: str
    fd_max: str
    ag_max: str
    ag_batch: str
    grad_words: str
    seeds: str
    seed_draws: str
    seed_cmp: str

    def fig_parity(self):
        alt = (f"The absolute difference between NumPy and PyTorch after each epoch of the main run, on a log scale: "
               f"at most {self.gap_train} in training loss, {self.gap_test} in test loss and {self.gap_acc} in test "
               "accuracy.")
        return plots.series_curves(parity_series(self.S), alt, "fig-parity", metric="value", title="|NumPy − PyTorch|",
                                   log_y=True)

    def fig_init(self):
        def draw():
            series = init_series(self.S)
            runs = "; ".join(f"{name} from {num(h[0]['value'], 3)} to {num(h[-1]['value'], 4)}"
                             for name, h in series.items())
            alt = f"Test loss per epoch, on a log scale, with the same minibatch order and three starts: {runs}."
            return plots.series_curves(series, alt, "fig-init", metric="value", title="test loss", log_y=True)

        return shown(self.S, ("init_only", "init_small"), draw)

    def tbl_gradients(self):
        return table(md_table(["parameter", "vs finite differences (float64)", "vs autograd (float32)"],
                              gradient_rows(self.S)))

    def tbl_seeds(self):
        return shown(self.S, ("seeds",), lambda: table(md_table(
            ["implementation", "test accuracy", "test loss", "s / epoch", "seeds"], spread_rows(self.S))))

    def fig_seeds(self):
        def draw():
            series = seed_series(self.S)
            finals = [h[-1]["value"] for h in series.values()]
            alt = (f"Test accuracy per epoch of both networks for each of {self.seeds}: after the last epoch they lie "
                   f"between {pct(min(finals))} and {pct(max(finals))}.")
            return plots.series_curves(series, alt, "fig-seeds", metric="value", title="test accuracy")

        return shown(self.S, ("seeds",), draw)


def init_series(S: dict, metric: str = "test_loss") -> dict[str, list[dict]]:
    """The initialisation experiment as named series of one metric: the shared start (the
    main run's NumPy network, which draws the same weights as the PyTorch network under
    parity), PyTorch's own, and the small one."""
    init = S["params"]["init"]
    pick = lambda run, m: series(run["models"][m]["history"], metric)  # noqa: E731
    return {f"the shared start (init: {init})": pick(S["main"], "numpy"),
            "PyTorch, nn.Linear's own": pick(S["init_only"], "pytorch"),
            "NumPy, small N(0, 0.01²)": pick(S["init_small"], "numpy")}


def seed_series(S: dict, metric: str = "test_accuracy") -> dict[str, list[dict]]:
    return {f"{labels.MODEL_LABELS[m]}, seed {run['params']['seed']}": series(rec["history"], metric)
            for run in S["seeds"] for m, rec in run["models"].items()}


def first(run: dict, model: str) -> float:
    return run["models"][model]["history"][0]["test_loss"]


def last(run: dict, model: str) -> float:
    return run["models"][model]["history"][-1]["test_loss"]


def shared_start(init: str) -> str:
    """What the shared start is, and how PyTorch's own initialisation stands to it."""
    own = labels.TORCH_OWN
    relation = ("the same distribution with other random numbers" if init == own else
                f"a different distribution: {labels.INIT_DRAWS[own]}")
    return (f"The shared start is {labels.INIT_NAMES[init]} (`init: {init}`: {labels.INIT_DRAWS[init]}), "
            f"drawn by NumPy's generator; PyTorch's own `nn.Linear` initialisation is {relation}.")


def also_offered(init: str) -> str:
    """The `init` schemes this chapter does not show, for a fork to try: "" when it shows them all."""
    others = [s for s in P.INIT_SCHEMES if s not in (init, labels.TORCH_OWN, "small")]
    return "".join(f" The parameter `init` also offers {labels.INIT_NAMES[s]} ({labels.INIT_DRAWS[s]})." for s in others)


def init_text(S: dict, verdicts: dict) -> str:
    """The three starts after the first epoch and after the last; the wash-out verdict needs
    the seeds' spread too."""
    init = S["params"]["init"]
    gone = missing(S, "init_only", "init_small")
    if gone:
        return Prose(f"{shared_start(init)} {gone}")
    main = S["main"]
    same_small = (" (with `init: small` that is the shared start itself, so its curve is the shared one)"
                  if init == "small" else "")
    text = (f"{shared_start(init)} After the first epoch the test loss is {num(first(main, 'numpy'), 3)} from the "
            f"shared start, {num(first(S['init_only'], 'pytorch'), 3)} with PyTorch's own initial weights, and "
            f"{num(first(S['init_small'], 'numpy'), 3)} with the small {labels.INIT_DRAWS['small']} that many "
            f"from-scratch tutorials use{same_small}.")
    ends = [last(main, "numpy"), last(S["init_only"], "pytorch"), last(S["init_small"], "numpy")]
    text += (f" By the last epoch the small start reaches {num(ends[2], 4)}, against {num(ends[0], 4)} for the shared "
             f"one: at the end of training, the three starts differ by at most "
             f"{num(max(ends) - min(ends), 4)} in test loss.")
    seeds_gone = missing(S, "seeds")
    if seeds_gone:
        text += f" Whether that is more than the noise of training needs the independent seeds. {seeds_gone}"
    else:
        verdicts["wash_out"] = v = V.starts_wash_out(S)
        text += f" {v.text}"
    return Prose(text + also_offered(init))


def seed_draws(init: str) -> str:
    """What each network of the independent seeds starts from."""
    return Prose(f"Both draw their initial weights from {labels.INIT_NAMES[init]} (`init: {init}`), each from its own "
                 f"generator: NumPy with its own, PyTorch with {labels.TORCH_DRAWS[init]}. So the seeds compare the "
                 "libraries, not two initialisations (@sec-init compares those).")


def paper_sentences(S: dict, verdicts: dict) -> tuple[str, str]:
    """The paper-like preset's first epochs against the study's reading, and what separates
    the study's curves."""
    gone = missing(S, "paper_like")
    if gone:
        return Prose(gone), "Without it, this run does not show what separates the study's two curves."
    verdicts["paper"] = v = V.paper_shapes(S)
    run = S["paper_like"]
    return (f"In our run of it, the NumPy network with small weights ends its first epoch at a test loss of "
            f"{num(first(run, 'numpy'), 3)} and PyTorch with its own initialisation at "
            f"{num(first(run, 'pytorch'), 3)}, {v.words['like_study']}."), v.words["separates"]


def facts(S: dict, loaded=None) -> Fairness:
    gap, g, p = max_parity_gap(S), S["gradients"], S["params"]
    verdicts = {"parity": V.parity(S)}
    parity = verdicts["parity"]
    explain = ": the two libraries add the same numbers in a different order" if parity.decision == "same" else ""
    agree = (f"Their losses then {parity.words['agree']} {sci_text(gap['first_epoch_train_loss'])} after the first "
             f"epoch ({parity.text}){explain}.")
    paper_run, separates = paper_sentences(S, verdicts)
    verdicts["gradients"] = grads = V.gradients(S)
    if not missing(S, "seeds"):
        verdicts["seeds"] = V.seed_accuracy(S)
        verdicts["seeds_loss"] = V.seed_comparison(S, "test_loss")
    return Fairness(
        S=S, verdicts=verdicts, agree=agree,
        gap_train=sci_text(gap["train_loss"]), gap_test=sci_text(gap["test_loss"]), gap_acc=pct(gap["test_accuracy"], 3),
        grow_words=parity.words["growth"], init_text=init_text(S, verdicts),
        paper_lr=f"{P.PRESETS['paper-like']['lr']:g}", paper_run=paper_run, separates=separates,
        fd_max=sci_text(max(g["finite_differences"].values())), ag_max=sci_text(max(g["autograd"].values())),
        ag_batch=str(g["autograd_batch"]), grad_words=grads.text,
        seeds=seeds_words(p), seed_draws=seed_draws(p["init"]),
        seed_cmp=(Prose(f"{verdicts['seeds'].text} {verdicts['seeds_loss'].text} {SEED_RULE}") if "seeds" in verdicts
                  else missing(S, "seeds")),
    )
