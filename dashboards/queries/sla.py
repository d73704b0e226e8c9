"""Queries of the SLA page: compliance by SLA, team and rep, the weekly trend, open breaches, and the
red / amber / green rule that judges compliance against its target."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from dashboards.queries.common import Filters, Runner, available_tables

SLA_CLOSED = ("met", "breached", "open_breached")  # instances whose outcome is decided
# Running clocks by lead_sla.sla_state (thresholds per SLA in seeds/sla/sla_policies.csv): the tabs
# of "Now", most actionable first, and how each is ordered.
OPEN_STATES = {
    "breached_recent": "elapsed_business_minutes - target_minutes desc",
    "at_risk": "target_minutes - elapsed_business_minutes asc",
    "breached_stale": "due_at asc",
}

MIN_JUDGED = 5  # fewer decided clocks than this: grey, too few to judge
# seeds/kpi/kpi_parameters.csv rows of the cut-offs (ComplianceCutoffs)
CUTOFF_PARAMETERS = ("sla_compliance_target", "sla_compliance_red_below")


@dataclass(frozen=True)
class ComplianceCutoffs:
    """How compliance (met ÷ decided, decided = met + breached + still running past its due time) is
    judged: green at or above `target`, amber from `red_below` up to it, red below `red_below`, grey
    with fewer than MIN_JUDGED decided clocks. The values are the seed's (compliance_cutoffs); the
    defaults serve a published copy made before the seed had them (`from_seed` False)."""

    target: float = 0.90
    red_below: float = 0.80
    from_seed: bool = True

    def rag(self, compliance: float, decided: float) -> str:
        """red / amber / green / grey of a compliance share."""
        if pd.isna(decided) or decided < MIN_JUDGED or pd.isna(compliance):
            return "grey"
        if compliance >= self.target:
            return "green"
        return "amber" if compliance >= self.red_below else "red"

    def states(self) -> dict[str, str]:
        """rag -> the legend's wording, in the legend's order (colours: components.RAG_COLORS)."""
        target, red = f"{self.target * 100:.0f} %", f"{self.red_below * 100:.0f} %"
        return {
            "green": f"on target (≥ {target})",
            "amber": f"below target ({red} – {target})",
            "red": f"failing (< {red})",
            "grey": f"too few decided clocks (< {MIN_JUDGED})",
        }

    def rule(self) -> str:
        """The colour rule in words, for captions and hover texts."""
        target, red = f"{self.target * 100:.0f} %", f"{self.red_below * 100:.0f} %"
        where = (
            "seeds/kpi/kpi_parameters.csv: sla_compliance_target, sla_compliance_red_below"
            if self.from_seed
            else "defaults: this copy of the warehouse predates the seed's cut-offs"
        )
        return (
            f"Colour = compliance against the {target} target, compliance = met ÷ (met + breached + still "
            f"running past its due time, counted as breached): green at or above {target}, amber from {red} "
            f"up to the target, red below {red}, grey with fewer than {MIN_JUDGED} decided clocks ({where})"
        )


def compliance_cutoffs(q: Runner) -> ComplianceCutoffs:
    """The compliance target and red cut-off of seeds/kpi/kpi_parameters.csv (config.kpi_parameters)."""
    if "config.kpi_parameters" not in available_tables(q):
        return ComplianceCutoffs(from_seed=False)
    names = ", ".join(f"'{p}'" for p in CUTOFF_PARAMETERS)
    df = q(
        f"select parameter, value::double as value from config.kpi_parameters where parameter in ({names})",
        [],
    )
    values = dict(zip(df["parameter"], df["value"], strict=True))
    if set(values) != set(CUTOFF_PARAMETERS):
        return ComplianceCutoffs(from_seed=False)
    return ComplianceCutoffs(
        target=values["sla_compliance_target"], red_below=values["sla_compliance_red_below"]
    )


def _sla_where(f: Filters, sla_ids: Sequence[str], *, period: bool = True) -> tuple[str, list[Any]]:
    """The page's filters on marts.lead_sla; period=False drops the period (running clocks are "now")."""
    g = Filters(
        start_month=f.start_month if period else None,
        end_month=f.end_month if period else None,
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


def _with_compliance(df: pd.DataFrame, cutoffs: ComplianceCutoffs) -> pd.DataFrame:
    """With compliance (met ÷ decided), its colour (ComplianceCutoffs.rag) and the colour's legend label."""
    df = df.copy()
    df["compliance"] = [m / d if d else math.nan for m, d in zip(df["met"], df["decided"], strict=True)]
    df["rag"] = [cutoffs.rag(c, d) for c, d in zip(df["compliance"], df["decided"], strict=True)]
    states = cutoffs.states()
    df["rag_label"] = [states[r] for r in df["rag"]]
    return df


def sla_overall(q: Runner, f: Filters, sla_ids: Sequence[str] = ()) -> pd.Series:
    cond, params = _sla_where(f, sla_ids)
    df = q(f"select {_sla_agg()} from marts.lead_sla where {cond}", params)
    return _with_compliance(df, compliance_cutoffs(q)).iloc[0]


GROUPS = {"sla": "sla_id, sla_name, target_minutes", "team": "team_name", "rep": "owner_name, team_name"}


def sla_by(q: Runner, f: Filters, by: str, sla_ids: Sequence[str] = ()) -> pd.DataFrame:
    """Compliance grouped by 'sla', 'team' or 'rep' (GROUPS), with its colour (rag)."""
    group = GROUPS[by]
    cond, params = _sla_where(f, sla_ids)
    df = q(f"select {group}, {_sla_agg()} from marts.lead_sla where {cond} group by all", params)
    df = _with_compliance(df, compliance_cutoffs(q))
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
    return _with_compliance(df, compliance_cutoffs(q))


def sla_running_now(q: Runner, f: Filters, sla_ids: Sequence[str] = ()) -> pd.Series:
    """How many clocks run now in each sla_state (OPEN_STATES), whatever the period filter: a running
    clock started before the period is still running now (the other filters apply)."""
    cond, params = _sla_where(f, sla_ids, period=False)
    return q(f"select {_running_counts()} from marts.lead_sla where {cond}", params).iloc[0]


def sla_running_by(q: Runner, f: Filters, by: str, sla_ids: Sequence[str] = ()) -> pd.DataFrame:
    """sla_running_now grouped by 'sla', 'team' or 'rep' (GROUPS): groups with a running clock only."""
    cond, params = _sla_where(f, sla_ids, period=False)
    states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    return q(
        f"select {GROUPS[by]}, {_running_counts()} from marts.lead_sla "
        f"where sla_state in ({states}) and {cond} group by all",
        params,
    )


def _running_counts() -> str:
    return ", ".join(f"count(*) filter (where sla_state = '{s}') as {s}" for s in OPEN_STATES)


def sla_open_items(
    q: Runner, f: Filters, state: str, sla_ids: Sequence[str] = (), limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """The running clocks in one sla_state (OPEN_STATES), most urgent first (at most `limit`), with
    the lead's email and company, and how many there are. Every running clock, whatever the period
    filter (a "now" state); the other filters apply."""
    cond, params = _sla_where(f, sla_ids, period=False)
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
    """Per SLA with decided clocks (met, breached, or still running past its due time): the median
    and 90th percentile of their time taken as shares of the target (a clock still running counts
    with its time so far, a lower bound), the counts behind compliance, and its colour (rag)."""
    cond, params = _sla_where(f, sla_ids)
    closed = ", ".join(f"'{s}'" for s in SLA_CLOSED)
    df = q(
        f"""
        select sla_id, any_value(sla_name) as sla_name, any_value(target_minutes) as target_minutes,
               count(*) as decided,
               count(*) filter (where status = 'met') as met,
               count(*) filter (where status = 'breached') as breached,
               count(*) filter (where status = 'open_breached') as open_breached,
               count(*) filter (where status in ('breached', 'open_breached')) as late,
               quantile_cont(elapsed_business_minutes / target_minutes, 0.5)::double as median_share,
               quantile_cont(elapsed_business_minutes / target_minutes, 0.9)::double as p90_share
        from marts.lead_sla
        where status in ({closed}) and {cond}
        group by sla_id
        order by 1
        """,
        params,
    )
    return _with_compliance(df, compliance_cutoffs(q))


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
