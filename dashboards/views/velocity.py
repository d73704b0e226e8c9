"""Velocity: how long leads take between stages, how that changes, and where the funnel is slowest."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_days, fmt_delta, fmt_int
from dashboards.queries import velocity as Q
from dashboards.queries.common import stage_label, step_label

STATISTICS = [("median_days", "median"), ("p75_days", "p75"), ("p90_days", "p90")]
# ch.lines ticks the time axis 6 times: inside one month that repeats its label; a tick per month
# (fewer when they would overlap)
MONTH_AXIS = alt.Axis(format="%Y-%m", labelAngle=0, tickCount={"interval": "month", "step": 1})


def by_statistic(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per `key` and statistic (median, p75, p90) with its days: the long form charts draw."""
    return df.melt(
        id_vars=[key, "lead_count"],
        value_vars=[column for column, _ in STATISTICS],
        var_name="column",
        value_name="days",
    ).assign(statistic=lambda d: d["column"].map(dict(STATISTICS)))


HEADLINE_STEPS = [("lead", "mql"), ("mql", "sql"), ("sql", "opportunity"), ("sql", "closed")]
# the headline steps that are a KPI ladder metric (cohort basis: per cohort month, the same leads and
# median as marts.kpi_ladder, tests/test_dashboards_apptest.py); steps from `lead` start at the
# lead's creation, as the ladder's days_created_to_* do
LADDER_METRIC = {
    ("lead", "mql"): "days_created_to_mql",
    ("mql", "sql"): "median_days_mql_to_sql",
    ("sql", "closed"): "median_days_sql_to_close",
}
# the others: how they differ from the nearest ladder metric, so no one reads them as it
NOT_IN_LADDER = {
    ("sql", "opportunity"): (
        "days_created_to_opportunity",
        "counts from the lead's creation, not from its SQL",
    ),
}

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
for col, stages in zip(cols, HEADLINE_STEPS, strict=True):
    name = step_label(*stages)
    meaning = (
        ui.kpi_definition(info, LADDER_METRIC[stages])
        if stages in LADDER_METRIC
        else ui.not_kpi(info, *NOT_IN_LADDER[stages])
    )
    if name in by_step.index:
        r = by_step.loc[name]
        before = prev_by_step["median_days"].get(name) if prev_by_step is not None else None
        col.metric(
            f"Median {name}",
            fmt_days(r["median_days"]),
            delta=fmt_delta(r["median_days"], before, "days"),
            delta_color="inverse",  # faster is better
            help=ui.help_text(
                f"p75 {fmt_days(r['p75_days'])} · p90 {fmt_days(r['p90_days'])} · {fmt_int(r['lead_count'])} leads",
                meaning,
            ),
        )
    else:
        col.metric(
            f"Median {name}", "–", help=ui.help_text("no lead in the selection made this step", meaning)
        )
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
    per_step = by_statistic(summary, "step")
    ch.show(
        ch.bars(
            per_step,
            value="days",
            category="step",
            order=summary.sort_values("median_days", ascending=False)["step"].tolist(),
            series="statistic",
            series_order=[name for _, name in STATISTICS],
            grouped=True,
            title="Days per step, slowest at the top",
            value_title="Days between stages",
            value_format=",~f",  # 0.5, not a second 0 or 1, when the days are few
            category_title="Step",
            tooltip=[
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("statistic:N", title="Statistic"),
                alt.Tooltip("days:Q", title="Days", format=".1f"),
                alt.Tooltip("lead_count:Q", title="Leads", format=","),
            ],
        ),
        height=420,
        key="velocity_slowest",
    )
with right:
    stays = Q.time_in_stage(  # the mart has the same slices as stage_velocity
        q,
        f,
        "time_in_stage"
        if info.has("marts.time_in_stage") and Q.velocity_from_mart_ok(f, opts["months"])
        else "lead_stage_history",
    )
    stays["stage_name"] = [stage_label(s) for s in stays["stage"]]
    ch.show(
        ch.bars(
            stays,
            value="median_days",
            category="stage_name",
            order=stays.sort_values("median_days", ascending=False)["stage_name"].tolist(),
            title="Median days spent in each stage",
            value_title="Median days in stage",
            value_format=",~f",
            category_title="Stage",
            tooltip=[
                alt.Tooltip("stage_name:N", title="Stage"),
                alt.Tooltip("median_days:Q", title="Median days", format=".1f"),
                alt.Tooltip("p75_days:Q", title="p75 days", format=".1f"),
                alt.Tooltip("p90_days:Q", title="p90 days", format=".1f"),
                alt.Tooltip("stays:Q", title="Stays", format=","),
            ],
        ),
        height=420,
        key="velocity_stays",
    )
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
hist["to_days"] = hist["from_days"] + width
left, right = st.columns(2)
with left:
    bars = (
        alt.Chart(hist)
        .mark_bar(color=ch.NEUTRAL_COLOR)
        .encode(
            x=alt.X(
                "from_days:Q",
                bin="binned",  # the query's bins: a bar from from_days to to_days
                title=f"Days {step} (bins of {width:g} days)",
                axis=alt.Axis(format=",.0f"),
            ),
            x2="to_days:Q",
            y=alt.Y("lead_count:Q", title="Leads (count)", axis=alt.Axis(format=",.0f", tickMinStep=1)),
            tooltip=[
                alt.Tooltip("range:N", title="Days"),
                alt.Tooltip("lead_count:Q", title="Leads", format=","),
            ],
        )
    )
    marks = [
        ch.rules([(r[column], f"{name} {fmt_days(r[column])}")], dash=dash)
        for column, name, dash in (
            ("median_days", "median", (1, 0)),
            ("p75_days", "p75", (6, 4)),
            ("p90_days", "p90", (2, 3)),
        )
    ]
    ch.show(
        alt.layer(bars, *marks).properties(
            title=f"Distribution of days {step} ({fmt_int(r['lead_count'])} leads)"
        ),
        height=340,
        key="velocity_hist",
    )
    st.caption(
        f"Dark lines: median {fmt_days(r['median_days'])} (solid), p75 {fmt_days(r['p75_days'])} (dashed), "
        f"p90 {fmt_days(r['p90_days'])} (dotted). The last bar collects the longest tail."
    )
with right:
    trend = Q.velocity_trend(q, f, step, source)
    per_month = by_statistic(trend, "month")
    ch.show(
        ch.lines(
            per_month,
            x="month",
            y="days",
            series="statistic",
            series_order=[name for _, name in STATISTICS],
            title=f"Trend of days {step}",
            x_title="Cohort month (lead created)",
            y_title="Days",
            y_format=",~f",
            tooltip=[
                alt.Tooltip("month:T", title="Cohort month", format="%Y-%m"),
                alt.Tooltip("statistic:N", title="Statistic"),
                alt.Tooltip("days:Q", title="Days", format=".1f"),
                alt.Tooltip("lead_count:Q", title="Leads", format=","),
            ],
        ).encode(x=alt.X("month:T", title="Cohort month (lead created)", axis=MONTH_AXIS)),
        height=340,
        key="velocity_trend",
    )

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
