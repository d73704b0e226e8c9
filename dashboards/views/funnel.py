"""Funnel: how many leads reach each stage, and stage-to-stage conversion by cohort month."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_delta, fmt_int, fmt_month, fmt_pct
from dashboards.queries import funnel as Q
from dashboards.queries.common import stage_label, step_label

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
# team names, the team filter's values on every page (the query maps them to the mart's team ids)
teams = sorted(set(Q.funnel_teams(q).values()), key=str.casefold) if has_mart else None
f, active = ui.sidebar_filters(
    "funnel", opts["months"], **{k: v for k, v in opts.items() if k != "months"}, teams=teams
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
def step_definition(from_stage: str, to_stage: str) -> str:
    metric = LADDER_METRIC.get((from_stage, to_stage))
    definition = ui.kpi_definition(info, metric) if metric else None
    if definition is None:
        note = " The KPI ladder's win rate is won ÷ (won + lost)." if to_stage == "won" else ""
        return "Cohort conversion of this step (not a KPI ladder metric)." + note
    return definition


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

# ten steps: the neutral palette and two more neutral colours, so no two lines share a colour
STEP_COLORS = [*ch.NEUTRAL_PALETTE, "#7b4173", "#aec7e8"]
REACHED, SKIPPED = "reached the stage", "skipped it, reached a later stage"
# ch.lines ticks the time axis 6 times: inside one month that repeats its label; a tick per month
# (fewer when they would overlap)
MONTH_AXIS = alt.Axis(format="%Y-%m", labelAngle=0, tickCount={"interval": "month", "step": 1})

left, right = st.columns([2, 3])
with left:
    names = [stage_label(s) for s in counts["stage"]]
    ends = [f"{fmt_int(n)} · {fmt_pct(n / first if first else None)}" for n in counts["leads"]]
    parts = pd.DataFrame(
        {
            "stage": names * 2,
            "part": [REACHED] * len(names) + [SKIPPED] * len(names),
            "leads": [*(counts["leads"] - counts["skipped"]), *counts["skipped"]],
            "total": [*counts["leads"]] * 2,
            "end": ends * 2,
        }
    )
    ch.show(
        ch.bars(
            parts,
            value="leads",
            category="stage",
            order=names,
            series="part",
            series_order=[REACHED, SKIPPED],
            colors={REACHED: ch.NEUTRAL_COLOR, SKIPPED: "#9ecae1"},
            title="Leads reaching each stage or a later one",
            value_title="Leads (count)",
            category_title="Stage",
            label="end",
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("part:N", title="Leads that"),
                alt.Tooltip("leads:Q", title="Leads", format=","),
                alt.Tooltip("end:N", title="Reached it or a later stage"),
            ],
        ),
        height=380,
        key="funnel_counts",
        legend_columns=1,
    )
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
    ch.show(
        ch.lines(
            by_month,
            x="cohort_month",
            y="rate_pct",
            series="step",
            series_order=order,
            colors={s: STEP_COLORS[i % len(STEP_COLORS)] for i, s in enumerate(order)},
            title="Conversion by cohort month",
            x_title="Cohort month (lead created)",
            y_title="Conversion (%)",
            y_format=",~f",  # 0.5, not a second 0 or 1, when the rates are small
            tooltip=[
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("cohort_month:T", title="Cohort month", format="%Y-%m"),
                alt.Tooltip("rate_pct:Q", title="Conversion (%)", format=".1f"),
                alt.Tooltip("converted:Q", title="Converted", format=","),
                alt.Tooltip("entered:Q", title="Entered", format=","),
            ],
        ).encode(x=alt.X("cohort_month:T", title="Cohort month (lead created)", axis=MONTH_AXIS)),
        height=380,
        key="funnel_by_month",
        legend_columns=4,
    )

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
