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

Colour schemes. The site has a light and a dark scheme (a toggle that follows the reader's
system setting), so in Quarto's HTML render every figure is drawn twice, once per
`Palette`, and shown as ONE output (`Renderings`): each drawing in a div of Quarto's
classes light-content and dark-content, which the site's stylesheet shows only in their
scheme. Quarto's `renderings: [light, dark]` cell option makes the same markup from two
outputs, but not in a cell with a figure's cross-reference label and caption (it makes
two subfigures instead): one output keeps the cells as they are. Everything else, the
PDF, a notebook and plain Python, gets one drawing, in the light scheme (`schemes()`).
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .labels import BOUNDARY_TITLES, MODEL_LABELS

MODEL_COLORS = {"numpy": "#E66100", "pytorch": "#5D3A9B"}


@dataclass(frozen=True)
class Palette:
    """The colours of one scheme. Every figure takes its colours from here, so that a
    figure's light and dark drawings differ in colour only. Lines and points keep at
    least 3:1 against `background`, text 4.5:1 (tests/test_plots_report.py)."""

    name: str
    background: str  # the page's background: theme/book.scss (light), theme/dark.scss (dark)
    text: str
    axis: str  # axis lines and ticks
    models: dict[str, str]  # the networks' colours, the same hues in both schemes
    heat: tuple[str, ...] | None  # the confusion matrices' colour range (None: Vega's "blues")
    regions: tuple[str, str]  # decision regions' fills, the two classes
    points: tuple[str, str]  # test points on them
    ink: tuple[str, str]  # the digit gallery: an empty pixel, a full one
    vega: dict = field(default_factory=dict)  # Vega-Lite config of a chart as a whole ({}: Vega's own)


def _vega_colours(background: str, text: str, axis: str, grid: str) -> dict:
    """A Vega-Lite config that draws a chart's background, axes, legends and titles in these colours."""
    labels = {"labelColor": text, "titleColor": text}
    return {
        "background": background,
        "axis": {"domainColor": axis, "tickColor": axis, "gridColor": grid, **labels},
        "legend": labels,
        "header": labels,
        "title": {"color": text, "subtitleColor": text},
        "view": {"stroke": grid},
        "text": {"color": text},
    }


# Named series (initialisations, seeds, digits): Vega's tableau10 hues, the pale ones darkened
# until every colour stands 3.3:1 or more from white and 3.8:1 or more from the dark
# background, so that one set reads in both schemes (tests/test_plots_report.py).
CATEGORIES = (
    "#4c78a8",
    "#d66e09",
    "#e45756",
    "#4e9993",
    "#509b48",
    "#a5870e",
    "#b279a2",
    "#cc5c8a",
    "#9d755d",
    "#978882",
)

# The light scheme is the figures as they were before the site had a dark one (and the PDF's).
LIGHT = Palette(
    "light",
    background="#ffffff",
    text="#000000",
    axis="#888888",
    models=MODEL_COLORS,
    heat=None,
    regions=("#c6dbef", "#fcbba1"),
    points=("#08519c", "#a50f15"),
    ink=("#ffffff", "#000000"),
)
DARK_BACKGROUND, DARK_TEXT = "#17191e", "#e4e6eb"
DARK = Palette(
    "dark",
    background=DARK_BACKGROUND,
    text=DARK_TEXT,
    axis="#9aa0a8",
    # NumPy's orange reads on dark as it is (5.1:1); PyTorch's purple lightens (2.1:1 -> 7.3:1).
    models={"numpy": "#E66100", "pytorch": "#B39DDB"},
    heat=("#20242c", "#1f5f99", "#8fc7f2"),  # dark to light, as the light scheme's blues go light to dark
    regions=("#1c3550", "#4a2620"),
    points=("#7fb8e6", "#f4978e"),
    ink=(DARK_BACKGROUND, "#f0f0f0"),
    vega=_vega_colours(DARK_BACKGROUND, DARK_TEXT, axis="#9aa0a8", grid="#343841"),
)
PALETTES = {p.name: p for p in (LIGHT, DARK)}
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
    """ "html" for an interactive chart, "static" for an image."""
    forced = os.environ.get("MNISTCOMPARE_FIGURES", "").strip()
    if forced in ("html", "static"):
        return forced
    base = base_format()
    if base is not None:
        return "html" if base == "html" else "static"
    return "html" if "ipykernel" in sys.modules else "static"


