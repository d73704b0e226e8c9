"""KPI ladder: the layers, the decision each informs, this period vs the previous one, and the trend."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

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
DIMENSION_LABELS = {
    "all": "All leads",
    "lead_source": "Lead source",
    "channel": "Channel",
    "segment": "Segment",
    "fit_tier": "ICP tier",
    "motion": "Inbound / outbound",
    "team": "Team",
}


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

sb = st.sidebar
sb.header("View")
grains = sorted(options["period_grain"].unique(), key=lambda g: (g != "month", g))
grain = sb.radio(
    "Period",
    grains,
    format_func=lambda g: {"month": "Monthly", "week": "Weekly"}.get(g, g),
    key="kpi_grain",
    horizontal=True,
)
o = options[options["period_grain"] == grain]
bases = sorted(o["basis"].unique(), key=lambda b: (b != "period", b))  # "this month vs last" first
basis = sb.radio(
    "Basis",
    bases,
    format_func=lambda b: {
        "cohort": "Cohort (month the lead entered)",
        "period": "Period (month it happened)",
    }.get(b, b),
    key="kpi_basis",
)
o = o[o["basis"] == basis]
dims = sorted(o["slice_dimension"].unique(), key=lambda d: (d != "all", d))
dimension = sb.selectbox(
    "Slice by", dims, format_func=lambda d: DIMENSION_LABELS.get(d, d), key="kpi_dimension"
)
values = sorted(o.loc[o["slice_dimension"] == dimension, "slice_value"].unique())
value = (
    values[0]
    if len(values) == 1
    else sb.selectbox(
        DIMENSION_LABELS.get(dimension, dimension),
        values,
        format_func=ui.labeller(dimension),
        key="kpi_value",
    )
)

series = Q.kpi_series(q, grain, basis, dimension, value)
periods = sorted({pd.Timestamp(p).date() for p in series["period_start"]}, reverse=True)
if not periods:
    ui.header("KPI ladder", info, [])
    ui.no_rows("No KPI values for this slice.")
period = sb.selectbox(
    "Current period",
    periods,
    index=0,
    format_func=lambda p: f"{p:%Y-%m}" if grain == "month" else f"week of {p:%Y-%m-%d}",
    key="kpi_period",
)
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
    if is_score_metric(r["metric"]):
        if is_missing(r["current"]) or is_missing(r["previous"]):
            return None
        return f"{float(r['current']) - float(r['previous']):+.2f}"
    return fmt_delta(r["current"], r["previous"], display_unit(r["unit"], r["metric"]))


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
    """One line per headline metric; one panel per unit (%, $, days, …)."""
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
                "period_start": r["period_start"],
                "metric": metric_label(r["metric"]),
                "panel": suffix or "value",
                "plotted": None if is_missing(r["value"]) else float(r["value"]) * mult,
                "shown": fmt_kpi(r["value"], r["unit"], r["metric"]),
            }
        )
    t = pd.DataFrame(scaled)
    panels = list(dict.fromkeys(t["panel"]))
    # plain graph objects: plotly express takes ~0.5 s to build a faceted figure, this ~20 ms
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        subplot_titles=[f"in {p}" for p in panels] if len(panels) > 1 else None,
        horizontal_spacing=0.1,
    )
    for i, (metric, g) in enumerate(t.groupby("metric", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=g["period_start"],
                y=g["plotted"],
                mode="lines+markers",
                name=metric,
                line_color=ui.NEUTRAL_PALETTE[i % len(ui.NEUTRAL_PALETTE)],
                customdata=list(zip(g["shown"], g["metric"], strict=True)),
                hovertemplate="%{customdata[1]} %{x|%Y-%m-%d}: %{customdata[0]}<extra></extra>",
            ),
            row=1,
            col=panels.index(g["panel"].iloc[0]) + 1,
        )
    fig.update_yaxes(rangemode="tozero", title="Value" if len(panels) > 1 else f"Value ({panels[0]})")
    fig.update_xaxes(tickformat="%Y-%m" if grain == "month" else "%Y-%m-%d", nticks=6, title="Period start")
    fig.add_vline(x=str(period), line_dash="dot", line_color="#888")
    ui.chart(fig, height=320, key=f"kpi_trend_{layer}")


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
