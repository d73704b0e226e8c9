"""Row-level faults of issue 9, through the real staging models: numbers, dates, emails,
duplicate versions, and the data-quality guards that fail a build before publishing.

One small landing per module, built with the staging and quality models only (the rest of the
DAG does not read these columns differently), so every figure below is checked by hand."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.build import dbt_build_args, run_build, run_dbt
from leadwarehouse.ingest import ingest_landing
from leadwarehouse.landing import write_landing
from tests.builds import at_fixed_path, data_quality_warns

pytestmark = pytest.mark.dbt

AS_OF = "2026-11-01 00:00:00"
# models, seeds and data tests (dbt's unit tests run once, on the tiny CRM)
BUILD = dbt_build_args("build", "+data_quality_summary +int_leads_resolved")
# the guard's scenarios: the same models and the guard's own data test only (the other 353 data
# tests of these models run on the faulty landing above and on the tiny CRM)
GUARD = "data_quality_thresholds_hold"
GUARD_BUILD = ["build", "--exclude", "resource_type:unit_test", "--indirect-selection", "empty"]
GUARD_BUILD += ["--select", f"+data_quality_summary +int_leads_resolved {GUARD}"]


def lead(lead_id: str, email: str | None = None, created_at: str = "2026-10-01T09:00:00Z", **extra) -> dict:
    return {"lead_id": lead_id, "email": email, "created_at": created_at, "lead_source": "web_form", **extra}


def account(account_id: str, employee_count: str | None = "250", annual_revenue: str | None = None) -> dict:
    return {"account_id": account_id, "employee_count": employee_count, "annual_revenue": annual_revenue}


ROWS = {
    "leads": [
        lead("L1", "jane@acme.com"),
        # a zero-width space and full-width letters: the same person as L1
        lead("L2", "ja\u200bne@acme.com", "2026-10-02T09:00:00Z"),
        lead("L3", "\uff4a\uff41\uff4e\uff45@acme.com", "2026-10-03T09:00:00Z"),
        # a 1900 placeholder date is not a creation time
        lead("L4", "old@acme.com", "1900-01-01T00:00:00Z"),
        # two versions of L5: the later updated_at wins wherever it sits in the file
        lead("L5", "v2@acme.com", updated_at="2026-10-05T00:00:00Z", title="CTO"),
        lead("L5", "v1@acme.com", updated_at="2026-10-04T00:00:00Z", title="Intern"),
        # no email at all: the person is keyed by the CRM id
        lead("L6", None),
        lead("L7", None, lead_source="Organic Search"),
    ],
    "accounts": [
        account("a1", "250.0"),
        account("a2", "NaN"),
        account("a3", "inf"),
        account("a4", "3000000000"),
        account("a5", "120", "1e308"),
        account("a6", "120", "12700,50"),
        account("a7", "120", "1,270,050.50"),
        account("a8", "120", "-inf"),
    ],
    "opportunities": [
        {
            "opportunity_id": "o1",
            "lead_id": "L1",
            "stage": "Closed Won",
            "amount": "NaN",
            "closed_at": "2026-10-20",
        },
        {"opportunity_id": "o2", "lead_id": "L1", "stage": "Closed Won", "closed_at": "2026-10-21T10:00:00Z"},
    ],
}


def _build(
    landing: Path, warehouse: Path, check: bool = True, args: list[str] = BUILD
) -> subprocess.CompletedProcess | None:
    with at_fixed_path(warehouse) as path:
        ingest_landing(landing, path)
        try:
            run_dbt(args, path, AS_OF, quiet=True)
        except subprocess.CalledProcessError as exc:
            if check:
                raise
            return exc
    return None


def _run_build(landing: Path, warehouse: Path) -> None:
    """The real path (lock, recorded build, last good counts), at the fixture build path."""
    with at_fixed_path(warehouse) as path:
        run_build(landing, path, GUARD_BUILD, as_of=AS_OF)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    landing = write_landing(tmp_path_factory.mktemp("faults_landing"), ROWS)
    path = tmp_path_factory.mktemp("faults_wh") / "build.duckdb"
    with data_quality_warns():  # bad on purpose
        _build(landing, path)
    return path


def q(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_numbers_reject_nan_infinity_out_of_range_and_decimal_commas(warehouse):
    reasons = dict(q(warehouse, "select account_id, quarantine_reason from staging.base_crm__accounts"))
    assert reasons == {
        "a1": None,
        "a2": "invalid_employee_count",
        "a3": "invalid_employee_count",
        "a4": "invalid_employee_count",
        "a5": "invalid_number",
        "a6": "invalid_number",
        "a7": None,
        "a8": "invalid_number",
    }
    assert q(
        warehouse,
        "select account_id, employee_count, annual_revenue from staging.stg_crm__accounts order by 1",
    ) == [
        ("a1", 250, None),
        ("a7", 120, 1270050.5),
    ]
    assert q(
        warehouse, "select quarantine_reason from staging.base_crm__opportunities where opportunity_id = 'o1'"
    ) == [("invalid_number",)]


def test_placeholder_dates_are_quarantined_as_implausible(warehouse):
    assert q(
        warehouse, "select quarantine_reason from staging.base_crm__leads where source_lead_id = 'L4'"
    ) == [("implausible_timestamp",)]


def test_invisible_and_full_width_characters_do_not_make_a_second_person(warehouse):
    rows = q(
        warehouse,
        "select email, source_lead_ids from intermediate.int_leads_resolved where email = 'jane@acme.com'",
    )
    assert rows == [("jane@acme.com", "L1,L2,L3")]


def test_the_latest_version_of_a_duplicate_id_wins_and_the_other_is_traceable(warehouse):
    assert q(warehouse, "select email, title from staging.stg_crm__leads where source_lead_id = 'L5'") == [
        ("v2@acme.com", "CTO")
    ]
    assert q(
        warehouse,
        "select record_id, quarantine_reason, source_row from marts.quarantined_rows where record_id = 'L5'",
    ) == [("L5", "superseded_version", 6)]


def test_leads_without_email_are_people_keyed_by_their_crm_id(warehouse):
    rows = q(
        warehouse,
        "select source_lead_ids, email, lead_source from intermediate.int_leads_resolved "
        "where source_lead_ids in ('L6', 'L7') order by 1",
    )
    assert rows == [("L6", None, "web_form"), ("L7", None, "organic_search")]


def test_opportunity_without_created_at_is_placed_at_its_close(warehouse):
    assert q(
        warehouse,
        "select created_at, is_created_at_inferred, stage, amount from staging.stg_crm__opportunities",
    ) == [(datetime(2026, 10, 21, 10), True, "closed_won", None)]


def test_the_summary_counts_every_table(warehouse):
    rows = dict(
        (t, (raw, staged, quarantined, status))
        for t, raw, staged, quarantined, status in q(
            warehouse,
            "select source_table, raw_rows, staged_rows, quarantined_rows, status from marts.data_quality_summary",
        )
    )
    assert rows["leads"] == (8, 6, 2, "fail")  # L4 implausible, L5's older version
    assert rows["accounts"] == (8, 2, 6, "fail")
    assert rows["opportunities"] == (2, 1, 1, "fail")


def _leads_landing(path: Path, n: int) -> Path:
    return write_landing(path, {"leads": [lead(f"G{i}", f"g{i}@acme.com") for i in range(n)]})


def test_a_header_only_leads_file_fails_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_DATA_QUALITY_SEVERITY", "error")
    landing = write_landing(tmp_path / "landing", {"leads": []})
    failed = _build(landing, tmp_path / "wh.duckdb", check=False, args=GUARD_BUILD)
    assert failed is not None
    assert GUARD in failed.stdout
    assert q(
        tmp_path / "wh.duckdb",
        "select status, failed_checks from marts.data_quality_summary where source_table = 'leads'",
    ) == [("fail", "fewer rows than min_rows; ")]


def test_losing_more_than_half_the_rows_since_the_last_good_build_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_DATA_QUALITY_SEVERITY", "error")
    # the real path: a successful build records its row counts, the next build is compared
    warehouse = tmp_path / "wh.duckdb"
    _run_build(_leads_landing(tmp_path / "ten", 10), warehouse)
    assert q(
        warehouse,
        "select source_table, input_rows from meta.last_good_input_counts where source_table = 'leads'",
    ) == [("leads", 10)]
    with pytest.raises(subprocess.CalledProcessError):
        _run_build(_leads_landing(tmp_path / "four", 4), warehouse)
    assert q(
        warehouse,
        "select previous_raw_rows, drop_share, status from marts.data_quality_summary where source_table = 'leads'",
    ) == [(10, 0.6, "fail")]
    assert q(warehouse, "select status from meta.build_runs order by started_at desc limit 1") == [
        ("failed",)
    ]
    # a 40 % drop against the last good build (still the 10-lead one) is within the 50 % default
    _run_build(_leads_landing(tmp_path / "six", 6), warehouse)
