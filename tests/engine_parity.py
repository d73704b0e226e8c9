"""What the engine parity tests share (tests/test_engine_parity.py: PostgreSQL,
tests/test_engine_parity_spark.py: Spark): their dataset, reading a DuckDB mart, normalising
values, and the comparison of one public mart with DuckDB's, which fails naming the dataset, the
mart, the engine and example rows."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from leadwarehouse.contract import TABLES
from leadwarehouse.generator import generate
from leadwarehouse.landing import write_landing
from leadwarehouse.landing_files import select_landing
from tests.builds import build_fixture_warehouse, built_once, data_quality_warns
from tests.tiny_crm import AS_OF, tiny_crm_rows

SYNTHETIC_LEADS, SYNTHETIC_SEED = 2000, 42
# doubles have no scale in the contract: compared to this many decimal places
DOUBLE_DIGITS = 9
EXAMPLES = 3


def synthetic_landing(shared_dir: Path) -> Path:
    """The 2,000-lead synthetic CRM's landing folder, generated once per test run (fixed seed)."""
    folder = shared_dir / "synthetic_2000_landing"
    landing = folder / "landing"

    def make(_: Path) -> None:
        shutil.rmtree(landing, ignore_errors=True)
        generate(landing, SYNTHETIC_LEADS, seed=SYNTHETIC_SEED, as_of=AS_OF.replace(" ", "T") + "Z")

    built_once(folder, "synthetic CRM landing", make)
    return landing


def synthetic_duckdb(shared_dir: Path) -> Path:
    """The synthetic CRM built on DuckDB (models and seeds) once per test run, for every engine's
    parity module and the dashboards' tests. The semantic layer it was built with is kept beside
    it for MetricFlow (tests/test_semantic_layer.py): dbt writes it into this process's target
    folder, which other pytest workers do not see."""
    landing = synthetic_landing(shared_dir)

    def build(warehouse: Path) -> None:
        build_fixture_warehouse(landing, warehouse, as_of=AS_OF, command="run", artifacts=True)
        shutil.copy(Path(os.environ["DBT_TARGET_PATH"]) / "semantic_manifest.json", warehouse.parent)

    return built_once(shared_dir / "synthetic_2000_duckdb", "synthetic CRM DuckDB build", build)


# The engines' parity dataset: both CRMs in one landing folder. On a server engine a dbt node costs
# mostly fixed per-statement work (on Spark: planning, code generation, the metastore), not rows,
# so one build of both costs far less than two (measured, the Spark module alone, one run each:
# two builds 309 s and 399 s of CPU, one build 258 s and 328 s).
BOTH = "tiny_and_synthetic"
# a tiny-CRM reference row whose key the synthetic CRM holds too is left out: the same territory
# (na_east, emea: the same time zones), so the tiny CRM's SLA clocks keep their hours
SHARED_REFERENCE = {"territories"}


def tiny_and_synthetic_landing(shared_dir: Path) -> Path:
    """One landing folder holding the tiny CRM and the synthetic CRM: each table a folder of the
    synthetic CRM's Parquet parts (their own types) and the tiny CRM's part (all text). Keys of
    the two never meet (an assertion), except the shared territories (SHARED_REFERENCE)."""
    folder = shared_dir / f"{BOTH}_landing"
    landing = folder / "landing"
    synthetic = synthetic_landing(shared_dir)

    def make(_: Path) -> None:
        shutil.rmtree(landing, ignore_errors=True)
        tiny = write_landing(folder / "tiny", tiny_crm_rows())
        synthetic_files = select_landing(synthetic).tables  # the generator writes Parquet
        for name, table in TABLES.items():
            (landing / name).mkdir(parents=True)
            keys: set = set()
            delivered = synthetic_files.get(name)
            for number, part in enumerate(delivered.files if delivered else ()):
                shutil.copy(part.path, landing / name / f"synthetic-{number:05d}.parquet")
                keys |= set(pq.read_table(part.path, columns=[table.primary_key]).column(0).to_pylist())
            rows = pq.read_table(tiny / f"{name}.parquet")
            tiny_keys = rows.column(table.primary_key)
            shared = pc.is_in(
                tiny_keys, value_set=pa.array(sorted(str(k) for k in keys - {None}), pa.string())
            )
            if name in SHARED_REFERENCE:
                rows = rows.filter(pc.invert(shared))
            else:
                clash = rows.filter(shared).column(table.primary_key).to_pylist()
                assert not clash, f"{name}: the tiny and the synthetic CRM share the keys {clash}"
            pq.write_table(rows, landing / name / "tiny.parquet")

    built_once(folder, "tiny and synthetic CRM landing", make)
    return landing


def tiny_and_synthetic_duckdb(shared_dir: Path) -> Path:
    """Both CRMs in one landing folder built on DuckDB (models and seeds), once per test run."""
    landing = tiny_and_synthetic_landing(shared_dir)

    def build(warehouse: Path) -> None:
        with data_quality_warns():  # both CRMs quarantine rows on purpose
            build_fixture_warehouse(landing, warehouse, as_of=AS_OF, command="run")

    return built_once(shared_dir / f"{BOTH}_duckdb", "tiny and synthetic CRM DuckDB build", build)


