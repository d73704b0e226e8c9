"""Compare the public tables of two built warehouses row for row.

    python scripts/compare_warehouses.py BEFORE.duckdb AFTER.duckdb [--schemas marts exports]

A refactoring that must not change behaviour is checked by building the same landing data before
and after it and running this: every table of the given schemas must exist in both, have the same
columns, and hold the same multiset of rows (EXCEPT ALL both ways, so duplicates count). Floats are
compared after rounding to 6 decimals. Exit code 0 when identical, 1 otherwise (each difference
printed with up to 3 example rows).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import duckdb

# the nightly check fingerprints tables with the same rounding (leadwarehouse/incremental_check.py)
from leadwarehouse.incremental_check import FLOAT_TYPES, ROUND_DIGITS


def _tables(con: duckdb.DuckDBPyConnection, alias: str, schemas: list[str]) -> set[tuple[str, str]]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "union all select schema_name, view_name from duckdb_views() where database_name = ? "
        "and not internal",
        [alias, alias],
    ).fetchall()
    return {(s, t) for s, t in rows if s in schemas}


def _columns(
    con: duckdb.DuckDBPyConnection, alias: str, schema: str, table: str, ignored: Sequence[str] = ()
) -> list[tuple[str, str]]:
    described = con.execute(f'describe "{alias}"."{schema}"."{table}"').fetchall()
    return [(r[0], r[1]) for r in described if r[0] not in ignored]


def _select(alias: str, schema: str, table: str, columns: list[tuple[str, str]]) -> str:
    exprs = [
        f'round("{name}", {ROUND_DIGITS}) as "{name}"' if dtype.upper() in FLOAT_TYPES else f'"{name}"'
        for name, dtype in columns
    ]
    return f'select {", ".join(exprs)} from "{alias}"."{schema}"."{table}"'


def compare(before: str, after: str, schemas: list[str], ignore_columns: Sequence[str] = ()) -> list[str]:
    """Differences between the two warehouses, as readable lines (empty: identical). Columns named
    in `ignore_columns` are left out wherever they occur (bookkeeping such as an ingest batch id)."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as before_wh (read_only)")
    con.execute(f"attach '{after}' as after_wh (read_only)")
    problems: list[str] = []
    old, new = _tables(con, "before_wh", schemas), _tables(con, "after_wh", schemas)
    for schema, table in sorted(old - new):
        problems.append(f"{schema}.{table}: missing after")
    for schema, table in sorted(new - old):
        problems.append(f"{schema}.{table}: new after (not compared)")
    for schema, table in sorted(old & new):
        cols_old = _columns(con, "before_wh", schema, table, ignore_columns)
        cols_new = _columns(con, "after_wh", schema, table, ignore_columns)
        if sorted(cols_old) != sorted(cols_new):
            problems.append(
                f"{schema}.{table}: columns differ: only before {sorted(set(cols_old) - set(cols_new))}, "
                f"only after {sorted(set(cols_new) - set(cols_old))}"
            )
            continue
        a, b = _select("before_wh", schema, table, cols_old), _select("after_wh", schema, table, cols_old)
        for label, left, right in (("only before", a, b), ("only after", b, a)):
            diff = f"{left} except all {right}"
            count = con.execute(f"select count(*) from ({diff})").fetchone()[0]
            if count:
                examples = con.execute(f"{diff} limit 3").fetchall()
                problems.append(f"{schema}.{table}: {count} rows {label}, e.g. {examples}")
    con.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="DuckDB file built before the change")
    parser.add_argument("after", help="DuckDB file built after the change")
    parser.add_argument("--schemas", nargs="+", default=["marts", "exports"], help="schemas to compare")
    args = parser.parse_args(argv)
    problems = compare(args.before, args.after, args.schemas)
    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"identical: every table of {', '.join(args.schemas)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
