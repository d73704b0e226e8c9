"""The Spark side of tests/test_engine_parity_spark.py, run as its own process:

    python -m tests.spark_builds plan.json

One process and so one Spark session (its JVM start paid once) builds every dataset of the plan
in turn with leadwarehouse.spark.build_on_spark (ingest into a DuckDB staging file, raw tables
loaded as Parquet tables, dbt in-process), then copies each public mart of the build, with Spark's
column types, into a DuckDB snapshot file the test compares with the DuckDB build. A dataset
replaces the previous one's tables (the same schemas). Each step of a dataset's `publish` list
then publishes the build (a snapshot database and the views of `published`:
leadwarehouse/publish_server.py), recording what readers read before and after; the first may
unload the export model to Parquet. A step `after_rewrite` (a table) plays the next build first:
the table is rebuilt in place with half its rows, the way dbt-spark rebuilds a table model, so
readers' counts tell the two publications apart. The outcome of each dataset,
its seconds and dbt's failing nodes, goes to the plan's result file as JSON.

Apart from the pytest process because dbt runs in-process here: its global state (flags, logging,
the environment it reads) stays out of the test run, which builds on DuckDB meanwhile.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

import duckdb

from leadwarehouse.publish_server import PUBLISHED_SCHEMA, STAMP, publish_on_spark, snapshots
from leadwarehouse.spark import SparkError, build_on_spark, spark_session, unload_from_spark


def snapshot_marts(spark, marts: list[str], path: Path) -> None:
    """Each mart's rows (through Arrow: decimals stay decimals, timestamps UTC) into the DuckDB
    file `path`, as schema.table, and Spark's column types in main.spark_columns."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "create table spark_columns (mart varchar, position integer, column_name varchar, data_type varchar)"
        )
        for mart in marts:
            schema, table = mart.split(".")
            frame = spark.table(f"`{schema}`.`{table}`")
            for position, field in enumerate(frame.schema.fields):
                con.execute(
                    "insert into spark_columns values (?, ?, ?, ?)",
                    [mart, position, field.name, field.dataType.simpleString()],
                )
            rows = frame.toArrow()  # noqa: F841 (read by DuckDB's replacement scan below)
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create table "{schema}"."{table}" as select * from rows')
    finally:
        con.close()


def published_counts(spark) -> dict[str, int]:
    """Rows of each view readers read in the published database (empty before a publication)."""
    if not spark.catalog.databaseExists(PUBLISHED_SCHEMA):
        return {}
    return {
        t.name: spark.sql(f"select count(*) from `{PUBLISHED_SCHEMA}`.`{t.name}`").collect()[0][0]
        for t in spark.catalog.listTables(PUBLISHED_SCHEMA)
        if t.tableType == "VIEW"
    }


def rewrite_in_place(spark, relation: str) -> int:
    """The next build, played on one table (`relation`, schema.name): renamed away, created again
    as select with half its rows, the old one dropped, as dbt-spark rebuilds a table model. Returns
    its new row count."""
    schema, name = relation.split(".")
    rows = spark.table(relation).count()
    table, previous = f"`{schema}`.`{name}`", f"`{schema}`.`{name}__previous`"
    spark.sql(f"alter table {table} rename to {previous}")
    spark.sql(f"create table {table} using parquet as select * from {previous} limit {rows // 2}")
    spark.sql(f"drop table {previous}")
    return spark.table(relation).count()


def publish_and_read(spark, dataset: dict, step: dict) -> dict:
    """Publish the dataset's build (leadwarehouse.publish_server), reading what readers saw just
    before (the previous publication, after the marts were rewritten) and after; unload the
    export model when the step asks (leadwarehouse.spark.unload_from_spark)."""
    before = published_counts(spark)
    publication = publish_on_spark(dataset["staging"], spark, keep=step["keep"])
    stamp = spark.table(f"{PUBLISHED_SCHEMA}.{STAMP}").collect()[0].asDict()
    read = {
        "before": before,
        "after": published_counts(spark),
        "publication": publication.__dict__,
        "stamp": {key: str(value) for key, value in stamp.items()},
        "snapshots": snapshots(spark),
    }
    if step.get("unload"):
        read["unloaded"] = unload_from_spark(spark, "exports.export_lead_scores_v1", step["unload"])
    return read


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text())
    results: dict[str, dict] = {}
    started = time.perf_counter()
    spark = spark_session()
    results["session_seconds"] = {"seconds": time.perf_counter() - started}
    for dataset in plan["datasets"]:
        began = time.perf_counter()
        outcome: dict = {}
        try:
            build_on_spark(
                dataset["landing"], dataset["staging"], dataset["runs"], as_of=plan["as_of"], quiet=True
            )
            snapshot_marts(spark, plan["marts"], Path(dataset["snapshot"]))
            outcome["published"] = []
            for step in dataset.get("publish", []):
                rewritten = step.get("after_rewrite")
                rows = rewrite_in_place(spark, rewritten) if rewritten else None
                outcome["published"].append({**publish_and_read(spark, dataset, step), "rewritten": rows})
            outcome["ok"] = True
        except SparkError as exc:
            outcome.update(ok=False, error=str(exc))
        except Exception as exc:  # noqa: BLE001 (reported to the test, which fails with it)
            outcome.update(ok=False, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-3000:]}")
        outcome["seconds"] = time.perf_counter() - began
        results[dataset["name"]] = outcome
        Path(plan["result"]).write_text(json.dumps(results, indent=2))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
