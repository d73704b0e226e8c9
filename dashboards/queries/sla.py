"""Queries of the SLA page: compliance by SLA, team and rep, the weekly trend, open breaches."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from dashboards.queries.common import Filters, Runner

SLA_CLOSED = ("met", "breached", "open_breached")  # instances whose outcome is decided
# Running clocks by lead_sla.sla_state (thresholds per SLA in seeds/sla/sla_policies.csv): the tabs
# of "Now", most actionable first, and how each is ordered.
OPEN_STATES = {
    "breached_recent": "elapsed_business_minutes - target_minutes desc",
    "at_risk": "target_minutes - elapsed_business_minutes asc",
    "breached_stale": "due_at asc",
}


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
        count(*) filter (where sla_state = 'at_risk') as at_risk,
        count(*) filter (where sla_state = 'breached_recent') as breached_recent,
        count(*) filter (where sla_state = 'breached_stale') as breached_stale,
        count(*) filter (where owner_rep_id is null) as unrouted,
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
    q: Runner, f: Filters, state: str, sla_ids: Sequence[str] = (), limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """The running clocks in one sla_state (OPEN_STATES), most urgent first (at most `limit`), with
    the lead's email and company, and how many there are."""
    cond, params = _sla_where(f, sla_ids)
    cond = f"sla_state = ? and {cond}"
    params = [state, *params]
    total = int(q(f"select count(*) as n from marts.lead_sla where {cond}", params)["n"].iloc[0])
    rows = q(
        f"""
        select s.lead_id, l.email, l.company_name, s.sla_name, s.band, s.owner_name, s.team_name, s.started_at,
               s.due_at, s.elapsed_business_minutes::double as elapsed_minutes, s.target_minutes,
               (s.elapsed_business_minutes - s.target_minutes)::double as over_by_minutes
        from (select * from marts.lead_sla where {cond} order by {OPEN_STATES[state]}, lead_id limit {int(limit)}) s
        left join marts.leads l using (lead_id)
        order by {OPEN_STATES[state]}, lead_id
        """,
        params,
    )
    return rows, total


def sla_time_to_target(q: Runner, f: Filters, sla_ids: Sequence[str] = ()) -> pd.DataFrame:
    """Per SLA: median and 90th percentile of the elapsed time of stopped clocks, as shares of the
    target, with the SLA's at-risk share (config.sla_policies) for red / amber / green."""
    cond, params = _sla_where(f, sla_ids)
    return q(
        f"""
        select s.sla_id, any_value(s.sla_name) as sla_name, any_value(s.target_minutes) as target_minutes,
               count(*) as stopped,
               quantile_cont(s.elapsed_business_minutes / s.target_minutes, 0.5)::double as median_share,
               quantile_cont(s.elapsed_business_minutes / s.target_minutes, 0.9)::double as p90_share,
               any_value(p.at_risk_share)::double as at_risk_share
        from marts.lead_sla s
        left join config.sla_policies p using (sla_id)
        where s.is_stopped and {cond}
        group by s.sla_id
        order by 1
        """,
        params,
    )


def sla_state_labels(q: Runner) -> dict[str, dict[str, str]]:
    """{sla_state: {label, description, rag}} from config.sla_states."""
    df = q("select sla_state, label, description, rag from config.sla_states", [])
    return {
        r.sla_state: {"label": r.label, "description": r.description, "rag": r.rag} for r in df.itertuples()
    }


def sla_months(q: Runner) -> list[date]:
    df = q("select distinct date_trunc('month', started_at)::date as m from marts.lead_sla order by 1", [])
    return [pd.Timestamp(m).date() for m in df["m"] if not pd.isna(m)]


def sla_names(q: Runner) -> pd.DataFrame:
    return q("select sla_id, any_value(sla_name) as sla_name from marts.lead_sla group by 1 order by 1", [])
