"""Incremental by lead (docs/incremental.md): after a sequence of builds of one warehouse with
new, late, changed and removed records and a moving as_of, every table equals what a full build of
the same landing folder as of the same instant gives, row for row; and the incremental builds
recompute only the leads that changed."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from leadwarehouse import incremental_check
from leadwarehouse.build import (
    BUILD_RUNS_DDL,
    continues_incremental_state,
    model_code_fingerprint,
    seed_files_fingerprint,
    seeds_already_loaded,
)
from leadwarehouse.generator import generate
from scripts.compare_warehouses import compare
from tests.builds import build_fixture_warehouse

pytestmark = pytest.mark.dbt

LEADS, SEED = 400, 23
T0 = "2026-11-01 00:00:00"
# compared: everything the builds write, but the changed-leads bookkeeping itself (its reasons say
# what this build recomputed) and what describes the previous good build (the volume guard of the
# data-quality summary compares each build with it; a fresh file has none); and which ingest batch
# loaded a row (a full build loads every file in one): the nightly check's own list
IGNORED_COLUMNS = incremental_check.IGNORED_COLUMNS
LIFECYCLE = "int_lifecycle_changed_leads"
SLA = "int_sla_changed_leads"
FIT = "int_fit_changed_leads"
CRM = "int_crm_changed_leads"
ACTIVITIES = "int_sales_activity_changed_leads"
OPPORTUNITIES = "int_opportunity_changed_leads"
SCHEMAS = ["staging", "intermediate", "marts", "exports"]
NOT_COMPARED = tuple(f"{table}:" for table in incremental_check.NOT_COMPARED)


def rows(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def this_build(changes: str) -> str:
    """A change model's rows with the last build's reasons: a row an earlier build wrote (a lead the
    last build did not mark changed) has none (macros/incremental_by_lead.sql, config_change_model)."""
    last_as_of = "(select as_of from meta.build_runs order by started_at desc limit 1)"
    return (
        f"(select lead_id, case when computed_as_of = {last_as_of} then change_reason end as change_reason "
        f"from intermediate.{changes})"
    )


def loaded_seeds(warehouse) -> bool:
    """Whether the last build loaded the seeds (else it left the tables of the build before)."""
    [(command,)] = rows(warehouse, "select dbt_command from meta.build_runs order by started_at desc limit 1")
    return "--exclude-resource-type seed" not in command


def reasons(warehouse, changes: str = "int_scoring_changed_leads") -> dict[str | None, int]:
    return dict(rows(warehouse, f"select change_reason, count(*) from {this_build(changes)} group by 1"))


def restaged(warehouse, model: str = "base_marketing__restaged_events") -> dict[str, int]:
    return dict(rows(warehouse, f"select restage_reason, count(*) from staging.{model} group by 1"))


CRM_RESTAGED = (
    "base_crm__restaged_leads",
    "base_crm__restaged_sales_activities",
    "base_crm__restaged_accounts",
    "base_crm__restaged_opportunities",
)


def assert_equals_a_full_build(landing, incremental, tmp_path, as_of: str) -> None:
    full = tmp_path / "full.duckdb"
    full.unlink(missing_ok=True)
    build_fixture_warehouse(landing, full, as_of=as_of)
    problems = [
        p
        for p in compare(str(full), str(incremental), SCHEMAS, ignore_columns=IGNORED_COLUMNS)
        if not p.startswith(NOT_COMPARED)
    ]
    assert problems == [], "\n".join(problems)


def read_csv(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def write_csv(path, header: list[str], body: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(body)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("incremental") / "landing"
    generate(out, LEADS, seed=SEED, fmt="csv", as_of=T0)
    return out


def test_incremental_builds_equal_full_builds_and_recompute_only_changed_leads(landing, tmp_path):
    work = tmp_path / "landing"
    shutil.copytree(landing, work)
    warehouse = tmp_path / "incremental.duckdb"
    header, events = read_csv(work / "marketing_events" / "part-00000.csv")
    col = {name: i for i, name in enumerate(header)}
    lead_header, lead_rows = read_csv(work / "leads" / "part-00000.csv")
    lcol = {name: i for i, name in enumerate(lead_header)}

    def event(template: list[str], event_id: str, occurred_at: str, **values: str) -> list[str]:
        row = list(template)
        row[col["event_id"]], row[col["occurred_at"]] = event_id, occurred_at
        for name, value in values.items():
            row[col[name]] = value
        return row

    # staged rows that depend on more than their own raw row: an event dated after the first
    # builds' as_of (future, due three weeks later), one of a lead delivered later (orphan until
    # then), and one in a file that is later removed
    extra = [
        event(events[0], "EVFUTURE", "2026-11-10T09:00:00Z"),
        event(events[0], "EVORPHAN", "2026-10-20T09:00:00Z", lead_id="00QLATE000001"),
    ]
    write_csv(work / "marketing_events" / "part-00002.csv", header, extra)
    write_csv(
        work / "marketing_events" / "part-00003.csv",
        header,
        [event(events[0], "EVGONE", "2026-10-25T09:00:00Z")],
    )
    # sales activities that depend on more than their own row: one dated after the first builds'
    # as_of (due three weeks later), one of the lead removed later (staged until then)
    activity_header, activities = read_csv(work / "sales_activities" / "part-00000.csv")
    acts = {name: i for i, name in enumerate(activity_header)}
    future_call, removed_lead_call = list(activities[0]), list(activities[0])
    future_call[acts["activity_id"]], future_call[acts["occurred_at"]] = "00TFUTURE", "2026-11-10T09:00:00Z"
    removed_lead_call[acts["activity_id"]] = "00TREMOVEDLEAD"
    removed_lead_call[acts["lead_id"]] = lead_rows[7][lcol["lead_id"]]
    # an SDR rejection whose recycle date (30 days for no_authority) falls in the next hour: a
    # trigger stored before as_of reaches it, on a lead nothing else changes for
    recycled_record = lead_rows[30][lcol["lead_id"]]
    rejection = list(activities[0])
    rejection[acts["activity_id"]], rejection[acts["lead_id"]] = "00TREJECT", recycled_record
    rejection[acts["activity_type"]], rejection[acts["reason_code"]] = "reject", "no_authority"
    rejection[acts["occurred_at"]] = "2026-10-02T00:30:00Z"
    write_csv(
        work / "sales_activities" / "part-00001.csv",
        activity_header,
        [future_call, removed_lead_call, rejection],
    )
    # an owner assigned half an hour after the first build's as_of (assigned in the next hour)
    assigned_record = lead_rows[40][lcol["lead_id"]]
    lead_rows[40][lcol["owner_rep_id"]] = lead_rows[0][lcol["owner_rep_id"]]
    lead_rows[40][lcol["owner_assigned_at"]] = "2026-11-01T00:30:00Z"
    # a record merged into another (its person follows that record's email) but with the email of
    # a third person; the record it is merged into comes in a file of its own, removed later
    plain = [
        i
        for i, row in enumerate(lead_rows)
        if i >= 60
        and "@" in row[lcol["email"]]
        and row[lcol["created_at"]].endswith("Z")
        and not row[lcol["merged_into_lead_id"]]
    ]
    target_row, follower_row, third_row = (lead_rows[i] for i in plain[:3])
    follower_row[lcol["merged_into_lead_id"]] = target_row[lcol["lead_id"]]
    follower_row[lcol["email"]] = third_row[lcol["email"]]
    target, follower, third = (row[lcol["lead_id"]] for row in (target_row, follower_row, third_row))
    lead_rows.remove(target_row)
    write_csv(work / "leads" / "part-00004.csv", lead_header, [target_row])
    write_csv(work / "leads" / "part-00000.csv", lead_header, lead_rows)
    build_fixture_warehouse(work, warehouse, as_of=T0)
    assert loaded_seeds(warehouse)
    assert set(reasons(warehouse)) == {"full"}
    assert set(reasons(warehouse, LIFECYCLE)) == {"full"}
    assert set(reasons(warehouse, SLA)) == {"full"}
    assert set(reasons(warehouse, FIT)) == {"full"}
    assert set(reasons(warehouse, CRM)) == {"full"}
    assert restaged(warehouse) == {}
    assert all(restaged(warehouse, model) == {} for model in CRM_RESTAGED)
    assert reasons(warehouse, ACTIVITIES) == {}
    leads = sum(reasons(warehouse).values())

    def person_of(record: str) -> str:
        sql = f"select lead_id from intermediate.int_lead_records_resolved where source_lead_id = '{record}'"
        [(person,)] = rows(warehouse, sql)
        return person

    recycled_lead, assigned_lead = person_of(recycled_record), person_of(assigned_record)
    target_person = person_of(target)
    assert person_of(follower) == target_person != person_of(third)
    # the leads with a running clock at T0, and whether one of them runs on clock time (`route`)
    running_clock_time = dict(
        rows(
            warehouse,
            "select lead_id, bool_or(time_basis = 'clock') from intermediate.int_sla_instances "
            "where stopped_at is null group by lead_id",
        )
    )

    # an hour later, nothing delivered: only the leads whose expiry or decay step fell in the hour
    # and the owner assigned in it
    build_fixture_warehouse(work, warehouse, as_of="2026-11-01 01:00:00")
    assert not loaded_seeds(warehouse)  # the seed files are those the build before loaded
    hour = reasons(warehouse)
    assert set(hour) <= {None, "schedule", "inputs"} and hour.get("schedule", 0) < 0.05 * leads, hour
    # the one scoring input that changed: the owner assigned within the hour
    assert rows(
        warehouse,
        f"select lead_id from {this_build('int_scoring_changed_leads')} where change_reason = 'inputs'",
    ) == [(assigned_lead,)]
    # the lifecycle follows the leads whose trigger inputs changed (a score band that decay moved)
    # or whose stored trigger as_of reached (a recycle date)
    lifecycle_hour = reasons(warehouse, LIFECYCLE)
    assert set(lifecycle_hour) <= {None, "inputs", "schedule"}, lifecycle_hour
    assert sum(lifecycle_hour.get(reason, 0) for reason in ("inputs", "schedule")) < 0.05 * leads, (
        lifecycle_hour
    )
    assert rows(
        warehouse, f"select change_reason from {this_build(LIFECYCLE)} where lead_id = '{recycled_lead}'"
    ) == [("schedule",)]
    # the SLA clocks: the leads with a clock still running (its elapsed time moves with as_of)
    sla_hour = reasons(warehouse, SLA)
    assert "as_of" in sla_hour and set(sla_hour) <= {None, "inputs", "as_of"}, sla_hour
    assert sla_hour.get(None, 0) > 0.5 * leads, sla_hour
    # T0 is a Sunday, 00:00 UTC: no territory's business hours (seeds/calendar/business_hours.csv,
    # Monday to Friday) were open before 01:00, so a business-time clock has not moved (its elapsed
    # business time, status and state are as they were); a clock-time clock has
    moved = dict(
        rows(
            warehouse, f"select lead_id, change_reason from {this_build(SLA)} where change_reason is not null"
        )
    )
    assert {lead for lead, clock_time in running_clock_time.items() if clock_time} <= set(moved)
    business_only = {lead for lead, clock_time in running_clock_time.items() if not clock_time}
    assert len(business_only) >= 3 and not business_only & {
        lead for lead, reason in moved.items() if reason == "as_of"
    }, (business_only, moved)
    # no attribute changed but the owner (its lead's scoring inputs row is fingerprinted whole)
    assert reasons(warehouse, FIT) == {None: leads - 1, "inputs": 1}
    # no CRM record changed but the owners assigned within the hour (stg_crm__leads: an owner
    # assigned after as_of is not assigned yet)
    crm_hour = reasons(warehouse, CRM)
    assert set(crm_hour) <= {None, "inputs"} and crm_hour.get("inputs", 0) < 0.05 * leads, crm_hour
    assert rows(
        warehouse, f"select change_reason from {this_build(CRM)} where lead_id = '{assigned_lead}'"
    ) == [("inputs",)]
    assert restaged(warehouse) == {}  # no event restaged
    assert all(restaged(warehouse, model) == {} for model in CRM_RESTAGED)  # no CRM record either
    assert reasons(warehouse, ACTIVITIES) == {}  # no activity mapped again
    # a change model writes only the rows of the leads this build marked changed: every other
    # lead keeps the full build's row (config_change_model), its reason that build's
    for changes in ("int_scoring_changed_leads", LIFECYCLE, SLA, FIT, CRM):
        written, kept = rows(
            warehouse,
            "select count(*) filter (where computed_as_of = timestamp '2026-11-01 01:00:00'), "
            f"count(*) filter (where computed_as_of = timestamp '{T0}') from intermediate.{changes}",
        )[0]
        assert written == sum(n for reason, n in reasons(warehouse, changes).items() if reason), changes
        assert written + kept == leads and kept > 0.5 * leads, (changes, written, kept)
    # the kept rows that move with as_of alone (running clocks' ends, hours in the current stage,
    # leads.as_of) were brought to it
    assert_equals_a_full_build(work, warehouse, tmp_path, "2026-11-01 01:00:00")

    # an hour later an account changed and the file of the record another one was merged into is
    # removed (that record is gone; the one merged into it joins the person of its own email): the
    # persons whose records name the account, and that person, are resolved again
    (work / "leads" / "part-00004.csv").unlink()
    account_header, accounts = read_csv(work / "accounts.csv")
    acol = {name: i for i, name in enumerate(account_header)}
    account_ids = {row[acol["account_id"]] for row in accounts}
    renamed_account = next(
        row[lcol["account_id"]] for row in lead_rows[40:] if row[lcol["account_id"]] in account_ids
    )
    renamed = next(row for row in accounts if row[acol["account_id"]] == renamed_account)
    renamed[acol["industry"]] = "Aerospace"
    write_csv(work / "accounts.csv", account_header, accounts)
    build_fixture_warehouse(work, warehouse, as_of="2026-11-01 02:00:00")
    account_persons = rows(
        warehouse,
        "select distinct lead_id from intermediate.int_lead_records_resolved "
        f"where account_id = '{renamed_account}' order by 1",
    )
    third_person = person_of(third)
    assert person_of(follower) == third_person
    resolved_again = rows(
        warehouse, f"select lead_id, change_reason from {this_build(CRM)} where change_reason is not null"
    )
    assert account_persons and dict(resolved_again) == {
        **{person: "inputs" for (person,) in account_persons},
        third_person: "inputs",
        target_person: "gone",
    }, resolved_again

    # a delivery: a late event (dated before the lead's other events), a new one and a new
    # version of a staged one in a new part, the orphan event's lead, one lead's title changed
    # (fit), one lead removed, an events file removed; then three weeks pass
    first, second = events[0], events[1]
    late = list(first)
    late[col["event_id"]], late[col["event_type"]], late[col["occurred_at"]] = (
        "EVLATE",
        "pricing_page_view",
        "2025-01-01T00:00:00Z",
    )
    fresh = list(second)
    fresh[col["event_id"]], fresh[col["event_type"]], fresh[col["occurred_at"]] = (
        "EVNEW",
        "demo_request",
        "2026-11-10T12:00:00Z",
    )
    revised = event(events[2], events[2][col["event_id"]], events[2][col["occurred_at"]], page_url="/pricing")
    # ids as exports spell them: a new version of a staged event under its id padded with spaces,
    # and an event without an id (each restaged with every raw row of its key, found by the key)
    padded = event(
        events[3], f"  {events[3][col['event_id']]} ", events[3][col["occurred_at"]], page_url="/padded"
    )
    no_id = event(events[4], "", events[4][col["occurred_at"]])
    write_csv(work / "marketing_events" / "part-00001.csv", header, [late, fresh, revised, padded, no_id])
    (work / "marketing_events" / "part-00003.csv").unlink()
    lead_rows[5][lcol["title"]] = "Chief Executive Officer"
    removed = lead_rows.pop(7)[lcol["lead_id"]]
    # a person's new email address: that lead's events (staged as they were) belong to a new person
    moved = next(row for row in lead_rows if row[lcol["lead_id"]] == events[-1][col["lead_id"]])
    moved[lcol["email"]] = "moved.person@example.org"
    latecomer = list(lead_rows[0])
    latecomer[lcol["lead_id"]], latecomer[lcol["email"]] = "00QLATE000001", "late.comer@example.org"
    latecomer[lcol["created_at"]] = "2026-10-01T08:00:00Z"
    # two persons become one: a record merged into another person's record
    merged, into = lead_rows[10], lead_rows[11]
    merged[lcol["merged_into_lead_id"]] = into[lcol["lead_id"]]
    write_csv(work / "leads" / "part-00000.csv", lead_header, lead_rows)
    write_csv(work / "leads" / "part-00001.csv", lead_header, [latecomer])
    # an account grows: every lead naming it is scored on the new size (segment, fit)
    grown = next(row for row in accounts if row[acol["account_id"]] == lead_rows[0][lcol["account_id"]])
    grown[acol["employee_count"]] = "25000"
    write_csv(work / "accounts.csv", account_header, accounts)
    # a new call on a lead nothing else changed for (its person maps its activities again)
    new_call = list(activities[0])
    new_call[acts["activity_id"]], new_call[acts["lead_id"]] = "00TNEWCALL", lead_rows[20][lcol["lead_id"]]
    write_csv(work / "sales_activities" / "part-00002.csv", activity_header, [new_call])
    # a won deal's amount corrected: only the KPI facts' won amount changes
    deal_header, deals = read_csv(work / "opportunities" / "part-00000.csv")
    dcol = {name: i for i, name in enumerate(deal_header)}
    corrected = next(row for row in deals if row[dcol["stage"]] == "closed_won")
    corrected[dcol["amount"]] = str(float(corrected[dcol["amount"]]) + 1234.5)
    write_csv(work / "opportunities" / "part-00000.csv", deal_header, deals)

    # a signal-map change as the stored events see it: an event's stored signal is not the one its
    # kind maps to now (every stored event of that kind is recomputed)
    remapped = events[5][col["event_id"]]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update intermediate.int_marketing_events_resolved set signal = 'retired_signal' where event_id = ?",
            [remapped],
        )

    as_of = "2026-11-21 00:00:00"
    build_fixture_warehouse(work, warehouse, as_of=as_of)
    later = reasons(warehouse)
    # inputs: the changed title, the moved person; events: the late, new, revised, due and removed
    # events' leads (named from int_marketing_events_changed, not fingerprinted)
    assert later.get("inputs", 0) >= 1 and later.get("events", 0) >= 3, later
    assert later.get("gone", 0) >= 1 and later.get("schedule", 0) > 0, later
    assert later.get(None, 0) > 0.25 * leads, later  # many leads were not recomputed
    # the lifecycle follows every lead whose score history changed (three weeks of decay and expiry
    # change most), its other inputs' change models and its CRM lifecycle records
    lifecycle_later = reasons(warehouse, LIFECYCLE)
    assert {"inputs", "gone", "new"} <= set(lifecycle_later), lifecycle_later
    assert lifecycle_later.get(None, 0) > 0.25 * leads, lifecycle_later
    sla_later = reasons(warehouse, SLA)
    # the SLA follows the lifecycle's changed leads (three weeks of score changes) and running clocks
    assert {"inputs", "gone", "new", "as_of"} <= set(sla_later), sla_later
    assert sla_later.get(None, 0) > 0.25 * leads, sla_later
    fit_later = reasons(
        warehouse, FIT
    )  # the changed title, the moved person, the latecomer, the removed lead
    assert {"inputs", "gone", "new"} <= set(fit_later) and fit_later.get(None, 0) > 0.9 * leads, fit_later
    # CRM records resolved again: the changed title, the moved and merged persons, the account's
    # leads (inputs), the latecomer (new), the removed lead and the merged record's old person (gone)
    crm_later = reasons(warehouse, CRM)
    assert {"inputs", "gone", "new"} <= set(crm_later) and crm_later.get(None, 0) > 0.9 * leads, crm_later
    assert rows(warehouse, f"select count(*) from marts.leads where lead_id = '{removed}'") == [(0,)]
    restaged_now = restaged(warehouse)
    # the rewritten leads file (all its ids, new batch), the removed lead; the new call (delivered),
    # the future call (due), the removed lead's call (lead)
    leads_restaged, activities_restaged, accounts_restaged, deals_restaged = (
        restaged(warehouse, model) for model in CRM_RESTAGED
    )
    assert set(leads_restaged) == {"delivered", "removed"} and leads_restaged["removed"] == 1, leads_restaged
    assert activities_restaged == {"delivered": 1, "due": 1, "lead": 1}, activities_restaged
    # the rewritten accounts and deals files: each id in them staged again from the new batch
    assert accounts_restaged == {"delivered": len({row[acol["account_id"]].strip(" ") for row in accounts})}
    assert deals_restaged.get("delivered") == len({row[dcol["opportunity_id"]].strip(" ") for row in deals})
    assert set(deals_restaged) <= {"delivered", "due", "lead"}, deals_restaged
    # their persons: the new and the future call's (mapped now) and the removed lead's (as the last
    # build mapped it)
    assert reasons(warehouse, ACTIVITIES) == {"activities": 3}
    # the corrected deal's person (inputs) and the persons that came and went with their deals
    deals_later = reasons(warehouse, OPPORTUNITIES)
    assert deals_later.get("inputs", 0) >= 1 and deals_later.get(None, 0) > 0.5 * sum(deals_later.values()), (
        deals_later
    )
    assert {"delivered", "removed", "due", "lead"} <= set(restaged_now), restaged_now
    padded_versions = rows(
        warehouse,
        "select count(*) from staging.base_marketing__marketing_events "
        f"where event_id = '{events[3][col['event_id']]}' and _source_file like '%part-00001.csv'",
    )
    assert padded_versions == [(1,)], padded_versions  # the padded raw id, staged under its key
    assert sum(restaged_now.values()) < 0.2 * len(events), restaged_now  # most events kept
    recomputed = dict(
        rows(
            warehouse,
            "select restage_reason, count(*) from intermediate.int_marketing_events_changed group by 1",
        )
    )
    assert {"person", "signal", "staged"} <= set(recomputed) and sum(recomputed.values()) < 0.2 * len(
        events
    ), recomputed
    assert rows(
        warehouse,
        f"select restage_reason from intermediate.int_marketing_events_changed where restage_key = '{remapped}'",
    ) == [("signal",)]
    assert_equals_a_full_build(work, warehouse, tmp_path, as_of)

    # as_of back before the last build: every lead is recomputed
    build_fixture_warehouse(work, warehouse, as_of="2026-11-01 01:00:00")
    assert set(reasons(warehouse)) == {"full"}
    assert set(reasons(warehouse, LIFECYCLE)) == {"full"}


def record_build(
    warehouse,
    run_id: str,
    status: str,
    command: str,
    model_code: str | None = None,
    seed_files: str | None = None,
) -> None:
    """A meta.build_runs row a minute after the last one (of this project's model code by default)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists meta")
        con.execute(BUILD_RUNS_DDL)
        started = con.execute("select count(*) from meta.build_runs").fetchone()[0]
        con.execute(
            "insert into meta.build_runs (run_id, started_at, status, dbt_command, model_code, seed_files) "
            "values (?, timestamp '2026-11-01' + to_minutes(?), ?, ?, ?, ?)",
            [run_id, started, status, command, model_code or model_code_fingerprint(), seed_files],
        )


def test_only_a_succeeded_whole_build_is_continued_incrementally(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    assert continues_incremental_state(warehouse)  # nothing built yet

    def record(run_id: str, status: str, command: str, model_code: str | None = None) -> None:
        record_build(warehouse, run_id, status, command, model_code)

    record("r1", "succeeded", "dbt build --exclude resource_type:test resource_type:unit_test")
    assert continues_incremental_state(warehouse)
    record("r2", "succeeded", "dbt build --select leads --indirect-selection cautious")
    assert not continues_incremental_state(warehouse)  # a subset: the rest was not brought along
    record("r3", "failed", "dbt build")
    assert not continues_incremental_state(warehouse)
    record("r4", "running", "dbt build")  # a Dagster run records itself at ingest
    assert not continues_incremental_state(warehouse, this_run_id="r4")  # r3 failed
    record("r5", "succeeded", "dbt build")
    assert continues_incremental_state(warehouse)
    record("r6", "running", "dbt build")  # killed: never finished
    assert not continues_incremental_state(warehouse)
    record("r7", "succeeded", "dbt build --select fqn:*")  # Dagster's whole project
    assert continues_incremental_state(warehouse)
    record("r8", "succeeded", "dbt build", model_code="models of another version")  # other SQL
    assert not continues_incremental_state(warehouse)


def test_seeds_are_left_as_they_are_only_after_a_build_that_loaded_the_same_files(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    assert not seeds_already_loaded(warehouse)  # nothing built yet

    def record(run_id: str, status: str, command: str, seed_files: str | None) -> None:
        record_build(warehouse, run_id, status, command, seed_files=seed_files)

    seeds = seed_files_fingerprint()
    record("r1", "succeeded", "dbt build", seeds)
    assert seeds_already_loaded(warehouse)
    record("r2", "succeeded", "dbt build", "seed files of another version")  # a seed edited since
    assert not seeds_already_loaded(warehouse)
    record("r3", "succeeded", "dbt build --exclude-resource-type seed", seeds)  # left the same files
    assert seeds_already_loaded(warehouse)
    record("r4", "succeeded", "dbt test", None)  # loaded no seed
    assert not seeds_already_loaded(warehouse)
    record("r5", "succeeded", "dbt build", seeds)
    record("r6", "failed", "dbt build", None)  # the next build is a full refresh: it loads them
    assert not seeds_already_loaded(warehouse)
    assert seeds_already_loaded(warehouse, this_run_id="r6")  # a Dagster run's own row is not the last build
    record("r7", "succeeded", "dbt build --select leads --indirect-selection cautious", None)
    assert not seeds_already_loaded(warehouse)


def test_a_warehouse_built_before_model_code_was_recorded_is_rebuilt_in_full(tmp_path):
    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema meta")
        con.execute(
            "create table meta.build_runs (run_id varchar, started_at timestamp, finished_at timestamp, "
            "as_of timestamp, landing_fingerprint varchar, status varchar, dbt_command varchar, "
            "dbt_returncode integer, message varchar)"
        )
        con.execute(
            "insert into meta.build_runs (run_id, status, dbt_command) values ('r0', 'succeeded', 'dbt build')"
        )
    assert not continues_incremental_state(warehouse)


def test_the_nightly_fingerprints_tell_a_changed_row_and_nothing_else(tiny_warehouse, tmp_path):
    """leadwarehouse/incremental_check.py on a copy of the tiny CRM's warehouse: a changed value or
    a missing row is a difference, in that table only; the ingest batch, the bookkeeping tables and
    a double's digits past the sixth are not."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(tiny_warehouse, copy)
    before = incremental_check.warehouse_fingerprints(copy)
    assert "marts.leads" in before and "intermediate.int_scoring_changed_leads" not in before
    assert before == incremental_check.warehouse_fingerprints(tiny_warehouse)

    def after(*statements: str) -> list[str]:
        with duckdb.connect(str(copy)) as con:
            for statement in statements:
                con.execute(statement)
        return incremental_check.differing(before, incremental_check.warehouse_fingerprints(copy))

    assert (
        after(
            "update staging.base_marketing__marketing_events set _batch_id = 'another batch'",
            "update intermediate.int_scoring_changed_leads set change_reason = 'inputs'",
            "update marts.kpi_ladder set value = value + 1e-9",
        )
        == []
    )
    assert after(
        "update marts.leads set total_score = total_score + 1 where lead_id = (select min(lead_id) from marts.leads)"
    ) == ["marts.leads"]
    # differences add up: marts.leads still holds the change above
    assert after(
        "delete from marts.lead_score_changes where rowid = (select min(rowid) from marts.lead_score_changes)"
    ) == [
        "marts.lead_score_changes",
        "marts.leads",
    ]
