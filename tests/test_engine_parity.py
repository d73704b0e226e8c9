"""The same project on PostgreSQL: every public mart equals the DuckDB build, row for row.

One dataset (tests/engine_parity.py, tiny_and_synthetic_landing), built on DuckDB (a shared build,
models and seeds) and on a throw-away PostgreSQL server (tests/postgres_server.py; its time zone
is not UTC on purpose): the tiny hand-made CRM (tests/tiny_crm.py: SLA clocks over a weekend, a
holiday, a DST change and another time zone; the recursive stage machine; merges, recycling,
string rules, quarantined rows) and a 2,000-lead synthetic CRM (leadwarehouse.generator, fixed
seed: many scores, decays, SLA clocks and KPI slices, where rounding and ordering differences
show), in one landing folder whose tables arrive as several part files. On PostgreSQL it is built
the way a user builds there: the same ingest into a DuckDB staging file, its raw tables copied to
the server, then `dbt build` on the postgres target with every seed, model, data test and unit
test (leadwarehouse.postgres.build_on_postgres): a failing data or unit test fails the build,
naming the engine and the tests. Each public mart is then compared with DuckDB's: the same columns
and types, the same rows (decimals at their scale, doubles to DOUBLE_DIGITS places, timestamps in
UTC); a difference fails naming the dataset, the mart, the engine and example rows. Last, the
data is built again incrementally on PostgreSQL, and every public mart must hold exactly the rows
it held before (compared on the server: 17 s instead of 37 s for the same rerun compared with
DuckDB row by row, which the first comparison already did). One dataset, not the two
CRMs apart: a dbt node's cost on a server is mostly fixed, so one build of both costs little more
than one of either.

The PostgreSQL binaries come from Debian's packages (scripts/install_postgres.sh, run by `make
test`); when they are missing this module fails, it does not skip.
"""

from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.build import dbt_build_args, run_dbt
from leadwarehouse.postgres import build_on_postgres, connect
from tests.builds import data_quality_warns
from tests.engine_parity import (
    BOTH,
    assert_same_as_duckdb,
    failed_nodes,
    select_list,
    tiny_and_synthetic_duckdb,
    tiny_and_synthetic_landing,
)
from tests.postgres_server import PostgresUnavailable, postgres_server
from tests.test_source_shapes import PUBLIC_MARTS
from tests.tiny_crm import AS_OF

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

ENGINE = "postgres"


@pytest.fixture(scope="module")
def pg_server():
    try:
        with postgres_server((BOTH,)) as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is needed for the engine parity tests: {exc}")


def _pg_dirs(dataset: str) -> tuple[Path, list[str]]:
    # its own dbt target folder per database: the parsed project depends on the profile
    target = Path(os.environ["DBT_TARGET_PATH"]).parent / f"postgres_{dataset}" / "target"
    return target, ["--target-path", str(target), "--log-path", str(target.parent / "logs")]


def _build_on_postgres(server, dataset: str, landing: Path, staging: Path, args: list[str]) -> float:
    target, dirs = _pg_dirs(dataset)
    started = time.perf_counter()
    try:
        build_on_postgres(landing, staging, [*args, *dirs], as_of=AS_OF, env=server.env(dataset))
    except subprocess.CalledProcessError as exc:
        pytest.fail(
            f"dbt failed on {ENGINE} ({dataset}): {failed_nodes(target)}\n{(exc.stdout or '')[-4000:]}"
        )
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def builds(pg_server, shared_dir, tmp_path_factory) -> dict:
    """The dataset on both engines: the PostgreSQL build in one thread, the DuckDB build in another
    (dbt runs as a child process on PostgreSQL, so the two use both cores)."""
    base = tmp_path_factory.mktemp("engine_parity")
    landing = tiny_and_synthetic_landing(shared_dir)
    staging = base / "ingest.duckdb"

    def on_duckdb() -> tuple[Path, float]:
        started = time.perf_counter()
        return tiny_and_synthetic_duckdb(shared_dir), time.perf_counter() - started

    with data_quality_warns(), ThreadPoolExecutor(max_workers=2) as pool:  # both CRMs quarantine rows
        postgres = pool.submit(
            _build_on_postgres, pg_server, BOTH, landing, staging, dbt_build_args("build", unit_tests=True)
        )
        duck = pool.submit(on_duckdb)
        seconds = postgres.result()
        duckdb_file, duckdb_seconds = duck.result()
    print(
        f"\n{ENGINE}: both CRMs' ingest, copy and dbt build (data and unit tests) {seconds:.1f}s "
        f"(DuckDB, beside it: {duckdb_seconds:.1f}s)"
    )
    return {"duckdb": duckdb_file, "env": pg_server.env(BOTH), "staging": staging}