def schemes() -> tuple[Palette, ...]:
    """The colour schemes a figure is drawn in: light and dark in Quarto's HTML render (the
    site, which has both), light alone everywhere else (the PDF, a notebook, plain Python)."""
    return (LIGHT, DARK) if base_format() == "html" else (LIGHT,)


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

    def markdown(self) -> str:
        """The image written into figures/ for this render's format, as a Markdown image with its alt text."""
        ext = "pdf" if base_format() == "pdf" else "png"
        path = FIGURES_DIR / f"{self.name}.{ext}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(self.render[ext]())
        return markdown_image(path, self.alt)

    def _repr_mimebundle_(self, include=None, exclude=None):
        if base_format() in (None, "unknown"):
            return {"image/png": base64.b64encode(self.png()).decode(), "text/plain": f"<figure {self.name}>"}
        return {"text/markdown": self.markdown(), "text/plain": f"<figure {self.name}>"}


def static_chart(chart, alt_text: str, name: str) -> StaticFigure:
    """An Altair chart exported by vl-convert: a vector PDF, or a PNG at twice the size."""
    import vl_convert as vlc

    spec = chart.to_dict()
    return StaticFigure(
        name,
        alt_text,
        {"pdf": lambda: vlc.vegalite_to_pdf(spec), "png": lambda: vlc.vegalite_to_png(spec, scale=2.0)},
        source=spec,
    )


def static_matplotlib(fig, alt_text: str, name: str) -> StaticFigure:
    def save(fmt: str, **kw) -> bytes:
        out = io.BytesIO()
        fig.savefig(out, format=fmt, bbox_inches="tight", facecolor=fig.get_facecolor(), **kw)
        return out.getvalue()

    return StaticFigure(name, alt_text, {"pdf": lambda: save("pdf"), "png": lambda: save("png", dpi=150)}, source=fig)


