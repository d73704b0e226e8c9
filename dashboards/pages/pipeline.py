"""Pipeline now: where open leads are stuck right now, by stage, age in stage and SLA state; every
count links to the list of those leads (the lead explorer, filtered)."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_days, fmt_int
from dashboards.queries import pipeline as Q
from dashboards.queries.common import distinct_values

LEAD_LIST_PAGE = "leads"  # url_path of the lead explorer (app.py)
RAG_MARKDOWN = {"red": "red", "amber": "orange", "green": "green", "grey": "gray"}

info = ui.require_warehouse()
if not info.has("marts.lead_pipeline_now"):
    ui.header("Pipeline now", info, [])
    ui.not_built(
        info, "marts.lead_pipeline_now", "It holds one row per open lead with its stage age and SLA state."
    )

opts = ui.lead_filter_options(info)
f, active = ui.sidebar_filters(
    "pipeline",
    [],  # a snapshot at as_of: no period
    sources=opts["sources"],
    segments=opts["segments"],
    tiers=opts["tiers"],
    motions=opts["motions"],
    teams=distinct_values(q, "marts.lead_pipeline_now", "team_name"),
)
ui.header(
    "Pipeline now",
    info,
    active,
    "Open leads at the data's as-of time: the stage each one is in, how long it has been there and whether "
    "an SLA clock is running late. Click a count to list those leads.",
)

counts = Q.pipeline_counts(q, f)
if counts.empty:
    ui.no_rows("No open lead matches these filters.")
states = Q.sla_states(q).set_index("sla_state")
buckets = Q.age_buckets(q)
stages = counts.drop_duplicates("current_stage").sort_values("stage_order")
stage_names = dict(zip(stages["current_stage"], stages["stage_label"], strict=True))
filters = ui.filter_params(f)


def lead_list_link(count: int, **cell: str) -> str:
    """A count as a link to the lead list of its cell (with the page's filters)."""
    if not count:
        return "·"
    return f"[{fmt_int(count)}]({LEAD_LIST_PAGE}?{urlencode({**filters, **cell})})"


def state_count(state: str) -> int:
    return int(counts.loc[counts["sla_state"] == state, "leads"].sum())


total = int(counts["leads"].sum())
c = st.columns(5)
c[0].metric("Open leads", fmt_int(total), help="leads in a stage from capture to opportunity")
for col, state in zip(c[1:4], ("breached_recent", "at_risk", "breached_stale"), strict=True):
    col.metric(
        states.loc[state, "label"],
        fmt_int(state_count(state)),
        help=f"{states.loc[state, 'description']} (leads whose most urgent running SLA clock is in this state)",
    )
unrouted = int(counts["unrouted"].sum())
c[4].metric("Unrouted", fmt_int(unrouted), help="open leads without an owner in the CRM")
st.markdown(
    f"Act this week: {lead_list_link(state_count('breached_recent'), sla='breached_recent')} breached "
    f"· {lead_list_link(state_count('at_risk'), sla='at_risk')} at risk "
    f"· {lead_list_link(unrouted, owner=Q.UNROUTED)} unrouted"
)

left, right = st.columns(2)
with left:
    by_age = counts.pivot_table(index="current_stage", columns="age_bucket", values="leads", aggfunc="sum")
    by_age = (
        by_age.reindex(index=stages["current_stage"], columns=buckets["age_bucket"]).fillna(0).astype(int)
    )
    fig = go.Figure(
        go.Heatmap(
            z=by_age.to_numpy(),
            x=list(buckets["label"]),
            y=[stage_names[s] for s in by_age.index],
            text=[[fmt_int(v) if v else "" for v in row] for row in by_age.to_numpy()],
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            hovertemplate="%{y}, in stage %{x}: %{z:,} leads<extra></extra>",
        )
    )
    fig.update_layout(title="Open leads by stage and time in stage")
    fig.update_yaxes(autorange="reversed", title="Current stage")
    fig.update_xaxes(title="Time in current stage", side="bottom")
    ui.chart(fig, height=320, key="pipeline_age")
with right:
    fig = go.Figure()
    for state, row in states.iterrows():
        if state == "no_open_sla":  # most open leads (nurture) have no clock: they would hide the rest
            continue
        part = counts[counts["sla_state"] == state].groupby("current_stage")["leads"].sum()
        part = part.reindex(stages["current_stage"]).fillna(0)
        if not part.any():
            continue
        fig.add_bar(
            y=[stage_names[s] for s in part.index],
            x=part.to_numpy(),
            name=row["label"],
            orientation="h",
            marker_color=ui.RAG_COLORS[row["rag"]],
            hovertemplate=f"%{{y}}: %{{x:,}} leads {row['label'].lower()}<extra></extra>",
        )
    fig.update_layout(barmode="stack", title="Open leads with a running SLA clock, by its state")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Leads (count)", tickformat=",")
    ui.chart(fig, height=320, key="pipeline_sla")


def link_table(column: str, column_order: pd.DataFrame, code: str, label: str, param: str) -> str:
    """A markdown table: a row per stage, a column per code, each count a link to its leads."""
    header = ["Stage", *column_order[label], "All"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for stage in stages["current_stage"]:
        here = counts[counts["current_stage"] == stage]
        cells = [
            lead_list_link(int(here.loc[here[column] == value, "leads"].sum()), stage=stage, **{param: value})
            for value in column_order[code]
        ]
        lines.append(
            f"| {stage_names[stage]} | "
            + " | ".join(cells)
            + f" | {lead_list_link(int(here['leads'].sum()), stage=stage)} |"
        )
    return "\n".join(lines)


st.subheader("Where open leads are stuck")
medians = Q.median_days_by_stage(q, f).set_index("current_stage")["median_days"]
st.caption(
    "Median time in the current stage: "
    + " · ".join(f"{stage_names[s]} {fmt_days(medians.get(s))}" for s in stages["current_stage"])
)
tab_age, tab_sla = st.tabs(["By time in stage", "By SLA state"])
with tab_age:
    st.markdown(link_table("age_bucket", buckets, "age_bucket", "label", "age"))
with tab_sla:
    shown = states.reset_index()
    shown = shown.assign(
        header=[f":{RAG_MARKDOWN[r]}[{label}]" for r, label in zip(shown["rag"], shown["label"], strict=True)]
    )
    st.markdown(link_table("sla_state", shown, "sla_state", "header", "sla"))
st.caption(
    "An SLA state is the lead's most urgent running clock: breached this week (past due by fewer days than the "
    "SLA's actionable_days), at risk (at least its at_risk_share of the target used), on track, or breached long "
    "ago. Thresholds and buckets are seeds (seeds/sla/sla_policies.csv, seeds/lifecycle/stage_age_buckets.csv). "
    "Source: `marts.lead_pipeline_now`."
)
