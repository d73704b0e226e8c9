"""`lead-dbt`: dbt's command line in a process that runs one dbt command and ends.

What it adds to `dbt` (pyproject.toml names it; leadwarehouse/build.py, Dagster's dbt resource
and the benchmark run it), each because of a cost measured around every build's nodes:
- log lines built only when a logger keeps them (leadwarehouse/dbt_logging.py), only the
  artifacts somebody reads (leadwarehouse/dbt_artifacts.py), each Jinja template compiled to
  Python once, not again in every process (leadwarehouse/dbt_templates.py), and so each config
  schema, each config validated once per process (leadwarehouse/dbt_schemas.py), and agate's date
  types built without rebuilding parsedatetime's locale tables for each query result
  (leadwarehouse/dbt_agate.py);
- Python's cyclic garbage collector spared dbt's long-lived objects: the imported modules, then
  the loaded project (manifest), are frozen (`gc.freeze`: never scanned again, never freed, as
  they live until the end anyway), and the collector pauses while the project loads, which makes
  few cycles (a full parse of this project: the same peak memory). Its collections then walk
  what the nodes create, not the whole project each time;
- a quick end: once dbt returns, the exit handlers run (dbt-duckdb closes the warehouse, which
  writes DuckDB's checkpoint; logging flushes dbt.log; dbt's own) and the process ends without
  freeing its objects one by one (Python's teardown and a last full collection);
- a start ahead of its input: with $LEAD_DBT_START_FD naming a pipe, the process imports dbt
  (~1.4 s) and then waits for "go" on that pipe before running the command. A build starts its dbt
  so while it ingests the landing files (leadwarehouse/build.py, `start_dbt`); the pipe closed
  without "go" (the ingest failed) ends the process with EXIT_NOT_STARTED, dbt not run.

Measured on the tiny CRM's hourly build from the command line (`python -m leadwarehouse.build
--skip-tests`, ~9 s, three alternating runs): the collector and the quick end ~1.1 s less.
A dbt release that moves what is wrapped here leaves dbt as it is (the command still runs).
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import gc
import os
import sys
from collections.abc import Iterator

from leadwarehouse.dbt_agate import share_date_constants
from leadwarehouse.dbt_artifacts import write_only_what_is_read
from leadwarehouse.dbt_logging import format_only_logged_lines
from leadwarehouse.dbt_schemas import cache_config_schemas
from leadwarehouse.dbt_templates import cache_compiled_templates

START_FD_VARIABLE = "LEAD_DBT_START_FD"
GO = b"go"
EXIT_NOT_STARTED = 75  # EX_TEMPFAIL: the build that started this process stopped before "go"


def wait_for_go() -> None:
    """With $LEAD_DBT_START_FD set: block until the starter writes "go" and closes the pipe; end
    the process (EXIT_NOT_STARTED) when it closes it without. The variable is not passed on."""
    fd = os.environ.pop(START_FD_VARIABLE, None)
    if fd is None:
        return
    with os.fdopen(int(fd), "rb") as pipe:
        word = pipe.read()
    if word != GO:
        os._exit(EXIT_NOT_STARTED)


# whether this thread's dbt command spares the collector (main(); in_process_command())
_SPARING: contextvars.ContextVar[bool] = contextvars.ContextVar("spare_the_collector", default=False)


def patch_dbt() -> None:
    """What every dbt command of this project gets, in a child or in process (idempotent): log
    lines built only when kept, only the artifacts that are read, compiled templates and config
    schemas kept, configs validated once, agate's date types sharing their locale tables."""
    format_only_logged_lines()
    write_only_what_is_read()
    cache_compiled_templates()
    cache_config_schemas()
    share_date_constants()


def collect_only_new_garbage() -> None:
    """Freeze what exists now (the imported modules), and the project once loaded, the collector
    paused while it loads (dbt.cli.requires.setup_manifest, wrapped once per process), for the dbt
    commands of threads that spare the collector (_SPARING); any other loads as before."""
    from dbt.cli import requires

    gc.freeze()
    setup_manifest = getattr(requires, "setup_manifest", None)
    if setup_manifest is None or getattr(setup_manifest, "freezes_the_project", False):
        return

    def setup_manifest_then_freeze(*args, **kwargs):
        if not _SPARING.get():
            return setup_manifest(*args, **kwargs)
        gc.disable()
        try:
            return setup_manifest(*args, **kwargs)
        finally:
            gc.enable()
            gc.freeze()

    setup_manifest_then_freeze.freezes_the_project = True
    setup_manifest_then_freeze.__wrapped__ = setup_manifest
    requires.setup_manifest = setup_manifest_then_freeze


@contextlib.contextmanager
def in_process_command() -> Iterator[None]:
    """One dbt command run inside a process that goes on after it (leadwarehouse/dbt_in_process.py,
    leadwarehouse/spark.py): patch_dbt(), the collector spared as in a child, and what was frozen
    unfrozen at the end, so the command's project can be freed."""
    patch_dbt()
    token = _SPARING.set(True)
    try:
        collect_only_new_garbage()
        yield
    finally:
        _SPARING.reset(token)
        gc.unfreeze()


def exit_now(code: object) -> None:
    """End the process as SystemExit(code) would, without Python's teardown: the exit handlers run
    first (the warehouse is closed and checkpointed, the logs flushed)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing to write
            stream.flush()
    os._exit(status)


def main() -> None:
    """`lead-dbt`: dbt's command line with the above."""
    patch_dbt()
    from dbt.cli.main import cli

    _SPARING.set(True)
    collect_only_new_garbage()
    wait_for_go()
    try:
        cli()
    except SystemExit as exc:
        exit_now(exc.code)


if __name__ == "__main__":
    main()
