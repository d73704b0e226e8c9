"""Build the warehouse: ingest the landing folder, then `dbt build` (models, seeds, tests).

python -m leadwarehouse.build --landing data/landing --warehouse data/warehouse/build.duckdb

One build at a time: a build holds the warehouse's lock (``build.duckdb.lock``, see
leadwarehouse/locking.py) from ingest to the end of dbt. A second build fails at once with a
message naming the holder (exit code 3), or waits with ``--wait``.

Every build is recorded in ``meta.build_runs`` of the warehouse: a ``running`` row is written
before ingest, completed with the landing fingerprint after ingest (``meta.landing_snapshot``, when
ingest writes one), and set to ``succeeded`` or ``failed`` (dbt's return code and a message) at the
end. A success also replaces ``meta.last_good_raw_counts`` with the raw row counts the build read
(publish checks them) and ``meta.last_good_input_counts`` with the rows per input table (the
data-quality volume guard compares the next build against them).
Publish only copies a warehouse whose newest build succeeded and whose raw tables are still the
ones that build read (leadwarehouse/publish.py). The as_of recorded is the one dbt used: ``--as-of``,
else ``$LEAD_AS_OF``, else (library calls) DEFAULT_AS_OF or (the command line) the as_of of a
generated landing's ``_manifest.json``, else ``now``; ``now`` is resolved here, once, to the build's
start (UTC, to the second) and passed to dbt as that timestamp, so the run can be replayed. Every
build ends by printing the data-quality summary (leadwarehouse/quality.py).

dbt runs as a child process in its own process group, started before ingest: it imports dbt
meanwhile and runs once the landing files are in (leadwarehouse/dbt_command.py). When the build
gets SIGTERM or SIGINT it stops that group (SIGTERM, then SIGKILL after a grace period), records the build as failed and
exits with 128 + the signal number. A build killed with SIGKILL cannot clean up, so on Linux the
dbt child is also made to die with it: dbt is a Python process started with subprocess, and a
``preexec_fn`` calls ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (through ctypes) in the child before it
executes dbt; the kernel kills dbt when the thread that started it exits. (That thread is the one
waiting for dbt, so it lives exactly as long as the dbt run.) The child also inherits the lock's file
descriptor, so the lock stays taken until the last process of the build is gone. The killed build's
``running`` row stays in meta.build_runs and publish refuses the warehouse until a build succeeds.

Exit codes: 0 built; 1 dbt failed; 2 the landing folder breaks the input contract (or a bad
argument); 3 busy (another build or a publish holds the warehouse); 128 + N stopped by signal N.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadwarehouse import dbt_artifacts, dbt_command, dbt_in_process, dbt_logging
from leadwarehouse.connectors import SHAPES as CONNECTOR_SHAPES
from leadwarehouse.connectors import ConnectorError, load_connector_landing
from leadwarehouse.contract import TABLES
from leadwarehouse.duckdb_resources import connect, duckdb_resources
from leadwarehouse.ingest import ContractError, ingest_landing
from leadwarehouse.locking import EXIT_BUSY, LockBusy, add_wait_argument, build_lock
from leadwarehouse.quality import print_summary as print_quality_summary

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_AS_OF = "2026-11-01 00:00:00"  # the dbt default (macros/parsing.sql, as_of_literal)
STOP_GRACE_SECONDS = 10.0  # after SIGTERM, how long dbt may take to exit before SIGKILL
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

BUILD_RUNS_DDL = """
create table if not exists meta.build_runs (
    run_id varchar, started_at timestamp, finished_at timestamp, as_of timestamp,
    landing_fingerprint varchar, status varchar, dbt_command varchar, dbt_returncode integer,
    message varchar, model_code varchar, seed_files varchar
)"""
# a warehouse built before model_code (seed_files) was recorded gets the column (null: the next
# build is full (loads the seeds))
BUILD_RUNS_MIGRATIONS = (
    "alter table meta.build_runs add column if not exists model_code varchar",
    "alter table meta.build_runs add column if not exists seed_files varchar",
)
# what the incremental models' stored rows were computed by: a change to any of it (a model's SQL,
# a macro, the project's vars) makes the next build a full refresh
MODEL_CODE_PATHS = ("models", "macros", "dbt_project.yml")
# what the seed tables were loaded from (their column types are in dbt_project.yml: model code)
SEED_FILE_PATHS = ("seeds",)
LAST_GOOD_RAW_COUNTS_DDL = """
create table if not exists meta.last_good_raw_counts (
    source_table varchar, raw_rows bigint, run_id varchar, as_of timestamp
)"""
LAST_GOOD_INPUT_COUNTS_DDL = """
create table if not exists meta.last_good_input_counts (
    source_table varchar, input_rows bigint, run_id varchar, as_of timestamp
)"""


class Interrupted(BaseException):
    """The build got SIGTERM or SIGINT (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def raw_schema() -> str:
    return os.environ.get("LEAD_RAW_SCHEMA", "raw")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id(moment: datetime | None = None) -> str:
    return (moment or utc_now()).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def resolve_as_of(as_of: str | None = None, started: datetime | None = None) -> str:
    """The as_of dbt will use, as the exact timestamp text passed to it: `as_of`, else $LEAD_AS_OF,
    else DEFAULT_AS_OF; ``now`` (or ``clock``) is `started` (default: this moment) in UTC, to the
    second. Raises ValueError for text that is not a timestamp."""
    value = (as_of or os.environ.get("LEAD_AS_OF") or "").strip() or DEFAULT_AS_OF
    if value.lower() in ("now", "clock"):
        moment = started or datetime.now(UTC)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    con = duckdb.connect()
    try:
        parsed = con.execute("select try_cast(? as timestamp)", [value]).fetchone()[0]
    finally:
        con.close()
    if parsed is None:
        raise ValueError(f"as_of {value!r} is not a timestamp (e.g. '{DEFAULT_AS_OF}', or 'now')")
    return value


def dbt_env(
    warehouse_path: Path | str,
    as_of: str | None = None,
    shape: str | None = None,
    target: str | None = None,
) -> dict[str, str]:
    """dbt's environment: this process's, plus the warehouse path, as_of and shape profiles.yml and
    the models read, and DuckDB's memory limit, threads and spill folder (leadwarehouse/duckdb_resources.py:
    DUCKDB_MEMORY_LIMIT / DUCKDB_THREADS / DUCKDB_TEMP_DIRECTORY when set, else from the machine).
    `target` names the profiles.yml output (LEAD_WAREHOUSE_TARGET; default duckdb)."""
    env = dict(os.environ)
    # the default shape always unset, another always set: dbt_project.yml reads the variable, and
    # dbt parses the whole project again (~18 s of CPU) when it changes between runs at the same
    # path, also from unset to 'contract' (run_build names the shape, a bare `dbt` command or
    # Dagster's dbt step does not)
    resolved = source_shape(shape)
    if resolved == "contract":
        env.pop("LEAD_SOURCE_SHAPE", None)
    else:
        env["LEAD_SOURCE_SHAPE"] = resolved
    if target:
        env["LEAD_WAREHOUSE_TARGET"] = target
    env["LEAD_WAREHOUSE_PATH"] = str(Path(warehouse_path).resolve())
    env.update(duckdb_resources(warehouse_path, env).env())
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if as_of:
        env["LEAD_AS_OF"] = as_of
    return env


# ------------------------------------------------------------------ the dbt child process

_prctl = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError, AttributeError):
        _prctl = ctypes.CDLL(None, use_errno=True).prctl


