"""The book's presentation layer: what the chapters call to show the study.

  plots         one Altair chart per figure (interactive in HTML, a static export in the PDF)
  report        numbers as text, tables (Markdown in HTML, LaTeX floats in the PDF), the banner
  verdicts      comparisons and conclusions as words, each by a stated rule
  bench_tables  the saved benchmark (benchmarks/results/bench.json) as the book's tables

It changes words, never numbers: these modules are not in the study's cache key.
"""
