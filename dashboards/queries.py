"""The SQL behind every page, as pure functions of a query runner and the active filters.

No Streamlit here: the pages pass the cached runner of `dashboards.data`, the benchmark
(`scripts/benchmark_dashboard_queries.py`) and the tests pass a plain one. Every value a
user chooses reaches SQL as a bound parameter (`?`); only column names written in this
file are ever put into SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

Runner = Callable[[str, Sequence[Any]], pd.DataFrame]

# Stage order of the funnel; names not listed go after these, alphabetically.
FUNNEL_STAGE_ORDER = ["capture", "lead", "inquiry", "triage", "mql", "sal", "sql", "opportunity", "won"]
STAGE_LABELS = {
    "capture": "Lead",
    "lead": "Lead",
    "inquiry": "Inquiry",
    "triage": "Triage",
    "nurture": "Nurture",
    "warm": "Warm",
    "mql": "MQL",
    "sal": "SAL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "won": "Won",
    "lost": "Lost",
    "close": "Close",
    "closed": "Close",
    "recycled": "Recycled",
    "disqualified": "Disqualified",
}
KPI_LAYERS = ["top", "quality", "handoff", "velocity", "outcome", "efficiency"]
KPI_LAYER_DECISIONS = {
    "top": "channel mix",
    "quality": "definition + targeting",
    "handoff": "process & enablement",
    "velocity": "bottlenecks",
    "outcome": "ideal profile refinement",
    "efficiency": "budget allocation",
}
SLA_CLOSED = ("met", "breached", "open_breached")  # instances whose outcome is decided
AT_RISK_SHARE = 0.75  # an open SLA that used 75 % of its time is "at risk"


def stage_label(stage: Any) -> str:
    return STAGE_LABELS.get(str(stage), str(stage).replace("_", " ").title())


def stage_rank(stage: Any) -> tuple[int, str]:
    s = str(stage)
    return (FUNNEL_STAGE_ORDER.index(s), s) if s in FUNNEL_STAGE_ORDER else (len(FUNNEL_STAGE_ORDER), s)


def step_label(from_stage: Any, to_stage: Any) -> str:
    return f"{stage_label(from_stage)} → {stage_label(to_stage)}"


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


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


# ---------------------------------------------------------------- shared look-ups


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


# ---------------------------------------------------------------- 1. funnel

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
    """Entered / converted per cohort month and stage step.

    `source` is 'funnel_conversion' (the mart, sliceable by team) or 'leads' (derived from the
    first time each lead reached each stage: a lead counts in the month it was created).
    """
    if source == "funnel_conversion":
        cond, params = f.where(period="cohort_month", team="team_id")
        return q(
            f"""
            select cohort_month::date as cohort_month, from_stage, to_stage,
                   sum(entered)::bigint as entered, sum(converted)::bigint as converted
            from marts.funnel_conversion
            where {cond}
            group by all
            order by 1, 2, 3
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
            "from_stage": a,
            "to_stage": b,
            "entered": int(r[e]),
            "converted": int(r[c]),
        }
        for _, r in wide.iterrows()
        for a, b, e, c in FUNNEL_STEPS_FROM_LEADS
    ]
    return pd.DataFrame(rows, columns=["cohort_month", "from_stage", "to_stage", "entered", "converted"])


def funnel_stage_counts(steps: pd.DataFrame) -> pd.DataFrame:
    """Leads that reached each stage: the larger of 'entered' from it and 'converted' into it."""
    if steps.empty:
        return pd.DataFrame(columns=["stage", "leads"])
    t = steps.groupby(["from_stage", "to_stage"])[["entered", "converted"]].sum().reset_index()
    entered = t.groupby("from_stage")["entered"].max()  # the same leads enter every step out of a stage
    converted = t.groupby("to_stage")["converted"].max()
    stages = sorted(set(entered.index) | set(converted.index), key=stage_rank)
    counts = [int(max(entered.get(s, 0), converted.get(s, 0))) for s in stages]
    return pd.DataFrame({"stage": stages, "leads": counts})


