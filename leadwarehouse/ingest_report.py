"""What an ingest loaded, for people (the CLI's table and notes) and for the warehouse
(``meta.landing_files``, ``meta.landing_snapshot``, written inside the ingest transaction)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from leadwarehouse.contract import Table
from leadwarehouse.landing_files import Ignored


@dataclass(frozen=True)
class FileReport:
    table: str
    file: str  # relative to the landing folder
    fmt: str
    size: int
    sha256: str
    rows: int
    missing_optional: tuple[str, ...]
    batch_id: str  # the ingest that loaded the file's rows into raw
    contract: str  # contract_fingerprint of its table when it was loaded


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    entry: str | None  # 'leads.csv', 'leads/', or None: an absent optional table
    files: list[FileReport]
    ignored: tuple[Ignored, ...] = ()

    def notes(self) -> list[str]:
        if self.entry is None:
            return ["absent (optional table): loaded as an empty table"]
        notes = [f"ignored {i}" for i in self.ignored]
        missing = list(dict.fromkeys(c for f in self.files for c in f.missing_optional))
        everywhere = [c for c in missing if all(c in f.missing_optional for f in self.files)]
        if everywhere:
            notes.append(f"optional columns not delivered (null): {', '.join(everywhere)}")
        for col in missing:
            if col not in everywhere:
                lacking = [f.file for f in self.files if col in f.missing_optional]
                notes.append(
                    f"optional column {col} missing in {len(lacking)} of {len(self.files)} parts "
                    f"(null for their rows only): {', '.join(lacking)}"
                )
        return notes


class IngestReport(dict):
    """Rows loaded per raw table (a plain dict, as ingest has always returned), plus the files,
    the notes and the fingerprint of the landing folder."""

    def __init__(self, tables: dict[str, TableReport], ignored: tuple[Ignored, ...] = (), batch_id: str = ""):
        super().__init__({name: t.rows for name, t in tables.items()})
        self.tables = tables
        self.ignored = ignored
        self.batch_id = batch_id
        self.ingested_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    @property
    def files(self) -> list[FileReport]:
        return [f for t in self.tables.values() for f in t.files]

    @property
    def loaded_files(self) -> list[FileReport]:
        """The files this ingest read (new or changed); the others were kept from before."""
        return [f for f in self.files if f.batch_id == self.batch_id]

    @property
    def absent_tables(self) -> list[str]:
        return [name for name, t in self.tables.items() if t.entry is None]

    @property
    def fingerprint(self) -> str:
        """sha256 over the sorted (table, file, sha256) list: same files → same fingerprint."""
        listing = sorted((f.table, f.file, f.sha256) for f in self.files)
        return hashlib.sha256("".join(f"{t}\t{p}\t{h}\n" for t, p, h in listing).encode()).hexdigest()

    def lines(self) -> list[str]:
        out = []
        for t in self.tables.values():
            head = f"  {t.name:<18} {t.rows:>12,} rows  "
            if t.entry is None:
                out.append(head + t.notes()[0])
                continue
            out.append(head + f"{len(t.files)} file{'s' * (len(t.files) != 1):<2}  {t.entry}")
            out += [f"      note: {n}" for n in t.notes()]
        out += [f"  ignored {i}" for i in self.ignored]
        loaded = self.loaded_files
        out.append(
            f"  batch {self.batch_id}: loaded {len(loaded)} new or changed file{'s' * (len(loaded) != 1)} "
            f"({sum(f.rows for f in loaded):,} rows), kept {len(self.files) - len(loaded)} unchanged"
        )
        out.append(f"  landing fingerprint {self.fingerprint}")
        return out


LANDING_FILES_COLUMNS = (
    "table_name varchar, file varchar, format varchar, bytes bigint, sha256 varchar, raw_rows bigint, "
    "missing_optional_columns varchar, batch_id varchar, contract_fingerprint varchar"
)


def contract_fingerprint(table: Table) -> str:
    """Changes when the table's contract (columns, types, requiredness) changes: a file loaded
    under another contract is read again."""
    return hashlib.sha256(repr(table).encode()).hexdigest()[:16]


def previously_loaded_files(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, FileReport]]:
    """meta.landing_files of the last ingest, per table and file ({} before the first one or
    when written by a version without batches)."""
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'meta' and table_name = 'landing_files'"
        ).fetchall()
    }
    if not {"batch_id", "contract_fingerprint"} <= columns:
        return {}
    found: dict[str, dict[str, FileReport]] = {}
    for table, file, fmt, size, sha, rows, missing, batch, contract in con.execute(
        "select table_name, file, format, bytes, sha256, raw_rows, missing_optional_columns, batch_id, "
        "contract_fingerprint from meta.landing_files"
    ).fetchall():
        missing_optional = tuple(missing.split(",")) if missing else ()
        found.setdefault(table, {})[file] = FileReport(
            table, file, fmt, size, sha, rows, missing_optional, batch, contract
        )
    return found


def write_manifest(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """meta.landing_files, meta.landing_snapshot and (empty) meta.last_good_raw_counts and
    meta.last_good_input_counts; the
    caller's transaction makes them part of the same load."""
    con.execute("create schema if not exists meta")
    con.execute(f"create or replace table meta.landing_files ({LANDING_FILES_COLUMNS})")
    rows = [
        [
            f.table,
            f.file,
            f.fmt,
            f.size,
            f.sha256,
            f.rows,
            ",".join(f.missing_optional),
            f.batch_id,
            f.contract,
        ]
        for f in report.files
    ]
    if rows:
        con.executemany("insert into meta.landing_files values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "create or replace table meta.landing_snapshot (fingerprint varchar, ingested_at timestamp, "
        "table_count integer, file_count integer, raw_rows bigint, absent_tables varchar)"
    )
    con.execute(
        "insert into meta.landing_snapshot values (?, ?, ?, ?, ?, ?)",
        [
            report.fingerprint,
            report.ingested_at,
            len(report.tables) - len(report.absent_tables),
            len(report.files),
            sum(report.values()),
            ",".join(report.absent_tables),
        ],
    )
    con.execute(
        "create table if not exists meta.last_good_raw_counts "
        "(source_table varchar, raw_rows bigint, run_id varchar, as_of timestamp)"
    )
    # rows per input table as the last good build counted them (any source shape): the
    # data-quality volume guard compares against these
    con.execute(
        "create table if not exists meta.last_good_input_counts "
        "(source_table varchar, input_rows bigint, run_id varchar, as_of timestamp)"
    )
