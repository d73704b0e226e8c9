"""A real-export-shaped CRM (tests/crm_marked_export.py) built end to end: the CRM's own MQL
marking drives the lifecycle, a deal won before first contact still counts, and the days from
first contact to close can be read. Every figure is computed by hand below."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.landing import write_landing
from leadwarehouse.semantic_layer import SemanticLayer
from tests.builds import build_fixture_warehouse
from tests.crm_marked_export import AS_OF, CANONICAL_SOURCE, LEADS, crm_marked_export_rows

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("crm_marked_export")
    warehouse = base / "build.duckdb"
    build_fixture_warehouse(
        write_landing(base / "landing", crm_marked_export_rows()), warehouse, as_of=AS_OF, artifacts=True
    )
    # the semantic layer it was built with, for MetricFlow (dbt writes it into this process's target)
    shutil.copy(Path(os.environ["DBT_TARGET_PATH"]) / "semantic_manifest.json", base)
    return warehouse


@pytest.fixture(scope="module")
def query(warehouse):
    def run(sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run


@pytest.fixture(scope="module")
def lead_ids(query) -> dict[str, str]:
    """CRM lead id → person key (records without an email are persons keyed by their CRM id)."""
    return {source: lead_id for lead_id, source in query("select lead_id, source_lead_ids from marts.leads")}


def test_every_lead_is_an_mql_at_the_instant_the_crm_marked_it(query):
    rows = query("select source_lead_ids, lead_source, mql_at, total_score from marts.leads order by 1")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (lead_id, CANONICAL_SOURCE[lead_id], mql_at) for lead_id, _, _, mql_at, _ in LEADS
    ]
    assert {r[3] for r in rows} == {0}  # no emails, events or activities: the score never moves
    # the CRM's record moved every lead into mql (stage_sources: crm_record_else_warehouse)
    assert query(
        "select entered_by, count(*) from marts.lead_stage_history where stage = 'mql' group by 1"
    ) == [("crm_mql", 12)]
    # the `subscriber` record (the CRM's "lead" stage) made no trigger of its own
    assert query(
        "select count(*) from intermediate.int_lifecycle_triggers where source_id = 'LE-L01-subscriber'"
    ) == [(0,)]


def test_lifecycle_of_an_ordinary_won_lead(query, lead_ids):
    history = query(
        "select stage, entered_at, entered_by, is_out_of_order from marts.lead_stage_history "
        "where lead_id = ? order by stage_sequence",
        [lead_ids["L01"]],
    )
    assert history == [
        ("capture", datetime(2026, 3, 2, 9), "captured", False),
        ("triage", datetime(2026, 3, 2, 9), "triaged", False),
        ("nurture", datetime(2026, 3, 2, 9), "band_nurture", False),  # score 0
        ("mql", datetime(2026, 3, 3, 9), "crm_mql", False),
        # no created_at on the deal: taken as created when it closed
        ("opportunity", datetime(2026, 4, 1, 9), "opportunity_created", False),
        ("won", datetime(2026, 4, 1, 9), "opportunity_won", False),
    ]


def test_a_deal_won_before_first_contact_still_counts_at_the_creation_and_is_listed(query, lead_ids):
    l08 = lead_ids["L08"]
    history = query(
        "select stage, entered_at, entered_by, trigger_source_id, is_out_of_order from marts.lead_stage_history "
        "where lead_id = ? order by stage_sequence",
        [l08],
    )
    created = datetime(2026, 5, 2, 11)
    assert [(stage, at, by, flag) for stage, at, by, _, flag in history] == [
        ("capture", created, "captured", False),
        ("triage", created, "triaged", False),
        ("nurture", created, "band_nurture", False),
        ("mql", created, "crm_mql", False),  # the CRM marked it MQL at first contact
        # won Apr 20, applied at the creation in its original order (created, then won), flagged
        ("opportunity", created, "opportunity_created", True),
        ("won", created, "opportunity_won", True),
    ]
    assert [source for *_, source, _ in history[3:]] == ["LE-L08", "O08", "O08"]
    assert query("select is_won, won_at from marts.leads where lead_id = ?", [l08]) == [(True, created)]
    assert query(
        """select fact_table, fact_id, fact_type, lead_id, source_lead_id, fact_at, lead_created_at,
                  days_before_lead_created, is_lifecycle_fact, reason
           from marts.out_of_order_facts"""
    ) == [
        (
            "opportunities",
            "O08",
            "opportunity_won",
            l08,
            "L08",
            datetime(2026, 4, 20, 11),
            created,
            12.0,
            True,
            "before_lead_created",
        )
    ]


def test_won_count_and_won_rate_by_lead_source(query):
    # won: L01, L02 (organic search of 4), L05 (direct of 2), L07 and L08 (email of 3: L08's deal
    # was won before first contact and still counts), L10 (unknown of 3: 'unknown', '' and null)
    funnel = query(
        """select lead_source, sum(entered), sum(converted), sum(converted) / sum(entered)
           from marts.funnel_conversion where from_stage = 'lead' and to_stage = 'won' group by 1 order by 1"""
    )
    assert funnel == [
        ("direct_traffic", 2, 1, pytest.approx(1 / 2)),
        ("email_marketing", 3, 2, pytest.approx(2 / 3)),
        ("organic_search", 4, 2, pytest.approx(2 / 4)),
        ("unknown", 3, 1, pytest.approx(1 / 3)),
    ]
    assert query(
        "select sum(entered), sum(converted) from marts.funnel_conversion where from_stage = 'lead' and to_stage = 'mql'"
    ) == [(12, 12)]


def kpi(query, metric: str, month: str, dimension: str = "all", value: str = "all", basis: str = "cohort"):
    rows = query(
        """select numerator, denominator, value from marts.kpi_ladder
           where period_grain = 'month' and basis = ? and period_start = cast(? as date) and metric = ?
             and slice_dimension = ? and slice_value = ?""",
        [basis, month, metric, dimension, value],
    )
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def test_kpi_ladder_won_rate_by_lead_source(query):
    # March cohort: L01, L02, L03 (organic search; L01, L02 won), L05 (direct, won), L07 (email, won)
    assert kpi(query, "lead_to_won_rate", "2026-03-01", "lead_source", "organic_search") == (
        2.0,
        3.0,
        pytest.approx(2 / 3),
    )
    assert kpi(query, "lead_to_won_rate", "2026-03-01", "lead_source", "direct_traffic") == (1.0, 1.0, 1.0)
    assert kpi(query, "lead_to_won_rate", "2026-03-01", "lead_source", "email_marketing") == (1.0, 1.0, 1.0)
    assert kpi(query, "lead_to_won_rate", "2026-03-01") == (4.0, 5.0, pytest.approx(0.8))
    # May cohort: L08 (won before first contact: counted) and L09
    assert kpi(query, "lead_to_won_rate", "2026-05-01", "lead_source", "email_marketing") == (1.0, 2.0, 0.5)
    assert kpi(query, "mql_rate", "2026-03-01") == (5.0, 5.0, 1.0)
    # period basis: a win counts in the month it entered the lifecycle; L08's at its creation (May)
    assert kpi(query, "lead_to_won_rate", "2026-05-01", basis="period")[0] == 2.0  # L05, L08


def test_days_from_first_contact_to_won(query):
    # created → won: L01 30, L02 20, L05 60, L07 40, L10 45 days; L08 (won before first contact)
    # has no duration. Sorted 20, 30, 40, 45, 60: median 40; p75 (position 3 of 0–4) 45;
    # p90 (position 3.6) 45 + 0.6 × 15 = 54
    assert query(
        """select lead_count, median_days, p75_days, p90_days from marts.stage_velocity
           where segment = 'all' and cohort_month is null and from_stage = 'lead' and to_stage = 'won'"""
    ) == [(5, 40.0, 45.0, pytest.approx(54.0))]
    # kpi_ladder: March cohort L01 30, L02 20, L05 60, L07 40 → median 35 over 4 leads
    assert kpi(query, "days_created_to_won", "2026-03-01") == (None, 4.0, 35.0)
    assert kpi(query, "days_created_to_won", "2026-06-01") == (None, 1.0, 45.0)  # L10
    # May cohort: L08 alone, out of order: no duration, no row (its win still counts above)
    assert kpi(query, "days_created_to_won", "2026-05-01") is None


def test_metricflow_leaves_the_out_of_order_win_out_as_the_ladder_does(query, warehouse):
    """The semantic layer's lead → won medians (lead_kpi_facts, tests/test_semantic_layer.py) on the
    one fixture with an out-of-order fact: L08's win, applied at its creation (May 2) from a deal
    won before first contact, bounds no duration under either basis, as in kpi_ladder."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        layer = SemanticLayer(
            warehouse.parent / "semantic_manifest.json",
            database=con.execute("select current_database()").fetchone()[0],
        )
        metrics = ["days_created_to_won_cohort", "days_created_to_won_period"]
        result = con.execute(layer.sql(metrics, ["metric_time__month"]))
        columns = [d[0] for d in result.description]
        records = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()
    got = {
        basis: {
            r["metric_time__month"].date().isoformat(): r[f"days_created_to_won_{basis}"]
            for r in records
            if r["metric_time__month"] is not None and r[f"days_created_to_won_{basis}"] is not None
        }
        for basis in ("cohort", "period")
    }
    # cohort: March L01 30, L02 20, L05 60, L07 40 → 35; June L10 45; May (L08) none
    # period (won in): March L02 20; April L01 30, L07 40 → 35; May L05 60 (with L08's 0: 30); July L10 45
    assert got == {
        "cohort": {"2026-03-01": 35.0, "2026-06-01": 45.0},
        "period": {"2026-03-01": 20.0, "2026-04-01": 35.0, "2026-05-01": 60.0, "2026-07-01": 45.0},
    }
    for basis, values in got.items():
        for month, value in values.items():
            assert kpi(query, "days_created_to_won", month, basis=basis)[2] == pytest.approx(value)
    assert kpi(query, "days_created_to_won", "2026-05-01") is None


