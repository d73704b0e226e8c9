"""Build, refresh and publish the warehouse at two scales and report what it costs (a benchmark,
not a test: figures, plus one assertion that the floor query gives the built scores).

    python scripts/benchmark.py                          # 100k and 1M leads (make benchmark)
    python scripts/benchmark.py --leads 100000           # one scale
    python scripts/benchmark.py --leads 20000 100000 --work /tmp/bench

For each scale, on the same generated data (kept in the work folder, generated once per
leads/seed):

1. full build: ``python -m leadwarehouse.build`` into a fresh DuckDB file, as of the landing's
   as_of: wall time, ingest time, dbt's model and test time (the sums of the node times in
   run_results.json: with several dbt threads they add up to more than the wall time), the peak
   RSS of the build and its dbt child (wait4's rusage of the build process, which reaps dbt),
   and the warehouse file's size;
2. publish (leadwarehouse/publish.py): its time and the published copy's size;
3. the floor: benchmarks/floor_current_totals.sql, the hand-written query for every lead's current
   total score, run on the build file; it must equal marts.leads.total_score for every lead
   (asserted; the match count is reported). The scoring models' time (the models in
   models/intermediate/scoring/ but int_lead_scoring_inputs, which the floor reads too) is
   compared with it twice: their node times in the full build, where each shares the two cores
   with the model dbt runs beside it, and those of a `dbt run --full-refresh` of the scoring
   models alone on the built file, as the floor query runs (same as_of and inputs, so their
   tables come out as the full build left them);
   the history floor: benchmarks/floor_score_history.sql, the hand-written query for every lead's
   score after every change (one row per row of int_score_ledger, the same score_after: asserted),
   the lower bound for the full history the scoring models compute; the same two ratios;
4. an hourly refresh: new events for ``--refresh-share`` of the leads (0.5 %) in the hour after
   as_of, appended as one more part of marketing_events, then ``leadwarehouse.build`` as of one
   hour later into the same file (incremental: docs/incremental.md), and publish again;
5. the next hourly refresh, the same way an hour later: the steady state of an hourly schedule,
   which also clears up the rows the refresh before it replaced (the first refresh after a full
   build finds none).

Then one table with a column per scale and the ratio of the last scale to the first. The figures
are also written to ``<work>/benchmark-<leads>-<time>.json``. DuckDB's memory limit, threads and
spill folder are the build's defaults (leadwarehouse/duckdb_resources.py) unless DUCKDB_* are set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from leadwarehouse import dbt_logging  # noqa: E402
from leadwarehouse.build import PROJECT_DIR, dbt_env, landing_as_of, source_shape  # noqa: E402
from leadwarehouse.duckdb_resources import duckdb_resources, machine_cores, machine_memory_bytes  # noqa: E402
from leadwarehouse.publish import publish  # noqa: E402

FLOOR_SQL = ROOT / "benchmarks" / "floor_current_totals.sql"
HISTORY_FLOOR_SQL = ROOT / "benchmarks" / "floor_score_history.sql"
FIT_MATCHES_SQL = ROOT / "benchmarks" / "floor_fit_matches.sql"  # a table macro both floors call
SCORING_DIR = "models/intermediate/scoring/"
FLOOR_INPUT_MODELS = {"int_lead_scoring_inputs"}  # read by the floor too: not counted as scoring work
# dbt's "12 of 520 OK created sql table model marts.leads ..... [OK in 1.20s]"
DBT_NODE_LINE = re.compile(
    r"\b(\d+) of (\d+) (?:START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b(.*?)(?:\s\.{2,}|\s*\[|$)"
)


# ------------------------------------------------------------------ progress and child processes


class Progress:
    """One status line per running step: rewritten in place on a terminal, a line a minute otherwise."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.label = ""
        self.detail = ""
        self.started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, label: str) -> None:
        self.label, self.detail, self.started = label, "", time.perf_counter()
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def feed(self, line: str) -> None:
        """A line of the child's output: dbt's "12 of 520 OK created … model marts.leads" moves it on."""
        found = DBT_NODE_LINE.search(line)
        if found:
            done, total, what = found.groups()
            node = what.split()[-1].rsplit(".", 1)[-1] if what.split() else ""
            self.detail = f"dbt {done}/{total} {node}"
        elif line.startswith("ingested "):
            self.detail = "ingested, dbt parsing"

    def _line(self) -> str:
        elapsed = time.perf_counter() - self.started
        return f"  {self.label}: {int(elapsed // 60)}:{int(elapsed % 60):02d}  {self.detail}"

    def _tick(self) -> None:
        last = 0.0
        while not self._stop.wait(1.0):
            if self.tty:
                self.stream.write("\r\033[K" + self._line()[:150])
                self.stream.flush()
            elif time.perf_counter() - last >= 60:
                last = time.perf_counter()
                print(self._line(), file=self.stream, flush=True)

    def done(self, summary: str) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        prefix = "\r\033[K" if self.tty else ""
        print(f"{prefix}  {self.label}: {summary}", file=self.stream, flush=True)


