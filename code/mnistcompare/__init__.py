"""mnistcompare: a two-layer network on MNIST, by hand in NumPy and in PyTorch.

Data -> models -> training -> study -> book, one idea per module:

  core (trains)
    paths       where params.yml, the data and the cache live
    params      the parameters, validated (file, quick mode, environment, flags)
    data        MNIST files, checksums, arrays
    numpy_mlp   the network written by hand (forward, backward, SGD)
    torch_mlp   the same network with torch.nn and torch.optim
    measure     instruments: threads, peak memory, the machine's description
    training    one driver for both, recording loss, accuracy, time and memory
    epoch_timing  one epoch of each trainer timed side by side (the study's benchmark and make bench's)
    atomic      files written whole or not at all
  the study
    analysis    PCA, decision boundaries, convergence, complexity, spreads, gradient checks
    runner      independent experiments side by side (worker processes or a Dask cluster)
    study       every experiment the book reports, cached on disk
  the book's presentation
    plots       figures: Altair in HTML, static images in the PDF
    report      numbers as text, tables (Markdown in HTML, LaTeX in the PDF), the banner
    verdicts    comparisons and conclusions as words, each by a stated rule
    bench_tables the saved benchmark (benchmarks/results/bench.json) as the book's tables
  the command line
    cli         python -m mnistcompare {data,params,run,study,study-key}

The benchmark harness lives outside the package, in benchmarks/ (`make bench`).
"""

__version__ = "0.1.0"
