"""One module per chapter: what the chapter says, computed from the study and the parameters.

chapters/<name>.qmd (index.qmd for "index") includes chapters/_setup.qmd, which loads the
study as S, and then calls `book.chapter("<name>", S)` once. What that returns holds the
chapter's facts as fields (sentences and numbers as text, inserted inline) and its
figures, tables and listings as methods (one call per cell). Every sentence whose truth
depends on the parameters or the results is made here, from the study and the parameters
in force, so a fork's book says what its own run did; the .qmd keeps only the prose that
is true whatever the parameters. Where a figure, table or sentence needs an experiment in
which a network diverged, it says what diverged instead (base.missing).
"""

from __future__ import annotations

import dataclasses
from importlib import import_module

from .. import report
from ..contents import NAMES


def chapter(name: str, S: dict, loaded=None):
    """The facts of chapter `name` (one of NAMES) for the study S. A chapter that needs the
    main run's trained networks refuses a study whose main run diverged unless that edition
    is being rendered (report.edition: `make report` picks the edition)."""
    if name not in NAMES:
        raise ValueError(f"no chapter {name!r}; the chapters are {', '.join(NAMES)}")
    module = import_module(f".{name.replace('-', '_')}", __name__)
    if getattr(module, "NEEDS_MAIN", False):
        report.edition(S)
    return dataclasses.replace(module.facts(S, loaded), name=name)
