"""SLA: compliance by SLA, team and rep; time taken against each target; running clocks by state (breached
this week, at risk, breached long ago); the weekly trend."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_delta, fmt_duration, fmt_int, fmt_pct
from dashboards.queries import sla as Q
from dashboards.queries.common import distinct_values

MIN_DECIDED = 5  # a weekly point needs this many decided SLA instances
LIST_LIMIT = 200  # rows of a running-clocks table

info = ui.require_warehouse()
if not info.has("marts.lead_sla"):
    ui.header("SLA compliance", info, [])
    ui.not_built(
        info,
        "marts.lead_sla",
        "It holds one row per lead and SLA instance (MQL handoff, SDR first touch, …).",
    )

slas = Q.sla_names(q)
sla_label = dict(zip(slas["sla_id"], slas["sla_name"], strict=True))
f, active = ui.sidebar_filters(
    "sla",
    Q.sla_months(q),
    sources=distinct_values(q, "marts.lead_sla", "lead_source"),
    segments=distinct_values(q, "marts.lead_sla", "segment"),
    motions=distinct_values(q, "marts.lead_sla", "motion"),
    teams=distinct_values(q, "marts.lead_sla", "team_name"),
    period_label="Month the SLA clock started",
)
chosen = st.sidebar.multiselect(
    "SLA", list(sla_label), format_func=lambda s: sla_label.get(s, s), key="sla_sla", placeholder="All"
)
active = [*active, f"SLA: {', '.join(sla_label[s] for s in chosen) if chosen else 'all'}"]
ui.header(
    "SLA compliance",
    info,
    active,
    "Compliance = met ÷ (met + breached + open and already breached); clocks still running inside their "
    "target are not judged yet. Elapsed time is business time in the owner's territory unless the SLA says otherwise.",
)

overall = Q.sla_overall(q, f, chosen)
if overall["instances"] == 0:
    ui.no_rows("No SLA instance matches these filters.")
state_names = Q.sla_state_labels(q)
prev_f = ui.previous_period(f, Q.sla_months(q))
prev = Q.sla_overall(q, prev_f, chosen) if prev_f else None
c = st.columns(6)
c[0].metric(
    "SLA instances",
    fmt_int(overall["instances"]),
    delta=f"{int(overall['instances'] - prev['instances']):+,} clocks" if prev is not None else None,
    delta_color="off",
    help="clocks started in the selection",
)
c[1].metric(
    "Compliance",
    fmt_pct(overall["compliance"]),
    delta=fmt_delta(overall["compliance"], prev["compliance"], "rate") if prev is not None else None,
    help=ui.help_text(
        f"met ÷ decided: {fmt_int(overall['met'])} met of {fmt_int(overall['decided'])} decided "
        "(met + breached + still running past due).",
        ui.kpi_definition(info, "sla_compliance"),
    ),
)
c[2].metric(
    "Breached",
    fmt_int(overall["breached"]),
    delta=f"{int(overall['breached'] - prev['breached']):+,} clocks" if prev is not None else None,
    delta_color="inverse",  # fewer breaches is better
    help="clock stopped after its due time",
)
for col, state in zip(c[3:], Q.OPEN_STATES, strict=True):
    col.metric(state_names[state]["label"], fmt_int(overall[state]), help=state_names[state]["description"])

by_sla = Q.sla_by(q, f, "sla", chosen)
by_team = Q.sla_by(q, f, "team", chosen)


# the colours of the time-to-target bars (components.RAG_COLORS), in the legend's order
TARGET_STATES = {
    "before the at-risk share": "green",
    "at risk": "amber",
    "past the target": "red",
}


def compliance_bar(df: pd.DataFrame, y: str, title: str, y_label: str, key: str) -> None:
    """Compliance per row of `df`, worst at the top."""
    if df.empty:
        st.info(f"{title}: no SLA instance in this selection.")
        return
    df = df.assign(
        compliance_pct=df["compliance"] * 100, compliance_text=[fmt_pct(v) for v in df["compliance"]]
    )
    ch.show(
        ch.bars(
            df,
            value="compliance_pct",
            category=y,
            order=df.sort_values("compliance", na_position="last")[y].tolist(),
            title=title,
            value_title="Compliance (%)",
            category_title=y_label,
            label="compliance_text",
            tooltip=[
                alt.Tooltip(f"{y}:N", title=y_label),
                alt.Tooltip("compliance_pct:Q", title="Compliance (%)", format=".1f"),
                alt.Tooltip("met:Q", title="Met", format=","),
                alt.Tooltip("decided:Q", title="Decided", format=","),
            ],
        ),
        height=130 + 30 * len(df),  # the whole chart: title, axis and a row per bar
        key=key,
    )


def time_to_target_chart(df: pd.DataFrame) -> None:
    """Median time taken as % of each SLA's target, coloured against it: green below the SLA's at-risk
    share, amber up to the target, red past it; a line at the target (100 %)."""
    if df.empty:
        st.info("Median time taken: no SLA clock in this selection has stopped yet.")
        return
    states = [
        "past the target"
        if share > 1
        else "at risk"
        if pd.notna(risk) and share >= risk
        else "before the at-risk share"
        for share, risk in zip(df["median_share"], df["at_risk_share"], strict=True)
    ]
    shown = df.assign(
        sla=[f"{n} ({fmt_duration(t)})" for n, t in zip(df["sla_name"], df["target_minutes"], strict=True)],
        median_pct=df["median_share"] * 100,
        p90_pct=df["p90_share"] * 100,
        median_text=[f"{v * 100:,.0f} %" for v in df["median_share"]],
        state=states,
    )
    bars = ch.bars(
        shown,
        value="median_pct",
        category="sla",
        order=list(shown["sla"]),
        series="state",
        series_order=list(TARGET_STATES),
        colors={state: ui.RAG_COLORS[rag] for state, rag in TARGET_STATES.items()},
        title="Median time taken, % of the SLA's target",
        value_title="Median time taken (% of the target)",
        category_title=None,
        label="median_text",
        tooltip=[
            alt.Tooltip("sla:N", title="SLA (target)"),
            alt.Tooltip("median_pct:Q", title="Median (% of the target)", format=".0f"),
            alt.Tooltip("p90_pct:Q", title="90th percentile (% of the target)", format=".0f"),
            alt.Tooltip("stopped:Q", title="Stopped clocks", format=","),
        ],
    )
    target_label = (
        alt.Chart(pd.DataFrame({"at": [100], "what": ["target"]}))
        .mark_text(align="right", baseline="top", dx=-4, y=2, color=ch.REFERENCE_COLOR)
        .encode(x="at:Q", text="what:N")
    )
    ch.show(
        alt.layer(bars, ch.rules([(100, "target (100 %)")]), target_label),
        height=130 + 30 * len(df),
        key="sla_time_to_target",
    )


left, right = st.columns([2, 3])
with left:
    compliance_bar(by_sla, "sla_name", "Compliance by SLA", "SLA", "sla_by_sla")
with right:
    time_to_target_chart(Q.sla_time_to_target(q, f, chosen))
st.caption(
    "Green: the median clock stopped before the SLA's at-risk share of its target (seeds/sla/sla_policies.csv); "
    "amber: before the target; red: after it. Targets are business time unless the SLA counts clock time."
)

routed_teams = by_team[by_team["team_name"].notna()]
compliance_bar(routed_teams, "team_name", "Compliance by team", "Team", "sla_by_team")
if overall["unrouted"]:
    st.caption(
        f"{fmt_int(overall['unrouted'])} SLA instances belong to leads nobody owns yet (unrouted): they are counted "
        "above but in no team; the Pipeline now page lists the unrouted leads."
    )

st.subheader("Trend by week")
weekly = Q.sla_weekly(q, f, chosen)
total = weekly.groupby("week", as_index=False)[["met", "decided"]].sum().assign(sla_name="All SLAs")
trend = pd.concat([total, weekly[["week", "sla_name", "met", "decided"]]], ignore_index=True)
grid = pd.MultiIndex.from_product(
    [sorted(trend["week"].unique()), trend["sla_name"].unique()], names=["week", "sla_name"]
)
trend = trend.set_index(["week", "sla_name"]).reindex(grid).reset_index()  # a gap breaks the line
trend["compliance_pct"] = [
    100 * m / d if d >= MIN_DECIDED else None
    for m, d in zip(trend["met"], trend["decided"].fillna(0), strict=True)
]
names = list(dict.fromkeys(trend["sla_name"]))  # "All SLAs" first
weekly_chart = ch.lines(
    trend,
    x="week",
    y="compliance_pct",
    series="sla_name",
    series_order=names,
    x_title="Week the clock started",
    x_format="%Y-%m-%d",  # days, not months: a short period has ticks inside a month
    y_title="Compliance (%)",
    y_domain=[0, 105],
    tooltip=[
        alt.Tooltip("sla_name:N", title="SLA"),
        alt.Tooltip("week:T", title="Week of", format="%Y-%m-%d"),
        alt.Tooltip("compliance_pct:Q", title="Compliance (%)", format=".1f"),
        alt.Tooltip("met:Q", title="Met", format=","),
        alt.Tooltip("decided:Q", title="Decided", format=","),
    ],
).encode(  # the line of all SLAs thicker
    strokeWidth=alt.StrokeWidth(
        "sla_name:N",
        scale=alt.Scale(domain=names, range=[3.5 if n == "All SLAs" else 1.5 for n in names]),
        sort=names,  # one legend with the colours' (same field, same order)
    )
)
ch.show(weekly_chart, height=380, key="sla_weekly")
st.caption(f"Weeks with fewer than {MIN_DECIDED} decided instances of an SLA are left out of its line.")


def open_clocks_table(state: str) -> None:
    rows, total = Q.sla_open_items(q, f, state, chosen, LIST_LIMIT)
    if rows.empty:
        st.success(f"No clock is {state_names[state]['label'].lower()}.")
        return
    st.caption(
        f"{fmt_int(len(rows))} of {fmt_int(total)} clocks"
        + (f" (the first {LIST_LIMIT}, most urgent first)" if total > len(rows) else "")
        + ". Hours are business hours unless the SLA counts clock time."
    )
    over = rows["over_by_minutes"] / 60
    shown = rows.assign(
        lead=rows["email"].fillna(rows["lead_id"]),
        owner_name=rows["owner_name"].fillna("Unrouted"),
        team_name=rows["team_name"].fillna("–"),
        target=[fmt_duration(v) for v in rows["target_minutes"]],
        elapsed_hours=rows["elapsed_minutes"] / 60,
        over_hours=-over if state == "at_risk" else over,
    )
    over_label = "Time left (h)" if state == "at_risk" else "Over by (h)"
    st.dataframe(
        shown[
            [
                "lead",
                "company_name",
                "sla_name",
                "owner_name",
                "team_name",
                "due_at",
                "target",
                "elapsed_hours",
                "over_hours",
            ]
        ],
        hide_index=True,
        column_config={
            "lead": "Lead",
            "company_name": "Company",
            "sla_name": "SLA",
            "owner_name": "Owner",
            "team_name": "Team",
            "due_at": st.column_config.DatetimeColumn("Due (UTC)", format="YYYY-MM-DD HH:mm"),
            "target": "Target",
            "elapsed_hours": st.column_config.NumberColumn("Elapsed (h)", format="%.1f"),
            "over_hours": st.column_config.NumberColumn(over_label, format="%.1f"),
        },
    )


st.subheader("Running clocks now")
tabs = st.tabs([f"{state_names[s]['label']} ({fmt_int(overall[s])})" for s in Q.OPEN_STATES])
for tab, state in zip(tabs, Q.OPEN_STATES, strict=True):
    with tab:
        open_clocks_table(state)

st.subheader("By rep")
by_rep = Q.sla_by(q, f, "rep", chosen)
by_rep = by_rep[by_rep["owner_name"].notna()]  # unrouted clocks have no rep (see above)
st.dataframe(
    by_rep.assign(compliance_pct=by_rep["compliance"] * 100)[
        [
            "owner_name",
            "team_name",
            "instances",
            "met",
            "breached",
            "breached_recent",
            "at_risk",
            "compliance_pct",
        ]
    ],
    hide_index=True,
    column_config={
        "owner_name": "Rep",
        "team_name": "Team",
        "instances": st.column_config.NumberColumn("Instances", format="localized"),
        "met": st.column_config.NumberColumn("Met", format="localized"),
        "breached": st.column_config.NumberColumn("Breached", format="localized"),
        "breached_recent": st.column_config.NumberColumn(
            state_names["breached_recent"]["label"], format="localized"
        ),
        "at_risk": st.column_config.NumberColumn(state_names["at_risk"]["label"], format="localized"),
        "compliance_pct": st.column_config.ProgressColumn(
            "Compliance", format="%.1f %%", min_value=0, max_value=100
        ),
    },
)
st.caption(f"{fmt_int(len(by_rep))} reps, worst compliance first. Times are business hours.")
