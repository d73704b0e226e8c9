"""SLA: compliance by SLA, team and rep, coloured against the compliance target (queries.sla.ComplianceCutoffs):
each SLA's own (seeds/sla/sla_policies.csv) where set, else the global one (seeds/kpi/kpi_parameters.csv;
queries.sla.SlaCutoffs); time taken against each SLA's target; the weekly trend; the clocks running now by state
(breached this week, at risk, breached long ago), whatever the period."""

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
SHARE_CAP = 3.0  # time-to-target bars stop at 300 % of the target (their label gives the value)

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

# the cut-offs of compliance: each SLA's own or the global ones (queries.sla.sla_cutoffs), read once
# for every figure of the page; a team, a rep or a week mixes the clocks of the chosen SLAs: their
# shared cut-offs, else the global ones
CUTOFFS = Q.sla_cutoffs(q)
overall = Q.sla_overall(q, f, chosen, CUTOFFS)
if overall["instances"] == 0:
    ui.no_rows("No SLA instance matches these filters.")
state_names = Q.sla_state_labels(q)
prev_f = ui.previous_period(f, Q.sla_months(q))
prev = Q.sla_overall(q, prev_f, chosen, CUTOFFS) if prev_f else None
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
running = Q.sla_running_now(q, f, chosen)  # "now": whatever the period (see "Running clocks now")
for col, state in zip(c[3:], Q.OPEN_STATES, strict=True):
    col.metric(
        state_names[state]["label"],
        fmt_int(running[state]),
        help=ui.help_text(
            state_names[state]["description"],
            "Running now, whatever the period filter: clocks started before the period count too.",
        ),
    )

by_sla = Q.sla_by(q, f, "sla", chosen, CUTOFFS)
by_team = Q.sla_by(q, f, "team", chosen, CUTOFFS)

SELECTION = CUTOFFS.of_selection(chosen)
SELECTION_PCT = SELECTION.target * 100


def rag_scale(df: pd.DataFrame) -> dict[str, str]:
    """Legend label -> colour of the rows of `df` (queries.sla.rag_states), in the legend's order."""
    return {label: ui.RAG_COLORS[rag] for rag, label in Q.rag_states(df).items()}


def target_text(at: float, text: str) -> alt.Chart:
    """`text` written at the top of the reference line at x = `at`."""
    return (
        alt.Chart(pd.DataFrame({"at": [at], "what": [text]}))
        .mark_text(align="right", baseline="top", dx=-4, y=2, color=ch.REFERENCE_COLOR)
        .encode(x="at:Q", text="what:N")
    )


def compliance_bar(df: pd.DataFrame, y: str, title: str, y_label: str, key: str) -> None:
    """Compliance per row of `df`, worst at the top, coloured against the row's compliance target
    (red / amber / green, queries.sla.ComplianceCutoffs), with a line at the target: one across the
    plot when every row has the same, else a tick on each bar at its own."""
    if df.empty:
        st.info(f"{title}: no SLA instance in this selection.")
        return
    df = df.assign(
        compliance_pct=df["compliance"] * 100,
        compliance_text=[fmt_pct(v) for v in df["compliance"]],
        late=df["breached"] + df["open_breached"],
        target_pct=df["target"] * 100,
    )
    order = df.sort_values("compliance", na_position="last")[y].tolist()
    colors = rag_scale(df)
    bars = ch.bars(
        df,
        value="compliance_pct",
        category=y,
        order=order,
        series="rag_label",
        series_order=[v for v in colors if v in set(df["rag_label"])],
        colors=colors,
        title=title,
        value_title="Compliance (%)",
        category_title=y_label,
        label="compliance_text",
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_label),
            alt.Tooltip("compliance_pct:Q", title="Compliance (%)", format=".1f"),
            alt.Tooltip("rag_label:N", title="Against its target"),
            alt.Tooltip("target_text:N", title="Compliance target"),
            alt.Tooltip("met:Q", title="Met", format=","),
            alt.Tooltip("late:Q", title="Breached, incl. running past due", format=","),
            alt.Tooltip("open_breached:Q", title="of which still running past due", format=","),
            alt.Tooltip("decided:Q", title="Decided", format=","),
        ],
    )
    # the whole 0–100 % scale: a target line at the plot's edge would hide its label
    whole = alt.Scale(domain=[0, 100])
    targets = set(df["target_pct"])
    if len(targets) == 1:
        (at,) = targets
        wheres = set(df["target_text"])  # one source, or SLAs of the same target from different ones
        where = wheres.pop() if len(wheres) == 1 else f"{at:.0f} %"
        marks = [
            ch.rules([(at, f"compliance target: {where}")]).encode(x=alt.X("at:Q", scale=whole)),
            target_text(at, "target"),
        ]
    else:  # each SLA its own target: a tick on its bar
        marks = [
            alt.Chart(df[[y, "target_pct", "target_text"]])
            .mark_tick(color=ch.REFERENCE_COLOR, thickness=2)
            .encode(
                x=alt.X("target_pct:Q", scale=whole, title="Compliance (%)"),
                y=alt.Y(f"{y}:N", sort=order, title=y_label),
                tooltip=[
                    alt.Tooltip(f"{y}:N", title=y_label),
                    alt.Tooltip("target_text:N", title="Compliance target"),
                ],
            )
        ]
    ch.show(
        alt.layer(bars, *marks),
        height=150 + 30 * len(df),  # the whole chart: title, legend, axis and a row per bar
        key=key,
    )


