"""A figure reaches the reader as the output format needs it: interactive on the site, in
both colour schemes as one output; a static image with its alt text in the PDF; light in
the PDF and the notebooks."""

import json
import re

import numpy as np
import pytest
from mnistcompare.book.plots import charts, delivery, images, palettes
from sample_figures import RUN, every_figure


@pytest.mark.parametrize(
    "base, expected", [("html", "html"), ("pdf", "static"), ("typst", "static"), ("docx", "static")]
)
def test_output_format_reads_quartos_execute_info(tmp_path, monkeypatch, base, expected):
    info = tmp_path / "info.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": base}}}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    assert delivery.output_format() == expected


def test_output_format_outside_quarto_and_broken_info(tmp_path, monkeypatch):
    import sys

    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert delivery.output_format() == "static"  # plain Python
    monkeypatch.setitem(sys.modules, "ipykernel", sys)  # as inside a Jupyter kernel
    assert delivery.output_format() == "html"
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(tmp_path / "missing.json"))
    assert delivery.output_format() == "static"


def test_a_static_figure_is_a_markdown_image_with_its_alt_text_in_a_render(tmp_path, monkeypatch):
    """In Quarto's PDF render a figure is a file in figures/ shown as an image with fig-alt
    (a vector PDF); on the site a PNG; outside Quarto the PNG itself."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    figure = images.digit_gallery(np.eye(3, 784), np.arange(3), np.arange(3) + 1, 'The first "three" digits.')
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


def test_the_site_gets_every_figure_in_both_schemes_as_one_output(tmp_path, monkeypatch):
    """In Quarto's HTML render each figure is drawn light and dark and shown as ONE cell
    output (a second output would make a figure cell two subfigures): each drawing in the
    div that Quarto's stylesheet shows in its scheme only, its alt text on both."""
    execute_info(tmp_path, monkeypatch, "html")
    for name, fig in every_figure().items():
        assert isinstance(fig, delivery.Renderings), name
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
            specs = (
                [delivery.themed(c, palettes.DARK) for c in dark.charts]
                if isinstance(dark, delivery.Panels)
                else [dark]
            )
            for spec in specs:
                assert spec["config"]["background"] == palettes.DARK_BACKGROUND
                assert spec["config"]["axis"]["labelColor"] == palettes.DARK_TEXT
                assert spec["config"]["legend"]["labelColor"] == palettes.DARK_TEXT  # merged, the legend's place kept
                assert "orient" in spec["config"]["legend"]
    curves = every_figure()["fig-time"].drawings
    assert palettes.DARK.model("pytorch") in json.dumps(curves["dark"])
    assert palettes.LIGHT.model("pytorch") in json.dumps(curves["light"])
    assert palettes.DARK.model("pytorch") not in json.dumps(curves["light"])


def test_the_pdf_and_the_notebooks_get_one_light_figure(tmp_path, monkeypatch):
    """The PDF stays light: one figure, drawn light, no dark file written; a notebook (a
    Jupyter kernel outside Quarto) and plain Python get one figure too."""
    import sys

    import altair as alt

    execute_info(tmp_path, monkeypatch, "pdf")
    for name, fig in every_figure().items():
        assert isinstance(fig, delivery.StaticFigure), name
        assert fig._repr_mimebundle_()["text/markdown"].startswith(f"![](figures/{name}.pdf)")
    assert not [f for f in (tmp_path / "figures").iterdir() if "dark" in f.name]
    assert "background" not in every_figure()["fig-time"].source.get("config", {})

    monkeypatch.delenv("QUARTO_EXECUTE_INFO")
    monkeypatch.setitem(sys.modules, "ipykernel", sys)  # as inside a Jupyter kernel
    figures = every_figure()
    assert all(isinstance(figures[n], alt.TopLevelMixin) for n in ("fig-time", "fig-s", "fig-pca"))
    assert all(
        isinstance(figures[n], delivery.Panels) and figures[n].palette is palettes.LIGHT
        for n in ("fig-curves", "fig-confusion")
    )
    assert all(isinstance(figures[n], delivery.StaticFigure) for n in ("fig-boundary", "fig-misclassified"))
    assert set(figures["fig-misclassified"]._repr_mimebundle_()) == {"image/png", "text/plain"}


def test_a_static_chart_is_a_vector_pdf_in_the_pdf_render(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    info = tmp_path / "info.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": "pdf"}}}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    monkeypatch.delenv("MNISTCOMPARE_FIGURES", raising=False)
    chart = charts.epoch_times(RUN, "Seconds per epoch.")
    assert chart._repr_mimebundle_()["text/markdown"].startswith("![](figures/fig-time.pdf)")
    pdf = (tmp_path / "figures" / "fig-time.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and not re.search(rb"/Subtype\s*/Image", pdf)  # vector, not a raster
