"""The same project on PostgreSQL: every public mart equals the DuckDB build, row for row.

The tiny hand-made CRM (tests/tiny_crm.py: SLA clocks over a weekend, a holiday, a DST change and
another time zone; the recursive stage machine; merges, recycling, string rules, quarantined rows)
is built on DuckDB once per test run (conftest.tiny_warehouse) and here on a throw-away PostgreSQL
server (tests/postgres_server.py) the way a user builds there: the same ingest into a DuckDB file,
its raw tables copied to the server, then `dbt build` on the postgres target with every seed,
model, data test and unit test. A failing data test fails the build, naming the engine and the
tests. Then each public mart is compared with DuckDB's: the same columns and types, the same rows
(floats rounded to the contract's precision, timestamps in UTC); a difference fails naming the mart,
the engine and example rows.

The PostgreSQL binaries come from Debian's packages (scripts/install_postgres.sh, run by `make
test`); when they are missing this module fails, it does not skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.build import dbt_build_args
from leadwarehouse.landing import write_landing
from leadwarehouse.postgres import build_on_postgres, connect
from tests.builds import data_quality_warns
from tests.postgres_server import PostgresUnavailable, postgres_server
from tests.test_source_shapes import PUBLIC_MARTS
from tests.tiny_crm import AS_OF, tiny_crm_rows

pytestmark = pytest.mark.dbt

ENGINE = "postgres"
# doubles have no scale in the contract: compared to this many decimal places
DOUBLE_DIGITS = 9
EXAMPLES = 3


@pytest.fixture(scope="module")
def pg_server():
    try:
        with postgres_server() as server:
            saved = {name: os.environ.get(name) for name in server.env()}
            os.environ.update(server.env())
            try:
                yield server
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is needed for the engine parity tests: {exc}")


@pytest.fixture(scope="module")
def pg_build(pg_server, tmp_path_factory) -> dict[str, float]:
    """The tiny CRM built on the PostgreSQL server: seeds, models, data tests and unit tests."""
    base = tmp_path_factory.mktemp("postgres_build")
    landing = write_landing(base / "landing", tiny_crm_rows())
    # its own dbt target folder: the parsed project depends on the profile (target type)
    target = Path(os.environ["DBT_TARGET_PATH"]).parent / "postgres_target"
    args = [
        *dbt_build_args("build", unit_tests=True),
        "--target-path",
        str(target),
        "--log-path",
        str(target.parent / "postgres_logs"),
    ]
    started = time.perf_counter()
    try:
        with data_quality_warns():  # the tiny CRM quarantines rows on purpose, as on DuckDB
            build_on_postgres(landing, base / "ingest.duckdb", args, as_of=AS_OF)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"dbt build failed on {ENGINE}: {_failed_nodes(target)}\n{(exc.stdout or '')[-4000:]}")
    seconds = time.perf_counter() - started
    print(f"tiny CRM on {ENGINE}: ingest, copy and dbt build in {seconds:.1f}s")
    return {"seconds": seconds}


def _failed_nodes(target: Path) -> str:
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


# ------------------------------------------------------------------ reading and normalising


def _duckdb_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    schema, table = mart.split(".")
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def _postgres_columns(cursor, mart: str) -> list[tuple[str, str]]:
    schema, table = mart.split(".")
    cursor.execute(
        "select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        [schema, table],
    )
    return [
        (name, f"DECIMAL({precision},{scale})" if data_type == "numeric" else data_type)
        for name, data_type, precision, scale in cursor.fetchall()
    ]


# DuckDB's type names -> PostgreSQL's (information_schema.columns.data_type)
_SAME_TYPE = {
    "VARCHAR": ("text", "character varying"),
    "INTEGER": ("integer",),
    "BIGINT": ("bigint",),
    "DOUBLE": ("double precision",),
    "BOOLEAN": ("boolean",),
    "DATE": ("date",),
    "TIMESTAMP": ("timestamp without time zone",),
    "TIMESTAMP WITH TIME ZONE": ("timestamp with time zone",),
}


def _same_type(duckdb_type: str, postgres_type: str) -> bool:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace(" ", "") == postgres_type
    return postgres_type in _SAME_TYPE.get(duckdb_type, ())


def _scale(duckdb_type: str) -> int | None:
    """Digits a value of the column is compared to: a decimal's scale, DOUBLE_DIGITS for floats."""
    if duckdb_type.startswith("DECIMAL"):
        return int(duckdb_type.rstrip(")").split(",")[1])
    if duckdb_type in ("DOUBLE", "FLOAT", "REAL"):
        return DOUBLE_DIGITS
    return None


