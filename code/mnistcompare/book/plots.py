"""Figures for the book: one Altair definition per chart, interactive in HTML and a
static vector image everywhere else (the PDF, plain Python), each with its alternative
text (`alt_text`, written by the chapter from the figure's data).

Quarto executes every chapter once per output format and never converts Altair
output for the PDF, so `show()` asks `output_format()` what to hand over:

  HTML     the chart itself, as wide as the text column (a phone's included), its
           alternative text as the Vega-Lite description (the chart's aria-label;
           vega-embed draws SVG); charts of several panels in a row that wraps on a
           narrow screen (`Panels`)
  static   the same chart exported by vl-convert (which bundles Vega and needs no
           network) at the fixed size the PDF's column takes: in a Quarto render a
           Markdown image with fig-alt of a file in figures/ (a vector PDF for LaTeX,
           a PNG for the site), outside Quarto the PNG itself (`StaticFigure`)

Quarto (>= 1.8) names a JSON file in QUARTO_EXECUTE_INFO whose
format.identifier["base-format"] is "html", "pdf", ...; outside Quarto a Jupyter kernel
gets the interactive chart and plain Python the static one. matplotlib draws only what
Vega cannot carry lightly, the decision regions (three 150x150 rasters) and the image
gallery: a StaticFigure in every format, so that its image carries its alt text too.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from pathlib import Path
from typing import Callable

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


# Where a Quarto render writes the image files of its figures, beside the chapter.
FIGURES_DIR = Path("figures")


def markdown_image(path: Path, alt_text: str) -> str:
    """An image with its alternative text as Quarto reads it: ![](path){fig-alt="..."}."""
    return f'![]({path.as_posix()}){{fig-alt="{alt_text.replace(chr(34), chr(39))}"}}'


class StaticFigure:
    """A figure as an image file with its alternative text.

    In a Quarto render: the image written to figures/<name>.pdf (the PDF) or .png (the
    site) and shown as a Markdown image with fig-alt, so that the site's <img> has alt=
    and the PDF carries it where LaTeX can. Elsewhere (plain Python, a notebook): the
    PNG itself. `source` is what was drawn (an Altair spec or a matplotlib figure)."""

    def __init__(self, name: str, alt_text: str, render: dict[str, Callable[[], bytes]], source=None):
        self.name, self.alt, self.render, self.source = name, alt_text, render, source

    def png(self) -> bytes:
        return self.render["png"]()

    def _repr_mimebundle_(self, include=None, exclude=None):
        fmt = base_format()
        if fmt in (None, "unknown"):
            return {"image/png": base64.b64encode(self.png()).decode(), "text/plain": f"<figure {self.name}>"}
        ext = "pdf" if fmt == "pdf" else "png"
        path = FIGURES_DIR / f"{self.name}.{ext}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(self.render[ext]())
        return {"text/markdown": markdown_image(path, self.alt), "text/plain": f"<figure {self.name}>"}


def static_chart(chart, alt_text: str, name: str) -> StaticFigure:
    """An Altair chart exported by vl-convert: a vector PDF, or a PNG at twice the size."""
    import vl_convert as vlc

    spec = chart.to_dict()
    return StaticFigure(name, alt_text, {"pdf": lambda: vlc.vegalite_to_pdf(spec),
                                    "png": lambda: vlc.vegalite_to_png(spec, scale=2.0)}, source=spec)


def static_matplotlib(fig, alt_text: str, name: str) -> StaticFigure:
    def save(fmt: str, **kw) -> bytes:
        out = io.BytesIO()
        fig.savefig(out, format=fmt, bbox_inches="tight", **kw)
        return out.getvalue()

    return StaticFigure(name, alt_text, {"pdf": lambda: save("pdf"), "png": lambda: save("png", dpi=150)}, source=fig)


def show(chart, alt_text: str, name: str):
    """The chart as this output format needs it (see the module's docstring), described by
    `alt_text`, the figure's alternative text; `name` names its image file."""
    import altair as alt

    chart = chart.properties(description=alt_text)
    if output_format() == "html":
        alt.renderers.set_embed_options(renderer="svg")  # Vega's ARIA attributes are the SVG renderer's
        return chart
    return static_chart(chart, alt_text, name)


def width(static_px: int):
    """A chart's width: its container's in HTML (the text column, a phone's included), the
    fixed width the PDF's column takes otherwise."""
    return "container" if output_format() == "html" else static_px


class Panels:
    """Several charts in a row that wraps onto the next line when the screen is narrow: on a
    phone each panel takes the whole width. HTML only; the static figure is a facet."""

    def __init__(self, charts: list, alt_text: str, min_px: int = 200):
        self.charts, self.alt, self.min_px = charts, alt_text, min_px

    def _repr_html_(self) -> str:
        import altair as alt

        alt.renderers.set_embed_options(renderer="svg")
        render = alt.renderers.get()
        parts = "".join(f'<div style="flex: 1 1 {self.min_px}px; min-width: {self.min_px}px">'
                        f'{render(c.to_dict())["text/html"]}</div>' for c in self.charts)
        label = self.alt.replace('"', "'")
        return f'<div class="chart-panels" role="group" aria-label="{label}" style="display: flex; flex-wrap: wrap; gap: 8px">{parts}</div>'


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


def _history_rows(runs: dict[str, tuple], metrics: tuple[str, ...]) -> list[dict]:
    """Long-format rows: one per (series, epoch, metric), from networks' histories (records.Epoch)."""
    return [{"series": series, "epoch": e.epoch, "metric": METRIC_LABELS.get(m, m), "value": getattr(e, m)}
            for series, history in runs.items() for e in history for m in metrics]


def training_curves(run, alt_text: str, name: str = "fig-curves",
                    metrics: tuple[str, ...] = ("train_loss", "test_loss", "test_accuracy")):
    """Each metric per epoch, both models overlaid (legend click highlights one): one panel
    per metric, side by side (a row that wraps on a narrow screen in HTML)."""
    import altair as alt

    runs = {MODEL_LABELS[m]: net.history for m, net in run.models.items()}
    rows = _history_rows(runs, metrics)

    def panel(rows: list[dict], panel_width, title=None):
        pick = alt.selection_point(fields=["series"], bind="legend")
        return alt.Chart(_data(rows), title=title or alt.Undefined).mark_line(point=True).encode(
            x=_epoch_axis([r["epoch"] for r in rows], max_ticks=5),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title="model", scale=_model_scale()),
            strokeDash=alt.StrokeDash("series:N", title="model", scale=_model_dash()),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
            tooltip=["series:N", "metric:N", "epoch:Q", alt.Tooltip("value:Q", format=".5f")],
        ).properties(width=panel_width, height=180).add_params(pick)

    if output_format() == "html":
        charts = [_bottom_legends(panel([r for r in rows if r["metric"] == METRIC_LABELS[m]], "container",
                                        METRIC_LABELS[m]).properties(description=f"{METRIC_LABELS[m]} per epoch, both networks overlaid (one panel of the figure)")
                                  .interactive(), columns=1) for m in metrics]
        return Panels(charts, alt_text)
    facet = panel(rows, CHART_PX // len(metrics) - 65).facet(
        column=alt.Column("metric:N", title=None, sort=[METRIC_LABELS[m] for m in metrics]))
    return show(_bottom_legends(facet.resolve_scale(y="independent").interactive()), alt_text, name)


