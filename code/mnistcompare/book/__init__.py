"""The book's presentation layer: what the chapters call to show the study.

  chapters/     one module per chapter: its facts (sentences, numbers as text), figures
                and tables, computed from the study and the parameters in force
  verdicts      comparisons: decisions by stated rules, with the numbers they were taken on
                (the intervals over seeds and the margins are the study's: study/stats.py)
  labels        the words for the study's names (networks, experiments, what diverged)
  plots/        the figures: what each draws (charts, images), how it reaches the reader
                (delivery: interactive in HTML, a static export in the PDF, light and
                dark), the colours of each scheme (palettes)
  formatting    numbers and lists as text
  markdown      prose, statements and tables (Markdown in HTML, LaTeX floats in the PDF)
  listings      the package's own code as the book lists it
  provenance    the parameters in force, what changed from the defaults, the edition
  bench_tables  the benchmark's tables (the study's, and make bench's saved run for bench.md)
  contents      the chapters by name, the repository's and the notebooks' addresses
  notebooks     every chapter as a Jupyter notebook

A chapter's Python is the shared set-up (chapters/_setup.qmd: S = book.load_study())
and one call, F = book.chapter("<name>", S). This layer changes words, never numbers:
it is not in the study's cache key.
"""


def load_study():
    """The study for the parameters in force (params.yml, quick mode, the environment),
    from the cache or computed once, as typed records (study/records.py)."""
    from .. import study

    return study.load_or_compute(progress=False)


def chapter(name: str, S):
    """The facts, figures and tables of one chapter (book/chapters/)."""
    from .chapters import chapter as facts

    return facts(name, S)


def values(*quoted):
    """The values a paragraph of a chapter's notebook quotes, numbered as its markers
    [1], [2], ... (book/notebooks.py), as Markdown."""
    from .markdown import Statement

    return Statement("\n".join(f"- **[{i}]** {value}" for i, value in enumerate(quoted, 1)))
