"""Time the Dagster jobs on synthetic data: the daily full build, then the hourly scoring refresh.

    python scripts/benchmark_refresh.py --leads 20000

Generates the landing files with the synthetic generator (once per leads/seed, kept in the work
folder), then runs both jobs in-process against a fresh warehouse in the work folder and prints
the wall time of each job and of its steps (ingest, dbt, export files, publish), the published
file size and the export's change counts. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


def parse_project(build: Path) -> None:
    """`dbt parse` with the run's warehouse path (and as_of), so every later dbt run reuses the partial parse."""
    from leadwarehouse.build import run_dbt

    run_dbt(["parse", "--quiet"], build)


def step_times(instance, run_id: str) -> dict[str, float]:
    stats = instance.get_run_step_stats(run_id)
    return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats if s.start_time}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/benchmark_refresh.py",
        description="Time the daily full build and the hourly scoring refresh (Dagster, in-process).",
    )
    parser.add_argument("--leads", type=int, default=20_000, help="synthetic leads (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default: %(default)s)")
    parser.add_argument(
        "--work",
        default=None,
        help="work folder for landing files, warehouse and exports (default: a temp folder)",
    )
    parser.add_argument("--hourly-runs", type=int, default=2, help="hourly refreshes to time (default: 2)")
    parser.add_argument(
        "--skip-tests", action="store_true", help="models and seeds only (no dbt data or unit tests)"
    )
    parser.add_argument(
        "--instance",
        choices=("memory", "sqlite"),
        default="memory",
        help="Dagster run/event storage: in memory (the warehouse work alone, default) or SQLite on disk "
        "(what `dagster dev` uses: adds a commit per run event)",
    )
    args = parser.parse_args(argv)

    work = Path(args.work or tempfile.mkdtemp(prefix="lead-benchmark-")).resolve()
    landing = work / f"landing-{args.leads}-seed-{args.seed}"
    build = work / "warehouse" / "build.duckdb"
    os.environ.setdefault("DBT_TARGET_PATH", str(work / "dbt-target"))
    os.environ.setdefault("DBT_LOG_PATH", str(work / "dbt-logs"))
    for stale in (build, build.with_name("published.duckdb")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(work / "exports", ignore_errors=True)

    from leadwarehouse.generator import generate

    started = time.perf_counter()
    if not (landing / "_manifest.json").is_file():
        generate(landing, args.leads, seed=args.seed)
    generate_s = time.perf_counter() - started
    parse_project(build)

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.resources import LandingResource, WarehouseResource

    defs = build_definitions(
        {
            "warehouse": WarehouseResource(build_path=str(build), exports_dir=str(work / "exports")),
            "landing": LandingResource(landing_dir=str(landing)),
        }
    )
    run_config = {"ops": {"lead_warehouse_dbt": {"config": {"skip_tests": args.skip_tests}}}}
    rows: list[tuple[str, float, dict[str, float], dict]] = []
    storage = (
        dg.instance_for_test()
        if args.instance == "sqlite"
        else contextlib.nullcontext(dg.DagsterInstance.ephemeral())
    )
    with storage as instance:
        for job_name in ["daily_full_build"] + ["hourly_scoring_refresh"] * args.hourly_runs:
            job = defs.resolve_job_def(job_name)
            started = time.perf_counter()
            result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
            seconds = time.perf_counter() - started
            if not result.success:
                print(f"{job_name} failed; see the Dagster events above", file=sys.stderr)
                return 1
            exported = next(
                (
                    e.materialization.metadata
                    for e in result.get_asset_materialization_events()
                    if e.asset_key.path[-1] == "lead_scores_v1_files"
                ),
                {},
            )
            rows.append((job_name, seconds, step_times(instance, result.run_id), exported))

    published = build.with_name("published.duckdb")
    print(
        f"\nlead warehouse refresh benchmark — {args.leads:,} leads (seed {args.seed}), {os.cpu_count()} cores"
    )
    print(f"  work folder {work}")
    print(f"  generate landing files      {generate_s:8.1f} s" + ("" if generate_s > 0.5 else " (reused)"))
    tests = "without dbt tests" if args.skip_tests else "with dbt tests"
    for job_name, seconds, steps, exported in rows:
        print(f"  {job_name:<26}  {seconds:8.1f} s  ({tests})")
        for step, step_s in sorted(steps.items(), key=lambda kv: -kv[1]):
            if step_s >= 0.05:
                print(f"      {step:<40} {step_s:7.1f} s")
        if exported:
            counts = {
                k: exported[k].value
                for k in ("dagster/row_count", "rows_inserted", "rows_updated", "rows_deleted")
            }
            print(
                f"      export: {counts['dagster/row_count']:,} rows, {counts['rows_inserted']:,} inserted, "
                f"{counts['rows_updated']:,} updated, {counts['rows_deleted']:,} deleted"
            )
    daily = rows[0][1]
    hourly = [s for name, s, _, _ in rows if name == "hourly_scoring_refresh"]
    if hourly:
        print(f"  hourly / daily                {min(hourly) / daily:8.2f}")
    print(f"  published copy                {published.stat().st_size / 1e6:8.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
