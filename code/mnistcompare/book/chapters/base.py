"""What every chapter's facts share: the study they come from, the verdicts they took,
and what stands in for a result whose network diverged."""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import study
from .. import labels
from ..report import Prose, Statement
from ..verdicts import Verdict


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """A chapter's facts. Subclasses add their facts as str fields (used inline) and their
    figures and tables as methods."""

    S: dict = field(repr=False, compare=False)
    verdicts: dict[str, Verdict] = field(default_factory=dict, repr=False, compare=False)
    name: str = ""  # the chapter's .qmd name (chapters.NAMES)

    def notebook(self) -> Statement | None:
        """On the site, under the chapter's title: its notebook to download, or to open in
        Colab (book/notebooks.py builds them). Nothing in the PDF or in the notebook itself."""
        from ...core import paths
        from ..contents import colab_url, repo_url
        from ..plots import base_format

        if base_format() != "html":
            return None
        here = "notebooks" if self.name == "index" else "../notebooks"
        colab = colab_url(repo_url(paths.project_root()), self.name)
        return Statement(f"Run this chapter yourself: [download it as a notebook]({here}/{self.name}.ipynb) "
                         f"or [open it in Colab]({colab}).")


def diverged(S: dict, *experiments: str) -> list[dict]:
    """The divergence records of the named experiments (empty when they all trained)."""
    return study.diverged(S, *experiments)


def missing(S: dict, *experiments: str) -> str | None:
    """None when the named experiments trained; else the sentence that stands in place of
    what needs them: which network of which run diverged, in which epoch, with which
    learning rate, and which loss."""
    found = diverged(S, *experiments)
    return labels.not_shown(found) if found else None


def either(S: dict, experiments: tuple[str, ...], make) -> str:
    """make() when the experiments trained, else the statement of what diverged."""
    gone = missing(S, *experiments)
    return Prose(gone) if gone else make()


def shown(S: dict, experiments: tuple[str, ...], make):
    """A figure or table: make() when the experiments trained, else a Statement of what
    diverged in its place."""
    gone = missing(S, *experiments)
    return Statement(gone) if gone else make()