def _normalise(value: object, scale: int | None) -> object:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, float | Decimal) and scale is not None:
        rounded = round(Decimal(repr(value)) if isinstance(value, float) else value, scale)
        return rounded + 0  # -0.0 and 0.0 alike
    if isinstance(value, date | bool | int | str):
        return value
    return repr(value)


def _rows(rows: list[tuple], scales: list[int | None]) -> Counter:
    return Counter(tuple(_normalise(v, s) for v, s in zip(row, scales, strict=True)) for row in rows)


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, str(v)) for v in row)


def _describe(columns: list[str], rows: list[tuple]) -> str:
    return "\n".join(
        "    " + ", ".join(f"{c}={v!r}" for c, v in zip(columns, row, strict=True)) for row in rows
    )


# ------------------------------------------------------------------ the tests


@pytest.fixture(scope="module")
def engines(tiny_warehouse, pg_build):
    duck = duckdb.connect(str(tiny_warehouse), read_only=True)
    pg = connect()
    try:
        yield duck, pg
    finally:
        pg.close()
        duck.close()


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_mart_is_identical_on_postgres(engines, mart):
    duck, pg = engines
    with pg.cursor() as cursor:
        duck_columns = _duckdb_columns(duck, mart)
        pg_columns = _postgres_columns(cursor, mart)
        assert duck_columns, f"{mart} missing in the DuckDB build"
        assert [c for c, _ in pg_columns] == [c for c, _ in duck_columns], (
            f"{mart}: the columns differ on {ENGINE}: {[c for c, _ in pg_columns]} "
            f"vs DuckDB {[c for c, _ in duck_columns]}"
        )
        mismatched = [
            f"{name} {duck_type} on DuckDB, {pg_type} on {ENGINE}"
            for (name, duck_type), (_, pg_type) in zip(duck_columns, pg_columns, strict=True)
            if not _same_type(duck_type, pg_type)
        ]
        assert not mismatched, f"{mart}: column types differ: {'; '.join(mismatched)}"
        names = [c for c, _ in duck_columns]
        select = ", ".join(f'"{c}"' for c in names)
        duck_rows = duck.execute(f"select {select} from {mart}").fetchall()
        cursor.execute(f"select {select} from {mart}")
        pg_rows = cursor.fetchall()
    assert duck_rows, f"{mart} is empty in the DuckDB build: nothing to compare"
    scales = [_scale(t) for _, t in duck_columns]
    on_duck, on_pg = _rows(duck_rows, scales), _rows(pg_rows, scales)
    only_duck = sorted((on_duck - on_pg).elements(), key=_sort_key)
    only_pg = sorted((on_pg - on_duck).elements(), key=_sort_key)
    assert not only_duck and not only_pg, (
        f"{mart} differs on {ENGINE}: {len(duck_rows)} rows on DuckDB, {len(pg_rows)} on {ENGINE}; "
        f"{len(only_duck)} rows only on DuckDB, {len(only_pg)} only on {ENGINE}.\n"
        f"  only on DuckDB, e.g.:\n{_describe(names, only_duck[:EXAMPLES])}\n"
        f"  only on {ENGINE}, e.g.:\n{_describe(names, only_pg[:EXAMPLES])}"
    )