def _merged(base: dict, extra: dict) -> dict:
    """`base` with `extra`'s keys set, nested dicts merged (a chart's own config kept)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(out.get(key) or {}, value) if isinstance(value, dict) else value
    return out


def themed(chart, palette: Palette) -> dict:
    """A chart's Vega-Lite spec with the scheme's colours for the chart as a whole
    (background, axes, legends, titles); marks take theirs from the palette as drawn."""
    spec = chart.to_dict()
    if palette.vega:
        spec["config"] = _merged(spec.get("config", {}), palette.vega)
    return spec


def chart_html(spec: dict, palette: Palette) -> str:
    """A chart as the site embeds it: vega-embed drawing SVG (Vega's ARIA attributes are
    the SVG renderer's), its tooltips in the scheme's colours."""
    import altair as alt

    options = {"renderer": "svg", "tooltip": {"theme": palette.name}}
    return alt.renderers.get()(spec, embed_options=options)["text/html"]


class Renderings:
    """One figure drawn once per colour scheme, as ONE cell output: each drawing in a div
    of the class Quarto's stylesheet shows in its scheme only (light-content,
    dark-content), so that the toggle switches the figure with the page. Drawings are
    Vega-Lite specs or Panels (HTML), or StaticFigures (Markdown images, alt text on each)."""

    def __init__(self, drawings: dict[str, object], alt_text: str):
        self.drawings, self.alt = drawings, alt_text

    def _repr_mimebundle_(self, include=None, exclude=None):
        if all(isinstance(d, StaticFigure) for d in self.drawings.values()):
            text = "\n\n".join(f"::: {{.{s}-content}}\n{d.markdown()}\n:::" for s, d in self.drawings.items())
            return {"text/markdown": text, "text/plain": f"<figure {self.alt[:40]}...>"}
        parts = "".join(f'<div class="{s}-content">{self._html(s, d)}</div>' for s, d in self.drawings.items())
        return {"text/html": parts, "text/plain": f"<figure {self.alt[:40]}...>"}

    @staticmethod
    def _html(scheme: str, drawing) -> str:
        if isinstance(drawing, Panels):
            return drawing._repr_html_()
        if isinstance(drawing, dict):
            return chart_html(drawing, PALETTES[scheme])
        raise TypeError(f"no HTML for a {type(drawing).__name__} in a figure's {scheme} rendering")


def show(draw: Callable[[Palette], object], alt_text: str, name: str):
    """The chart that `draw(palette)` makes, as this output format needs it (see the
    module's docstring): described by `alt_text`, the figure's alternative text; `name`
    names its image file."""
    import altair as alt

    if output_format() == "html":
        alt.renderers.set_embed_options(renderer="svg")  # Vega's ARIA attributes are the SVG renderer's
        palettes = schemes()
        if len(palettes) == 1:
            return draw(palettes[0]).properties(description=alt_text)
        return Renderings({p.name: themed(draw(p).properties(description=alt_text), p) for p in palettes}, alt_text)
    return static_chart(draw(LIGHT).properties(description=alt_text), alt_text, name)


def show_matplotlib(draw: Callable[[Palette], object], alt_text: str, name: str):
    """The matplotlib figure that `draw(palette)` makes: an image file with its alt text
    in each scheme in force (the dark one named <name>-dark)."""
    palettes = schemes()
    figures = {
        p.name: static_matplotlib(_in_colours(draw, p), alt_text, name if p is LIGHT else f"{name}-{p.name}")
        for p in palettes
    }
    return figures["light"] if len(figures) == 1 else Renderings(figures, alt_text)


def _in_colours(draw: Callable[[Palette], object], palette: Palette):
    """`draw(palette)` with matplotlib's text, axes and background in the scheme's colours."""
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    if palette is LIGHT:
        return draw(palette)
    c = palette
    with matplotlib.rc_context(
        {
            "figure.facecolor": c.background,
            "axes.facecolor": c.background,
            "savefig.facecolor": c.background,
            "text.color": c.text,
            "axes.labelcolor": c.text,
            "axes.edgecolor": c.axis,
            "xtick.color": c.text,
            "ytick.color": c.text,
            "legend.facecolor": c.background,
            "legend.edgecolor": c.axis,
            "legend.labelcolor": c.text,
        }
    ):
        return draw(palette)


def width(static_px: int):
    """A chart's width: its container's in HTML (the text column, a phone's included), the
    fixed width the PDF's column takes otherwise."""
    return "container" if output_format() == "html" else static_px


class Panels:
    """Several charts in a row that wraps onto the next line when the screen is narrow: on a
    phone each panel takes the whole width. HTML only; the static figure is a facet."""

    def __init__(self, charts: list, alt_text: str, min_px: int = 200, palette: Palette = LIGHT):
        self.charts, self.alt, self.min_px, self.palette = charts, alt_text, min_px, palette

    def _repr_html_(self) -> str:
        parts = "".join(
            f'<div style="flex: 1 1 {self.min_px}px; min-width: {self.min_px}px">'
            f"{chart_html(themed(c, self.palette), self.palette)}</div>"
            for c in self.charts
        )
        label = self.alt.replace('"', "'")
        return f'<div class="chart-panels" role="group" aria-label="{label}" style="display: flex; flex-wrap: wrap; gap: 8px">{parts}</div>'


def show_panels(draw: Callable[[Palette], list], alt_text: str, min_px: int = 200):
    """Panels of the charts that `draw(palette)` makes, in each scheme in force."""
    panels = {p.name: Panels(draw(p), alt_text, min_px, p) for p in schemes()}
    return panels["light"] if len(panels) == 1 else Renderings(panels, alt_text)


def _figure(nrows: int = 1, ncols: int = 1, width: float = FIGURE_IN, height: float = 3.0, **kw):
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", squeeze=False, **kw)
    plt.close(fig)  # returned, not auto-shown: one display per cell
    return fig, axes


def _model_scale(palette: Palette = LIGHT):
    import altair as alt

    return alt.Scale(domain=[MODEL_LABELS[m] for m in MODEL_COLORS], range=[palette.models[m] for m in MODEL_COLORS])


def _model_dash():
    """Solid for NumPy, dashed for PyTorch: overlaid curves stay apart in grey print too."""
    import altair as alt

    return alt.Scale(domain=[MODEL_LABELS[m] for m in MODEL_COLORS], range=[[1, 0], [6, 3]])


def _history_rows(runs: dict[str, tuple], metrics: tuple[str, ...]) -> list[dict]:
    """Long-format rows: one per (series, epoch, metric), from networks' histories (records.Epoch)."""
    return [
        {"series": series, "epoch": e.epoch, "metric": METRIC_LABELS.get(m, m), "value": getattr(e, m)}
        for series, history in runs.items()
        for e in history
        for m in metrics
    ]


def training_curves(
    run,
    alt_text: str,
    name: str = "fig-curves",
    metrics: tuple[str, ...] = ("train_loss", "test_loss", "test_accuracy"),
):
    """Each metric per epoch, both models overlaid (legend click highlights one): one panel
    per metric, side by side (a row that wraps on a narrow screen in HTML)."""
    import altair as alt

    runs = {MODEL_LABELS[m]: net.history for m, net in run.models.items()}
    rows = _history_rows(runs, metrics)

    def panel(rows: list[dict], panel_width, palette: Palette, title=None):
        pick = alt.selection_point(fields=["series"], bind="legend")
        return (
            alt.Chart(_data(rows), title=title or alt.Undefined)
            .mark_line(point=True)
            .encode(
                x=_epoch_axis([r["epoch"] for r in rows], max_ticks=5),
                y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title="model", scale=_model_scale(palette)),
                strokeDash=alt.StrokeDash("series:N", title="model", scale=_model_dash()),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
                tooltip=["series:N", "metric:N", "epoch:Q", alt.Tooltip("value:Q", format=".5f")],
            )
            .properties(width=panel_width, height=180)
            .add_params(pick)
        )

    if output_format() == "html":
        return show_panels(
            lambda p: [
                _bottom_legends(
                    panel([r for r in rows if r["metric"] == METRIC_LABELS[m]], "container", p, METRIC_LABELS[m])
                    .properties(
                        description=f"{METRIC_LABELS[m]} per epoch, both networks overlaid (one panel of the figure)"
                    )
                    .interactive(),
                    columns=1,
                )
                for m in metrics
            ],
            alt_text,
        )
    return show(
        lambda p: _bottom_legends(
            panel(rows, CHART_PX // len(metrics) - 65, p)
            .facet(column=alt.Column("metric:N", title=None, sort=[METRIC_LABELS[m] for m in metrics]))
            .resolve_scale(y="independent")
            .interactive()
        ),
        alt_text,
        name,
    )


def series_curves(
    runs: dict[str, list[dict]],
    alt_text: str,
    name: str,
    metric: str = "test_loss",
    title: str | None = None,
    log_y: bool = False,
    points: list[dict] | None = None,
):
    """Several named histories on one axis (e.g. initialisations, seeds, the study's values as points)."""
    import altair as alt

    label = title or METRIC_LABELS.get(metric, metric)
    rows = [{"series": s, "epoch": r["epoch"], "value": r[metric]} for s, h in runs.items() for r in h]
    y = (
        _log_y(label, [r["value"] for r in rows])
        if log_y
        else alt.Y("value:Q", title=label, scale=alt.Scale(zero=False))
    )

    def draw(palette: Palette):  # CATEGORIES read on both backgrounds
        pick = alt.selection_point(fields=["series"], bind="legend")
        chart = (
            alt.Chart(_data(rows))
            .mark_line(point=True)
            .encode(
                x=_epoch_axis([r["epoch"] for r in rows]),
                y=y,
                color=alt.Color("series:N", title=None, scale=alt.Scale(range=list(CATEGORIES))),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
                tooltip=["series:N", "epoch:Q", alt.Tooltip("value:Q", format=".5g")],
            )
            .add_params(pick)
        )
        if points:
            chart += (
                alt.Chart(_data(points))
                .mark_point(shape="diamond", size=120, filled=True)
                .encode(
                    x="epoch:Q",
                    y="value:Q",
                    color=alt.Color("series:N"),
                    tooltip=["series:N", "epoch:Q", "value:Q", "note:N"],
                )
            )
        return _bottom_legends(chart.properties(width=width(CHART_PX - 80), height=280).interactive())

    return show(draw, alt_text, name)


def step_costs(
    points: list[dict], lines: list[dict], series: dict[str, str], alt_text: str, name: str = "fig-step-costs"
):
    """Milliseconds per SGD step against millions of FLOPs per step, both axes logarithmic:
    each implementation's measured cells as points and its fitted line (rows of "series",
    "mflop", "ms"; the points also "batch" and "hidden"). `series`: each label and its
    implementation's name: a network's colour from the palette, solid; anything else
    (the matrix products alone) in the text's colour, dashed."""
    import altair as alt

    from ..core import networks

    labels = list(series)
    is_network = [series[s] in networks.names() for s in labels]
    log = alt.Scale(type="log", nice=False, padding=8)  # the data's own range, not the powers of 10 around it
    x = alt.X("mflop:Q", title="millions of FLOPs per step", scale=log, axis=alt.Axis(format="~g"))
    y = alt.Y("ms:Q", title="milliseconds per step", scale=log, axis=alt.Axis(format="~g"))
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=labels, range=[[1, 0] if n else [6, 3] for n in is_network])
    )

    def draw(palette: Palette):
        colours = [palette.models[series[s]] if n else palette.text for s, n in zip(labels, is_network, strict=True)]
        colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=labels, range=colours))
        fitted = alt.Chart(_data(lines)).mark_line().encode(x=x, y=y, color=colour, strokeDash=dash)
        measured = (
            alt.Chart(_data(points))
            .mark_point(filled=True, size=50)
            .encode(
                x=x,
                y=y,
                color=colour,
                tooltip=[
                    "series:N",
                    alt.Tooltip("batch:Q", title="batch size"),
                    alt.Tooltip("hidden:Q", title="hidden units"),
                    alt.Tooltip("mflop:Q", title="MFLOP per step", format=".3g"),
                    alt.Tooltip("ms:Q", title="ms per step", format=".3g"),
                ],
            )
        )
        chart = (fitted + measured).properties(width=width(CHART_PX - 80), height=300).interactive()
        return _bottom_legends(chart)

    return show(draw, alt_text, name)


