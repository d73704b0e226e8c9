"""The same project on PostgreSQL: every public mart equals the DuckDB build, row for row.

Two datasets, each built on DuckDB and on a throw-away PostgreSQL server (tests/postgres_server.py;
its time zone is not UTC on purpose):
- the tiny hand-made CRM (tests/tiny_crm.py: SLA clocks over a weekend, a holiday, a DST change
  and another time zone; the recursive stage machine; merges, recycling, string rules,
  quarantined rows), on PostgreSQL with `dbt build` and every seed, model, data test and unit
  test: a failing data or unit test fails the build, naming the engine and the tests. On DuckDB it
  is the test run's shared build (conftest.tiny_warehouse: models, seeds and unit tests; its data
  tests run in tests/test_orchestration.py);
- a 2,000-lead synthetic CRM (leadwarehouse.generator, fixed seed), models and seeds only: many
  scores, decays, SLA clocks and KPI slices, where rounding and ordering differences show.
On PostgreSQL each is built the way a user builds there: the same ingest into a DuckDB staging
file, its raw tables copied to the server, then dbt on the postgres target
(leadwarehouse.postgres.build_on_postgres). Each public mart is then compared with DuckDB's: the
same columns and types, the same rows (decimals at their scale, doubles to DOUBLE_DIGITS places,
timestamps in UTC); a difference fails naming the dataset, the mart, the engine and example rows.
Last, the tiny CRM is built again incrementally on PostgreSQL and compared once more.

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
from leadwarehouse.landing import write_landing
from leadwarehouse.postgres import build_on_postgres, connect
from tests.builds import data_quality_warns
from tests.engine_parity import (
    DATASETS,
    SYNTHETIC_LEADS,
    assert_same_as_duckdb,
    failed_nodes,
    select_list,
    synthetic_duckdb,
    synthetic_landing,
)
from tests.postgres_server import PostgresUnavailable, postgres_server
from tests.test_source_shapes import PUBLIC_MARTS
from tests.tiny_build import build_tiny
from tests.tiny_crm import AS_OF, tiny_crm_rows

pytestmark = pytest.mark.dbt

ENGINE = "postgres"


@pytest.fixture(scope="module")
def pg_server():
    try:
        with postgres_server(DATASETS) as server:
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


def _build_on_duckdb(shared_dir: Path) -> tuple[Path, Path, float]:
    """The tiny and synthetic CRMs on DuckDB, each built once per test run (the Spark parity
    module reads the same builds)."""
    tiny = build_tiny(shared_dir / "tiny")  # conftest.tiny_warehouse: built once per test run
    started = time.perf_counter()
    synthetic = synthetic_duckdb(shared_dir)
    return tiny, synthetic, time.perf_counter() - started


@pytest.fixture(scope="module")
def builds(pg_server, shared_dir, tmp_path_factory) -> dict[str, dict]:
    """Both datasets on both engines: the PostgreSQL builds in one thread, the DuckDB builds in
    another (dbt runs as a child process, so the two use both cores)."""
    base = tmp_path_factory.mktemp("engine_parity")
    tiny_landing = write_landing(base / "tiny_landing", tiny_crm_rows())
    synthetic = synthetic_landing(shared_dir)

    def on_postgres() -> dict[str, float]:
        return {
            "tiny": _build_on_postgres(
                pg_server,
                "tiny",
                tiny_landing,
                base / "tiny_ingest.duckdb",
                dbt_build_args("build", unit_tests=True),
            ),
            "synthetic_2000": _build_on_postgres(
                pg_server,
                "synthetic_2000",
                synthetic,
                base / "synthetic_ingest.duckdb",
                dbt_build_args("run"),
            ),
        }

    with data_quality_warns(), ThreadPoolExecutor(max_workers=2) as pool:  # both CRMs quarantine rows
        postgres = pool.submit(on_postgres)
        duck = pool.submit(_build_on_duckdb, shared_dir)
        seconds = postgres.result()
        tiny_duckdb, synthetic_duckdb_file, duckdb_seconds = duck.result()
    print(
        f"\n{ENGINE}: tiny CRM ingest, copy and dbt build (data and unit tests) {seconds['tiny']:.1f}s; "
        f"{SYNTHETIC_LEADS}-lead CRM ingest, copy and models {seconds['synthetic_2000']:.1f}s "
        f"(DuckDB, beside it: {duckdb_seconds:.1f}s)"
    )
    return {
        "tiny": {"duckdb": tiny_duckdb, "env": pg_server.env("tiny")},
        "synthetic_2000": {"duckdb": synthetic_duckdb_file, "env": pg_server.env("synthetic_2000")},
        "server": pg_server,
        "staging": {"tiny": base / "tiny_ingest.duckdb"},
    }


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
    """dataset -> (DuckDB connection, PostgreSQL connection)."""
    opened = {}
    try:
        for dataset in DATASETS:
            pg = connect(builds[dataset]["env"])
            pg.autocommit = True  # no transaction left open: it would hold locks dbt's next run waits for
            opened[dataset] = (duckdb.connect(str(builds[dataset]["duckdb"]), read_only=True), pg)
        yield opened
    finally:
        for duck, pg in opened.values():
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


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_mart_is_identical_on_postgres(engines, dataset, mart):
    assert_same_mart(*engines[dataset], mart, dataset)


def test_an_incremental_run_on_postgres_keeps_every_mart(engines, builds):
    """The hourly path on the server: a second build of the tiny CRM on the same raw tables runs
    the incremental models incrementally (their pre-hooks, the schema-change check) and changes
    no mart."""
    target, dirs = _pg_dirs("tiny")
    try:
        with data_quality_warns():
            run_dbt(
                [*dbt_build_args("run"), *dirs],
                builds["staging"]["tiny"],
                AS_OF,
                quiet=True,
                target="postgres",
                env=builds["tiny"]["env"],
            )
    except subprocess.CalledProcessError:
        pytest.fail(f"the incremental dbt run failed on {ENGINE} (tiny): {failed_nodes(target)}")
    # the incremental branch ran: the score history read only the leads marked changed
    compiled = target / "compiled/lead_warehouse/models/marts/scoring/lead_score_reasons.sql"
    assert "is_changed" in compiled.read_text(), "the second run did not run lead_score_reasons incrementally"
    failures = []
    for mart in PUBLIC_MARTS:
        try:
            assert_same_mart(*engines["tiny"], mart, "tiny")
        except AssertionError as exc:
            failures.append(f"after an incremental run: {exc}")
    assert not failures, "\n".join(failures)
