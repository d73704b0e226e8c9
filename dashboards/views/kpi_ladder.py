"""KPI ladder: the layers, the decision each informs, this period vs the previous one, and the trend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import axis_scale, fmt_delta, fmt_int, fmt_value, humanize, is_missing, unit_kind
from dashboards.queries import kpi_ladder as Q

LOWER_IS_BETTER = (
    "days",
    "cac",
    "cost",
    "payback",
    "rejection",
    "reject",
    "breach",
    "cycle",
    "time_to",
    "hours",
)
# What a metric of unit `count` counts (the catalogue's unit says only "count"; its definition says
# what): its change is written "+12 leads", not "+12". A count metric not listed keeps a bare number.
COUNTED = {"lead_volume": "leads"}  # kpi_metrics: "Leads (persons) created."
DIMENSION_LABELS = {
    "all": "All leads",
    "lead_source": "Lead source",
    "channel": "Channel",
    "segment": "Segment",
    "fit_tier": "ICP tier",
    "motion": "Inbound / outbound",
    "team": "Team",
}
# The reader's choices live in the page URL (query parameters, so a view can be shared) and in the
# session (so they are back when the reader returns to the page), as the other pages' filters do:
# parameter -> widget key. A choice equal to its default stays out of the URL, so that a link
# without `period` keeps showing the latest period as new data arrives.
URL_CHOICES = {
    "grain": "kpi_grain",
    "basis": "kpi_basis",
    "slice": "kpi_dimension",
    "slice_value": "kpi_value",
    "period": "kpi_period",
}
CHOICES_KEY = "kpi_choices"


def is_score_metric(metric: object) -> bool:
    """AUC-like scores are 0–1 numbers, not percentages."""
    return "auc" in str(metric).lower()


def display_unit(unit: object, metric: object) -> object:
    """Coverage is a multiple (pipeline ÷ target), whatever unit the mart gives it."""
    return "x" if "coverage" in str(metric).lower() else unit


def fmt_kpi(value: object, unit: object, metric: object) -> str:
    if is_score_metric(metric):
        return "–" if is_missing(value) else f"{float(value):.2f}"
    return fmt_value(value, display_unit(unit, metric))


info = ui.require_warehouse()
if not info.has("marts.kpi_ladder"):
    ui.header("KPI ladder", info, [])
    seeded = Q.kpi_layers(q)["layer"].tolist() if info.has("config.kpi_layers") else []
    ui.not_built(
        info,
        "marts.kpi_ladder",
        "It holds the ladder's layers of metrics"
        + (f" ({', '.join(seeded)})" if seeded else "")
        + " per period and slice.",
    )

options = Q.kpi_options(q)
if options.empty:
    ui.header("KPI ladder", info, [])
    ui.no_rows("`marts.kpi_ladder` is empty.")

# the URL's choices (a shared link), else the reader's last choices on this page
wanted = {name: st.query_params[name] for name in URL_CHOICES if st.query_params.get(name)}
wanted = wanted or dict(st.session_state.get(CHOICES_KEY, {}))
chosen: dict[str, str] = {}  # the choices that differ from their default, by parameter


def choose(
    widget: Callable[..., Any],
    name: str,
    label: str,
    options: Sequence[Any],
    as_param: Callable[[Any], str] = str,
    **kwargs: Any,
) -> Any:
    """A sidebar widget over `options` that starts at the one the URL (or the session) names by its
    `as_param`, else at the first (the default: an unknown value is no error); notes the choice."""
    params = [as_param(o) for o in options]
    index = params.index(wanted[name]) if wanted.get(name) in params else 0
    choice = widget(label, options, index=index, key=URL_CHOICES[name], **kwargs)
    if choice != options[0]:
        chosen[name] = as_param(choice)
    return choice


def keep_choices() -> None:
    """Write the choices to the URL and the session."""
    st.session_state[CHOICES_KEY] = dict(chosen)
    for name in URL_CHOICES:
        if name in chosen:
            st.query_params[name] = chosen[name]
        elif name in st.query_params:
            del st.query_params[name]


sb = st.sidebar
sb.header("View")
grains = sorted(options["period_grain"].unique(), key=lambda g: (g != "month", g))
grain = choose(
    sb.radio,
    "grain",
    "Period",
    grains,
    format_func=lambda g: {"month": "Monthly", "week": "Weekly"}.get(g, g),
    horizontal=True,
)
o = options[options["period_grain"] == grain]
bases = sorted(o["basis"].unique(), key=lambda b: (b != "period", b))  # "this month vs last" first
basis = choose(
    sb.radio,
    "basis",
    "Basis",
    bases,
    format_func=lambda b: {
        "cohort": "Cohort (month the lead entered)",
        "period": "Period (month it happened)",
    }.get(b, b),
)
o = o[o["basis"] == basis]
dims = sorted(o["slice_dimension"].unique(), key=lambda d: (d != "all", d))
dimension = choose(sb.selectbox, "slice", "Slice by", dims, format_func=lambda d: DIMENSION_LABELS.get(d, d))
values = sorted(o.loc[o["slice_dimension"] == dimension, "slice_value"].unique())
value = (
    values[0]
    if len(values) == 1
    else choose(
        sb.selectbox,
        "slice_value",
        DIMENSION_LABELS.get(dimension, dimension),
        values,
        format_func=ui.labeller(dimension),
    )
)

series = Q.kpi_series(q, grain, basis, dimension, value)
periods = sorted({pd.Timestamp(p).date() for p in series["period_start"]}, reverse=True)
if not periods:
    keep_choices()
    ui.header("KPI ladder", info, [])
    ui.no_rows("No KPI values for this slice.")
period = choose(
    sb.selectbox,
    "period",
    "Current period",
    periods,  # the latest first: the default
    format_func=lambda p: f"{p:%Y-%m}" if grain == "month" else f"week of {p:%Y-%m-%d}",
    as_param=lambda p: f"{p:%Y-%m}" if grain == "month" else f"{p:%Y-%m-%d}",
)
keep_choices()
active = [
    f"{'monthly' if grain == 'month' else grain}",
    f"{basis} basis",
    "all leads"
    if dimension == "all"
    else f"{DIMENSION_LABELS.get(dimension, dimension)} = {ui.labeller(dimension)(value)}",
    f"current period {period:%Y-%m}" if grain == "month" else f"current period week of {period:%Y-%m-%d}",
]
ui.header(
    "KPI ladder",
    info,
    active,
    "Each layer answers one decision. The current period is compared with the one before it; the charts show "
    "every period. The latest period may be incomplete.",
)

# the seed's label and definition of each metric (kpi_metrics); a breakdown `metric__part` is
# labelled "<label of metric>: <part>"
definitions = Q.kpi_metric_definitions(q) if info.has("config.kpi_metrics") else {}


def metric_label(metric: object) -> str:
    head, _, part = str(metric).partition("__")
    if head not in definitions:
        return humanize(metric)
    return definitions[head][0] + (f": {humanize(part)}" if part else "")


def metric_definition(metric: object) -> str | None:
    found = definitions.get(str(metric).partition("__")[0])
    return found[1] if found else None


current = Q.kpi_current_vs_previous(series, period)
layers = list(dict.fromkeys(current["layer"]))  # in the mart's layer order (the kpi_layers seed)


def kpi_delta(r: pd.Series) -> str | None:
    """The change from the previous period in the metric's unit (the catalogue's, as the mart
    carries it): '+12 leads', '-2.4 months', '+1.5 pp'; a score (AUC) is a bare number."""
    if is_score_metric(r["metric"]):
        if is_missing(r["current"]) or is_missing(r["previous"]):
            return None
        return f"{float(r['current']) - float(r['previous']):+.2f}"
    return fmt_delta(
        r["current"],
        r["previous"],
        display_unit(r["unit"], r["metric"]),
        counted=COUNTED.get(str(r["metric"]).partition("__")[0]),
    )


def layer_metrics(rows: pd.DataFrame) -> None:
    """The layer's headline metrics; breakdowns (`metric__part`) go into a small table."""
    main = rows[~rows["metric"].str.contains("__", regex=False)]
    parts = rows[rows["metric"].str.contains("__", regex=False)]
    cols = st.columns(2)
    for n, (_, r) in enumerate(main.iterrows()):
        metric_name = str(r["metric"])
        lower_better = unit_kind(r["unit"]) in ("days", "hours") or any(
            t in metric_name.lower() for t in LOWER_IS_BETTER
        )
        delta = kpi_delta(r)
        cur_row = series[
            (series["metric"] == r["metric"])
            & (series["period_start"].map(lambda x: pd.Timestamp(x).date()) == period)
        ]
        help_parts = [metric_definition(metric_name) or ""]
        if len(cur_row) and not is_missing(cur_row["denominator"].iloc[0]):
            help_parts.append(
                f"This period: {fmt_int(cur_row['numerator'].iloc[0])} ÷ {fmt_int(cur_row['denominator'].iloc[0])}"
            )
        if is_missing(r["current"]):  # say why there is no value
            help_parts.append(
                "No value this period: nothing to divide by (no lead in the denominator)"
                if len(cur_row) and not cur_row["denominator"].fillna(0).iloc[0]
                else "No value this period: the metric has no row for this period and slice (nothing happened yet)"
            )
            if is_score_metric(metric_name):
                help_parts.append("The AUC needs both won and lost leads among the period's closed leads.")
        help_text = "  \n".join(p for p in help_parts if p) or None
        cols[n % 2].metric(
            metric_label(metric_name),
            fmt_kpi(r["current"], r["unit"], metric_name),
            delta=(f"{delta} vs previous" if delta else None),
            delta_color="inverse" if lower_better else "normal",
            help=help_text,
        )
    for head, g in parts.groupby(parts["metric"].str.split("__").str[0], sort=False):
        st.markdown(f"**{metric_label(head)} by part**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Part": [humanize(m.split("__", 1)[1]) for m in g["metric"]],
                    "Current": [
                        fmt_kpi(v, u, m) for v, u, m in zip(g["current"], g["unit"], g["metric"], strict=True)
                    ],
                    "Previous": [
                        fmt_kpi(v, u, m)
                        for v, u, m in zip(g["previous"], g["unit"], g["metric"], strict=True)
                    ],
                    "Change": [kpi_delta(r) or "–" for _, r in g.iterrows()],
                }
            ),
            hide_index=True,
            key=f"kpi_parts_{head}_{g['layer'].iloc[0]}",
        )