def test_days_from_first_contact_to_mql(query):
    # created → CRM MQL (days): L01 1, L02 0, L03 7, L04 1.5, L05 2, L06 1, L07 3, L08 0, L09 4,
    # L10 5, L11 1, L12 2. Sorted 0 0 1 1 1 1.5 2 2 3 4 5 7: median (1.5 + 2) / 2 = 1.75;
    # p75 at position 8.25 → 3 + 0.25 × 1 = 3.25; p90 at 9.9 → 4 + 0.9 × 1 = 4.9
    assert query(
        """select lead_count, median_days, p75_days, p90_days from marts.stage_velocity
           where segment = 'all' and cohort_month is null and from_stage = 'lead' and to_stage = 'mql'"""
    ) == [(12, 1.75, pytest.approx(3.25), pytest.approx(4.9))]
    # March cohort: L01 1, L02 0, L03 7, L05 2, L07 3 → median 2
    assert kpi(query, "days_created_to_mql", "2026-03-01") == (None, 5.0, 2.0)


def test_comparison_marts_show_the_score_never_agreed_with_the_crm(query):
    rows = query(
        """select agreement, band_at_crm_mql, score_at_crm_mql, score_mql_at, hours_score_after_crm,
                  lifecycle_mql_entered_by, count(*)
           from marts.lead_mql_comparison group by all"""
    )
    assert rows == [("crm_only", "nurture", 0, None, None, "crm_mql", 12)]
    assert query(
        "select crm_mql_at from marts.lead_mql_comparison c join marts.leads l using (lead_id) order by l.source_lead_ids"
    ) == [(mql_at,) for _, _, _, mql_at, _ in LEADS]
    matrix = query(
        """select band_at_crm_mql, has_crm_mql, has_score_mql, agreement, lead_count, share_of_leads, share_of_crm_mqls
           from marts.mql_agreement_matrix order by band_order, has_score_mql desc"""
    )
    assert matrix == [
        ("hot", True, True, "both", 0, 0.0, 0.0),
        ("hot", True, False, "crm_only", 0, 0.0, 0.0),
        ("mql", True, True, "both", 0, 0.0, 0.0),
        ("mql", True, False, "crm_only", 0, 0.0, 0.0),
        ("warm", True, True, "both", 0, 0.0, 0.0),
        ("warm", True, False, "crm_only", 0, 0.0, 0.0),
        ("nurture", True, True, "both", 0, 0.0, 0.0),
        ("nurture", True, False, "crm_only", 12, 1.0, 1.0),
        ("none", False, True, "score_only", 0, 0.0, None),
        ("none", False, False, "neither", 0, 0.0, None),
    ]


