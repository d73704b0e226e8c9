"""Publishing for readers (leadwarehouse/publish.py + the Dagster publish asset): the published
copy is replaced atomically and only by a successful build (the newest meta.build_runs row
succeeded, raw unchanged since, no build holding the lock); readers querying it during a build
never fail and always see one complete build; a build killed mid-run leaves the published copy
as it was and the next run gives the same results as a clean run. (Refusals after real failed,
killed and replaced builds: tests/test_build_lock.py.)"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from leadwarehouse import publish as publish_module
from leadwarehouse.build import BUILD_RUNS_DDL, LAST_GOOD_RAW_COUNTS_DDL
from leadwarehouse.dbt_logging import DBT_COMMANDS
from leadwarehouse.landing import write_landing
from leadwarehouse.locking import build_lock
from leadwarehouse.publish import (
    PUBLISHED_RELATIONS,
    REQUIRED_RELATIONS,
    PublishError,
    open_published,
    publish,
)
from tests.builds import pipeline_parsed, pipeline_warehouse
from tests.tiny_crm import AS_OF, tiny_crm_rows, tiny_crm_with_a_new_lead

pytestmark = pytest.mark.dbt

PROJECT_DIR = Path(__file__).resolve().parent.parent
MARTS = ["leads", "lead_score_changes", "lead_stage_history", "lead_score_reasons", "quarantined_rows"]


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mart_fingerprints(warehouse: Path) -> dict[str, tuple]:
    with open_published(warehouse) as con:
        return {
            mart: con.execute(
                f"select count(*), md5(string_agg(t::varchar, '\n' order by t::varchar)) from marts.{mart} t"
            ).fetchone()
            for mart in MARTS
        }


def small_build(path: Path, leads: int = 2, status: str = "succeeded", run_id: str = "run-1") -> Path:
    """A hand-made build file with every required relation and a recorded build (no dbt)."""
    con = duckdb.connect(str(path))
    try:
        for relation in REQUIRED_RELATIONS:
            con.execute(f"create schema if not exists {relation.split('.')[0]}")
            con.execute(f"create or replace table {relation} as select range as lead_id from range({leads})")
        record_build(con, status, run_id)
    finally:
        con.close()
    return path


def record_build(
    con: duckdb.DuckDBPyConnection, status: str, run_id: str, message: str | None = None
) -> None:
    """A meta.build_runs row newer than any other, as the build writes it."""
    con.execute("create schema if not exists meta")
    con.execute(BUILD_RUNS_DDL)
    con.execute(
        "insert into meta.build_runs (run_id, started_at, finished_at, as_of, status, message) values "
        "(?, (select coalesce(max(started_at), timestamp '2026-12-01') + interval 1 minute from meta.build_runs), "
        "null, timestamp '2026-11-01 00:00:00', ?, ?)",
        [run_id, status, message],
    )
    con.execute(
        "update meta.build_runs set finished_at = started_at + interval 30 second "
        "where run_id = ? and status <> 'running'",
        [run_id],
    )


# ---------------------------------------------------------------- publish() on small files


def test_publish_makes_a_stamped_read_only_copy(tmp_path):
    build = small_build(tmp_path / "build.duckdb", leads=2)
    result = publish(build)  # as_of and run id: the recorded build's
    published = tmp_path / "published.duckdb"
    assert result.path == published and result.row_counts["marts.leads"] == 2
    assert result.run_id == "run-1" and result.as_of == "2026-11-01 00:00:00"
    assert not stat.S_IMODE(published.stat().st_mode) & 0o222  # no write permission
    with open_published(published) as con:
        assert con.execute("select count(*) from marts.leads").fetchone()[0] == 2
        assert con.execute("select run_id, cast(as_of as varchar) from meta.publication").fetchone() == (
            "run-1",
            "2026-11-01 00:00:00",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "build.duckdb",
        "build.duckdb.lock",  # the warehouse's lock file (empty when free)
        "published.duckdb",
    ]
    assert not build_lock(build).is_locked()
    # the build file itself is left without the stamp and stays writable
    con = duckdb.connect(str(build))
    assert con.execute(
        "select count(*) from information_schema.tables where table_name = 'publication'"
    ).fetchone() == (0,)
    con.close()
    # explicit values override the recorded ones
    publish(build, as_of="2026-10-01 00:00:00", run_id="orchestrator-run")
    with open_published(published) as con:
        assert con.execute("select run_id, cast(as_of as varchar) from meta.publication").fetchone() == (
            "orchestrator-run",
            "2026-10-01 00:00:00",
        )


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("failed", r"the last build \(run run-2 at 2026-12-01T00:02:30Z\) failed: dbt exited with code 1\. "
         r"Fix it and rebuild; the published copy is unchanged"),
        ("running", r"the last build \(run run-2, started 2026-12-01T00:02:00Z\) did not finish"),
    ],
)  # fmt: skip
def test_only_a_build_whose_newest_run_succeeded_is_published(tmp_path, status, refusal):
    build = small_build(tmp_path / "build.duckdb")
    publish(build)
    good = file_sha(tmp_path / "published.duckdb")
    con = duckdb.connect(str(build))
    record_build(con, status, "run-2", "dbt exited with code 1")
    con.close()
    with pytest.raises(PublishError, match=refusal) as refused:
        publish(build)
    assert not refused.value.transient and not refused.value.busy
    assert file_sha(tmp_path / "published.duckdb") == good
    # a later successful build is published again
    con = duckdb.connect(str(build))
    record_build(con, "succeeded", "run-3")
    con.close()
    assert publish(build).run_id == "run-3"


def test_a_build_without_a_build_record_is_not_published(tmp_path):
    build = small_build(tmp_path / "build.duckdb")
    con = duckdb.connect(str(build))
    con.execute("drop table meta.build_runs")
    con.close()
    with pytest.raises(PublishError, match=r"has no build record \(meta.build_runs\)"):
        publish(build)
    assert not (tmp_path / "published.duckdb").exists()


def test_raw_replaced_after_the_build_is_not_published(tmp_path):
    build = small_build(tmp_path / "build.duckdb")
    con = duckdb.connect(str(build))
    con.execute("create schema raw")
    con.execute("create table raw.leads as select range as lead_id from range(3)")
    con.execute(LAST_GOOD_RAW_COUNTS_DDL)
    con.execute("insert into meta.last_good_raw_counts values ('leads', 3, 'run-1', null)")
    con.close()
    publish(build)  # raw as built
    con = duckdb.connect(str(build))
    con.execute("insert into raw.leads values (3)")  # a later ingest, no build
    con.close()
    with pytest.raises(
        PublishError, match=r"the raw tables were replaced after the last build \(run run-1 at "
    ):
        publish(build)


def test_publish_while_a_build_holds_the_warehouse_is_busy(tmp_path):
    build = small_build(tmp_path / "build.duckdb")
    with build_lock(build).acquire():
        started = time.monotonic()
        with pytest.raises(
            PublishError, match=r"another build \(pid \d+, started .*holds .*build.duckdb"
        ) as busy:
            publish(build)
        assert time.monotonic() - started < 1
    assert busy.value.busy and busy.value.transient
    assert not (tmp_path / "published.duckdb").exists()
    assert publish(build).run_id == "run-1"


def test_an_incomplete_build_never_replaces_the_last_good_copy(tmp_path):
    build = small_build(tmp_path / "build.duckdb", leads=2)
    publish(build)
    good = file_sha(tmp_path / "published.duckdb")
    con = duckdb.connect(str(build))
    con.execute("drop table marts.lead_stage_history")
    con.close()
    with pytest.raises(PublishError, match="marts.lead_stage_history"):
        publish(build)
    assert file_sha(tmp_path / "published.duckdb") == good
    assert not list(tmp_path.glob("*publishing*"))


def relations_of(path: Path) -> set[str]:
    with open_published(path) as con:
        return {
            f"{schema}.{table}"
            for schema, table in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        }


def test_the_copy_holds_what_readers_read_and_nothing_else(tmp_path):
    """Raw, staging, intermediate and marts no reader reads stay in the build; what is published
    keeps its types, constraints and comments, in a file without free blocks, smaller than a build
    file that was rebuilt in place."""
    build = small_build(tmp_path / "build.duckdb", leads=3)
    con = duckdb.connect(str(build))
    for schema in ("raw", "staging", "intermediate"):
        con.execute(f"create schema {schema}")
        con.execute(
            f"create table {schema}.events as select range as id, md5(range::varchar) as v from range(200000)"
        )
    con.execute("create table marts.lead_qualification as select 1 as lead_id")  # no reader reads it
    con.execute("create table config.signal_map as select 1 as priority")  # a seed no reader reads
    con.execute("create table config.kpi_layers as select 'top' as layer, 1 as layer_order")  # optional
    con.execute(
        "create or replace table exports.export_lead_scores_v1 "
        "(lead_id varchar primary key, total_score decimal(9, 1) not null, mql_at timestamp)"
    )
    con.execute(
        "insert into exports.export_lead_scores_v1 values ('a', 61.5, null), ('b', 0, timestamp '2026-10-01')"
    )
    con.execute("comment on table exports.export_lead_scores_v1 is 'lead scores for the CRM'")
    con.execute("comment on column exports.export_lead_scores_v1.total_score is 'fit + intent'")
    for _ in range(3):  # a rebuild in place leaves free blocks behind
        con.execute("create or replace table intermediate.events as select * from intermediate.events")
    con.execute("checkpoint")
    con.close()

    result = publish(build)
    published = result.path
    expected = {*REQUIRED_RELATIONS, "config.kpi_layers", "meta.build_runs"}
    assert relations_of(published) == expected | {"meta.publication"}
    assert set(result.row_counts) == expected
    assert {r.name for r in PUBLISHED_RELATIONS} >= expected
    assert result.row_counts["exports.export_lead_scores_v1"] == 2 and result.row_counts["marts.leads"] == 3
    with open_published(published) as con:
        assert con.execute(
            "select count(*) from duckdb_schemas() where schema_name in ('raw', 'staging', 'intermediate')"
        ).fetchone() == (0,)
        assert con.execute("select free_blocks from pragma_database_size()").fetchone() == (0,)
        assert con.execute(
            "select sql, comment from duckdb_tables() where table_name = 'export_lead_scores_v1'"
        ).fetchone() == (
            "CREATE TABLE exports.export_lead_scores_v1(lead_id VARCHAR PRIMARY KEY, "
            "total_score DECIMAL(9,1) NOT NULL, mql_at TIMESTAMP);",
            "lead scores for the CRM",
        )
        assert con.execute(
            "select comment from duckdb_columns() where table_name = 'export_lead_scores_v1' "
            "and column_name = 'total_score'"
        ).fetchone() == ("fit + intent",)
        assert con.execute("select * from exports.export_lead_scores_v1 order by lead_id").fetchall() == [
            ("a", Decimal("61.5"), None),
            ("b", Decimal("0.0"), datetime(2026, 10, 1)),
        ]
        stamped = json.loads(con.execute("select row_counts from meta.publication").fetchone()[0])
    assert stamped == result.row_counts
    assert result.bytes == published.stat().st_size < build.stat().st_size / 2


def test_a_build_without_a_required_config_table_is_not_published(tmp_path):
    build = small_build(tmp_path / "build.duckdb")
    con = duckdb.connect(str(build))
    con.execute("drop table config.scoring_models")  # the lead explorer joins it
    con.close()
    with pytest.raises(PublishError, match=r"the build lacks config.scoring_models: not publishing it"):
        publish(build)
    assert not (tmp_path / "published.duckdb").exists()


def test_a_failure_after_the_copy_leaves_no_partial_file(tmp_path, monkeypatch):
    build = small_build(tmp_path / "build.duckdb", leads=2)
    publish(build)
    good = file_sha(tmp_path / "published.duckdb")
    small_build(build, leads=5)
    (tmp_path / "published.duckdb.publishing-stale").write_text("left by a crash")

    def crash(path):
        raise OSError("no space left on device")

    monkeypatch.setattr(publish_module, "_fsync_file", crash)
    with pytest.raises(OSError):
        publish(build)
    assert file_sha(tmp_path / "published.duckdb") == good
    assert not list(tmp_path.glob("*publishing*"))
    monkeypatch.undo()
    assert publish(build).row_counts["marts.leads"] == 5


# ------------------------------------------------- through Dagster, with dbt on the tiny CRM


@pytest.fixture(scope="module")
def paths(tmp_path_factory, pipeline_dir) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("publish")
    rows = tiny_crm_rows()
    more = tiny_crm_with_a_new_lead()
    return {
        "base": base,
        "landing_x": write_landing(base / "landing_x", rows),
        "landing_y": write_landing(base / "landing_y", more),
        # build, published, dbt_target: conftest.SHARED_SCOPES
        **pipeline_warehouse(pipeline_dir),
        "exports": base / "exports",
    }


@pytest.fixture(scope="module")
def orch(paths):
    """The daily job on a landing folder, with the project parsed for the runs (tests/builds.py)."""
    with pipeline_parsed(paths):
        from orchestration.definitions import build_definitions
        from orchestration.resources import LandingResource, WarehouseResource

        def build(landing: Path) -> dg.ExecuteInProcessResult:
            defs = build_definitions(
                {
                    "warehouse": WarehouseResource(
                        build_path=str(paths["build"]), exports_dir=str(paths["exports"]), as_of=AS_OF
                    ),
                    "landing": LandingResource(landing_dir=str(landing)),
                }
            )
            # the full build's job without tests: the same publish step as the hourly refresh;
            # the instance closed with the run (its SQLite connections not left to a finalizer)
            with dg.DagsterInstance.ephemeral() as instance:
                return defs.resolve_job_def("daily_full_build").execute_in_process(
                    instance=instance,
                    run_config={"ops": {"lead_warehouse_dbt": {"config": {"skip_tests": True}}}},
                    raise_on_error=False,
                )

        yield build


@pytest.fixture(scope="module")
def clean_x(orch, paths) -> dict[str, tuple]:
    """A clean build of landing X on a fresh file, published: the reference state."""
    result = orch(paths["landing_x"])
    assert result.success
    return mart_fingerprints(paths["published"])


READER = """
import json, os, sys, time
import duckdb
path, out, stop = sys.argv[1:4]
with open(out, "w") as fh:
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                row = con.execute(
                    "select (select count(*) from marts.leads), "
                    "(select count(distinct lead_id) from marts.lead_stage_history), "
                    "(select count(*) from exports.export_lead_scores_v1), "
                    "(select run_id from meta.publication)"
                ).fetchone()
            finally:
                con.close()
            fh.write(json.dumps({"state": list(row)}) + "\\n")
        except Exception as exc:
            fh.write(json.dumps({"error": repr(exc)}) + "\\n")
        fh.flush()
        time.sleep(0.05)
