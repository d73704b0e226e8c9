"""Queries of the Pipeline now page and of the lead list it links to: open leads by current stage,
age in stage (bucket) and the state of their most urgent SLA clock, from marts.lead_pipeline_now."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


# the columns of the page's charts that say a clicked point's cell -> Cell field (and URL parameter)
POINT_FIELDS = {"current_stage": "stage", "age_bucket": "age", "sla_state": "sla"}


def clicked_cell(points: Sequence[Mapping[str, Any]]) -> Cell | None:
    """The cell of the first point clicked on a chart of open leads (a Vega-Lite point selection on
    columns of POINT_FIELDS: one dict of their values per point); None when nothing is clicked."""
    for point in points:
        cell = Cell(**{name: str(point.get(column) or "") for column, name in POINT_FIELDS.items()})
        if not cell.is_empty():
            return cell
    return None


def lead_list_params(filters: Mapping[str, Sequence[str]], cell: Cell) -> dict[str, list[str]]:
    """Query parameters of the lead list of a cell with the reader's filters (parameter -> values):
    the same for a link (urlencode(..., doseq=True)) and a click (st.switch_page)."""
    return {
        **{name: list(values) for name, values in filters.items()},
        **{name: [value] for name, value in cell.query_params().items()},
    }


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


def sla_thresholds(q: Runner) -> pd.DataFrame:
    """Each SLA's thresholds of the states (config.sla_policies): at_risk_share (a running clock is at
    risk once this share of its target is used) and actionable_days (a breach this many days past due
    is stale)."""
    return q(
        "select sla_id, at_risk_share::double as at_risk_share, actionable_days::double as actionable_days "
        "from config.sla_policies order by sla_id",
        [],
    )


def _spread(values: pd.Series, fmt: Callable[[float], str]) -> str | None:
    """One value, or the range of the SLAs' values; None without any."""
    values = values.dropna()
    if values.empty:
        return None
    lo, hi = values.min(), values.max()
    return fmt(lo) if lo == hi else f"{fmt(lo)} to {fmt(hi)} (by SLA)"


def threshold_words(thresholds: pd.DataFrame | None) -> tuple[str, str]:
    """(days after which a breach is stale, share of the target from which a clock is at risk) in
    words, e.g. ("7 days", "75 %"); a description without the seed (a warehouse built before it)."""
    days = share = None
    if thresholds is not None:
        days = _spread(thresholds["actionable_days"], lambda d: f"{d:g} day" + ("" if d == 1 else "s"))
        share = _spread(thresholds["at_risk_share"], lambda s: f"{100 * s:g} %")
    return days or "the days the SLA leaves to act", share or "the SLA's at-risk share"


def thresholds_in_words(text: str, thresholds: pd.DataFrame | None) -> str:
    """A text of the seeds (e.g. config.sla_states.description) with the threshold columns it names
    (the SLA's actionable_days, its at_risk_share) replaced by their values in words."""
    days, share = threshold_words(thresholds)
    text = re.sub(r"(?:the SLA's |its )?actionable_days", days, text)
    return re.sub(r"(?:the SLA's |its )?at_risk_share", share, text)


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
