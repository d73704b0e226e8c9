"""Queries of the KPI ladder page: every metric of a slice over time, layer by layer."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from dashboards.queries.common import Runner

KPI_LAYERS = ["top", "quality", "handoff", "velocity", "outcome", "efficiency"]
KPI_LAYER_DECISIONS = {
    "top": "channel mix",
    "quality": "definition + targeting",
    "handoff": "process & enablement",
    "velocity": "bottlenecks",
    "outcome": "ideal profile refinement",
    "efficiency": "budget allocation",
}


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