def time_to_target_chart(df: pd.DataFrame) -> None:
    """Median time taken by each SLA's decided clocks as % of its target (clocks still running past
    their due time count with their time so far), coloured by the SLA's compliance against its
    compliance target (the same rule as the compliance bars); a line at the SLA's target (100 %)."""
    if df.empty:
        st.info("Median time taken: no SLA clock in this selection has been decided yet.")
        return
    shown = df.assign(
        sla=[f"{n} ({fmt_duration(t)})" for n, t in zip(df["sla_name"], df["target_minutes"], strict=True)],
        median_pct=df["median_share"] * 100,
        median_bar=df["median_share"].clip(upper=SHARE_CAP) * 100,  # a stale clock would flatten the rest
        p90_pct=df["p90_share"] * 100,
        median_text=[
            f"{'≥ ' if running else ''}{v * 100:,.0f} %"
            for v, running in zip(df["median_share"], df["open_breached"] > 0, strict=True)
        ],
        compliance_pct=df["compliance"] * 100,
    )
    colors = rag_scale(shown)
    bars = ch.bars(
        shown,
        value="median_bar",
        category="sla",
        order=list(shown["sla"]),
        series="rag_label",
        series_order=[v for v in colors if v in set(shown["rag_label"])],
        colors=colors,
        title="Median time taken, % of the SLA's target",
        value_title="Median time taken (% of the target)",
        category_title=None,
        label="median_text",
        tooltip=[
            alt.Tooltip("sla:N", title="SLA (target)"),
            alt.Tooltip("median_pct:Q", title="Median (% of the target)", format=",.0f"),
            alt.Tooltip("p90_pct:Q", title="90th percentile (% of the target)", format=",.0f"),
            alt.Tooltip("compliance_pct:Q", title="Compliance (%)", format=".1f"),
            alt.Tooltip("rag_label:N", title="Against its compliance target"),
            alt.Tooltip("target_text:N", title="Compliance target"),
            alt.Tooltip("met:Q", title="Met", format=","),
            alt.Tooltip("breached:Q", title="Breached (stopped late)", format=","),
            alt.Tooltip("open_breached:Q", title="Still running past due (breached)", format=","),
        ],
    )
    ch.show(
        alt.layer(bars, ch.rules([(100, "the SLA's target (100 %)")]), target_text(100, "target")),
        height=150 + 30 * len(df),
        key="sla_time_to_target",
    )


left, right = st.columns([2, 3])
with left:
    compliance_bar(by_sla, "sla_name", "Compliance by SLA", "SLA", "sla_by_sla")
with right:
    time_to_target_chart(Q.sla_time_to_target(q, f, chosen, CUTOFFS))
st.caption(
    f"{CUTOFFS.rule(sla_label, chosen)}. "
    "Time taken counts the decided clocks: a clock still running past its due time counts with its time so far "
    f"(the median is then at least the value shown, marked ≥); bars stop at {SHARE_CAP * 100:.0f} %, the label "
    "gives the value. Targets are business time unless the SLA counts clock time."
)

