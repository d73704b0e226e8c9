"""Load the landing folder into the warehouse's raw schema, checking the input contract first.

A file that breaks the contract (missing table, missing column, a column whose type cannot
hold the contract type) stops the load with a ContractError naming the file and the column;
the raw schema is only replaced when every table passed, in one transaction. Row-level
problems (a bad email, an unparseable timestamp) are not file errors: every column lands as
text and the staging models quarantine such rows with a reason.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from pyarrow import types as pat

from leadwarehouse.contract import TABLES, Table

FORMATS = ("parquet", "csv")


class ContractError(Exception):
    """A landing file does not meet the input contract."""


@dataclass(frozen=True)
class LandingTable:
    table: Table
    files: tuple[Path, ...]
    fmt: str

    @property
    def label(self) -> str:
        return str(self.files[0].parent if len(self.files) > 1 else self.files[0])


def find_landing_table(landing_dir: Path, table: Table) -> LandingTable:
    """`<table>.parquet`, `<table>.csv`, or a folder `<table>/` of parts of one format."""
    for fmt in FORMATS:
        single = landing_dir / f"{table.name}.{fmt}"
        if single.is_file():
            return LandingTable(table, (single,), fmt)
    folder = landing_dir / table.name
    if folder.is_dir():
        for fmt in FORMATS:
            parts = tuple(sorted(folder.glob(f"*.{fmt}")))
            if parts:
                return LandingTable(table, parts, fmt)
    raise ContractError(
        f"table '{table.name}': no landing file found in {landing_dir} "
        f"(expected {table.name}.parquet, {table.name}.csv or a folder {table.name}/ of parts)"
    )


# Arrow types a column may arrive as, per contract type. Text is always accepted for scalar
# types: values that do not parse are quarantined row by row in staging.
def _arrow_type_fits(contract_type: str, arrow_type) -> bool:
    if pat.is_string(arrow_type) or pat.is_large_string(arrow_type) or pat.is_null(arrow_type):
        return True
    if pat.is_dictionary(arrow_type):
        return _arrow_type_fits(contract_type, arrow_type.value_type)
    numeric = pat.is_integer(arrow_type) or pat.is_floating(arrow_type) or pat.is_decimal(arrow_type)
    return {
        "string": numeric,
        "integer": pat.is_integer(arrow_type) or pat.is_floating(arrow_type) or pat.is_decimal(arrow_type),
        "decimal": numeric,
        "boolean": pat.is_boolean(arrow_type) or pat.is_integer(arrow_type),
        "timestamp": pat.is_timestamp(arrow_type) or pat.is_date(arrow_type),
        "date": pat.is_date(arrow_type) or pat.is_timestamp(arrow_type),
    }[contract_type]


_DUCKDB_TYPE = {
    "integer": "double",  # '250.0' is a fine employee count; staging rounds and range-checks
    "decimal": "double",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


def _file_columns(con: duckdb.DuckDBPyConnection, lt: LandingTable, path: Path) -> dict[str, object]:
    """Column name (lower-case) → arrow type (Parquet) or None (CSV: all text)."""
    if lt.fmt == "parquet":
        try:
            schema = pq.read_schema(path)
        except Exception as exc:  # corrupt file: name it
            raise ContractError(f"{path}: not a readable Parquet file ({exc})") from exc
        return {f.name.lower(): f.type for f in schema}
    try:
        rel = con.sql(f"select * from read_csv({_sql_str(path)}, all_varchar = true, header = true) limit 0")
    except duckdb.Error as exc:
        raise ContractError(f"{path}: not a readable CSV file ({exc})") from exc
    return {name.lower(): None for name in rel.columns}


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _reader(lt: LandingTable) -> str:
    files = "[" + ", ".join(_sql_str(f.resolve()) for f in lt.files) + "]"
    if lt.fmt == "parquet":
        return f"read_parquet({files}, union_by_name = true, filename = true)"
    return f"read_csv({files}, all_varchar = true, header = true, union_by_name = true, filename = true)"


def check_contract(con: duckdb.DuckDBPyConnection, lt: LandingTable) -> set[str]:
    """Raise ContractError for the first contract breach; return the columns present in every file."""
    present_everywhere: set[str] | None = None
    for path in lt.files:
        columns = _file_columns(con, lt, path)
        for col in lt.table.columns:
            if col.name not in columns:
                if col.required:
                    raise ContractError(
                        f"{path}: required column '{col.name}' of table '{lt.table.name}' is missing "
                        f"(found: {', '.join(sorted(columns)) or 'no columns'})"
                    )
                continue
            arrow_type = columns[col.name]
            if arrow_type is not None and not _arrow_type_fits(col.type, arrow_type):
                raise ContractError(
                    f"{path}: column '{col.name}' of table '{lt.table.name}' has type {arrow_type}, "
                    f"which cannot hold the contract type '{col.type}'"
                )
        names = {c for c in columns if c in lt.table.column_names}
        present_everywhere = names if present_everywhere is None else present_everywhere & names
    _check_text_columns_parse(con, lt, present_everywhere or set())
    return present_everywhere or set()


def _check_text_columns_parse(con: duckdb.DuckDBPyConnection, lt: LandingTable, present: set[str]) -> None:
    """A typed column delivered as text where *no* non-empty value parses is a mistyped column
    (e.g. a shifted CSV), not a handful of bad rows."""
    typed = [c for c in lt.table.columns if c.name in present and c.type in _DUCKDB_TYPE]
    if not typed:
        return
    checks = ", ".join(
        f"count(nullif(trim(cast({c.name} as varchar)), '')) as n_{i}, "
        f"count(try_cast(nullif(trim(cast({c.name} as varchar)), '') as {_DUCKDB_TYPE[c.type]})) as ok_{i}, "
        f"min(cast({c.name} as varchar)) filter (where try_cast(nullif(trim(cast({c.name} as varchar)), '') "
        f"as {_DUCKDB_TYPE[c.type]}) is null and nullif(trim(cast({c.name} as varchar)), '') is not null) "
        f"as bad_{i}"
        for i, c in enumerate(typed)
    )
    row = con.execute(f"select {checks} from {_reader(lt)}").fetchone()
    for i, col in enumerate(typed):
        non_empty, parsed, example = row[3 * i], row[3 * i + 1], row[3 * i + 2]
        if non_empty > 0 and parsed == 0:
            raise ContractError(
                f"{lt.label}: column '{col.name}' of table '{lt.table.name}': none of {non_empty:,} "
                f"non-empty values parses as {col.type} (e.g. {example!r})"
            )


def _load_sql(lt: LandingTable, present: set[str], raw_schema: str, landing_dir: Path) -> str:
    # file names relative to the landing folder: the same input gives the same rows wherever it lives
    prefix = _sql_str(str(landing_dir.resolve()) + "/")
    cols = ", ".join(
        f"cast({c.name} as varchar) as {c.name}"
        if c.name in present
        else f"cast(null as varchar) as {c.name}"
        for c in lt.table.columns
    )
    return (
        f"create or replace table {raw_schema}.{lt.table.name} as "
        f"select {cols}, replace(filename, {prefix}, '') as _source_file, row_number() over () as _source_row "
        f"from {_reader(lt)}"
    )


def ingest_landing(
    landing_dir: Path | str, warehouse_path: Path | str, raw_schema: str = "raw"
) -> dict[str, int]:
    """Check every landing table against the contract, then replace the raw schema in one
    transaction. Returns row counts per table."""
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        raise ContractError(f"landing folder {landing_dir} does not exist")
    Path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path))
    in_transaction = False
    try:
        con.execute("set preserve_insertion_order = true")
        plan = []
        for table in TABLES.values():
            lt = find_landing_table(landing_dir, table)
            plan.append((lt, check_contract(con, lt)))
        con.execute("begin transaction")
        in_transaction = True
        con.execute(f"create schema if not exists {raw_schema}")
        counts = {}
        for lt, present in plan:
            con.execute(_load_sql(lt, present, raw_schema, landing_dir))
            counts[lt.table.name] = con.execute(
                f"select count(*) from {raw_schema}.{lt.table.name}"
            ).fetchone()[0]
        con.execute("commit")
        return counts
    except BaseException:
        if in_transaction:
            con.execute("rollback")
        raise
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.ingest",
        description="Check the landing folder against the input contract and load it into the raw schema.",
    )
    parser.add_argument("--landing", default="data/landing", help="landing folder (default: %(default)s)")
    parser.add_argument(
        "--warehouse",
        default="data/warehouse/build.duckdb",
        help="DuckDB file to load (default: %(default)s)",
    )
    parser.add_argument(
        "--raw-schema", default="raw", help="schema for the raw tables (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        counts = ingest_landing(args.landing, args.warehouse, args.raw_schema)
    except ContractError as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 2
    for name, n in counts.items():
        print(f"  {name:<18} {n:>12,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