def series_curves(runs: dict[str, list[dict]], alt_text: str, name: str, metric: str = "test_loss",
                  title: str | None = None, log_y: bool = False, points: list[dict] | None = None):
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
    return show(_bottom_legends(chart.properties(width=width(CHART_PX - 80), height=280).interactive()), alt_text, name)


def epoch_times(run, alt_text: str, name: str = "fig-time"):
    """Training seconds per epoch for each network of a run (records.Run)."""
    import altair as alt

    rows = [{"model": MODEL_LABELS[m], "epoch": e.epoch, "seconds": e.seconds, "images per second": e.samples_per_second}
            for m, net in run.models.items() for e in net.history]
    chart = alt.Chart(_data(rows)).mark_line(point=True).encode(
        x=_epoch_axis([r["epoch"] for r in rows]), y=alt.Y("seconds:Q", title="training seconds per epoch", scale=alt.Scale(zero=True)),
        color=alt.Color("model:N", scale=_model_scale()),
        tooltip=["model:N", "epoch:Q", alt.Tooltip("seconds:Q", format=".3f"), alt.Tooltip("images per second:Q", format=",.0f")],
    ).properties(width=width(CHART_PX - 80), height=240).interactive()
    return show(_bottom_legends(chart), alt_text, name)


PCA_POINTS = 4000  # the PCA scatter's seeded sample: enough to see the clusters, light enough for a page