routed_teams = by_team[by_team["team_name"].notna()]
compliance_bar(routed_teams, "team_name", "Compliance by team", "Team", "sla_by_team")
if CUTOFFS.differ(chosen):
    st.caption(
        f"Teams and the weekly line of all SLAs are judged against {SELECTION.describe()}: their clocks mix "
        "SLAs with different targets. Choose one SLA in the sidebar to judge them against its own."
    )
if overall["unrouted"]:
    st.caption(
        f"{fmt_int(overall['unrouted'])} SLA instances belong to leads nobody owns yet (unrouted): they are counted "
        "above but in no team; the Pipeline now page lists the unrouted leads."
    )

st.subheader("Trend by week")
weekly = Q.sla_weekly(q, f, chosen, CUTOFFS)
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
sla_targets = {"All SLAs": SELECTION.target, **dict(zip(weekly["sla_name"], weekly["target"], strict=True))}
trend["target_pct"] = trend["sla_name"].map(sla_targets) * 100
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
        alt.Tooltip("target_pct:Q", title="Compliance target (%)", format=".0f"),
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
target_line = ch.rules([(SELECTION_PCT, f"compliance target: {SELECTION.describe()}")], axis="y")
ch.show(alt.layer(weekly_chart, target_line), height=380, key="sla_weekly")
st.caption(
    f"Weeks with fewer than {MIN_DECIDED} decided instances of an SLA are left out of its line. "
    f"The dashed line is the {SELECTION_PCT:.0f} % compliance target ({SELECTION.source()})"
    + ("; each SLA's own target is in its hover text." if CUTOFFS.differ(chosen) else ".")
)


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
        target_hours=rows["target_minutes"].astype(float) / 60,
        elapsed_hours=rows["elapsed_minutes"] / 60,
        over_hours=-over if state == "at_risk" else over,
    )
    over_label = "Time left (hours)" if state == "at_risk" else "Over by (hours)"
    st.dataframe(
        shown[
            [
                "lead",
                "company_name",
                "sla_name",
                "owner_name",
                "team_name",
                "started_at",
                "due_at",
                "target_hours",
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
            "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
            "due_at": st.column_config.DatetimeColumn("Due (UTC)", format="YYYY-MM-DD HH:mm"),
            # numbers, not text: they sort by size (the route SLA's 5 minutes are 0.08 h)
            "target_hours": st.column_config.NumberColumn("Target (hours)", format="%.2f"),
            "elapsed_hours": st.column_config.NumberColumn("Elapsed (hours)", format="%.1f"),
            "over_hours": st.column_config.NumberColumn(over_label, format="%.1f"),
        },
    )


st.subheader("Running clocks now")
st.caption(
    "Every clock running now, whatever the period filter: a clock started before the period is still "
    "running (the team, segment, source, motion and SLA filters apply)."
)
tabs = st.tabs([f"{state_names[s]['label']} ({fmt_int(running[s])})" for s in Q.OPEN_STATES])
for tab, state in zip(tabs, Q.OPEN_STATES, strict=True):
    with tab:
        open_clocks_table(state)

st.subheader("By rep")
by_rep = Q.sla_by(q, f, "rep", chosen, CUTOFFS).drop(columns=list(Q.OPEN_STATES))
# compliance of the clocks started in the period; the running ones now, whatever the period
running_by_rep = Q.sla_running_by(q, f, "rep", chosen)
running_by_rep = running_by_rep[(running_by_rep["breached_recent"] + running_by_rep["at_risk"]) > 0]
by_rep = by_rep.merge(running_by_rep, on=["owner_name", "team_name"], how="outer")
by_rep = by_rep.sort_values(["compliance", "instances"], ascending=[True, False], na_position="last")
counts = ["instances", "met", "breached", *Q.OPEN_STATES]
by_rep = by_rep[by_rep["owner_name"].notna()]  # unrouted clocks have no rep (see above)
by_rep = by_rep.fillna({c: 0 for c in counts}).astype({c: "int64" for c in counts})
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
st.caption(
    f"{fmt_int(len(by_rep))} reps, worst compliance first. Instances, met, breached and compliance count the "
    f"clocks started in the period; {state_names['breached_recent']['label']} and "
    f"{state_names['at_risk']['label']} count the clocks running now, whatever the period."
)
