"""Days of hourly refreshes, each ending with the nightly full refresh: does the last refresh of a
day cost what the first did, does the file stay bounded, and does each day's incremental state
equal a full build of the same data? (A benchmark, not a test: figures, plus that comparison.)

    python scripts/benchmark_day.py                            # 100k leads, 24 hourly refreshes
    python scripts/benchmark_day.py --days 2                   # two days and two nights
    python scripts/benchmark_day.py --leads 1000000 --hours 12

Why: a refresh deletes and re-inserts its changed leads' rows, and the deleted rows stay in their
row groups until the nightly full refresh rebuilds each table (docs/incremental.md, "Deleted rows
wait for the nightly full refresh"). scripts/benchmark.py measures two refreshes; an hourly
schedule runs ~24 between two nights. On the generated data of scripts/benchmark.py (the landing
folder in the work folder is shared with it, generated once per leads and seed):

1. a full build into a fresh file in <work>/day-<leads>/, as of --start: by default 00:00 UTC of
   the Monday after the data's as_of, so that the day is a weekday (scripts/benchmark.py's
   refreshes run on Sunday night, when no business-hours SLA clock moves);
2. --hours hourly refreshes: each adds new events of --refresh-share of the leads in the hour
   before it (a landing folder = the previous one + one more marketing_events part) and builds as
   of one hour later into the same file: wall time, dbt's elapsed and node time, peak RSS, file;
3. the nightly run as the daily job runs it (docs/incremental.md, "The nightly check"): one more
   refresh, every table fingerprinted (leadwarehouse/incremental_check.py), the full refresh
   (`--full-refresh`, same landing and as_of) and the fingerprints compared: the tables that
   differ are printed, and the script exits 1 when any does;
4. the next day the same (--days), and one hourly refresh after the last night.

Then one table; the figures also in <work>/benchmark-day-<leads>-<time>.json. DuckDB's memory
limit, threads and spill folder are the build's defaults unless DUCKDB_* are set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from benchmark import (  # scripts/benchmark.py: this script's folder is on sys.path
    ROOT,
    BuildFigures,
    Progress,
    add_data_arguments,
    build,
    empty_folder_for,
    generated_landing,
    hour_after,
    mb,
    refresh_landing,
    scale_env,
)

from leadwarehouse.build import landing_as_of
from leadwarehouse.incremental_check import differing


def next_monday(as_of: str) -> str:
    """00:00 UTC of the first Monday at or after `as_of` (the generated data's as_of is a Sunday)."""
    moment = datetime.fromisoformat(as_of)
    days = 7 - moment.weekday() if moment.weekday() or moment.time() != datetime.min.time() else 0
    return (datetime.combine(moment.date(), datetime.min.time()) + timedelta(days=days)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


def fingerprints_in_child(warehouse: Path) -> dict[str, tuple[int, int]]:
    """leadwarehouse.incremental_check.warehouse_fingerprints, run in a child process: DuckDB's
    memory stays out of this one. On Linux a child starts with its parent's peak RSS, so every
    build started after fingerprints taken here reported their ~3.3 GB (at 1M) as its own peak.
    The child writes them to a file: DuckDB draws its progress bar on stdout for a query of more
    than two seconds (at 1M leads), which broke the JSON read from there."""
    code = (
        "import json, sys; from pathlib import Path; "
        "from leadwarehouse.incremental_check import warehouse_fingerprints; "
        "Path(sys.argv[2]).write_text(json.dumps(warehouse_fingerprints(sys.argv[1])))"
    )
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "fingerprints.json"
        subprocess.run(
            [sys.executable, "-c", code, str(warehouse), str(result)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return {name: tuple(value) for name, value in json.loads(result.read_text()).items()}


@dataclass
class Step:
    kind: str  # full build, refresh, nightly incremental, nightly full refresh
    day: int  # 1 for the first day (the first full build: 0)
    as_of: str
    figures: BuildFigures
    events: int = 0  # new marketing events in its landing (0: the full builds)
    leads: int = 0  # leads those events belong to

    @property
    def label(self) -> str:
        return self.kind if self.day == 0 else f"day {self.day}: {self.kind}"


def run_days(args: argparse.Namespace, progress: Progress) -> tuple[list[Step], list[list[str]]]:
    """The steps above, --days times (the refresh after the night is the next day's first);
    returns them and, per night, the tables whose incremental state differed from the full build
    of the same data."""
    day_dir = Path(args.work).resolve() / f"day-{args.leads}"
    warehouse = day_dir / "warehouse" / "build.duckdb"
    logs = day_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = scale_env(day_dir)
    print(
        f"\n{args.leads:,} leads, {args.days} x {args.hours} hourly refreshes and a night (work folder {day_dir})",
        file=sys.stderr,
    )
    landing, _ = generated_landing(args.leads, args, env, logs, progress)
    as_of = args.start or next_monday(landing_as_of(landing) or "2026-11-01 00:00:00")
    empty_folder_for(warehouse)
    full = build(landing, warehouse, as_of, env, logs, progress, "full build", False)
    steps = [Step("full build", 0, as_of, full)]
    deliveries = 0

    def refresh(kind: str, day: int) -> None:
        nonlocal landing, as_of, deliveries
        deliveries += 1
        label = f"day {day}: {kind}"
        progress.start(f"{label}: new events")
        landing, events, leads = refresh_landing(
            landing,
            day_dir / "landings" / f"{deliveries:03d}",
            as_of,
            args.refresh_share,
            args.seed + deliveries,
        )
        as_of = hour_after(as_of)
        progress.done(f"{events:,} events of {leads:,} leads, as of {as_of}")
        figures = build(landing, warehouse, as_of, env, logs, progress, label, False)
        steps.append(Step(kind, day, as_of, figures, events, leads))

    nights = []
    for day in range(1, args.days + 1):
        for _ in range(args.hours):
            refresh("refresh", day)
        # the nightly run: the incremental state brought to the night's as_of, fingerprinted, rebuilt
        refresh("nightly incremental", day)
        progress.start(f"day {day}: fingerprints of the incremental state")
        incremental = fingerprints_in_child(warehouse)
        progress.done(f"{len(incremental)} tables")
        label = f"day {day}: nightly full refresh"
        night = build(landing, warehouse, as_of, env, logs, progress, label, False, ["--full-refresh"])
        steps.append(Step("nightly full refresh", day, as_of, night))
        progress.start(f"day {day}: fingerprints of the full build")
        differ = differing(incremental, fingerprints_in_child(warehouse))
        nights.append(differ)
        progress.done(
            f"{len(differ)} of {len(incremental)} tables differ"
            + (f": {', '.join(differ)}" if differ else "")
        )
    refresh("refresh", args.days + 1)
    return steps, nights


def report(steps: list[Step], nights: list[list[str]], args: argparse.Namespace) -> str:
    full = steps[0].figures.models_wall_s
    head = f"{'step':<32}{'as of':>21}{'events':>8}{'wall':>9}{'/ full':>8}{'dbt':>8}{'nodes':>8}{'RSS':>9}{'file':>10}"
    lines = [
        f"hourly refreshes — {args.leads:,} leads, {args.refresh_share:.1%} of them an hour, {args.hours} refreshes "
        f"and a night a day, {args.days} day(s); without dbt tests",
        "",
        head,
        "-" * len(head),
    ]
    for step in steps:
        f = step.figures
        lines.append(
            f"{step.label:<32}{step.as_of:>21}{step.events or '':>8}{f.models_wall_s:>8.1f}s"
            f"{f.models_wall_s / full:>8.1%}{f.dbt_elapsed_s or 0:>7.1f}s{f.models_s:>7.1f}s"
            f"{mb(f.peak_rss_bytes):>9}{mb(f.file_bytes):>10}"
        )
    lines.append("")
    for day in range(1, args.days + 2):
        hourly = [s.figures.models_wall_s for s in steps if s.day == day and s.kind == "refresh"]
        night = [s.figures.file_bytes for s in steps if s.day == day and s.kind == "nightly full refresh"]
        lines.append(
            f"day {day}: refreshes {min(hourly):.1f}-{max(hourly):.1f} s (first {hourly[0]:.1f}, last {hourly[-1]:.1f}; "
            f"{max(hourly) / full:.1%} of the first full build at most)"
            + (f"; file after the night {mb(night[0])}" if night else "")
            + (
                ""
                if day > len(nights)
                else "; incremental = full: "
                + ("every table" if not nights[day - 1] else f"NO, {len(nights[day - 1])} tables differ")
            )
        )
    first_bytes, most_bytes = steps[0].figures.file_bytes, max(s.figures.file_bytes for s in steps)
    lines.append(
        f"file: {mb(first_bytes)} after the first full build, {mb(most_bytes)} at most ({most_bytes / first_bytes:.2f}x)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/benchmark_day.py",
        description="A full build, a day of hourly refreshes, the nightly check and full refresh, one "
        "refresh after it: a table of times, peak memory and file sizes.",
        epilog="Takes ~15 minutes at 100k leads and ~45 at 1M on 2 cores.",
    )
    parser.add_argument("--leads", type=int, default=100_000, help="scale (default: %(default)s)")
    parser.add_argument(
        "--hours", type=int, default=24, help="hourly refreshes before the night (default: %(default)s)"
    )
    parser.add_argument(
        "--start",
        help="as_of of the full build, the day's refreshes follow it hour by hour (default: 00:00 UTC of the "
        "first Monday after the generated data's as_of: a weekday, whose business hours move the SLA clocks "
        "of the territories open in them; the data's own as_of is a Sunday)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=1,
        help="days of refreshes, each ending with its night (default: %(default)s)",
    )
    add_data_arguments(parser)
    args = parser.parse_args(argv)
    if args.hours < 1 or args.days < 1:
        parser.error("--hours and --days must be at least 1")
    args.work = str(ROOT / args.work)  # an absolute --work stays as it is

    steps, nights = run_days(args, Progress())
    text = report(steps, nights, args)
    print("\n" + text)
    out = Path(args.work) / f"benchmark-day-{args.leads}-{datetime.now():%Y%m%dT%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "report": text.splitlines(),
                "steps": [asdict(s) | {"label": s.label} for s in steps],
                "differing_tables_per_night": nights,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nfigures: {out}")
    return 1 if any(nights) else 0


if __name__ == "__main__":
    sys.exit(main())