def _child_setup(parent_pid: int) -> Callable[[], None]:
    """preexec_fn of the dbt child: its own process group, and (Linux) death with its parent."""

    def setup() -> None:
        os.setpgid(0, 0)
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os._exit(1)

    return setup


@contextlib.contextmanager
def stop_on_termination() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into Interrupted while inside (main thread only; elsewhere the
    signals keep their handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM dbt's process group, SIGKILL it if it has not exited after the grace period."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class DbtRun:
    """A dbt command, running or about to run: `start_dbt` starts it, `wait` lets it run (when
    held) and waits for its end, raising CalledProcessError on failure; `stop` ends it unrun."""

    def __init__(self, cmd: list[str], env: dict[str, str], quiet: bool, proc=None, go_fd=None):
        self.cmd, self.env, self.quiet, self.proc, self.go_fd = cmd, env, quiet, proc, go_fd

    def go(self) -> None:
        """Let a held dbt run (it has imported itself meanwhile: leadwarehouse/dbt_command.py)."""
        if self.go_fd is not None:
            with contextlib.suppress(BrokenPipeError):  # dbt already ended: wait() tells how
                os.write(self.go_fd, dbt_command.GO)
            os.close(self.go_fd)
            self.go_fd = None

    def wait(self) -> None:
        if self.proc is None:
            dbt_in_process.run(self.cmd, self.env, PROJECT_DIR, self.quiet)
            return
        with stop_on_termination():
            try:
                self.go()
                stdout, stderr = self.proc.communicate()
            except BaseException:
                _stop_group(self.proc)
                raise
        if self.proc.returncode != 0:
            if self.quiet:
                sys.stderr.write((stdout or "")[-20000:] + (stderr or "")[-5000:])
            raise subprocess.CalledProcessError(self.proc.returncode, self.cmd, stdout, stderr)

    def stop(self) -> None:
        """End a held dbt that is not to run (it exits at once; its group is stopped)."""
        if self.go_fd is not None:
            os.close(self.go_fd)
            self.go_fd = None
        if self.proc is not None:
            _stop_group(self.proc)


def start_dbt(
    args: list[str],
    warehouse_path: Path | str,
    as_of: str | None = None,
    quiet: bool = False,
    pass_fds: Sequence[int] = (),
    shape: str | None = None,
    target: str | None = None,
    env: Mapping[str, str] | None = None,
    held: bool = False,
) -> DbtRun:
    """Start one dbt command against the given warehouse. dbt runs in its own process group, is
    stopped with this process (SIGTERM/SIGINT here stop the group; on Linux it dies with this
    process even on SIGKILL), and inherits `pass_fds`. `target` names the profiles.yml output;
    `env` adds variables to dbt's environment (e.g. LEAD_PG_*). `held`: the process imports dbt,
    then waits for DbtRun.wait (or go) before it runs the command, so that a build's ingest and
    dbt's start overlap (dbt opens the warehouse only once let go)."""
    cmd = [dbt_logging.executable(), *args, "--project-dir", str(PROJECT_DIR)]
    dbt_environment = {**dbt_env(warehouse_path, as_of, shape, target), **(env or {})}
    if dbt_in_process.ENABLED.get():
        return DbtRun(cmd, dbt_environment, quiet)
    go_fd = None
    fds = tuple(pass_fds)
    if held:
        start_fd, go_fd = os.pipe()
        dbt_environment[dbt_command.START_FD_VARIABLE] = str(start_fd)
        fds += (start_fd,)
    try:
        with stop_on_termination():
            proc = subprocess.Popen(
                cmd,
                cwd=PROJECT_DIR,
                env=dbt_environment,
                stdout=subprocess.PIPE if quiet else None,
                stderr=subprocess.PIPE if quiet else None,
                text=True,
                preexec_fn=_child_setup(os.getpid()),
                pass_fds=fds,
            )
    except BaseException:
        if go_fd is not None:
            os.close(go_fd)
        raise
    finally:
        if held:
            os.close(start_fd)
    return DbtRun(cmd, dbt_environment, quiet, proc, go_fd)


def run_dbt(args: list[str], warehouse_path: Path | str, *options, **keywords) -> None:
    """Run one dbt command against the given warehouse (start_dbt's arguments); raise
    CalledProcessError on failure. A caller of many small builds (the test suite) may run dbt in
    this process instead (leadwarehouse/dbt_in_process.py)."""
    start_dbt(args, warehouse_path, *options, **keywords).wait()


def source_shape(shape: str | None = None) -> str:
    """The shape of the input: `shape`, else $LEAD_SOURCE_SHAPE, else the landing contract."""
    value = (shape or os.environ.get("LEAD_SOURCE_SHAPE") or "contract").strip().lower()
    if value not in ("contract", *CONNECTOR_SHAPES):
        raise ValueError(f"source shape must be contract, salesforce or hubspot, got {value!r}")
    return value


def load_inputs(
    landing_dir: Path | str,
    warehouse_path: Path | str,
    shape: str,
    full: bool = False,
    run_id: str | None = None,
) -> dict[str, int]:
    """Contract files through ingest (only new or changed files unless `full`); a Salesforce /
    HubSpot export through the connector loader (its connector tables into their schema, the
    contract files beside them through ingest)."""
    if shape == "contract":
        return ingest_landing(landing_dir, warehouse_path, raw_schema(), batch_id=run_id, full=full)
    try:
        return load_connector_landing(shape, landing_dir, warehouse_path, raw_schema())
    except ConnectorError as exc:
        raise ContractError(str(exc)) from exc


def dbt_build_args(
    command: str = "build", select: str | None = None, full_refresh: bool = False, unit_tests: bool = False
) -> list[str]:
    """dbt arguments of a build: `command` "build" (models, seeds, data tests), "run" (the same
    without data tests) or any other dbt command. dbt's unit tests check the SQL on hand-written
    rows, not the data, so a build runs them only with `unit_tests` (`make test`, or after editing
    a model): ~26 s of dbt node time whatever the data, as much as the score history's four
    models at 100,000 leads."""
    if command == "run":
        args = ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
    elif command == "build" and not unit_tests:
        args = ["build", "--exclude", "resource_type:unit_test"]
    else:
        args = [command]
    if select:
        # only test what was built: tests of unselected parents would read tables that do not exist
        args += ["--select", select, "--indirect-selection", "cautious"]
    if full_refresh:
        args.append("--full-refresh")
    return args


def _run_results(started: datetime) -> list[dict]:
    """The node results of dbt's run_results.json if dbt wrote it during this build, else []."""
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    path = (target if target.is_absolute() else PROJECT_DIR / target) / "run_results.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        if datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None) >= started:
            return list(json.loads(path.read_text())["results"])
    return []


def _dbt_failure_summary(started: datetime) -> str:
    """The failing nodes of dbt's run_results.json, if dbt wrote it during this build."""
    failed = [r.get("unique_id", "?") for r in _run_results(started) if r.get("status") in ("error", "fail")]
    if failed:
        return f" ({len(failed)} failing: {', '.join(failed[:5])}{', …' if len(failed) > 5 else ''})"
    return ""


# DuckDB with several dbt threads: while one thread swaps a table model in (its old table renamed
# to __dbt_backup and dropped, the new one renamed from __dbt_tmp), a statement of another thread
# can fail with "Catalog Error: Table with name X__dbt_backup does not exist!" (dbt-duckdb issue
# #748; seen once in a 1M-lead hourly refresh). The failed model's transaction rolled back and its
# dependants were skipped, so nothing is half-written: the build re-runs those nodes once. The
# cause found here: dbt-duckdb reads duckdb_indexes() before rebuilding each table, which resolves
# every index's table, and fails while another thread has renamed an indexed table to __dbt_backup;
# the project's one index is now PostgreSQL's only (stg_reference__picklist_lookup). Kept for
# indexes a user adds.
CATALOG_RACE = re.compile(r"Catalog Error: Table with name \S+__dbt_(?:backup|tmp)\S* does not exist")


def only_catalog_races(results: Sequence[Mapping]) -> bool:
    """Whether every node that failed hit the catalog race (CATALOG_RACE) and nothing else failed
    (no data test failed: that is the data, not the engine)."""
    failed = [r for r in results if r.get("status") in ("error", "fail")]
    return bool(failed) and all(
        r.get("status") == "error" and CATALOG_RACE.search(r.get("message") or "") for r in failed
    )


# ------------------------------------------------------------------ meta.build_runs


@contextlib.contextmanager
def _warehouse(warehouse_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    Path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    con = connect(warehouse_path)
    try:
        con.execute("create schema if not exists meta")
        con.execute(BUILD_RUNS_DDL)
        for migration in BUILD_RUNS_MIGRATIONS:
            con.execute(migration)
        yield con
    finally:
        con.close()


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() "
            "and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def landing_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the landing files in raw (meta.landing_snapshot, written by ingest);
    None while ingest writes no snapshot."""
    if not _relation_exists(con, "meta", "landing_snapshot"):
        return None
    row = con.execute("select max(fingerprint) from meta.landing_snapshot").fetchone()
    return row[0] if row else None


def raw_row_counts(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> dict[str, int]:
    """count(*) of each contract table present in the raw schema."""
    schema = schema or raw_schema()
    return {
        name: con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        for name in TABLES
        if _relation_exists(con, schema, name)
    }


def delivered_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows delivered per input table as the build counted them (marts.raw_row_reconciliation:
    comparable in every source shape), else the raw tables' counts. The volume guard of the
    data-quality summary compares the next build against these."""
    if _relation_exists(con, "marts", "raw_row_reconciliation"):
        return dict(con.execute("select source_table, raw_rows from marts.raw_row_reconciliation").fetchall())
    return raw_row_counts(con)


def landing_as_of(landing_dir: Path | str) -> str | None:
    """The as_of a generated landing folder was made for (its _manifest.json), else None."""
    manifest = Path(landing_dir) / "_manifest.json"
    try:
        value = json.loads(manifest.read_text()).get("as_of")
    except (OSError, ValueError, AttributeError):
        return None
    return str(value).replace("T", " ").removesuffix("Z") if value else None


def model_code_fingerprint() -> str:
    """sha256 of the dbt project's models, macros and dbt_project.yml (paths and contents)."""
    return _files_fingerprint(MODEL_CODE_PATHS)


def seed_files_fingerprint() -> str:
    """sha256 of the seeds folder (CSV files and their properties; paths and contents)."""
    return _files_fingerprint(SEED_FILE_PATHS)


def _files_fingerprint(tops: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for top in tops:
        root = PROJECT_DIR / top
        for path in sorted([root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())):
            digest.update(path.relative_to(PROJECT_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def continues_incremental_state(warehouse_path: Path | str, this_run_id: str | None = None) -> bool:
    """Whether dbt's incremental models may go on from what the last build left (docs/incremental.md):
    only when that build succeeded, built every model and ran the same model code. A failed, killed
    or --select build may have advanced int_scoring_changed_leads without the models that follow
    it, and rows stored by other SQL may differ from what this SQL computes: the next build must
    then be a full refresh. True for a warehouse without builds (nothing to go on from). The row of
    `this_run_id` (a Dagster run records itself at ingest) is not the last build."""
    return _continues_from(_previous_build(warehouse_path, this_run_id))


def _continues_from(row: dict | None) -> bool:
    if row is None:
        return True
    partial = "--select" in shlex.split(row["dbt_command"] or "") and "fqn:*" not in (
        row["dbt_command"] or ""
    )
    return row["status"] == "succeeded" and not partial and row["model_code"] == model_code_fingerprint()


def seeds_already_loaded(warehouse_path: Path | str, this_run_id: str | None = None) -> bool:
    """Whether an incremental build may leave the seed tables as they are: the last build, which it
    continues from, loaded these very seed files (~1 s of an hourly refresh's ~35 s on 2 cores,
    33 seeds). Reloading unchanged seeds changes no row; a changed seed is loaded and its change
    models see what changed (docs/incremental.md)."""
    row = _previous_build(warehouse_path, this_run_id)
    return row is not None and _continues_from(row) and row["seed_files"] == seed_files_fingerprint()


def _previous_build(warehouse_path: Path | str, this_run_id: str | None) -> dict | None:
    """The newest meta.build_runs row but this run's (None without a warehouse or builds)."""
    if not Path(warehouse_path).exists():
        return None
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        if not con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'meta' and table_name = 'build_runs'"
        ).fetchone()[0]:
            return None
        columns = {r[0] for r in con.execute("describe meta.build_runs").fetchall()}
        recorded = [c if c in columns else f"null as {c}" for c in ("model_code", "seed_files")]
        cursor = con.execute(
            f"select status, dbt_command, {', '.join(recorded)} from meta.build_runs "
            "where run_id is distinct from ? order by started_at desc nulls last limit 1",
            [this_run_id],
        )
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def start_build_run(
    warehouse_path: Path | str,
    run_id: str,
    as_of: str,
    dbt_command: str | None = None,
    started_at: datetime | None = None,
) -> None:
    """Record a `running` build (replacing an earlier row of the same run id: a retry)."""
    with _warehouse(warehouse_path) as con:
        # dbt reads the last good counts (source build_meta): present, and empty before a success
        con.execute(LAST_GOOD_RAW_COUNTS_DDL)
        con.execute(LAST_GOOD_INPUT_COUNTS_DDL)
        con.execute("begin transaction")
        con.execute("delete from meta.build_runs where run_id = ?", [run_id])
        con.execute(
            "insert into meta.build_runs (run_id, started_at, as_of, status, dbt_command) "
            "values (?, ?, cast(? as timestamp), 'running', ?)",
            [run_id, started_at or utc_now(), as_of, dbt_command],
        )
        con.execute("commit")


def record_landing(warehouse_path: Path | str, run_id: str) -> str | None:
    """After ingest: store the landing fingerprint on the run's row; return it."""
    with _warehouse(warehouse_path) as con:
        fingerprint = landing_fingerprint(con)
        con.execute(
            "update meta.build_runs set landing_fingerprint = ? where run_id = ?", [fingerprint, run_id]
        )
        return fingerprint


def finish_build_run(
    warehouse_path: Path | str,
    run_id: str,
    *,
    succeeded: bool,
    returncode: int | None = None,
    message: str | None = None,
    dbt_command: str | None = None,
    loaded_seeds: bool = False,
) -> None:
    """Record the outcome. A success also replaces meta.last_good_raw_counts (same transaction).
    `loaded_seeds`: the seed tables now hold the seeds folder as it is (this build loaded them
    all, or left them as the last build, which loaded the same files, did)."""
    with _warehouse(warehouse_path) as con:
        con.execute(LAST_GOOD_RAW_COUNTS_DDL)
        con.execute("begin transaction")
        con.execute(
            "update meta.build_runs set finished_at = ?, status = ?, dbt_returncode = ?, message = ?, "
            "dbt_command = coalesce(?, dbt_command), model_code = ?, seed_files = ? where run_id = ?",
            [
                utc_now(),
                "succeeded" if succeeded else "failed",
                returncode,
                message,
                dbt_command,
                model_code_fingerprint() if succeeded else None,
                seed_files_fingerprint() if succeeded and loaded_seeds else None,
                run_id,
            ],
        )
        if succeeded:
            as_of = con.execute("select as_of from meta.build_runs where run_id = ?", [run_id]).fetchone()
            as_of = as_of[0] if as_of else None
            con.execute("delete from meta.last_good_raw_counts")
            con.executemany(
                "insert into meta.last_good_raw_counts values (?, ?, ?, ?)",
                [(name, rows, run_id, as_of) for name, rows in raw_row_counts(con).items()],
            )
            con.execute(LAST_GOOD_INPUT_COUNTS_DDL)
            con.execute("delete from meta.last_good_input_counts")
            con.executemany(
                "insert into meta.last_good_input_counts values (?, ?, ?, ?)",
                [(name, rows, run_id, as_of) for name, rows in delivered_row_counts(con).items()],
            )
        con.execute("commit")


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, ContractError):
        return f"ingest failed: {exc}"
    if isinstance(exc, subprocess.CalledProcessError):
        if exc.returncode < 0:
            return f"dbt was stopped by signal {-exc.returncode}"
        return f"dbt exited with code {exc.returncode}"
    if isinstance(exc, Interrupted | KeyboardInterrupt):
        return f"the build was {exc or 'interrupted'}"
    return f"{type(exc).__name__}: {exc}"[:2000]


# ------------------------------------------------------------------ the build


@dataclass(frozen=True)
class BuildResult:
    run_id: str
    as_of: str
    raw_counts: dict[str, int]
    landing_fingerprint: str | None
    seconds: float


def run_build(
    landing_dir: Path | str,
    warehouse_path: Path | str,
    dbt_args: list[str],
    *,
    as_of: str | None = None,
    quiet: bool = True,
    wait: bool | float = False,
    run_id: str | None = None,
    log: Callable[[str], object] | None = None,
    shape: str | None = None,
    all_artifacts: bool = False,
) -> BuildResult:
    """Under the warehouse's lock: record a running build, load the landing folder (contract files,
    or a Salesforce / HubSpot export: `shape`, default $LEAD_SOURCE_SHAPE), run dbt in that shape,
    record the outcome. dbt writes run_results.json and semantic_manifest.json, and its manifest
    and graph only with `all_artifacts` (leadwarehouse/dbt_artifacts.py).
    Raises LockBusy (nothing done), ContractError (ingest), subprocess.CalledProcessError (dbt),
    Interrupted (SIGTERM/SIGINT; dbt stopped); every failure after the lock is recorded."""
    resolve_as_of(as_of)  # a bad as_of, shape or DUCKDB_THREADS fails before waiting for the lock
    shape = source_shape(shape)
    duckdb_resources(warehouse_path)
    timer = time.perf_counter()
    lock = build_lock(warehouse_path)
    with stop_on_termination():
        lock.acquire(wait)
        try:
            started = utc_now()
            as_of = resolve_as_of(as_of, started)
            run_id = run_id or new_run_id(started)
            resuming = dbt_args[:1] == ["build"] and "--full-refresh" not in dbt_args
            if resuming and not continues_incremental_state(warehouse_path):
                dbt_args = [*dbt_args, "--full-refresh"]
                if log:
                    log(
                        "the last build failed, was partial or ran other model code: this one is a full refresh"
                    )
            loads_seeds = dbt_args[0] in ("build", "seed") and "--select" not in dbt_args
            if resuming and loads_seeds and seeds_already_loaded(warehouse_path):
                dbt_args = [*dbt_args, "--exclude-resource-type", "seed"]
                if log:
                    log("the seed files are those the last build loaded: the seed tables stay as they are")
            start_build_run(warehouse_path, run_id, as_of, shlex.join(["dbt", *dbt_args]), started)
            try:
                dbt = functools.partial(
                    start_dbt,
                    warehouse_path=warehouse_path,
                    as_of=as_of,
                    quiet=quiet,
                    pass_fds=[lock.fd],
                    shape=shape,
                    env={} if all_artifacts else {dbt_artifacts.VARIABLE: dbt_artifacts.RESULTS_ONLY},
                )
                # dbt imports itself (~1.4 s) while the landing files are ingested; it opens the
                # warehouse once let go (leadwarehouse/dbt_command.py)
                first_run = dbt(dbt_args, held=True)
                try:
                    full = "--full-refresh" in dbt_args
                    counts = load_inputs(landing_dir, warehouse_path, shape, full=full, run_id=run_id)
                    fingerprint = record_landing(warehouse_path, run_id)
                    if log:
                        log(
                            f"ingested {sum(counts.values()):,} raw rows in {time.perf_counter() - timer:.1f}s "
                            f"(run {run_id}, as of {as_of})"
                        )
                except BaseException:
                    first_run.stop()
                    raise
                try:
                    first_run.wait()
                except subprocess.CalledProcessError:
                    if not only_catalog_races(_run_results(started)):
                        raise
                    if log:
                        log(
                            "DuckDB's catalog race between dbt threads (CATALOG_RACE): re-running the failed nodes"
                        )
                    # the failed and skipped nodes of the run above, with its arguments
                    dbt(["retry"]).wait()
                finish_build_run(
                    warehouse_path, run_id, succeeded=True, returncode=0, loaded_seeds=loads_seeds
                )
            except BaseException as exc:
                failed_dbt = isinstance(exc, subprocess.CalledProcessError)
                message = describe_failure(exc) + (_dbt_failure_summary(started) if failed_dbt else "")
                with contextlib.suppress(Exception):  # best effort: else the row stays 'running'
                    finish_build_run(
                        warehouse_path,
                        run_id,
                        succeeded=False,
                        returncode=exc.returncode if failed_dbt else None,
                        message=message,
                    )
                raise
        finally:
            lock.release()
    return BuildResult(run_id, as_of, counts, fingerprint, time.perf_counter() - timer)


def build_warehouse(
    landing_dir: Path | str,
    warehouse_path: Path | str,
    as_of: str | None = None,
    select: str | None = None,
    full_refresh: bool = False,
    quiet: bool = True,
    command: str = "build",
    wait: bool | float = False,
    shape: str | None = None,
) -> dict[str, int]:
    """Ingest then `dbt build` (or `dbt run`/`seed`…: `command`) under the warehouse's lock,
    recorded in meta.build_runs. Returns the raw row counts."""
    args = dbt_build_args(command, select, full_refresh)
    return run_build(
        landing_dir, warehouse_path, args, as_of=as_of, quiet=quiet, wait=wait, shape=shape
    ).raw_counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.build",
        description="Load the landing folder and build every model, seed and test of the warehouse, "
        "holding the warehouse's lock from ingest to the end of dbt and recording the build in "
        "meta.build_runs.",
        epilog="exit codes: 0 built; 1 dbt failed; 2 the landing folder breaks the input contract; "
        f"{EXIT_BUSY} busy: another build or a publish holds the warehouse (see --wait); "
        "128+N stopped by signal N",
    )
    parser.add_argument("--landing", default="data/landing", help="landing folder (default: %(default)s)")
    parser.add_argument(
        "--warehouse", default="data/warehouse/build.duckdb", help="DuckDB file (default: %(default)s)"
    )
    parser.add_argument(
        "--as-of",
        default=None,
        help="the build's 'now': a timestamp, or 'now' for the start of the build in UTC "
        "(default: $LEAD_AS_OF, else the as_of of a generated landing's _manifest.json, else now)",
    )
    parser.add_argument(
        "--shape",
        choices=("contract", *CONNECTOR_SHAPES),
        default=None,
        help="what the landing folder holds: the input contract's files, or a Fivetran Salesforce / "
        "HubSpot export (one file per connector table, contract files beside it) "
        "(default: $LEAD_SOURCE_SHAPE, else contract)",
    )
    parser.add_argument("--select", default=None, help="dbt node selection (default: everything)")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="reload every landing file and rebuild incremental models from scratch",
    )
    parser.add_argument(
        "--skip-tests", action="store_true", help="build models and seeds without dbt's tests"
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (the models' SQL on hand-written rows; after editing a model)",
    )
    add_wait_argument(parser)
    args = parser.parse_args(argv)
    try:
        resolve_as_of(args.as_of)
        source_shape(args.shape)
        duckdb_resources(args.warehouse)
    except ValueError as exc:
        parser.error(str(exc))
    if args.skip_tests and args.unit_tests:
        parser.error("--unit-tests runs tests: not with --skip-tests")
    dbt_args = dbt_build_args(
        "run" if args.skip_tests else "build", args.select, args.full_refresh, unit_tests=args.unit_tests
    )
    # Your own files are built as of now (a fixed past default would call every newer row
    # "future"); a generated demo landing as of the moment it was generated for.
    as_of = args.as_of or os.environ.get("LEAD_AS_OF") or landing_as_of(args.landing) or "now"
    try:
        result = run_build(
            args.landing,
            args.warehouse,
            dbt_args,
            as_of=as_of,
            quiet=False,
            wait=args.wait,
            log=print,
            shape=args.shape,
        )
    except LockBusy as exc:
        print(f"build not started: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except duckdb.IOException as exc:
        print(f"build failed: {args.warehouse} is in use by another process: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except ContractError as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError:
        print_quality_summary(args.warehouse)
        print("dbt build failed (see the log above); the published copy is unchanged", file=sys.stderr)
        return 1
    except Interrupted as exc:
        print(f"build {exc}: dbt stopped; the published copy is unchanged", file=sys.stderr)
        return 128 + exc.signum
    print_quality_summary(args.warehouse)
    print(f"built {args.warehouse} in {result.seconds:.1f}s (run {result.run_id}, as of {result.as_of})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
