"""The site's colour schemes (Quarto's light and dark themes, a toggle, the reader's
system setting first): every page is checked in both. In each scheme the page is in it,
every figure shown is light or dark to match (from a screenshot), its charts draw and fit
(layout.py), axe-core finds nothing critical or serious (axe.py), and every chart's
colours stand out from its background (contrast.py). A page with figures is also opened
dark and turned light with the toggle."""

from __future__ import annotations

from .axe import AXE_JS, AXE_TAGS, accessibility_problems
from .contrast import colour_problems, css_rgb, image_lightness, lightness, luminance
from .layout import CHARTS_JS, OVERFLOW_JS, PHONE, VIEWPORT, chart_problems, overflow_problems, redrawn, wait_for_charts

SCHEMES = ("light", "dark")
# The schemes whose chart colours are held to contrast.py's ratios: both (palettes.CATEGORIES and each
# palettes.Palette are chosen for them).
COLOUR_SCHEMES = ("light", "dark")


# Run in the page: the scheme in force (Quarto's body class), the page's background, a toggle shown.
SCHEME_JS = """() => ({dark: document.body.classList.contains('quarto-dark'),
  light: document.body.classList.contains('quarto-light'),
  background: getComputedStyle(document.body).backgroundColor,
  toggle: [...document.querySelectorAll('.quarto-color-scheme-toggle')].some(t => t.getClientRects().length > 0)})"""

# Run in the page: for every chart shown, the colours of its lines and points and of its
# text (axes, legends, titles: not the marks' own text, which sits on the marks), and the
# background they are drawn on. Faded marks (a legend selection) are left out.
CHART_COLOURS_JS = """() => {
  const shown = el => el.getClientRects().length > 0;
  const opaque = c => c && c !== 'none' && c !== 'transparent' && !/^rgba\\(.*,\\s*0\\)$/.test(c);
  const faded = n => ['opacity', 'fill-opacity', 'stroke-opacity'].some(a => Number(n.getAttribute(a) ?? 1) < 0.5);
  const backdrop = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (opaque(c)) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const colours = (nodes, pick) => [...new Set([...nodes].filter(n => !faded(n)).map(pick).filter(opaque))];
  return [...document.querySelectorAll('div[id^="altair-viz"]')].filter(shown).map(el => {
    const svg = el.querySelector('svg');
    const fig = el.closest('[id^="fig-"]');
    if (!svg) return {id: fig ? fig.id : el.id, background: backdrop(el), series: [], text: []};
    const style = n => getComputedStyle(n);
    return {
      id: fig ? fig.id : el.id,
      background: backdrop(svg),
      series: colours(svg.querySelectorAll('g.mark-line.role-mark path, g.mark-trail.role-mark path'), n => style(n).stroke)
        .concat(colours(svg.querySelectorAll('g.mark-symbol.role-mark path, g.role-legend-symbol path'),
                        n => opaque(style(n).fill) ? style(n).fill : style(n).stroke)),
      text: colours(svg.querySelectorAll('[class*="role-axis"] text, [class*="role-legend"] text, [class*="role-title"] text'),
                    n => style(n).fill),
    };
  });
}"""

# Run in the page: tag every figure shown (a chart, a figure's image) for a screenshot.
FIGURES_JS = """() => {
  const shown = el => el.getClientRects().length > 0;
  const column = document.querySelector('main') || document.body;
  document.querySelectorAll('[data-check-figure]').forEach(el => el.removeAttribute('data-check-figure'));
  return [...new Set(column.querySelectorAll('div[id^="altair-viz"], img.figure-img, figure img'))].filter(shown).map((el, i) => {
    el.setAttribute('data-check-figure', String(i));
    const fig = el.closest('[id^="fig-"]');
    return {index: i, id: fig ? fig.id : (el.id || el.getAttribute('src')), kind: el.tagName === 'IMG' ? 'figure image' : 'chart'};
  });
}"""


def scheme_problems(state: dict, scheme: str) -> list[str]:
    """The page is in `scheme` (Quarto's body class), its background is light or dark to
    match, and a toggle to the other scheme is shown."""
    found = []
    if not state[scheme]:
        other = [s for s in SCHEMES if s != scheme and state.get(s)]
        found.append(f"the page is not in the {scheme} scheme" + (f" (it is {other[0]})" if other else ""))
    rgb = css_rgb(state["background"])
    if rgb is not None and (lightness(luminance(rgb)) > 50) != (scheme == "light"):
        found.append(f"the page's background {state['background']} is not {scheme}")
    if not state["toggle"]:
        found.append("no light/dark toggle is shown")
    return found


