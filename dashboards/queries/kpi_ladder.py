"""Queries of the KPI ladder page: every metric of a slice over time, layer by layer.

The layers, their order and the decision each informs are the kpi_layers seed: marts.kpi_ladder
carries them on every row (`layer_order`, `decision`) and config.kpi_layers holds the seed itself.
Each metric's label and definition are the kpi_metrics seed (config.kpi_metrics), the same rows
the SQL of the ladder is generated from: one definition, shown where the figure is.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from dashboards.queries.common import Runner


def kpi_layers(q: Runner) -> pd.DataFrame:
    """The ladder's layers in order, with the decision each informs (config.kpi_layers)."""
    return q("select layer, layer_order, decision from config.kpi_layers order by layer_order, layer", [])


def kpi_metric_definitions(q: Runner) -> dict[str, tuple[str, str]]:
    """metric -> (label, definition), from config.kpi_metrics."""
    rows = q("select metric, label, definition from config.kpi_metrics order by metric", [])
    return {r.metric: (r.label, r.definition) for r in rows.itertuples(index=False)}


def kpi_options(q: Runner) -> pd.DataFrame:
    """The slice dimensions and values present (per grain and basis)."""
    return q(
        "select distinct period_grain, basis, slice_dimension, slice_value::varchar as slice_value "
        "from marts.kpi_ladder order by 1, 2, 3, 4",
        [],
    )


def kpi_series(q: Runner, grain: str, basis: str, dimension: str, value: str) -> pd.DataFrame:
    """Every metric of one slice over time, in the mart's layer order."""
    return q(
        """
        select layer, metric, any_value(decision) as decision, period_start::date as period_start,
               sum(numerator) as numerator, sum(denominator) as denominator,
               any_value(value) as value, any_value(unit) as unit, min(layer_order) as layer_order
        from marts.kpi_ladder
        where period_grain = ? and basis = ? and slice_dimension = ? and slice_value::varchar = ?
        group by layer, metric, period_start
        order by layer_order, layer, metric, period_start
        """,
        [grain, basis, dimension, value],
    )


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
