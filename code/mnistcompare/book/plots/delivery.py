"""How a figure reaches the reader: interactive on the site, a static vector image
everywhere else (the PDF, plain Python), in each colour scheme the render needs, each
with its alternative text (`alt_text`, written by the chapter from the figure's data).
What a figure draws is book/plots/charts.py's and images.py's; its colours palettes.py's.

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
gets the interactive chart and plain Python the static one. A matplotlib figure
(`show_matplotlib`) is a StaticFigure in every format, so that its image carries its alt
text too.

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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .palettes import DARK, LIGHT, PALETTES, Palette

# The site's text column is 678 px wide at a 1280-px window, and vega-embed adds 38 px
# on the right for its actions menu: every chart, legend and axes included, fits in
# CHART_PX. Legends go below the plot, where they take no width and are never cut.
CHART_PX = 630
# matplotlib figures (the decision regions, the digit gallery) in inches: the site shows
# them at 96 px per inch, so 6.8 in (653 px, a little more once the tight bounding box
# takes in the labels) stays inside the text column; the render check holds them to it.
FIGURE_IN = 6.8


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
    render = alt.renderers.get()
    assert render is not None  # altair always has a renderer enabled ("default" unless one is chosen)
    bundle = render(spec, embed_options=options)
    assert isinstance(bundle, dict)  # the HTML renderers return the bundle alone, without metadata
    return bundle["text/html"]


class Renderings:
    """One figure drawn once per colour scheme, as ONE cell output: each drawing in a div
    of the class Quarto's stylesheet shows in its scheme only (light-content,
    dark-content), so that the toggle switches the figure with the page. Drawings are
    Vega-Lite specs or Panels (HTML), or StaticFigures (Markdown images, alt text on each)."""

    def __init__(self, drawings: Mapping[str, Any], alt_text: str):
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


def show(draw: Callable[[Palette], Any], alt_text: str, name: str):
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
