"""Run the warehouse on PostgreSQL: one ingest, then the raw tables copied to the server.

The landing files are checked and loaded exactly as for DuckDB (leadwarehouse.ingest writes the
raw schema and the ingest manifest into a DuckDB staging file; staging models quarantine bad rows
on either engine). ``copy_to_postgres`` then replaces the same schemas' tables on the server (the
raw schema and ``meta``, which the build's bookkeeping source reads) with their rows, in one
transaction, so dbt on the ``postgres`` output of profiles.yml reads what dbt on DuckDB reads.
``build_on_postgres`` does ingest, copy and dbt in a row, recorded in the staging file's
meta.build_runs like a DuckDB build.

python -m leadwarehouse.postgres --landing data/landing --staging data/warehouse/pg-ingest.duckdb

The server comes from the environment, as in profiles.yml: LEAD_PG_HOST (default localhost),
LEAD_PG_PORT (5432), LEAD_PG_USER (postgres), LEAD_PG_PASSWORD (empty), LEAD_PG_DBNAME
(lead_warehouse). Column types map one to one (varchar -> text, timestamp -> timestamp without
time zone, always UTC as in DuckDB); the rows go through COPY in PostgreSQL's text format.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import sys
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS = ("raw", "meta")
BATCH_ROWS = 50_000

# DuckDB type -> PostgreSQL type (DECIMAL(p,s) is handled apart)
_PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "HUGEINT": "numeric(38, 0)",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


class PostgresError(RuntimeError):
    """A table cannot be copied (a column type without a PostgreSQL counterpart)."""


def connection_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """libpq keywords of the server the postgres target builds on (the LEAD_PG_* variables)."""
    env = os.environ if env is None else env
    return {
        "host": env.get("LEAD_PG_HOST", "localhost"),
        "port": env.get("LEAD_PG_PORT", "5432"),
        "user": env.get("LEAD_PG_USER", "postgres"),
        "password": env.get("LEAD_PG_PASSWORD", ""),
        "dbname": env.get("LEAD_PG_DBNAME", "lead_warehouse"),
    }


def connect(env: Mapping[str, str] | None = None):
    import psycopg2  # installed with dbt-postgres

    # the session in UTC: nothing here depends on it, but a timestamptz is read and written as UTC
    return psycopg2.connect(**connection_settings(env), options="-c timezone=UTC")


def pg_type(duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "numeric")
    try:
        return _PG_TYPES[upper]
    except KeyError:
        raise PostgresError(f"no PostgreSQL type for DuckDB type {duckdb_type}") from None


# PostgreSQL's information_schema.columns.data_type -> DuckDB type (numeric is handled apart)
_DUCKDB_TYPES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
}


def duckdb_column_type(data_type: str, precision: int | None = None, scale: int | None = None) -> str:
    """The DuckDB type of a PostgreSQL column (information_schema's data_type, numeric precision
    and scale): the way back of pg_type."""
    if data_type == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None else "DOUBLE"
    try:
        return _DUCKDB_TYPES[data_type]
    except KeyError:
        raise PostgresError(f"no DuckDB type for PostgreSQL type {data_type}") from None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text_value(value: object) -> str:
    """One value in COPY's text format (\\N is null; backslash, tab and line breaks escaped)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | Decimal | int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_rows(cursor, relation: str, columns: list[str], rows: Iterable[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_text_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"copy {relation} ({', '.join(map(_quote, columns))}) from stdin", buffer)


