"""The site in Chromium (Playwright, driving Playwright's own Chromium or Debian's): the
rendered book served on the loopback interface, the CDN answered offline (cdn.py), and
every page loaded and checked as laid out (layout.py) and in both colour schemes
(schemes.py, axe.py), with every internal link resolved to a file and an id."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from .axe import AXE, AXE_FAILS, AXE_JS, AXE_TAGS, accessibility_problems, axe_script
from .cdn import cdn_file, drop_foreign_integrity
from .layout import CHARTS_JS, OVERFLOW_JS, PHONE, VIEWPORT, chart_problems, overflow_problems, redrawn, wait_for_charts
from .plan import Report
from .schemes import SCHEMES, check_in_dark, check_toggle, scheme_checks

CHROMIUM = "/usr/bin/chromium"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log on stderr
        pass


def serve(book: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(book))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def link_problems(book: Path, page: str, hrefs: list[str], ids_of) -> list[str]:
    """Internal links must name a file of the site and, with a fragment, an id on that page."""
    found = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https", "mailto", "javascript", "data") or href.startswith("//"):
            continue
        target, frag = urldefrag(urljoin(page, href))
        target = target or page
        path = book / unquote(target)
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            found.append(f"link {href!r} names a missing file")
        elif frag and path.suffix == ".html" and unquote(frag) not in ids_of(path):
            found.append(f"link {href!r}: no id {frag!r} on {path.relative_to(book)}")
    return found


@functools.cache
def page_ids(path: Path) -> frozenset[str]:
    return frozenset(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))


def browser_path(pw, explicit: str | None) -> str | None:
    """--chromium, else Playwright's own Chromium (GitHub: `playwright install chromium`),
    else Debian's (these machines, where Playwright cannot download browsers)."""
    if explicit:
        return explicit
    if Path(pw.chromium.executable_path).is_file():
        return None
    return CHROMIUM if Path(CHROMIUM).is_file() else None


def check_site_in_browser(book: Path, pages: list[str], live_cdn: bool, chromium: str | None) -> Report:
    from playwright.sync_api import sync_playwright

    report = Report()
    server, base = serve(book)
    unserved: set[str] = set()
    seen_charts = seen_links = 0
    seen_violations, seen_figures = dict.fromkeys(SCHEMES, 0), dict.fromkeys(SCHEMES, 0)

    def route(r):
        url = r.request.url
        if url.startswith(base):
            if r.request.resource_type == "document" and not live_cdn:
                resp = r.fetch()
                return r.fulfill(response=resp, body=drop_foreign_integrity(resp.text()))
            return r.continue_()
        if live_cdn:
            return r.continue_()
        local = cdn_file(url)
        if local is not None and local.is_file():
            ctype = (
                "text/css" if local.suffix == ".css" else "application/javascript" if local.suffix == ".js" else None
            )
            return r.fulfill(path=str(local), content_type=ctype, headers={"access-control-allow-origin": "*"})
        unserved.add(url)
        return r.abort()

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path(pw, chromium))
            for page_name in pages:
                errors: list[str] = []
                tab = browser.new_page(viewport=VIEWPORT, color_scheme="light")  # the reader's system: light
                tab.route("**/*", route)
                tab.on("pageerror", lambda e, errors=errors: errors.append(f"script error: {e}"))
                tab.on(
                    "console",
                    lambda m, errors=errors: (
                        errors.append(f"console error: {m.text} ({m.location.get('url', '')})")
                        if m.type == "error"
                        else None
                    ),
                )
                tab.goto(base + page_name, wait_until="load")
                wait_for_charts(tab)
                where = f"site {page_name}"
                charts = tab.evaluate(CHARTS_JS)
                report.add(where, chart_problems(charts))
                in_scheme, n_figures = scheme_checks(tab, "light")
                report.add(where, in_scheme)
                seen_figures["light"] += n_figures
                tab.add_script_tag(path=str(axe_script()))
                violations = tab.evaluate(AXE_JS, AXE_TAGS)
                report.add(where, accessibility_problems(violations))
                seen_violations["light"] += len([v for v in violations if v.get("impact") in AXE_FAILS])
                tab.set_viewport_size(PHONE)  # the same page on a phone
                redrawn(tab)
                report.add(f"{where} at {PHONE['width']} px", chart_problems(tab.evaluate(CHARTS_JS)))
                report.add(f"{where} at {PHONE['width']} px", overflow_problems(tab.evaluate(OVERFLOW_JS), "page"))
                hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                seen_charts = seen_charts + sum(c.get("kind", "chart") == "chart" for c in charts)
                seen_links = seen_links + len(hrefs)
                report.add(where, link_problems(book, page_name, hrefs, page_ids))
                if page_name == "index.html" and not any(h.endswith(".pdf") for h in hrefs):
                    report.problems.append(f"{where}: no link to the PDF")
                # The reader's system turns dark: the same checks in the dark scheme.
                in_dark, violations, n_figures = check_in_dark(tab, where)
                seen_figures["dark"] += n_figures
                for here, found in in_dark:
                    report.add(here, found)
                seen_violations["dark"] += len([v for v in violations if v.get("impact") in AXE_FAILS])
                # A request the offline check could not serve is reported once, below, not per page.
                report.add(where, [e for e in errors if not any(u.split("?")[0] in e for u in unserved)])
                tab.close()
                if n_figures:  # the toggle is the theme's, the same on every page: what it can break is a figure
                    report.add(where, check_toggle(browser, route, base + page_name, where))
            browser.close()
    finally:
        server.shutdown()
    report.notes.append(
        f"browser: {len(pages)} pages, {seen_charts} Altair charts, {seen_links} links checked, "
        f"each at {VIEWPORT['width']} and {PHONE['width']} px, in the light and the dark scheme "
        f"(and, on each page with figures, the toggle from dark to light); axe-core {AXE[1]} ({', '.join(AXE_TAGS)}): "
        + ", ".join(f"{n} critical or serious violation(s) in {s}" for s, n in seen_violations.items())
        + "; figures (charts and images) seen to match the scheme: "
        + ", ".join(f"{n} in {s}" for s, n in seen_figures.items())
    )
    if unserved:
        report.notes.append(
            "offline: not loaded (no npm copy): " + ", ".join(sorted({urlparse(u).netloc for u in unserved}))
        )
    return report
