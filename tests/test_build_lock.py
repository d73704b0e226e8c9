"""One writer at a time, and only a successful, complete build is published (leadwarehouse/locking.py,
build.py, publish.py): a second build fails at once naming the holder (or waits), a SIGKILLed holder
releases the lock, a killed build leaves no dbt behind, and publish refuses a failed, killed or
half-done build and raw replaced after the build. One real tiny build (dbt without tests) is shared
by the module; each test starts from a copy of it at the same path (dbt's partial parse is reused)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from dashboards.queries.common import available_tables
from leadwarehouse.build import (
    BUILD_RUNS_DDL,
    build_warehouse,
    dbt_build_args,
    dbt_env,
    raw_row_counts,
    resolve_as_of,
)
from leadwarehouse.dbt_logging import DBT_COMMANDS
from leadwarehouse.duckdb_resources import (
    MEMORY_CAP_BYTES,
    MEMORY_FRACTION,
    MEMORY_LIMIT_ENV,
    TEMP_DIRECTORY_ENV,
    THREADS_ENV,
    VACUUM_TASKS_ENV,
    duckdb_resources,
    machine_cores,
    machine_memory_bytes,
)
from leadwarehouse.environment import environment_with
from leadwarehouse.ingest import ingest_landing
from leadwarehouse.landing import write_landing
from leadwarehouse.locking import LockBusy, build_lock, exports_lock
from leadwarehouse.publish import (
    PUBLISHED_RELATIONS,
    REQUIRED_RELATIONS,
    PublishError,
    open_published,
    publish,
)
from leadwarehouse.quality import read_summary as read_quality_summary
from leadwarehouse.summary import summarize
from tests.builds import pipeline_warehouse
from tests.tiny_crm import AS_OF, tiny_crm_rows, tiny_crm_with_a_new_lead

PROJECT_DIR = Path(__file__).resolve().parent.parent

HOLDER = """
import sys, time
from leadwarehouse.locking import build_lock
lock = build_lock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(600)
"""


def run_cli(module: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def newest_run(path: Path) -> dict:
    keys = ("run_id", "status", "started_at", "as_of", "landing_fingerprint", "dbt_returncode", "message")
    row = query(
        path,
        "select run_id, status, started_at, cast(as_of as varchar), landing_fingerprint, dbt_returncode, "
        "message from meta.build_runs order by started_at desc limit 1",
    )[0]
    return dict(zip(keys, row, strict=True))


def small_build(path: Path, status: str = "succeeded") -> Path:
    """A hand-made warehouse with every required relation and one recorded build (no dbt)."""
    con = duckdb.connect(str(path))
    try:
        for relation in REQUIRED_RELATIONS:
            con.execute(f"create schema if not exists {relation.split('.')[0]}")
            con.execute(f"create or replace table {relation} as select range as lead_id from range(2)")
        con.execute("create schema if not exists meta")
        con.execute(BUILD_RUNS_DDL)
        con.execute(
            "insert into meta.build_runs (run_id, started_at, finished_at, as_of, status) "
            "values ('run-1', now(), now(), timestamp '2026-11-01 00:00:00', ?)",
            [status],
        )
    finally:
        con.close()
    return path


# ------------------------------------------------------------------ the lock itself (no dbt)


def test_a_second_holder_fails_at_once_naming_the_first(tmp_path):
    warehouse = tmp_path / "build.duckdb"
    first = build_lock(warehouse).acquire()
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy) as busy:
            build_lock(warehouse).acquire()
        assert time.monotonic() - started < 1
        message = str(busy.value)
        assert message.startswith(f"another build (pid {os.getpid()}, started 20")
        assert f"holds {warehouse}; wait for it or pass --wait" in message
        assert "`python" in message and busy.value.holder["pid"] == os.getpid()
        assert (tmp_path / "build.duckdb.lock").is_file()
    finally:
        first.release()
    build_lock(warehouse).acquire().release()  # free again


def test_build_warehouse_refuses_at_once_while_the_lock_is_held(tmp_path):
    landing = write_landing(tmp_path / "landing", tiny_crm_rows())
    warehouse = tmp_path / "wh" / "build.duckdb"
    with build_lock(warehouse).acquire():
        started = time.monotonic()
        with pytest.raises(LockBusy, match="another build"):
            build_warehouse(landing, warehouse, as_of=AS_OF, command="run")
        assert time.monotonic() - started < 2
    assert not warehouse.exists()  # nothing was ingested or recorded


def test_wait_waits_for_the_holder_then_proceeds(tmp_path):
    warehouse = tmp_path / "build.duckdb"
    first = build_lock(warehouse).acquire()
    with pytest.raises(LockBusy, match=r"still, after waiting"):
        build_lock(warehouse).acquire(wait=0.5)
    threading.Timer(1.0, first.release).start()
    started = time.monotonic()
    second = build_lock(warehouse).acquire(wait=30)
    waited = time.monotonic() - started
    try:
        assert second.held and 0.8 < waited < 10
        assert second.holder()["pid"] == os.getpid()
    finally:
        second.release()


def test_a_sigkilled_holder_releases_the_lock(tmp_path):
    warehouse = tmp_path / "build.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        lock = build_lock(warehouse)
        assert lock.is_locked() and lock.holder()["pid"] == holder.pid
        with pytest.raises(LockBusy, match=f"pid {holder.pid}"):
            lock.acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert not lock.is_locked()
    lock.acquire().release()  # at once: the kernel released the dead holder's lock


def test_command_line_tools_exit_3_when_busy_without_a_traceback(tmp_path):
    landing = write_landing(tmp_path / "landing", tiny_crm_rows())
    warehouse = small_build(tmp_path / "build.duckdb")
    exports = tmp_path / "exports"
    with build_lock(warehouse).acquire():
        build = run_cli("leadwarehouse.build", "--landing", str(landing), "--warehouse", str(warehouse))
        pub = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse))
        waited = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse), "--wait", "0.5")
    for out in (build, pub, waited):
        assert out.returncode == 3, out.stderr
        assert f"another build (pid {os.getpid()}, started" in out.stderr and "Traceback" not in out.stderr
        assert "wait for it or pass --wait" in out.stderr
    assert "after waiting" in waited.stderr
    assert not (tmp_path / "published.duckdb").exists()
    with exports_lock(exports).acquire():
        export = run_cli("leadwarehouse.exports", "--warehouse", str(warehouse), "--out", str(exports))
    assert export.returncode == 3 and "another export (pid" in export.stderr
    assert "Traceback" not in export.stderr
    for module in ("leadwarehouse.build", "leadwarehouse.publish", "leadwarehouse.exports"):
        helped = run_cli(module, "--help")
        assert "--wait [SECONDS]" in helped.stdout and "3 busy" in helped.stdout


def test_publish_with_wait_proceeds_once_the_build_ends(tmp_path):
    warehouse = small_build(tmp_path / "build.duckdb")
    lock = build_lock(warehouse).acquire()
    threading.Timer(1.5, lock.release).start()
    started = time.monotonic()
    out = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse), "--wait", "60")
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - started > 1.4
    with open_published(tmp_path / "published.duckdb") as con:
        assert con.execute("select run_id, cast(as_of as varchar) from meta.publication").fetchone() == (
            "run-1",
            "2026-11-01 00:00:00",
        )


def test_as_of_is_resolved_once_to_a_concrete_timestamp(monkeypatch):
    monkeypatch.delenv("LEAD_AS_OF", raising=False)
    assert resolve_as_of(None) == "2026-11-01 00:00:00"
    assert resolve_as_of("2026-09-03 12:00:00") == "2026-09-03 12:00:00"
    assert resolve_as_of("now", datetime(2026, 12, 2, 11, 40, 3, 987654)) == "2026-12-02 11:40:03"
    monkeypatch.setenv("LEAD_AS_OF", "now")
    assert resolve_as_of(None, datetime(2026, 12, 2, 11, 40, 3)) == "2026-12-02 11:40:03"
    with pytest.raises(ValueError, match="not a timestamp"):
        resolve_as_of("yesterday-ish")
    out = run_cli("leadwarehouse.build", "--as-of", "yesterday-ish")
    assert out.returncode == 2 and "not a timestamp" in out.stderr and "Traceback" not in out.stderr


def test_builds_run_data_tests_and_unit_tests_only_when_asked():
    # a production build: models, seeds, data tests; dbt's unit tests check SQL, not data
    assert dbt_build_args() == ["build", "--exclude", "resource_type:unit_test"]
    assert dbt_build_args(unit_tests=True) == ["build"]
    assert dbt_build_args("run") == ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
    assert dbt_build_args("build", "leads", True) == [
        "build",
        "--exclude",
        "resource_type:unit_test",
        "--select",
        "leads",
        "--indirect-selection",
        "cautious",
        "--full-refresh",
    ]
    out = run_cli("leadwarehouse.build", "--skip-tests", "--unit-tests")
    assert out.returncode == 2 and "--unit-tests runs tests" in out.stderr


def test_duckdb_resources_print_as_shell_exports_for_processes_that_start_dbt(tmp_path, monkeypatch, capsys):
    from leadwarehouse.duckdb_resources import main as print_resources

    monkeypatch.setenv(MEMORY_LIMIT_ENV, "2GiB")
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.delenv(TEMP_DIRECTORY_ENV, raising=False)
    monkeypatch.delenv(VACUUM_TASKS_ENV, raising=False)
    warehouse = tmp_path / "my dir" / "build.duckdb"
    assert print_resources([str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "export DUCKDB_MEMORY_LIMIT=2GiB",
        f"export DUCKDB_THREADS={machine_cores()}",
        f"export DUCKDB_TEMP_DIRECTORY='{warehouse.resolve()}.tmp'",
        "export DUCKDB_MAX_VACUUM_TASKS=0",
    ]


def test_duckdb_resources_default_from_the_machine_and_are_overridable(tmp_path, monkeypatch):
    for name in (MEMORY_LIMIT_ENV, THREADS_ENV, TEMP_DIRECTORY_ENV, VACUUM_TASKS_ENV):
        monkeypatch.delenv(name, raising=False)
    warehouse = tmp_path / "wh" / "build.duckdb"
    env = dbt_env(warehouse)
    # three quarters of the budget: half the memory, at most 4 GiB (3 GiB on this 24 GiB machine)
    limit = int(env[MEMORY_LIMIT_ENV].removesuffix("MiB")) * 2**20
    memory = machine_memory_bytes() or MEMORY_CAP_BYTES / MEMORY_FRACTION
    pool = min(MEMORY_CAP_BYTES, memory * MEMORY_FRACTION) * 0.75
    assert pool - 2**20 < limit <= pool
    assert env[THREADS_ENV] == str(machine_cores()) and int(env[THREADS_ENV]) >= 1
    assert env[TEMP_DIRECTORY_ENV] == str(warehouse.resolve()) + ".tmp"
    assert env[VACUUM_TASKS_ENV] == "0"  # the daily full refresh compacts, not each checkpoint
    assert dbt_env(warehouse) == env  # stable from run to run: dbt keeps its partial parse
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    monkeypatch.setenv(THREADS_ENV, "1")
    monkeypatch.setenv(TEMP_DIRECTORY_ENV, str(tmp_path / "spill"))
    monkeypatch.setenv(VACUUM_TASKS_ENV, "100")
    env = dbt_env(warehouse)
    assert (env[MEMORY_LIMIT_ENV], env[THREADS_ENV], env[TEMP_DIRECTORY_ENV], env[VACUUM_TASKS_ENV]) == (
        "1GB",
        "1",
        str(tmp_path / "spill"),
        "100",
    )
    con = duckdb.connect()
    try:
        duckdb_resources(warehouse).apply(con)
        assert con.execute(
            "select current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory'), current_setting('max_vacuum_tasks')"
        ).fetchone() == ("953.6 MiB", 1, str(tmp_path / "spill"), 100)
    finally:
        con.close()
    for name, value, message in (
        (THREADS_ENV, "many", "DUCKDB_THREADS must be a whole number"),
        (VACUUM_TASKS_ENV, "-1", "DUCKDB_MAX_VACUUM_TASKS must be a whole number (0 or more)"),
    ):
        monkeypatch.setenv(name, value)
        out = run_cli("leadwarehouse.build", "--landing", str(tmp_path), "--warehouse", str(warehouse))
        assert out.returncode == 2 and message in out.stderr
        assert "Traceback" not in out.stderr
        monkeypatch.delenv(name)


# ------------------------------------------------------------------ real builds of the tiny CRM


@pytest.fixture(scope="module", autouse=True)
def pipeline(pipeline_dir) -> dict[str, Path]:
    """This module builds at its own path on purpose (the lock, signals and the command line are
    what it tests), with that path's own dbt target folder, shared with the Dagster modules
    (conftest.SHARED_SCOPES): in the worker's, its parse replaced the partial parse the worker's
    fixture builds reuse at their fixed path, and the next of them parsed the whole project again."""
    paths = pipeline_warehouse(pipeline_dir)
    with environment_with({"DBT_TARGET_PATH": str(paths["dbt_target"])}):
        yield paths


@pytest.fixture(scope="module")
def built(tmp_path_factory, pipeline) -> SimpleNamespace:
    """One successful build (dbt without tests), kept as a pristine copy."""
    base = tmp_path_factory.mktemp("build_lock")
    rows = tiny_crm_rows()
    more = tiny_crm_with_a_new_lead()
    work = pipeline["build"]
    landing = write_landing(base / "landing", rows)
    target = pipeline["dbt_target"]
    before = {name: _modified(target / name) for name in DBT_ARTIFACTS}
    counts = build_warehouse(landing, work, as_of=AS_OF, command="run")
    assert not work.with_name("build.duckdb.wal").exists()
    shutil.copy(work, base / "pristine.duckdb")
    return SimpleNamespace(
        artifacts_rewritten={name for name in DBT_ARTIFACTS if _modified(target / name) != before[name]},
        base=base,
        landing=landing,
        landing_more=write_landing(base / "landing_more", more),
        work=work,
        pristine=base / "pristine.duckdb",
        published=pipeline["published"],
        counts=dict(counts),
    )


DBT_ARTIFACTS = ("manifest.json", "graph.gpickle", "run_results.json", "semantic_manifest.json")


def _modified(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None


@pytest.mark.dbt
def test_a_build_writes_the_artifacts_read_after_it_not_the_whole_manifest(built):
    # leadwarehouse/dbt_artifacts.py: the failure summary and `dbt retry` read the results, `mf`
    # the semantic manifest; the 6 MB manifest (written twice) and the graph are skipped
    assert built.artifacts_rewritten == {"run_results.json", "semantic_manifest.json"}


@pytest.fixture
def warehouse(built) -> Path:
    """The successful build, restored, at the same path for every test."""
    for leftover in (built.work, built.work.with_name("build.duckdb.wal"), built.published):
        leftover.unlink(missing_ok=True)
    shutil.copy(built.pristine, built.work)
    return built.work


def dbt_processes_of(warehouse: Path) -> list[int]:
    """Live dbt processes whose environment points at this warehouse."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
            cmd = [c.decode() for c in (proc / "cmdline").read_bytes().split(b"\0") if c]
            state = next(
                line for line in (proc / "status").read_text().splitlines() if line.startswith("State:")
            )
        except (OSError, StopIteration):
            continue
        if "Z" in state.split()[1]:  # a zombie is gone, only not reaped yet
            continue
        if f"LEAD_WAREHOUSE_PATH={warehouse.resolve()}".encode() in env and any(
            Path(c).name in DBT_COMMANDS for c in cmd
        ):
            found.append(int(proc.name))
    return found


