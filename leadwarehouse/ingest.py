"""Load the landing folder into the warehouse's raw schema, checking the input contract first.

Nothing is lost silently and nothing crashes with a traceback: every problem with the landing
folder is a ContractError with a one-line message naming the file (relative to the landing
folder), the column and the line where that applies, quoting at most a short escaped example
value. Which files are read is decided by ``landing_files``, how they are read by
``csv_reading`` and ``parquet_reading``; ``ingest_report`` holds the report and the manifest.

1. every table is selected and every file checked (columns, types, encoding, structure)
   before anything is written;
2. then, in one transaction, each contract table is replaced by ``raw.<table>``: every contract
   column as text, plus ``_source_file`` (path relative to the landing folder) and
   ``_source_row``. Each part contributes the columns it has (an optional column a part lacks
   is null for that part's rows only); an absent optional table lands empty. The rows loaded
   per file must equal the rows the file holds (Parquet metadata, the csv module's count), and
   a typed column in which not a single value parses is a mistyped column;
3. ``meta.landing_files`` and ``meta.landing_snapshot`` record what was loaded (sha256 per
   file, a fingerprint of the whole landing folder); ``meta.last_good_raw_counts`` is created.

Row-level problems (a bad email, an unparseable timestamp) are not file errors: staging
quarantines such rows with a reason.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from leadwarehouse.contract import TABLES, Table
from leadwarehouse.csv_reading import count_csv_records, csv_encoding, duckdb_csv_reader, scan_csv
from leadwarehouse.duckdb_resources import duckdb_resources
from leadwarehouse.ingest_report import FileReport, IngestReport, TableReport, write_manifest
from leadwarehouse.landing_files import ContractError, LandingFile, LandingTable, example, select_landing
from leadwarehouse.parquet_reading import (
    check_parquet_types,
    duckdb_parquet_reader,
    parquet_rows,
    scan_parquet,
)

__all__ = ["ContractError", "IngestReport", "count_landing_rows", "ingest_landing", "main"]


_DUCKDB_TYPE = {
    "integer": "double",  # '250.0' is a fine employee count; staging rounds and range-checks
    "decimal": "double",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


@dataclass(frozen=True)
class PartPlan:
    file: LandingFile
    reader: str  # SQL table function reading the part
    sources: dict[str, str]  # contract column → SQL expression in the reader
    missing_optional: tuple[str, ...]
    rows: int  # rows the file holds (Parquet metadata / csv module count)
    size: int
    sha256: str


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _positions(file: LandingFile, table: Table, names: list[str]) -> dict[str, int]:
    """Contract column → index of the file's column with that name (case-insensitive)."""
    found: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        found.setdefault(name.strip().lower(), []).append(i)
    for col in table.columns:
        if len(found.get(col.name, [])) > 1:
            spellings = ", ".join(example(names[i]) for i in found[col.name])
            raise ContractError(
                f"{file.rel}: column '{col.name}' appears {len(found[col.name])} times ({spellings}; "
                "names match case-insensitively); keep one"
            )
        if col.required and col.name not in found:
            hint = (
                "no column name matches the contract: is the header row missing?"
                if not any(c in found for c in table.column_names)
                else f"the file has {len(names)} columns"
            )
            raise ContractError(
                f"{file.rel}: required column '{col.name}' of table '{table.name}' is missing ({hint})"
            )
    return {col: found[col][0] for col in table.column_names if col in found}


