"""Reading landing Parquet files: the schema and row count from the file's metadata (pyarrow),
the rows through DuckDB. A column whose Arrow type cannot hold the contract type is an error
of the file; text is always accepted (staging quarantines values that do not parse)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.parquet as pq
from pyarrow import types as pat

from leadwarehouse.contract import Table
from leadwarehouse.landing_files import ContractError, LandingFile


@dataclass(frozen=True)
class ParquetLayout:
    names: tuple[str, ...]  # column names as in the file
    types: tuple[object, ...]  # their Arrow types
    records: int  # rows, from the file's metadata


def scan_parquet(file: LandingFile) -> ParquetLayout:
    if file.path.stat().st_size == 0:
        raise ContractError(f"{file.rel}: file is empty (0 bytes, not a Parquet file)")
    try:
        parquet = pq.ParquetFile(file.path)
        schema, rows = parquet.schema_arrow, parquet.metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for a corrupt file; none quotes data
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ContractError(f"{file.rel}: not a readable Parquet file ({reason})") from None
    return ParquetLayout(tuple(f.name for f in schema), tuple(f.type for f in schema), rows)


def parquet_rows(file: LandingFile) -> int:
    return pq.ParquetFile(file.path).metadata.num_rows


# Arrow types a column may arrive as, per contract type.
def _arrow_type_fits(contract_type: str, arrow_type) -> bool:
    if pat.is_string(arrow_type) or pat.is_large_string(arrow_type) or pat.is_null(arrow_type):
        return True
    if pat.is_dictionary(arrow_type):
        return _arrow_type_fits(contract_type, arrow_type.value_type)
    numeric = pat.is_integer(arrow_type) or pat.is_floating(arrow_type) or pat.is_decimal(arrow_type)
    return {
        "string": numeric,
        "integer": numeric,
        "decimal": numeric,
        "boolean": pat.is_boolean(arrow_type) or pat.is_integer(arrow_type),
        "timestamp": pat.is_timestamp(arrow_type) or pat.is_date(arrow_type),
        "date": pat.is_date(arrow_type) or pat.is_timestamp(arrow_type),
    }[contract_type]


def check_parquet_types(file: LandingFile, table: Table, layout: ParquetLayout, positions: dict[str, int]):
    for col in table.columns:
        if col.name in positions:
            arrow_type = layout.types[positions[col.name]]
            if not _arrow_type_fits(col.type, arrow_type):
                raise ContractError(
                    f"{file.rel}: column '{col.name}' of table '{table.name}' has type {arrow_type}, "
                    f"which cannot hold the contract type '{col.type}'"
                )


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def duckdb_parquet_reader(file: LandingFile) -> str:
    return f"read_parquet({_sql_str(file.path)})"
