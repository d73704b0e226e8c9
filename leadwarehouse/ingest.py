"""Load the landing folder into the warehouse's raw schema, checking the input contract first.

Nothing is lost silently and nothing crashes with a traceback: every problem with the landing
folder is a ContractError with a one-line message naming the file (relative to the landing
folder), the column and the line where that applies, quoting at most a short escaped example
value. Which files are read is decided by ``landing_files``, how they are read by
``csv_reading`` and ``parquet_reading``; ``ingest_report`` holds the report and the manifest.

1. every table is selected and every file checked (columns, types, encoding, structure)
   before anything is written;
2. then, in one transaction, ``raw.<table>`` is brought to the landing folder's files: every
   contract column as text, plus ``_source_file`` (path relative to the landing folder),
   ``_source_row`` (the row's number within its file, from 1) and ``_batch_id`` (the ingest
   that loaded the file). Each part contributes the columns it has (an optional column a part
   lacks is null for that part's rows only); an absent optional table lands empty. The rows
   loaded per file must equal the rows the file holds (Parquet metadata, the csv module's
   count), and a typed column in which not a single value parses is a mistyped column;
3. ``meta.landing_files`` and ``meta.landing_snapshot`` record what was loaded (sha256 and
   batch per file, a fingerprint of the whole landing folder); ``meta.last_good_raw_counts`` is
   created.

Incremental: a file whose sha256 (and the contract of its table) is the one already loaded is
not read again; its rows stay. Rows of changed or removed files are deleted, new and changed
files are appended under this ingest's batch id, and every table is then checked to hold
exactly the rows its files hold, per file. ``full=True`` (or a raw table of another layout)
reloads a table from scratch. Either way raw ends up with the same rows.

Row-level problems (a bad email, an unparseable timestamp) are not file errors: staging
quarantines such rows with a reason.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadwarehouse.contract import TABLES, Table
from leadwarehouse.csv_reading import count_csv_records, csv_encoding, duckdb_csv_reader, scan_csv
from leadwarehouse.duckdb_resources import connect
from leadwarehouse.ingest_report import (
    FileReport,
    IngestReport,
    TableReport,
    contract_fingerprint,
    previously_loaded_files,
    write_manifest,
)
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

    def report(self, table: str, batch_id: str, contract: str) -> FileReport:
        return FileReport(
            table,
            self.file.rel,
            self.file.fmt,
            self.size,
            self.sha256,
            self.rows,
            self.missing_optional,
            batch_id,
            contract,
        )


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


def _unreadable(file: LandingFile, exc: OSError) -> ContractError:
    return ContractError(f"{file.rel}: cannot be read ({exc.strerror or type(exc).__name__})")


def _file_sha256(file: LandingFile) -> str:
    try:
        return _sha256(file)
    except OSError as exc:  # unreadable (permissions, vanished while reading, …)
        raise _unreadable(file, exc) from None


def _plan_part(lt: LandingTable, file: LandingFile, encoding: str, sha256: str | None = None) -> PartPlan:
    try:
        return _read_part(lt.table, file, encoding, sha256)
    except OSError as exc:
        raise _unreadable(file, exc) from None


def _read_part(table: Table, file: LandingFile, encoding: str, sha256: str | None = None) -> PartPlan:
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
    size = file.path.stat().st_size
    return PartPlan(file, reader, sources, missing, rows, size, sha256 or _sha256(file))


def _duckdb_failure(file: LandingFile, exc: duckdb.Error) -> ContractError:
    """DuckDB's messages quote whole lines of the file: keep only the kind and the line."""
    line = re.search(r"CSV Error on Line: (\d+)", str(exc))
    where = f" near line {int(line.group(1)):,}" if line else ""
    return ContractError(f"{file.rel}: could not be read{where} ({type(exc).__name__})")


RAW_COLUMNS = ("_source_file varchar", "_source_row bigint", "_batch_id varchar")


def _raw_layout(table: Table) -> list[tuple[str, str]]:
    extra = [tuple(c.upper().split()) for c in RAW_COLUMNS]
    return [(c, "VARCHAR") for c in table.column_names] + [(n.lower(), t) for n, t in extra]


def _has_layout(con: duckdb.DuckDBPyConnection, raw: str, table: Table) -> bool:
    found = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [raw, table.name],
    ).fetchall()
    return [(n.lower(), t) for n, t in found] == _raw_layout(table)


