"""Figures follow the output format; report tables hold the numbers they are given."""

import inspect
import json
import re
import textwrap
from types import SimpleNamespace as NS

import matplotlib.figure
import numpy as np
import pytest
from mnistcompare.book import plots, report
from mnistcompare.book.chapters import index, reproducibility
from mnistcompare.study.records import Epoch, Network


def network(n=3, base=1.0):
    history = tuple(Epoch(e, base / e, base / e + 0.1, 0.8 + 0.05 * e, 0.5, 0.1, 1000.0) for e in range(1, n + 1))
    return Network(
        history=history,
        parameter_count=101770,
        confusion_matrix=(np.eye(10, dtype=int) * 9 + 1).tolist(),
        peak_memory_bytes=2**20,
        peak_memory_method="tracemalloc",
        rss_peak_growth_bytes=2**21,
    )


RUN = NS(models={m: network() for m in ("numpy", "pytorch")})  # the parts of a records.Run the figures read


@pytest.mark.parametrize(
    "base, expected", [("html", "html"), ("pdf", "static"), ("typst", "static"), ("docx", "static")]
)
def test_output_format_reads_quartos_execute_info(tmp_path, monkeypatch, base, expected):
    info = tmp_path / "info.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": base}}}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    assert plots.output_format() == expected


def test_output_format_outside_quarto_and_broken_info(tmp_path, monkeypatch):
    import sys

    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert plots.output_format() == "static"  # plain Python
    monkeypatch.setitem(sys.modules, "ipykernel", sys)  # as inside a Jupyter kernel
    assert plots.output_format() == "html"
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(tmp_path / "missing.json"))
    assert plots.output_format() == "static"


@pytest.mark.parametrize("fmt", ["html", "static"])
def test_each_figure_builds_in_both_formats_with_its_alt_text(monkeypatch, fmt):
    import altair as alt

    monkeypatch.setenv("MNISTCOMPARE_FIGURES", fmt)
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    made = [
        plots.epoch_times(RUN, "alt: times"),
        plots.series_curves(
            {"a": [{"epoch": 1, "value": 1.0}, {"epoch": 2, "value": 0.5}]},
            "alt: series",
            "fig-s",
            metric="value",
            log_y=True,
            points=[{"series": "PyTorch (the study)", "epoch": 1, "value": 1.2, "note": "x"}],
        ),
        plots.pca_scatter(np.random.default_rng(0).normal(size=(50, 2)), np.arange(50) % 10, [0.1, 0.07], "alt: pca"),
    ]
    panels = [plots.training_curves(RUN, "alt: curves"), plots.confusion_matrices(RUN, "alt: confusion")]
    for fig in made:
        if fmt == "html":  # interactive, as wide as its column, described for screen readers
            assert isinstance(fig, alt.TopLevelMixin)
            spec = fig.to_dict()  # a valid Vega-Lite spec
            assert spec["description"].startswith("alt: ") and spec["width"] == "container"
        else:  # the same chart, exported at a fixed width: a PNG outside Quarto's render
            assert isinstance(fig, plots.StaticFigure) and fig.alt.startswith("alt: ")
            assert fig.source["width"] == plots.CHART_PX - 80
            assert fig.png().startswith(b"\x89PNG")
    for fig in panels:
        if fmt == "html":  # one chart per panel, in a row that wraps on a phone
            html = fig._repr_html_()
            assert 'role="group" aria-label="alt: ' in html and "flex-wrap: wrap" in html
            assert html.count('<div id="altair-viz-') == len(fig.charts) >= 2
            assert all(c.to_dict()["width"] == "container" for c in fig.charts)
        else:
            assert isinstance(fig, plots.StaticFigure) and "facet" in fig.source
    gallery = plots.digit_gallery(np.eye(5, 784), np.arange(5), np.arange(5) + 1, "alt: gallery")
    assert isinstance(gallery, plots.StaticFigure) and gallery.alt == "alt: gallery"
    drawn = gallery.source  # the matplotlib figure: one montage
    assert isinstance(drawn, matplotlib.figure.Figure) and len(drawn.axes) == 1
    assert [t.get_text() for t in drawn.axes[0].texts] == [f"{k}→{k + 1}" for k in range(5)]
    sheet = drawn.axes[0].images[0].get_array()
    assert sheet.shape == (40, 12 * 32) and sheet.sum() == 5  # every digit's pixels, once


