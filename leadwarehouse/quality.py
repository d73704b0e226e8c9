"""The data-quality summary every build ends with: per input table, rows delivered, staged,
quarantined and mapped to 'other', the change against the last successful build, and the
thresholds that failed (seeds/quality/data_quality_thresholds.csv), with example ids/values.

The figures are the dbt models marts.data_quality_summary and marts.data_quality_issues; a
broken threshold fails the build through the test on data_quality_summary, before publishing.

python -m leadwarehouse.quality --warehouse data/warehouse/build.duckdb
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class TableQuality:
    source_table: str
    raw_rows: int
    staged_rows: int
    quarantined_rows: int
    mapped_to_other_values: int
    previous_raw_rows: int | None
    status: str
    failed_checks: str


def read_summary(warehouse: Path | str) -> tuple[list[TableQuality], list[tuple]]:
    """The summary rows and the issue rows (table, kind, issue, rows, examples) of a warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            TableQuality(*row)
            for row in con.execute(
                "select source_table, raw_rows, staged_rows, quarantined_rows, mapped_to_other_values, "
                "previous_raw_rows, status, failed_checks from marts.data_quality_summary order by source_table"
            ).fetchall()
        ]
        issues = con.execute(
            "select source_table, issue_kind, issue, affected_rows, examples from marts.data_quality_issues "
            "order by source_table, issue_kind, affected_rows desc, issue"
        ).fetchall()
    finally:
        con.close()
    return tables, issues


def format_summary(tables: list[TableQuality], issues: list[tuple]) -> str:
    lines = [
        "data quality (rows per input table)",
        f"  {'table':<18} {'raw':>10} {'staged':>10} {'quarantined':>12} {'→ other':>9} {'last good':>10}  status",
    ]
    for t in tables:
        previous = "" if t.previous_raw_rows is None else f"{t.previous_raw_rows:,}"
        status = "ok" if t.status == "ok" else f"FAIL: {t.failed_checks.strip().rstrip(';')}"
        lines.append(
            f"  {t.source_table:<18} {t.raw_rows:>10,} {t.staged_rows:>10,} {t.quarantined_rows:>12,} "
            f"{t.mapped_to_other_values:>9,} {previous:>10}  {status}"
        )
    if issues:
        lines.append("  what was not taken as delivered (examples):")
        for table, kind, issue, rows, examples in issues:
            label = {"quarantined": "quarantined", "mapped_to_other": "mapped to other"}.get(
                kind, "soft-deleted in the CRM, excluded"
            )
            lines.append(f"    {table + '.' + issue:<42} {rows:>8,} {label:<16} e.g. {examples or ''}")
    return "\n".join(lines)


def print_summary(warehouse: Path | str, stream=sys.stdout) -> bool | None:
    """Print the summary; True when every table is within its thresholds, None when the build
    did not get as far as the summary."""
    try:
        tables, issues = read_summary(warehouse)
    except duckdb.Error:
        return None
    print(format_summary(tables, issues), file=stream)
    return all(t.status == "ok" for t in tables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.quality",
        description="Print the data-quality summary of a built warehouse (exit 1 when a threshold fails).",
    )
    parser.add_argument(
        "--warehouse", default="data/warehouse/build.duckdb", help="DuckDB file (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    ok = print_summary(args.warehouse)
    if ok is None:
        print(f"no data-quality summary in {args.warehouse}: build it first", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