"""


def test_readers_see_the_previous_or_the_new_build_never_an_error(orch, paths, clean_x, tmp_path):
    out, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(paths["published"]), str(out), str(stop)])
    try:
        time.sleep(1.0)
        result = orch(paths["landing_y"])  # one more lead
        time.sleep(1.0)
    finally:
        stop.touch()
        reader.wait(timeout=30)
    assert result.success
    reads = [json.loads(line) for line in out.read_text().splitlines()]
    errors = [r["error"] for r in reads if "error" in r]
    assert errors == [] and len(reads) > 20
    states = [tuple(r["state"]) for r in reads]
    leads_x = clean_x["leads"][0]
    old = {s for s in states if s[:3] == (leads_x, leads_x, leads_x)}
    new = {s for s in states if s[:3] == (leads_x + 1, leads_x + 1, leads_x + 1)}
    assert len(old) == 1 and len(new) == 1 and set(states) == old | new  # never a mix of two builds
    assert states[0] in old and states[-1] in new
    switch = states.index(next(iter(new)))
    assert all(s in new for s in states[switch:])  # and never back


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = [
                c
                for task in Path(f"/proc/{parent}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]
        except OSError:  # the process (or one of its threads) ended while we looked
            continue
        found += [int(c) for c in children]
        frontier += [int(c) for c in children]
    return found


def kill_dbt_build_once_it_writes(build: Path, killed: dict, timeout: float = 120) -> None:
    """Watch this process's children for `dbt build`; SIGKILL it one second after it opened the
    warehouse file."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for pid in descendants(os.getpid()):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
                fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            except OSError:
                continue
            if "build" in cmd and any(Path(c).name in DBT_COMMANDS for c in cmd) and str(build) in fds:
                time.sleep(1.0)
                os.kill(pid, signal.SIGKILL)
                killed["pid"] = pid
                return
        time.sleep(0.05)


