"""Run dbt inside this Python process instead of as a child process, for callers that run many
small builds one after another (the test suite: tests/conftest.py).

A dbt child process spends ~4-6 s before its first node: importing dbt (~2.4 s with bytecode),
loading the parsed project, setting up; dbt's own Python API (`dbtRunner`) pays the import once
per process. Measured on this project (2-core machine): a no-op `dbt ls` took 6.2 s as a child
process and 2.1 s as a second invocation in one process; the tiny CRM's models-only build 19-22 s
as a child, 13-14 s in process after the first; five build-heavy test modules took 254 s of CPU
with dbt children and 203 s in process.

What a child process gave for free is done here by hand, so that a build reads the same:
- the environment `leadwarehouse.build.dbt_env` computes (warehouse path, as_of, shape, DuckDB
  resources) is set in `os.environ` for the invocation and restored afterwards;
- dbt-duckdb keeps its DuckDB database open in a class attribute across invocations: it is closed
  after each one, so the file can be moved, read or built again by anyone;
- dbt's console output is captured (`quiet`) as a child's stdout was, for the failure message.

Only one invocation at a time (a lock): dbt's flags and event manager are process-wide. It is
opt-in per thread (`in_this_process()`), so builds started in other threads keep running dbt as
child processes and use the other core. The command line, the Dagster assets and every build that
must stop on a signal keep the child process (leadwarehouse/build.py: run_dbt).
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from leadwarehouse.dbt_command import in_process_command
from leadwarehouse.environment import environment_with

ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("dbt_in_process", default=False)
_ONE_AT_A_TIME = threading.Lock()


@contextlib.contextmanager
def in_this_process() -> Iterator[None]:
    """Inside the block, leadwarehouse.build.run_dbt runs dbt in this process (this thread only: a
    new thread starts with the default, a child process)."""
    token = ENABLED.set(True)
    try:
        yield
    finally:
        ENABLED.reset(token)


@contextlib.contextmanager
def _environment(env: Mapping[str, str], cwd: Path) -> Iterator[None]:
    """`env` as os.environ, `cwd` as the working folder, for the block (only what differs is
    changed, and changed back)."""
    changes = {name: env.get(name) for name in {*env, *os.environ} if os.environ.get(name) != env.get(name)}
    previous_cwd = os.getcwd()
    with environment_with(changes):
        os.chdir(cwd)
        try:
            yield
        finally:
            os.chdir(previous_cwd)


def _close_duckdb() -> None:
    """dbt-duckdb's process-wide database handle (a child process closed it by exiting)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def run(cmd: list[str], env: Mapping[str, str], cwd: Path, quiet: bool) -> None:
    """`cmd` (["dbt", *args]) in this process; raise CalledProcessError as the child would have
    (return code 1: dbt ran and something failed; 2: dbt could not run)."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    output = io.StringIO()
    with _ONE_AT_A_TIME, _environment(env, cwd), in_process_command():
        if quiet:
            capture_stdout_logs(output)
        try:
            result = dbtRunner().invoke(cmd[1:])
        finally:
            if quiet:
                stop_capture_stdout_logs()
            _close_duckdb()
    if not result.success:
        returncode = 1 if result.exception is None else 2
        stdout = output.getvalue() + (f"\n{result.exception}" if result.exception else "")
        raise subprocess.CalledProcessError(returncode, cmd, stdout, "")
