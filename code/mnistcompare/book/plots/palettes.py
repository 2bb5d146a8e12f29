"""The colours of the book's two schemes, light and dark: one `Palette` each.

The site has a light and a dark scheme (a toggle that follows the reader's system
setting); the PDF and the notebooks are light. Every figure takes its colours from the
palette it is drawn in (charts.py, images.py), so that its light and its dark drawing
differ in colour only; delivery.py picks the schemes a render needs. The dark colours are
chosen for contrast on the dark page (tests/test_palettes.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core import networks


@dataclass(frozen=True)
class Palette:
    """The colours of one scheme. Every figure takes its colours from here, so that a
    figure's light and dark drawings differ in colour only. Lines and points keep at
    least 3:1 against `background`, text 4.5:1 (tests/test_palettes.py)."""

    name: str
    background: str  # the page's background: theme/book.scss (light), theme/dark.scss (dark)
    text: str
    axis: str  # axis lines and ticks
    heat: tuple[str, ...] | None  # the confusion matrices' colour range (None: Vega's "blues")
    regions: tuple[str, str]  # decision regions' fills, the two classes
    points: tuple[str, str]  # test points on them
    ink: tuple[str, str]  # the digit gallery: an empty pixel, a full one
    vega: dict = field(default_factory=dict)  # Vega-Lite config of a chart as a whole ({}: Vega's own)

    def model(self, name: str) -> str:
        """A network's colour in this scheme: its registry entry's (core/networks.py)."""
        network = networks.get(name)
        return network.dark_color if self.name == "dark" else network.color


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
# background, so that one set reads in both schemes (tests/test_palettes.py).
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
    heat=("#20242c", "#1f5f99", "#8fc7f2"),  # dark to light, as the light scheme's blues go light to dark
    regions=("#1c3550", "#4a2620"),
    points=("#7fb8e6", "#f4978e"),
    ink=(DARK_BACKGROUND, "#f0f0f0"),
    vega=_vega_colours(DARK_BACKGROUND, DARK_TEXT, axis="#9aa0a8", grid="#343841"),
)
PALETTES = {p.name: p for p in (LIGHT, DARK)}