def duckdb_tables(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[tuple[str, str]]]:
    """The base tables of a DuckDB schema: name -> [(column, type)] in column order."""
    rows = con.execute(
        "select c.table_name, c.column_name, c.data_type from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where c.table_catalog = current_database() and c.table_schema = ? "
        "and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position",
        [schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def copy_to_postgres(
    warehouse_path: Path | str,
    schemas: Iterable[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Replace the tables of `schemas` (default: the raw schema and meta) on the PostgreSQL server
    with those of the DuckDB file, in one transaction. Returns the rows copied per
    schema.table. A table the DuckDB file does not hold is left as it is on the server."""
    from leadwarehouse.build import raw_schema

    schemas = tuple(schemas) if schemas is not None else (raw_schema(), "meta")
    copied: dict[str, int] = {}
    source = duckdb.connect(str(warehouse_path), read_only=True)
    target = connect(env)
    try:
        with target, target.cursor() as cursor:  # one transaction: committed at the end, or rolled back
            for schema in schemas:
                tables = duckdb_tables(source, schema)
                if tables:
                    cursor.execute(f"create schema if not exists {_quote(schema)}")
                for table, columns in tables.items():
                    relation = f"{_quote(schema)}.{_quote(table)}"
                    definition = ", ".join(f"{_quote(c)} {pg_type(t)}" for c, t in columns)
                    cursor.execute(f"drop table if exists {relation}")
                    cursor.execute(f"create table {relation} ({definition})")
                    result = source.execute(
                        f'select {", ".join(map(_quote, (c for c, _ in columns)))} from "{schema}"."{table}"'
                    )
                    rows = 0
                    while batch := result.fetchmany(BATCH_ROWS):
                        _copy_rows(cursor, relation, [c for c, _ in columns], batch)
                        rows += len(batch)
                    copied[f"{schema}.{table}"] = rows
                    cursor.execute(f"analyze {relation}")
    finally:
        target.close()
        source.close()
    return copied


def build_on_postgres(
    landing_dir: Path | str,
    staging_path: Path | str,
    dbt_args: list[str],
    *,
    as_of: str | None = None,
    quiet: bool = True,
    env: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Ingest the landing folder into the DuckDB file `staging_path` (checked and recorded as for a
    DuckDB build: meta.build_runs, the ingest manifest), copy the raw schema and meta to the
    PostgreSQL server, then run dbt (`dbt_args`) on the postgres target. The build's outcome is
    recorded in the DuckDB file's meta.build_runs. The server: the LEAD_PG_* variables of `env`,
    else of this process's environment. Returns the raw row counts. Raises ContractError
    (ingest) or subprocess.CalledProcessError (dbt)."""
    from leadwarehouse.build import (
        finish_build_run,
        load_inputs,
        new_run_id,
        record_landing,
        resolve_as_of,
        run_dbt,
        start_build_run,
    )

    as_of = resolve_as_of(as_of)
    run_id = new_run_id()
    command = shlex.join(["dbt", *dbt_args])
    start_build_run(staging_path, run_id, as_of, command)
    try:
        counts = dict(load_inputs(landing_dir, staging_path, "contract", full=True, run_id=run_id))
        record_landing(staging_path, run_id)
        server = {**os.environ, **(env or {})}
        copy_to_postgres(staging_path, env=server)
        run_dbt(dbt_args, staging_path, as_of, quiet=quiet, target="postgres", env=env)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            finish_build_run(
                staging_path, run_id, succeeded=False, message=f"{type(exc).__name__}: {exc}"[:2000]
            )
        raise
    finish_build_run(staging_path, run_id, succeeded=True, returncode=0)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.postgres",
        description="Build the warehouse on PostgreSQL: ingest the landing folder into a DuckDB staging "
        "file, copy its raw tables to the server (LEAD_PG_HOST, LEAD_PG_PORT, LEAD_PG_USER, "
        "LEAD_PG_PASSWORD, LEAD_PG_DBNAME) and run dbt on the postgres target.",
    )
    parser.add_argument("--landing", default="data/landing", help="landing folder (default: %(default)s)")
    parser.add_argument(
        "--staging",
        default="data/warehouse/postgres-ingest.duckdb",
        help="DuckDB file the ingest writes before the copy (default: %(default)s)",
    )
    parser.add_argument("--as-of", default=None, help="the build's 'now' (default: $LEAD_AS_OF, else now)")
    parser.add_argument("--skip-tests", action="store_true", help="models and seeds without dbt's tests")
    step = parser.add_mutually_exclusive_group()
    step.add_argument(
        "--copy-only", action="store_true", help="only copy the raw tables of --staging to the server"
    )
    step.add_argument(
        "--publish",
        action="store_true",
        help="only publish the last build of --staging: the views of the schema $LEAD_PUBLISHED_SCHEMA "
        "(published) switched to a new snapshot schema in one transaction, granted to $LEAD_PG_READER_ROLES "
        "(comma-separated)",
    )
    args = parser.parse_args(argv)
    if args.publish:
        from leadwarehouse.publish import PublishError
        from leadwarehouse.publish_server import publish_on_postgres, role_names

        roles = role_names(os.environ.get("LEAD_PG_READER_ROLES", ""))
        try:
            published = publish_on_postgres(
                args.staging,
                schema=os.environ.get("LEAD_PUBLISHED_SCHEMA") or "published",
                reader_roles=roles,
            )
        except PublishError as exc:
            print(f"publish failed: {exc}", file=sys.stderr)
            return 3 if exc.transient else 1
        print(
            f"published schema {published.location} on PostgreSQL in {published.seconds:.1f}s: "
            f"run {published.run_id}, as of {published.as_of}"
        )
        return 0
    if args.copy_only:
        copied = copy_to_postgres(args.staging)
        print(f"copied {sum(copied.values()):,} rows of {len(copied)} tables to PostgreSQL")
        return 0
    from leadwarehouse.build import dbt_build_args

    dbt_args = dbt_build_args("run" if args.skip_tests else "build")
    counts = build_on_postgres(
        args.landing,
        args.staging,
        dbt_args,
        as_of=args.as_of or os.environ.get("LEAD_AS_OF") or "now",
        quiet=False,
    )
    print(f"built on PostgreSQL from {sum(counts.values()):,} raw rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