def funnel_step_totals(steps: pd.DataFrame) -> pd.DataFrame:
    """Conversion per step over the whole selection."""
    if steps.empty:
        return pd.DataFrame(columns=["from_stage", "to_stage", "entered", "converted", "rate"])
    t = steps.groupby(["from_stage", "to_stage"], as_index=False)[["entered", "converted"]].sum()
    t["rate"] = [c / e if e else math.nan for c, e in zip(t["converted"], t["entered"], strict=True)]
    t["order"] = [(stage_rank(a), stage_rank(b)) for a, b in zip(t["from_stage"], t["to_stage"], strict=True)]
    return t.sort_values("order").drop(columns="order").reset_index(drop=True)


# ---------------------------------------------------------------- 2. velocity

VELOCITY_STEPS = [
    # (from stage, to stage, from timestamp, to timestamp) on marts.leads; the same steps and
    # definitions as marts.stage_velocity ("closed" = won or lost)
    ("lead", "mql", "created_at", "mql_at"),
    ("mql", "sal", "mql_at", "sal_at"),
    ("sal", "sql", "sal_at", "sql_at"),
    ("mql", "sql", "mql_at", "sql_at"),
    ("sql", "opportunity", "sql_at", "opportunity_at"),
    ("opportunity", "closed", "opportunity_at", "coalesce(won_at, lost_at)"),
    ("sql", "closed", "sql_at", "coalesce(won_at, lost_at)"),
]
VELOCITY_STEP_NAMES = [step_label(a, b) for a, b, _, _ in VELOCITY_STEPS]