def test_killed_build_keeps_the_published_copy_and_the_next_run_matches_a_clean_run(orch, paths, clean_x):
    published_before = file_sha(paths["published"])
    fingerprint_before = mart_fingerprints(paths["published"])
    latest = paths["exports"] / "lead_scores_v1" / "latest.json"
    export_sequence_before = json.loads(latest.read_text())["sequence"]
    killed: dict = {}
    killer = threading.Thread(target=kill_dbt_build_once_it_writes, args=(paths["build"], killed))
    killer.start()
    result = orch(paths["landing_x"])
    killer.join()

    assert killed, "dbt build was not seen running"
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert (
        failure.step_key == "lead_warehouse_dbt" and "signal 9" in failure.event_specific_data.error.message
    )
    started = {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START}
    assert "warehouse__published" not in started and "exports__lead_scores_v1_files" not in started
    # the readers' copy is byte for byte the last good one, and still opens
    assert file_sha(paths["published"]) == published_before
    assert mart_fingerprints(paths["published"]) == fingerprint_before
    assert json.loads(latest.read_text())["sequence"] == export_sequence_before
    assert not list(paths["published"].parent.glob("*publishing*"))

    again = orch(paths["landing_x"])
    assert again.success
    assert mart_fingerprints(paths["published"]) == clean_x
