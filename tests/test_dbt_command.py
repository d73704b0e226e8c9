"""leadwarehouse/dbt_command.py: `lead-dbt` starts ahead of its input and runs only on "go", spares
the collector dbt's long-lived objects, and ends without Python's teardown but after the exit
handlers (the warehouse closed, so checkpointed); a build whose ingest fails stops its held dbt."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading

import duckdb
import pytest
from dbt.cli import requires

from leadwarehouse import build, dbt_command
from leadwarehouse.build import PROJECT_DIR, run_build
from leadwarehouse.dbt_logging import executable
from leadwarehouse.ingest import ContractError
from tests.tiny_crm import AS_OF


def held_lead_dbt(*args: str) -> tuple[subprocess.Popen, int]:
    """`lead-dbt args` held on a pipe; returns the process and the pipe's write end."""
    start_fd, go_fd = os.pipe()
    proc = subprocess.Popen(
        [executable(), *args],
        cwd=PROJECT_DIR,
        env={**os.environ, dbt_command.START_FD_VARIABLE: str(start_fd)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(start_fd,),
    )
    os.close(start_fd)
    return proc, go_fd


def test_a_held_lead_dbt_runs_its_command_on_go_and_ends_unrun_without_it():
    proc, go_fd = held_lead_dbt("--version")
    os.write(go_fd, dbt_command.GO)
    os.close(go_fd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "installed:" in out, err

    proc, go_fd = held_lead_dbt("--version")
    os.close(go_fd)  # the build's ingest failed
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out, err) == (dbt_command.EXIT_NOT_STARTED, "", "")


QUICK_END = """
import atexit, sys
import duckdb
from leadwarehouse.dbt_command import exit_now

class TornDown:
    def __del__(self):
        print("torn down", flush=True)

kept = TornDown()  # freed only by Python's teardown
con = duckdb.connect(sys.argv[1])
atexit.register(con.close)  # as dbt-duckdb closes its database
con.execute("create table t as select range as i from range(1000)")
exit_now(eval(sys.argv[2]))
"""


@pytest.mark.parametrize(
    ("code", "status", "stderr"), [("None", 0, ""), ("4", 4, ""), ("'stopped'", 1, "stopped\n")]
)
def test_the_quick_end_runs_the_exit_handlers_and_skips_the_teardown(tmp_path, code, status, stderr):
    warehouse = tmp_path / "w.duckdb"
    out = subprocess.run(
        [sys.executable, "-c", QUICK_END, str(warehouse), code], capture_output=True, text=True, timeout=60
    )
    assert (out.returncode, out.stdout, out.stderr) == (status, "", stderr)
    assert not warehouse.with_name("w.duckdb.wal").exists()  # closed, so checkpointed
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*), sum(i) from t").fetchone() == (1000, 499500)
    finally:
        con.close()


def test_the_collector_pauses_while_the_project_loads_and_then_freezes_it(monkeypatch):
    seen = {}

    def load_project(ctx):
        seen["collector on while loading"] = gc.isenabled()
        ctx["project"] = [[n] for n in range(1000)]  # long-lived objects the collector tracks
        return "loaded"

    monkeypatch.setattr(requires, "setup_manifest", load_project)
    # one command in this process, as the tests' builds run (unfrozen at the end: the process goes on)
    with dbt_command.in_process_command():
        dbt_command.collect_only_new_garbage()  # idempotent: wrapped once
        assert requires.setup_manifest.__wrapped__ is load_project
        frozen_before = gc.get_freeze_count()
        ctx = {}
        assert requires.setup_manifest(ctx) == "loaded"
        assert seen == {"collector on while loading": False} and gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + 1000  # the loaded project's lists


@pytest.mark.dbt
def test_a_build_whose_ingest_fails_stops_its_held_dbt_unrun(tmp_path, monkeypatch):
    started = []
    start_dbt = build.start_dbt

    def recorded_start(*args, **kwargs):
        started.append(start_dbt(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(build, "start_dbt", recorded_start)
    (tmp_path / "landing").mkdir()
    failures = []

    def build_an_empty_landing():
        # in another thread dbt keeps its child process (tests/conftest.py, dbt_in_this_process)
        try:
            run_build(tmp_path / "landing", tmp_path / "w.duckdb", ["run"], as_of=AS_OF)
        except BaseException as exc:
            failures.append(exc)

    builder = threading.Thread(target=build_an_empty_landing)
    builder.start()
    builder.join(timeout=120)
    assert len(failures) == 1 and isinstance(failures[0], ContractError)
    (run,) = started
    assert run.proc is not None and run.proc.returncode in (dbt_command.EXIT_NOT_STARTED, -signal.SIGTERM)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        status, message = con.execute(
            "select status, message from meta.build_runs order by started_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    assert status == "failed" and "no landing file found" in message