# ------------------------------------------------------------------ reading and normalising


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


# ------------------------------------------------------------------ the tests


@pytest.fixture(scope="module")
def engines(builds):
    """(DuckDB connection, PostgreSQL connection)."""
    pg = connect(builds["env"])
    pg.autocommit = True  # no transaction left open: it would hold locks dbt's next run waits for
    duck = duckdb.connect(str(builds["duckdb"]), read_only=True)
    try:
        yield duck, pg
    finally:
        pg.close()
        duck.close()


def assert_same_mart(duck: duckdb.DuckDBPyConnection, pg, mart: str, dataset: str) -> None:
    """The mart has the same columns, types and rows on DuckDB and PostgreSQL."""
    with pg.cursor() as cursor:

        def pg_rows(names: list[str]) -> list[tuple]:
            cursor.execute(f"select {select_list(names)} from {mart}")
            return cursor.fetchall()

        assert_same_as_duckdb(
            duck, mart, dataset, ENGINE, _postgres_columns(cursor, mart), pg_rows, _same_type
        )


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_mart_is_identical_on_postgres(engines, mart):
    assert_same_mart(*engines, mart, BOTH)


# the public marts as the full build left them, kept on the server for the incremental run's test
BEFORE_SCHEMA = "parity_full_build"


def _kept_name(mart: str) -> str:
    return f"{BEFORE_SCHEMA}.{mart.replace('.', '__')}"


def _differing_rows(cursor, mart: str) -> tuple[int, int]:
    """Rows of `mart` not in its kept copy, and rows of the copy not in `mart` (duplicates count)."""
    kept = _kept_name(mart)
    cursor.execute(
        f"select (select count(*) from (select * from {mart} except all select * from {kept}) added), "
        f"(select count(*) from (select * from {kept} except all select * from {mart}) removed)"
    )
    return cursor.fetchone()


def test_an_incremental_run_on_postgres_keeps_every_mart(engines, builds):
    """The hourly path on the server: a second build on the same raw tables runs the incremental
    models incrementally (their pre-hooks, the schema-change check) and changes no mart: each
    public mart holds exactly the rows it held after the full build (compared on the server,
    duplicates included), which the tests above compared with DuckDB's."""
    _, pg = engines
    with pg.cursor() as cursor:
        cursor.execute(f"drop schema if exists {BEFORE_SCHEMA} cascade; create schema {BEFORE_SCHEMA}")
        for mart in PUBLIC_MARTS:
            cursor.execute(f"create table {_kept_name(mart)} as select * from {mart}")
    target, dirs = _pg_dirs(BOTH)
    try:
        with data_quality_warns():
            run_dbt(
                [*dbt_build_args("run"), *dirs],
                builds["staging"],
                AS_OF,
                quiet=True,
                target="postgres",
                env=builds["env"],
            )
    except subprocess.CalledProcessError:
        pytest.fail(f"the incremental dbt run failed on {ENGINE}: {failed_nodes(target)}")
    # the incremental branch ran: the score history read only the leads marked changed
    compiled = target / "compiled/lead_warehouse/models/marts/scoring/lead_score_reasons.sql"
    assert "is_changed" in compiled.read_text(), "the second run did not run lead_score_reasons incrementally"
    with pg.cursor() as cursor:
        changed = {mart: _differing_rows(cursor, mart) for mart in PUBLIC_MARTS}
    changed = {mart: counts for mart, counts in changed.items() if counts != (0, 0)}
    assert not changed, f"rows (added, removed) by the incremental run on {ENGINE}: {changed}"
