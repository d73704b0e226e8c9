"""The same project on Spark: every public mart equals the DuckDB build, row for row.

The data of tests/test_engine_parity.py (tests/engine_parity.py), the tiny hand-made CRM and the
2,000-lead synthetic CRM, in one landing folder (engine_parity.tiny_and_synthetic_landing): on
Spark a dbt node costs its fixed per-statement work, not its rows, so one build of both costs
about one build of either. It is built on DuckDB (a shared build) and on a local Spark (PySpark,
dbt-spark's session method, Parquet tables) the way a user builds there:
leadwarehouse.spark.build_on_spark, the same ingest into a DuckDB staging file, the raw tables
loaded into the Spark warehouse, then dbt in the same process and Spark session, in a child
process (tests/spark_builds.py); the DuckDB build runs meanwhile. On Spark the models and seeds
run, then the public marts' and exports' data tests of this project's own test macros (a failing
one fails the build, naming the engine and the tests; dbt's built-in generic tests run on
PostgreSQL); dbt's unit tests check SQL on hand-written rows and run on DuckDB and
PostgreSQL. Each public mart is then
compared with DuckDB's: the same columns and types, the same rows (decimals at their scale, doubles
to DOUBLE_DIGITS places, timestamps in UTC); a difference fails naming the dataset, the mart, the
engine and example rows.

Spark needs a Java runtime (scripts/install_java.sh, run by `make test`); without one this
module fails, it does not skip. `make test` runs it on one of its two pytest workers, first
(tests/conftest.py, SLOWEST_MODULES); `make test-spark` runs it alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from leadwarehouse.build import PROJECT_DIR, dbt_build_args
from leadwarehouse.exports import ParquetSource, write_export
from leadwarehouse.publish import PUBLISHED_RELATIONS
from leadwarehouse.publish_server import NOT_ON_SERVER, STAMP, published_name
from tests.engine_parity import (
    BOTH,
    assert_same_as_duckdb,
    failed_nodes,
    select_list,
    tiny_and_synthetic_duckdb,
    tiny_and_synthetic_landing,
)
from tests.test_source_shapes import PUBLIC_MARTS
from tests.tiny_crm import AS_OF

pytestmark = [pytest.mark.dbt, pytest.mark.spark]

ENGINE = "spark"
# the public marts' and exports' data tests written in this project (its generic test macros,
# macros/tests/, and singular tests): their SQL must run on Spark. dbt's own generic tests are
# dbt-spark's SQL, and they run on the same rows already: every data test of the project passes
# on PostgreSQL's build of this dataset (tests/test_engine_parity.py), whose public marts, like
# Spark's below, equal DuckDB's row for row (measured: 117 of the 235 tests, ~20 s of Spark time)
DBT_GENERIC_TESTS = ["not_null", "unique", "accepted_values", "relationships"]
PUBLIC_DATA_TESTS = [
    "test",
    "--select",
    "path:models/marts",
    "path:models/exports",
    "--exclude",
    "resource_type:unit_test",
    *(f"test_name:{name}" for name in DBT_GENERIC_TESTS),
]
BUILD_TIMEOUT_SECONDS = 3600
# the table the next build, played between the two publications, rewrites with half its rows
REWRITTEN = "marts.leads"


def _java_missing() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if (java_home and Path(java_home, "bin", "java").exists()) or shutil.which("java"):
        return None
    return "no Java runtime (java on PATH or $JAVA_HOME): run `bash scripts/install_java.sh` or `make test-spark`"


def _dirs(base: Path) -> tuple[Path, list[str]]:
    target = base / "spark" / "target"
    return target, ["--target-path", str(target), "--log-path", str(target.parent / "logs")]


def _run_spark_builds(base: Path, landing: Path) -> dict:
    """The build on Spark, then its two publications, in one child process (tests/spark_builds.py)."""
    _, dirs = _dirs(base)
    dataset = {
        "name": BOTH,
        "landing": str(landing),
        "staging": str(base / "spark_ingest.duckdb"),
        "runs": [[*dbt_build_args("run"), *dirs], [*PUBLIC_DATA_TESTS, *dirs]],
        "snapshot": str(base / "spark.duckdb"),
        # published; then, after the next build (played), published again keeping only its own snapshot
        "publish": [
            {"keep": 2, "unload": str(base / "spark_export.parquet")},
            {"keep": 1, "after_rewrite": REWRITTEN},
        ],
    }
    plan = {
        "datasets": [dataset],
        "marts": list(PUBLIC_MARTS),
        "as_of": AS_OF,
        "result": str(base / "spark.json"),
    }
    (base / "plan.json").write_text(json.dumps(plan))
    env = {
        **os.environ,
        "LEAD_SPARK_WAREHOUSE": str(base / "spark_warehouse"),
        "LEAD_DATA_QUALITY_SEVERITY": "warn",  # both CRMs quarantine rows on purpose
    }
    log = base / "spark_builds.log"
    with log.open("w") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.spark_builds", str(base / "plan.json")],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=BUILD_TIMEOUT_SECONDS,
            check=False,
        )
    result_file = base / "spark.json"
    results = json.loads(result_file.read_text()) if result_file.exists() else {}
    if proc.returncode != 0 or BOTH not in results:
        pytest.fail(f"the Spark build stopped (exit {proc.returncode}):\n{log.read_text()[-6000:]}")
    return results


@pytest.fixture(scope="module")
def builds(shared_dir, tmp_path_factory) -> dict:
    """Both CRMs on Spark (a child process) and on DuckDB (a shared build), side by side."""
    missing = _java_missing()
    if missing:
        pytest.fail(f"Java is needed for the Spark engine parity tests: {missing}")
    base = tmp_path_factory.mktemp("engine_parity_spark")
    landing = tiny_and_synthetic_landing(shared_dir)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        duck = pool.submit(tiny_and_synthetic_duckdb, shared_dir)
        spark = _run_spark_builds(base, landing)
        duckdb_file = duck.result()
    print(
        f"\n{ENGINE}: session start {spark['session_seconds']['seconds']:.1f}s; both CRMs' ingest, load, "
        f"dbt models, the public marts' data tests and two publications {spark[BOTH]['seconds']:.1f}s; "
        f"all with the DuckDB build beside it: {time.perf_counter() - started:.1f}s"
    )
    return {
        "duckdb": duckdb_file,
        "snapshot": base / "spark.duckdb",
        "outcome": spark[BOTH],
        "target": _dirs(base)[0],
        "unload": base / "spark_export.parquet",
    }


@pytest.fixture(scope="module")
def engines(builds):
    """(DuckDB build, Spark snapshot), both read-only DuckDB connections; None when Spark failed."""
    if not builds["outcome"].get("ok"):
        yield None
        return
    duck = duckdb.connect(str(builds["duckdb"]), read_only=True)
    snapshot = duckdb.connect(str(builds["snapshot"]), read_only=True)
    try:
        yield duck, snapshot
    finally:
        duck.close()
        snapshot.close()


# DuckDB's type names -> Spark's (DataType.simpleString())
_SAME_TYPE = {
    "VARCHAR": ("string",),
    "INTEGER": ("int",),
    "BIGINT": ("bigint",),
    "DOUBLE": ("double",),
    "BOOLEAN": ("boolean",),
    "DATE": ("date",),
    "TIMESTAMP": ("timestamp", "timestamp_ntz"),
    "TIMESTAMP WITH TIME ZONE": ("timestamp",),
}


def _same_type(duckdb_type: str, spark_type: str) -> bool:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace(" ", "").lower() == spark_type
    return spark_type in _SAME_TYPE.get(duckdb_type, ())


def _spark_columns(snapshot: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    return snapshot.execute(
        "select column_name, data_type from spark_columns where mart = ? order by position", [mart]
    ).fetchall()


def test_spark_build_passes(builds):
    """dbt's models, seeds and the public marts' data tests pass on Spark."""
    outcome = builds["outcome"]
    assert outcome.get("ok"), (
        f"dbt failed on {ENGINE}:\n{outcome.get('error', '')[:6000]}\n  run_results: {failed_nodes(builds['target'])}"
    )


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_mart_is_identical_on_spark(engines, builds, mart):
    if engines is None:
        pytest.fail(f"{mart}: the {ENGINE} build failed: {builds['outcome'].get('error', '')[:2000]}")
    duck, snapshot = engines
    assert_same_as_duckdb(
        duck,
        mart,
        BOTH,
        ENGINE,
        _spark_columns(snapshot, mart),
        lambda names: snapshot.execute(f"select {select_list(names)} from {mart}").fetchall(),
        _same_type,
    )


def _duckdb_counts(path: Path, relations) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        return {r: con.execute(f"select count(*) from {r}").fetchone()[0] for r in relations if r in present}
    finally:
        con.close()


def _published(builds) -> list[dict]:
    outcome = builds["outcome"]
    if not outcome.get("ok"):
        pytest.fail(f"the {ENGINE} build failed: {outcome.get('error', '')[:2000]}")
    return outcome["published"]


def test_a_publication_on_spark_holds_its_build_and_outlives_the_next_one(builds):
    """leadwarehouse/publish_server.py on Spark: the published views hold the build's relations
    with the DuckDB build's row counts; while the next build rewrites the marts in place (played by
    tests/spark_builds.py: REWRITTEN rebuilt with half its rows), readers still read the
    previous publication; then its snapshot replaces it (the older one dropped)."""
    readers_read = [r.name for r in PUBLISHED_RELATIONS if r.name not in NOT_ON_SERVER]
    first, second = _published(builds)
    expected = _duckdb_counts(builds["duckdb"], readers_read)
    assert second["rewritten"] == expected[REWRITTEN] // 2 < expected[REWRITTEN]
    next_counts = second["publication"]["row_counts"]
    assert next_counts[REWRITTEN] == second["rewritten"] and next_counts.keys() == expected.keys()
    for published, counts in ((first, expected), (second, next_counts)):
        assert published["publication"]["row_counts"] == counts
        assert published["after"] == {published_name(r): n for r, n in counts.items()} | {STAMP: 1}
        stamp = published["stamp"]
        assert stamp["snapshot_database"] == published["publication"]["location"]
        assert stamp["run_id"] == published["publication"]["run_id"] and stamp["as_of"] == AS_OF
    assert first["before"] == {} and first["snapshots"] == [first["publication"]["location"]]
    assert second["before"] == first["after"], "readers saw the next build before it was published"
    assert second["snapshots"] == [second["publication"]["location"]]


def test_the_export_files_from_spark_equal_those_from_duckdb(builds, tmp_path):
    """The reverse-ETL files written from Spark's export model (unloaded to Parquet,
    leadwarehouse.exports.ParquetSource) equal those written from the DuckDB build."""
    unloaded = _published(builds)[0]["unloaded"]
    from_spark = write_export(
        ParquetSource(builds["unload"], unloaded["as_of"]), tmp_path / "spark", run_id="r1"
    )
    from_duckdb = write_export(builds["duckdb"], tmp_path / "duckdb", run_id="r1")
    assert from_spark["columns"] == from_duckdb["columns"]
    assert (
        from_spark["row_counts"] == from_duckdb["row_counts"] and from_spark["as_of"] == from_duckdb["as_of"]
    )
    spark_dir, duckdb_dir = Path(from_spark["run_dir"]), Path(from_duckdb["run_dir"])
    for name in ("lead_scores_v1.parquet", "lead_scores_v1_changes.parquet"):
        assert pq.read_table(spark_dir / name).to_pylist() == pq.read_table(duckdb_dir / name).to_pylist(), (
            name
        )
    assert (spark_dir / "lead_scores_v1.csv").read_bytes() == (duckdb_dir / "lead_scores_v1.csv").read_bytes()
