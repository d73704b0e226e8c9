"""What every page's queries share: the query runner type, the sidebar Filters, the warehouse
look-ups and the one place stage names become labels.

No Streamlit here: the pages pass the cached runner of `dashboards.data` (so every look-up below
is cached per published file), the benchmark (`scripts/benchmark_dashboard_queries.py`) and the
tests pass a plain one. Every value a user chooses reaches SQL as a bound parameter (`?`); only
column names written in this package are ever put into SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from dashboards.formatting import humanize

Runner = Callable[[str, Sequence[Any]], pd.DataFrame]


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def add_months(d: date, k: int) -> date:
    """The first day of the month k months after d's (k may be negative)."""
    n = d.year * 12 + d.month - 1 + k
    return date(n // 12, n % 12 + 1, 1)


# Period presets of the sidebar, relative to the latest month with data (the page's last month,
# usually still running). Periods are whole months (the marts are sliced by month), so there is no
# "trailing 90 days": "Trailing 3 full months" is the three months before the latest one, where
# "Last 3 months" ends with the latest (partial) month; in the first month of a quarter it is the
# last quarter.
PRESETS = (
    "All months",
    "This month",
    "Last month",
    "This quarter",
    "Last quarter",
    "Last 3 months",
    "Trailing 3 full months",
)


def preset_range(preset: str, months: Sequence[date]) -> tuple[date, date] | None:
    """The (first, last) month of a preset among `months`, or None when it has no month there."""
    if not months:
        return None
    latest = max(months)
    quarter_start = date(latest.year, (latest.month - 1) // 3 * 3 + 1, 1)
    lo, hi = {
        "All months": (min(months), latest),
        "This month": (latest, latest),
        "Last month": (add_months(latest, -1), add_months(latest, -1)),
        "This quarter": (quarter_start, latest),
        "Last quarter": (add_months(quarter_start, -3), add_months(quarter_start, -1)),
        "Last 3 months": (add_months(latest, -2), latest),
        "Trailing 3 full months": (add_months(latest, -3), add_months(latest, -1)),
    }[preset]
    inside = [m for m in months if lo <= m <= hi]
    return (min(inside), max(inside)) if inside else None


@dataclass(frozen=True)
class Filters:
    """What a page's sidebar selected. Empty tuples mean "all"."""

    start_month: date | None = None  # first day of the first month (inclusive)
    end_month: date | None = None  # first day of the last month (inclusive)
    lead_sources: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    fit_tiers: tuple[str, ...] = ()
    motions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # (column, values) pairs

    def previous_period(self) -> Filters | None:
        """The same filters over the period of the same length just before (None without a period)."""
        if not (self.start_month and self.end_month):
            return None
        length = (
            (self.end_month.year - self.start_month.year) * 12
            + self.end_month.month
            - self.start_month.month
            + 1
        )
        return replace(
            self,
            start_month=add_months(self.start_month, -length),
            end_month=add_months(self.end_month, -length),
        )

    def where(
        self,
        *,
        period: str | None = None,
        lead_source: str | None = "lead_source",
        segment: str | None = "segment",
        fit_tier: str | None = "fit_tier",
        motion: str | None = "motion",
        team: str | None = None,
        alias: str = "",
    ) -> tuple[str, list[Any]]:
        """A SQL condition (never empty) and its parameters; None skips a dimension."""
        prefix = f"{alias}." if alias else ""
        parts: list[str] = []
        params: list[Any] = []
        if period:
            if self.start_month:
                parts.append(f"{prefix}{period} >= ?")
                params.append(pd.Timestamp(self.start_month))
            if self.end_month:
                parts.append(f"{prefix}{period} < ?")
                params.append(pd.Timestamp(next_month(self.end_month)))
        for column, values in (
            (lead_source, self.lead_sources),
            (segment, self.segments),
            (fit_tier, self.fit_tiers),
            (motion, self.motions),
            (team, self.teams),
            *self.extra,
        ):
            if column and values:
                parts.append(f"list_contains(?::varchar[], {prefix}{column}::varchar)")
                params.append(list(values))
        return (" and ".join(parts) or "true"), params


# ---------------------------------------------------------------- warehouse look-ups


def available_tables(q: Runner) -> set[str]:
    df = q(
        "select table_schema || '.' || table_name as name from information_schema.tables "
        "where table_schema in ('marts', 'config')",
        [],
    )
    return set(df["name"])


def as_of(q: Runner) -> Any:
    df = q("select max(as_of) as as_of from marts.leads", [])
    return df["as_of"].iloc[0] if len(df) else None


def lead_months(q: Runner) -> list[date]:
    """Cohort months present in marts.leads (first day of each month)."""
    df = q(
        "select distinct date_trunc('month', created_at)::date as m from marts.leads "
        "where created_at is not null order by 1",
        [],
    )
    return [pd.Timestamp(m).date() for m in df["m"]]


def distinct_values(q: Runner, table: str, column: str) -> list[str]:
    """Distinct non-null values of a column; table and column come from code, never from users."""
    df = q(f"select distinct {column}::varchar as v from {table} where {column} is not null order by 1", [])
    return list(df["v"])


# ---------------------------------------------------------------- labels


def code_labels(q: Runner, tables: set[str] | frozenset[str]) -> dict[str, dict[str, str]]:
    """Labels of the codes of each lead dimension (config.display_labels) and of the stages
    (config.lifecycle_stages.label): {dimension: {code: label}}. Empty for a warehouse built before
    the label seeds: the pages then humanize the codes."""
    labels: dict[str, dict[str, str]] = {}
    if "config.display_labels" in tables:
        for dimension, code, label in q(
            "select dimension, code, label from config.display_labels", []
        ).itertuples(index=False):
            labels.setdefault(dimension, {})[code] = label
    if "config.lifecycle_stages" in tables:
        stages = q("select * from config.lifecycle_stages", [])
        if "label" in stages.columns:
            labels["stage"] = dict(zip(stages["stage"], stages["label"], strict=True))
    return labels


# ---------------------------------------------------------------- stage labels


def stage_label(stage: Any) -> str:
    """How a stage name is shown: 'mql' -> 'MQL', 'opportunity' -> 'Opportunity'.

    The lifecycle_stages seed has no label column, so every page derives labels here. Besides the
    seed's stages this covers the step ends of marts.funnel_conversion and marts.stage_velocity
    (`lead`: the lead's creation; `closed`: won or lost).
    """
    return humanize(stage)


def step_label(from_stage: Any, to_stage: Any) -> str:
    return f"{stage_label(from_stage)} → {stage_label(to_stage)}"