def test_a_static_figure_is_a_markdown_image_with_its_alt_text_in_a_render(tmp_path, monkeypatch):
    """In Quarto's PDF render a figure is a file in figures/ shown as an image with fig-alt
    (a vector PDF); on the site a PNG; outside Quarto the PNG itself."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    figure = plots.digit_gallery(np.eye(3, 784), np.arange(3), np.arange(3) + 1, 'The first "three" digits.')
    for base, ext in (("pdf", "pdf"), ("html", "png")):
        info = tmp_path / f"{base}.json"
        info.write_text(json.dumps({"format": {"identifier": {"base-format": base}}}))
        monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
        bundle = figure._repr_mimebundle_()
        assert (
            bundle["text/markdown"] == f"![](figures/fig-misclassified.{ext}){{fig-alt=\"The first 'three' digits.\"}}"
        )
        assert (tmp_path / "figures" / f"fig-misclassified.{ext}").read_bytes()[:4] in (b"%PDF", b"\x89PNG")
    monkeypatch.delenv("QUARTO_EXECUTE_INFO")
    assert set(figure._repr_mimebundle_()) == {"image/png", "text/plain"}


# --- light and dark ---------------------------------------------------------------


def execute_info(tmp_path, monkeypatch, base: str) -> None:
    """As Quarto runs a chapter for one format, from a chapter's folder."""
    monkeypatch.chdir(tmp_path)
    info = tmp_path / f"{base}.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": base}}}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)


def every_figure():
    """One of each kind of figure the chapters draw: charts, panels and matplotlib figures."""
    b = NS(
        digits=(3, 8),
        grid_x=[0.0, 1.0],
        grid_y=[0.0, 1.0],
        test_points=[[0.2, 0.2], [0.8, 0.8]],
        test_labels=[0, 1],
        classifiers={"logreg": NS(grid=[0, 0, 1, 1], accuracy_2d=0.9)},
    )
    return {
        "fig-time": plots.epoch_times(RUN, "alt: times"),
        "fig-s": plots.series_curves(
            {"a": [{"epoch": 1, "value": 1.0}, {"epoch": 2, "value": 0.5}]}, "alt: series", "fig-s", metric="value"
        ),
        "fig-pca": plots.pca_scatter(
            np.random.default_rng(0).normal(size=(50, 2)), np.arange(50) % 10, [0.1, 0.07], "alt: pca"
        ),
        "fig-curves": plots.training_curves(RUN, "alt: curves"),
        "fig-confusion": plots.confusion_matrices(RUN, "alt: confusion"),
        "fig-boundary": plots.decision_boundaries(b, "alt: boundary"),
        "fig-misclassified": plots.digit_gallery(np.eye(5, 784), np.arange(5), np.arange(5) + 1, "alt: gallery"),
    }


def test_the_site_gets_every_figure_in_both_schemes_as_one_output(tmp_path, monkeypatch):
    """In Quarto's HTML render each figure is drawn light and dark and shown as ONE cell
    output (a second output would make a figure cell two subfigures): each drawing in the
    div that Quarto's stylesheet shows in its scheme only, its alt text on both."""
    execute_info(tmp_path, monkeypatch, "html")
    for name, fig in every_figure().items():
        assert isinstance(fig, plots.Renderings), name
        bundle = fig._repr_mimebundle_()
        assert set(bundle) - {"text/plain"} in ({"text/html"}, {"text/markdown"}), name
        shown = bundle.get("text/html") or bundle["text/markdown"]
        assert shown.count("light-content") == shown.count("dark-content") == 1, name
        assert shown.index("light-content") < shown.index("dark-content")
        assert shown.count(fig.alt) >= 2 or shown.count(fig.alt.replace('"', "'")) >= 2, name
        if name in ("fig-boundary", "fig-misclassified"):  # a Markdown image per scheme, each with fig-alt
            assert re.findall(r"!\[\]\(figures/([\w-]+)\.png\)\{fig-alt=", shown) == [name, f"{name}-dark"]
            assert {f.name for f in (tmp_path / "figures").iterdir()} >= {f"{name}.png", f"{name}-dark.png"}
        else:  # charts: the dark one on the dark page's background, its text light
            dark = fig.drawings["dark"]
            specs = [plots.themed(c, plots.DARK) for c in dark.charts] if isinstance(dark, plots.Panels) else [dark]
            for spec in specs:
                assert spec["config"]["background"] == plots.DARK_BACKGROUND
                assert spec["config"]["axis"]["labelColor"] == plots.DARK_TEXT
                assert spec["config"]["legend"]["labelColor"] == plots.DARK_TEXT  # merged, the legend's place kept
                assert "orient" in spec["config"]["legend"]
    curves = every_figure()["fig-time"].drawings
    assert plots.DARK.models["pytorch"] in json.dumps(curves["dark"])
    assert plots.LIGHT.models["pytorch"] in json.dumps(curves["light"])
    assert plots.DARK.models["pytorch"] not in json.dumps(curves["light"])