def _velocity_cte(f: Filters) -> tuple[str, list[Any]]:
    """CTE `d(step, step_order, cohort_month, days)`: one row per lead and step it completed."""
    cond, params = f.where(period="created_at")
    selects = [
        f"select '{step_label(sa, sb)}' as step, {i} as step_order, "
        f"date_trunc('month', created_at)::date as cohort_month, "
        f"date_diff('second', {a}, {b}) / 86400.0 as days from l "
        f"where {a} is not null and {b} is not null and {b} >= {a}"
        for i, (sa, sb, a, b) in enumerate(VELOCITY_STEPS, start=1)
    ]
    sql = (
        "with l as (select created_at, mql_at, sal_at, sql_at, opportunity_at, won_at, lost_at "
        f"from marts.leads where {cond}),\n d as (" + "\n union all ".join(selects) + ")"
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


def time_in_stage(q: Runner, f: Filters) -> pd.DataFrame:
    """Days spent in each stage (completed stays only), from marts.lead_stage_history."""
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
        where h.exited_at is not null and h.stage not in ('capture') {lead_filter}
        group by 1
        order by median_days desc
        """,
        params,
    )


# ---------------------------------------------------------------- 3. SLA


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


def team_names(q: Runner) -> dict[str, str]:
    """team_id -> team name, from the SLA owners."""
    df = q(
        "select team_id, any_value(team_name) as team_name from marts.lead_sla where team_id is not null group by 1",
        [],
    )
    return dict(zip(df["team_id"], df["team_name"], strict=True))


def sla_names(q: Runner) -> pd.DataFrame:
    return q("select sla_id, any_value(sla_name) as sla_name from marts.lead_sla group by 1 order by 1", [])


# ---------------------------------------------------------------- 4. KPI ladder


def kpi_options(q: Runner) -> pd.DataFrame:
    """The slice dimensions and values present (per grain and basis)."""
    return q(
        "select distinct period_grain, basis, slice_dimension, slice_value::varchar as slice_value "
        "from marts.kpi_ladder order by 1, 2, 3, 4",
        [],
    )


def kpi_series(q: Runner, grain: str, basis: str, dimension: str, value: str) -> pd.DataFrame:
    """Every metric of one slice over time, in layer order."""
    df = q(
        """
        select layer, metric, any_value(decision) as decision, period_start::date as period_start,
               sum(numerator) as numerator, sum(denominator) as denominator,
               any_value(value) as value, any_value(unit) as unit
        from marts.kpi_ladder
        where period_grain = ? and basis = ? and slice_dimension = ? and slice_value::varchar = ?
        group by layer, metric, period_start
        order by layer, metric, period_start
        """,
        [grain, basis, dimension, value],
    )
    df["layer_order"] = [KPI_LAYERS.index(x) if x in KPI_LAYERS else len(KPI_LAYERS) for x in df["layer"]]
    return df.sort_values(["layer_order", "metric", "period_start"]).reset_index(drop=True)


def kpi_current_vs_previous(series: pd.DataFrame, period: date) -> pd.DataFrame:
    """Per metric: the value in `period` and in the period before it (by order of period_start)."""
    rows = []
    periods = sorted(series["period_start"].unique())
    if not periods:
        return pd.DataFrame(columns=["layer", "metric", "decision", "unit", "current", "previous"])
    p = pd.Timestamp(period).date()
    earlier = [x for x in periods if pd.Timestamp(x).date() < p]
    prev = earlier[-1] if earlier else None
    for (layer, metric), g in series.groupby(["layer", "metric"], sort=False):
        cur = g.loc[g["period_start"].map(lambda x: pd.Timestamp(x).date()) == p, "value"]
        old = g.loc[g["period_start"] == prev, "value"] if prev is not None else pd.Series(dtype=float)
        rows.append(
            {
                "layer": layer,
                "metric": metric,
                "decision": g["decision"].iloc[0],
                "unit": g["unit"].iloc[0],
                "layer_order": g["layer_order"].iloc[0],
                "current": cur.iloc[0] if len(cur) else math.nan,
                "previous": old.iloc[0] if len(old) else math.nan,
            }
        )
    return pd.DataFrame(rows).sort_values(["layer_order", "metric"]).reset_index(drop=True)


# ---------------------------------------------------------------- 5. lead explorer


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_leads(q: Runner, term: str, limit: int = 50) -> pd.DataFrame:
    term = term.strip()
    pattern = f"%{escape_like(term)}%"
    return q(
        f"""
        select lead_id, email, company_name, total_score, score_band, fit_tier, current_stage
        from marts.leads
        where lead_id = ? or email ilike ? escape '\\' or company_name ilike ? escape '\\'
        order by (lead_id = ?) desc, (lower(email) = lower(?)) desc, total_score desc, lead_id
        limit {int(limit)}
        """,
        [term, pattern, pattern, term, term],
    )


def lead_detail(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        """
        select l.*, m.warm_threshold, m.mql_threshold, m.hot_threshold, m.model_name
        from marts.leads l
        left join config.scoring_models m on m.model_id = l.scoring_model_id
        where l.lead_id = ?
        """,
        [lead_id],
    )


def lead_reasons(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        "select reason_rank, dimension, label, event_count, points from marts.lead_score_reasons "
        "where lead_id = ? order by reason_rank",
        [lead_id],
    )


def lead_ledger(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        "select change_sequence, changed_at, change_type, signal, points, score_after, band_after "
        "from marts.lead_score_changes where lead_id = ? order by change_sequence",
        [lead_id],
    )


def lead_stages(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        "select stage_sequence, stage, entered_at, exited_at, entered_by, reason_code, hours_in_stage "
        "from marts.lead_stage_history where lead_id = ? order by stage_sequence",
        [lead_id],
    )


# ---------------------------------------------------------------- 6. scoring health

BAND_ORDER = ["nurture", "warm", "mql", "hot"]


def conversion_by_peak_band(q: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where(period="created_at")
    df = q(
        f"""
        select peak_band, count(*) as leads, count(mql_at) as mqls, count(sql_at) as sqls,
               count(opportunity_at) as opportunities, count(*) filter (where is_won) as won
        from marts.leads where {cond}
        group by 1
        """,
        params,
    )
    df["band_order"] = [BAND_ORDER.index(b) if b in BAND_ORDER else len(BAND_ORDER) for b in df["peak_band"]]
    df = df.sort_values("band_order").drop(columns="band_order").reset_index(drop=True)
    for col in ("mqls", "sqls", "opportunities", "won"):
        df[f"{col}_rate"] = [n / d if d else math.nan for n, d in zip(df[col], df["leads"], strict=True)]
    return df


def calibration_by_decile(q: Runner, f: Filters) -> pd.DataFrame:
    """Won-rate by peak-score decile (decile 1 = lowest scores).

    Leads are ranked by peak score and cut into tenths; leads with the same score stay in the
    same decile (so a score shared by many leads can leave a decile empty).
    """
    cond, params = f.where(period="created_at")
    return q(
        f"""
        with s as (
            select peak_score, count(*) as n, count(*) filter (where is_won) as won
            from marts.leads where {cond} and peak_score is not null
            group by 1
        ),
        c as (
            select *, sum(n) over (order by peak_score rows between unbounded preceding and current row) - n as before,
                   sum(n) over () as total
            from s
        )
        select least(floor(before * 10 / total) + 1, 10)::int as decile,
               min(peak_score) as min_score, max(peak_score) as max_score,
               sum(n)::bigint as leads, sum(won)::bigint as won, sum(won) / sum(n) as won_rate
        from c group by 1 order by 1
        """,
        params,
    )


def gate_win_rates(q: Runner, f: Filters) -> pd.DataFrame:
    """How often leads that passed a gate went on to win."""
    cond, params = f.where(period="created_at")
    wide = q(
        f"""
        select count(mql_at) as mql, count(*) filter (where mql_at is not null and is_won) as mql_won,
               count(sal_at) as sal, count(*) filter (where sal_at is not null and is_won) as sal_won,
               count(sql_at) as sql, count(*) filter (where sql_at is not null and is_won) as sql_won,
               count(opportunity_at) as opportunity,
               count(*) filter (where opportunity_at is not null and is_won) as opportunity_won
        from marts.leads where {cond}
        """,
        params,
    ).iloc[0]
    rows = []
    for gate in ("mql", "sal", "sql", "opportunity"):
        passed, won = int(wide[gate]), int(wide[f"{gate}_won"])
        rows.append(
            {
                "gate": stage_label(gate),
                "passed": passed,
                "won": won,
                "won_rate": won / passed if passed else math.nan,
            }
        )
    return pd.DataFrame(rows)


def scoring_models(q: Runner) -> pd.DataFrame:
    return q(
        "select model_id, model_name, warm_threshold, mql_threshold, hot_threshold, max_score "
        "from config.scoring_models order by priority desc, model_id",
        [],
    )


def score_distribution(q: Runner, f: Filters, model_id: str) -> pd.DataFrame:
    """Per whole peak score: leads (with mandatory fields), actual MQLs, wins among them."""
    cond, params = f.where(period="created_at")
    return q(
        f"""
        select floor(peak_score)::int as score, count(*) as leads,
               count(mql_at) as mqls,
               count(*) filter (where mql_at is not null and is_won) as mql_won
        from marts.leads
        where scoring_model_id = ? and has_mandatory_fields and peak_score is not null and {cond}
        group by 1
        order by 1
        """,
        [model_id, *params],
    )


def fit_win_curve(dist: pd.DataFrame, scores: Sequence[int] = range(0, 101)) -> pd.Series:
    """P(win | MQL, peak score): a logistic fit of win on peak score over the leads that were
    actually MQLs (aggregated per whole score), evaluated at `scores`.

    Scores below today's threshold were never routed to SDRs, so their rate is the fitted curve
    extended downwards. With no variation (no win, or only wins) the pooled rate is used.
    """
    idx = pd.Index(list(scores), name="score")
    d = dist[dist["mqls"] > 0]
    n = d["mqls"].to_numpy(float)
    y = d["mql_won"].to_numpy(float)
    x = d["score"].to_numpy(float)
    total = n.sum()
    if total == 0:
        return pd.Series(0.0, index=idx)
    pooled = y.sum() / total
    if y.sum() in (0, total) or len(d) < 2 or np.ptp(x) == 0:
        return pd.Series(pooled, index=idx)
    mu = float(np.average(x, weights=n))
    sd = float(np.sqrt(np.average((x - mu) ** 2, weights=n))) or 1.0
    z = (x - mu) / sd
    beta = np.array([math.log(pooled / (1 - pooled)), 0.0])
    for _ in range(100):  # Newton-Raphson on the binomial log-likelihood
        p = 1 / (1 + np.exp(-(beta[0] + beta[1] * z)))
        w = n * p * (1 - p)
        grad = np.array([np.sum(y - n * p), np.sum((y - n * p) * z)])
        hess = np.array([[w.sum(), (w * z).sum()], [(w * z).sum(), (w * z * z).sum()]])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < 1e-9:
            break
    zz = (idx.to_numpy(float) - mu) / sd
    return pd.Series(1 / (1 + np.exp(-(beta[0] + beta[1] * zz))), index=idx)


def whatif_curve(dist: pd.DataFrame, max_score: int = 100) -> pd.DataFrame:
    """For every whole threshold 0..max_score: would-be MQLs and their expected wins."""
    thresholds = range(0, int(max_score) + 1)
    if dist.empty:
        return pd.DataFrame(
            {"threshold": list(thresholds), "mqls": 0, "expected_wins": 0.0, "win_rate": math.nan}
        )
    p_win = fit_win_curve(dist, range(0, int(max(max_score, dist["score"].max())) + 1))
    d = dist.assign(p=[p_win.get(int(s), 0.0) for s in dist["score"]])
    d["exp_wins"] = d["leads"] * d["p"]
    rows = []
    for t in thresholds:
        sel = d[d["score"] >= t]
        n = int(sel["leads"].sum())
        wins = float(sel["exp_wins"].sum())
        rows.append(
            {"threshold": t, "mqls": n, "expected_wins": wins, "win_rate": wins / n if n else math.nan}
        )
    return pd.DataFrame(rows)


RECENT_WEEKS = 13


def whatif_weekly(
    q: Runner, f: Filters, model_id: str, threshold: float, model_threshold: float
) -> pd.DataFrame:
    """New MQLs per week at `threshold` ('what-if') and at the model's own threshold ('current').

    A lead becomes an MQL the first time its score reaches the threshold (leads with the
    mandatory fields only). At the model's threshold that moment is `leads.first_mql_crossing_at`;
    at another threshold it is found in the score ledger. Weeks end at as_of: `weeks_before` 0
    is the last 7 days.
    """
    cond, params = f.where(period="created_at")
    current = q(
        f"""
        select 'current' as scenario,
               floor(date_diff('second', first_mql_crossing_at, as_of) / 604800)::int as weeks_before,
               count(*) as mqls
        from marts.leads
        where scoring_model_id = ? and first_mql_crossing_at < as_of and {cond}
        group by all
        """,
        [model_id, *params],
    )
    if float(threshold) == float(model_threshold):
        what_if = current.assign(scenario="what-if")
    else:
        what_if = q(
            f"""
            with l as (
                select lead_id, as_of from marts.leads
                where scoring_model_id = ? and has_mandatory_fields and peak_score >= ?::decimal(9, 1) and {cond}
            ),
            c as (
                select lead_id, min(changed_at) as crossed_at
                from marts.lead_score_changes
                where score_after >= ?::decimal(9, 1)
                group by 1
            )
            select 'what-if' as scenario,
                   floor(date_diff('second', c.crossed_at, l.as_of) / 604800)::int as weeks_before,
                   count(*) as mqls
            from c join l on l.lead_id = c.lead_id
            where c.crossed_at < l.as_of
            group by all
            """,
            [model_id, float(threshold), *params, float(threshold)],
        )
    both = pd.concat([current, what_if], ignore_index=True)
    return both.sort_values(["weeks_before", "scenario"], ascending=[False, True]).reset_index(drop=True)


def recent_weekly_load(weekly: pd.DataFrame, scenario: str, weeks: int = RECENT_WEEKS) -> float:
    """Average MQLs per week over the last `weeks` weeks before as_of."""
    w = weekly[(weekly["scenario"] == scenario) & (weekly["weeks_before"] < weeks)]
    return float(w["mqls"].sum()) / weeks
