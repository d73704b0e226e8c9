"""How much of the machine DuckDB may use: its memory limit, its threads and where it spills;
and whether its checkpoints vacuum.

DuckDB's own defaults are 80 % of the RAM and a thread per core, with nothing that stops a build
from taking every byte of a machine it shares. Builds (dbt, through profiles.yml), ingest and
publish here default instead to

=======================  =======================================================================
DUCKDB_MEMORY_LIMIT      three quarters of the build's memory budget: half the memory of the
                         machine (or of its cgroup, when that is less), at most 4 GiB. DuckDB's
                         limit bounds its buffer pool; dbt's Python and DuckDB's allocations
                         outside the pool take the rest (measured at 1M leads: a 4,096 MiB limit
                         gave a 4,827 MB peak RSS). ``3072MiB`` on a 24 GiB machine. Any DuckDB
                         size: ``8GB``.
DUCKDB_THREADS           a thread per core this process may run on (cgroup CPU quota included)
DUCKDB_TEMP_DIRECTORY    ``<warehouse>.tmp/`` beside the warehouse file: where DuckDB spills what
                         does not fit in the memory limit (it removes the folder when it closes)
DUCKDB_MAX_VACUUM_TASKS  ``0``: a checkpoint does not vacuum (rewrite row groups to drop deleted
                         rows). An hourly refresh deletes and re-inserts its changed leads' rows
                         in ~40 tables, and vacuuming them cost the next checkpoint ~7 s of a
                         47 s refresh at 1M leads; the daily full refresh rebuilds every table,
                         which leaves no deleted row. Set DuckDB's own default (``100``) when
                         you never run full refreshes.
=======================  =======================================================================

Each variable, when set, replaces its default. `python -m leadwarehouse.build` passes them
to dbt as environment variables (leadwarehouse/build.py, dbt_env), and profiles.yml reads them
with env_var(), so the profile stays declarative. The defaults are computed from facts that do
not change from one run to the next on a machine (its memory, its cores, the warehouse path):
dbt re-parses the whole project when the profile's connection settings change between runs.

Every connection that writes the warehouse file applies them (`connect`): a checkpoint
vacuums by the settings of the connection that runs it, whichever process deleted the rows.

A process that starts dbt without `leadwarehouse.build` (the Dagster code location: ``make
dagster``) gets the same values from ``python -m leadwarehouse.duckdb_resources WAREHOUSE``, which
prints them as shell ``export`` lines.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

MEMORY_LIMIT_ENV = "DUCKDB_MEMORY_LIMIT"
THREADS_ENV = "DUCKDB_THREADS"
TEMP_DIRECTORY_ENV = "DUCKDB_TEMP_DIRECTORY"
VACUUM_TASKS_ENV = "DUCKDB_MAX_VACUUM_TASKS"

MEMORY_FRACTION = 0.5  # of the machine's (or cgroup's) memory: the build's memory budget
MEMORY_CAP_BYTES = 4 * 1024**3  # the budget is at most 4 GiB unless DUCKDB_MEMORY_LIMIT says otherwise
POOL_SHARE = 0.75  # of the budget for DuckDB's buffer pool (its memory_limit)
TEMP_SUFFIX = ".tmp"
DEFAULT_VACUUM_TASKS = 0  # the daily full refresh compacts (module docstring)

_CGROUP_MEMORY_FILES = (
    Path("/sys/fs/cgroup/memory.max"),  # cgroup v2
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),  # cgroup v1
)


def _read_int(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().split()[0])
    return None


def machine_memory_bytes() -> int | None:
    """Physical memory, or the cgroup's memory limit when that is smaller (None if unknown)."""
    found = []
    with contextlib.suppress(OSError, ValueError, AttributeError):
        found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    for path in _CGROUP_MEMORY_FILES:
        limit = _read_int(path)  # "max" (v2) reads as None; "no limit" (v1) is a huge number
        if limit and limit < 2**60:
            found.append(limit)
    return min(found) if found else None


