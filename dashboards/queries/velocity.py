"""Queries of the Velocity page: days between stages, by step and cohort month, and time in stage.

marts.stage_velocity holds the steps, their order (`step_order`) and their statistics by segment
and cohort month; for other filters the same steps are computed from marts.leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from dashboards.queries.common import Filters, Runner, step_label

VELOCITY_STEPS = [
    # (from stage, to stage, from timestamp, to timestamp) on marts.leads: steps 1-7 of
    # marts.stage_velocity, in its order and with its definitions ("closed" = won or lost)
    ("lead", "mql", "created_at", "mql_at"),
    ("mql", "sal", "mql_at", "sal_at"),
    ("sal", "sql", "sal_at", "sql_at"),
    ("mql", "sql", "mql_at", "sql_at"),
    ("sql", "opportunity", "sql_at", "opportunity_at"),
    ("opportunity", "closed", "opportunity_at", "coalesce(won_at, lost_at)"),
    ("sql", "closed", "sql_at", "coalesce(won_at, lost_at)"),
]
VELOCITY_STEP_NAMES = [step_label(a, b) for a, b, _, _ in VELOCITY_STEPS]


FLAGGED_STAGES = ("mql", "sal", "sql", "opportunity", "won", "lost")

# The stages each lead first entered out of order (lead_stage_history.is_out_of_order: a fact
# dated before the lead's creation, applied at the creation): as in marts.stage_velocity, such a
# stage bounds no duration. Only the leads with a flagged row are ranked (they are few).
_OUT_OF_ORDER_CTE = (
    "firsts as (select lead_id, stage, is_out_of_order from marts.lead_stage_history "
    "where lead_id in (select lead_id from marts.lead_stage_history where is_out_of_order) "
    "qualify row_number() over (partition by lead_id, stage order by stage_sequence) = 1),\n"
    " o as (select lead_id, "
    + ", ".join(f"bool_or(stage = '{s}' and is_out_of_order) as {s}_ooo" for s in FLAGGED_STAGES)
    + " from firsts group by lead_id)"
)


def _out_of_order(stage: str) -> str:
    """Whether the lead first entered `stage` out of order ("closed": won when won, else lost)."""
    if stage == "lead":
        return "false"
    if stage == "closed":
        return "coalesce(case when won_at is not null then o.won_ooo else o.lost_ooo end, false)"
    return f"coalesce(o.{stage}_ooo, false)"


def _velocity_cte(f: Filters) -> tuple[str, list[Any]]:
    """CTE `d(step, step_order, cohort_month, days)`: one row per lead and step it completed, in
    order (the step's stages not first entered out of order), as marts.stage_velocity counts."""
    cond, params = f.where(period="created_at")
    selects = [
        f"select '{step_label(sa, sb)}' as step, {i} as step_order, "
        f"date_trunc('month', created_at)::date as cohort_month, "
        f"date_diff('second', {a}, {b}) / 86400.0 as days from l left join o using (lead_id) "
        f"where {a} is not null and {b} is not null and {b} >= {a} "
        f"and not {_out_of_order(sa)} and not {_out_of_order(sb)}"
        for i, (sa, sb, a, b) in enumerate(VELOCITY_STEPS, start=1)
    ]
    sql = (
        "with l as (select lead_id, created_at, mql_at, sal_at, sql_at, opportunity_at, won_at, lost_at "
        f"from marts.leads where {cond}),\n {_OUT_OF_ORDER_CTE},\n d as ("
        + "\n union all ".join(selects)
        + ")"
    )
    return sql, params


def velocity_from_mart_ok(f: Filters, months: Sequence[date]) -> bool:
    """marts.stage_velocity is sliced by segment (one at a time) and cohort month only."""
    full_period = (f.start_month in (None, months[0] if months else None)) and (
        f.end_month in (None, months[-1] if months else None)
    )
    return full_period and not (f.lead_sources or f.fit_tiers or f.motions) and len(f.segments) <= 1


def velocity_summary(q: Runner, f: Filters, source: str = "leads") -> pd.DataFrame:
    """Per step: leads, median / p75 / p90 days (and p95 from leads, for the histogram)."""
    if source == "stage_velocity":
        segment = f.segments[0] if f.segments else "all"
        df = q(
            """
            select from_stage, to_stage, step_order, lead_count, median_days, p75_days, p90_days
            from marts.stage_velocity
            where segment = ? and cohort_month is null
            order by step_order
            """,
            [segment],
        )
        df.insert(
            0, "step", [step_label(a, b) for a, b in zip(df["from_stage"], df["to_stage"], strict=True)]
        )
        return df.drop(columns=["from_stage", "to_stage"])
    cte, params = _velocity_cte(f)
    return q(
        f"""
        {cte}
        select step, step_order, count(*) as lead_count,
               quantile_cont(days, 0.5) as median_days,
               quantile_cont(days, 0.75) as p75_days,
               quantile_cont(days, 0.9) as p90_days,
               quantile_cont(days, 0.95) as p95_days
        from d
        group by step, step_order
        order by step_order
        """,
        params,
    )


def velocity_trend(q: Runner, f: Filters, step: str, source: str = "leads") -> pd.DataFrame:
    """Median / p75 / p90 days of one step by cohort month (the month the lead was created)."""
    if source == "stage_velocity":
        segment = f.segments[0] if f.segments else "all"
        df = q(
            """
            select cohort_month as month, from_stage, to_stage, lead_count, median_days, p75_days, p90_days
            from marts.stage_velocity
            where segment = ? and cohort_month is not null
            order by cohort_month
            """,
            [segment],
        )
        labels = [step_label(a, b) for a, b in zip(df["from_stage"], df["to_stage"], strict=True)]
        return df[[x == step for x in labels]].drop(columns=["from_stage", "to_stage"]).reset_index(drop=True)
    cte, params = _velocity_cte(f)
    return q(
        f"""
        {cte}
        select cohort_month as month, count(*) as lead_count,
               quantile_cont(days, 0.5) as median_days,
               quantile_cont(days, 0.75) as p75_days,
               quantile_cont(days, 0.9) as p90_days
        from d
        where step = ?
        group by 1
        order by 1
        """,
        [*params, step],
    )


def nice_bin_width(p95_days: float, bins: int = 30) -> float:
    """A readable histogram bin width (hours, half days, days, weeks…) for a spread of p95 days."""
    raw = max(float(p95_days or 0), 1 / 24) / bins
    for w in (1 / 24, 2 / 24, 6 / 24, 0.5, 1, 2, 3, 7, 14, 30, 60, 90):
        if raw <= w:
            return w
    return 180.0


def velocity_histogram(
    q: Runner, f: Filters, step: str, bin_width: float, max_bins: int = 40
) -> pd.DataFrame:
    """Lead counts per bin of days for one step; the last bin collects everything beyond."""
    cte, params = _velocity_cte(f)
    return q(
        f"""
        {cte}
        select least(floor(days / ?), ?)::int as bin, count(*) as lead_count
        from d
        where step = ?
        group by 1
        order by 1
        """,
        [*params, float(bin_width), int(max_bins), step],
    )


def time_in_stage(q: Runner, f: Filters, source: str = "lead_stage_history") -> pd.DataFrame:
    """Days spent in each stage (completed stays only), slowest first: from marts.time_in_stage
    (source "time_in_stage": segment and cohort month slices, as velocity_from_mart_ok) or computed
    from marts.lead_stage_history; the entry stage (the first of config.lifecycle_stages, left when
    the lead is created) is left out."""
    if source == "time_in_stage":
        return q(
            """
            select stage, stays, median_days, p75_days, p90_days
            from marts.time_in_stage
            where segment = ? and cohort_month is null
            order by median_days desc
            """,
            [f.segments[0] if f.segments else "all"],
        )
    cond, params = f.where(period="created_at", alias="l")
    lead_filter = (
        "" if cond == "true" else f"and h.lead_id in (select l.lead_id from marts.leads l where {cond})"
    )
    return q(
        f"""
        select h.stage, count(*) as stays,
               quantile_cont(h.hours_in_stage, 0.5) / 24 as median_days,
               quantile_cont(h.hours_in_stage, 0.75) / 24 as p75_days,
               quantile_cont(h.hours_in_stage, 0.9) / 24 as p90_days
        from marts.lead_stage_history h
        where h.exited_at is not null {lead_filter}
          and h.stage not in (
              select stage from config.lifecycle_stages
              where stage_order = (select min(stage_order) from config.lifecycle_stages)
          )
        group by 1
        order by median_days desc
        """,
        params,
    )
