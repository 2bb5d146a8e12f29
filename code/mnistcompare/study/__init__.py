"""The study: every experiment the book reports, the analyses, the cache.

  experiments   the experiments, computed once and cached in _cache/ (load_or_compute)
  analysis      PCA, decision boundaries, convergence, spreads, gradient check, lines of code
  runner        independent experiments side by side (worker processes or a Dask cluster)

The chapters call `study.load_or_compute()`; the names below are the study's public API.
"""

from .experiments import (BENCH_REPEATS, TRAINING_EXPERIMENTS, cache_key, compute, divergences, edition,
                          load_or_compute, side_by_side_tasks, study_sources, time_budget)

__all__ = ["BENCH_REPEATS", "TRAINING_EXPERIMENTS", "cache_key", "compute", "divergences", "edition",
           "load_or_compute", "side_by_side_tasks", "study_sources", "time_budget"]