def _load_table(
    con: duckdb.DuckDBPyConnection,
    lt: LandingTable | None,
    table: Table,
    parts: list[PartPlan],
    raw: str,
    batch_id: str,
    kept: list[FileReport],
    dropped: list[str],
) -> int:
    """Bring raw.<table> to `kept` (files already loaded, left as they are) plus `parts` (read
    now): the rows of `dropped` files (changed or gone) are deleted first. Without `kept` the
    table is created afresh. Returns the rows of the table."""
    relation = f"{raw}.{table.name}"
    if not kept:
        columns = ", ".join(f"{c} varchar" for c in table.column_names)
        con.execute(f"create or replace table {relation} ({columns}, {', '.join(RAW_COLUMNS)})")
    elif dropped:
        con.execute(f"delete from {relation} where _source_file in ({', '.join(map(_sql_str, dropped))})")
    for part in parts:
        select = ", ".join(
            f"cast({part.sources[c]} as varchar)" if c in part.sources else "cast(null as varchar)"
            for c in table.column_names
        )
        try:
            n = con.execute(
                f"insert into {relation} select {select}, {_sql_str(part.file.rel)}, "
                f"row_number() over (), {_sql_str(batch_id)} from {part.reader}"
            ).fetchall()[0][0]
        except duckdb.Error as exc:
            raise _duckdb_failure(part.file, exc) from None
        if n != part.rows:
            raise ContractError(f"{part.file.rel}: loaded {n:,} rows but the file holds {part.rows:,}")
    if lt is not None and parts:
        loaded = ", ".join(_sql_str(p.file.rel) for p in parts)
        _check_text_columns_parse(con, lt, f"(select * from {relation} where _source_file in ({loaded}))")
    return _check_rows_per_file(
        con, relation, {f.file: f.rows for f in kept} | {p.file.rel: p.rows for p in parts}
    )


def _check_rows_per_file(con: duckdb.DuckDBPyConnection, relation: str, expected: dict[str, int]) -> int:
    """The table holds exactly the rows of its files: nothing kept twice, nothing lost."""
    held = dict(con.execute(f"select _source_file, count(*) from {relation} group by 1").fetchall())
    for file in sorted(set(held) | set(expected)):
        if held.get(file, 0) != expected.get(file, 0):
            raise ContractError(
                f"{relation}: holds {held.get(file, 0):,} rows of {file} but the file holds "
                f"{expected.get(file, 0):,}; run ingest with --full to reload"
            )
    return sum(held.values())


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


def _loaded_before(
    warehouse_path: Path, raw_schema: str
) -> tuple[dict[str, dict[str, FileReport]], dict[str, bool]]:
    """The files the last ingest loaded, and which raw tables have this version's layout."""
    if not warehouse_path.exists():
        return {}, {}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return previously_loaded_files(con), {
            name: _has_layout(con, raw_schema, t) for name, t in TABLES.items()
        }


def new_batch_id() -> str:
    """When the ingest ran (UTC, sortable) and a random suffix: 20261202T210501Z-1a2b3c4d."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def ingest_landing(
    landing_dir: Path | str,
    warehouse_path: Path | str,
    raw_schema: str = "raw",
    *,
    batch_id: str | None = None,
    full: bool = False,
) -> IngestReport:
    """Check the landing folder against the contract, then bring the raw schema to it in one
    transaction: files loaded before and unchanged are kept, the others (re)loaded (all of
    them with ``full``). Returns the row counts per table (an IngestReport: a dict with notes)."""
    batch_id = batch_id or new_batch_id()
    landing = select_landing(landing_dir)
    encoding = csv_encoding()
    previous, layouts = ({}, {}) if full else _loaded_before(Path(warehouse_path), raw_schema)
    plans, kept = {}, {}
    for name, table in TABLES.items():
        lt = landing.tables.get(name)
        contract = contract_fingerprint(table)
        reusable = previous.get(name, {}) if layouts.get(name) else {}
        kept[name], plans[name] = [], []
        for file in lt.files if lt else ():
            before = reusable.get(file.rel)
            sha256 = _file_sha256(file) if before else None  # a new file is hashed when it is read
            if before and before.contract == contract and before.fmt == file.fmt and before.sha256 == sha256:
                kept[name].append(before)
            else:
                plans[name].append(_plan_part(lt, file, encoding, sha256))
    Path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    con = connect(warehouse_path)
    in_transaction = False
    try:
        con.execute("set preserve_insertion_order = true")
        con.execute("set enable_progress_bar = false")
        con.execute("begin transaction")
        in_transaction = True
        con.execute(f"create schema if not exists {raw_schema}")
        tables = {}
        for name, table in TABLES.items():
            lt, parts, contract = landing.tables.get(name), plans[name], contract_fingerprint(table)
            kept_files = {f.file for f in kept[name]}
            dropped = sorted(f for f in previous.get(name, {}) if f not in kept_files)
            rows = _load_table(con, lt, table, parts, raw_schema, batch_id, kept[name], dropped)
            files = kept[name] + [p.report(name, batch_id, contract) for p in parts]
            files.sort(key=lambda f: f.file)
            tables[name] = TableReport(name, rows, lt.label if lt else None, files, lt.ignored if lt else ())
        report = IngestReport(tables, landing.ignored, batch_id)
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
    parser.add_argument(
        "--full",
        action="store_true",
        help="reload every file, also those already loaded and unchanged (default: only new or changed files)",
    )
    args = parser.parse_args(argv)
    try:
        report = ingest_landing(args.landing, args.warehouse, args.raw_schema, full=args.full)
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
