"""The same project on Spark: every public mart equals the DuckDB build, row for row.

The datasets of tests/test_engine_parity.py (tests/engine_parity.py): the tiny hand-made CRM and
the 2,000-lead synthetic CRM, each built on DuckDB (the test run's shared builds) and on a local
Spark (PySpark, dbt-spark's session method, Parquet tables) the way a user builds there:
leadwarehouse.spark.build_on_spark, the same ingest into a DuckDB staging file, the raw tables
loaded into the Spark warehouse, then dbt in the same process and Spark session. Both datasets
are built by one child process (tests/spark_builds.py), so the JVM starts once; the DuckDB builds
run meanwhile. On Spark the tiny CRM runs its models and seeds, then the data tests of the public
marts and exports (a failing one fails the build, naming the engine and the tests); dbt's unit
tests check SQL on hand-written rows and run on DuckDB and PostgreSQL. Each public mart is then
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
from leadwarehouse.landing import write_landing
from leadwarehouse.publish import PUBLISHED_RELATIONS
from leadwarehouse.publish_server import NOT_ON_SERVER, STAMP, published_name
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
from tests.test_source_shapes import PUBLIC_MARTS
from tests.tiny_build import build_tiny
from tests.tiny_crm import AS_OF, tiny_crm_rows

pytestmark = [pytest.mark.dbt, pytest.mark.spark]

ENGINE = "spark"
# the public marts' and exports' data tests (with their relationships to upstream models)
PUBLIC_DATA_TESTS = [
    "test",
    "--select",
    "path:models/marts",
    "path:models/exports",
    "--exclude",
    "resource_type:unit_test",
]
BUILD_TIMEOUT_SECONDS = 3600


def _java_missing() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if (java_home and Path(java_home, "bin", "java").exists()) or shutil.which("java"):
        return None
    return "no Java runtime (java on PATH or $JAVA_HOME): run `bash scripts/install_java.sh` or `make test-spark`"


def _dirs(base: Path, dataset: str) -> tuple[Path, list[str]]:
    target = base / f"spark_{dataset}" / "target"
    return target, ["--target-path", str(target), "--log-path", str(target.parent / "logs")]


def _run_spark_builds(base: Path, landings: dict[str, Path]) -> dict:
    """Both datasets on Spark in one child process (tests/spark_builds.py)."""
    runs = {
        "tiny": [dbt_build_args("run"), PUBLIC_DATA_TESTS],
        "synthetic_2000": [dbt_build_args("run")],
    }
    # each build is published; the second keeps only its own snapshot (the first is dropped)
    publish = {
        "tiny": {"keep": 2, "unload": str(base / "spark_tiny_export.parquet")},
        "synthetic_2000": {"keep": 1},
    }
    datasets = []
    for name in DATASETS:
        _, dirs = _dirs(base, name)
        datasets.append(
            {
                "name": name,
                "landing": str(landings[name]),
                "staging": str(base / f"spark_{name}_ingest.duckdb"),
                "runs": [[*args, *dirs] for args in runs[name]],
                "snapshot": str(base / f"spark_{name}.duckdb"),
                "publish": publish[name],
            }
        )
    plan = {
        "datasets": datasets,
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
    if proc.returncode != 0 or any(name not in results for name in DATASETS):
        pytest.fail(f"the Spark builds stopped (exit {proc.returncode}):\n{log.read_text()[-6000:]}")
    return results


@pytest.fixture(scope="module")
def builds(shared_dir, tmp_path_factory) -> dict[str, dict]:
    """Both datasets on Spark (one child process) and on DuckDB (the shared builds), side by side."""
    missing = _java_missing()
    if missing:
        pytest.fail(f"Java is needed for the Spark engine parity tests: {missing}")
    base = tmp_path_factory.mktemp("engine_parity_spark")
    tiny_landing = write_landing(base / "tiny_landing", tiny_crm_rows())
    landings = {"tiny": tiny_landing, "synthetic_2000": synthetic_landing(shared_dir)}

    def on_duckdb() -> dict[str, Path]:
        with data_quality_warns():
            return {"tiny": build_tiny(shared_dir / "tiny"), "synthetic_2000": synthetic_duckdb(shared_dir)}

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        duck = pool.submit(on_duckdb)
        spark = _run_spark_builds(base, landings)
        duckdb_files = duck.result()
    print(
        f"\n{ENGINE}: session start {spark['session_seconds']['seconds']:.1f}s; tiny CRM ingest, load, dbt "
        f"models and the public marts' data tests {spark['tiny']['seconds']:.1f}s; {SYNTHETIC_LEADS}-lead CRM "
        f"ingest, load and models {spark['synthetic_2000']['seconds']:.1f}s; "
        f"all with the DuckDB builds beside it: {time.perf_counter() - started:.1f}s"
    )
    return {
        name: {
            "duckdb": duckdb_files[name],
            "snapshot": Path(
                next(
                    d for d in json.loads((base / "plan.json").read_text())["datasets"] if d["name"] == name
                )["snapshot"]
            ),
            "outcome": spark[name],
            "target": _dirs(base, name)[0],
            "unload": base / "spark_tiny_export.parquet",
        }
        for name in DATASETS
    }


@pytest.fixture(scope="module")
def engines(builds):
    """dataset -> (DuckDB build, Spark snapshot), both read-only DuckDB connections."""
    opened = {}
    try:
        for dataset in DATASETS:
            outcome = builds[dataset]["outcome"]
            if not outcome.get("ok"):
                continue
            opened[dataset] = (
                duckdb.connect(str(builds[dataset]["duckdb"]), read_only=True),
                duckdb.connect(str(builds[dataset]["snapshot"]), read_only=True),
            )
        yield opened
    finally:
        for duck, snapshot in opened.values():
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


def test_spark_builds_pass(builds):
    """dbt's models, seeds and the public marts' data tests pass on Spark for both datasets."""
    failures = [
        f"{dataset}: {builds[dataset]['outcome'].get('error', '')[:6000]}\n  run_results: "
        f"{failed_nodes(builds[dataset]['target'])}"
        for dataset in DATASETS
        if not builds[dataset]["outcome"].get("ok")
    ]
    assert not failures, f"dbt failed on {ENGINE}:\n" + "\n".join(failures)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_mart_is_identical_on_spark(engines, builds, dataset, mart):
    if dataset not in engines:
        pytest.fail(
            f"{mart} ({dataset}): the {ENGINE} build failed: {builds[dataset]['outcome'].get('error', '')[:2000]}"
        )
    duck, snapshot = engines[dataset]
    assert_same_as_duckdb(
        duck,
        mart,
        dataset,
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


def _published(builds, dataset: str) -> dict:
    outcome = builds[dataset]["outcome"]
    if not outcome.get("ok"):
        pytest.fail(f"the {ENGINE} build of {dataset} failed: {outcome.get('error', '')[:2000]}")
    return outcome["published"]


def test_a_publication_on_spark_holds_its_build_and_outlives_the_next_one(builds):
    """leadwarehouse/publish_server.py on Spark: the published views hold the build's relations
    with the DuckDB build's row counts; while the next build rewrites the marts in place, readers
    still read the previous publication; then its snapshot replaces it (the older one dropped)."""
    readers_read = [r.name for r in PUBLISHED_RELATIONS if r.name not in NOT_ON_SERVER]
    tiny, synthetic = _published(builds, "tiny"), _published(builds, "synthetic_2000")
    for dataset, published in (("tiny", tiny), ("synthetic_2000", synthetic)):
        expected = _duckdb_counts(builds[dataset]["duckdb"], readers_read)
        assert published["publication"]["row_counts"] == expected, dataset
        assert published["after"] == {published_name(r): n for r, n in expected.items()} | {STAMP: 1}, dataset
        stamp = published["stamp"]
        assert stamp["snapshot_database"] == published["publication"]["location"], dataset
        assert stamp["run_id"] == published["publication"]["run_id"] and stamp["as_of"] == AS_OF, dataset
    assert tiny["before"] == {} and tiny["snapshots"] == [tiny["publication"]["location"]]
    assert synthetic["before"] == tiny["after"], "readers saw the next build before it was published"
    assert synthetic["snapshots"] == [synthetic["publication"]["location"]]


def test_the_export_files_from_spark_equal_those_from_duckdb(builds, tmp_path):
    """The reverse-ETL files of the tiny CRM written from Spark's export model (unloaded to
    Parquet, leadwarehouse.exports.ParquetSource) equal those written from the DuckDB build."""
    unloaded = _published(builds, "tiny")["unloaded"]
    from_spark = write_export(
        ParquetSource(builds["tiny"]["unload"], unloaded["as_of"]), tmp_path / "spark", run_id="r1"
    )
    from_duckdb = write_export(builds["tiny"]["duckdb"], tmp_path / "duckdb", run_id="r1")
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
