"""Velocity: how long leads take between stages, how that changes, and where the funnel is slowest."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_days, fmt_delta, fmt_int
from dashboards.queries import velocity as Q
from dashboards.queries.common import stage_label, step_label

STATISTICS = [("median_days", "median"), ("p75_days", "p75"), ("p90_days", "p90")]
HEADLINE_STEPS = [
    step_label(a, b) for a, b in (("lead", "mql"), ("mql", "sql"), ("sql", "opportunity"), ("sql", "closed"))
]

info = ui.require_warehouse()
opts = ui.lead_filter_options(info)
f, active = ui.sidebar_filters("velocity", opts["months"], **{k: v for k, v in opts.items() if k != "months"})
step = st.sidebar.selectbox(
    "Step for distribution and trend", Q.VELOCITY_STEP_NAMES, index=3, key="velocity_step"
)
active = [*active, f"step: {step}"]
ui.header(
    "Velocity",
    info,
    active,
    "Days between the first time a lead entered one stage and the first time it entered the next "
    "(median, 75th and 90th percentile), for leads created in the selected months.",
)

source = (
    "stage_velocity"
    if info.has("marts.stage_velocity") and Q.velocity_from_mart_ok(f, opts["months"])
    else "leads"
)
summary = Q.velocity_summary(q, f, source)
if summary.empty:
    ui.no_rows("No lead in this selection has moved between two stages yet.")
by_step = summary.set_index("step")
prev_f = ui.previous_period(f, opts["months"])
prev_source = (
    "stage_velocity"
    if source == "stage_velocity" and prev_f and Q.velocity_from_mart_ok(prev_f, opts["months"])
    else "leads"
)
prev_by_step = Q.velocity_summary(q, prev_f, prev_source).set_index("step") if prev_f else None

cols = st.columns(len(HEADLINE_STEPS))
for col, name in zip(cols, HEADLINE_STEPS, strict=True):
    if name in by_step.index:
        r = by_step.loc[name]
        before = prev_by_step["median_days"].get(name) if prev_by_step is not None else None
        col.metric(
            f"Median {name}",
            fmt_days(r["median_days"]),
            delta=fmt_delta(r["median_days"], before, "days"),
            delta_color="inverse",  # faster is better
            help=f"p75 {fmt_days(r['p75_days'])} · p90 {fmt_days(r['p90_days'])} · {fmt_int(r['lead_count'])} leads",
        )
    else:
        col.metric(f"Median {name}", "–", help="no lead in the selection made this step")
st.caption(
    f"Source: `marts.{source}`"
    + (
        ""
        if source == "stage_velocity"
        else (
            " (`marts.stage_velocity` is not built yet)"
            if not info.has("marts.stage_velocity")
            else " (`marts.stage_velocity` is sliced by cohort month and one segment only, so these filters are "
            "computed from the leads)"
        )
    )
    + f". Only leads that completed a step count; {stage_label('closed')} = won or lost."
)

st.subheader("Where the funnel is slowest")
left, right = st.columns(2)
with left:
    # graph objects, not plotly express: a few ms per figure instead of a few hundred
    fig = go.Figure()
    for column, name in STATISTICS:
        fig.add_bar(
            x=summary[column],
            y=summary["step"],
            name=name,
            orientation="h",
            customdata=summary["lead_count"],
            hovertemplate="%{y}: %{x:.1f} days (%{customdata:,} leads)<extra></extra>",
        )
    order = summary.sort_values("median_days")["step"].tolist()
    fig.update_layout(barmode="group", title="Days per step, slowest at the top")
    fig.update_yaxes(categoryorder="array", categoryarray=order, title="Step")
    fig.update_xaxes(ticksuffix=" d", title="Days between stages")
    ui.chart(fig, height=420, key="velocity_slowest")
with right:
    stays = Q.time_in_stage(q, f)
    stays["stage_name"] = [stage_label(s) for s in stays["stage"]]
    fig = go.Figure(
        go.Bar(
            x=stays["median_days"],
            y=stays["stage_name"],
            orientation="h",
            marker_color=ui.NEUTRAL_COLOR,
            customdata=list(zip(stays["p75_days"], stays["p90_days"], stays["stays"], strict=True)),
            hovertemplate="%{y}: median %{x:.1f} days, p75 %{customdata[0]:.1f}, p90 %{customdata[1]:.1f} "
            "(%{customdata[2]:,} stays)<extra></extra>",
        )
    )
    fig.update_layout(title="Median days spent in each stage")
    fig.update_yaxes(categoryorder="total ascending", title="Stage")
    fig.update_xaxes(ticksuffix=" d", title="Median days in stage")
    ui.chart(fig, height=420, key="velocity_stays")
    st.caption(
        "Completed stays only, from `marts.lead_stage_history`; Recycled = waiting for the recycle date."
    )

st.subheader(f"{step}: distribution and trend")
if step not in by_step.index:
    st.info(f"No lead in this selection made the step {step}.")
    st.stop()
r = by_step.loc[step]
width = Q.nice_bin_width(r.get("p95_days", r["p90_days"] * 1.3))
hist = Q.velocity_histogram(q, f, step, width)
max_bin = int(hist["bin"].max()) if len(hist) else 0
hist["from_days"] = hist["bin"] * width
hist["range"] = [
    f"≥ {b * width:,.1f} days"
    if b == max_bin and max_bin >= 40
    else f"{b * width:,.1f}–{(b + 1) * width:,.1f} days"
    for b in hist["bin"]
]
left, right = st.columns(2)
with left:
    fig = go.Figure(
        go.Bar(
            x=hist["from_days"],
            y=hist["lead_count"],
            width=width * 0.95,
            offset=0,
            marker_color=ui.NEUTRAL_COLOR,
            customdata=hist["range"],
            hovertemplate="%{customdata}: %{y:,} leads<extra></extra>",
        )
    )
    fig.update_layout(title=f"Distribution of days {step} ({fmt_int(r['lead_count'])} leads)")
    fig.update_xaxes(title=f"Days {step} (bins of {width:g} days)")
    fig.update_yaxes(title="Leads (count)")
    for value, dash in ((r["median_days"], "solid"), (r["p75_days"], "dash"), (r["p90_days"], "dot")):
        fig.add_vline(x=value, line_dash=dash, line_color="#333333")
    ui.chart(fig, key="velocity_hist")
    st.caption(
        f"Dark lines: median {fmt_days(r['median_days'])} (solid), p75 {fmt_days(r['p75_days'])} (dashed), "
        f"p90 {fmt_days(r['p90_days'])} (dotted). The last bar collects the longest tail."
    )
with right:
    trend = Q.velocity_trend(q, f, step, source)
    fig = go.Figure()
    for column, name in STATISTICS:
        fig.add_scatter(
            x=trend["month"],
            y=trend[column],
            name=name,
            mode="lines+markers",
            customdata=trend["lead_count"],
            hovertemplate="%{x|%Y-%m}: %{y:.1f} days (%{customdata:,} leads)<extra></extra>",
        )
    fig.update_layout(title=f"Trend of days {step}")
    fig.update_xaxes(tickformat="%Y-%m", title="Cohort month (lead created)")
    fig.update_yaxes(ticksuffix=" d", rangemode="tozero", title="Days")
    ui.chart(fig, key="velocity_trend")

table = summary.drop(columns=["step_order", "p95_days"], errors="ignore").rename(
    columns={
        "step": "Step",
        "lead_count": "Leads",
        "median_days": "Median days",
        "p75_days": "p75 days",
        "p90_days": "p90 days",
    }
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "Leads": st.column_config.NumberColumn(format="localized"),
        **{c: st.column_config.NumberColumn(format="%.1f") for c in ("Median days", "p75 days", "p90 days")},
    },
)
st.caption(
    "Leads created near the data date have had little time to move on, so the latest cohorts look faster "
    "than they will be."
)