def epoch_times(run, alt_text: str, name: str = "fig-time"):
    """Training seconds per epoch for each network of a run (records.Run)."""
    import altair as alt

    rows = [
        {"model": MODEL_LABELS[m], "epoch": e.epoch, "seconds": e.seconds, "images per second": e.samples_per_second}
        for m, net in run.models.items()
        for e in net.history
    ]

    def draw(palette: Palette):
        chart = (
            alt.Chart(_data(rows))
            .mark_line(point=True)
            .encode(
                x=_epoch_axis([r["epoch"] for r in rows]),
                y=alt.Y("seconds:Q", title="training seconds per epoch", scale=alt.Scale(zero=True)),
                color=alt.Color("model:N", scale=_model_scale(palette)),
                tooltip=[
                    "model:N",
                    "epoch:Q",
                    alt.Tooltip("seconds:Q", format=".3f"),
                    alt.Tooltip("images per second:Q", format=",.0f"),
                ],
            )
            .properties(width=width(CHART_PX - 80), height=240)
            .interactive()
        )
        return _bottom_legends(chart)

    return show(draw, alt_text, name)


PCA_POINTS = 4000  # the PCA scatter's seeded sample: enough to see the clusters, light enough for a page


def pca_scatter(
    scores: np.ndarray,
    labels: np.ndarray,
    explained: list[float],
    alt_text: str,
    name: str = "fig-pca",
    max_points: int = PCA_POINTS,
    seed: int = 0,
):
    """PC1 vs PC2 coloured by digit; in HTML a legend click isolates digits and the
    view zooms. A seeded sample of `max_points` keeps the page light."""
    import altair as alt

    scores, labels = np.asarray(scores), np.asarray(labels)
    if len(labels) > max_points:
        idx = np.sort(np.random.default_rng(seed).choice(len(labels), max_points, replace=False))
        scores, labels = scores[idx], labels[idx]
    xl, yl = f"PC1 ({explained[0]:.1%} of variance)", f"PC2 ({explained[1]:.1%} of variance)"
    rows = [
        {"PC1": x, "PC2": y, "digit": str(d)}
        for x, y, d in zip(scores[:, 0].tolist(), scores[:, 1].tolist(), labels.tolist())
    ]

    def draw(palette: Palette):  # CATEGORIES read on both backgrounds
        pick = alt.selection_point(fields=["digit"], bind="legend")
        chart = (
            alt.Chart(_data(rows))
            .mark_circle(size=14)
            .encode(
                x=alt.X("PC1:Q", title=xl),
                y=alt.Y("PC2:Q", title=yl),
                color=alt.Color("digit:N", scale=alt.Scale(range=list(CATEGORIES))),
                opacity=alt.condition(pick, alt.value(0.8), alt.value(0.03)),
                tooltip=["digit:N", alt.Tooltip("PC1:Q", format=".2f"), alt.Tooltip("PC2:Q", format=".2f")],
            )
            .add_params(pick)
            .properties(width=width(CHART_PX - 80), height=420)
            .interactive()
        )
        return _bottom_legends(chart, columns=10)

    return show(draw, alt_text, name)


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
                ax.set_title(f"{BOUNDARY_TITLES.get(key, key)}\n(diverged)", fontsize=9)
                ax.set_xlabel("PC1")
                continue
            region = np.asarray(c.grid).reshape(len(ys), len(xs))
            ax.pcolormesh(xs, ys, region, cmap=ListedColormap(list(palette.regions)), shading="auto", rasterized=True)
            for cls, color, digit in ((0, palette.points[0], a), (1, palette.points[1], d)):
                m = lab == cls
                ax.scatter(pts[m, 0], pts[m, 1], s=2, color=color, alpha=0.5, label=f"digit {digit}", rasterized=True)
            ax.set_title(f"{BOUNDARY_TITLES.get(key, key)}\n2-D accuracy {c.accuracy_2d:.1%}", fontsize=9)
            ax.set_xlabel("PC1")
        axes[0][0].set_ylabel("PC2")
        axes[0][0].legend(fontsize=7, markerscale=4, loc="lower left")
        return fig

    return show_matplotlib(draw, alt_text, name)


