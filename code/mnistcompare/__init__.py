"""mnistcompare: a two-layer network on MNIST, by hand in NumPy and in PyTorch.

Data -> models -> training -> study -> book, one layer per folder, one idea per module:

  core/    the core that trains: paths, params, data, numpy_mlp, numpy_fast, torch_mlp, measure,
           training, epoch_timing, atomic
  study/   every experiment the book reports (registry, experiments), the analyses
           (analysis), independent experiments side by side (runner)
  book/    the book's presentation: chapters/, verdicts, labels, plots/, formatting, markdown,
           listings, provenance, qmd, bench_tables
  cli.py   python -m mnistcompare {data,params,run,study,study-key}

Imports run downwards only: book -> study -> core. The benchmark harness lives
outside the package, in benchmarks/ (`make bench`), a user of the package like any other.
"""

__version__ = "0.1.0"
