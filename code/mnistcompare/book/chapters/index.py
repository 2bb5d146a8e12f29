"""The Abstract (index.qmd): the whole comparison in one paragraph, or, when the main run
diverged, what diverged."""

from __future__ import annotations

from dataclasses import dataclass

from ... import study
from .. import labels, verdicts as V
from ..report import (HEADLINE_HEADERS, Prose, Statement, headline_rows, limit_shares, max_parity_gap, md_table,
                      median, mode_banner, pct, sci_text, table, final)
from .base import Chapter, missing


@dataclass(frozen=True, kw_only=True)
class Index(Chapter):
    edition: str
    diverged_text: str = ""  # the diverged edition's words
    same_alg: str = ""       # the full edition's words from here on
    gap_first: str = ""
    parity_words: str = ""
    acc_np: str = ""
    acc_pt: str = ""
    seeds_sentence: str = ""
    start_sentence: str = ""
    speed_text: str = ""
    limit_text: str = ""
    loaded: object = None

    def banner(self) -> Statement:
        return Statement(mode_banner(self.S, self.loaded))

    def missing_note(self) -> Statement | None:
        """In a full book whose side experiments diverged: which parts are missing, and why."""
        return missing_parts(self.S, "This book")

    def tbl_headline(self):
        """The headline table; nothing in the diverged edition, which hides it (Quarto runs
        the cells of hidden content too)."""
        return table(md_table(HEADLINE_HEADERS, headline_rows(self.S))) if self.edition == "study" else None

    def tbl_diverged(self):
        return table(md_table(["experiment", "network", "epoch", "learning rate", "which loss, as what"],
                              labels.divergence_rows(study.diverged(self.S)), align="llrrl"))


def missing_parts(S: dict, whose: str) -> Statement | None:
    """A paragraph listing what a divergence outside the main run left out of the book, one
    bullet per experiment, with where it would have been; None when nothing diverged."""
    found = study.diverged(S)
    if not found or study.edition(S) == "diverged":
        return None
    by_experiment: dict[str, list[dict]] = {}
    for d in found:
        by_experiment.setdefault(d["experiment"], []).append(d)
    bullets = [f"- {labels.EXPERIMENTS[name].shows}: {labels.divergences(ds)}." for name, ds in by_experiment.items()]
    return Statement(f"**Parts of this run are missing.** {whose} shows every result that trained, but where a "
                     "result needs a network that diverged, a note says so in its place:\n\n" + "\n".join(bullets))


def facts(S: dict, loaded=None) -> Index:
    edition = study.edition(S)
    if edition == "diverged":
        found = study.diverged(S)
        first = labels.divergence(found[0])
        others = len(found) - 1
        text = first + (f", and {others} other network{'s' if others > 1 else ''} diverged too" if others else "")
        return Index(S=S, edition=edition, diverged_text=text, loaded=loaded)
    main = S["main"]
    parity = V.parity(S)
    speed = V.speed(S, median(main, "numpy"), median(main, "pytorch"))
    verdicts = {"parity": parity, "speed": speed}
    if not missing(S, "seeds"):
        verdicts["seeds"] = V.seed_accuracy(S)
    if not missing(S, "paper_like"):
        verdicts["paper"] = V.paper_shapes(S)
    claim = "The study's claim that PyTorch is consistently more accurate"
    seeds_sentence = (f"{claim} {verdicts['seeds'].words['claim']}. {verdicts['seeds'].text}" if "seeds" in verdicts
                      else f"{claim} is untested by this run: {labels.divergences(study.diverged(S, 'seeds'))}.")
    start_sentence = Prose(f"{verdicts['paper'].words['abstract']} (@sec-init)." if "paper" in verdicts else
                           f"What the study's NumPy curve shows is not tested here: "
                           f"{labels.divergences(study.diverged(S, 'paper_like'))}.")
    return Index(
        S=S, verdicts=verdicts, edition=edition, loaded=loaded,
        same_alg=parity.words["abstract"], gap_first=sci_text(max_parity_gap(S)["first_epoch_train_loss"]),
        parity_words=parity.text, acc_np=pct(final(main, "numpy")), acc_pt=pct(final(main, "pytorch")),
        seeds_sentence=seeds_sentence, start_sentence=start_sentence,
        speed_text=speed.text, limit_text=limit_text(S),
    )


def limit_text(S: dict) -> str:
    """The five matrix products of a step, and each loop's share of their rate timed alone."""
    shares = limit_shares(S)
    if None in shares.values():
        return Prose("Each step's arithmetic is five matrix products (two forward, three backward), which both "
                     "libraries hand to an optimised BLAS; how much of each step they take could not be measured on "
                     "this run, because a loop's best epoch beat the products timed alone (@sec-benchmark).")
    return Prose(f"Each step's arithmetic is five matrix products (two forward, three backward), which both libraries "
                 f"hand to an optimised BLAS; timed alone on this machine, the NumPy loop reaches "
                 f"{pct(shares['numpy'], 0)} of the rate of those products by themselves and PyTorch's "
                 f"{pct(shares['pytorch'], 0)}, the rest of each step being the overhead around them "
                 "(@sec-training-comparison).")
