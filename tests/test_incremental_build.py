"""Incremental by lead (docs/incremental.md): after a sequence of builds of one warehouse with
new, late, changed and removed records and a moving as_of, every table equals what a full build of
the same landing folder as of the same instant gives, row for row; and the incremental builds
recompute only the leads that changed."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from leadwarehouse.build import BUILD_RUNS_DDL, continues_incremental_state
from leadwarehouse.generator import generate
from scripts.compare_warehouses import compare
from tests.builds import build_fixture_warehouse

pytestmark = pytest.mark.dbt

LEADS, SEED = 400, 23
T0 = "2026-11-01 00:00:00"
# compared: everything the builds write, but the changed-leads bookkeeping itself (its reasons say
# what this build recomputed) and what describes the previous good build (the volume guard of the
# data-quality summary compares each build with it; a fresh file has none)
SCHEMAS = ["staging", "intermediate", "marts", "exports"]
NOT_COMPARED = (
    "intermediate.int_scoring_changed_leads:",
    "marts.data_quality_summary:",
    "staging.stg_build_meta__last_good_input_counts:",
)


def rows(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def reasons(warehouse) -> dict[str | None, int]:
    return dict(
        rows(
            warehouse, "select change_reason, count(*) from intermediate.int_scoring_changed_leads group by 1"
        )
    )


def assert_equals_a_full_build(landing, incremental, tmp_path, as_of: str) -> None:
    full = tmp_path / "full.duckdb"
    full.unlink(missing_ok=True)
    build_fixture_warehouse(landing, full, as_of=as_of)
    problems = [p for p in compare(str(full), str(incremental), SCHEMAS) if not p.startswith(NOT_COMPARED)]
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
    build_fixture_warehouse(work, warehouse, as_of=T0)
    assert set(reasons(warehouse)) == {"full"}
    leads = sum(reasons(warehouse).values())

    # an hour later, nothing delivered: only the leads whose expiry or decay step fell in the hour
    build_fixture_warehouse(work, warehouse, as_of="2026-11-01 01:00:00")
    hour = reasons(warehouse)
    assert set(hour) <= {None, "schedule"} and hour.get("schedule", 0) < 0.05 * leads, hour

    # a delivery: a late event (dated before the lead's other events) and a new one in a new
    # part, one lead's title changed (fit), one lead removed; then three weeks pass
    header, events = read_csv(work / "marketing_events" / "part-00000.csv")
    col = {name: i for i, name in enumerate(header)}
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
    write_csv(work / "marketing_events" / "part-00001.csv", header, [late, fresh])
    lead_header, lead_rows = read_csv(work / "leads" / "part-00000.csv")
    lcol = {name: i for i, name in enumerate(lead_header)}
    lead_rows[5][lcol["title"]] = "Chief Executive Officer"
    removed = lead_rows.pop(7)[lcol["lead_id"]]
    write_csv(work / "leads" / "part-00000.csv", lead_header, lead_rows)

    as_of = "2026-11-21 00:00:00"
    build_fixture_warehouse(work, warehouse, as_of=as_of)
    later = reasons(warehouse)
    assert later.get("inputs", 0) >= 3 and later.get("gone", 0) >= 1 and later.get("schedule", 0) > 0, later
    assert later.get(None, 0) > 0.3 * leads, later  # most leads were not recomputed
    assert rows(warehouse, f"select count(*) from marts.leads where lead_id = '{removed}'") == [(0,)]
    assert_equals_a_full_build(work, warehouse, tmp_path, as_of)

    # as_of back before the last build: every lead is recomputed
    build_fixture_warehouse(work, warehouse, as_of="2026-11-01 01:00:00")
    assert set(reasons(warehouse)) == {"full"}


def test_only_a_succeeded_whole_build_is_continued_incrementally(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    assert continues_incremental_state(warehouse)  # nothing built yet

    def record(run_id: str, status: str, command: str) -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute("create schema if not exists meta")
            con.execute(BUILD_RUNS_DDL)
            started = con.execute("select count(*) from meta.build_runs").fetchone()[0]
            con.execute(
                "insert into meta.build_runs (run_id, started_at, status, dbt_command) "
                "values (?, timestamp '2026-11-01' + to_minutes(?), ?, ?)",
                [run_id, started, status, command],
            )

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