def _sha256(file: LandingFile) -> str:
    with open(file.path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _plan_part(lt: LandingTable, file: LandingFile, encoding: str) -> PartPlan:
    try:
        return _read_part(lt.table, file, encoding)
    except OSError as exc:  # unreadable (permissions, vanished while reading, …)
        raise ContractError(f"{file.rel}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def _read_part(table: Table, file: LandingFile, encoding: str) -> PartPlan:
    if file.fmt == "csv":
        layout = scan_csv(file, encoding)
        positions = _positions(file, table, list(layout.header))
        reader, rows = duckdb_csv_reader(file, layout), layout.records
        sources = {col: f"c{i}" for col, i in positions.items()}
    else:
        layout = scan_parquet(file)
        positions = _positions(file, table, list(layout.names))
        check_parquet_types(file, table, layout, positions)
        reader, rows = duckdb_parquet_reader(file), layout.records
        sources = {col: _sql_ident(layout.names[i]) for col, i in positions.items()}
    missing = tuple(c.name for c in table.columns if c.name not in sources)
    return PartPlan(file, reader, sources, missing, rows, file.path.stat().st_size, _sha256(file))


def _duckdb_failure(file: LandingFile, exc: duckdb.Error) -> ContractError:
    """DuckDB's messages quote whole lines of the file: keep only the kind and the line."""
    line = re.search(r"CSV Error on Line: (\d+)", str(exc))
    where = f" near line {int(line.group(1)):,}" if line else ""
    return ContractError(f"{file.rel}: could not be read{where} ({type(exc).__name__})")


def _load_table(
    con: duckdb.DuckDBPyConnection, lt: LandingTable | None, table: Table, parts: list[PartPlan], raw: str
) -> int:
    columns = ", ".join(f"{c} varchar" for c in table.column_names)
    con.execute(
        f"create or replace table {raw}.{table.name} ({columns}, _source_file varchar, _source_row bigint)"
    )
    loaded = 0
    for part in parts:
        select = ", ".join(
            f"cast({part.sources[c]} as varchar)" if c in part.sources else "cast(null as varchar)"
            for c in table.column_names
        )
        try:
            n = con.execute(
                f"insert into {raw}.{table.name} select {select}, {_sql_str(part.file.rel)}, "
                f"{loaded} + row_number() over () from {part.reader}"
            ).fetchall()[0][0]
        except duckdb.Error as exc:
            raise _duckdb_failure(part.file, exc) from None
        if n != part.rows:
            raise ContractError(f"{part.file.rel}: loaded {n:,} rows but the file holds {part.rows:,}")
        loaded += n
    if lt is not None:
        _check_text_columns_parse(con, lt, f"{raw}.{table.name}")
    return loaded


def _check_text_columns_parse(con: duckdb.DuckDBPyConnection, lt: LandingTable, relation: str) -> None:
    """A typed column where *no* non-empty value parses is a mistyped column (e.g. a shifted
    CSV), not a handful of bad rows."""
    typed = [c for c in lt.table.columns if c.type in _DUCKDB_TYPE]
    if not typed:
        return
    checks = ", ".join(
        f"count(nullif(trim({c.name}), '')), "
        f"count(try_cast(nullif(trim({c.name}), '') as {_DUCKDB_TYPE[c.type]})), "
        f"min({c.name}) filter (where try_cast(nullif(trim({c.name}), '') as {_DUCKDB_TYPE[c.type]}) "
        f"is null and nullif(trim({c.name}), '') is not null)"
        for c in typed
    )
    row = con.execute(f"select {checks} from {relation}").fetchall()[0]
    for i, col in enumerate(typed):
        non_empty, parsed, bad = row[3 * i : 3 * i + 3]
        if non_empty > 0 and parsed == 0:
            raise ContractError(
                f"{lt.label}: column '{col.name}' of table '{lt.table.name}': none of {non_empty:,} "
                f"non-empty values parses as {col.type} (e.g. {example(bad)})"
            )


def ingest_landing(
    landing_dir: Path | str, warehouse_path: Path | str, raw_schema: str = "raw"
) -> IngestReport:
    """Check every landing table against the contract, then replace the raw schema in one
    transaction. Returns the row counts per table (an IngestReport: a dict with notes)."""
    landing = select_landing(landing_dir)
    encoding = csv_encoding()
    plans = {name: [_plan_part(lt, f, encoding) for f in lt.files] for name, lt in landing.tables.items()}
    Path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path))
    in_transaction = False
    try:
        duckdb_resources(warehouse_path).apply(con)
        con.execute("set preserve_insertion_order = true")
        con.execute("set enable_progress_bar = false")
        con.execute("begin transaction")
        in_transaction = True
        con.execute(f"create schema if not exists {raw_schema}")
        tables = {}
        for name, table in TABLES.items():
            lt, parts = landing.tables.get(name), plans.get(name, [])
            rows = _load_table(con, lt, table, parts, raw_schema)
            files = [
                FileReport(name, p.file.rel, p.file.fmt, p.size, p.sha256, p.rows, p.missing_optional)
                for p in parts
            ]
            tables[name] = TableReport(name, rows, lt.label if lt else None, files, lt.ignored if lt else ())
        report = IngestReport(tables, landing.ignored)
        write_manifest(con, report)
        con.execute("commit")
        in_transaction = False
        return report
    finally:
        if in_transaction:
            con.execute("rollback")
        con.close()


def count_landing_rows(landing_dir: Path | str) -> dict[str, int]:
    """Data rows per contract table, counted without DuckDB: the csv module for CSV (quoted
    newlines are not record breaks), Parquet metadata for Parquet; an absent table has 0."""
    landing = select_landing(landing_dir)
    encoding = csv_encoding()
    counts = {}
    for name in TABLES:
        lt = landing.tables.get(name)
        files = lt.files if lt else ()
        counts[name] = sum(
            count_csv_records(f.path, encoding) if f.fmt == "csv" else parquet_rows(f) for f in files
        )
    return counts


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
        report = ingest_landing(args.landing, args.warehouse, args.raw_schema)
    except ContractError as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # the warehouse file itself (locked by another process, …)
        print(f"ingest failed: warehouse {args.warehouse}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
