"""One module per chapter: what the chapter says, computed from the study and the parameters.

chapters/<name>.qmd (index.qmd for "index") includes chapters/_setup.qmd, which loads the
study as S, and then calls `book.chapter("<name>", S)` once. What that returns holds the
chapter's facts as fields (inserted inline) and its figures, tables and listings as
methods (one call per cell). An inline value is a number, a short quantity (under five
words) or one or more whole sentences. Every sentence whose words depend on the
parameters or the results is written whole in one function of its chapter's module, its
wordings for each decision side by side, so that a fork's book says what its own run did
and a writer finds any sentence of the rendered book with one grep; a sentence that two
chapters print has its home in one of them. The .qmd keeps the prose that is true
whatever the parameters. Every chapter reads the study's verdicts, taken once
(verdicts.of); none calls a rule itself. Where a figure, table or sentence needs an
experiment in which a network diverged, it says what diverged instead (base.missing;
a verdict that could not be taken is verdicts.NotTaken).
"""

from __future__ import annotations

import dataclasses
from importlib import import_module

from .. import provenance, verdicts
from ..contents import NAMES


def chapter(name: str, S):
    """The facts of chapter `name` (one of NAMES) for the study S. A chapter that needs the
    main run's trained networks refuses a study whose main run diverged unless that edition
    is being rendered (provenance.edition: `make report` picks the edition)."""
    if name not in NAMES:
        raise ValueError(f"no chapter {name!r}; the chapters are {', '.join(NAMES)}")
    module = import_module(f".{name.replace('-', '_')}", __name__)
    if getattr(module, "NEEDS_MAIN", False):
        provenance.edition(S)
    return dataclasses.replace(module.facts(S, verdicts.of(S)), name=name)