def select_list(names: list[str]) -> str:
    """The columns, double-quoted, for a select."""
    return ", ".join('"' + name.replace('"', '""') + '"' for name in names)


def failed_nodes(target: Path) -> str:
    """The failing nodes of dbt's run_results.json in `target`, with their messages."""
    try:
        results = json.loads((target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return "(no run_results.json)"
    failed = [
        f"{r['unique_id']}: {r['status']} {(r.get('message') or '')[:300]}"
        for r in results
        if r.get("status") in ("error", "fail")
    ]
    return "; ".join(failed) or "(no failing node recorded)"


def duckdb_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    schema, table = mart.split(".")
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def scale(duckdb_type: str) -> int | None:
    """Digits a value of the column is compared to: a decimal's scale, DOUBLE_DIGITS for floats."""
    if duckdb_type.startswith("DECIMAL"):
        return int(duckdb_type.rstrip(")").split(",")[1])
    if duckdb_type in ("DOUBLE", "FLOAT", "REAL"):
        return DOUBLE_DIGITS
    return None


def normalise(value: object, digits: int | None) -> object:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, float | Decimal) and digits is not None:
        rounded = round(Decimal(repr(value)) if isinstance(value, float) else value, digits)
        return rounded + 0  # -0.0 and 0.0 alike
    if isinstance(value, date | bool | int | str):
        return value
    return repr(value)


def _normaliser(duckdb_type: str) -> Callable[[object], object] | None:
    """How a column's values are normalised before comparing; None: compared as read (text,
    integers, booleans and dates: the column types were compared already)."""
    if duckdb_type in ("VARCHAR", "INTEGER", "BIGINT", "BOOLEAN", "DATE"):
        return None
    digits = scale(duckdb_type)
    return lambda value: normalise(value, digits)


def _rows(rows: Sequence[tuple], duckdb_types: list[str]) -> Counter:
    """The rows as a multiset, each value normalised by its column's type: a Python call per value
    only where one is needed (the 163,000-row KPI ladder compared with itself: 9.2 s -> 2.7 s)."""
    fixes = [(i, f) for i, t in enumerate(duckdb_types) if (f := _normaliser(t)) is not None]

    def fixed(row: tuple) -> tuple:
        values = list(row)
        for i, fix in fixes:
            values[i] = fix(values[i])
        return tuple(values)

    return Counter(map(fixed, rows) if fixes else map(tuple, rows))


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, str(v)) for v in row)


def _describe(columns: list[str], rows: list[tuple]) -> str:
    return "\n".join(
        "    " + ", ".join(f"{c}={v!r}" for c, v in zip(columns, row, strict=True)) for row in rows
    )


def assert_same_as_duckdb(
    duck: duckdb.DuckDBPyConnection,
    mart: str,
    dataset: str,
    engine: str,
    engine_columns: list[tuple[str, str]],
    engine_rows: Callable[[list[str]], Sequence[tuple]],
    same_type: Callable[[str, str], bool],
) -> None:
    """The mart has the same columns, types and rows on DuckDB and on `engine`: `engine_columns`
    its (name, type) there, `engine_rows(names)` its rows with those columns in that order,
    `same_type(duckdb_type, engine_type)` whether two column types are the same."""
    where = f"{mart} ({dataset})"
    duck_columns = duckdb_columns(duck, mart)
    assert duck_columns, f"{where} missing in the DuckDB build"
    assert engine_columns, f"{where} missing in the {engine} build"
    assert [c for c, _ in engine_columns] == [c for c, _ in duck_columns], (
        f"{where}: the columns differ on {engine}: {[c for c, _ in engine_columns]} "
        f"vs DuckDB {[c for c, _ in duck_columns]}"
    )
    mismatched = [
        f"{name} {duck_type} on DuckDB, {other_type} on {engine}"
        for (name, duck_type), (_, other_type) in zip(duck_columns, engine_columns, strict=True)
        if not same_type(duck_type, other_type)
    ]
    assert not mismatched, f"{where}: column types differ: {'; '.join(mismatched)}"
    names = [c for c, _ in duck_columns]
    duck_rows = duck.execute(f"select {select_list(names)} from {mart}").fetchall()
    other_rows = engine_rows(names)
    assert duck_rows, f"{where} is empty in the DuckDB build: nothing to compare"
    types = [t for _, t in duck_columns]
    on_duck, on_other = _rows(duck_rows, types), _rows(other_rows, types)
    only_duck = sorted((on_duck - on_other).elements(), key=_sort_key)
    only_other = sorted((on_other - on_duck).elements(), key=_sort_key)
    assert not only_duck and not only_other, (
        f"{where} differs on {engine}: {len(duck_rows)} rows on DuckDB, {len(other_rows)} on {engine}; "
        f"{len(only_duck)} rows only on DuckDB, {len(only_other)} only on {engine}.\n"
        f"  only on DuckDB, e.g.:\n{_describe(names, only_duck[:EXAMPLES])}\n"
        f"  only on {engine}, e.g.:\n{_describe(names, only_other[:EXAMPLES])}"
    )
