"""Time every dashboard page's queries against a warehouse (no Streamlit cache, one fresh
read-only connection per query, as the app does on a cache miss).

    python scripts/benchmark_dashboard_queries.py --warehouse data/warehouse/published.duckdb
    python scripts/benchmark_dashboard_queries.py --warehouse big.duckdb --replicate 10

`--replicate N` first writes a scaled copy (every lead-level mart repeated N times with
distinct lead ids, into a temporary file next to the warehouse unless --scaled-out is given)
to estimate the query time at N times the leads without building it. Prints, per page, the
median and the slowest of --repeat runs, how many queries it runs, their 95th percentile and
the slowest; then the 95th percentile over every page query. Target: p95 <= 200 ms per query
at 1M leads.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboards.data import execute, session  # noqa: E402
from dashboards.queries import funnel as funnel_q  # noqa: E402
from dashboards.queries import kpi_ladder as kpi_q  # noqa: E402
from dashboards.queries import lead_explorer as explorer_q  # noqa: E402
from dashboards.queries import pipeline as pipeline_q  # noqa: E402
from dashboards.queries import scoring_health as scoring_q  # noqa: E402
from dashboards.queries import sla as sla_q  # noqa: E402
from dashboards.queries import velocity as velocity_q  # noqa: E402
from dashboards.queries.common import (  # noqa: E402
    Filters,
    Runner,
    as_of,
    available_tables,
    distinct_values,
    lead_months,
    step_label,
)

# lead-level marts and their id column(s) to suffix when replicating
REPLICATED = {
    "leads": ["lead_id"],
    "lead_score_changes": ["lead_id"],
    "lead_stage_history": ["stage_history_id", "lead_id"],
    "lead_score_reasons": ["score_reason_id", "lead_id"],
    "lead_sla": ["lead_id"],
    "lead_pipeline_now": ["lead_id"],
    "funnel_conversion": [],
}


def replicate(src: Path, dst: Path, times: int) -> None:
    """A copy of the marts the dashboards read, with lead-level tables repeated `times` times."""
    dst.unlink(missing_ok=True)
    con = duckdb.connect(str(dst))
    try:
        con.execute(f"attach '{src}' as src (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'src' and table_schema in ('marts', 'config')"
        ).fetchall()
        for schema, _ in {(s, None) for s, _ in tables}:
            con.execute(f"create schema if not exists {schema}")
        for schema, table in tables:
            if schema == "marts" and table in REPLICATED:
                cols = [
                    r[0]
                    for r in con.execute(
                        "select column_name from information_schema.columns where table_catalog = 'src' "
                        "and table_schema = ? and table_name = ? order by ordinal_position",
                        [schema, table],
                    ).fetchall()
                ]
                select = ", ".join(
                    f"case when k = 0 then {c} else {c} || '-' || k end as {c}"
                    if c in REPLICATED[table]
                    else c
                    for c in cols
                )
                con.execute(
                    f"create table {schema}.{table} as select {select} "
                    f"from src.{schema}.{table}, range({int(times)}) as r(k)"
                )
            else:
                con.execute(f"create table {schema}.{table} as select * from src.{schema}.{table}")
    finally:
        con.close()


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of some timings; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def page_plans(q: Runner, tables: set[str]) -> dict[str, Callable[[], Any]]:
    """The queries each page runs on first load with its default filters."""
    f = Filters()
    has = tables.__contains__

    def shared() -> None:
        available_tables(q)
        as_of(q)
        lead_months(q)
        for col in ("lead_source", "segment", "fit_tier", "motion"):
            distinct_values(q, "marts.leads", col)

    def funnel() -> None:
        if has("marts.funnel_conversion"):
            distinct_values(q, "marts.funnel_conversion", "team_id")
            if has("marts.lead_sla"):
                funnel_q.team_names(q)
        funnel_q.funnel_steps(q, f, "funnel_conversion" if has("marts.funnel_conversion") else "leads")

    def velocity(f: Filters = f) -> None:
        months = lead_months(q)
        ok = has("marts.stage_velocity") and velocity_q.velocity_from_mart_ok(f, months)
        source = "stage_velocity" if ok else "leads"
        summary = velocity_q.velocity_summary(q, f, source).set_index("step")
        velocity_q.time_in_stage(
            q, f, "time_in_stage" if ok and has("marts.time_in_stage") else "lead_stage_history"
        )
        step = step_label("mql", "sql")
        if step in summary.index:
            r = summary.loc[step]
            velocity_q.velocity_histogram(
                q, f, step, velocity_q.nice_bin_width(r.get("p95_days", r["p90_days"] * 1.3))
            )
            velocity_q.velocity_trend(q, f, step, source)

    def velocity_filtered() -> None:
        # a filter beyond stage_velocity's slices (one lead source): the page computes from the leads
        sources = distinct_values(q, "marts.leads", "lead_source")
        velocity(Filters(lead_sources=tuple(sources[:1])))

    def sla() -> None:
        if not has("marts.lead_sla"):
            return
        sla_q.sla_names(q)
        sla_q.sla_months(q)
        for col in ("lead_source", "segment", "motion", "team_name"):
            distinct_values(q, "marts.lead_sla", col)
        cutoffs = sla_q.sla_cutoffs(q)  # once per page run, as the page reads them
        sla_q.sla_overall(q, f, cutoffs=cutoffs)
        for by in ("sla", "team", "rep"):
            sla_q.sla_by(q, f, by, cutoffs=cutoffs)
        sla_q.sla_weekly(q, f, cutoffs=cutoffs)
        sla_q.sla_time_to_target(q, f, cutoffs=cutoffs)
        for state in sla_q.OPEN_STATES:
            sla_q.sla_open_items(q, f, state)

    def kpi() -> None:
        if not has("marts.kpi_ladder"):
            return
        o = kpi_q.kpi_options(q)
        o = o[(o["period_grain"] == "month")]
        if o.empty:
            return
        o = o[o["basis"] == ("period" if (o["basis"] == "period").any() else o["basis"].min())]
        first = o.sort_values(["slice_dimension"], key=lambda d: d != "all").iloc[0]
        s = kpi_q.kpi_series(q, "month", first["basis"], first["slice_dimension"], first["slice_value"])
        if len(s):
            kpi_q.kpi_current_vs_previous(s, s["period_start"].max())

    def pipeline() -> None:
        if not has("marts.lead_pipeline_now"):
            return
        distinct_values(q, "marts.lead_pipeline_now", "team_name")
        pipeline_q.pipeline_counts(q, f)
        pipeline_q.sla_states(q)
        pipeline_q.age_buckets(q)
        pipeline_q.median_days_by_stage(q, f)

    def pipeline_list() -> None:  # a count clicked: the lead list of one cell
        if has("marts.lead_pipeline_now"):
            pipeline_q.pipeline_leads(q, f, pipeline_q.Cell(stage="mql", sla="breached_stale"))

    def explorer() -> None:
        top = explorer_q.top_leads(q)  # the page's first view
        term = (
            str(top["company_name"].dropna().iloc[0]).split()[0] if top["company_name"].notna().any() else "a"
        )
        found = explorer_q.search_leads(q, term)
        lead_id = found["lead_id"].iloc[0] if len(found) else top["lead_id"].iloc[0]
        explorer_q.lead_detail(q, lead_id)
        explorer_q.lead_reasons(q, lead_id)
        explorer_q.lead_ledger(q, lead_id)
        explorer_q.lead_stages(q, lead_id)

    def scoring() -> None:
        scoring_q.conversion_by_peak_band(q, f)
        scoring_q.gate_win_rates(q, f)
        scoring_q.calibration_by_decile(q, f)
        models = scoring_q.scoring_models(q)
        m = models.iloc[0]
        dist = scoring_q.score_distribution(q, f, m["model_id"])
        scoring_q.whatif_curve(dist, int(m["max_score"]))
        scoring_q.whatif_weekly(q, f, m["model_id"], float(m["mql_threshold"]), float(m["mql_threshold"]))

    def scoring_slider() -> None:
        m = scoring_q.scoring_models(q).iloc[0]
        scoring_q.whatif_weekly(q, f, m["model_id"], float(m["mql_threshold"]) - 5, float(m["mql_threshold"]))

    return {
        "shared (warehouse check + lead filters)": shared,
        "0 pipeline now": pipeline,
        "0b pipeline: a cell's lead list": pipeline_list,
        "1 funnel": funnel,
        "2 velocity": velocity,
        "2 velocity, filtered by lead source": velocity_filtered,
        "3 sla": sla,
        "4 kpi ladder": kpi,
        "5 lead explorer": explorer,
        "6 scoring health": scoring,
        "6b scoring: move the threshold slider": scoring_slider,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="a built (published) DuckDB warehouse")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (default: %(default)s)")
    parser.add_argument("--replicate", type=int, default=1, help="benchmark a copy with N× the leads")
    parser.add_argument("--scaled-out", default=None, help="where to write the --replicate copy (kept)")
    args = parser.parse_args(argv)

    path = Path(args.warehouse).resolve()
    if not path.exists():
        print(f"no warehouse at {path}: build one first (make demo)", file=sys.stderr)
        return 2
    tmp = None
    if args.replicate > 1:
        if args.scaled_out:
            target = Path(args.scaled_out).resolve()
        else:
            tmp = tempfile.TemporaryDirectory(dir=path.parent)
            target = Path(tmp.name) / "scaled.duckdb"
        started = time.perf_counter()
        replicate(path, target, args.replicate)
        print(
            f"replicated {path.name} ×{args.replicate} into {target} in {time.perf_counter() - started:.1f}s"
        )
        path = target

    timings: dict[str, list[float]] = {}
    query_times: dict[str, list[float]] = {}  # every query of a page, over all repeats
    slowest: dict[str, tuple[float, str]] = {}
    current_page = [""]

    def q(sql: str, params: Any = ()) -> pd.DataFrame:
        t0 = time.perf_counter()
        df = execute(path, sql, list(params))
        dt = time.perf_counter() - t0
        query_times.setdefault(current_page[0], []).append(dt)
        first_line = " ".join(sql.split())[:90]
        if dt > slowest.get(current_page[0], (0.0, ""))[0]:
            slowest[current_page[0]] = (dt, first_line)
        return df

    tables = available_tables(q)
    leads = int(q("select count(*) as n from marts.leads", [])["n"].iloc[0])
    changes = int(q("select count(*) as n from marts.lead_score_changes", [])["n"].iloc[0])
    print(
        f"warehouse {path}: {leads:,} leads, {changes:,} score changes, {path.stat().st_size / 1e6:,.0f} MB"
    )
    missing = [
        t
        for t in ("marts.lead_sla", "marts.kpi_ladder", "marts.funnel_conversion", "marts.stage_velocity")
        if t not in tables
    ]
    if missing:
        print(f"not built (pages fall back or show a message): {', '.join(missing)}")
    plans = page_plans(q, tables)
    for _ in range(args.repeat):
        for name, plan in plans.items():
            current_page[0] = name
            t0 = time.perf_counter()
            with session():  # as app.py: one connection per page run
                plan()
            timings.setdefault(name, []).append(time.perf_counter() - t0)
    print(f"\n{'page':42} {'median':>8} {'max':>8} {'queries':>7} {'q p95':>7}   slowest query")
    for name, ts in timings.items():
        dt, sql = slowest.get(name, (0.0, ""))
        qs = query_times.get(name, [])
        print(
            f"{name:42} {statistics.median(ts):7.3f}s {max(ts):7.3f}s {len(qs) // args.repeat:7d} "
            f"{p95(qs):6.3f}s   {dt:.3f}s {sql}"
        )
    every = [t for name, qs in query_times.items() if name in timings for t in qs]
    print(
        f"\nall page queries: {len(every)} runs, median {statistics.median(every):.3f}s, "
        f"p95 {p95(every):.3f}s, max {max(every):.3f}s (target: p95 <= 0.200s at 1M leads)"
    )
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
