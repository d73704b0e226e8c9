"""Chart builders (Vega-Lite via Altair) with the dashboards' conventions: titles on the left,
legends on top, neutral colours unless a colour means something (components.RAG_COLORS).

Why Vega-Lite and not Plotly: in headless Chromium on the 2-core benchmark machine a page with one
Plotly chart took 1.4 s longer to finish drawing than the same page without it (Plotly's 4.7 MB
bundle is parsed on every visit), one Vega-Lite chart 0.2 s (six charts: +1.5 s against +0.3 s;
measured in one run, scripts/benchmark_dashboard_pages.py times the real pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

NEUTRAL_COLOR = "#1f77b4"
# series that carry no judgement (metrics, sources, steps) take these: no red, green or amber
NEUTRAL_PALETTE = ["#1f77b4", "#9467bd", "#17becf", "#8c564b", "#7f7f7f", "#bcbd22", "#e377c2", "#393b79"]
REFERENCE_COLOR = "#444444"  # target and reference lines: dark, never red
# an axis label longer than 10 characters on two lines, split at its last space (Vega expression)
TWO_LINES = (
    "length(datum.label) > 10 && lastindexof(datum.label, ' ') > 0 ? "
    "[substring(datum.label, 0, lastindexof(datum.label, ' ')), "
    "substring(datum.label, lastindexof(datum.label, ' ') + 1)] : datum.label"
)
CLICK = "click"  # the point selection of a chart built with `click_fields` (show(clickable=True) returns it)


def show(
    chart: alt.TopLevelMixin,
    *,
    key: str,
    height: int = 380,
    legend_columns: int | None = None,
    clickable: bool = False,
) -> list[dict[str, Any]]:
    """Draw a chart the page's width and `height` pixels high (title and legend included); the legend on top (in
    `legend_columns` columns when its labels are long). `clickable` (a chart built with `click_fields`):
    a click reruns the page and the points clicked are returned (a dict of the click fields' values
    each), else none."""
    chart = chart.properties(height=height, width="container")
    chart = chart.configure_title(anchor="start", fontSize=15, offset=8)
    legend: dict[str, Any] = {"orient": "top", "title": None, "labelLimit": 320, "symbolLimit": 20}
    if legend_columns:
        legend["columns"] = legend_columns
    chart = chart.configure_legend(**legend)
    if not clickable:
        st.altair_chart(chart, width="stretch", key=key)
        return []
    event = st.altair_chart(chart, width="stretch", key=key, on_select="rerun", selection_mode=CLICK)
    return list(event.selection.get(CLICK) or [])


def _clicks(fields: Sequence[str]) -> dict[str, Any]:
    """Mark properties of a clickable mark (a pointer cursor), none for `fields` empty."""
    return {"cursor": "pointer"} if fields else {}


def _click_selection(chart: alt.Chart, fields: Sequence[str]) -> alt.Chart:
    """The chart with a click selection on `fields` (the clicked mark's datum's values), if any."""
    return chart.add_params(alt.selection_point(name=CLICK, fields=list(fields))) if fields else chart


def _title(text: str | None) -> alt.TitleParams | str:
    return alt.TitleParams(text) if text else ""


def series_scale(values: Sequence[Any], colors: Mapping[Any, str] | None = None) -> alt.Scale:
    """A colour scale: the given colour per value, else the neutral palette in the values' order."""
    values = list(values)
    if colors:
        return alt.Scale(domain=values, range=[colors[v] for v in values])
    return alt.Scale(
        domain=values, range=[NEUTRAL_PALETTE[i % len(NEUTRAL_PALETTE)] for i in range(len(values))]
    )


def bars(
    df: pd.DataFrame,
    *,
    value: str,
    category: str,
    series: str | None = None,
    series_order: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | None = None,
    color: str = NEUTRAL_COLOR,
    order: Sequence[Any] | None = None,
    horizontal: bool = True,
    grouped: bool = False,
    title: str = "",
    value_title: str = "",
    category_title: str | None = None,
    value_format: str = ",.0f",
    tooltip: Sequence[alt.Tooltip] = (),
    label: str | None = None,
    click_fields: Sequence[str] = (),
) -> alt.Chart:
    """Bars of `value` per `category` (top to bottom / left to right in `order`), stacked by
    `series` unless `grouped`; `label` is a text column drawn at the end of each bar; a click on a
    bar selects its `click_fields` (see show)."""
    cat = alt.Y if horizontal else alt.X
    val = alt.X if horizontal else alt.Y
    cat_ch, val_ch = ("y", "x") if horizontal else ("x", "y")
    sort = list(order) if order is not None else None
    enc: dict[str, Any] = {
        cat_ch: cat(
            f"{category}:N",
            sort=sort,
            title=category_title,
            axis=alt.Axis(labelLimit=260) if horizontal else alt.Axis(labelAngle=0, labelLimit=160),
        ),
        val_ch: val(
            f"{value}:Q",
            title=value_title,
            axis=alt.Axis(format=value_format),
            stack="zero" if series and not grouped else None,
        ),
        "tooltip": list(tooltip)
        or [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=value_format)],
    }
    if series:
        domain = list(series_order) if series_order is not None else list(dict.fromkeys(df[series]))
        enc["color"] = alt.Color(f"{series}:N", scale=series_scale(domain, colors), sort=domain)
        if grouped:
            offset = alt.YOffset if horizontal else alt.XOffset
            enc[f"{cat_ch}Offset"] = offset(f"{series}:N", sort=domain)
        else:  # stack in the legend's order
            df = df.assign(series_rank=[domain.index(s) if s in domain else len(domain) for s in df[series]])
            enc["order"] = alt.Order("series_rank:Q")
    mark = {} if series else {"color": color}
    chart = _click_selection(
        alt.Chart(df).mark_bar(**mark, **_clicks(click_fields)).encode(**enc), click_fields
    )
    if label:
        ends = alt.Chart(df).transform_aggregate(
            total=f"sum({value})", text=f"max({label})", groupby=[category]
        )
        text = ends.mark_text(
            align="left" if horizontal else "center", dx=4 if horizontal else 0, dy=0 if horizontal else -6
        ).encode(
            **{cat_ch: cat(f"{category}:N", sort=sort), val_ch: val("total:Q"), "text": alt.Text("text:N")}
        )
        chart = alt.layer(chart, text)
    return chart.properties(title=_title(title))