def test_the_pdf_and_the_notebooks_get_one_light_figure(tmp_path, monkeypatch):
    """The PDF stays light: one figure, drawn light, no dark file written; a notebook (a
    Jupyter kernel outside Quarto) and plain Python get one figure too."""
    import sys

    import altair as alt

    execute_info(tmp_path, monkeypatch, "pdf")
    for name, fig in every_figure().items():
        assert isinstance(fig, plots.StaticFigure), name
        assert fig._repr_mimebundle_()["text/markdown"].startswith(f"![](figures/{name}.pdf)")
    assert not [f for f in (tmp_path / "figures").iterdir() if "dark" in f.name]
    assert "background" not in every_figure()["fig-time"].source.get("config", {})

    monkeypatch.delenv("QUARTO_EXECUTE_INFO")
    monkeypatch.setitem(sys.modules, "ipykernel", sys)  # as inside a Jupyter kernel
    figures = every_figure()
    assert all(isinstance(figures[n], alt.TopLevelMixin) for n in ("fig-time", "fig-s", "fig-pca"))
    assert all(
        isinstance(figures[n], plots.Panels) and figures[n].palette is plots.LIGHT
        for n in ("fig-curves", "fig-confusion")
    )
    assert all(isinstance(figures[n], plots.StaticFigure) for n in ("fig-boundary", "fig-misclassified"))
    assert set(figures["fig-misclassified"]._repr_mimebundle_()) == {"image/png", "text/plain"}


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
    dark = plots.DARK
    assert theme["body-bg"].lower() == dark.background.lower() == plots.DARK_BACKGROUND.lower()
    for colour in (*dark.models.values(), *TABLEAU10, dark.axis, *dark.points):
        assert _contrast(colour, dark.background) >= 3, colour
    for colour in (dark.text, theme["body-color"], theme["link-color"], theme["text-muted"]):
        assert _contrast(colour, dark.background) >= 4.5, colour
    for point in dark.points:
        for region in dark.regions:
            assert _contrast(point, region) >= 3, (point, region)
    # The named series' colours read on both schemes' backgrounds.
    assert all(_contrast(c, bg) >= 3 for c in plots.CATEGORIES for bg in ("#ffffff", dark.background))
    assert _contrast(dark.ink[1], dark.ink[0]) >= 4.5  # digits on the page
    assert "contrast(scale('color'" in plots._CELL_TEXT
    # Light links and secondary text: theme/book.scss, as before.
    light = _scss("theme/book.scss")
    assert all(_contrast(light[k], "#ffffff") >= 4.5 for k in ("link-color", "text-muted"))


def test_markdown_table_and_formatting():
    table = report.md_table(["a", "b"], [[1, "x"], [2, "y"]])
    assert table.splitlines() == ["| a | b |", "|:--|--:|", "| 1 | x |", "| 2 | y |"]
    assert report.pct(0.98765) == "98.77%" and report.pct(None) == "n/a"
    assert report.sci(1.5e-8) == "$1.5 \\times 10^{-8}$" and report.sci(0) == "0"
    assert report.mib(3 * 2**20) == "3.00 MiB"
    assert [report.and_join(x) for x in (["a"], ["a", "b"], ["a", "b", "c"])] == ["a", "a and b", "a, b and c"]
    assert report.and_join(["a and b", "c and d", "e and f"], sep="; ") == "a and b; c and d; and e and f"


def test_points_are_a_history_as_epoch_value_pairs():
    assert report.points(RUN.models["pytorch"].history, "test_loss")[0] == {"epoch": 1, "value": 1.1}
    assert [p["epoch"] for p in report.points(RUN.models["numpy"].history, "seconds")] == [1, 2, 3]


