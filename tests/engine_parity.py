"""What the engine parity tests share (tests/test_engine_parity.py: PostgreSQL,
tests/test_engine_parity_spark.py: Spark): the datasets, reading a DuckDB mart, normalising
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

from leadwarehouse.generator import generate
from tests.builds import build_fixture_warehouse, built_once
from tests.tiny_crm import AS_OF

DATASETS = ("tiny", "synthetic_2000")
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


def _rows(rows: Sequence[tuple], scales: list[int | None]) -> Counter:
    return Counter(tuple(normalise(v, s) for v, s in zip(row, scales, strict=True)) for row in rows)


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
    scales = [scale(t) for _, t in duck_columns]
    on_duck, on_other = _rows(duck_rows, scales), _rows(other_rows, scales)
    only_duck = sorted((on_duck - on_other).elements(), key=_sort_key)
    only_other = sorted((on_other - on_duck).elements(), key=_sort_key)
    assert not only_duck and not only_other, (
        f"{where} differs on {engine}: {len(duck_rows)} rows on DuckDB, {len(other_rows)} on {engine}; "
        f"{len(only_duck)} rows only on DuckDB, {len(only_other)} only on {engine}.\n"
        f"  only on DuckDB, e.g.:\n{_describe(names, only_duck[:EXAMPLES])}\n"
        f"  only on {engine}, e.g.:\n{_describe(names, only_other[:EXAMPLES])}"
    )
