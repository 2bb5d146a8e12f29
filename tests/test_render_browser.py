"""The render check's judgements of a page in the browser (tools/check_render: layout.py,
axe.py, browser.py, cdn.py), on the records a page's scripts return: charts drawn and within
the column, accessibility, a phone's width, internal links, the CDN's integrity hashes."""

from check_render.axe import accessibility_problems
from check_render.browser import link_problems, page_ids
from check_render.cdn import sri_matches
from check_render.layout import chart_problems, overflow_problems


def test_chart_problems():
    ok = {"id": "altair-viz-1", "marks": 12, "error": "", "right": 900.0, "column_right": 920.0, "width": 600.0}
    assert chart_problems([ok]) == []
    assert "wider than the text column" in chart_problems([{**ok, "right": 1000.0}])[0]
    assert "drew no marks" in chart_problems([{**ok, "marks": 0}])[0]
    assert "shows an error" in chart_problems([{**ok, "error": "Javascript Error: x"}])[0]
    image = {**ok, "id": "fig-gallery", "kind": "figure image", "right": 1000.0}
    assert chart_problems([image]) == [
        f"figure image fig-gallery is wider than the text column: it ends {1000.0 - ok['column_right']:.0f} px past it"
    ]


def test_accessibility_problems_are_the_critical_and_serious_violations():
    violations = [
        {
            "id": "image-alt",
            "impact": "critical",
            "help": "Images must have alternative text",
            "nodes": 2,
            "target": "img",
        },
        {"id": "color-contrast", "impact": "serious", "help": "contrast", "nodes": 1, "target": "p > a"},
        {"id": "region", "impact": "moderate", "help": "landmarks", "nodes": 9, "target": "div"},
    ]
    found = accessibility_problems(violations)
    assert len(found) == 2 and found[0].startswith("accessibility: critical image-alt") and "2 element(s)" in found[0]
    assert accessibility_problems(violations[2:]) == []


def test_a_page_wider_than_a_phone_is_a_problem():
    assert overflow_problems({"page": 400, "window": 400}, "page") == []
    assert "scrolls sideways" in overflow_problems({"page": 885, "window": 400}, "page")[0]


def test_a_chart_drawn_while_hidden_is_a_problem():
    """A chart as wide as its container, drawn while its scheme was hidden, shows 0 px wide."""
    ok = {"id": "fig-time", "marks": 12, "error": "", "right": 900.0, "column_right": 920.0, "width": 600.0}
    assert chart_problems([ok]) == []
    assert chart_problems([{**ok, "width": 0.0}]) == [
        "chart fig-time is shown 0 px wide: drawn while hidden and not drawn again"
    ]


def test_link_problems(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "index.html").write_text('<h1 id="top">x</h1>')
    (tmp_path / "chapters" / "a.html").write_text('<section id="sec-a">a</section>')
    (tmp_path / "book.pdf").write_bytes(b"%PDF")
    ids = page_ids
    good = ["../index.html#top", "a.html#sec-a", "#sec-a", "../book.pdf", "https://example.org/x", "mailto:a@b"]
    assert link_problems(tmp_path, "chapters/a.html", good, ids) == []
    bad = link_problems(tmp_path, "chapters/a.html", ["b.html", "a.html#nothere"], ids)
    assert len(bad) == 2 and "missing file" in bad[0] and "no id 'nothere'" in bad[1]


def test_sri_matches():
    data = b"console.log(1)"
    import base64
    import hashlib

    sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert sri_matches(data, sri)
    assert not sri_matches(data + b" ", sri)
