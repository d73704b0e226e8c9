"""Re-qualification on a firmographic change, on a variant of the tiny CRM.

Recycled Carl (account a3: manufacturing, 3,000 employees, EMEA; back in nurture on Sep 8) is
submitted again twice: on Sep 9 at the same account (no change: nothing happens) and on Sep 10
at account a1 (software, 500 employees, North America: another industry, region and segment).
The Sep 10 record moves him back to MQL with reason `firmographic_change`; the nurture email
opens of Sep 15–22, which re-qualify him in the plain tiny CRM, then find him in MQL already.
"""

from __future__ import annotations

import copy
from datetime import datetime

import duckdb
import pytest

from leadwarehouse.landing import write_landing
from tests.builds import build_fixture_warehouse, data_quality_warns
from tests.tiny_crm import AS_OF, tiny_crm_rows

pytestmark = pytest.mark.dbt

CARL = "carl@globex.com"


def carl_resubmitted(record_id: str, account_id: str, company: str, created_at: datetime) -> dict:
    original = next(row for row in tiny_crm_rows()["leads"] if row["lead_id"] == "L4")
    return {
        **copy.deepcopy(original),
        "lead_id": record_id,
        "email": " Carl@Globex.com",  # the same person after normalization
        "account_id": account_id,
        "company_name": company,
        "created_at": created_at,
    }


@pytest.fixture(scope="module")
def query(tmp_path_factory):
    rows = tiny_crm_rows()
    rows["leads"] += [
        carl_resubmitted("L4-same", "a3", "Globex", datetime(2026, 9, 9, 9)),
        carl_resubmitted("L4-moved", "a1", "Acme", datetime(2026, 9, 10, 9)),
    ]
    base = tmp_path_factory.mktemp("firmographic")
    warehouse = base / "build.duckdb"
    with data_quality_warns():  # a variant of the tiny CRM, bad on purpose
        build_fixture_warehouse(write_landing(base / "landing", rows), warehouse, as_of=AS_OF)

    def run(sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run


def test_a_later_record_at_another_kind_of_account_requalifies_a_recycled_lead(query):
    history = query(
        """select stage, entered_at, entered_by, reason_code, trigger_source_id
           from marts.lead_stage_history h join marts.leads l using (lead_id)
           where l.email = ? and h.entered_at >= '2026-06-10' order by stage_sequence""",
        [CARL],
    )
    assert history == [
        ("recycled", datetime(2026, 6, 10, 9), "sdr_reject_recycle", "timing", history[0][4]),
        ("nurture", datetime(2026, 9, 8, 9), "recycle_date_reached", "timing", history[1][4]),
        # Sep 9 (same account) changes nothing; Sep 10 (another industry, region, segment) does
        ("mql", datetime(2026, 9, 10, 9), "requalified", "firmographic_change", "L4-moved"),
    ]


def test_recycling_mart_names_the_firmographic_trigger(query):
    assert query(
        """select requalified_at, requalified_by, requalification_trigger
           from marts.lead_recycling r join marts.leads l using (lead_id) where l.email = ?""",
        [CARL],
    ) == [(datetime(2026, 9, 10, 9), "requalified", "firmographic_change")]


def test_all_three_records_are_merged_into_one_lead(query):
    (merged,) = query("select source_lead_ids from marts.leads where email = ?", [CARL])[0]
    assert sorted(merged.split(",") if isinstance(merged, str) else merged) == ["L4", "L4-moved", "L4-same"]
