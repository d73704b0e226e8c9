"""SLA: compliance by SLA, team and rep; open breaches and at-risk leads now; the weekly trend."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_hours, fmt_int, fmt_pct
from dashboards.queries import sla as Q
from dashboards.queries.common import distinct_values

MIN_DECIDED = 5  # a weekly point needs this many decided SLA instances

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
c = st.columns(5)
c[0].metric("SLA instances", fmt_int(overall["instances"]), help="clocks started in the selection")
c[1].metric(
    "Compliance",
    fmt_pct(overall["compliance"]),
    help=f"{fmt_int(overall['met'])} met of {fmt_int(overall['decided'])} decided",
)
c[2].metric("Breached", fmt_int(overall["breached"]), help="clock stopped after its due time")
c[3].metric("Open breaches", fmt_int(overall["open_breached"]), help="clock still running, past its due time")
c[4].metric(
    "At risk",
    fmt_int(overall["at_risk"]),
    help=f"clock still running, {Q.AT_RISK_SHARE:.0%} or more of its target used",
)

by_sla = Q.sla_by(q, f, "sla", chosen)
by_team = Q.sla_by(q, f, "team", chosen)


def compliance_bar(df: pd.DataFrame, y: str, title: str, y_label: str, key: str) -> None:
    df = df.assign(compliance_pct=df["compliance"] * 100, text=[fmt_pct(v) for v in df["compliance"]])
    fig = px.bar(
        df,
        x="compliance_pct",
        y=y,
        orientation="h",
        text="text",
        custom_data=["met", "decided"],
        labels={"compliance_pct": "Compliance (%)", y: y_label},
        title=title,
    )
    fig.update_traces(
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f} % (%{customdata[0]:,} met of %{customdata[1]:,} decided)<extra></extra>",
    )
    fig.update_xaxes(range=[0, 125], tickvals=[0, 50, 100], ticktext=["0 %", "50 %", "100 %"])
    fig.update_yaxes(categoryorder="total descending")
    ui.chart(fig, height=max(260, 60 + 40 * len(df)), key=key)


left, right = st.columns([2, 3])  # team names are long
with left:
    compliance_bar(by_sla, "sla_name", "Compliance by SLA", "SLA", "sla_by_sla")
with right:
    compliance_bar(
        by_team.fillna({"team_name": "unassigned"}), "team_name", "Compliance by team", "Team", "sla_by_team"
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
fig = px.line(
    trend,
    x="week",
    y="compliance_pct",
    color="sla_name",
    markers=True,
    custom_data=["met", "decided"],
    labels={"week": "Week the clock started", "compliance_pct": "Compliance (%)", "sla_name": "SLA"},
)
fig.update_traces(
    hovertemplate="week of %{x|%Y-%m-%d}: %{y:.1f} % (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>"
)
fig.update_traces(line_width=4, selector={"name": "All SLAs"})
fig.update_traces(connectgaps=False)
fig.update_yaxes(range=[0, 105], ticksuffix=" %")
ui.chart(fig, key="sla_weekly")
st.caption(f"Weeks with fewer than {MIN_DECIDED} decided instances of an SLA are left out of its line.")


def minutes_table(df: pd.DataFrame, extra_cols: dict[str, str]) -> None:
    df = df.fillna({"owner_name": "unassigned", "team_name": "unassigned"})
    shown = df.assign(
        elapsed=[fmt_hours(v) for v in df["elapsed_business_minutes"]],
        target=[fmt_hours(v) for v in df["target_minutes"]],
        over=[fmt_hours(v) for v in df["over_by_minutes"]],
    )
    cols = {
        "lead_id": "Lead",
        "sla_name": "SLA",
        "band": "Band",
        "owner_name": "Owner",
        "team_name": "Team",
        "started_at": "Started (UTC)",
        "due_at": "Due (UTC)",
        "elapsed": "Elapsed",
        "target": "Target",
        **extra_cols,
    }
    st.dataframe(
        shown[list(cols)].rename(columns=cols),
        hide_index=True,
        column_config={
            "Started (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Due (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )


st.subheader("Now")
breach_tab, risk_tab = st.tabs(
    [f"Open breaches ({fmt_int(overall['open_breached'])})", f"At risk ({fmt_int(overall['at_risk'])})"]
)
with breach_tab:
    breaches = Q.sla_open_items(q, f, "breaches", chosen)
    if breaches.empty:
        st.success("No open breach.")
    else:
        minutes_table(breaches, {"over": "Over by"})
with risk_tab:
    risk = Q.sla_open_items(q, f, "at_risk", chosen)
    if risk.empty:
        st.success("No open SLA close to its due time.")
    else:
        minutes_table(risk.assign(over_by_minutes=-risk["over_by_minutes"]), {"over": "Time left"})

st.subheader("By rep")
by_rep = Q.sla_by(q, f, "rep", chosen).fillna({"owner_name": "unassigned", "team_name": "unassigned"})
st.dataframe(
    by_rep.assign(compliance_pct=by_rep["compliance"] * 100)[
        [
            "owner_name",
            "team_name",
            "instances",
            "met",
            "breached",
            "open_breached",
            "at_risk",
            "compliance_pct",
        ]
    ].rename(
        columns={
            "owner_name": "Rep",
            "team_name": "Team",
            "instances": "Instances",
            "met": "Met",
            "breached": "Breached",
            "open_breached": "Open breaches",
            "at_risk": "At risk",
            "compliance_pct": "Compliance",
        }
    ),
    hide_index=True,
    column_config={
        **{
            c: st.column_config.NumberColumn(format="localized")
            for c in ("Instances", "Met", "Breached", "Open breaches", "At risk")
        },
        "Compliance": st.column_config.ProgressColumn(format="%.1f %%", min_value=0, max_value=100),
    },
)
st.caption("Worst compliance first. Times are business hours.")