def test_the_velocity_page_leaves_out_of_order_stages_out_as_the_mart_does(query, warehouse):
    """The Velocity page's own query (used when its filters go beyond marts.stage_velocity's
    slices) counts the steps the mart counts: L08's opportunity and won, both applied at its
    creation from a deal won before first contact, bound no 0-day "Opportunity → Closed"."""
    from dashboards.data import execute
    from dashboards.queries import velocity
    from dashboards.queries.common import Filters

    def q(sql, params=()):
        return execute(warehouse, sql, list(params))

    page = velocity.velocity_summary(q, Filters(), "leads").set_index("step")
    mart = velocity.velocity_summary(q, Filters(), "stage_velocity").set_index("step")
    mart = mart[mart.index.isin(velocity.VELOCITY_STEP_NAMES)]
    assert list(page.index) == list(mart.index)
    assert list(page["lead_count"]) == list(mart["lead_count"])
    assert list(page["median_days"]) == pytest.approx(list(mart["median_days"]), abs=1e-9)
    # the fixture has such a step: without the flags it would count one more
    in_any_order = query(
        "select count(*) from marts.leads where opportunity_at is not null "
        "and coalesce(won_at, lost_at) >= opportunity_at"
    )[0][0]
    assert page.loc["Opportunity → Closed", "lead_count"] == in_any_order - 1
