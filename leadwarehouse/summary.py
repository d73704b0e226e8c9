"""Print a readable summary of a built warehouse: score bands, stages, funnel, top reasons.

python -m leadwarehouse.summary --warehouse data/warehouse/build.duckdb
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

FUNNEL = [
    ("inquiry → MQL", "count(*)", "count(mql_at)"),
    ("MQL → SAL", "count(mql_at)", "count(case when mql_at is not null and sal_at is not null then 1 end)"),
    ("SAL → SQL", "count(sal_at)", "count(case when sal_at is not null and sql_at is not null then 1 end)"),
    (
        "SQL → won (of closed)",
        "count(case when sql_at is not null and (won_at is not null or lost_at is not null) then 1 end)",
        "count(case when sql_at is not null and won_at is not null then 1 end)",
    ),
]


def _table(title: str, header: tuple[str, ...], rows: list[tuple]) -> str:
    cells = [tuple(_fmt(v) for v in row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = [f"\n{title}", "  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += [
        "  "
        + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in cells
    ]
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def summarize(warehouse: Path | str) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = []
        as_of, n_leads = con.execute("select max(as_of), count(*) from marts.leads").fetchone()
        out.append(f"Lead qualification warehouse — {warehouse}\nas_of {as_of}  ·  {n_leads:,} leads")
        out.append(
            _table(
                "Score band now (share of leads, won-rate by peak band)",
                ("band", "leads now", "% now", "leads at peak", "won at peak", "won-rate %"),
                con.execute("""
                with bands(band, band_order) as (values ('nurture', 1), ('warm', 2), ('mql', 3), ('hot', 4)),
                now as (select score_band as band, count(*) as n from marts.leads group by 1),
                peak as (select peak_band as band, count(*) as n, count(case when is_won then 1 end) as won
                         from marts.leads group by 1)
                select bands.band, coalesce(now.n, 0), 100.0 * coalesce(now.n, 0) / sum(coalesce(now.n, 0)) over (),
                       coalesce(peak.n, 0), coalesce(peak.won, 0), 100.0 * peak.won / nullif(peak.n, 0)
                from bands left join now using (band) left join peak using (band) order by band_order
            """).fetchall(),
            )
        )
        out.append(
            _table(
                "Current lifecycle stage",
                ("stage", "leads", "%"),
                con.execute("""
                select current_stage, count(*), 100.0 * count(*) / sum(count(*)) over ()
                from marts.leads join config.lifecycle_stages on current_stage = stage
                group by current_stage, stage_order order by stage_order, current_stage
            """).fetchall(),
            )
        )
        funnel = []
        for label, denominator, numerator in FUNNEL:
            den, num = con.execute(f"select {denominator}, {numerator} from marts.leads").fetchone()
            funnel.append((label, num, den, 100.0 * num / den if den else None))
        out.append(
            _table("Funnel conversion (cohort of all leads)", ("step", "converted", "of", "%"), funnel)
        )
        out.append(
            _table(
                "Fit tier × intent band (leads)",
                ("fit tier", "low", "medium", "high"),
                con.execute("""
                select fit_tier, count(case when intent_band = 'low' then 1 end),
                       count(case when intent_band = 'medium' then 1 end), count(case when intent_band = 'high' then 1 end)
                from marts.leads group by 1 order by 1
            """).fetchall(),
            )
        )
        out.append(
            _table(
                "Top score reasons (how many leads carry each, average points now)",
                ("reason", "dimension", "leads", "avg points"),
                con.execute("""
                select label, dimension, count(*), avg(points)
                from marts.lead_score_reasons group by 1, 2 order by 3 desc, 1 limit 10
            """).fetchall(),
            )
        )
        out.append("\nExample explanations (hottest leads):")
        for email, score, reasons in con.execute(
            "select email, total_score, score_reasons from marts.leads order by total_score desc, lead_id limit 3"
        ).fetchall():
            out.append(f"  {score:>5} {email}: {reasons}")
        out.append(
            _table(
                "Raw rows: staged + quarantined = raw",
                ("table", "raw", "staged", "quarantined", "ok"),
                con.execute("""
                select source_table, raw_rows, staged_rows, quarantined_rows, is_reconciled
                from marts.raw_row_reconciliation order by raw_rows desc
            """).fetchall(),
            )
        )
        reasons = con.execute("""
            select source_table || ': ' || quarantine_reason, count(*) from marts.quarantined_rows
            group by 1 order by 2 desc limit 8
        """).fetchall()
        if reasons:
            out.append(_table("Top quarantine reasons", ("table: reason", "rows"), reasons))
        return "\n".join(out)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.summary", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--warehouse", default="data/warehouse/build.duckdb", help="DuckDB file (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if not Path(args.warehouse).exists():
        print(f"No warehouse at {args.warehouse}: run `make build` first.", file=sys.stderr)
        return 2
    print(summarize(args.warehouse))
    return 0


if __name__ == "__main__":
    sys.exit(main())
