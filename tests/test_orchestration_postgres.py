"""The Dagster code location on PostgreSQL: the warehouse resource's engine setting moves every
step to the server, and readers get views switched to a new snapshot in one transaction.

A throw-away server (tests/postgres_server.py) and the tiny CRM: the daily job ingests into a
DuckDB staging file (the build's record and lock), copies raw to the server, runs dbt on the
postgres target, writes the reverse-ETL files from the server's export model and publishes the
views of the schema `published`, granted to a reader role. Then: the export files hold the
server's rows, a publish that fails midway (after the views were pointed at the new snapshot inside
its transaction) leaves the previous publication whole, and a reader polling during the next run's publish sees the previous
or the new publication, never a mix and never an error.
"""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from leadwarehouse.build import run_dbt
from leadwarehouse.environment import environment_with
from leadwarehouse.landing import write_landing
from leadwarehouse.postgres import connect
from leadwarehouse.publish import REQUIRED_RELATIONS, PublishError
from leadwarehouse.publish_server import SNAPSHOT_PATTERN, publish_on_postgres, published_name
from tests.builds import pipeline_parsed, pipeline_warehouse
from tests.postgres_server import PostgresUnavailable, postgres_server
from tests.tiny_crm import AS_OF, tiny_crm_rows, tiny_crm_with_a_new_lead

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

READER_ROLE = "lead_reader"


@pytest.fixture(scope="module")
def server():
    try:
        with postgres_server(("orchestration",)) as started:
            pg = connect(started.env())
            pg.autocommit = True
            with pg.cursor() as cursor:
                cursor.execute(f"create role {READER_ROLE} nologin")
            pg.close()
            yield started
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is needed for the orchestration-on-PostgreSQL tests: {exc}")


@pytest.fixture(scope="module")
def paths(tmp_path_factory, pipeline_dir) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("orchestration_postgres")
    rows = tiny_crm_rows()
    more = tiny_crm_with_a_new_lead()
    warehouse = pipeline_warehouse(pipeline_dir)  # conftest.SHARED_SCOPES: the parsed project
    return {
        "landing_x": write_landing(base / "landing_x", rows),
        "landing_y": write_landing(base / "landing_y", more),
        **warehouse,
        "staging": warehouse["build"].with_name("postgres-ingest.duckdb"),
        "exports": base / "exports",
    }


@pytest.fixture(scope="module")
def run(paths, server):
    """Run a job of the code location with the warehouse on the test server."""
    with pipeline_parsed(paths), environment_with(server.env()):
        # parsed again for the server (its profile): the runs' dbt commands copy this parse, and a
        # parse saved for another profile makes each of them parse the whole project (~18 s of CPU)
        run_dbt(["parse", "--quiet"], paths["build"], target="postgres")
        from orchestration.definitions import build_definitions
        from orchestration.resources import LandingResource, WarehouseResource

        def execute(job: str, landing: Path) -> dg.ExecuteInProcessResult:
            defs = build_definitions(
                {
                    "warehouse": WarehouseResource(
                        build_path=str(paths["staging"]),
                        engine="postgres",
                        exports_dir=str(paths["exports"]),
                        as_of=AS_OF,
                        reader_roles=READER_ROLE,
                    ),
                    "landing": LandingResource(landing_dir=str(landing)),
                }
            )
            with dg.DagsterInstance.ephemeral() as instance:  # closed with the run
                return defs.resolve_job_def(job).execute_in_process(
                    instance=instance,
                    run_config={"ops": {"lead_warehouse_dbt": {"config": {"skip_tests": True}}}},
                    raise_on_error=False,
                )

        yield execute


@pytest.fixture(scope="module")
def first(run, paths) -> dg.ExecuteInProcessResult:
    started = time.perf_counter()
    result = run("daily_full_build", paths["landing_x"])
    print(f"\npostgres: the daily job through Dagster {time.perf_counter() - started:.1f}s")
    return result


@pytest.fixture
def pg(server):
    con = connect(server.env())
    con.autocommit = True
    try:
        yield con
    finally:
        con.close()


def query(con, sql: str, params=None) -> list[tuple]:
    with con.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        str(event.event_specific_data.error) if event.event_specific_data.error else event.message or ""
        for event in result.all_events
        if event.is_step_failure
    )