@dataclass
class Child:
    seconds: float
    peak_rss_bytes: int
    output: str
    returncode: int = 0


def run_child(
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    progress: Progress,
    label: str,
    ok_codes: tuple[int, ...] = (0,),
) -> Child:
    """Run `cmd`, its output to `log` (and the progress line); its peak RSS includes every
    descendant it waited for (Linux wait4: the rusage of the child and its reaped children).
    Another exit code than `ok_codes` stops the benchmark."""
    progress.start(label)
    started = time.perf_counter()
    lines: list[str] = []
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

        def pump() -> None:
            for line in proc.stdout:
                out.write(line)
                lines.append(line)
                progress.feed(line)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
    seconds = time.perf_counter() - started
    if proc.returncode not in ok_codes:
        progress.done(f"FAILED (exit {proc.returncode}) after {seconds:.0f} s; see {log}")
        sys.stderr.write("".join(lines[-40:]))
        raise SystemExit(1)
    progress.done(f"{seconds:,.1f} s" + (f" (exit {proc.returncode})" if proc.returncode else ""))
    return Child(seconds, usage.ru_maxrss * 1024, "".join(lines), proc.returncode)


# ------------------------------------------------------------------ the steps


@dataclass
class BuildFigures:
    models_wall_s: float  # `leadwarehouse.build --skip-tests`: ingest, seeds, models
    ingest_s: float | None
    models_s: float  # sums of dbt's node times
    seeds_s: float
    scoring_s: float
    scoring_models: list[str]
    tests_wall_s: float  # `dbt test`: data and unit tests
    tests_s: float
    tests: int
    tests_failed: list[str]
    peak_rss_bytes: int  # the larger of the two, each with its dbt child
    file_bytes: int
    full_parse: bool  # dbt parsed the whole project (no partial parse) in the models step
    # dbt's own elapsed time of the models step (run_results.json: first node to last); the rest
    # of models_wall_s is fixed cost: ingest, dbt's start and project load, the closing checkpoint
    dbt_elapsed_s: float | None = None

    @property
    def wall_s(self) -> float:
        return self.models_wall_s + self.tests_wall_s


@dataclass
class ScaleFigures:
    leads: int
    as_of: str
    generate_s: float | None = None
    raw_events: int | None = None
    build: BuildFigures | None = None
    publish_s: float | None = None
    published_bytes: int | None = None
    floor_s: float | None = None
    floor_matches: int | None = None
    floor_leads: int | None = None
    history_floor_s: float | None = None
    history_floor_matches: int | None = None
    history_floor_rows: int | None = None  # int_score_ledger's rows
    scoring_alone_s: float | None = None  # sum of node times of the scoring models run on their own
    scoring_alone_wall_s: float | None = None
    refresh_events: int | None = None
    refresh_leads: int | None = None
    refresh: BuildFigures | None = None
    refresh_publish_s: float | None = None
    refresh_published_bytes: int | None = None
    next_refresh_events: int | None = None
    next_refresh_leads: int | None = None
    next_refresh: BuildFigures | None = None


