"""The colours of the two schemes read on their backgrounds."""

import re

from mnistcompare.book.plots import charts, palettes
from mnistcompare.core import networks


def _contrast(a: str, b: str) -> float:
    def lum(colour: str) -> float:
        c = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b_ = (x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _scss(path: str) -> dict[str, str]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / path).read_text()
    return dict(re.findall(r"^\$([\w-]+):\s*(#[0-9a-fA-F]{6})\b", text, re.M))


# Vega's default category colours (tableau10): the series of series_curves, the digits of the PCA scatter.
TABLEAU10 = [
    "#4c78a8",
    "#f58518",
    "#e45756",
    "#72b7b2",
    "#54a24b",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
]


def test_the_dark_scheme_reads_on_its_background():
    """The figures' dark background is the dark theme's page; lines and points stand 3:1
    from it, text 4.5:1 (links and secondary text of the theme too); the points of the
    decision regions 3:1 from both regions; a count in a confusion matrix's cell is black or
    white, whichever Vega finds stands out more from the cell."""
    theme = _scss("theme/dark.scss")
    dark = palettes.DARK
    assert theme["body-bg"].lower() == dark.background.lower() == palettes.DARK_BACKGROUND.lower()
    for colour in (*(dark.model(n) for n in networks.names()), *TABLEAU10, dark.axis, *dark.points):
        assert _contrast(colour, dark.background) >= 3, colour
    for colour in (dark.text, theme["body-color"], theme["link-color"], theme["text-muted"]):
        assert _contrast(colour, dark.background) >= 4.5, colour
    for point in dark.points:
        for region in dark.regions:
            assert _contrast(point, region) >= 3, (point, region)
    # The named series' colours read on both schemes' backgrounds.
    assert all(_contrast(c, bg) >= 3 for c in palettes.CATEGORIES for bg in ("#ffffff", dark.background))
    assert _contrast(dark.ink[1], dark.ink[0]) >= 4.5  # digits on the page
    assert "contrast(scale('color'" in charts._CELL_TEXT
    # Light links and secondary text: theme/book.scss, as before.
    light = _scss("theme/book.scss")
    assert all(_contrast(light[k], "#ffffff") >= 4.5 for k in ("link-color", "text-muted"))
