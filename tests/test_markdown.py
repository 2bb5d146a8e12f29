"""Tables hold the cells they are given: Markdown on the site, a LaTeX float in the PDF."""

from mnistcompare.book import markdown


def test_a_pipe_table_puts_text_left_and_numbers_right():
    table = markdown.md_table(["a", "b"], [[1, "x"], [2, "y"]])
    assert table.splitlines() == ["| a | b |", "|:--|--:|", "| 1 | x |", "| 2 | y |"]


def test_table_is_markdown_in_html_and_a_latex_float_body_in_the_pdf():
    md = markdown.md_table(
        ["implementation", "peak memory (median)", "method"],
        [["NumPy (by hand)", "1.38 MiB", "`tracemalloc`"], ["PyTorch", "50% $\\pm$ 2%", "rss_hwm & co"]],
    )
    t = markdown.table(md)
    assert t._repr_markdown_() == md
    latex = t._repr_latex_()
    assert "longtable" not in latex and latex.count(r"\begin{tabular}{@{}lrr@{}}") == 1
    assert r"\toprule" in latex and r"\midrule" in latex and r"\bottomrule" in latex
    # Headers wrap onto short lines; cells are escaped, code and maths kept.
    assert r"peak memory \\ (median)" in latex
    assert r"\texttt{tracemalloc}" in latex and r"50\% $\pm$ 2\%" in latex and r"rss\_hwm \& co" in latex
    body = latex.split(r"\midrule")[1].split(r"\bottomrule")[0]
    assert [row.count(" & ") for row in body.strip().split("\n")] == [2, 2]
