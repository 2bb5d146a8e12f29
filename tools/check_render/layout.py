"""A page as laid out in the browser: every Altair chart drawn (SVG marks, no error box),
no chart or figure image wider than the text column nor left 0 px wide, and no page
wider than the window, at a desktop's width and a phone's. Each check runs its script in
a Playwright page and judges what it returns."""

from __future__ import annotations

VIEWPORT = {"width": 1280, "height": 900}
# A phone: every chart, image and table must still fit, and no page may scroll sideways.
PHONE = {"width": 400, "height": 800}
# Narrower than this, a chart shown is one drawn while hidden (0 px wide), not a small chart.
MIN_CHART_PX = 20


# Run in the page: every Altair chart's state and width against the text column. Only what
# is shown: the drawing of the colour scheme not in force is hidden (display: none).
CHARTS_JS = """() => {
  const column = document.querySelector('main') || document.body;
  const right = column.getBoundingClientRect().right;
  const shown = el => el.getClientRects().length > 0;
  return [...document.querySelectorAll('div[id^="altair-viz"]')].filter(shown).map(el => {
    const drawn = el.querySelector('svg.marks, canvas.marks, svg');
    const box = drawn ? drawn.getBoundingClientRect() : el.getBoundingClientRect();
    const fig = el.closest('[id^="fig-"]');
    return {id: fig ? fig.id : el.id,
            marks: el.querySelectorAll('svg [class*="mark-"]').length + el.querySelectorAll('canvas').length,
            error: (el.querySelector('.error, .vega-embed-error') || {}).textContent || '',
            right: box.right, column_right: right, width: box.width, kind: 'chart'};
  }).concat([...column.querySelectorAll('img.figure-img, figure img')].filter(shown).map(img => {
    const box = img.getBoundingClientRect();
    const fig = img.closest('[id^="fig-"]');
    return {id: fig ? fig.id : img.getAttribute('src'), marks: 1, error: '',
            right: box.right, column_right: right, width: box.width, kind: 'figure image'};
  }));
}"""


# Run in the page: does it scroll sideways (wider than the window)?
OVERFLOW_JS = """() => ({page: document.documentElement.scrollWidth, window: window.innerWidth})"""


def overflow_problems(sizes: dict, where: str) -> list[str]:
    """A page wider than the window scrolls sideways: something in it does not fit."""
    if sizes["page"] > sizes["window"] + 1:
        return [f"{where}: the page is {sizes['page']} px wide in a {sizes['window']} px window (it scrolls sideways)"]
    return []


def redrawn(tab) -> None:
    """Time for vega-embed to redraw container-wide charts after a resize or a change of
    scheme; a page without charts has nothing to redraw."""
    if tab.locator('div[id^="altair-viz"]').count():
        tab.wait_for_timeout(500)


def wait_for_charts(tab) -> None:
    """Until every Altair chart on the page has drawn (vega-embed draws asynchronously), or 20 s."""
    n_charts = tab.locator('div[id^="altair-viz"]').count()
    if n_charts:
        try:
            tab.wait_for_function(
                'n => document.querySelectorAll(\'div[id^="altair-viz"] svg, '
                'div[id^="altair-viz"] .error\').length >= n',
                arg=n_charts,
                timeout=20_000,
            )
        except Exception:  # noqa: BLE001 - reported through the chart state
            pass
        tab.wait_for_timeout(300)


def chart_problems(charts: list[dict]) -> list[str]:
    """Each chart or figure image (CHARTS_JS's records): drawn, without an error, at least
    MIN_CHART_PX wide, and within the text column."""
    found = []
    for c in charts:
        if c["error"]:
            found.append(f"chart {c['id']} shows an error: {c['error'][:200]}")
        elif not c["marks"]:
            found.append(f"chart {c['id']} drew no marks")
        elif c["width"] < MIN_CHART_PX:
            # A chart as wide as its container, drawn while hidden (the other scheme's), is 0 px
            # wide until something makes it draw again.
            found.append(
                f"{c.get('kind', 'chart')} {c['id']} is shown {c['width']:.0f} px wide: drawn while "
                f"hidden and not drawn again"
            )
        if c["right"] > c["column_right"] + 1:
            found.append(
                f"{c.get('kind', 'chart')} {c['id']} is wider than the text column: it ends "
                f"{c['right'] - c['column_right']:.0f} px past it"
            )
    return found
