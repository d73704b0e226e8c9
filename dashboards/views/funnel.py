"""Funnel: how many leads reach each stage, and stage-to-stage conversion by cohort month."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_delta, fmt_int, fmt_month, fmt_pct
from dashboards.queries import funnel as Q
from dashboards.queries import kpi_ladder as kpi_q
from dashboards.queries.common import distinct_values, stage_label, step_label

# funnel steps that are a metric of the KPI ladder (cohort basis)
LADDER_METRIC = {
    ("lead", "mql"): "mql_rate",
    ("mql", "sal"): "mql_to_sal_rate",
    ("sal", "sql"): "sal_to_sql_rate",
    ("mql", "sql"): "mql_to_sql_rate",
    ("lead", "won"): "lead_to_won_rate",
}

info = ui.require_warehouse()
has_mart = info.has("marts.funnel_conversion")
opts = ui.lead_filter_options(info)
teams = distinct_values(q, "marts.funnel_conversion", "team_id") if has_mart else None
team_names = Q.team_names(q) if has_mart and info.has("marts.lead_sla") else {}
f, active = ui.sidebar_filters(
    "funnel",
    opts["months"],
    **{k: v for k, v in opts.items() if k != "months"},
    teams=teams,
    team_label=lambda t: team_names.get(t, t),
)
ui.header(
    "Funnel",
    info,
    active,
    "How many leads reach each stage and how many convert to the next one, by the month they were created.",
)

source = "funnel_conversion" if has_mart else "leads"
steps = Q.funnel_steps(q, f, source)
if steps.empty or steps["entered"].sum() == 0:
    ui.no_rows()
counts = Q.funnel_stage_counts(steps)
totals = Q.funnel_step_totals(steps)

st.subheader("Stage counts")
prev_f = ui.previous_period(f, opts["months"])
prev_steps = Q.funnel_steps(q, prev_f, source) if prev_f else None
has_prev = prev_steps is not None and not prev_steps.empty
prev_counts = Q.funnel_stage_counts(prev_steps).set_index("stage")["leads"] if has_prev else None
prev_rates = (
    Q.funnel_step_totals(prev_steps).set_index(["from_stage", "to_stage"])["rate"] if has_prev else None
)
cols = st.columns(len(counts))
first = counts["leads"].iloc[0]
for col, (_, row) in zip(cols, counts.iterrows(), strict=True):
    skipped = (
        f"; {fmt_int(row['skipped'])} of them skipped {stage_label(row['stage'])} and reached a later stage"
        if row["skipped"]
        else ""
    )
    col.metric(
        stage_label(row["stage"]),
        fmt_int(row["leads"]),
        delta=(
            f"{row['leads'] - prev_counts.get(row['stage'], 0):+,} leads" if prev_counts is not None else None
        ),
        help=f"reached this stage or a later one: {fmt_pct(row['leads'] / first if first else None)} of all leads "
        f"in the selection{skipped}",
    )

st.subheader("Stage-to-stage conversion")
# each step's metric of the KPI ladder (one definition: seeds/kpi/kpi_metrics.csv), shown on hover
definitions = kpi_q.kpi_metric_definitions(q) if info.has("config.kpi_metrics") else {}


def step_definition(from_stage: str, to_stage: str) -> str:
    metric = LADDER_METRIC.get((from_stage, to_stage))
    if metric is None or metric not in definitions:
        note = " The KPI ladder's win rate is won ÷ (won + lost)." if to_stage == "won" else ""
        return "Cohort conversion of this step (not a KPI ladder metric)." + note
    label, definition = definitions[metric]
    return f"**{label}** (`{metric}`, KPI ladder): {definition}"


cols = st.columns(len(totals))
for col, (_, row) in zip(cols, totals.iterrows(), strict=True):
    col.metric(
        step_label(row["from_stage"], row["to_stage"]),
        fmt_pct(row["rate"]),
        delta=fmt_delta(row["rate"], prev_rates.get((row["from_stage"], row["to_stage"])), "rate")
        if prev_rates is not None
        else None,
        help=f"{fmt_int(row['converted'])} of {fmt_int(row['entered'])} leads. "
        + step_definition(row["from_stage"], row["to_stage"]),
    )
st.caption(
    "Stage counts are leads that reached the stage or a later one, so they never grow down the funnel; the leads "
    "that skipped a stage (e.g. an opportunity without an SQL) are shown apart in the chart. "
    "Cohort-based: a lead counts in the month it was created, whatever happened later. SAL is optional, so "
    "MQL → SQL is shown both through SAL and directly. Recent cohorts have had less time to convert. "
    f"Source: `marts.{source}`"
    + ("" if has_mart else " (`marts.funnel_conversion` is not built yet, so the team filter is unavailable)")
    + "."
)

left, right = st.columns([2, 3])
with left:
    names = [stage_label(s) for s in counts["stage"]]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=counts["leads"] - counts["skipped"],
        orientation="h",
        name="reached the stage",
        marker_color=ui.NEUTRAL_COLOR,
        hovertemplate="%{y}: %{x:,} leads reached it<extra></extra>",
    )
    fig.add_bar(
        y=names,
        x=counts["skipped"],
        orientation="h",
        name="skipped it, reached a later stage",
        marker_color="#9ecae1",
        text=[f"{fmt_int(n)} · {fmt_pct(n / first if first else None)}" for n in counts["leads"]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:,} leads skipped it and reached a later stage<extra></extra>",
    )
    fig.update_layout(barmode="stack", title="Leads reaching each stage or a later one")
    fig.update_yaxes(autorange="reversed", title="Stage")
    fig.update_xaxes(tickformat=",", title="Leads (count)")
    ui.chart(fig, key="funnel_counts")
with right:
    by_month = steps.groupby(["cohort_month", "from_stage", "to_stage"], as_index=False)[
        ["entered", "converted"]
    ].sum()
    by_month["rate_pct"] = [
        100 * c / e if e else None for c, e in zip(by_month["converted"], by_month["entered"], strict=True)
    ]
    by_month["step"] = [
        step_label(a, b) for a, b in zip(by_month["from_stage"], by_month["to_stage"], strict=True)
    ]
    order = [step_label(a, b) for a, b in zip(totals["from_stage"], totals["to_stage"], strict=True)]
    fig = go.Figure()
    for name in order:
        g = by_month[by_month["step"] == name]
        fig.add_scatter(
            x=g["cohort_month"],
            y=g["rate_pct"],
            name=name,
            mode="lines+markers",
            customdata=list(zip(g["converted"], g["entered"], strict=True)),
            hovertemplate="%{x|%Y-%m}: %{y:.1f} % (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
        )
    fig.update_layout(title="Conversion by cohort month")
    fig.update_xaxes(tickformat="%Y-%m", title="Cohort month (lead created)")
    fig.update_yaxes(ticksuffix=" %", rangemode="tozero", title="Conversion (%)")
    ui.chart(fig, key="funnel_by_month")

st.subheader("Conversion by cohort month")
table = by_month.pivot_table(index="cohort_month", columns="step", values="rate_pct", aggfunc="first")
table = table[[c for c in order if c in table.columns]]
leads_per_month = (
    by_month[by_month["from_stage"] == counts["stage"].iloc[0]].groupby("cohort_month")["entered"].sum()
)
table.insert(0, "Leads", leads_per_month.reindex(table.index).fillna(0).astype(int))
table.index = [fmt_month(m) for m in table.index]
table.index.name = "Cohort month"
st.dataframe(
    table.sort_index(ascending=False),
    column_config={
        "Leads": st.column_config.NumberColumn("Leads", format="localized"),
        **{c: st.column_config.NumberColumn(c, format="%.1f %%") for c in order},
    },
)
