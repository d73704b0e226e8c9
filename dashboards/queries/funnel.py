"""Queries of the Funnel page: stage-to-stage conversion by cohort month.

Steps and their order come from marts.funnel_conversion (`step_order`); stages are shown in the
order the steps reach them, so no stage order is restated here.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from dashboards.queries.common import Filters, Runner, available_tables

STEP_COLUMNS = [
    "cohort_month",
    "step_order",
    "from_stage",
    "to_stage",
    "entered",
    "converted",
    "reached_or_later",
]

# Before marts.funnel_conversion existed the page derived its first steps from marts.leads (an older
# published warehouse still needs this): the mart's steps 1-6, in the mart's order.
FUNNEL_STEPS_FROM_LEADS = [
    # (from_stage, to_stage, entered count column, converted count column)
    ("lead", "mql", "n_lead", "n_mql"),
    ("mql", "sal", "n_mql", "mql_sal"),
    ("sal", "sql", "n_sal", "sal_sql"),
    ("mql", "sql", "n_mql", "mql_sql"),
    ("sql", "opportunity", "n_sql", "sql_opp"),
    ("opportunity", "won", "n_opp", "opp_won"),
]


def funnel_steps(q: Runner, f: Filters, source: str) -> pd.DataFrame:
    """Entered / converted per cohort month and stage step, with the step's order.

    `source` is 'funnel_conversion' (the mart, sliceable by team) or 'leads' (derived from the
    first time each lead reached each stage: a lead counts in the month it was created).
    """
    if source == "funnel_conversion":
        if f.teams:  # team names, as on every page: the mart's rows have the team's id
            ids = tuple(i for i, name in funnel_teams(q).items() if name in f.teams)
            if not ids:
                return pd.DataFrame(columns=STEP_COLUMNS)
            f = replace(f, teams=ids)
        cond, params = f.where(period="cohort_month", team="team_id")
        columns = set(q("select * from marts.funnel_conversion limit 0", []).columns)
        # a warehouse built before the column: no skips known, stage counts as converted
        reached = "reached_or_later" if "reached_or_later" in columns else "converted"
        return q(
            f"""
            select cohort_month::date as cohort_month, min(step_order) as step_order, from_stage, to_stage,
                   sum(entered)::bigint as entered, sum(converted)::bigint as converted,
                   sum({reached})::bigint as reached_or_later
            from marts.funnel_conversion
            where {cond}
            group by cohort_month, from_stage, to_stage
            order by 1, 2
            """,
            params,
        )
    cond, params = f.where(period="created_at")
    wide = q(
        f"""
        select date_trunc('month', created_at)::date as cohort_month,
               count(*) as n_lead,
               count(mql_at) as n_mql,
               count(sal_at) as n_sal,
               count(sql_at) as n_sql,
               count(opportunity_at) as n_opp,
               count(*) filter (where mql_at is not null and sal_at is not null) as mql_sal,
               count(*) filter (where sal_at is not null and sql_at is not null) as sal_sql,
               count(*) filter (where mql_at is not null and sql_at is not null) as mql_sql,
               count(*) filter (where sql_at is not null and opportunity_at is not null) as sql_opp,
               count(*) filter (where opportunity_at is not null and won_at is not null) as opp_won
        from marts.leads
        where {cond}
        group by 1
        order by 1
        """,
        params,
    )
    rows = [
        {
            "cohort_month": r["cohort_month"],
            "step_order": i,
            "from_stage": a,
            "to_stage": b,
            "entered": int(r[e]),
            "converted": int(r[c]),
            "reached_or_later": int(r[c]),
        }
        for _, r in wide.iterrows()
        for i, (a, b, e, c) in enumerate(FUNNEL_STEPS_FROM_LEADS, start=1)
    ]
    return pd.DataFrame(rows, columns=STEP_COLUMNS)


def _step_order(steps: pd.DataFrame) -> pd.DataFrame:
    """One row per step (from_stage, to_stage, step_order), in step order."""
    return (
        steps.groupby(["from_stage", "to_stage"], as_index=False)["step_order"]
        .min()
        .sort_values(["step_order", "from_stage", "to_stage"])
    )


def funnel_stages(steps: pd.DataFrame) -> list[str]:
    """The stages of the steps in the order the steps reach them: each step's from-stage, then its
    to-stage, by step_order (`lead`, every lead, comes first as the start of step 1)."""
    order = _step_order(steps)
    stages: list[str] = []
    for a, b in zip(order["from_stage"], order["to_stage"], strict=True):
        stages += [s for s in (a, b) if s not in stages]
    return stages


def funnel_stage_counts(steps: pd.DataFrame) -> pd.DataFrame:
    """Leads that reached each stage or a later one (monotonic), and how many of them skipped it.

    From the mart's steps out of `lead` (every lead to each stage): reached_or_later and
    reached_or_later - converted. Steps without them (a warehouse built from leads only): the
    larger of 'entered' from a stage and 'converted' into it, no skips."""
    if steps.empty:
        return pd.DataFrame(columns=["stage", "leads", "skipped"])
    t = (
        steps.groupby(["from_stage", "to_stage"])[["entered", "converted", "reached_or_later"]]
        .sum()
        .reset_index()
    )
    stages = funnel_stages(steps)
    from_lead = t[t["from_stage"] == "lead"].set_index("to_stage")
    if set(stages) - {"lead"} <= set(from_lead.index):
        first = int(from_lead["entered"].max())
        leads = [first] + [int(from_lead.loc[s, "reached_or_later"]) for s in stages[1:]]
        skipped = [0] + [
            int(from_lead.loc[s, "reached_or_later"] - from_lead.loc[s, "converted"]) for s in stages[1:]
        ]
        return pd.DataFrame({"stage": stages, "leads": leads, "skipped": skipped})
    entered = t.groupby("from_stage")["entered"].max()  # the same leads enter every step out of a stage
    converted = t.groupby("to_stage")["converted"].max()
    counts = [int(max(entered.get(s, 0), converted.get(s, 0))) for s in stages]
    return pd.DataFrame({"stage": stages, "leads": counts, "skipped": [0] * len(stages)})


def funnel_step_totals(steps: pd.DataFrame) -> pd.DataFrame:
    """Conversion per step over the whole selection, in step order."""
    if steps.empty:
        return pd.DataFrame(columns=["from_stage", "to_stage", "entered", "converted", "rate"])
    t = steps.groupby(["from_stage", "to_stage"], as_index=False).agg(
        step_order=("step_order", "min"), entered=("entered", "sum"), converted=("converted", "sum")
    )
    t["rate"] = [c / e if e else math.nan for c, e in zip(t["converted"], t["entered"], strict=True)]
    t = t.sort_values(["step_order", "from_stage", "to_stage"]).drop(columns="step_order")
    return t.reset_index(drop=True)


def team_names(q: Runner) -> dict[str, str]:
    """team_id -> team name, from the SLA owners."""
    df = q(
        "select team_id, any_value(team_name) as team_name from marts.lead_sla where team_id is not null group by 1",
        [],
    )
    return dict(zip(df["team_id"], df["team_name"], strict=True))


def funnel_teams(q: Runner) -> dict[str, str]:
    """team_id -> team name of the teams in marts.funnel_conversion. The team filter holds team
    names on every page (SLA and Pipeline now slice by name, a shared link carries the name), so
    the Funnel shows and takes names and maps them to the mart's ids; a team without a known name
    (e.g. `unassigned`, or any team before marts.lead_sla is built) goes by its id."""
    names = team_names(q) if "marts.lead_sla" in available_tables(q) else {}
    ids = q(
        "select distinct team_id::varchar as team_id from marts.funnel_conversion where team_id is not null",
        [],
    )["team_id"]
    return {i: names.get(i) or i for i in sorted(ids)}