def dbt_results(
    target: Path,
) -> tuple[dict[str, float], dict[str, int], float, list[str], list[str], float | None]:
    """From run_results.json: summed node times and node counts per resource type, the scoring
    models' time and names, the failed nodes, dbt's elapsed time."""
    run_results = json.loads((target / "run_results.json").read_text())
    results = run_results["results"]
    # model names are file names (a build writes no manifest.json: leadwarehouse/dbt_artifacts.py)
    scoring_models = {path.stem for path in (PROJECT_DIR / SCORING_DIR).glob("*.sql")} - FLOOR_INPUT_MODELS
    times: dict[str, float] = {}
    counts: dict[str, int] = {}
    scoring_s, scoring, failed = 0.0, [], []
    for r in results:
        kind = r["unique_id"].split(".", 1)[0]
        times[kind] = times.get(kind, 0.0) + r["execution_time"]
        counts[kind] = counts.get(kind, 0) + 1
        if r["status"] in ("fail", "error"):
            failed.append(r["unique_id"].split(".")[2])
        name = r["unique_id"].split(".")[-1]
        if kind == "model" and name in scoring_models:
            scoring_s += r["execution_time"]
            scoring.append(name)
    return times, counts, scoring_s, sorted(scoring), failed, run_results.get("elapsed_time")


def build(
    landing: Path,
    warehouse: Path,
    as_of: str,
    env: dict,
    logs: Path,
    progress: Progress,
    label: str,
    tests: bool,
    options: Sequence[str] = (),
) -> BuildFigures:
    """`leadwarehouse.build --skip-tests` (ingest, seeds, models; recorded, so publishable; with
    `options`, e.g. --full-refresh), then `dbt test` on the result: model and test time are two
    wall times. A failing dbt test is reported, not fatal (publish reads the build record of the
    first step)."""
    stem = label.replace(" ", "-")
    cmd = [sys.executable, "-m", "leadwarehouse.build", "--as-of", as_of, "--skip-tests", *options]
    cmd += ["--landing", str(landing), "--warehouse", str(warehouse)]
    child = run_child(cmd, env, logs / f"{stem}-models.log", progress, f"{label}: ingest + models")
    ingest = re.search(r"^ingested [\d,]+ raw rows in ([\d.]+)s", child.output, re.M)
    target = Path(env["DBT_TARGET_PATH"])
    times, _, scoring_s, scoring, _, elapsed = dbt_results(target)
    shutil.copy(target / "run_results.json", logs / f"{stem}-models-run_results.json")
    figures = BuildFigures(
        dbt_elapsed_s=elapsed,
        models_wall_s=child.seconds,
        ingest_s=float(ingest.group(1)) if ingest else None,
        models_s=times.get("model", 0.0),
        seeds_s=times.get("seed", 0.0),
        scoring_s=scoring_s,
        scoring_models=scoring,
        tests_wall_s=0.0,
        tests_s=0.0,
        tests=0,
        tests_failed=[],
        peak_rss_bytes=child.peak_rss_bytes,
        file_bytes=warehouse.stat().st_size,
        full_parse="Unable to do partial parsing" in child.output
        or "Partial parse save file not found" in child.output,
    )
    if tests:
        tested = run_dbt_child(
            ["test"],
            warehouse,
            as_of,
            env,
            logs / f"{stem}-tests.log",
            progress,
            f"{label}: dbt tests",
            ok_codes=(0, 1),  # 1: a test failed; reported
        )
        times, counts, _, _, failed, _ = dbt_results(target)
        figures.tests_wall_s = tested.seconds
        figures.tests_s = times.get("test", 0.0) + times.get("unit_test", 0.0)
        figures.tests = counts.get("test", 0) + counts.get("unit_test", 0)
        figures.tests_failed = failed
        figures.peak_rss_bytes = max(figures.peak_rss_bytes, tested.peak_rss_bytes)
        if failed:
            print(f"  {label}: {len(failed)} dbt test(s) FAILED: {', '.join(failed[:5])}", file=sys.stderr)
    return figures


def timed_publish(warehouse: Path, progress: Progress, label: str) -> tuple[float, int]:
    progress.start(label)
    result = publish(warehouse)
    progress.done(f"{result.seconds:,.1f} s, {result.bytes / 1e6:,.1f} MB")
    return result.seconds, result.bytes


