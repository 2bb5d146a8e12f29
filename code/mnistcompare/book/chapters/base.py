"""What every chapter's facts share: the study they come from, the verdicts they took,
and what stands in for a result whose network diverged."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...study.records import Study
from .. import labels
from ..markdown import Prose, Statement
from ..verdicts import NotTaken, Verdicts


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """A chapter's facts. Subclasses add their facts as str fields (inserted inline: a
    number, a short quantity, or whole sentences) and their figures and tables as methods.
    `verdicts` are the study's (verdicts.of), taken once for every chapter."""

    S: Study = field(repr=False, compare=False)
    verdicts: Verdicts = field(repr=False, compare=False)
    name: str = ""  # the chapter's .qmd name (contents.NAMES)

    def notebook(self) -> Statement | None:
        """On the site, under the chapter's title: its notebook to download, or to open in
        Colab (book/notebooks.py builds them). Nothing in the PDF or in the notebook itself."""
        from ...core import paths
        from ..contents import colab_url, repo_url
        from ..plots.delivery import base_format

        if base_format() != "html":
            return None
        here = "notebooks" if self.name == "index" else "../notebooks"
        colab = colab_url(repo_url(paths.project_root()), self.name)
        return Statement(
            f"Run this chapter yourself: [download it as a notebook]({here}/{self.name}.ipynb) "
            f"or [open it in Colab]({colab})."
        )


def missing(S: Study, *experiments: str) -> str | None:
    """None when the named experiments trained; else the sentence that stands in place of
    what needs them: which network of which run diverged, in which epoch, with which
    learning rate, and which loss."""
    found = S.divergences(*experiments)
    return labels.not_shown(found) if found else None


def either(S: Study, experiments: tuple[str, ...], make) -> str:
    """make() when the experiments trained, else the sentence of what diverged."""
    gone = missing(S, *experiments)
    return Prose(gone) if gone else make()


def shown(S: Study, experiments: tuple[str, ...], make):
    """A figure or table: make() when the experiments trained, else a Statement of what
    diverged in its place."""
    gone = missing(S, *experiments)
    return Statement(gone) if gone else make()


def not_taken(v: NotTaken) -> str:
    """The sentence that stands in place of what a verdict that was not taken would say."""
    return Prose(labels.not_shown(v.diverged))