def tone_problems(figures: list[dict], scheme: str) -> list[str]:
    """Every figure is light on the light page and dark on the dark one: most of its pixels
    (the median's lightness, L* 0-100) lie on the page's side of mid grey (L* 50)."""
    return [
        f"{f['kind']} {f['id']} is {'dark' if scheme == 'light' else 'light'} in the {scheme} scheme "
        f"(its median lightness is L* {f['lightness']:.0f})"
        for f in figures
        if (f["lightness"] > 50) != (scheme == "light")
    ]


def figure_tones(tab) -> list[dict]:
    """Each figure shown on the page with its median lightness, from a screenshot of it."""
    figures = tab.evaluate(FIGURES_JS)
    for f in figures:
        shot = tab.locator(f'[data-check-figure="{f["index"]}"]').screenshot(animations="disabled")
        f["lightness"] = image_lightness(shot)
    return figures


def switch_scheme(tab, scheme: str) -> None:
    """The reader's system setting changes to `scheme` (Quarto follows it) and the page redraws."""
    tab.emulate_media(color_scheme=scheme)
    try:
        tab.wait_for_function("s => document.body.classList.contains('quarto-' + s)", arg=scheme, timeout=5_000)
    except Exception:  # noqa: BLE001 - reported by scheme_problems
        pass
    tab.wait_for_timeout(500)  # the theme's colours settle, and vega-embed redraws container-wide charts


def scheme_checks(tab, scheme: str) -> tuple[list[str], int]:
    """In the scheme in force: the page's state, every figure's tone, every chart's colours.
    Returns the problems and the number of figures seen."""
    figures = figure_tones(tab)
    found = scheme_problems(tab.evaluate(SCHEME_JS), scheme) + tone_problems(figures, scheme)
    return found + (colour_problems(tab.evaluate(CHART_COLOURS_JS)) if scheme in COLOUR_SCHEMES else []), len(figures)


def check_in_dark(tab, where: str) -> tuple[list[tuple[str, list[str]]], list[dict], int]:
    """The page, loaded in the light scheme, after the reader's system turns dark: in dark at
    the desktop width (its state, charts, figures, colours, axe-core) and on a phone.
    Returns (where, problems) pairs, axe-core's violations and the number of figures seen."""
    tab.set_viewport_size(VIEWPORT)
    switch_scheme(tab, "dark")
    here, phone = f"{where} in dark", f"{where} in dark at {PHONE['width']} px"
    in_scheme, n_figures = scheme_checks(tab, "dark")
    found = [(here, chart_problems(tab.evaluate(CHARTS_JS)) + in_scheme)]
    violations = tab.evaluate(AXE_JS, AXE_TAGS)
    found.append((here, accessibility_problems(violations)))
    tab.set_viewport_size(PHONE)
    redrawn(tab)
    found.append(
        (phone, chart_problems(tab.evaluate(CHARTS_JS)) + overflow_problems(tab.evaluate(OVERFLOW_JS), "page"))
    )
    return found, violations, n_figures


def check_toggle(browser, route, url: str, where: str) -> list[str]:
    """The page opens in the reader's system setting (dark here), and its toggle turns it
    light: the charts drawn hidden at load are drawn again, as wide as the column."""
    tab = browser.new_page(viewport=VIEWPORT, color_scheme="dark")
    try:
        tab.route("**/*", route)
        tab.goto(url, wait_until="load")
        wait_for_charts(tab)
        state = tab.evaluate(SCHEME_JS)
        found = [f"opened in a dark system setting: {p}" for p in scheme_problems(state, "dark")]
        toggle = tab.locator(".quarto-color-scheme-toggle:visible")
        if not toggle.count():
            return found  # scheme_problems said so
        toggle.first.click()
        try:
            tab.wait_for_function("() => document.body.classList.contains('quarto-light')", timeout=5_000)
        except Exception:  # noqa: BLE001 - reported below
            pass
        redrawn(tab)
        found += [
            f"after the toggle: {p}"
            for p in scheme_problems(tab.evaluate(SCHEME_JS), "light") + chart_problems(tab.evaluate(CHARTS_JS))
        ]
        return found
    finally:
        tab.close()
