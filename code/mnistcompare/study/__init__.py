"""The study: every experiment the book reports, the analyses, the cache.

  registry      every experiment, declared once: its name, what it trains, how its
                parameters derive from params.yml, its networks
  experiments   the registry computed once and cached in _cache/ (load_or_compute)
  records       the study's own records around the runs' (core/records.py)
  pca, boundaries, spread, gradients, complexity
                the analyses: principal components, 3 versus 8, the seeds' spread and
                the misclassified images, the gradient check, lines of code
  runner        independent experiments side by side (worker processes or a Dask cluster)
  checkpoints   each finished run kept until the study is written, so an interrupt loses none
  stats         intervals over seeds, margins, Holm's correction, ratios of times
  sequential    seeds added in rounds until every question is decided, up to a cap

The book calls `study.load_or_compute()` (a records.Study); the names below are the study's public API.
"""

from .experiments import (
    DamagedCacheWarning,
    cache_key,
    compute,
    divergences,
    load_or_compute,
    side_by_side_tasks,
    study_sources,
)
from .registry import BENCH_REPEATS, BY_NAME, EXPERIMENTS

__all__ = [
    "BENCH_REPEATS",
    "BY_NAME",
    "EXPERIMENTS",
    "DamagedCacheWarning",
    "cache_key",
    "compute",
    "divergences",
    "load_or_compute",
    "side_by_side_tasks",
    "study_sources",
]
