"""Colours and their contrast, as WCAG measures them: a CSS colour read as channels, its
relative luminance, the contrast ratio of two colours, lightness (CIE L*) of a colour and
of a screenshot. A chart's lines and points need 3:1 against its background, its text
4.5:1 (WCAG 1.4.11 and 1.4.3)."""

from __future__ import annotations

import re

GRAPHICS_CONTRAST, TEXT_CONTRAST = 3.0, 4.5


def css_rgb(colour: str) -> tuple[float, float, float] | None:
    """A CSS colour as the browser computes it (rgb(...), rgba(...)) or as Vega writes it
    (#rgb, #rrggbb, white, black), as 0-255 channels; None for a colour it cannot read."""
    colour = colour.strip().lower()
    named = {"white": "#ffffff", "black": "#000000"}
    colour = named.get(colour, colour)
    if m := re.fullmatch(r"#([0-9a-f]{3})", colour):
        colour = "#" + "".join(ch * 2 for ch in m.group(1))
    if m := re.fullmatch(r"#([0-9a-f]{6})", colour):
        return tuple(float(int(m.group(1)[i : i + 2], 16)) for i in (0, 2, 4))
    if m := re.fullmatch(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*[\d.]+%?)?\s*\)", colour):
        return tuple(float(x) for x in m.groups())
    return None


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG's relative luminance of a colour (0-255 channels)."""

    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lightness(y: float) -> float:
    """CIE L* (0 black, 100 white, 50 the grey halfway between to the eye) of a relative luminance."""
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def image_lightness(png: bytes) -> float:
    """The median lightness (L*) of the pixels of a screenshot: what most of a figure is."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return lightness(float(np.median(linear @ np.array([0.2126, 0.7152, 0.0722]))))


def colour_problems(charts: list[dict]) -> list[str]:
    """A chart's lines and points stand 3:1 from its background, its text 4.5:1."""
    found = []
    for c in charts:
        bg = css_rgb(c["background"])
        if bg is None:
            continue
        for kind, colours, need in (
            ("line or point colour", c["series"], GRAPHICS_CONTRAST),
            ("text colour", c["text"], TEXT_CONTRAST),
        ):
            for colour in dict.fromkeys(colours):
                rgb = css_rgb(colour)
                if rgb is not None and (ratio := contrast(rgb, bg)) < need:
                    found.append(
                        f"chart {c['id']}: {kind} {colour} has {ratio:.1f}:1 against its background "
                        f"{c['background']} (needs {need:g}:1)"
                    )
    return found