def test_the_daily_job_builds_exports_and_publishes_on_the_server(first, paths, pg):
    assert first.success, failure_text(first)
    # dbt built on the server, not into the staging file (which holds raw and the build's record)
    staging = duckdb.connect(str(paths["staging"]), read_only=True)
    try:
        schemas = {
            r[0] for r in staging.execute("select schema_name from information_schema.schemata").fetchall()
        }
        run_id, status = staging.execute(
            "select run_id, status from meta.build_runs order by started_at desc limit 1"
        ).fetchone()
    finally:
        staging.close()
    assert "marts" not in schemas and {"raw", "meta"} <= schemas
    assert (run_id, status) == (first.run_id, "succeeded")
    leads = query(pg, "select count(*) from marts.leads")[0][0]
    assert leads > 0
    # the published schema: every relation the readers read, counted as in the build, stamped
    published = {
        r[0]
        for r in query(
            pg, "select table_name from information_schema.tables where table_schema = 'published'"
        )
    }
    assert {published_name(r) for r in REQUIRED_RELATIONS} | {"publication"} <= published
    for relation in REQUIRED_RELATIONS:
        built = query(pg, f"select count(*) from {relation}")[0][0]
        assert query(pg, f"select count(*) from published.{published_name(relation)}")[0][0] == built, (
            relation
        )
    stamp_run, stamp_as_of, counts = query(
        pg, "select run_id, cast(as_of as text), row_counts from published.publication"
    )[0]
    assert stamp_run == first.run_id and stamp_as_of == AS_OF
    assert json.loads(counts)["marts.leads"] == leads
    # views of one snapshot schema, which holds the tables
    (snapshot,) = query(pg, "select snapshot_schema from published.publication")[0]
    assert set(
        query(pg, "select table_type from information_schema.tables where table_schema = 'published'")
    ) == {("VIEW",)}
    assert query(
        pg,
        "select count(*) from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE'",
        [snapshot],
    )[0][0] == len(published)
    # the comments dbt wrote on the marts came along; the reader role may read
    assert query(pg, "select obj_description('published.leads'::regclass, 'pg_class')")[0][0]
    assert query(
        pg,
        "select has_schema_privilege(%s, 'published', 'usage'), has_table_privilege(%s, 'published.leads', 'select')",
        [READER_ROLE, READER_ROLE],
    )[0] == (True, True)
    events = {e.asset_key.to_user_string(): e for e in first.get_asset_materialization_events()}
    assert {"raw/leads", "marts/leads", "exports/lead_scores_v1_files", "warehouse/published"} <= set(events)
    metadata = events["warehouse/published"].materialization.metadata
    assert metadata["engine"].value == "postgres" and metadata["location"].value == "published"
    print(f"\npostgres: publish {metadata['seconds'].value:.2f}s")


def _normalised(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def test_the_export_files_hold_the_servers_rows(first, paths, pg):
    assert first.success
    latest = json.loads((paths["exports"] / "lead_scores_v1" / "latest.json").read_text())
    run_dir = paths["exports"] / "lead_scores_v1" / latest["run_dir"]
    columns = [c["name"] for c in latest["columns"]]
    server_rows = query(
        pg, f"select {', '.join(columns)} from exports.export_lead_scores_v1 order by lead_id"
    )
    exported = pq.read_table(run_dir / "lead_scores_v1.parquet").to_pylist()
    assert latest["row_counts"]["full"] == len(server_rows) == len(exported) > 0
    assert latest["row_counts"]["inserted"] == len(server_rows) and latest["as_of"] == AS_OF
    as_files = [tuple(_normalised(row[c]) for c in columns) for row in exported]
    assert as_files == [tuple(_normalised(v) for v in row) for row in server_rows]
    # text (with commas, quotes or empty), numbers, timestamps and nulls came through the CSV
    types = {c["name"]: c["type"] for c in latest["columns"]}
    assert {"VARCHAR", "INTEGER", "TIMESTAMP"} <= set(types.values()), types
    assert any(v is None for row in exported for v in row.values()), "the tiny CRM exports nulls"


def test_a_publish_failing_after_the_switch_began_keeps_the_previous_publication(first, paths, server, pg):
    assert first.success
    before = query(pg, "select run_id, published_at from published.publication")
    schemas = query(pg, "select schema_name from information_schema.schemata order by 1")
    # the grant to a role that does not exist fails after the snapshot was copied and the views
    # pointed at it, inside the transaction: all of it must roll back
    with environment_with(server.env()), pytest.raises(PublishError, match="no_such_role"):
        publish_on_postgres(paths["staging"], reader_roles=("no_such_role",))
    assert query(pg, "select schema_name from information_schema.schemata order by 1") == schemas
    assert query(pg, "select run_id, published_at from published.publication") == before
    assert (
        query(pg, "select count(*) from published.leads")[0][0]
        == query(pg, "select count(*) from marts.leads")[0][0]
    )


def test_readers_see_the_previous_or_the_next_publication_never_a_mix(first, run, paths, server, pg):
    assert first.success
    reads: list[tuple] = []
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        con = connect(server.env())
        con.autocommit = True  # each read is one statement: one snapshot of the server
        try:
            while not stop.is_set():
                try:
                    reads.append(
                        query(
                            con,
                            "select (select run_id from published.publication), "
                            "(select count(*) from published.leads), "
                            "(select count(*) from published.export_lead_scores_v1)",
                        )[0]
                    )
                except Exception as exc:  # noqa: BLE001 (recorded: the test fails on any)
                    errors.append(repr(exc))
                time.sleep(0.02)
        finally:
            con.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        second = run("hourly_scoring_refresh", paths["landing_y"])
        time.sleep(0.5)  # a few reads of what the run published
    finally:
        stop.set()
        thread.join()
    assert second.success, failure_text(second)
    assert not errors, errors[:3]
    seen = {run_id: (leads, exported) for run_id, leads, exported in reads}
    assert set(seen) == {first.run_id, second.run_id}, seen
    # each publication whole: its stamp with its own tables (landing Y adds one lead)
    old, new = seen[first.run_id], seen[second.run_id]
    assert len(set(reads)) == 2 and old[0] == old[1] and new == (old[0] + 1, old[1] + 1), set(reads)
    # the views read the new snapshot; the previous one is kept for readers still reading it
    snapshots = [
        name
        for (name,) in query(pg, "select schema_name from information_schema.schemata order by 1")
        if SNAPSHOT_PATTERN.match(name)
    ]
    assert (
        len(snapshots) == 2
        and query(pg, "select snapshot_schema from published.publication")[0][0] == snapshots[1]
    )