def start_cli_build(built, warehouse: Path) -> subprocess.Popen:
    """`python -m leadwarehouse.build` in a subprocess; returns once its dbt child runs."""
    build = subprocess.Popen(
        [sys.executable, "-m", "leadwarehouse.build", "--landing", str(built.landing)]
        + ["--warehouse", str(warehouse), "--as-of", AS_OF, "--skip-tests"],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while not dbt_processes_of(warehouse):
        assert build.poll() is None and time.time() < deadline, "dbt was not seen running"
        time.sleep(0.1)
    time.sleep(2.0)  # dbt is parsing or building
    assert build.poll() is None
    return build


def wait_until_no_dbt(warehouse: Path, timeout: float = 15) -> list[int]:
    deadline = time.time() + timeout
    while dbt_processes_of(warehouse) and time.time() < deadline:
        time.sleep(0.1)
    return dbt_processes_of(warehouse)


def lock_released(warehouse: Path, timeout: float = 15) -> bool:
    """Whether the build lock is free within `timeout`: a SIGKILLed multi-threaded process shows
    as a zombie while its other threads are still torn down, and its files (the lock) close only
    when the last one has gone (seen once under load: the lock still held right after)."""
    deadline = time.time() + timeout
    while build_lock(warehouse).is_locked() and time.time() < deadline:
        time.sleep(0.1)
    return not build_lock(warehouse).is_locked()


@pytest.mark.dbt
def test_a_successful_build_is_recorded_and_published_with_its_as_of_and_run_id(built, warehouse):
    run = newest_run(warehouse)
    assert run["status"] == "succeeded" and run["dbt_returncode"] == 0 and run["as_of"] == AS_OF
    counts = dict(query(warehouse, "select source_table, raw_rows from meta.last_good_raw_counts"))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert counts == raw_row_counts(con) == {k: v for k, v in built.counts.items() if k in counts}
        snapshot = (
            con.execute("select max(fingerprint) from meta.landing_snapshot").fetchone()[0]
            if ("meta", "landing_snapshot")
            in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
            else None
        )
    finally:
        con.close()
    assert run["landing_fingerprint"] == snapshot  # null while ingest writes no snapshot
    assert set(query(warehouse, "select run_id from meta.last_good_raw_counts")) == {(run["run_id"],)}

    out = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse))
    assert out.returncode == 0, out.stderr
    with open_published(built.published) as con:
        stamp = con.execute(
            "select run_id, cast(as_of as varchar), landing_fingerprint from meta.publication"
        ).fetchone()
    assert stamp == (run["run_id"], AS_OF, run["landing_fingerprint"])  # not null after a hand build