def test_significant_figures_and_factors_from_the_printed_numbers():
    assert [report.sig(x) for x in (0.0061234, 0.036, 1.0499, 12.34, 1234.5)] == [
        "0.00612",
        "0.0360",
        "1.05",
        "12.3",
        "1,230",
    ]
    assert report.ratio(0.036, 0.0061234) == ("0.0360", "0.00612", "5.9")  # 0.0360 / 0.00612, as printed


def test_table_is_markdown_in_html_and_a_latex_float_body_in_the_pdf():
    md = report.md_table(
        ["implementation", "peak memory (median)", "method"],
        [["NumPy (by hand)", "1.38 MiB", "`tracemalloc`"], ["PyTorch", "50% $\\pm$ 2%", "rss_hwm & co"]],
    )
    t = report.table(md)
    assert t._repr_markdown_() == md
    latex = t._repr_latex_()
    assert "longtable" not in latex and latex.count(r"\begin{tabular}{@{}lrr@{}}") == 1
    assert r"\toprule" in latex and r"\midrule" in latex and r"\bottomrule" in latex
    # Headers wrap onto short lines; cells are escaped, code and maths kept.
    assert r"peak memory \\ (median)" in latex
    assert r"\texttt{tracemalloc}" in latex and r"50\% $\pm$ 2\%" in latex and r"rss\_hwm \& co" in latex
    body = latex.split(r"\midrule")[1].split(r"\bottomrule")[0]
    assert [row.count(" & ") for row in body.strip().split("\n")] == [2, 2]


def project(tmp_path, monkeypatch, text: str):
    """A project whose params.yml says `text`, as a render of it reads it."""
    (tmp_path / "params.yml").write_text(text)
    monkeypatch.setenv("QUARTO_PROJECT_ROOT", str(tmp_path))
    for name in ("MNISTCOMPARE_QUICK", "MNISTCOMPARE_EPOCHS", "MNISTCOMPARE_HIDDEN", "MNISTCOMPARE_DEVICE"):
        monkeypatch.delenv(name, raising=False)


def test_the_banner_is_a_callout_only_in_html(tmp_path, monkeypatch):
    project(tmp_path, monkeypatch, "epochs: 3\nsubset: 3000\nseeds: 2\n")
    S = NS(created="2026-11-27", compute_seconds=30)
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", "html")
    assert index.banner(S).startswith("::: {.callout-note}")
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", "static")
    static = index.banner(S)
    assert ":::" not in static and static.startswith("> ") and "3,000 training images" in static


def test_provenance_is_read_at_render_time_not_from_the_cache(tmp_path, monkeypatch):
    """A study cached by a render with MNISTCOMPARE_EPOCHS=5 is served to a render whose
    params.yml says epochs: 5: the banner and the table must say params.yml, not the override."""
    from mnistcompare.core import params as P

    project(tmp_path, monkeypatch, "epochs: 5\nquick:\n  subset: 500\n")
    S = NS(created="x", compute_seconds=1)  # cached with quick mode and an override: neither is read
    banner = index.banner(S)
    assert "Quick mode" not in banner and "5 epochs" in banner and "`epochs: 5` (params.yml)" in banner
    params = reproducibility.params_table().markdown_text
    assert "| `epochs` | `5` | params.yml |" in params and "| `hidden` | `128` | default |" in params
    monkeypatch.setenv("MNISTCOMPARE_QUICK", "1")
    monkeypatch.setenv("MNISTCOMPARE_HIDDEN", "32")
    params = reproducibility.params_table().markdown_text
    assert "| `subset` | `500` | quick mode |" in params and "| `hidden` | `32` | environment override |" in params
    banner = index.banner(S)
    assert all(
        item in banner
        for item in ("`epochs: 5` (params.yml)", "`hidden: 32` (environment)", "`subset: 500` (quick mode)")
    )
    assert P.load(tmp_path / "params.yml", environ={}).sources["seed"] == "default"