def layer_trend(layer: str) -> None:
    """One line per headline metric; one panel per unit (%, $, days, …), panels stacked on one time axis."""
    trend = series[(series["layer"] == layer) & ~series["metric"].str.contains("__", regex=False)]
    if trend.empty:
        return
    scaled = []
    for _, r in trend.iterrows():
        if is_score_metric(r["metric"]):
            mult, suffix = 1.0, "score"
        else:
            mult, suffix = axis_scale(display_unit(r["unit"], r["metric"]))
        scaled.append(
            {
                "period_start": pd.Timestamp(r["period_start"]),
                "metric": metric_label(r["metric"]),
                "panel": suffix or "value",
                "plotted": None if is_missing(r["value"]) else float(r["value"]) * mult,
                "shown": fmt_kpi(r["value"], r["unit"], r["metric"]),
            }
        )
    t = pd.DataFrame(scaled)
    panels = list(dict.fromkeys(t["panel"]))
    metrics = list(dict.fromkeys(t["metric"]))
    colors = {m: ch.NEUTRAL_PALETTE[i % len(ch.NEUTRAL_PALETTE)] for i, m in enumerate(metrics)}
    date_format = "%Y-%m" if grain == "month" else "%Y-%m-%d"
    now = ch.rules(
        [(pd.Timestamp(period), f"current period ({period:{date_format}})")], x_type="T", dash=(2, 3)
    )
    charts = []
    for n, panel in enumerate(panels):
        here = t[t["panel"] == panel]
        lines = ch.lines(
            here,
            x="period_start",
            y="plotted",
            series="metric",
            series_order=list(dict.fromkeys(here["metric"])),
            colors=colors,
            x_title="Period start" if n == len(panels) - 1 else "",
            y_title=f"Value ({panel})",
            x_format=date_format,
            y_format=",~f",
            tooltip=[
                alt.Tooltip("metric:N", title="Metric"),
                alt.Tooltip("period_start:T", title="Period start", format=date_format),
                alt.Tooltip("shown:N", title="Value"),
            ],
        )
        charts.append(alt.layer(lines, now))
    # many metrics (velocity has 7): the legend in 2 columns, the chart taller by its extra rows
    legend_columns = 2 if len(metrics) > 4 else None
    if len(panels) == 1:
        extra_rows = (len(metrics) + 1) // 2 - 1 if legend_columns else 0
        ch.show(
            charts[0], height=320 + 30 * extra_rows, key=f"kpi_trend_{layer}", legend_columns=legend_columns
        )
        return
    # panels stacked (a vconcat takes the column's width; an hconcat would not), each with the
    # legend of its own metrics on top and its own y scale
    height = 150 if len(panels) == 2 else 115
    chart = (
        alt.vconcat(
            *(
                c.properties(
                    height=height,
                    title=alt.TitleParams(f"in {p}", fontSize=12, fontWeight="normal", color="#555555"),
                )
                for c, p in zip(charts, panels, strict=True)
            ),
            spacing=12,
        )
        .resolve_scale(x="shared", y="independent", color="independent")
        .resolve_legend(color="independent")
        .properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
        .configure_title(anchor="start", fontSize=15, offset=4)
        .configure_legend(
            orient="top",
            title=None,
            labelLimit=320,
            symbolLimit=20,
            **({"columns": 2} if legend_columns else {}),
        )
    )
    st.altair_chart(chart, width="stretch", key=f"kpi_trend_{layer}")


for i, layer in enumerate(layers, start=1):
    rows = current[current["layer"] == layer]
    decision = next((d for d in rows["decision"] if isinstance(d, str) and d), "")
    with st.container(border=True):
        left, right = st.columns([2, 3])
        with left:
            st.subheader(f"{i}. {layer.title()}")
            st.markdown(f"Decision it informs: **{decision}**")
            layer_metrics(rows)
        with right:
            layer_trend(layer)