@pytest.mark.dbt
def test_the_published_copy_holds_what_readers_read_and_nothing_else(built, warehouse):
    """From a real build: the copy holds PUBLISHED_RELATIONS (a real build has every one) and the
    stamp, no raw / staging / intermediate table, with the build's rows, in less space; the
    summary, the data-quality report and every dashboard page's queries read it."""
    from scripts.benchmark_dashboard_queries import page_plans

    result = publish(warehouse)
    in_build = {
        f"{s}.{t}"
        for s, t in query(
            warehouse,
            "select schema_name, table_name from duckdb_tables() "
            "union all select schema_name, view_name from duckdb_views() where not internal",
        )
    }
    wanted = {r.name for r in PUBLISHED_RELATIONS}
    assert wanted <= in_build
    held = {f"{s}.{t}" for s, t in query(result.path, "select schema_name, table_name from duckdb_tables()")}
    assert held == wanted | {"meta.publication"}
    assert {name.split(".")[0] for name in held} == {"marts", "exports", "config", "meta"}
    left_out = {name.split(".")[0] for name in in_build - held}
    assert {"raw", "staging", "intermediate", "marts", "config", "meta"} <= left_out
    for relation in wanted:
        counted = f"select count(*) from {relation}"
        assert query(result.path, counted) == query(warehouse, counted), relation
    assert result.bytes < warehouse.stat().st_size
    # a published view (the semantic layer's lead_kpi_facts) is a table of the view's rows
    copied = duckdb.connect(str(result.path), read_only=True)
    try:
        copied.execute(f"attach '{warehouse}' as build (read_only)")
        assert copied.execute(
            "select count(*) from (select * from build.marts.lead_kpi_facts "
            "except all select * from marts.lead_kpi_facts)"
        ).fetchone() == (0,)
        assert copied.execute("select count(*) from marts.lead_kpi_facts").fetchone()[0] > 0
    finally:
        copied.close()

    assert "leads" in summarize(result.path)
    tables, _ = read_quality_summary(result.path)
    assert tables
    ran = []

    def runner(sql: str, params=()):
        with open_published(result.path) as con:
            ran.append(sql)
            return con.execute(sql, list(params)).df()

    for page in page_plans(runner, set(available_tables(runner))).values():
        page()
    assert len(ran) > 20


