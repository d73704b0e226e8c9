"""Build the warehouse: ingest the landing folder, then `dbt build` (models, seeds, tests).

python -m leadwarehouse.build --landing data/landing --warehouse data/warehouse/build.duckdb
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from leadwarehouse.ingest import ContractError, ingest_landing

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_AS_OF = "2026-11-01 00:00:00"


def dbt_env(warehouse_path: Path | str, as_of: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["LEAD_WAREHOUSE_PATH"] = str(Path(warehouse_path).resolve())
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if as_of:
        env["LEAD_AS_OF"] = as_of
    return env


def run_dbt(
    args: list[str], warehouse_path: Path | str, as_of: str | None = None, quiet: bool = False
) -> None:
    """Run one dbt command against the given warehouse; raise CalledProcessError on failure."""
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [str(dbt), *args, "--project-dir", str(PROJECT_DIR)]
    out = subprocess.run(
        cmd,
        cwd=PROJECT_DIR,
        env=dbt_env(warehouse_path, as_of),
        capture_output=quiet,
        text=True,
    )
    if out.returncode != 0:
        if quiet:
            sys.stderr.write(out.stdout[-20000:] + out.stderr[-5000:])
        raise subprocess.CalledProcessError(out.returncode, cmd, out.stdout, out.stderr)


def build_warehouse(
    landing_dir: Path | str,
    warehouse_path: Path | str,
    as_of: str | None = None,
    select: str | None = None,
    full_refresh: bool = False,
    quiet: bool = True,
    command: str = "build",
) -> dict[str, int]:
    """Ingest then `dbt build` (or `dbt run`/`seed`…: `command`). Returns the raw row counts."""
    counts = ingest_landing(landing_dir, warehouse_path)
    args = (
        [command]
        if command != "run"
        else ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
    )
    if select:
        # only test what was built: tests of unselected parents would read tables that do not exist
        args += ["--select", select, "--indirect-selection", "cautious"]
    if full_refresh:
        args.append("--full-refresh")
    run_dbt(args, warehouse_path, as_of, quiet=quiet)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.build",
        description="Load the landing folder and build every model, seed and test of the warehouse.",
    )
    parser.add_argument("--landing", default="data/landing", help="landing folder (default: %(default)s)")
    parser.add_argument(
        "--warehouse", default="data/warehouse/build.duckdb", help="DuckDB file (default: %(default)s)"
    )
    parser.add_argument(
        "--as-of", default=None, help=f"the build's 'now' (default: {DEFAULT_AS_OF} or $LEAD_AS_OF)"
    )
    parser.add_argument("--select", default=None, help="dbt node selection (default: everything)")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    parser.add_argument(
        "--skip-tests", action="store_true", help="build models and seeds without dbt's tests"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = ingest_landing(args.landing, args.warehouse)
    except ContractError as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 2
    print(f"ingested {sum(counts.values()):,} raw rows in {time.perf_counter() - started:.1f}s")
    dbt_args = ["build"] + (["--select", args.select] if args.select else [])
    dbt_args += ["--full-refresh"] if args.full_refresh else []
    dbt_args += ["--exclude", "resource_type:test", "resource_type:unit_test"] if args.skip_tests else []
    try:
        run_dbt(dbt_args, args.warehouse, args.as_of)
    except subprocess.CalledProcessError:
        print("dbt build failed (see the log above)", file=sys.stderr)
        return 1
    print(f"built {args.warehouse} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