def machine_cores() -> int:
    """The cores this process may run on, within the cgroup's CPU quota (at least 1)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        text = Path("/sys/fs/cgroup/cpu.max").read_text().split()  # cgroup v2: "<quota> <period>"
        if text[0] != "max":
            quota = int(text[0]) / int(text[1])
    if quota is None:
        q = _read_int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))  # cgroup v1: -1 = none
        p = _read_int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))
        if q and q > 0 and p:
            quota = q / p
    if quota:
        cores = min(cores, max(1, int(quota)))
    return max(1, cores)


def default_memory_limit() -> str:
    """POOL_SHARE of the budget (MEMORY_FRACTION of the machine's memory, at most
    MEMORY_CAP_BYTES), in whole MiB."""
    memory = machine_memory_bytes()
    budget = MEMORY_CAP_BYTES if memory is None else min(MEMORY_CAP_BYTES, int(memory * MEMORY_FRACTION))
    return f"{max(int(budget * POOL_SHARE) // 2**20, 256)}MiB"


def default_temp_directory(warehouse_path: Path | str) -> Path:
    """``<warehouse>.tmp`` beside the warehouse file (build.duckdb → build.duckdb.tmp)."""
    path = Path(warehouse_path).resolve()
    return path.with_name(path.name + TEMP_SUFFIX)


@dataclass(frozen=True)
class DuckDBResources:
    memory_limit: str
    threads: int
    temp_directory: Path
    vacuum_tasks: int = DEFAULT_VACUUM_TASKS

    def env(self) -> dict[str, str]:
        """The environment variables profiles.yml reads."""
        return {
            MEMORY_LIMIT_ENV: self.memory_limit,
            THREADS_ENV: str(self.threads),
            TEMP_DIRECTORY_ENV: str(self.temp_directory),
            VACUUM_TASKS_ENV: str(self.vacuum_tasks),
        }

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        """Set them on an open connection (they are global: its whole database instance). Opening
        with config= would fail while another connection of this process has the file open."""
        con.execute(f"set memory_limit = '{self.memory_limit}'")
        con.execute(f"set threads = {self.threads}")
        con.execute(f"set max_vacuum_tasks = {self.vacuum_tasks}")
        current = con.execute("select current_setting('temp_directory')").fetchone()[0]
        if current != str(self.temp_directory):
            with contextlib.suppress(duckdb.Error):  # it spilled elsewhere already: keep that folder
                con.execute(
                    f"set temp_directory = '{str(self.temp_directory).replace(chr(39), chr(39) * 2)}'"
                )

    def config(self) -> dict[str, str]:
        """As DuckDB settings: for duckdb.connect(config=...), set once when the database is opened
        (DuckDB refuses to change temp_directory after it has spilled), and for a profile's
        `settings` (orchestration/assets/dbt.py, write_profile)."""
        return {
            "memory_limit": self.memory_limit,
            "threads": str(self.threads),
            "temp_directory": str(self.temp_directory),
            "max_vacuum_tasks": str(self.vacuum_tasks),
        }


def duckdb_resources(warehouse_path: Path | str, environ: Mapping[str, str] | None = None) -> DuckDBResources:
    """The resources of a DuckDB process working on `warehouse_path`: each environment variable
    (module docstring) when set, else the machine-derived default."""
    environ = os.environ if environ is None else environ
    memory = (environ.get(MEMORY_LIMIT_ENV) or "").strip() or default_memory_limit()
    threads_text = (environ.get(THREADS_ENV) or "").strip()
    try:
        threads = int(threads_text) if threads_text else machine_cores()
    except ValueError:
        raise ValueError(f"{THREADS_ENV} must be a whole number of threads, got {threads_text!r}") from None
    if threads < 1:
        raise ValueError(f"{THREADS_ENV} must be at least 1, got {threads}")
    temp = (environ.get(TEMP_DIRECTORY_ENV) or "").strip()
    temp_directory = Path(temp).expanduser().resolve() if temp else default_temp_directory(warehouse_path)
    vacuum_text = (environ.get(VACUUM_TASKS_ENV) or "").strip()
    try:
        vacuum_tasks = int(vacuum_text) if vacuum_text else DEFAULT_VACUUM_TASKS
    except ValueError:
        vacuum_tasks = -1
    if vacuum_tasks < 0:
        raise ValueError(f"{VACUUM_TASKS_ENV} must be a whole number (0 or more), got {vacuum_text!r}")
    return DuckDBResources(memory, threads, temp_directory, vacuum_tasks)


def connect(warehouse_path: Path | str) -> duckdb.DuckDBPyConnection:
    """A writing connection to the warehouse file with these settings applied (its checkpoints
    then vacuum as the build's do)."""
    con = duckdb.connect(str(warehouse_path))
    try:
        duckdb_resources(warehouse_path).apply(con)
    except BaseException:
        con.close()
        raise
    return con


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.duckdb_resources",
        description="Print the DuckDB memory limit, threads, spill folder and vacuum tasks for a warehouse file as "
        "shell export lines (each set variable kept, the others from the machine): "
        'eval "$(python -m leadwarehouse.duckdb_resources data/warehouse/build.duckdb)"',
    )
    parser.add_argument("warehouse", help="the DuckDB file dbt builds")
    args = parser.parse_args(argv)
    try:
        resources = duckdb_resources(args.warehouse)
    except ValueError as exc:
        parser.error(str(exc))
    for name, value in resources.env().items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