@pytest.mark.dbt
def test_publish_refuses_after_a_failed_build(built, warehouse):
    good = publish(warehouse)
    published_bytes = built.published.read_bytes()
    # the real path, failing cheaply: ingest, then a dbt command that exits non-zero
    with pytest.raises(subprocess.CalledProcessError):
        build_warehouse(built.landing, warehouse, as_of="now", command="no_such_dbt_command")
    run = newest_run(warehouse)
    assert (
        run["status"] == "failed" and run["dbt_returncode"] not in (None, 0) and run["run_id"] != good.run_id
    )
    # LEAD_AS_OF=now: the build's start, in UTC, to the second
    assert run["as_of"] == run["started_at"].strftime("%Y-%m-%d %H:%M:%S")
    assert "dbt exited with code" in run["message"]

    with pytest.raises(PublishError) as refused:
        publish(warehouse)
    assert not refused.value.busy
    assert str(refused.value).startswith(f"the last build (run {run['run_id']} at 20")
    assert "failed: dbt exited with code" in str(refused.value)
    assert str(refused.value).endswith("Fix it and rebuild; the published copy is unchanged")
    out = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("publish failed: the last build (run ")
    assert built.published.read_bytes() == published_bytes
    assert not list(built.published.parent.glob("*publishing*"))


