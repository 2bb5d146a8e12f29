"""Made-up data of the shapes the figures read, and one of each kind of figure the chapters
draw (test_charts.py, test_images.py, test_delivery.py)."""

from types import SimpleNamespace as NS

import numpy as np
from mnistcompare.book.plots import charts, images
from mnistcompare.core.records import Epoch, Network


def network(n=3, base=1.0):
    history = tuple(Epoch(e, base / e, base / e + 0.1, 0.8 + 0.05 * e, 0.5, 0.1, 1000.0) for e in range(1, n + 1))
    return Network(
        history=history,
        parameter_count=101770,
        confusion_matrix=(np.eye(10, dtype=int) * 9 + 1).tolist(),
        peak_memory_bytes=2**20,
        peak_memory_method="tracemalloc",
        rss_peak_growth_bytes=2**21,
    )


RUN = NS(models={m: network() for m in ("numpy", "pytorch")})  # the parts of a records.Run the figures read


def every_figure():
    """One of each kind of figure the chapters draw: charts, panels and matplotlib figures."""
    b = NS(
        digits=(3, 8),
        grid_x=[0.0, 1.0],
        grid_y=[0.0, 1.0],
        test_points=[[0.2, 0.2], [0.8, 0.8]],
        test_labels=[0, 1],
        classifiers={"logistic": NS(grid=[0, 0, 1, 1], accuracy_2d=0.9)},
    )
    return {
        "fig-time": charts.epoch_times(RUN, "alt: times"),
        "fig-s": charts.series_curves(
            {"a": [{"epoch": 1, "value": 1.0}, {"epoch": 2, "value": 0.5}]}, "alt: series", "fig-s", metric="value"
        ),
        "fig-pca": charts.pca_scatter(
            np.random.default_rng(0).normal(size=(50, 2)), np.arange(50) % 10, [0.1, 0.07], "alt: pca"
        ),
        "fig-curves": charts.training_curves(RUN, "alt: curves"),
        "fig-confusion": charts.confusion_matrices(RUN, "alt: confusion"),
        "fig-boundary": images.decision_boundaries(b, "alt: boundary"),
        "fig-misclassified": images.digit_gallery(np.eye(5, 784), np.arange(5), np.arange(5) + 1, "alt: gallery"),
    }
