"""What each chart draws: one Altair definition per figure of the book, built from plain
rows and drawn in a palette's colours (`draw(palette)`), handed to book/plots/delivery.py,
which shows it as the output format and the colour schemes need.
"""

from __future__ import annotations

import numpy as np

from ...core import networks
from ..labels import label
from .delivery import CHART_PX, output_format, show, show_panels, width
from .palettes import CATEGORIES, LIGHT, Palette

METRIC_LABELS = {"train_loss": "training loss", "test_loss": "test loss", "test_accuracy": "test accuracy"}


def _bottom_legends(chart, columns: int = 2):
    """Legends below the plot, where they take no width and their labels are never cut."""
    return chart.configure_legend(orient="bottom", direction="horizontal", columns=columns, labelLimit=0, titleLimit=0)


def _data(rows: list[dict]) -> dict:
    """Rows for a chart, without pandas (half a second in every chapter's kernel; the
    encodings name every field's type). A plain {"values": ...} goes, like a DataFrame,
    into the spec's datasets without a JSON-schema check of every row; alt.Data(values=...)
    would check all of them, twice (seconds for the PCA scatter)."""
    return {"values": rows}


def _epoch_axis(epochs, max_ticks: int = 10):
    """Whole epochs only (Vega would put ticks at 1.5 and print them as 2): at most
    `max_ticks` of them, evenly spaced from the first."""
    import math

    import altair as alt

    epochs = sorted({int(e) for e in epochs})
    step = max(1, math.ceil(len(epochs) / max_ticks))
    return alt.X("epoch:Q", title="epoch", axis=alt.Axis(values=epochs[::step], format="d"))


def _log_y(label: str, values):
    """A log y axis with one tick format: plain numbers (0.5, 1, 2), or exponents (2e-7, 1e-6)
    when the values are tiny, never a mix of the two."""
    import altair as alt

    fmt = ".0e" if min(values, default=1.0) < 1e-3 else "~g"
    return alt.Y("value:Q", title=label, scale=alt.Scale(type="log"), axis=alt.Axis(format=fmt))


def _model_scale(names, palette: Palette = LIGHT):
    """The networks `names` (registry names) in their own colours, by label."""
    import altair as alt

    return alt.Scale(domain=[label(m) for m in names], range=[palette.model(m) for m in names])


def _model_dash(names):
    """Each network's dash pattern (solid for NumPy, dashed for PyTorch): overlaid curves
    stay apart in grey print too."""
    import altair as alt

    return alt.Scale(domain=[label(m) for m in names], range=[list(networks.get(m).dash) for m in names])


def _history_rows(runs: dict[str, tuple], metrics: tuple[str, ...]) -> list[dict]:
    """Long-format rows: one per (series, epoch, metric), from networks' histories (records.Epoch)."""
    return [
        {"series": series, "epoch": e.epoch, "metric": METRIC_LABELS.get(m, m), "value": getattr(e, m)}
        for series, history in runs.items()
        for e in history
        for m in metrics
    ]


def points(history, name: str) -> list[dict]:
    """One per-epoch number of a network's history as {epoch, value} points (series_curves)."""
    return [{"epoch": e.epoch, "value": getattr(e, name)} for e in history]