@pytest.mark.dbt
def test_publish_refuses_after_raw_was_replaced_by_a_newer_ingest(built, warehouse):
    ingest_landing(built.landing_more, warehouse)  # one more lead, no build
    with pytest.raises(
        PublishError, match=r"the raw tables were replaced after the last build \(run "
    ) as refused:
        publish(warehouse)
    assert "Rebuild; the published copy is unchanged" in str(refused.value)
    out = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse))
    assert out.returncode == 1 and "raw tables were replaced" in out.stderr
    assert not built.published.exists()

    # same row counts, another landing: the fingerprints tell them apart
    shutil.copy(built.pristine, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update meta.build_runs set landing_fingerprint = coalesce(landing_fingerprint, 'built')")
        con.execute(
            "create or replace table meta.landing_snapshot as select 'another landing' as fingerprint, "
            "now()::timestamp as ingested_at, 12 as table_count, 12 as file_count, 0::bigint as raw_rows, "
            "'' as absent_tables"
        )
    finally:
        con.close()
    with pytest.raises(PublishError, match="they hold landing another landing"):
        publish(warehouse)


@pytest.mark.dbt
def test_a_sigkilled_build_leaves_no_dbt_running_and_is_not_published(built, warehouse):
    build = start_cli_build(built, warehouse)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    assert wait_until_no_dbt(warehouse) == []  # dbt died with its parent
    assert lock_released(warehouse)
    run = newest_run(warehouse)
    assert run["status"] == "running"
    with pytest.raises(
        PublishError, match=rf"the last build \(run {run['run_id']}, started .*\) did not finish"
    ):
        publish(warehouse)
    out = run_cli("leadwarehouse.publish", "--warehouse", str(warehouse))
    assert out.returncode == 1 and "did not finish" in out.stderr and "Traceback" not in out.stderr
    assert not built.published.exists()


@pytest.mark.dbt
def test_sigterm_stops_dbt_and_records_the_build_as_failed(built, warehouse):
    build = start_cli_build(built, warehouse)
    build.send_signal(signal.SIGTERM)
    stderr = build.communicate(timeout=60)[1]
    assert build.returncode == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert wait_until_no_dbt(warehouse, timeout=2) == []
    run = newest_run(warehouse)
    assert run["status"] == "failed" and "SIGTERM" in run["message"]
    with pytest.raises(PublishError, match="failed: the build was stopped by SIGTERM"):
        publish(warehouse)
