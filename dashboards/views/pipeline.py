"""Pipeline now: where open leads are stuck right now, by stage, age in stage and SLA state; every
count, and every cell or bar of the charts, links to the list of those leads (the lead explorer,
filtered)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_days, fmt_int
from dashboards.queries import pipeline as Q
from dashboards.queries.common import distinct_values

LEAD_LIST_PAGE = "leads"  # url_path of the lead explorer (app.py)
LEAD_LIST_SCRIPT = "views/lead_explorer.py"  # the same page for st.switch_page (relative to app.py)
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
    "an SLA clock is running late. Click a count, a cell or a bar to list those leads.",
)

counts = Q.pipeline_counts(q, f)
if counts.empty:
    ui.no_rows("No open lead matches these filters.")
states = Q.sla_states(q).set_index("sla_state")
buckets = Q.age_buckets(q)
stages = counts.drop_duplicates("current_stage").sort_values("stage_order")
stage_names = dict(zip(stages["current_stage"], stages["stage_label"], strict=True))
# the reader's filters, with the period chosen on another page (this page has none): the lead list
# keeps it for the next page
filters = ui.shared_params()
thresholds = Q.sla_thresholds(q) if info.has("config.sla_policies") else None


def lead_list_link(count: int, empty: str = "·", **cell: str) -> str:
    """A count as a link to the lead list of its cell (with the page's filters); `empty` for none."""
    if not count:
        return empty
    params = Q.lead_list_params(filters, Q.Cell(**cell))
    return f"[{fmt_int(count)}]({LEAD_LIST_PAGE}?{urlencode(params, doseq=True)})"


def open_lead_list(points: list[dict[str, Any]]) -> None:
    """A click on a chart's cell or bar opens its lead list, as its count's link does (filters kept)."""
    cell = Q.clicked_cell(points)
    if cell is not None:
        st.switch_page(LEAD_LIST_SCRIPT, query_params=Q.lead_list_params(filters, cell))


def in_words(text: str) -> str:
    """A seed's description with its threshold columns said in words, with the seed's values."""
    return Q.thresholds_in_words(text, thresholds)


def state_count(state: str) -> int:
    return int(counts.loc[counts["sla_state"] == state, "leads"].sum())


total = int(counts["leads"].sum())
c = st.columns(5)
c[0].metric("Open leads", fmt_int(total), help="leads in a stage from capture to opportunity")
for col, state in zip(c[1:4], ("breached_recent", "at_risk", "breached_stale"), strict=True):
    col.metric(
        states.loc[state, "label"],
        fmt_int(state_count(state)),
        help=f"{in_words(states.loc[state, 'description'])} (leads whose most urgent running SLA clock is in "
        "this state)",
    )
unrouted = int(counts["unrouted"].sum())
c[4].metric("Unrouted", fmt_int(unrouted), help="open leads without an owner in the CRM")
st.markdown(
    "Act this week: "
    + " · ".join(
        f"{lead_list_link(n, '0', **cell)} {what}"
        for n, what, cell in (
            (state_count("breached_recent"), "breached", {"sla": "breached_recent"}),
            (state_count("at_risk"), "at risk", {"sla": "at_risk"}),
            (unrouted, "unrouted", {"owner": Q.UNROUTED}),
        )
    )
)

left, right = st.columns(2)
with left:
    by_age = counts.groupby(["current_stage", "age_bucket"], as_index=False)["leads"].sum()
    by_age = by_age.assign(
        stage=[stage_names[s] for s in by_age["current_stage"]],
        age=by_age["age_bucket"].map(dict(zip(buckets["age_bucket"], buckets["label"], strict=True))),
    )
    clicked = ch.show(
        ch.heatmap(
            by_age,
            x="age",
            y="stage",
            value="leads",
            x_order=list(buckets["label"]),
            y_order=[stage_names[s] for s in stages["current_stage"]],
            title="Open leads by stage and time in stage",
            x_title="Time in current stage",
            y_title="Current stage",
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("age:N", title="In stage"),
                alt.Tooltip("leads:Q", title="Leads", format=","),
            ],
            click_fields=["current_stage", "age_bucket"],
        ),
        height=280,
        key="pipeline_age",
        clickable=True,
    )
    open_lead_list(clicked)
with right:
    shown_states = states[states.index != "no_open_sla"]  # most open leads (nurture) have no clock
    by_state = counts[counts["sla_state"].isin(shown_states.index)]
    by_state = by_state.groupby(["current_stage", "sla_state"], as_index=False)["leads"].sum()
    by_state = by_state.assign(
        stage=[stage_names[s] for s in by_state["current_stage"]],
        state=by_state["sla_state"].map(shown_states["label"]),
    )
    clicked = ch.show(
        ch.bars(
            by_state,
            value="leads",
            category="stage",
            order=[stage_names[s] for s in stages["current_stage"]],
            series="state",
            series_order=list(shown_states["label"]),
            colors={r["label"]: ui.RAG_COLORS[r["rag"]] for _, r in shown_states.iterrows()},
            title="Open leads with a running SLA clock, by state",
            value_title="Leads (count)",
            category_title=None,
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("state:N", title="SLA state"),
                alt.Tooltip("leads:Q", title="Leads", format=","),
            ],
            click_fields=["current_stage", "sla_state"],
        ),
        height=280,
        key="pipeline_sla",
        legend_columns=2,
        clickable=True,
    )
    open_lead_list(clicked)
st.caption("Click a cell of the heatmap or a bar to open the list of its leads (with the filters above).")


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
stale_after, risk_from = Q.threshold_words(thresholds)
st.caption(
    "An SLA state is the lead's most urgent running clock: breached this week, at risk, on track, or breached "
    f"long ago. A breach is stale (breached long ago) once it is {stale_after} past due; a clock is at risk once "
    f"{risk_from} of its target is used. Thresholds and buckets are seeds (seeds/sla/sla_policies.csv, "
    "seeds/lifecycle/stage_age_buckets.csv). Source: `marts.lead_pipeline_now`."
)