def lines(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str | None = None,
    series_order: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | None = None,
    dashes: Mapping[Any, Sequence[int]] | None = None,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    x_type: str = "T",
    x_format: str | None = "%Y-%m",
    y_format: str = ",.0f",
    y_domain: Sequence[float] | None = None,
    tooltip: Sequence[alt.Tooltip] = (),
    points: bool = True,
    step: bool = False,
) -> alt.Chart:
    """Lines of `y` over `x` (time by default), one per `series`; the y axis starts at zero."""
    enc: dict[str, Any] = {
        "x": alt.X(f"{x}:{x_type}", title=x_title, axis=alt.Axis(format=x_format, labelAngle=0, tickCount=6)),
        "y": alt.Y(
            f"{y}:Q",
            title=y_title,
            axis=alt.Axis(format=y_format),
            scale=alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=True),
        ),
        "tooltip": list(tooltip) or [alt.Tooltip(f"{x}:{x_type}"), alt.Tooltip(f"{y}:Q", format=y_format)],
    }
    mark: dict[str, Any] = {"point": points}
    if step:
        mark["interpolate"] = "step-after"
    if series:
        domain = list(series_order) if series_order is not None else list(dict.fromkeys(df[series]))
        enc["color"] = alt.Color(f"{series}:N", scale=series_scale(domain, colors), sort=domain)
        if dashes:
            enc["strokeDash"] = alt.StrokeDash(
                f"{series}:N",
                scale=alt.Scale(domain=domain, range=[list(dashes.get(s, [1, 0])) for s in domain]),
            )  # same field as the colour: one legend, its symbols drawn as lines
            enc["color"] = alt.Color(
                f"{series}:N",
                scale=series_scale(domain, colors),
                sort=domain,
                legend=alt.Legend(symbolType="stroke"),
            )
    else:
        mark["color"] = NEUTRAL_COLOR
    return alt.Chart(df).mark_line(**mark).encode(**enc).properties(title=_title(title))


def time_axis(start: Any, end: Any, *, title: str, ticks: int = 6) -> alt.Axis:
    """A time axis over start..end whose labels always carry the year (a lead's history can span
    years: "Mar 04" alone is ambiguous). The format follows the span so that no two of the ticks
    Vega picks (about `ticks`: hours only under about 4 days, months only beyond about 3 months)
    share a label: date and time under a week, the date under a year, year and month beyond.
    Labels that would touch are dropped, every other one."""
    span = pd.Timestamp(end) - pd.Timestamp(start)
    if span < pd.Timedelta(days=7):
        fmt = "%Y-%m-%d %H:%M"
    elif span < pd.Timedelta(days=365):
        fmt = "%Y-%m-%d"
    else:
        fmt = "%Y-%m"
    return alt.Axis(
        title=title, format=fmt, labelAngle=0, tickCount=ticks, labelOverlap="parity", labelSeparation=8
    )


def rules(
    values: Sequence[tuple[float | str, str]],
    *,
    axis: str = "x",
    x_type: str = "Q",
    color: str = REFERENCE_COLOR,
    dash: Sequence[int] = (4, 4),
) -> alt.Chart:
    """Reference lines at `values` ((position, label) pairs) across the plot; hover shows the label."""
    df = pd.DataFrame(values, columns=["at", "what"])
    enc = {
        axis: alt.X(f"at:{x_type}") if axis == "x" else alt.Y(f"at:{x_type}"),
        "tooltip": [alt.Tooltip("what:N", title=" ")],
    }
    return alt.Chart(df).mark_rule(color=color, strokeDash=list(dash), size=1.5).encode(**enc)


def heatmap(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    x_order: Sequence[Any],
    y_order: Sequence[Any],
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    tooltip: Sequence[alt.Tooltip] = (),
    click_fields: Sequence[str] = (),
) -> alt.LayerChart:
    """Cells coloured by `value` (blues) with the value written in each non-zero cell; a click on a
    cell (or its number) selects its `click_fields` (see show)."""
    base = alt.Chart(df).encode(
        x=alt.X(
            f"{x}:N",
            sort=list(x_order),
            title=x_title,
            axis=alt.Axis(labelAngle=0, labelOverlap=False, labelExpr=TWO_LINES),
        ),
        y=alt.Y(f"{y}:N", sort=list(y_order), title=y_title),
    )
    cells = base.mark_rect(**_clicks(click_fields)).encode(
        color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=list(tooltip)
        or [alt.Tooltip(f"{y}:N"), alt.Tooltip(f"{x}:N"), alt.Tooltip(f"{value}:Q", format=",")],
    )
    cells = _click_selection(cells, click_fields)
    high = float(df[value].max() or 0) * 0.6
    text = (
        base.transform_filter(f"datum.{value} > 0")
        .mark_text(**_clicks(click_fields))
        .encode(
            text=alt.Text(f"{value}:Q", format=","),
            color=alt.condition(f"datum.{value} > {high}", alt.value("white"), alt.value("#222222")),
        )
    )
    return alt.layer(cells, text).properties(title=_title(title))
