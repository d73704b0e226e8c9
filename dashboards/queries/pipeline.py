"""Queries of the Pipeline now page and of the lead list it links to: open leads by current stage,
age in stage (bucket) and the state of their most urgent SLA clock, from marts.lead_pipeline_now."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboards.queries.common import Filters, Runner

UNROUTED = "unrouted"  # the `owner` parameter's value for leads nobody owns yet


@dataclass(frozen=True)
class Cell:
    """One cell of the pipeline: empty values mean "any"."""

    stage: str = ""
    age: str = ""
    sla: str = ""
    owner: str = ""  # "" (anyone) or UNROUTED

    def is_empty(self) -> bool:
        return not (self.stage or self.age or self.sla or self.owner)

    def query_params(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


def _where(f: Filters, cell: Cell = Cell()) -> tuple[str, list]:
    cond, params = f.where(team="team_name")
    parts = [cond]
    for name, column in (("stage", "current_stage"), ("age", "age_bucket"), ("sla", "sla_state")):
        value = getattr(cell, name)
        if value:
            parts.append(f"{column} = ?")
            params.append(value)
    if cell.owner == UNROUTED:
        parts.append("is_unrouted")
    return " and ".join(parts), params


def pipeline_counts(q: Runner, f: Filters) -> pd.DataFrame:
    """Open leads per stage x age bucket x SLA state, with each code's order and label."""
    cond, params = _where(f)
    return q(
        f"""
        select current_stage, any_value(stage_order) as stage_order, any_value(stage_label) as stage_label,
               age_bucket, any_value(age_bucket_order) as age_bucket_order,
               any_value(age_bucket_label) as age_bucket_label,
               sla_state, any_value(sla_state_order) as sla_state_order,
               count(*) as leads,
               count(*) filter (where is_unrouted) as unrouted,
               sum(days_in_stage)::double as days_in_stage_sum
        from marts.lead_pipeline_now
        where {cond}
        group by current_stage, age_bucket, sla_state
        order by stage_order, age_bucket_order, sla_state_order
        """,
        params,
    )


def median_days_by_stage(q: Runner, f: Filters) -> pd.DataFrame:
    cond, params = _where(f)
    return q(
        f"""
        select current_stage, median(days_in_stage)::double as median_days
        from marts.lead_pipeline_now where {cond} group by current_stage
        """,
        params,
    )


def sla_states(q: Runner) -> pd.DataFrame:
    """The SLA states in order of urgency with label and colour meaning (config.sla_states)."""
    return q(
        "select sla_state, state_order, label, rag, description from config.sla_states order by state_order",
        [],
    )


def age_buckets(q: Runner) -> pd.DataFrame:
    return q("select age_bucket, bucket_order, label from config.stage_age_buckets order by bucket_order", [])


def pipeline_leads(q: Runner, f: Filters, cell: Cell, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The open leads of a cell, longest in their stage first (at most `limit`), and how many there are."""
    cond, params = _where(f, cell)
    total = int(q(f"select count(*) as n from marts.lead_pipeline_now where {cond}", params)["n"].iloc[0])
    rows = q(
        f"""
        select lead_id, email, company_name, owner_name, team_name, stage_label, days_in_stage::double as
               days_in_stage, sla_state, most_urgent_sla_name, most_urgent_sla_due_at, total_score::double
               as total_score, score_band
        from marts.lead_pipeline_now
        where {cond}
        order by sla_state_order, days_in_stage desc, lead_id
        limit {int(limit)}
        """,
        params,
    )
    return rows, total
