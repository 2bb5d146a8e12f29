"""Each chart builds from plain rows, interactive in HTML and a static image otherwise,
described by its alt text; the rows a chart reads."""

import numpy as np
import pytest
from mnistcompare.book.plots import charts, delivery
from sample_figures import RUN


@pytest.mark.parametrize("fmt", ["html", "static"])
def test_each_chart_builds_in_both_formats_with_its_alt_text(monkeypatch, fmt):
    import altair as alt

    monkeypatch.setenv("MNISTCOMPARE_FIGURES", fmt)
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    made = [
        charts.epoch_times(RUN, "alt: times"),
        charts.series_curves(
            {"a": [{"epoch": 1, "value": 1.0}, {"epoch": 2, "value": 0.5}]},
            "alt: series",
            "fig-s",
            metric="value",
            log_y=True,
            points=[{"series": "PyTorch (the study)", "epoch": 1, "value": 1.2, "note": "x"}],
        ),
        charts.pca_scatter(np.random.default_rng(0).normal(size=(50, 2)), np.arange(50) % 10, [0.1, 0.07], "alt: pca"),
    ]
    panels = [charts.training_curves(RUN, "alt: curves"), charts.confusion_matrices(RUN, "alt: confusion")]
    for fig in made:
        if fmt == "html":  # interactive, as wide as its column, described for screen readers
            assert isinstance(fig, alt.TopLevelMixin)
            spec = fig.to_dict()  # a valid Vega-Lite spec
            assert spec["description"].startswith("alt: ") and spec["width"] == "container"
        else:  # the same chart, exported at a fixed width: a PNG outside Quarto's render
            assert isinstance(fig, delivery.StaticFigure) and fig.alt.startswith("alt: ")
            assert fig.source["width"] == delivery.CHART_PX - 80
            assert fig.png().startswith(b"\x89PNG")
    for fig in panels:
        if fmt == "html":  # one chart per panel, in a row that wraps on a phone
            html = fig._repr_html_()
            assert 'role="group" aria-label="alt: ' in html and "flex-wrap: wrap" in html
            assert html.count('<div id="altair-viz-') == len(fig.charts) >= 2
            assert all(c.to_dict()["width"] == "container" for c in fig.charts)
        else:
            assert isinstance(fig, delivery.StaticFigure) and "facet" in fig.source


def test_points_are_a_history_as_epoch_value_pairs():
    assert charts.points(RUN.models["pytorch"].history, "test_loss")[0] == {"epoch": 1, "value": 1.1}
    assert [p["epoch"] for p in charts.points(RUN.models["numpy"].history, "seconds")] == [1, 2, 3]
