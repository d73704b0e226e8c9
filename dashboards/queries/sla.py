"""Queries of the SLA page: compliance by SLA, team and rep, the weekly trend, open breaches."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from dashboards.queries.common import Filters, Runner

SLA_CLOSED = ("met", "breached", "open_breached")  # instances whose outcome is decided
AT_RISK_SHARE = 0.75  # an open SLA that used 75 % of its time is "at risk"


def _sla_where(f: Filters, sla_ids: Sequence[str]) -> tuple[str, list[Any]]:
    g = Filters(
        start_month=f.start_month,
        end_month=f.end_month,
        lead_sources=f.lead_sources,
        segments=f.segments,
        motions=f.motions,
        teams=f.teams,
        extra=(("sla_id", tuple(sla_ids)),) if sla_ids else (),
    )
    return g.where(period="started_at", fit_tier=None, team="team_name")


def _sla_agg() -> str:
    closed = ", ".join(f"'{s}'" for s in SLA_CLOSED)
    return f"""
        count(*) as instances,
        count(*) filter (where status = 'met') as met,
        count(*) filter (where status = 'breached') as breached,
        count(*) filter (where status = 'open_breached') as open_breached,
        count(*) filter (where status = 'open') as open,
        count(*) filter (where status in ({closed})) as decided,
        count(*) filter (where status = 'open' and elapsed_business_minutes >= {AT_RISK_SHARE} * target_minutes)
            as at_risk,
        quantile_cont(elapsed_business_minutes, 0.5) filter (where status in ('met', 'breached'))
            as median_elapsed_minutes
    """


def _with_compliance(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["compliance"] = [m / d if d else math.nan for m, d in zip(df["met"], df["decided"], strict=True)]
    return df


def sla_overall(q: Runner, f: Filters, sla_ids: Sequence[str] = ()) -> pd.Series:
    cond, params = _sla_where(f, sla_ids)
    df = q(f"select {_sla_agg()} from marts.lead_sla where {cond}", params)
    return _with_compliance(df).iloc[0]


def sla_by(q: Runner, f: Filters, by: str, sla_ids: Sequence[str] = ()) -> pd.DataFrame:
    """Compliance grouped by 'sla', 'team' or 'rep'."""
    group = {
        "sla": "sla_id, sla_name, target_minutes",
        "team": "team_name",
        "rep": "owner_name, team_name",
    }[by]
    cond, params = _sla_where(f, sla_ids)
    df = q(f"select {group}, {_sla_agg()} from marts.lead_sla where {cond} group by all", params)
    df = _with_compliance(df)
    return df.sort_values(
        ["compliance", "instances"], ascending=[True, False], na_position="last"
    ).reset_index(drop=True)


def sla_weekly(q: Runner, f: Filters, sla_ids: Sequence[str] = ()) -> pd.DataFrame:
    cond, params = _sla_where(f, sla_ids)
    df = q(
        f"""
        select date_trunc('week', started_at)::date as week, sla_name, {_sla_agg()}
        from marts.lead_sla where {cond}
        group by all
        order by 1, 2
        """,
        params,
    )
    return _with_compliance(df)


def sla_open_items(
    q: Runner, f: Filters, kind: str, sla_ids: Sequence[str] = (), limit: int = 500
) -> pd.DataFrame:
    """Open breaches now ('breaches') or open SLAs close to their due time ('at_risk')."""
    cond, params = _sla_where(f, sla_ids)
    if kind == "breaches":
        status_cond = "status = 'open_breached'"
        order = "elapsed_business_minutes - target_minutes desc"
    else:
        status_cond = f"status = 'open' and elapsed_business_minutes >= {AT_RISK_SHARE} * target_minutes"
        order = "target_minutes - elapsed_business_minutes asc"
    return q(
        f"""
        select lead_id, sla_name, band, owner_name, team_name, started_at, due_at,
               elapsed_business_minutes, target_minutes,
               elapsed_business_minutes - target_minutes as over_by_minutes
        from marts.lead_sla
        where {status_cond} and {cond}
        order by {order}, lead_id
        limit {int(limit)}
        """,
        params,
    )


def sla_months(q: Runner) -> list[date]:
    df = q("select distinct date_trunc('month', started_at)::date as m from marts.lead_sla order by 1", [])
    return [pd.Timestamp(m).date() for m in df["m"] if not pd.isna(m)]


def sla_names(q: Runner) -> pd.DataFrame:
    return q("select sla_id, any_value(sla_name) as sla_name from marts.lead_sla group by 1 order by 1", [])