def timed_floor(
    warehouse: Path, progress: Progress, label: str, sql: Path, built: str, key: str, same: str, value: str
) -> tuple[float, int, int]:
    """Time a floor query on the build file, into a temp table, and compare it with the
    built relation row by row (joined on `key`; `same` says when a row matches); return (seconds,
    built rows matching, built rows). The two sides must hold the same rows with the same values."""
    progress.start(label)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        duckdb_resources(warehouse).apply(con)
        con.execute("set enable_progress_bar = false")  # the progress line is the benchmark's
        con.execute("set variable as_of = (select max(as_of) from marts.leads)")
        con.execute(FIT_MATCHES_SQL.read_text())  # defined, not run: it runs inside the floor query
        started = time.perf_counter()
        con.execute(f"create temp table floor_rows as {sql.read_text()}")
        seconds = time.perf_counter() - started
        compared = f"from {built} as b full join floor_rows as f using ({key})"
        rows, matches, extra = con.execute(
            f"select count(b.{value}), count(*) filter (where {same}), count(*) filter (where b.{value} is null) "
            + compared
        ).fetchone()
        examples = con.execute(
            f"select {key}, b.{value} as built, f.{value} as floor {compared} "
            f"where not coalesce({same}, false) limit 5"
        ).fetchall()
    finally:
        con.close()
    progress.done(f"{seconds:,.2f} s, {matches:,} of {rows:,} rows match {built}")
    if matches != rows or extra:
        raise AssertionError(
            f"{sql.name} differs from {built} in {rows - matches:,} of its {rows:,} rows and has {extra:,} "
            f"rows more, e.g. ({key}, built, floor) {examples}"
        )
    return seconds, matches, rows


def run_floor(warehouse: Path, progress: Progress) -> tuple[float, int, int]:
    """The current totals' floor against marts.leads.total_score (shown to one decimal)."""
    return timed_floor(
        warehouse,
        progress,
        "floor query (current totals)",
        FLOOR_SQL,
        "marts.leads",
        "lead_id",
        "cast(round(f.total_score, 1) as decimal(9, 1)) = b.total_score",
        "total_score",
    )


def run_history_floor(warehouse: Path, progress: Progress) -> tuple[float, int, int]:
    """The history floor against every row of int_score_ledger (the same score to 1e-9)."""
    return timed_floor(
        warehouse,
        progress,
        "floor query (score history)",
        HISTORY_FLOOR_SQL,
        "intermediate.int_score_ledger",
        "lead_id, changed_at, type_order, source_id",
        "abs(f.score_after - b.score_after) < 1e-9",
        "score_after",
    )


def run_scoring_alone(
    warehouse: Path, as_of: str, env: dict, logs: Path, progress: Progress
) -> tuple[float, float]:
    """The scoring models again, on their own: `dbt run --full-refresh` of SCORING_DIR but
    FLOOR_INPUT_MODELS on the built file, as of the full build's as_of. The same inputs and as_of
    give the same rows, so the refresh that follows starts from the full build's state. Returns
    (sum of node times, wall time)."""
    args = ["run", "--full-refresh", "--select", "path:" + SCORING_DIR.rstrip("/")]
    args += ["--exclude", *sorted(FLOOR_INPUT_MODELS)]
    child = run_dbt_child(
        args, warehouse, as_of, env, logs / "scoring-alone.log", progress, "scoring models alone"
    )
    _, _, scoring_s, _, _, _ = dbt_results(
        Path(env["DBT_TARGET_PATH"])
    )  # a failed node stopped run_child already
    return scoring_s, child.seconds


def run_dbt_child(
    dbt_args: list[str],
    warehouse: Path,
    as_of: str,
    env: dict,
    log: Path,
    progress: Progress,
    label: str,
    ok_codes: tuple[int, ...] = (0,),
) -> Child:
    """`dbt <dbt_args>` on the build file with the build's environment (shape included: a changed
    env var of dbt_project.yml would make dbt parse the whole project again) and its dbt target;
    run_results.json is kept beside `log` as <log stem>-run_results.json."""
    child_env = {
        **dbt_env(warehouse, as_of, shape=source_shape()),
        "DBT_TARGET_PATH": env["DBT_TARGET_PATH"],
        "DBT_LOG_PATH": env["DBT_LOG_PATH"],
    }
    child = run_child(
        [dbt_logging.executable(), *dbt_args, "--project-dir", str(ROOT)],
        child_env,
        log,
        progress,
        label,
        ok_codes,
    )
    shutil.copy(
        Path(env["DBT_TARGET_PATH"]) / "run_results.json", log.with_name(f"{log.stem}-run_results.json")
    )
    return child


