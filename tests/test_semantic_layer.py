"""The semantic layer (models/marts/semantic) and kpi_ladder give one answer per KPI.

Every MetricFlow metric that names a kpi_ladder metric (config.meta kpi_metric, kpi_basis) is
queried with MetricFlow on the test run's shared warehouses (the tiny CRM, the 2,000
synthetic leads the dashboards' tests read), grouped by metric_time__month, for the whole
(slice `all`) and by each slice dimension of SLICES, and must equal kpi_ladder's month rows of
that metric, basis and slice (a metric whose catalogue row names a slice_dimension, e.g.
won_rate_by_peak_band, only under that slice, as the ladder publishes it). Its label and
description are the metric catalogue's (seeds/kpi/kpi_metrics.csv), word for word, and every
catalogue metric is in the layer under both bases unless NOT_IN_LAYER says why not. A definition
that drifts on either side fails here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.build import run_dbt
from leadwarehouse.semantic_layer import SemanticLayer
from tests.test_dashboards_apptest import dash_warehouse  # noqa: F401 (a fixture)

pytestmark = pytest.mark.dbt

CATALOGUE = Path(__file__).resolve().parent.parent / "seeds" / "kpi" / "kpi_metrics.csv"
# kpi_ladder slice -> MetricFlow group-by (the leads semantic model's dimension, joined by lead)
SLICES = {
    "all": None,
    "lead_source": "lead__lead_source",
    "segment": "lead__segment",
    "peak_band": "lead__peak_band",
}
# (metric, slice) the ladder does not publish: int_kpi_ladder__sla does not slice by peak band
NOT_SLICED = {("sla_compliance", "peak_band")}
# catalogue metrics MetricFlow cannot give as the ladder does (README, Semantic layer; the
# comment at the end of models/marts/semantic/_metrics.yml): a share of the period's total over
# the group-by dimension, spend and targets that are not per lead, a pairwise rank statistic
NOT_IN_LAYER = {"rejection_reason_share", "score_auc", "cac", "cac_payback_months", "pipeline_coverage"}
# value is a double in the contract: equal to this many decimal places
PLACES = 9


@pytest.fixture(scope="module", params=["tiny", "dashboards"])
def warehouse_file(request) -> Path:
    """The tiny hand-made CRM (edge cases) and the 2,000 synthetic leads of the dashboards' tests
    (milestones that fall in other months than the lead's creation): both shared builds of the
    test run."""
    return request.getfixturevalue("tiny_warehouse" if request.param == "tiny" else "dash_warehouse")


@pytest.fixture(scope="module")
def warehouse(warehouse_file):
    con = duckdb.connect(str(warehouse_file), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def semantic_layer(warehouse_file, warehouse, tmp_path_factory) -> SemanticLayer:
    # written beside the warehouse by the build that made it (tests/tiny_build.py, dash_warehouse);
    # a prebuilt DASH_TEST_WAREHOUSE has none: the project's, parsed here
    manifest = warehouse_file.parent / "semantic_manifest.json"
    if not manifest.exists():
        target = tmp_path_factory.mktemp("semantic_parse")
        run_dbt(["parse", "--target-path", str(target)], warehouse_file, quiet=True)
        manifest = target / "semantic_manifest.json"
    return SemanticLayer(manifest, database=warehouse.execute("select current_database()").fetchone()[0])


def rounded(value):
    return None if value is None else round(float(value), PLACES)


def catalogue() -> dict[str, dict[str, str]]:
    return {row["metric"]: row for row in csv.DictReader(CATALOGUE.open())}


def metrics_of_slice(semantic_layer, slice_dimension):
    """The ladder metrics kpi_ladder publishes under `slice_dimension`: those without a catalogue
    slice_dimension (but NOT_SLICED) and those whose slice_dimension it is."""
    rows = catalogue()
    return [
        m
        for m in semantic_layer.ladder_metrics
        if (rows[m.kpi_metric]["slice_dimension"] or slice_dimension) == slice_dimension
        and (m.kpi_metric, slice_dimension) not in NOT_SLICED
    ]


def test_ladder_metrics_have_the_catalogue_definition(semantic_layer):
    rows = catalogue()
    metrics = semantic_layer.ladder_metrics
    for metric in metrics:
        row = rows[metric.kpi_metric]
        assert metric.description == row["definition"], metric.name
        assert metric.label.startswith(row["label"]), metric.name
        assert set(metric.bases) <= {"cohort", "period"} and metric.bases, metric.name
    # the ladder rows the layer answers: each metric and basis once
    answered = [(m.kpi_metric, basis) for m in metrics for basis in m.bases]
    assert len(answered) == len(set(answered)), answered
    assert {m.type for m in metrics} >= {"simple", "ratio", "derived"}
    # one definition per KPI: every catalogue metric under both bases, but those left out (and why)
    expected = {(metric, basis) for metric in rows.keys() - NOT_IN_LAYER for basis in ("cohort", "period")}
    assert set(rows) >= NOT_IN_LAYER
    assert set(answered) == expected, (sorted(expected - set(answered)), sorted(set(answered) - expected))


@pytest.mark.parametrize("slice_dimension", list(SLICES))
def test_metricflow_equals_kpi_ladder(semantic_layer, warehouse, slice_dimension):
    metrics = metrics_of_slice(semantic_layer, slice_dimension)
    group_by = ["metric_time__month"] + ([SLICES[slice_dimension]] if SLICES[slice_dimension] else [])
    sql = semantic_layer.sql([m.name for m in metrics], group_by)
    result = warehouse.execute(sql)
    columns = [d[0] for d in result.description]
    got = {}
    for row in result.fetchall():
        record = dict(zip(columns, row, strict=True))
        month = record["metric_time__month"]
        if month is None:  # no date under this basis (e.g. never an MQL): no ladder period
            continue
        slice_value = record[group_by[1]] if len(group_by) > 1 else "all"
        for metric in metrics:
            for basis in metric.bases:
                got[(metric.kpi_metric, basis, month.date(), slice_value)] = rounded(record[metric.name])

    ladder = {
        (metric, basis, period_start, slice_value): rounded(value)
        for metric, basis, period_start, slice_value, value in warehouse.execute(
            """select metric, basis, period_start, slice_value, value from marts.kpi_ladder
               where period_grain = 'month' and slice_dimension = ?""",
            [slice_dimension],
        ).fetchall()
    }
    answered = {(m.kpi_metric, basis) for m in metrics for basis in m.bases}
    ladder = {key: value for key, value in ladder.items() if key[:2] in answered}

    # A period with nothing to count has no ladder row; MetricFlow has a row where another metric
    # of the query has one, with a null ratio (no denominator) or a count of 0 (fill_nulls_with).
    counts = {m.kpi_metric for m in metrics if m.type == "simple"}
    got = {
        key: value
        for key, value in got.items()
        if key in ladder or not (value is None or (value == 0 and key[0] in counts))
    }
    differ = {
        key: (got.get(key), ladder.get(key))
        for key in got.keys() | ladder.keys()
        if got.get(key) != ladder.get(key)
    }
    assert not differ, f"MetricFlow vs kpi_ladder (mf, ladder): {sorted(differ.items())[:20]}"
    # the comparison is not vacuous: every metric and basis has values
    valued = {key[:2] for key, value in ladder.items() if value is not None}
    assert valued == answered, f"no value: {sorted(answered - valued)}"
