"""One CRM, three source shapes, the same marts.

The synthetic CRM (fixed seed and as_of) is built three ways: as contract landing files through
leadwarehouse.build.build_warehouse, and as the tables a Fivetran Salesforce / HubSpot connector
writes, loaded by leadwarehouse.connectors and built with source_shape salesforce / hubspot (the
adapter models in models/staging/salesforce and models/staging/hubspot). Every public mart must
come out identical, row for row. The three builds run side by side, once per module.

Then a few rows written by hand in each connector's column names (a soft-deleted row, a converted
Salesforce lead with its contact, a HubSpot contact with MQL and SQL dates, …) go through the
adapter and staging, and the values are checked by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from leadwarehouse import incremental_check
from leadwarehouse.build import run_dbt
from leadwarehouse.connectors import ConnectorError, load_connector_landing
from leadwarehouse.connectors import main as connectors_main
from leadwarehouse.generator import generate
from leadwarehouse.generator.shapes import convert_landing
from scripts.compare_warehouses import compare
from tests.builds import at_fixed_path, build_fixture_warehouse, shape_dbt_dirs

LEADS, SEED = 1500, 7
AS_OF = "2026-11-01 00:00:00"
PUBLIC_MARTS = (
    "marts.leads",
    "marts.lead_score_changes",
    "marts.lead_stage_history",
    "marts.lead_sla",
    "marts.lead_pipeline_now",
    "marts.kpi_ladder",
    "marts.funnel_conversion",
    "marts.stage_velocity",
    "marts.time_in_stage",
    "exports.export_lead_scores_v1",
)
# Columns that list or count the CRM's own records of a person. Salesforce holds a converted lead
# twice (the lead and the contact it became), so these legitimately differ; test_salesforce_
# record_lists checks they differ by exactly the conversion contacts. HubSpot: no exception.
RECORD_LIST_COLUMNS = {
    "marts.leads": ("source_record_count", "source_lead_ids"),
    "exports.export_lead_scores_v1": ("crm_lead_ids",),
}


def adapter_build(shape: str) -> list[str]:
    """Models and seeds, and the data tests of the adapter folder only (unique stg keys, one row
    per source row, ...): selected by path, no test reached through its parents."""
    return [
        "build",
        "--select",
        "resource_type:model",
        "resource_type:seed",
        f"path:models/staging/{shape}",
        "--exclude",
        "resource_type:unit_test",
        "--indirect-selection",
        "empty",
    ]


def _connector_build(shape: str, landing: Path, base: Path) -> Path:
    # the real path: python -m leadwarehouse.build --shape <shape> (lock, connector loader, dbt in
    # that shape, the build recorded so publish accepts it); each shape has its own dbt target
    # folder and fixed build path (tests/builds.py), so the three builds run side by side. The
    # build's manifest and results are kept for test_adapter_data_tests_pass (later dbt runs in
    # this shape's target folder replace them).
    warehouse = base / "build.duckdb"
    build_fixture_warehouse(
        landing, warehouse, as_of=AS_OF, dbt_args=adapter_build(shape), shape=shape, artifacts=True
    )
    target = Path(shape_dbt_dirs(shape)[1])
    for artifact in ("manifest.json", "run_results.json"):
        shutil.copy(target / artifact, base / artifact)
    return warehouse


def _contract_build(landing: Path, base: Path) -> Path:
    warehouse = base / "build.duckdb"
    build_fixture_warehouse(landing, warehouse, as_of=AS_OF)
    return warehouse


@pytest.fixture(scope="module")
def landings(tmp_path_factory) -> dict[str, Path]:
    """The synthetic CRM once, then written in each shape."""
    base = tmp_path_factory.mktemp("shapes")
    generate(base / "generated", LEADS, seed=SEED, as_of=AS_OF.replace(" ", "T") + "Z")
    out = {}
    for shape in ("contract", "salesforce", "hubspot"):
        out[shape] = base / shape
        convert_landing(base / "generated", out[shape], shape, as_of=AS_OF)
    return out


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory, landings) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("shape_builds")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEAD_SOURCE_SHAPE", "contract")  # the connector builds pass their shape
        mp.setenv("LEAD_DATA_QUALITY_SEVERITY", "warn")
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = {
                "contract": pool.submit(_contract_build, landings["contract"], base / "contract"),
                **{
                    shape: pool.submit(_connector_build, shape, landings[shape], base / shape)
                    for shape in ("salesforce", "hubspot")
                },
            }
            return {shape: f.result() for shape, f in futures.items()}


def _connect(*warehouses: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, path in zip(("a", "b"), warehouses, strict=False):
        con.execute(f"attach '{path}' as {name} (read_only)")
    return con


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, name],
    ).fetchall()


def _comparable(columns: list[tuple[str, str]], skip: tuple[str, ...] = ()) -> str:
    # floats rounded below the contracts' precision (scores have one decimal, rates are ratios)
    return ", ".join(
        f"round({c}, 6) as {c}" if t in ("DOUBLE", "FLOAT", "REAL") else c
        for c, t in columns
        if c not in skip
    )


@pytest.mark.parametrize("shape", ["salesforce", "hubspot"])
@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_marts_are_identical(warehouses, shape, mart):
    con = _connect(warehouses["contract"], warehouses[shape])
    try:
        columns = _columns(con, "a", mart)
        assert columns, f"{mart} missing in the contract build"
        assert _columns(con, "b", mart) == columns, f"{mart}: columns differ in the {shape} build"
        skip = RECORD_LIST_COLUMNS.get(mart, ()) if shape == "salesforce" else ()
        cols = _comparable(columns, skip)
        rows = {w: con.execute(f"select count(*) from {w}.{mart}").fetchone()[0] for w in ("a", "b")}
        assert rows["a"] > 0, f"{mart} is empty"
        only = {
            side: con.execute(
                f"select {cols} from {x}.{mart} except all select {cols} from {y}.{mart} order by all limit 5"
            ).fetchall()
            for side, x, y in (("contract", "a", "b"), (shape, "b", "a"))
        }
        assert rows["a"] == rows["b"] and not only["contract"] and not only[shape], (
            f"{mart}: {rows['a']} rows (contract) vs {rows['b']} ({shape}); "
            f"only in contract: {only['contract']}; only in {shape}: {only[shape]}"
        )
    finally:
        con.close()


def test_salesforce_record_lists(warehouses):
    """A converted Salesforce lead is two CRM records (lead + contact): the record lists differ
    from the contract build by exactly the contact ids (003…)."""
    con = _connect(warehouses["contract"], warehouses["salesforce"])
    try:
        contact_ids = "list_filter(string_split({}, ','), lambda x: starts_with(x, '003'))"
        other_ids = (
            "array_to_string(list_filter(string_split({}, ','), lambda x: not starts_with(x, '003')), ',')"
        )
        diff = con.execute(
            f"""
            select a.lead_id, a.source_record_count, b.source_record_count, a.source_lead_ids, b.source_lead_ids
            from a.marts.leads as a
            inner join b.marts.leads as b on a.lead_id = b.lead_id
            where a.source_lead_ids is distinct from {other_ids.format("b.source_lead_ids")}
                or b.source_record_count - a.source_record_count != len({contact_ids.format("b.source_lead_ids")})
            union all
            select a.lead_id, null, null, a.crm_lead_ids, b.crm_lead_ids
            from a.exports.export_lead_scores_v1 as a
            inner join b.exports.export_lead_scores_v1 as b on a.lead_id = b.lead_id
            where a.crm_lead_ids is distinct from {other_ids.format("b.crm_lead_ids")}
            limit 5
            """
        ).fetchall()
        assert not diff
        contacts = con.execute(
            f"select count(*) from b.marts.leads where len({contact_ids.format('source_lead_ids')}) > 0"
        ).fetchone()[0]
        assert contacts > 50  # the parity CRM converts every lead record with an opportunity
    finally:
        con.close()


@pytest.mark.parametrize("shape", ["salesforce", "hubspot"])
def test_row_counts_account_for_every_connector_row(warehouses, shape):
    con = duckdb.connect(str(warehouses[shape]), read_only=True)
    try:
        rows = con.execute(
            f"select contract_table, connector_table, connector_rows, soft_deleted_rows, delivered_rows "
            f"from staging.{shape}_as_contract__row_counts"
        ).fetchall()
        by_table = {(r[0], r[1]): r[2:] for r in rows}
        lead_table = "salesforce.lead" if shape == "salesforce" else "hubspot.contact"
        connector_rows, deleted, delivered = by_table[("leads", lead_table)]
        assert connector_rows > 1000 and deleted == 0 and delivered == connector_rows
        staged_leads = con.execute(f"select count(*) from staging.{shape}_as_contract__leads").fetchone()[0]
        assert staged_leads == sum(r[2] for k, r in by_table.items() if k[0] == "leads" and r[2] is not None)
        raw_events = by_table[("marketing_events", "contract.marketing_events")]
        assert raw_events[0] > 0 and raw_events[1] == 0
        assert raw_events[2] == raw_events[0]  # the generated file holds only what the connector lacks
        if shape == "hubspot":
            for table in ("email_event", "contact_form_submission", "engagement_email"):
                assert by_table[("marketing_events", f"hubspot.{table}")][2] > 0
    finally:
        con.close()


@pytest.mark.parametrize("shape", ["salesforce", "hubspot"])
def test_adapter_data_tests_pass(warehouses, shape):
    """Every dbt data test of the adapter folder (unique stg keys, one row per source row, …) ran
    in the shape's build and passed (a failing one also fails that build)."""
    folder = warehouses[shape].parent
    nodes = json.loads((folder / "manifest.json").read_text())["nodes"]
    adapter_tests = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test"
        and node["original_file_path"].startswith(f"models/staging/{shape}/")
    }
    results = json.loads((folder / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("test.")}
    assert len(adapter_tests) >= 20, f"{shape}: {len(adapter_tests)} adapter data tests in the manifest"
    assert set(ran) == adapter_tests, f"{shape}: tests run {sorted(set(ran) ^ adapter_tests)[:5]} differ"
    assert {status for status in ran.values()} == {"pass"}, {k: v for k, v in ran.items() if v != "pass"}


# ---- hand-made connector rows ----------------------------------------------------------------


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _write(landing: Path, table: str, rows: list[dict], types: dict[str, pa.DataType] | None = None) -> None:
    names = list(dict.fromkeys(k for r in rows for k in r))
    types = types or {}
    arrays = []
    for name in names:
        values = [r.get(name) for r in rows]
        typ = types.get(name)
        if typ is None:
            sample = next((v for v in values if v is not None), "")
            typ = (
                pa.timestamp("us")
                if isinstance(sample, dt.datetime)
                else pa.date32()
                if isinstance(sample, dt.date)
                else pa.bool_()
                if isinstance(sample, bool)
                else pa.float64()
                if isinstance(sample, float)
                else pa.int64()
                if isinstance(sample, int)
                else pa.string()
            )
        arrays.append(pa.array(values, type=typ))
    pq.write_table(pa.Table.from_arrays(arrays, names=names), landing / f"{table}.parquet")


def _salesforce_rows() -> dict[str, list[dict]]:
    sdr, ae, queue = "005000000000001AAA", "005000000000002AAA", "00G000000000001AAA"
    lead_1, lead_2, lead_3 = "00Q000000000001AAA", "00Q000000000002AAA", "00Q000000000003AAA"
    contact_1, contact_2 = "003000000000001AAA", "003000000000002AAA"
    account, opp_1, opp_2 = "001000000000001AAA", "006000000000001AAA", "006000000000002AAA"
    base = dict(is_deleted=False, has_opted_out_of_email=False, is_converted=False)
    # fmt: off
    return {
        "lead": [
            # converted into contact_1 and opp_1
            base | dict(id=lead_1, created_date=_ts("2026-03-01 09:00"), last_modified_date=_ts("2026-03-05 14:00"),
                        email="Ada.Lovelace@Analytical.io", first_name="Ada", last_name="Lovelace",
                        title="VP Engineering", company="Analytical Engines", country_code="GB", lead_source="Web",
                        status="Closed - Converted", owner_id=sdr, is_converted=True,
                        converted_date=dt.date(2026, 3, 5), converted_contact_id=contact_1,
                        converted_account_id=account, converted_opportunity_id=opp_1),
            # owned by a queue, opted out, a campaign member
            base | dict(id=lead_2, created_date=_ts("2026-03-02 10:30"), email="charles@babbage.org",
                        company="Difference Engines", country="United Kingdom", lead_source="Purchased List",
                        status="Working - Contacted", owner_id=queue, has_opted_out_of_email=True),
            # soft-deleted
            base | dict(id=lead_3, created_date=_ts("2026-03-03 11:00"), email="deleted@example.com",
                        lead_source="Web", owner_id=sdr, is_deleted=True),
        ],
        "contact": [
            dict(id=contact_1, is_deleted=False, created_date=_ts("2026-03-05 14:00"),
                 email="Ada.Lovelace@Analytical.io", first_name="Ada", last_name="Lovelace", title="VP Engineering",
                 account_id=account, lead_source="Web", owner_id=ae, has_opted_out_of_email=False,
                 mailing_country_code="GB"),
            dict(id=contact_2, is_deleted=False, created_date=_ts("2026-03-10 16:00"), email="grace@navy.mil",
                 account_id=account, lead_source="Partner Referral", owner_id=ae, has_opted_out_of_email=False,
                 mailing_country_code="US"),
        ],
        "account": [
            dict(id=account, is_deleted=False, name="Analytical Engines Ltd", website="https://www.analytical.io/about",
                 industry="Software", number_of_employees=250, annual_revenue=1.5e7, billing_country_code="GB",
                 region__c="emea", tech_stack__c="salesforce;snowflake"),
        ],
        "opportunity": [
            dict(id=opp_1, is_deleted=False, account_id=account, owner_id=ae, created_date=_ts("2026-03-05 14:00"),
                 stage_name="Closed Won", amount=12000.0, close_date=dt.date(2026, 4, 1), is_closed=True, is_won=True),
            dict(id=opp_2, is_deleted=False, account_id=account, owner_id=ae, created_date=_ts("2026-03-12 09:00"),
                 stage_name="Qualification", amount=8000.0, close_date=dt.date(2026, 6, 30), is_closed=False,
                 is_won=False),
        ],
        "opportunity_field_history": [
            dict(id="00k000000000001AAA", opportunity_id=opp_1, field="StageName", old_value="Negotiation/Review",
                 new_value="Closed Won", created_date=_ts("2026-04-01 16:30"), is_deleted=False),
        ],
        "opportunity_contact_role": [
            dict(id="00K000000000001AAA", opportunity_id=opp_2, contact_id=contact_2, is_primary=True,
                 is_deleted=False),
        ],
        "lead_history": [
            dict(id="017000000000001AAA", lead_id=lead_1, field="Owner", new_value=sdr,
                 created_date=_ts("2026-03-01 09:05")),
            dict(id="017000000000002AAA", lead_id=lead_1, field="Status", new_value="Working - Contacted",
                 created_date=_ts("2026-03-02 08:00")),
            dict(id="017000000000003AAA", lead_id=lead_1, field="Status", new_value="Closed - Converted",
                 created_date=_ts("2026-03-05 14:00")),
            dict(id="017000000000004AAA", lead_id=lead_1, field="leadConverted", created_date=_ts("2026-03-05 14:00")),
            dict(id="017000000000005AAA", lead_id=lead_2, field="Status", new_value="Working - Contacted",
                 created_date=_ts("2026-03-03 11:00")),
        ],
        "task": [
            dict(id="00T000000000001AAA", who_id=lead_1, owner_id=sdr, type="Call", task_subtype="Call",
                 completed_date_time=_ts("2026-03-02 08:00"), created_date=_ts("2026-03-02 08:01"), is_deleted=False),
            dict(id="00T000000000002AAA", who_id=lead_2, owner_id=sdr, type="SDR Rejected", task_subtype="Task",
                 reason_code__c="no_budget", created_date=_ts("2026-03-04 12:00"), is_deleted=False),
            # about an account only: no lead activity
            dict(id="00T000000000003AAA", who_id=None, owner_id=ae, type="Other", task_subtype="Task",
                 created_date=_ts("2026-03-04 13:00"), is_deleted=False),
        ],
        "event": [
            dict(id="00U000000000001AAA", who_id=contact_1, owner_id=ae, start_date_time=_ts("2026-03-06 15:00"),
                 is_deleted=False),
        ],
        "campaign": [dict(id="701000000000001AAA", name="Spring webinar", type="Webinar", is_deleted=False)],
        "campaign_member": [
            dict(id="00v000000000001AAA", campaign_id="701000000000001AAA", lead_id=lead_2,
                 created_date=_ts("2026-03-02 10:30"), is_deleted=False),
        ],
        "user": [
            dict(id=sdr, name="Sam Dev", is_active=True, user_role_id="00E000000000001AAA"),
            dict(id=ae, name="Alex Exec", is_active=True, user_role_id="00E000000000002AAA"),
        ],
        "user_role": [
            dict(id="00E000000000001AAA", name="Sales Development Representative"),
            dict(id="00E000000000002AAA", name="Account Executive"),
        ],
    }
    # fmt: on


def _hubspot_rows() -> dict[str, list[dict]]:
    # fmt: off
    return {
        "contact": [
            dict(id=101, _fivetran_deleted=False, property_email="grace@hopper.io", property_firstname="Grace",
                 property_lastname="Hopper", property_jobtitle="Director of Data", property_company="Hopper Inc",
                 property_country="US", property_associatedcompanyid=9001, property_hs_analytics_source="PAID_SEARCH",
                 property_createdate=_ts("2026-02-01 12:00"), property_hs_email_optout=False,
                 property_hubspot_owner_id=501, property_hubspot_owner_assigneddate=_ts("2026-02-10 09:05"),
                 property_hs_lifecyclestage_lead_date=_ts("2026-02-01 12:00"),
                 property_hs_lifecyclestage_marketingqualifiedlead_date=_ts("2026-02-10 09:00"),
                 property_hs_lifecyclestage_salesqualifiedlead_date=_ts("2026-02-15 10:00")),
            dict(id=102, _fivetran_deleted=True, property_email="gone@example.com",
                 property_createdate=_ts("2026-02-02 08:00")),
            dict(id=103, _fivetran_deleted=False, property_email="ken@thompson.dev",
                 property_hs_analytics_source="ORGANIC_SEARCH", property_createdate=_ts("2026-02-03 16:20")),
        ],
        "company": [
            dict(id=9001, is_deleted=False, property_name="Hopper Inc", property_domain="hopper.io",
                 property_numberofemployees=500, property_web_technologies="salesforce;snowflake"),
        ],
        "deal": [
            dict(deal_id=7001, is_deleted=False, deal_pipeline_id="default", deal_pipeline_stage_id="closedwon",
                 owner_id=502, property_amount=25000.0, property_closedate=_ts("2026-03-01 17:00"),
                 property_hs_is_closed=True, property_createdate=_ts("2026-02-16 10:00")),
        ],
        "deal_pipeline_stage": [
            dict(stage_id="closedwon", pipeline_id="default", label="Closed Won", is_closed=True, closed_won=True,
                 _fivetran_deleted=False),
        ],
        "deal_contact": [dict(deal_id=7001, contact_id=101, type_id=3)],
        "deal_company": [dict(deal_id=7001, company_id=9001, type_id=5)],
        "owner": [
            dict(owner_id=501, first_name="Sam", last_name="Dev", active_user_id=61),
            dict(owner_id=502, first_name="Alex", last_name="Exec", active_user_id=62),
        ],
        "users": [dict(id=61, role_id=1, primary_team_id=11), dict(id=62, role_id=2, primary_team_id=12)],
        "role": [dict(id=1, name="Sales Development Representative"), dict(id=2, name="Account Executive")],
        "engagement": [dict(id=801, type="CALL"), dict(id=802, type="NOTE"), dict(id=803, type="NOTE"),
                       dict(id=804, type="INCOMING_EMAIL")],
        "engagement_contact": [dict(engagement_id=e, contact_id=101) for e in (801, 802, 803, 804)],
        "engagement_call": [
            dict(engagement_id=801, _fivetran_deleted=False, property_hs_timestamp=_ts("2026-02-10 10:00"),
                 property_hubspot_owner_id=501),
        ],
        "engagement_note": [
            # an SDR decision recorded as a note with the custom activity-type property
            dict(engagement_id=802, _fivetran_deleted=False, property_hs_timestamp=_ts("2026-02-11 09:00"),
                 property_hubspot_owner_id=501, property_sales_activity_type="Accepted",
                 property_hs_note_body="Good fit"),
            # a plain note: no sales activity
            dict(engagement_id=803, _fivetran_deleted=False, property_hs_timestamp=_ts("2026-02-11 09:30"),
                 property_hubspot_owner_id=501, property_hs_note_body="Left a voicemail"),
        ],
        "engagement_email": [
            dict(engagement_id=804, _fivetran_deleted=False, type="INCOMING_EMAIL",
                 property_hs_email_direction="INCOMING_EMAIL", property_hs_timestamp=_ts("2026-02-12 08:00"),
                 property_hs_email_subject="Re: pricing"),
        ],
        "email_event": [
            # the recipient spelled differently from the contact's email
            dict(id="e1", type="OPEN", created=_ts("2026-02-05 10:00"), recipient="GRACE@hopper.io ",
                 email_campaign_id=31, filtered_event=False),
            dict(id="e2", type="SENT", created=_ts("2026-02-05 09:00"), recipient="grace@hopper.io",
                 email_campaign_id=31, filtered_event=False),
            dict(id="e3", type="CLICK", created=_ts("2026-02-05 10:01"), recipient="grace@hopper.io",
                 email_campaign_id=31, filtered_event=True),
        ],
        "email_campaign": [dict(id=31, name="February newsletter")],
        "contact_form_submission": [
            dict(conversion_id="cv1", contact_id=103, form_id="f-demo", timestamp=_ts("2026-02-04 11:00"),
                 page_url="/demo", title="Book a demo"),
        ],
        "form": [dict(guid="f-demo", name="Demo Request", _fivetran_deleted=False)],
    }
    # fmt: on


def _hand_build(tmp_path: Path, shape: str, tables: dict, contract_events: list[dict] | None = None) -> Path:
    """Load hand-written connector rows and build the adapter with the staging models it feeds."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for table, rows in tables.items():
        _write(landing, table, rows)
    if contract_events:
        _write(landing, "marketing_events", contract_events)
    warehouse = tmp_path / "build.duckdb"
    selection = [f"path:models/staging/{shape}", "+int_lead_identity", "+stg_crm__lifecycle_events"]
    selection += ["+stg_marketing__marketing_events", "+stg_crm__sales_activities", "+stg_crm__opportunities"]
    args = ["build", "--select", *selection, "--exclude", "resource_type:test", "resource_type:unit_test"]
    with at_fixed_path(warehouse, shape) as path:
        load_connector_landing(shape, landing, path)
        run_dbt([*args, *shape_dbt_dirs(shape)], path, AS_OF, quiet=True, shape=shape)
    return warehouse


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_hand_made_salesforce_rows(tmp_path):
    wh = _hand_build(tmp_path, "salesforce", _salesforce_rows())
    leads = _rows(
        wh,
        "select lead_id, email, account_id, company_name, country, lead_source, campaign_id, created_at, "
        "has_marketing_consent, owner_rep_id, owner_assigned_at, merged_into_lead_id, _source_file "
        "from staging.salesforce_as_contract__leads order by lead_id",
    )
    # fmt: off
    assert leads == [
        # the contact of the conversion: no owner of its own (the lead's routing counts), no company text
        ("003000000000001AAA", "Ada.Lovelace@Analytical.io", "001000000000001AAA", None, "GB", "Web", None,
         "2026-03-05T14:00:00", "true", None, None, None, "salesforce.contact"),
        # a contact created directly: owned, assigned at creation
        ("003000000000002AAA", "grace@navy.mil", "001000000000001AAA", None, "US", "Partner Referral", None,
         "2026-03-10T16:00:00", "true", "005000000000002AAA", "2026-03-10T16:00:00", None, "salesforce.contact"),
        # the converted lead: account of the conversion, owner assigned per lead_history, merged into its contact
        ("00Q000000000001AAA", "Ada.Lovelace@Analytical.io", "001000000000001AAA", "Analytical Engines", "GB", "Web",
         None, "2026-03-01T09:00:00", "true", "005000000000001AAA", "2026-03-01T09:05:00", "003000000000001AAA",
         "salesforce.lead"),
        # owned by a queue: no rep; campaign from its membership; opted out (the deleted lead is gone)
        ("00Q000000000002AAA", "charles@babbage.org", None, "Difference Engines", "United Kingdom", "Purchased List",
         "701000000000001AAA", "2026-03-02T10:30:00", "false", None, None, None, "salesforce.lead"),
    ]
    # fmt: on
    counts = _rows(
        wh,
        "select connector_rows, soft_deleted_rows, delivered_rows from staging.salesforce_as_contract__row_counts where contract_table = 'leads' and connector_table = 'salesforce.lead'",
    )  # noqa: E501
    assert counts == [(3, 1, 2)]  # the deleted lead is excluded and counted
    assert _rows(wh, "select source_lead_id, lead_source from staging.stg_crm__leads order by 1") == [
        ("003000000000001AAA", "web_form"),
        ("003000000000002AAA", "partner"),
        ("00Q000000000001AAA", "web_form"),
        ("00Q000000000002AAA", "list_import"),
    ]
    # the converted lead and its contact are one person
    people = _rows(
        wh,
        "select count(distinct lead_id), count(*) from intermediate.int_lead_identity where email like 'ada%'",
    )
    assert people == [(1, 2)]
    accounts = _rows(
        wh,
        "select domain, country, region, tech_stack, employee_count from staging.salesforce_as_contract__accounts",
    )
    assert accounts == [("analytical.io", "GB", "emea", "salesforce;snowflake", "250")]
    opportunities = _rows(
        wh,
        "select opportunity_id, lead_id, stage, closed_at, close_date from staging.salesforce_as_contract__opportunities order by 1",
    )
    assert opportunities == [
        (
            "006000000000001AAA",
            "00Q000000000001AAA",
            "Closed Won",
            "2026-04-01T16:30:00",
            "2026-04-01",
        ),  # converted from
        (
            "006000000000002AAA",
            "003000000000002AAA",
            "Qualification",
            None,
            "2026-06-30",
        ),  # its primary contact
    ]
    assert _rows(wh, "select opportunity_id, stage from staging.stg_crm__opportunities order by 1") == [
        ("006000000000001AAA", "closed_won"),
        ("006000000000002AAA", "discovery"),
    ]
    # Status history and the conversion; the change into the converted status is the conversion, not twice
    stages = _rows(
        wh,
        "select lifecycle_event_id, source_lead_id, stage, stage_raw, occurred_at from staging.stg_crm__lifecycle_events order by 1",
    )
    # fmt: off
    assert stages == [
        ("017000000000002AAA", "00Q000000000001AAA", "sal", "Working - Contacted", dt.datetime(2026, 3, 2, 8, 0)),
        ("017000000000004AAA", "00Q000000000001AAA", "opportunity", "Converted to Opportunity",
         dt.datetime(2026, 3, 5, 14, 0)),
        ("017000000000005AAA", "00Q000000000002AAA", "sal", "Working - Contacted", dt.datetime(2026, 3, 3, 11, 0)),
    ]
    # the account-only task is no lead activity
    activities = _rows(wh, "select activity_id, lead_id, activity_type, reason_code, occurred_at, _source_file from staging.salesforce_as_contract__sales_activities order by 1")
    assert activities == [
        ("00T000000000001AAA", "00Q000000000001AAA", "Call", None, "2026-03-02T08:00:00", "salesforce.task"),
        ("00T000000000002AAA", "00Q000000000002AAA", "SDR Rejected", "no_budget", "2026-03-04T12:00:00",
         "salesforce.task"),
        ("00U000000000001AAA", "003000000000001AAA", "Meeting", None, "2026-03-06T15:00:00", "salesforce.event"),
    ]
    # fmt: on
    assert _rows(
        wh, "select activity_id, activity_type from staging.stg_crm__sales_activities order by 1"
    ) == [
        ("00T000000000001AAA", "call"),
        ("00T000000000002AAA", "reject"),
        ("00U000000000001AAA", "meeting"),
    ]
    assert _rows(wh, "select rep_id, role from staging.salesforce_as_contract__reps order by 1") == [
        ("005000000000001AAA", "Sales Development Representative"),
        ("005000000000002AAA", "Account Executive"),
    ]


def test_hand_made_hubspot_rows(tmp_path):
    # beside the connector tables: a page view (HubSpot has none) and an email open (HubSpot's to carry)
    contract_events = [
        dict(event_id="pv1", lead_id="101", event_type="page_view", page_url="/pricing", occurred_at="2026-02-06T10:00:00Z"),
        dict(event_id="eo9", lead_id="101", event_type="email_open", occurred_at="2026-02-06T11:00:00Z"),
    ]  # fmt: skip
    wh = _hand_build(tmp_path, "hubspot", _hubspot_rows(), contract_events)
    leads = _rows(
        wh,
        "select lead_id, email, account_id, lead_source, created_at, has_marketing_consent, owner_rep_id, "
        "owner_assigned_at from staging.hubspot_as_contract__leads order by 1",
    )
    # fmt: off
    assert leads == [  # contact 102 is deleted
        ("101", "grace@hopper.io", "9001", "PAID_SEARCH", "2026-02-01T12:00:00", "true", "501", "2026-02-10T09:05:00"),
        ("103", "ken@thompson.dev", None, "ORGANIC_SEARCH", "2026-02-03T16:20:00", None, None, None),
    ]
    # fmt: on
    assert _rows(wh, "select source_lead_id, lead_source from staging.stg_crm__leads order by 1") == [
        ("101", "paid_search"),
        ("103", "organic_search"),
    ]
    counts = _rows(
        wh,
        "select connector_rows, soft_deleted_rows, delivered_rows from staging.hubspot_as_contract__row_counts where contract_table = 'leads'",
    )  # noqa: E501
    assert counts == [(3, 1, 2)]
    stages = _rows(
        wh,
        "select lifecycle_event_id, stage, stage_raw, occurred_at from staging.stg_crm__lifecycle_events order by occurred_at",
    )  # noqa: E501
    assert stages == [
        ("101:lead", "lead", "lead", dt.datetime(2026, 2, 1, 12, 0)),
        ("101:marketingqualifiedlead", "mql", "marketingqualifiedlead", dt.datetime(2026, 2, 10, 9, 0)),
        ("101:salesqualifiedlead", "sql", "salesqualifiedlead", dt.datetime(2026, 2, 15, 10, 0)),
    ]
    opportunities = _rows(
        wh,
        "select opportunity_id, lead_id, account_id, stage, amount, close_date, closed_at from staging.hubspot_as_contract__opportunities",
    )  # noqa: E501
    assert opportunities == [
        ("7001", "101", "9001", "Closed Won", "25000.0", "2026-03-01", "2026-03-01T17:00:00")
    ]
    # the plain note 803 is no sales activity
    activities = _rows(
        wh,
        "select activity_id, activity_type, note from staging.hubspot_as_contract__sales_activities order by 1",
    )  # noqa: E501
    assert activities == [("801", "CALL", None), ("802", "Accepted", "Good fit")]
    assert _rows(
        wh, "select activity_id, activity_type from staging.stg_crm__sales_activities order by 1"
    ) == [
        ("801", "call"),
        ("802", "accept"),
    ]
    # SENT and filtered events are not delivered; the contract file's email open is left to HubSpot
    events = _rows(
        wh,
        "select event_id, lead_id, event_type, page_url, asset_name, occurred_at, _source_file from staging.hubspot_as_contract__marketing_events order by 1",
    )  # noqa: E501
    # fmt: off
    assert events == [
        ("804", "101", "INCOMING_EMAIL", None, "Re: pricing", "2026-02-12T08:00:00", "hubspot.engagement_email"),
        ("cv1", "103", "Demo Request", "/demo", "Book a demo", "2026-02-04T11:00:00", "hubspot.contact_form_submission"),
        ("e1", "101", "OPEN", None, "February newsletter", "2026-02-05T10:00:00", "hubspot.email_event"),
        ("pv1", "101", "page_view", "/pricing", None, "2026-02-06T10:00:00Z", "marketing_events.parquet"),
    ]
    # fmt: on
    assert _rows(
        wh, "select event_id, event_type from staging.stg_marketing__marketing_events order by 1"
    ) == [
        ("804", "email_reply"),
        ("cv1", "demo_request"),
        ("e1", "email_open"),
        ("pv1", "page_view"),
    ]
    assert _rows(
        wh, "select rep_id, rep_name, role, team_id from staging.hubspot_as_contract__reps order by 1"
    ) == [
        ("501", "Sam Dev", "Sales Development Representative", "11"),
        ("502", "Alex Exec", "Account Executive", "12"),
    ]


def test_loader_names_missing_table_and_column(tmp_path, capsys):
    landing = tmp_path / "landing"
    landing.mkdir()
    with pytest.raises(ConnectorError, match=r"salesforce table 'lead': no file"):
        load_connector_landing("salesforce", landing, tmp_path / "w.duckdb")
    _write(landing, "lead", [dict(id="00Q1", email="a@b.co")])
    warehouse = tmp_path / "w.duckdb"
    code = connectors_main(
        ["--shape", "salesforce", "--landing", str(landing), "--warehouse", str(warehouse)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "load failed:" in err and "required column 'created_date' of salesforce table 'lead'" in err
    assert "Traceback" not in err
    if warehouse.exists():  # nothing was loaded
        assert not _rows(
            warehouse, "select * from information_schema.schemata where schema_name = 'salesforce'"
        )


def test_a_connector_build_is_recorded_and_publishes(warehouses, tmp_path):
    from leadwarehouse.publish import publish

    result = publish(warehouses["salesforce"], tmp_path / "published.duckdb")
    con = duckdb.connect(str(result.path), read_only=True)
    try:
        assert con.execute("select cast(as_of as varchar) from meta.publication").fetchall() == [
            ("2026-11-01 00:00:00",)
        ]
        assert con.execute("select status from meta.build_runs").fetchall() == [("succeeded",)]
    finally:
        con.close()


def test_a_connector_shape_continues_incrementally(warehouses, landings, tmp_path):
    """A connector shape carries no batch ids: its change models fingerprint every person's records
    (and, for the lifecycle, activities) instead of naming what was delivered. A build an hour
    before as_of and then an incremental one at as_of, on the same tables, equal the module's full
    build at as_of in every staging, intermediate, mart and export table."""
    warehouse = tmp_path / "incremental.duckdb"
    landing = landings["salesforce"]
    # the first build saw another title on a lead, another industry on an account and one task
    # fewer: the incremental build finds them changed by fingerprint alone
    earlier = tmp_path / "earlier"
    shutil.copytree(landing, earlier)

    def edit(table: str, change) -> None:
        rows = pq.read_table(earlier / f"{table}.parquet")
        pq.write_table(
            pa.Table.from_pylist(change(rows.to_pylist()), schema=rows.schema), earlier / f"{table}.parquet"
        )

    edit("lead", lambda rows: [{**r, "title": "Intern"} if i == 5 else r for i, r in enumerate(rows)])
    edit(
        "account", lambda rows: [{**r, "industry": "Aerospace"} if i == 0 else r for i, r in enumerate(rows)]
    )
    edit("task", lambda rows: rows[:3] + rows[4:])
    build_fixture_warehouse(earlier, warehouse, as_of="2026-10-31 23:00:00", shape="salesforce")
    build_fixture_warehouse(landing, warehouse, as_of=AS_OF, shape="salesforce")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        crm = dict(
            con.execute(
                "select change_reason, count(*) from intermediate.int_crm_changed_leads "
                "where computed_as_of = ? group by 1",
                [AS_OF],
            ).fetchall()
        )
        persons = con.execute(
            "select count(distinct lead_id) from intermediate.int_lead_identity"
        ).fetchone()[0]
    # continued: the persons of the changed lead and account resolved again (their rows written
    # with this build's as_of), most kept (their rows are the first build's)
    assert "full" not in crm and crm.get("inputs", 0) >= 2 and sum(crm.values()) < persons, crm
    problems = [
        p
        for p in compare(
            str(warehouses["salesforce"]),
            str(warehouse),
            incremental_check.SCHEMAS,
            ignore_columns=incremental_check.IGNORED_COLUMNS,
        )
        if not p.startswith(tuple(f"{table}:" for table in incremental_check.NOT_COMPARED))
    ]
    assert problems == [], "\n".join(problems)