def refresh_landing(landing: Path, out: Path, as_of: str, share: float, seed: int) -> tuple[Path, int, int]:
    """A landing folder = `landing` (hard links) + one more marketing_events part: events of
    `share` of the leads in the hour after `as_of`. Returns (folder, events, leads)."""
    import numpy as np
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from leadwarehouse.generator.writer import build_table

    shutil.rmtree(out, ignore_errors=True)
    for src in landing.rglob("*"):
        dst = out / src.relative_to(landing)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    fmt = json.loads((landing / "_manifest.json").read_text()).get("format", "parquet")
    events_dir = out / "marketing_events"
    single = out / f"marketing_events.{fmt}"
    if single.exists():  # one file: make it the first part of a folder
        events_dir.mkdir(exist_ok=True)
        single.rename(events_dir / f"part-00000.{fmt}")
    leads_glob = str(out / "leads" / f"*.{fmt}") if (out / "leads").is_dir() else str(out / f"leads.{fmt}")
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    options = "" if fmt == "parquet" else ", all_varchar = true"
    con = duckdb.connect()
    try:
        ids = [
            r[0]
            for r in con.execute(
                f"select distinct lead_id from {reader}('{leads_glob}'{options}) "
                "where lead_id is not null and lead_id <> '' order by hash(lead_id, ?)",
                [seed],
            ).fetchall()
        ]
    finally:
        con.close()
    chosen = ids[: max(1, round(len(ids) * share))]
    rng = np.random.default_rng(seed)
    kinds = [  # (event_type, page_url, asset_name): what a returning lead does in an hour
        ("page_view", "/pricing", None),
        ("page_view", "/demo", None),
        ("page_view", "/blog/why-lead-scoring", None),
        ("content_download", None, "case-study-acme"),
        ("email_click", None, "nurture-3"),
        ("demo_request", None, None),
    ]
    start = datetime.fromisoformat(as_of)
    rows: dict[str, list] = {
        c: [] for c in ("event_id", "lead_id", "event_type", "page_url", "asset_name", "occurred_at")
    }
    for lead in chosen:
        for _ in range(int(rng.integers(1, 4))):
            event_type, url, asset = kinds[int(rng.integers(len(kinds)))]
            moment = start + timedelta(seconds=int(rng.integers(1, 3600)))
            # the hour in the id: each delivery's events are new, not versions of the last one's
            rows["event_id"].append(f"EVREFRESH{start:%Y%m%d%H}-{len(rows['event_id']):07d}")
            rows["lead_id"].append(lead)
            rows["event_type"].append(event_type)
            rows["page_url"].append(url)
            rows["asset_name"].append(asset)
            rows["occurred_at"].append(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    table = build_table("marketing_events", rows)
    part = events_dir / f"part-refresh-{start:%Y%m%dT%H%M}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, part, compression="zstd")
    else:
        pacsv.write_csv(table, part)
    return out, len(rows["event_id"]), len(chosen)


# ------------------------------------------------------------------ one scale


def scale_env(scale_dir: Path) -> dict[str, str]:
    """The environment of a scale's builds: its own dbt target and log folders (dbt then
    partial-parses between its builds), this checkout first on PYTHONPATH, no LEAD_AS_OF."""
    env = dict(
        os.environ,
        DBT_TARGET_PATH=str(scale_dir / "dbt-target"),
        DBT_LOG_PATH=str(scale_dir / "dbt-logs"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.pop("LEAD_AS_OF", None)
    return env


def generated_landing(
    leads: int, args: argparse.Namespace, env: dict[str, str], logs: Path, progress: Progress
) -> tuple[Path, float | None]:
    """The landing folder of `leads` and args.seed / args.format in the work folder, generated
    when it is not there yet (then also the seconds that took)."""
    landing = Path(args.work).resolve() / f"landing-{leads}-seed-{args.seed}"
    if (landing / "_manifest.json").is_file():
        return landing, None
    cmd = [sys.executable, "-m", "leadwarehouse.generator", "--leads", str(leads), "--seed", str(args.seed)]
    cmd += ["--format", args.format, "--out", str(landing)]
    return landing, run_child(cmd, env, logs / "generate.log", progress, "generate landing files").seconds


def empty_folder_for(warehouse: Path) -> None:
    """Remove everything in the warehouse's folder (a published copy is read-only), then make it."""
    for stale in warehouse.parent.glob("*"):
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.chmod(0o644)
            stale.unlink()
    warehouse.parent.mkdir(parents=True, exist_ok=True)


def hour_after(as_of: str) -> str:
    return (datetime.fromisoformat(as_of) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")


def run_scale(leads: int, args: argparse.Namespace, progress: Progress) -> ScaleFigures:
    scale_dir = Path(args.work).resolve() / f"leads-{leads}"
    warehouse = scale_dir / "warehouse" / "build.duckdb"
    logs = scale_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = scale_env(scale_dir)
    print(f"\n{leads:,} leads (work folder {scale_dir})", file=sys.stderr)

    figures = ScaleFigures(leads=leads, as_of="")
    landing, figures.generate_s = generated_landing(leads, args, env, logs, progress)
    manifest = json.loads((landing / "_manifest.json").read_text())
    figures.raw_events = manifest.get("row_counts", {}).get("marketing_events")
    figures.as_of = landing_as_of(landing) or "2026-11-01 00:00:00"
    empty_folder_for(warehouse)

    figures.build = build(
        landing, warehouse, figures.as_of, env, logs, progress, "full build", not args.skip_tests
    )
    figures.publish_s, figures.published_bytes = timed_publish(warehouse, progress, "publish")
    figures.floor_s, figures.floor_matches, figures.floor_leads = run_floor(warehouse, progress)
    figures.history_floor_s, figures.history_floor_matches, figures.history_floor_rows = run_history_floor(
        warehouse, progress
    )
    figures.scoring_alone_s, figures.scoring_alone_wall_s = run_scoring_alone(
        warehouse, figures.as_of, env, logs, progress
    )

    refresh_as_of = hour_after(figures.as_of)
    progress.start("hourly refresh: new events")
    refresh, figures.refresh_events, figures.refresh_leads = refresh_landing(
        landing, scale_dir / "landing-refresh", figures.as_of, args.refresh_share, args.seed
    )
    progress.done(
        f"{figures.refresh_events:,} events of {figures.refresh_leads:,} leads, as of {refresh_as_of}"
    )
    figures.refresh = build(
        refresh, warehouse, refresh_as_of, env, logs, progress, "hourly refresh", not args.skip_tests
    )
    figures.refresh_publish_s, figures.refresh_published_bytes = timed_publish(warehouse, progress, "publish")

    next_as_of = hour_after(refresh_as_of)
    progress.start("next hourly refresh: new events")
    following, figures.next_refresh_events, figures.next_refresh_leads = refresh_landing(
        refresh, scale_dir / "landing-next-refresh", refresh_as_of, args.refresh_share, args.seed + 1
    )
    progress.done(
        f"{figures.next_refresh_events:,} events of {figures.next_refresh_leads:,} leads, as of {next_as_of}"
    )
    figures.next_refresh = build(
        following, warehouse, next_as_of, env, logs, progress, "next hourly refresh", not args.skip_tests
    )
    return figures


# ------------------------------------------------------------------ the report


def mb(value: float | None) -> str:
    return "" if value is None else f"{value / 1e6:,.0f} MB"


def sec(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f} s"


def short(leads: int) -> str:
    """1000000 → 1M, 100000 → 100k, 2500 → 2.5k."""
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if leads >= size:
            return f"{leads / size:g}{unit}"
    return str(leads)


def report(scales: list[ScaleFigures], args: argparse.Namespace) -> str:
    resources = duckdb_resources(Path(args.work).resolve() / "build.duckdb")
    memory = machine_memory_bytes()
    head = (
        f"lead warehouse benchmark — {machine_cores()} cores, {memory / 2**30:.1f} GiB RAM; "
        f"DuckDB memory_limit {resources.memory_limit}, threads {resources.threads}; "
        f"dbt threads {os.environ.get('DBT_THREADS', '2')}; {'without' if args.skip_tests else 'with'} dbt tests"
    )

    def rows_for(s: ScaleFigures) -> list[tuple[str, str, float | None]]:
        """(label, shown, value for the ratio) of one scale."""
        b, r, n = s.build, s.refresh, s.next_refresh

        def refresh_head(
            title: str, events: int | None, f: BuildFigures
        ) -> list[tuple[str, str, float | None]]:
            return [
                (title, f"{events:,} events", events),
                ("  wall", sec(f.wall_s), f.wall_s),
                ("  refresh / full build (wall)", f"{f.wall_s / b.wall_s:.1%}" if b.wall_s else "", None),
            ]

        def per(seconds: float | None, floor: float | None) -> str:
            return f"{seconds / floor:,.1f}×" if seconds and floor else ""

        return [
            ("raw marketing events", f"{s.raw_events:,}" if s.raw_events else "", s.raw_events),
            ("generate landing files", sec(s.generate_s) or "(reused)", s.generate_s),
            ("FULL BUILD wall", sec(b.wall_s), b.wall_s),
            ("  ingest + seeds + models (wall)", sec(b.models_wall_s), b.models_wall_s),
            ("    ingest", sec(b.ingest_s), b.ingest_s),
            ("    dbt models (sum of node times)", sec(b.models_s), b.models_s),
            ("    dbt's node run (elapsed)", sec(b.dbt_elapsed_s), b.dbt_elapsed_s),
            ("  dbt tests (wall)", sec(b.tests_wall_s), b.tests_wall_s),
            ("    dbt tests (sum of node times)", sec(b.tests_s), b.tests_s),
            ("    tests run / failed", f"{b.tests:,} / {len(b.tests_failed)}", None),
            ("  peak RSS (build + dbt)", mb(b.peak_rss_bytes), b.peak_rss_bytes),
            ("  dbt parsed the whole project", "yes" if b.full_parse else "no (partial)", None),
            ("  warehouse file", mb(b.file_bytes), b.file_bytes),
            ("  publish", sec(s.publish_s), s.publish_s),
            ("  published copy", mb(s.published_bytes), s.published_bytes),
            ("FLOOR query (current totals)", f"{s.floor_s:,.2f} s", s.floor_s),
            ("  matches marts.leads.total_score", f"{s.floor_matches:,}/{s.floor_leads:,}", s.floor_matches),
            ("FLOOR query (score history)", sec(s.history_floor_s), s.history_floor_s),
            (
                "  matches int_score_ledger.score_after",
                f"{s.history_floor_matches:,}/{s.history_floor_rows:,}",
                s.history_floor_matches,
            ),
            (
                f"scoring models ({len(b.scoring_models)}) in the full build (sum)",
                sec(b.scoring_s),
                b.scoring_s,
            ),
            ("  in the full build / floor", per(b.scoring_s, s.floor_s), None),
            ("  in the full build / history floor", per(b.scoring_s, s.history_floor_s), None),
            ("scoring models alone (sum)", sec(s.scoring_alone_s), s.scoring_alone_s),
            ("  alone (wall)", sec(s.scoring_alone_wall_s), s.scoring_alone_wall_s),
            ("  alone / floor", per(s.scoring_alone_s, s.floor_s), None),
            ("  alone / history floor", per(s.scoring_alone_s, s.history_floor_s), None),
            *refresh_head(f"HOURLY REFRESH (+{args.refresh_share:.1%} leads)", s.refresh_events, r),
            ("  ingest + seeds + models (wall)", sec(r.models_wall_s), r.models_wall_s),
            ("    ingest", sec(r.ingest_s), r.ingest_s),
            ("    dbt models (sum of node times)", sec(r.models_s), r.models_s),
            ("    dbt's node run (elapsed)", sec(r.dbt_elapsed_s), r.dbt_elapsed_s),
            ("  dbt tests (wall)", sec(r.tests_wall_s), r.tests_wall_s),
            ("  peak RSS (build + dbt)", mb(r.peak_rss_bytes), r.peak_rss_bytes),
            ("  dbt parsed the whole project", "yes" if r.full_parse else "no (partial)", None),
            ("  warehouse file after", mb(r.file_bytes), r.file_bytes),
            ("  publish", sec(s.refresh_publish_s), s.refresh_publish_s),
            ("  published copy", mb(s.refresh_published_bytes), s.refresh_published_bytes),
            *refresh_head("NEXT HOURLY REFRESH (after a refresh)", s.next_refresh_events, n),
            ("    dbt models (sum of node times)", sec(n.models_s), n.models_s),
            ("    dbt's node run (elapsed)", sec(n.dbt_elapsed_s), n.dbt_elapsed_s),
            ("  peak RSS (build + dbt)", mb(n.peak_rss_bytes), n.peak_rss_bytes),
            ("  warehouse file after", mb(n.file_bytes), n.file_bytes),
        ]

    tables = [rows_for(s) for s in scales]
    names = [f"{s.leads:,} leads" for s in scales]
    show_ratio = len(scales) > 1
    ratio_name = f"{short(scales[-1].leads)}/{short(scales[0].leads)}" if show_ratio else ""
    width = max(len(row[0]) for row in tables[0]) + 2
    lines = [head, ""]
    lines.append(
        f"{'':<{width}}" + "".join(f"{n:>18}" for n in names) + (f"{ratio_name:>12}" if show_ratio else "")
    )
    for i, (label, _, _) in enumerate(tables[0]):
        line = f"{label:<{width}}" + "".join(f"{t[i][1]:>18}" for t in tables)
        first, last = tables[0][i][2], tables[-1][i][2]
        if show_ratio and first and last:
            line += f"{last / first:>11.1f}×"
        lines.append(line)
    lines.append("")
    lines.append("scoring models: " + ", ".join(scales[0].build.scoring_models))
    for s in scales:
        for name, figures in (
            ("full build", s.build),
            ("hourly refresh", s.refresh),
            ("next hourly refresh", s.next_refresh),
        ):
            if figures.tests_failed:
                lines.append(
                    f"{s.leads:,} leads, {name}: failed dbt tests: {', '.join(figures.tests_failed)}"
                )
    return "\n".join(lines)


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The generated data, the work folder and the hourly delivery: the same in benchmark_day.py."""
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default: %(default)s)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="landing format")
    parser.add_argument(
        "--work",
        default="data/bench",
        help="work folder, relative to the project: landing files (kept and reused), warehouses, logs "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--refresh-share",
        type=float,
        default=0.005,
        help="share of the leads with new events in each hourly refresh (default: %(default)s)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/benchmark.py",
        description="Full build, hourly refresh, publish and the floor query for current scores, at two "
        "scales on the same generated data; a table of times, peak memory and file sizes.",
        epilog="Takes a few minutes at 100k leads and 15+ minutes at 1M (and up to the DuckDB memory "
        "limit, plus dbt's own memory). Set DUCKDB_MEMORY_LIMIT / DUCKDB_THREADS / DBT_THREADS to "
        "benchmark other resources.",
    )
    parser.add_argument(
        "--leads", type=int, nargs="+", default=[100_000, 1_000_000], help="scales (default: 100000 1000000)"
    )
    add_data_arguments(parser)
    parser.add_argument("--skip-tests", action="store_true", help="build without dbt's data and unit tests")
    args = parser.parse_args(argv)
    args.work = str(ROOT / args.work)  # an absolute --work stays as it is
    for sql in (FLOOR_SQL, HISTORY_FLOOR_SQL, FIT_MATCHES_SQL):
        if not sql.is_file():
            parser.error(f"{sql} is missing")

    progress = Progress()
    scales = [run_scale(leads, args, progress) for leads in sorted(args.leads)]
    text = report(scales, args)
    print("\n" + text)
    out = Path(args.work).resolve() / (
        f"benchmark-{'-'.join(str(s.leads) for s in scales)}-{datetime.now():%Y%m%dT%H%M%S}.json"
    )
    out.write_text(
        json.dumps(
            {"report": text.splitlines(), "scales": [s.__dict__ for s in scales]},
            indent=2,
            default=lambda o: o.__dict__,
        )
        + "\n"
    )
    print(f"\nfigures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