def pca_scatter(scores: np.ndarray, labels: np.ndarray, explained: list[float], alt_text: str, name: str = "fig-pca",
                max_points: int = PCA_POINTS, seed: int = 0):
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
    ).add_params(pick).properties(width=width(CHART_PX - 80), height=420).interactive()
    return show(_bottom_legends(chart, columns=10), alt_text, name)


def decision_boundaries(b, alt_text: str, name: str = "fig-boundary"):
    """One panel per classifier (records.Boundaries): predicted region on the PCA plane, test
    points on top. A static image in both formats: three 150x150 region maps are too heavy
    for Vega."""
    a, d = b.digits
    xs, ys = np.asarray(b.grid_x), np.asarray(b.grid_y)
    pts, lab = np.asarray(b.test_points), np.asarray(b.test_labels)
    keys = list(b.classifiers)
    fig, axes = _figure(1, len(keys), width=FIGURE_IN, height=2.7, sharex=True, sharey=True)
    from matplotlib.colors import ListedColormap

    for ax, key in zip(axes[0], keys):
        c = b.classifiers[key]
        if c.grid is None:  # the network diverged on the two components: its panel says so
            ax.text(0.5, 0.5, "diverged:\nno regions", ha="center", va="center", transform=ax.transAxes, fontsize=9)
            ax.set_title(f"{BOUNDARY_TITLES.get(key, key)}\n(diverged)", fontsize=9)
            ax.set_xlabel("PC1")
            continue
        region = np.asarray(c.grid).reshape(len(ys), len(xs))
        ax.pcolormesh(xs, ys, region, cmap=ListedColormap(["#c6dbef", "#fcbba1"]), shading="auto", rasterized=True)
        for cls, color, digit in ((0, "#08519c", a), (1, "#a50f15", d)):
            m = lab == cls
            ax.scatter(pts[m, 0], pts[m, 1], s=2, color=color, alpha=0.5, label=f"digit {digit}", rasterized=True)
        ax.set_title(f"{BOUNDARY_TITLES.get(key, key)}\n2-D accuracy {c.accuracy_2d:.1%}", fontsize=9)
        ax.set_xlabel("PC1")
    axes[0][0].set_ylabel("PC2")
    axes[0][0].legend(fontsize=7, markerscale=4, loc="lower left")
    return static_matplotlib(fig, alt_text, name)


def confusion_matrices(run, alt_text: str, name: str = "fig-confusion"):
    """Row-normalised confusion matrix per network of a run (counts in the cells and the
    tooltip): one panel per network, side by side (a row that wraps on a narrow screen in HTML)."""
    import altair as alt

    mats = {m: np.asarray(net.confusion_matrix) for m, net in run.models.items()}
    rows = [{"model": MODEL_LABELS[m], "true": i, "predicted": j, "count": int(c[i, j]),
             "share of true class": float(c[i, j] / c[i].sum())}
            for m, c in mats.items() for i in range(10) for j in range(10)]

    def panel(rows: list[dict], side, title=None):
        base = alt.Chart(_data(rows), title=title or alt.Undefined).encode(x="predicted:O", y="true:O")
        heat = base.mark_rect().encode(
            color=alt.Color("share of true class:Q", scale=alt.Scale(type="sqrt", scheme="blues"),
                             legend=alt.Legend(format=".0%")),
            tooltip=["model:N", "true:O", "predicted:O", "count:Q", alt.Tooltip("share of true class:Q", format=".2%")])
        text = base.mark_text(fontSize=8).encode(text="count:Q", color=alt.condition(
            "datum['share of true class'] > 0.5", alt.value("white"), alt.value("black")))
        return (heat + text).properties(width=side, height=side if side != "container" else 260)

    if output_format() == "html":
        return Panels([_bottom_legends(panel([r for r in rows if r["model"] == label], "container", label)
                                       .properties(description=f"confusion matrix of {label} (one panel of the figure)"),
                                       columns=1)
                       for label in (MODEL_LABELS[m] for m in mats)], alt_text, min_px=260)
    side = CHART_PX // 2 - 60
    return show(_bottom_legends(panel(rows, side).facet(column=alt.Column("model:N", title=None))), alt_text, name)


def digit_gallery(images: np.ndarray, true: np.ndarray, pred: np.ndarray, alt_text: str, name: str = "fig-misclassified",
                  ncols: int = 12):
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
    return static_matplotlib(fig, alt_text, name)
