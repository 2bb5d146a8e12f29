"""The figures that matplotlib draws, as images in every format: the decision regions
(three 150x150 rasters) and the gallery of misclassified digits, which Vega cannot carry
lightly. Each is drawn in a palette's colours (`draw(palette)`) and handed to
book/plots/delivery.py (`show_matplotlib`), which writes it once per colour scheme.
"""

from __future__ import annotations

import sys

import numpy as np

from ..labels import classifier
from .delivery import FIGURE_IN, show_matplotlib
from .palettes import LIGHT, Palette


def _figure(nrows: int = 1, ncols: int = 1, width: float = FIGURE_IN, height: float = 3.0, **kw):
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", squeeze=False, **kw)
    plt.close(fig)  # returned, not auto-shown: one display per cell
    return fig, axes


def decision_boundaries(b, alt_text: str, name: str = "fig-boundary"):
    """One panel per classifier (records.Boundaries): predicted region on the PCA plane, test
    points on top. A static image in both formats: three 150x150 region maps are too heavy
    for Vega."""
    a, d = b.digits
    xs, ys = np.asarray(b.grid_x), np.asarray(b.grid_y)
    pts, lab = np.asarray(b.test_points), np.asarray(b.test_labels)
    keys = list(b.classifiers)

    def draw(palette: Palette):
        from matplotlib.colors import ListedColormap

        fig, axes = _figure(1, len(keys), width=FIGURE_IN, height=2.7, sharex=True, sharey=True)
        for ax, key in zip(axes[0], keys):
            c = b.classifiers[key]
            if c.grid is None:  # the network diverged on the two components: its panel says so
                ax.text(0.5, 0.5, "diverged:\nno regions", ha="center", va="center", transform=ax.transAxes, fontsize=9)
                ax.set_title(f"{classifier(key)}\n(diverged)", fontsize=9)
                ax.set_xlabel("PC1")
                continue
            region = np.asarray(c.grid).reshape(len(ys), len(xs))
            ax.pcolormesh(xs, ys, region, cmap=ListedColormap(list(palette.regions)), shading="auto", rasterized=True)
            for cls, color, digit in ((0, palette.points[0], a), (1, palette.points[1], d)):
                m = lab == cls
                ax.scatter(pts[m, 0], pts[m, 1], s=2, color=color, alpha=0.5, label=f"digit {digit}", rasterized=True)
            ax.set_title(f"{classifier(key)}\n2-D accuracy {c.accuracy_2d:.1%}", fontsize=9)
            ax.set_xlabel("PC1")
        axes[0][0].set_ylabel("PC2")
        axes[0][0].legend(fontsize=7, markerscale=4, loc="lower left")
        return fig

    return show_matplotlib(draw, alt_text, name)


def digit_gallery(
    images: np.ndarray,
    true: np.ndarray,
    pred: np.ndarray,
    alt_text: str,
    name: str = "fig-misclassified",
    ncols: int = 12,
):
    """Misclassified digits with 'true -> predicted' captions (static in both formats).

    One image of all the digits side by side, drawn on a single axes: a grid of 36
    small axes costs a render seconds, the montage a fraction of one."""
    n = len(images)
    nrows = max(1, -(-n // ncols))
    side, gap, band = 28, 4, 12  # pixels: a digit, the space between, the caption above it
    cell_w, cell_h = side + gap, side + band
    sheet = np.zeros((nrows * cell_h, ncols * cell_w))  # 0 is an empty pixel: the background
    for k in range(n):
        r, c = divmod(k, ncols)
        sheet[r * cell_h + band : (r + 1) * cell_h, c * cell_w : c * cell_w + side] = images[k].reshape(side, side)

    def draw(palette: Palette):
        from matplotlib.colors import LinearSegmentedColormap

        fig, axes = _figure(1, 1, width=FIGURE_IN, height=FIGURE_IN * sheet.shape[0] / sheet.shape[1])
        ax = axes[0, 0]
        ink = "gray_r" if palette is LIGHT else LinearSegmentedColormap.from_list("ink", list(palette.ink))
        ax.imshow(sheet, cmap=ink, vmin=0, vmax=1, interpolation="nearest")
        for k in range(n):
            r, c = divmod(k, ncols)
            ax.text(
                c * cell_w + side / 2,
                r * cell_h + band - 2,
                f"{true[k]}→{pred[k]}",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.axis("off")
        return fig

    return show_matplotlib(draw, alt_text, name)
