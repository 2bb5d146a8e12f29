"""Figures for the book: one Altair definition per chart, interactive in HTML and a
static vector image everywhere else (the PDF, plain Python).

Quarto executes every chapter once per output format and never converts Altair
output for the PDF, so `show()` asks `output_format()` what to hand over: the chart
itself in HTML, or the same chart exported by vl-convert (which bundles Vega and
needs no network) as a PDF for LaTeX and a PNG elsewhere. Quarto (>= 1.8) names a
JSON file in QUARTO_EXECUTE_INFO whose format.identifier["base-format"] is "html",
"pdf", ...; outside Quarto a Jupyter kernel gets the interactive chart and plain
Python the static one. matplotlib draws only what Vega cannot carry lightly: the
decision regions (three 150x150 rasters) and the image gallery.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

from .labels import BOUNDARY_TITLES, MODEL_LABELS

MODEL_COLORS = {"numpy": "#E66100", "pytorch": "#5D3A9B"}
METRIC_LABELS = {"train_loss": "training loss", "test_loss": "test loss", "test_accuracy": "test accuracy"}


# The site's text column is 678 px wide at a 1280-px window, and vega-embed adds 38 px
# on the right for its actions menu: every chart, legend and axes included, fits in
# CHART_PX. Legends go below the plot, where they take no width and are never cut.
CHART_PX = 630
# matplotlib figures (the decision regions, the digit gallery) in inches: the site shows
# them at 96 px per inch, so 6.8 in (653 px, a little more once the tight bounding box
# takes in the labels) stays inside the text column; the render check holds them to it.
FIGURE_IN = 6.8


def _bottom_legends(chart, columns: int = 2):
    """Legends below the plot, where they take no width and their labels are never cut."""
    return chart.configure_legend(orient="bottom", direction="horizontal", columns=columns, labelLimit=0, titleLimit=0)


def _data(rows: list[dict]) -> dict:
    """Rows for a chart, without pandas (half a second in every chapter's kernel; the
    encodings name every field's type). A plain {"values": ...} goes, like a DataFrame,
    into the spec's datasets without a JSON-schema check of every row; alt.Data(values=...)
    would check all of them, twice (seconds for the PCA scatter)."""
    return {"values": rows}


def _epoch_axis(epochs, max_ticks: int = 10):
    """Whole epochs only (Vega would put ticks at 1.5 and print them as 2): at most
    `max_ticks` of them, evenly spaced from the first."""
    import math

    import altair as alt

    epochs = sorted({int(e) for e in epochs})
    step = max(1, math.ceil(len(epochs) / max_ticks))
    return alt.X("epoch:Q", title="epoch", axis=alt.Axis(values=epochs[::step], format="d"))


def _log_y(label: str, values):
    """A log y axis with one tick format: plain numbers (0.5, 1, 2), or exponents (2e-7, 1e-6)
    when the values are tiny, never a mix of the two."""
    import altair as alt

    fmt = ".0e" if min(values, default=1.0) < 1e-3 else "~g"
    return alt.Y("value:Q", title=label, scale=alt.Scale(type="log"), axis=alt.Axis(format=fmt))


def base_format() -> str | None:
    """Quarto's base format for this execution ("html", "pdf", ...), None outside Quarto."""
    info = os.environ.get("QUARTO_EXECUTE_INFO")
    if not info:
        return None
    try:
        with open(info) as fh:
            return json.load(fh)["format"]["identifier"]["base-format"]
    except (OSError, KeyError, TypeError, ValueError):
        return "unknown"


def output_format() -> str:
    """"html" for an interactive chart, "static" for an image."""
    forced = os.environ.get("MNISTCOMPARE_FIGURES", "").strip()
    if forced in ("html", "static"):
        return forced
    base = base_format()
    if base is not None:
        return "html" if base == "html" else "static"
    return "html" if "ipykernel" in sys.modules else "static"


class StaticChart:
    """An Altair chart exported by vl-convert: a vector PDF for LaTeX, a PNG elsewhere."""

    def __init__(self, chart):
        self.spec = chart.to_dict()

    def pdf(self) -> bytes:
        import vl_convert as vlc

        return vlc.vegalite_to_pdf(self.spec)

    def png(self, scale: float = 2.0) -> bytes:
        import vl_convert as vlc

        return vlc.vegalite_to_png(self.spec, scale=scale)

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        if base_format() == "pdf":
            return {"application/pdf": base64.b64encode(self.pdf()).decode(), "text/plain": "<chart (PDF)>"}
        return {"image/png": base64.b64encode(self.png()).decode(), "text/plain": "<chart (PNG)>"}


def show(chart):
    """The chart as this output format needs it (see the module's docstring)."""
    return chart if output_format() == "html" else StaticChart(chart)


def _figure(nrows: int = 1, ncols: int = 1, width: float = FIGURE_IN, height: float = 3.0, **kw):
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", squeeze=False, **kw)
    plt.close(fig)  # returned, not auto-shown: one display per cell
    return fig, axes


def _model_scale():
    import altair as alt

    return alt.Scale(domain=[MODEL_LABELS[m] for m in MODEL_COLORS], range=list(MODEL_COLORS.values()))


def _model_dash():
    """Solid for NumPy, dashed for PyTorch: overlaid curves stay apart in grey print too."""
    import altair as alt

    return alt.Scale(domain=[MODEL_LABELS[m] for m in MODEL_COLORS], range=[[1, 0], [6, 3]])


def _history_rows(runs: dict[str, list[dict]], metrics: tuple[str, ...]) -> list[dict]:
    """Long-format rows: one per (series, epoch, metric)."""
    return [{"series": series, "epoch": row["epoch"], "metric": METRIC_LABELS.get(m, m), "value": row[m]}
            for series, history in runs.items() for row in history for m in metrics]


def training_curves(results: dict, metrics: tuple[str, ...] = ("train_loss", "test_loss", "test_accuracy")):
    """Each metric per epoch, both models overlaid (legend click highlights one)."""
    import altair as alt

    runs = {MODEL_LABELS[m]: r["history"] for m, r in results["models"].items()}
    pick = alt.selection_point(fields=["series"], bind="legend")
    rows = _history_rows(runs, metrics)
    base = alt.Chart(_data(rows)).mark_line(point=True).encode(
        x=_epoch_axis([r["epoch"] for r in rows], max_ticks=5),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title="model", scale=_model_scale()),
        strokeDash=alt.StrokeDash("series:N", title="model", scale=_model_dash()),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
        tooltip=["series:N", "metric:N", "epoch:Q", alt.Tooltip("value:Q", format=".5f")],
    ).properties(width=CHART_PX // len(metrics) - 65, height=180).add_params(pick)
    return show(_bottom_legends(base.facet(column=alt.Column("metric:N", title=None, sort=[METRIC_LABELS[m] for m in metrics])
                                           ).resolve_scale(y="independent").interactive()))


def series_curves(runs: dict[str, list[dict]], metric: str = "test_loss", title: str | None = None,
                  log_y: bool = False, points: list[dict] | None = None):
    """Several named histories on one axis (e.g. initialisations, seeds, the study's values as points)."""
    import altair as alt

    label = title or METRIC_LABELS.get(metric, metric)
    pick = alt.selection_point(fields=["series"], bind="legend")
    rows = [{"series": s, "epoch": r["epoch"], "value": r[metric]} for s, h in runs.items() for r in h]
    y = (_log_y(label, [r["value"] for r in rows]) if log_y
         else alt.Y("value:Q", title=label, scale=alt.Scale(zero=False)))
    chart = alt.Chart(_data(rows)).mark_line(point=True).encode(
        x=_epoch_axis([r["epoch"] for r in rows]), y=y, color=alt.Color("series:N", title=None),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
        tooltip=["series:N", "epoch:Q", alt.Tooltip("value:Q", format=".5g")],
    ).add_params(pick)
    if points:
        chart += alt.Chart(_data(points)).mark_point(shape="diamond", size=120, filled=True).encode(
            x="epoch:Q", y="value:Q", color=alt.Color("series:N"), tooltip=["series:N", "epoch:Q", "value:Q", "note:N"])
    return show(_bottom_legends(chart.properties(width=CHART_PX - 80, height=280).interactive()))


def epoch_times(results: dict):
    """Training seconds per epoch for each model."""
    import altair as alt

    runs = {MODEL_LABELS[m]: r["history"] for m, r in results["models"].items()}
    rows = [{"model": s, "epoch": r["epoch"], "seconds": r["seconds"], "images per second": r["samples_per_second"]}
            for s, h in runs.items() for r in h]
    chart = alt.Chart(_data(rows)).mark_line(point=True).encode(
        x=_epoch_axis([r["epoch"] for r in rows]), y=alt.Y("seconds:Q", title="training seconds per epoch", scale=alt.Scale(zero=True)),
        color=alt.Color("model:N", scale=_model_scale()),
        tooltip=["model:N", "epoch:Q", alt.Tooltip("seconds:Q", format=".3f"), alt.Tooltip("images per second:Q", format=",.0f")],
    ).properties(width=CHART_PX - 80, height=240).interactive()
    return show(_bottom_legends(chart))


PCA_POINTS = 4000  # the PCA scatter's seeded sample: enough to see the clusters, light enough for a page


def pca_scatter(scores: np.ndarray, labels: np.ndarray, explained: list[float], max_points: int = PCA_POINTS, seed: int = 0):
    """PC1 vs PC2 coloured by digit; in HTML a legend click isolates digits and the
    view zooms. A seeded sample of `max_points` keeps the page light."""
    import altair as alt

    scores, labels = np.asarray(scores), np.asarray(labels)
    if len(labels) > max_points:
        idx = np.sort(np.random.default_rng(seed).choice(len(labels), max_points, replace=False))
        scores, labels = scores[idx], labels[idx]
    xl, yl = f"PC1 ({explained[0]:.1%} of variance)", f"PC2 ({explained[1]:.1%} of variance)"
    rows = [{"PC1": x, "PC2": y, "digit": str(d)} for x, y, d in zip(scores[:, 0].tolist(), scores[:, 1].tolist(), labels.tolist())]
    pick = alt.selection_point(fields=["digit"], bind="legend")
    chart = alt.Chart(_data(rows)).mark_circle(size=14).encode(
        x=alt.X("PC1:Q", title=xl), y=alt.Y("PC2:Q", title=yl),
        color=alt.Color("digit:N", scale=alt.Scale(scheme="tableau10")),
        opacity=alt.condition(pick, alt.value(0.8), alt.value(0.03)),
        tooltip=["digit:N", alt.Tooltip("PC1:Q", format=".2f"), alt.Tooltip("PC2:Q", format=".2f")],
    ).add_params(pick).properties(width=CHART_PX - 80, height=420).interactive()
    return show(_bottom_legends(chart, columns=10))


def decision_boundaries(b: dict):
    """One panel per classifier: predicted region on the PCA plane, test points on top.
    A static image in both formats: three 150x150 region maps are too heavy for Vega."""
    a, d = b["digits"]
    xs, ys = np.asarray(b["grid_x"]), np.asarray(b["grid_y"])
    pts, lab = np.asarray(b["test_points"]), np.asarray(b["test_labels"])
    names = list(b["classifiers"])
    fig, axes = _figure(1, len(names), width=FIGURE_IN, height=2.7, sharex=True, sharey=True)
    from matplotlib.colors import ListedColormap

    for ax, name in zip(axes[0], names):
        c = b["classifiers"][name]
        if c["grid"] is None:  # the network diverged on the two components: its panel says so
            ax.text(0.5, 0.5, "diverged:\nno regions", ha="center", va="center", transform=ax.transAxes, fontsize=9)
            ax.set_title(f"{BOUNDARY_TITLES.get(name, name)}\n(diverged)", fontsize=9)
            ax.set_xlabel("PC1")
            continue
        region = np.asarray(c["grid"]).reshape(len(ys), len(xs))
        ax.pcolormesh(xs, ys, region, cmap=ListedColormap(["#c6dbef", "#fcbba1"]), shading="auto", rasterized=True)
        for cls, color, digit in ((0, "#08519c", a), (1, "#a50f15", d)):
            m = lab == cls
            ax.scatter(pts[m, 0], pts[m, 1], s=2, color=color, alpha=0.5, label=f"digit {digit}", rasterized=True)
        ax.set_title(f"{BOUNDARY_TITLES.get(name, name)}\n2-D accuracy {c['accuracy_2d']:.1%}", fontsize=9)
        ax.set_xlabel("PC1")
    axes[0][0].set_ylabel("PC2")
    axes[0][0].legend(fontsize=7, markerscale=4, loc="lower left")
    return fig


def confusion_matrices(results: dict):
    """Row-normalised confusion matrix per model (counts in the cells and the tooltip)."""
    import altair as alt

    mats = {m: np.asarray(r["confusion_matrix"]) for m, r in results["models"].items()}
    rows = [{"model": MODEL_LABELS[m], "true": i, "predicted": j, "count": int(c[i, j]),
             "share of true class": float(c[i, j] / c[i].sum())}
            for m, c in mats.items() for i in range(10) for j in range(10)]
    base = alt.Chart(_data(rows)).encode(x="predicted:O", y="true:O")
    heat = base.mark_rect().encode(
        color=alt.Color("share of true class:Q", scale=alt.Scale(type="sqrt", scheme="blues"), legend=alt.Legend(format=".0%")),
        tooltip=["model:N", "true:O", "predicted:O", "count:Q", alt.Tooltip("share of true class:Q", format=".2%")])
    text = base.mark_text(fontSize=8).encode(text="count:Q", color=alt.condition("datum['share of true class'] > 0.5", alt.value("white"), alt.value("black")))
    side = CHART_PX // 2 - 60
    return show(_bottom_legends((heat + text).properties(width=side, height=side).facet(column=alt.Column("model:N", title=None))))


def digit_gallery(images: np.ndarray, true: np.ndarray, pred: np.ndarray, ncols: int = 12):
    """Misclassified digits with 'true -> predicted' captions (static in both formats).

    One image of all the digits side by side, drawn on a single axes: a grid of 36
    small axes costs a render seconds, the montage a fraction of one."""
    n = len(images)
    nrows = max(1, -(-n // ncols))
    side, gap, band = 28, 4, 12  # pixels: a digit, the space between, the caption above it
    cell_w, cell_h = side + gap, side + band
    sheet = np.zeros((nrows * cell_h, ncols * cell_w))  # 0 is white in gray_r
    for k in range(n):
        r, c = divmod(k, ncols)
        sheet[r * cell_h + band:(r + 1) * cell_h, c * cell_w:c * cell_w + side] = images[k].reshape(side, side)
    fig, axes = _figure(1, 1, width=FIGURE_IN, height=FIGURE_IN * sheet.shape[0] / sheet.shape[1])
    ax = axes[0, 0]
    ax.imshow(sheet, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    for k in range(n):
        r, c = divmod(k, ncols)
        ax.text(c * cell_w + side / 2, r * cell_h + band - 2, f"{true[k]}→{pred[k]}", ha="center", va="bottom", fontsize=8)
    ax.axis("off")
    return fig