# The count in each cell of a confusion matrix: black or white, whichever stands out more
# from the cell's colour (Vega's contrast(), in both schemes' colour ranges).
_CELL_TEXT = (
    "contrast(scale('color', datum['share of true class']), 'white') > "
    "contrast(scale('color', datum['share of true class']), 'black')"
)


def confusion_matrices(run, alt_text: str, name: str = "fig-confusion"):
    """Row-normalised confusion matrix per network of a run (counts in the cells and the
    tooltip): one panel per network, side by side (a row that wraps on a narrow screen in HTML)."""
    import altair as alt

    mats = {m: np.asarray(net.confusion_matrix) for m, net in run.models.items()}
    rows = [
        {
            "model": MODEL_LABELS[m],
            "true": i,
            "predicted": j,
            "count": int(c[i, j]),
            "share of true class": float(c[i, j] / c[i].sum()),
        }
        for m, c in mats.items()
        for i in range(10)
        for j in range(10)
    ]

    def panel(rows: list[dict], side, palette: Palette, title=None):
        base = alt.Chart(_data(rows), title=title or alt.Undefined).encode(x="predicted:O", y="true:O")
        colours = (
            alt.Scale(type="sqrt", scheme="blues")
            if palette.heat is None
            else alt.Scale(type="sqrt", range=list(palette.heat))
        )
        heat = base.mark_rect().encode(
            color=alt.Color("share of true class:Q", scale=colours, legend=alt.Legend(format=".0%")),
            tooltip=["model:N", "true:O", "predicted:O", "count:Q", alt.Tooltip("share of true class:Q", format=".2%")],
        )
        text = base.mark_text(fontSize=8).encode(
            text="count:Q", color=alt.condition(_CELL_TEXT, alt.value("white"), alt.value("black"))
        )
        return (heat + text).properties(width=side, height=side if side != "container" else 260)

    if output_format() == "html":
        return show_panels(
            lambda p: [
                _bottom_legends(
                    panel([r for r in rows if r["model"] == label], "container", p, label).properties(
                        description=f"confusion matrix of {label} (one panel of the figure)"
                    ),
                    columns=1,
                )
                for label in (MODEL_LABELS[m] for m in mats)
            ],
            alt_text,
            min_px=260,
        )
    side = CHART_PX // 2 - 60
    return show(
        lambda p: _bottom_legends(panel(rows, side, p).facet(column=alt.Column("model:N", title=None))), alt_text, name
    )


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