def training_curves(
    run,
    alt_text: str,
    name: str = "fig-curves",
    metrics: tuple[str, ...] = ("train_loss", "test_loss", "test_accuracy"),
):
    """Each metric per epoch, both models overlaid (legend click highlights one): one panel
    per metric, side by side (a row that wraps on a narrow screen in HTML)."""
    import altair as alt

    runs = {label(m): net.history for m, net in run.models.items()}
    rows = _history_rows(runs, metrics)

    def panel(rows: list[dict], panel_width, palette: Palette, title=None):
        pick = alt.selection_point(fields=["series"], bind="legend")
        return (
            alt.Chart(_data(rows), title=title or alt.Undefined)
            .mark_line(point=True)
            .encode(
                x=_epoch_axis([r["epoch"] for r in rows], max_ticks=5),
                y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title="model", scale=_model_scale(run.models, palette)),
                strokeDash=alt.StrokeDash("series:N", title="model", scale=_model_dash(run.models)),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
                tooltip=["series:N", "metric:N", "epoch:Q", alt.Tooltip("value:Q", format=".5f")],
            )
            .properties(width=panel_width, height=180)
            .add_params(pick)
        )

    if output_format() == "html":
        return show_panels(
            lambda p: [
                _bottom_legends(
                    panel([r for r in rows if r["metric"] == METRIC_LABELS[m]], "container", p, METRIC_LABELS[m])
                    .properties(
                        description=f"{METRIC_LABELS[m]} per epoch, both networks overlaid (one panel of the figure)"
                    )
                    .interactive(),
                    columns=1,
                )
                for m in metrics
            ],
            alt_text,
        )
    return show(
        lambda p: _bottom_legends(
            panel(rows, CHART_PX // len(metrics) - 65, p)
            .facet(column=alt.Column("metric:N", title=None, sort=[METRIC_LABELS[m] for m in metrics]))
            .resolve_scale(y="independent")
            .interactive()
        ),
        alt_text,
        name,
    )


def series_curves(
    runs: dict[str, list[dict]],
    alt_text: str,
    name: str,
    metric: str = "test_loss",
    title: str | None = None,
    log_y: bool = False,
    points: list[dict] | None = None,
    height: int = 280,
):
    """Several named histories on one axis (e.g. initialisations, seeds, the study's values as points)."""
    import altair as alt

    label = title or METRIC_LABELS.get(metric, metric)
    rows = [{"series": s, "epoch": r["epoch"], "value": r[metric]} for s, h in runs.items() for r in h]
    y = (
        _log_y(label, [r["value"] for r in rows])
        if log_y
        else alt.Y("value:Q", title=label, scale=alt.Scale(zero=False))
    )

    def draw(palette: Palette):  # CATEGORIES read on both backgrounds
        pick = alt.selection_point(fields=["series"], bind="legend")
        chart = (
            alt.Chart(_data(rows))
            .mark_line(point=True)
            .encode(
                x=_epoch_axis([r["epoch"] for r in rows]),
                y=y,
                color=alt.Color("series:N", title=None, scale=alt.Scale(range=list(CATEGORIES))),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
                tooltip=["series:N", "epoch:Q", alt.Tooltip("value:Q", format=".5g")],
            )
            .add_params(pick)
        )
        if points:
            chart += (
                alt.Chart(_data(points))
                .mark_point(shape="diamond", size=120, filled=True)
                .encode(
                    x="epoch:Q",
                    y="value:Q",
                    color=alt.Color("series:N"),
                    tooltip=["series:N", "epoch:Q", "value:Q", "note:N"],
                )
            )
        return _bottom_legends(chart.properties(width=width(CHART_PX - 80), height=height).interactive())

    return show(draw, alt_text, name)


def epoch_times(run, alt_text: str, name: str = "fig-time"):
    """Training seconds per epoch for each network of a run (records.Run)."""
    import altair as alt

    rows = [
        {"model": label(m), "epoch": e.epoch, "seconds": e.seconds, "images per second": e.samples_per_second}
        for m, net in run.models.items()
        for e in net.history
    ]

    def draw(palette: Palette):
        chart = (
            alt.Chart(_data(rows))
            .mark_line(point=True)
            .encode(
                x=_epoch_axis([r["epoch"] for r in rows]),
                y=alt.Y("seconds:Q", title="training seconds per epoch", scale=alt.Scale(zero=True)),
                color=alt.Color("model:N", scale=_model_scale(run.models, palette)),
                tooltip=[
                    "model:N",
                    "epoch:Q",
                    alt.Tooltip("seconds:Q", format=".3f"),
                    alt.Tooltip("images per second:Q", format=",.0f"),
                ],
            )
            .properties(width=width(CHART_PX - 80), height=240)
            .interactive()
        )
        return _bottom_legends(chart)

    return show(draw, alt_text, name)


PCA_POINTS = 4000  # the PCA scatter's seeded sample: enough to see the clusters, light enough for a page


def pca_scatter(
    scores: np.ndarray,
    labels: np.ndarray,
    explained: list[float],
    alt_text: str,
    name: str = "fig-pca",
    max_points: int = PCA_POINTS,
    seed: int = 0,
):
    """PC1 vs PC2 coloured by digit; in HTML a legend click isolates digits and the
    view zooms. A seeded sample of `max_points` keeps the page light."""
    import altair as alt

    scores, labels = np.asarray(scores), np.asarray(labels)
    if len(labels) > max_points:
        idx = np.sort(np.random.default_rng(seed).choice(len(labels), max_points, replace=False))
        scores, labels = scores[idx], labels[idx]
    xl, yl = f"PC1 ({explained[0]:.1%} of variance)", f"PC2 ({explained[1]:.1%} of variance)"
    rows = [
        {"PC1": x, "PC2": y, "digit": str(d)}
        for x, y, d in zip(scores[:, 0].tolist(), scores[:, 1].tolist(), labels.tolist())
    ]

    def draw(palette: Palette):  # CATEGORIES read on both backgrounds
        pick = alt.selection_point(fields=["digit"], bind="legend")
        chart = (
            alt.Chart(_data(rows))
            .mark_circle(size=14)
            .encode(
                x=alt.X("PC1:Q", title=xl),
                y=alt.Y("PC2:Q", title=yl),
                color=alt.Color("digit:N", scale=alt.Scale(range=list(CATEGORIES))),
                opacity=alt.condition(pick, alt.value(0.8), alt.value(0.03)),
                tooltip=["digit:N", alt.Tooltip("PC1:Q", format=".2f"), alt.Tooltip("PC2:Q", format=".2f")],
            )
            .add_params(pick)
            .properties(width=width(CHART_PX - 80), height=420)
            .interactive()
        )
        return _bottom_legends(chart, columns=10)

    return show(draw, alt_text, name)


# The count in each cell of a confusion matrix: black or white, whichever stands out more
# from the cell's colour (Vega's contrast(), in both schemes' colour ranges).
_CELL_TEXT = (
    "contrast(scale('color', datum['share of true class']), 'white') > "
    "contrast(scale('color', datum['share of true class']), 'black')"
)


def confusion_matrices(run, alt_text: str, name: str = "fig-confusion"):
    """Row-normalised confusion matrix per network of a run (counts in the cells and the
    tooltip): one panel per network, side by side (a row that wraps on a narrow screen in HTML)."""
    import altair as alt

    mats = {m: np.asarray(net.confusion_matrix) for m, net in run.models.items()}
    rows = [
        {
            "model": label(m),
            "true": i,
            "predicted": j,
            "count": int(c[i, j]),
            "share of true class": float(c[i, j] / c[i].sum()),
        }
        for m, c in mats.items()
        for i in range(10)
        for j in range(10)
    ]

    def panel(rows: list[dict], side, palette: Palette, title=None):
        base = alt.Chart(_data(rows), title=title or alt.Undefined).encode(x="predicted:O", y="true:O")
        colours = (
            alt.Scale(type="sqrt", scheme="blues")
            if palette.heat is None
            else alt.Scale(type="sqrt", range=list(palette.heat))
        )
        heat = base.mark_rect().encode(
            color=alt.Color("share of true class:Q", scale=colours, legend=alt.Legend(format=".0%")),
            tooltip=["model:N", "true:O", "predicted:O", "count:Q", alt.Tooltip("share of true class:Q", format=".2%")],
        )
        text = base.mark_text(fontSize=8).encode(
            text="count:Q", color=alt.condition(_CELL_TEXT, alt.value("white"), alt.value("black"))
        )
        return (heat + text).properties(width=side, height=side if side != "container" else 260)

    if output_format() == "html":
        return show_panels(
            lambda p: [
                _bottom_legends(
                    panel([r for r in rows if r["model"] == label], "container", p, label).properties(
                        description=f"confusion matrix of {label} (one panel of the figure)"
                    ),
                    columns=1,
                )
                for label in (label(m) for m in mats)
            ],
            alt_text,
            min_px=260,
        )
    side = CHART_PX // 2 - 60
    return show(
        lambda p: _bottom_legends(panel(rows, side, p).facet(column=alt.Column("model:N", title=None))), alt_text, name
    )


def seed_looks(rows: list[dict], alt_text: str, name: str = "fig-seed-looks"):
    """Each question over the seeds at each look: its interval and difference divided by its
    margin (rows: question, seeds, diff, low, high), against the band of +-1 margin."""
    import altair as alt

    def draw(palette: Palette):
        colour = alt.Color("question:N", title=None, scale=alt.Scale(range=list(CATEGORIES)))
        base = alt.Chart(_data(rows)).encode(
            x=alt.X("seeds:O", title="seeds at the look", axis=alt.Axis(labelAngle=0)), xOffset="question:N"
        )
        band = (
            alt.Chart(_data([{"low": -1.0, "high": 1.0}]))
            .mark_rect(opacity=0.12, color=palette.axis)
            .encode(y=alt.Y("low:Q"), y2="high:Q")
        )
        zero = alt.Chart(_data([{"y": 0.0}])).mark_rule(color=palette.axis, strokeDash=[4, 3]).encode(y="y:Q")
        tips = [
            "question:N",
            "seeds:O",
            alt.Tooltip("diff:Q", format=".3f"),
            alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"),
        ]
        bars = base.mark_rule(strokeWidth=2).encode(
            y=alt.Y("low:Q", title="difference / margin"), y2="high:Q", color=colour, tooltip=tips
        )
        dots = base.mark_point(filled=True, size=40).encode(y="diff:Q", color=colour, tooltip=tips)
        chart = band + zero + bars + dots
        return _bottom_legends(chart.properties(width=width(CHART_PX - 80), height=280))

    return show(draw, alt_text, name)


def step_costs(
    points: list[dict], lines: list[dict], series: dict[str, str], alt_text: str, name: str = "fig-step-costs"
):
    """Milliseconds per SGD step against millions of FLOPs per step, both axes logarithmic:
    each implementation's measured cells as points and its fitted line (rows of "series",
    "mflop", "ms"; the points also "batch" and "hidden"). `series`: each label and its
    implementation's name: a network's colour from the palette, solid; anything else
    (the matrix products alone) in the text's colour, dashed."""
    import altair as alt

    labels = list(series)
    is_network = [series[s] in networks.names() for s in labels]
    log = alt.Scale(type="log", nice=False, padding=8)  # the data's own range, not the powers of 10 around it
    x = alt.X("mflop:Q", title="millions of FLOPs per step", scale=log, axis=alt.Axis(format="~g"))
    y = alt.Y("ms:Q", title="milliseconds per step", scale=log, axis=alt.Axis(format="~g"))
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=labels, range=[[1, 0] if n else [6, 3] for n in is_network])
    )

    def draw(palette: Palette):
        colours = [palette.model(series[s]) if n else palette.text for s, n in zip(labels, is_network, strict=True)]
        colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=labels, range=colours))
        fitted = alt.Chart(_data(lines)).mark_line().encode(x=x, y=y, color=colour, strokeDash=dash)
        measured = (
            alt.Chart(_data(points))
            .mark_point(filled=True, size=50)
            .encode(
                x=x,
                y=y,
                color=colour,
                tooltip=[
                    "series:N",
                    alt.Tooltip("batch:Q", title="batch size"),
                    alt.Tooltip("hidden:Q", title="hidden units"),
                    alt.Tooltip("mflop:Q", title="MFLOP per step", format=".3g"),
                    alt.Tooltip("ms:Q", title="ms per step", format=".3g"),
                ],
            )
        )
        chart = (fitted + measured).properties(width=width(CHART_PX - 80), height=380).interactive()
        return _bottom_legends(chart)

    return show(draw, alt_text, name)