def test_a_static_chart_is_a_vector_pdf_in_the_pdf_render(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    info = tmp_path / "info.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": "pdf"}}}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    chart = plots.epoch_times(RUN, "Seconds per epoch.")
    assert chart._repr_mimebundle_()["text/markdown"].startswith("![](figures/fig-time.pdf)")
    pdf = (tmp_path / "figures" / "fig-time.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and not re.search(rb"/Subtype\s*/Image", pdf)  # vector, not a raster


def test_source_of_reads_a_module_without_importing_it(monkeypatch):
    import sys

    from mnistcompare.core import torch_mlp

    monkeypatch.delitem(sys.modules, "mnistcompare.core.torch_mlp")
    listing = report.source_of("torch_mlp", "TorchMLP.forward", "train_epoch")
    assert "mnistcompare.core.torch_mlp" not in sys.modules
    assert listing.startswith("```python\ndef forward(self, x") and "def train_epoch(" in listing
    code_lines = lambda text: [line for line in text.splitlines() if line.strip()]  # noqa: E731
    assert code_lines(listing) == code_lines(report.source_block(torch_mlp.TorchMLP.forward, torch_mlp.train_epoch))


def test_listings_drop_docstrings_and_keep_code_and_comments():
    source = (
        "class A:\n"
        '    """Only a docstring: the body becomes `...`."""\n'
        "\n"
        "def f(x):\n"
        '    """A docstring → over\n'
        '    two lines."""\n'
        "    # a comment stays\n"
        '    s = """a string that is not a docstring"""\n'
        "    return x  # so does this one\n"
        "\n"
        'def g(): "on the def\'s line: kept, or g would lose its body"\n'
    )
    assert report.without_docstrings(source) == (
        "class A:\n"
        "    ...\n"
        "\n"
        "def f(x):\n"
        "    # a comment stays\n"
        '    s = """a string that is not a docstring"""\n'
        "    return x  # so does this one\n"
        "\n"
        'def g(): "on the def\'s line: kept, or g would lose its body"'
    )


def test_listings_are_the_code_that_runs_without_its_docstrings():
    """What the chapters list parses to the same code as the function (docstrings aside),
    and no listed line is longer than the PDF's code type fits (tools/check_render/pages.py
    checks the rendered PDF for wrapped lines)."""
    import ast

    from mnistcompare.core import data, numpy_fast, numpy_mlp
    from mnistcompare.study import analysis

    listed = {
        numpy_mlp.NumpyMLP.forward,
        numpy_mlp.NumpyMLP.backward,
        numpy_mlp.NumpyMLP.sgd_step,
        numpy_mlp.log_softmax,
        numpy_mlp.train_epoch_reference,
        numpy_fast.train_epoch,
        data.load,
        analysis.pca,
    }
    for fn in listed:
        block = report.source_block(fn)
        code = block.removeprefix("```python\n").removesuffix("\n```")
        assert '"""' not in code, fn
        original = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
        if ast.get_docstring(original, clean=False) is not None:
            original.body = original.body[1:]
        assert ast.dump(ast.parse(code).body[0]) == ast.dump(original), fn
        assert max(map(len, code.splitlines())) <= 80, fn
    for module, names in (("torch_mlp", ("TorchMLP.__init__", "TorchMLP.forward")), ("torch_mlp", ("train_epoch",))):
        assert max(map(len, report.source_of(module, *names).splitlines())) <= 80


def test_the_banner_names_every_changed_parameter_that_changes_the_book(tmp_path, monkeypatch):
    """init, seed, threads and device too, each with where it was set; parity changes only
    `make run`, so it is not named; a value equal to the default is not a change."""
    from mnistcompare.core import params as P

    project(tmp_path, monkeypatch, "init: he\nseed: 3\nthreads: 1\nparity: false\nhidden: 128\n")
    monkeypatch.setenv("MNISTCOMPARE_DEVICE", "cuda")
    loaded = P.load(tmp_path / "params.yml")
    assert [(k, src) for k, _, src in report.changed(loaded)] == [
        ("seed", "params.yml"),
        ("init", "params.yml"),
        ("device", "environment override"),
        ("threads", "params.yml"),
    ]
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", "html")
    banner = index.banner(NS(created="x", compute_seconds=1))
    named = re.findall(r"`(\w+): ([^`]+)` \(([^)]+)\)", banner)
    assert named == [
        ("seed", "3", "params.yml"),
        ("init", "he", "params.yml"),
        ("device", "cuda", "environment"),
        ("threads", "1", "params.yml"),
    ]
    assert "init he, 3 seeds from seed 3, device cuda, 1 thread(s)" in banner
    assert report.changed(P.load(None, environ={})) == []
