"""The nightly check that the incremental state equals a full build (docs/incremental.md,
"The nightly check").

The hourly refreshes recompute only what changed; a bug there would leave rows a full build would
not. The daily full build therefore, when the warehouse's state can be continued incrementally,
first brings that state to the run's as_of with an incremental build, fingerprints every
table, rebuilds everything (`--full-refresh`) and fingerprints again. Tables whose fingerprints
differ are recorded in meta.incremental_checks with the run, and the Dagster asset check
`incremental_state_matches_full_build` reports them (orchestration/assets/dbt.py). The full build
has replaced the state either way: the check says that the hourly refreshes were wrong, it does
not keep a wrong state.

A table's fingerprint is its row count and the sum of a 64-bit hash of each row, doubles rounded to
ROUND_DIGITS places (as scripts/compare_warehouses.py compares them). Not compared: the ingest
batch a row came in (a full build loads every file in one) and the tables that describe what a
build recomputed or the build before it (NOT_COMPARED)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from leadwarehouse.duckdb_resources import connect, duckdb_resources

SCHEMAS = ("staging", "intermediate", "marts", "exports")
IGNORED_COLUMNS = ("_batch_id",)
# change models (what this build recomputes and why), and what describes the previous good build
# (the volume guard of the data-quality summary compares each build with it)
NOT_COMPARED = (
    "intermediate.int_scoring_changed_leads",
    "intermediate.int_lifecycle_changed_leads",
    "intermediate.int_qualification_changed_leads",
    "intermediate.int_sla_changed_leads",
    "intermediate.int_fit_changed_leads",
    "intermediate.int_crm_changed_leads",
    "intermediate.int_sales_activity_changed_leads",
    "intermediate.int_opportunity_changed_leads",
    "staging.base_marketing__restaged_events",
    "staging.base_crm__restaged_leads",
    "staging.base_crm__restaged_sales_activities",
    "staging.base_crm__restaged_accounts",
    "staging.base_crm__restaged_opportunities",
    "intermediate.int_marketing_events_changed",
    "marts.data_quality_summary",
    "staging.stg_build_meta__last_good_input_counts",
)
ROUND_DIGITS = 6
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")

CHECKS_DDL = """
create table if not exists meta.incremental_checks (
    run_id varchar,
    as_of timestamp,
    checked_at timestamp,
    compared_tables integer,
    differing_tables varchar  -- JSON list of schema.table
)"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """{schema.table: (rows, sum of row hashes)} of every compared table."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in con.execute(
        "select c.table_schema, c.table_name, c.column_name, c.data_type "
        "from information_schema.columns c join information_schema.tables t "
        "on c.table_schema = t.table_schema and c.table_name = t.table_name "
        "where t.table_type = 'BASE TABLE' and c.table_schema in (select unnest(?)) "
        "order by c.table_schema, c.table_name, c.ordinal_position",
        [list(SCHEMAS)],
    ).fetchall():
        name = f"{schema}.{table}"
        if name not in NOT_COMPARED and column not in IGNORED_COLUMNS:
            columns.setdefault(name, []).append((column, data_type))
    result = {}
    for name, cols in columns.items():
        # + 0.0 turns a rounded -0.0 into 0.0 (equal values, different bits)
        values = [
            f"round({_quote(c)}, {ROUND_DIGITS}) + 0.0" if t.upper() in FLOAT_TYPES else _quote(c)
            for c, t in cols
        ]
        schema, table = name.split(".")
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash({', '.join(values)})), 0) from {_quote(schema)}.{_quote(table)}"
        ).fetchone()
        result[name] = (int(rows), int(total))
    return result


def warehouse_fingerprints(path: Path | str) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        # the build's memory limit and threads: DuckDB's own default (80 % of the machine's memory)
        # let the hashes of 170M rows take 5.6 GB at 1M leads, more than a build may use
        duckdb_resources(path).apply(con)
        return fingerprints(con)


def differing(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Tables whose rows differ, or that only one of the two states has."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def record_check(path: Path | str, run_id: str, as_of: str, before: dict[str, tuple[int, int]]) -> list[str]:
    """Fingerprint the full build in `path`, compare it with `before` (the incremental state at the
    same as_of), record the outcome in meta.incremental_checks and return the differing tables."""
    with connect(path) as con:
        after = fingerprints(con)
        found = differing(before, after)
        con.execute("create schema if not exists meta")
        con.execute(CHECKS_DDL)
        con.execute(
            "insert into meta.incremental_checks values (?, cast(? as timestamp), current_timestamp, ?, ?)",
            [run_id, as_of, len(after), json.dumps(found)],
        )
    return found


def check_of_run(path: Path | str, run_id: str) -> dict | None:
    """The run's recorded check ({compared_tables, differing_tables}), or None when it made none."""
    with duckdb.connect(str(path), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'meta' and table_name = 'incremental_checks'"
        ).fetchone()[0]
        if not exists:
            return None
        row = con.execute(
            "select compared_tables, differing_tables from meta.incremental_checks where run_id = ? "
            "order by checked_at desc limit 1",
            [run_id],
        ).fetchone()
    if row is None:
        return None
    return {"compared_tables": row[0], "differing_tables": json.loads(row[1])}
