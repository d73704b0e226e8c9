"""Writes contract tables to the landing folder as Parquet or CSV (big tables as numbered parts).

Column names and order come from ``leadwarehouse.contract``. Timestamp and date columns are
ISO-8601 strings (so malformed values can exist); integer, decimal and boolean columns are typed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leadwarehouse.contract import TABLES

BIG_TABLES = ("leads", "marketing_events", "sales_activities", "opportunities")
ARROW_TYPES = {
    "string": pa.string(),
    "timestamp": pa.string(),
    "date": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 2),
    "boolean": pa.bool_(),
}


def schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in TABLES[table].columns])


def to_array(values, typ: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == typ else values.cast(typ)
    if pa.types.is_decimal(typ):
        arr = np.asarray(values, dtype=float)
        return pa.array(np.round(arr, 2), from_pandas=True).cast(typ, safe=False)
    if pa.types.is_integer(typ):
        arr = np.asarray(values, dtype=float)
        return pa.array(arr, from_pandas=True).cast(typ)
    return pa.array(values, type=typ, from_pandas=True)


def build_table(table: str, cols: dict) -> pa.Table:
    sch = schema(table)
    required = {c.name for c in TABLES[table].columns if c.required}
    missing = [f.name for f in sch if f.name not in cols and f.name in required]
    if missing:
        raise KeyError(f"{table}: columns {missing} not produced")
    n = len(next(iter(cols.values()))) if cols else 0
    cols = {**{f.name: pa.nulls(n, f.type) for f in sch if f.name not in cols}, **cols}  # optional: nulls
    return pa.Table.from_arrays([to_array(cols[f.name], f.type) for f in sch], schema=sch)


class LandingWriter:
    def __init__(self, out_dir: Path | str, fmt: str = "parquet"):
        if fmt not in ("parquet", "csv"):
            raise ValueError("format must be parquet or csv")
        self.out = Path(out_dir)
        self.fmt = fmt
        self.out.mkdir(parents=True, exist_ok=True)
        for t in TABLES:  # remove outputs of an earlier run (only files this writer would create)
            for ext in ("parquet", "csv"):
                (self.out / f"{t}.{ext}").unlink(missing_ok=True)
            if (self.out / t).is_dir():
                shutil.rmtree(self.out / t)
        (self.out / "_manifest.json").unlink(missing_ok=True)

    def _write(self, tbl: pa.Table, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        if self.fmt == "parquet":
            pq.write_table(tbl, tmp, compression="zstd", row_group_size=1 << 20)
        else:
            pacsv.write_csv(tbl, tmp)
        tmp.replace(path)

    def write_part(self, table: str, part: int, tbl: pa.Table) -> int:
        d = self.out / table
        d.mkdir(exist_ok=True)
        self._write(tbl, d / f"part-{part:05d}.{self.fmt}")
        return tbl.num_rows

    def write_single(self, table: str, tbl: pa.Table) -> int:
        self._write(tbl, self.out / f"{table}.{self.fmt}")
        return tbl.num_rows
