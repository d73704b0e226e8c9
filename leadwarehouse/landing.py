"""Write landing files from Python rows: used by tests and fixtures to build small, exact
inputs. Missing contract columns are written as nulls; every value is written as text, the
way a CSV export delivers it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leadwarehouse.contract import TABLES


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if value.tzinfo is None else value.strftime("%z"))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_landing(landing_dir: Path | str, rows: dict[str, list[dict]], fmt: str = "parquet") -> Path:
    """Write one file per contract table (tables not given are written empty)."""
    landing_dir = Path(landing_dir)
    landing_dir.mkdir(parents=True, exist_ok=True)
    for name, table in TABLES.items():
        table_rows = rows.get(name, [])
        unknown = {k for r in table_rows for k in r} - set(table.column_names)
        if unknown:
            raise ValueError(f"{name}: columns not in the contract: {sorted(unknown)}")
        arrays = {
            col: pa.array([_text(r.get(col)) for r in table_rows], type=pa.string())
            for col in table.column_names
        }
        arrow_table = pa.table(arrays)
        if fmt == "parquet":
            pq.write_table(arrow_table, landing_dir / f"{name}.parquet")
        elif fmt == "csv":
            pacsv.write_csv(arrow_table, landing_dir / f"{name}.csv")
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return landing_dir
