"""Check the rendered book as its readers get it: the site in a real browser, the PDF's text and pages.

    python tools/check_render                 render in quick mode into a temporary folder, check it
    python tools/check_render --book _book    check a render that exists (the publish workflow)
    python tools/check_render --smoke         render the site alone and check its text and figures (make test)

What it checks, a module each (each check a function that returns a list of problems):
  - plan.py, text.py: every chapter of the edition (plan.py reads _quarto.yml and the
    profile's list) has its page on the site, and is numbered the same in the PDF (pdf.py);
  - text.py: no Markdown or Quarto syntax survives into the text a reader sees (code
    fences, `:::`, `{python}`, unresolved `@sec-`/`@fig-`/`@tbl-`/`[@key]`/`?@`, unknown
    citations), and no object repr such as `alt.Chart(`;
  - figures.py (the smoke check only): every figure a chapter declares is on its page
    with its graphic;
  - pdf.py: chapter, figure and table numbers agree between the site and the PDF, and
    every figure caption in the PDF sits on a page that holds a graphic;
  - pages.py: the PDF's printed pages (pdftoppm, pdftotext -bbox: poppler-utils): no
    float page under 60% full, no mid-chapter page under 45%, nothing in the side
    margins, no code line wrapped with ↪, each float on the page of its first reference
    in its own chapter or the next;
  - browser.py, layout.py: in Chromium (Playwright), every page loads without script
    errors, every Altair chart draws (SVG marks, no error box) and is no wider than the
    text column, at a desktop's width and a phone's, and the PDF download link and every
    internal link resolve;
  - schemes.py, contrast.py, axe.py: the same in both colour schemes: each page opens
    light, then the reader's system turns dark (Quarto follows it), then (a page with
    figures) it opens dark and the toggle turns it light. In each scheme the page is in
    it, every figure shown is light or dark to match (from a screenshot), no chart is
    left 0 px wide (drawn while hidden), axe-core finds no critical or serious violation,
    and nothing is wider than a phone; in both schemes every chart's lines and points
    stand 3:1 and its text 4.5:1 from its background.

cdn.py: the CDN that the pages load Vega, require.js and jquery from is unreachable on
the project's machines: unless --live-cdn is given, those requests are answered from the
same files in their npm packages (fetched once with `npm pack` into .cache/cdn/), and an
integrity attribute is dropped only where those bytes differ from the CDN's.
render.py renders the book in quick mode; cli.py runs the checks and says what they
found: every check, or with --smoke (make test's) the site alone rendered, its text
(text.py) and figures (figures.py). Exit status: 0 when the book is fine, 1 with the
list of problems, 2 on bad usage.
"""
