"""Run the warehouse on Spark: one ingest, the raw tables loaded as Parquet tables, dbt in-process.

The landing files are checked and loaded exactly as for DuckDB (leadwarehouse.ingest writes the
raw schema and the ingest manifest into a DuckDB staging file; staging models quarantine bad rows
on either engine). ``load_into_spark`` then exports the same schemas' tables (the raw schema and
``meta``) from the staging file to Parquet and replaces the Spark tables of the same names with
them, so dbt on the ``spark`` output of profiles.yml (dbt-spark, ``method: session``) reads what
dbt on DuckDB reads.

A Spark session costs its JVM start and warm-up (10-40 s on a small machine): ``build_on_spark``
pays it once. It starts the session itself, with the settings of ``session_settings`` (the same
the ``spark`` output of profiles.yml passes as server_side_parameters), loads the raw tables, then
runs dbt through ``dbtRunner`` in this process: dbt-spark's session method asks
``SparkSession.builder.getOrCreate()`` for its session and gets this one.

    python -m leadwarehouse.spark --landing data/landing --staging data/warehouse/spark-ingest.duckdb

Where the tables live (the LEAD_SPARK_* variables, as in profiles.yml): LEAD_SPARK_WAREHOUSE
(default data/warehouse/spark) holds the Parquet tables (spark.sql.warehouse.dir) and the Hive
metastore (embedded Derby, <warehouse>/metastore_db), so a later `dbt` or Spark session on the same
folder finds the tables. LEAD_SPARK_DRIVER_MEMORY (2g), LEAD_SPARK_SHUFFLE_PARTITIONS (1: the
tables are small; raise it on a real cluster), LEAD_SPARK_MASTER (local[2]) and
LEAD_SPARK_JAVA_OPTIONS (C1-only JIT: a short build never pays for C2 compilation; the serial
garbage collector).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = "data/warehouse/spark"
# C1 only: the JIT's quick tier. dbt's many small statements finish before C2 would pay off
# (measured: the tiny CRM's build took a third less JVM time). With C1 only the JVM reserves 48 MB
# of code cache, which Spark's generated code fills within minutes: the JIT then stops and the
# rest of the build runs interpreted (several times slower); 256 MB holds a whole build. The serial
# garbage collector: a 2 GB driver heap of small tables needs no collector threads of its own
# beside Spark's tasks (measured, the Spark parity module alone: 201 -> 178 s of CPU).
DEFAULT_JAVA_OPTIONS = (
    "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:+UseSerialGC"
)
# LEAD_SPARK_LOW_LATENCY (default true): each of dbt's statements over small tables pays Spark's
# fixed costs more than its data, so the session skips three of them: whole-stage generated code
# (Java source compiled per query; expression-level codegen stays: Spark's catalog API fails
# without it), adaptive re-planning after each stage, and broadcast joins (a job of their own per
# join). Measured on the tiny CRM, models then public data tests, one session alone: 111.0 s ->
# 81.7-90.0 s (three runs). Set it false on data that fills a cluster.
LOW_LATENCY_SETTINGS = {
    "spark.sql.codegen.wholeStage": ("false", "true"),
    "spark.sql.adaptive.enabled": ("false", "true"),
    "spark.sql.autoBroadcastJoinThreshold": ("-1", "10485760"),
}


class SparkError(RuntimeError):
    """dbt failed on Spark, a table cannot be loaded, or PySpark is not installed."""


def warehouse_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("LEAD_SPARK_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def session_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Spark session's configuration from the LEAD_SPARK_* variables: the same values the
    ``spark`` output of profiles.yml gives dbt-spark (server_side_parameters), so whichever starts
    the session first, dbt or this module, it is the same session."""
    env = os.environ if env is None else env
    folder = warehouse_dir(env)
    java = env.get("LEAD_SPARK_JAVA_OPTIONS", DEFAULT_JAVA_OPTIONS)
    low_latency = env.get("LEAD_SPARK_LOW_LATENCY", "true").strip().lower() != "false"
    return {
        "spark.master": env.get("LEAD_SPARK_MASTER", "local[2]"),
        "spark.app.name": "lead_warehouse",
        "spark.driver.memory": env.get("LEAD_SPARK_DRIVER_MEMORY", "2g"),
        "spark.driver.extraJavaOptions": f"{java} -Duser.timezone=UTC -Dderby.system.home={folder}",
        "spark.sql.shuffle.partitions": env.get("LEAD_SPARK_SHUFFLE_PARTITIONS", "1"),
        "spark.default.parallelism": env.get("LEAD_SPARK_SHUFFLE_PARTITIONS", "1"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # a local session talks to itself over the loopback only
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(folder),
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={folder}/metastore_db;create=true",
        "spark.sql.ansi.enabled": "false",  # dbt-spark sets it too (Spark 3 and 4 alike)
        **{key: values[0 if low_latency else 1] for key, values in LOW_LATENCY_SETTINGS.items()},
    }


def spark_session(env: Mapping[str, str] | None = None):
    """The process's Spark session, started with session_settings() when there is none."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # an extra: `make test` does not install it
        raise SparkError(
            "PySpark is not installed: install the project's spark extra "
            "(`make test-spark` does, or `.venv/bin/pip install -e '.[spark]'`)"
        ) from exc

    settings = session_settings(env)
    warehouse_dir(env).mkdir(parents=True, exist_ok=True)
    # the JVM binds the loopback (Spark otherwise looks up the host's address, and warns)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _duckdb_tables(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[tuple[str, str]]]:
    from leadwarehouse.postgres import duckdb_tables

    return duckdb_tables(con, schema)


def _parquet_select(columns: list[tuple[str, str]]) -> str:
    """DuckDB's select of a table for Parquet as Spark reads it back with the same types: a
    timestamp written as an instant (Parquet's UTC-adjusted timestamp, Spark's `timestamp`; the
    DuckDB session is UTC, so the value is the same), a HUGEINT as a 38-digit decimal."""
    parts = []
    for column, data_type in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        upper = data_type.upper()
        if upper in ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE"):
            parts.append(f"cast({quoted} as timestamptz) as {quoted}")
        elif upper == "HUGEINT":
            parts.append(f"cast({quoted} as decimal(38, 0)) as {quoted}")
        else:
            parts.append(quoted)
    return ", ".join(parts)


def load_into_spark(
    staging_path: Path | str,
    spark,
    schemas: Iterable[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Replace the Spark tables of `schemas` (default: the raw schema and meta) with those of the
    DuckDB file: DuckDB writes each as Parquet into the Spark warehouse folder
    (<warehouse>/_loaded/<schema>/<table>/), and the Spark table is that folder (a table over its
    files: no copy, no Spark job). Returns the rows loaded per schema.table. A table the DuckDB
    file does not hold is left as it is in Spark."""
    from leadwarehouse.build import raw_schema

    schemas = tuple(schemas) if schemas is not None else (raw_schema(), "meta")
    loaded: dict[str, int] = {}
    source = duckdb.connect(str(staging_path), read_only=True)
    try:
        source.execute("set TimeZone = 'UTC'")
        for schema in schemas:
            tables = _duckdb_tables(source, schema)
            if not tables:
                continue
            spark.sql(f"create schema if not exists {_quote(schema)}")
            for table, columns in tables.items():
                folder = warehouse_dir(env) / "_loaded" / schema / table
                relation = f"{_quote(schema)}.{_quote(table)}"
                spark.sql(f"drop table if exists {relation}")
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                source.execute(
                    f'copy (select {_parquet_select(columns)} from "{schema}"."{table}") '
                    f"to '{folder / 'part-0.parquet'}' (format parquet)"
                )
                spark.sql(f"create table {relation} using parquet location '{folder}'")
                loaded[f"{schema}.{table}"] = source.execute(
                    f'select count(*) from "{schema}"."{table}"'
                ).fetchone()[0]
    finally:
        source.close()
    return loaded


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """os.environ as `env` for the duration (dbt in-process reads its variables there)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_dbt_in_process(
    args: list[str],
    staging_path: Path | str,
    as_of: str | None = None,
    env: Mapping[str, str] | None = None,
    quiet: bool = True,
) -> None:
    """dbt `args` on the spark target, in this process (so on this process's Spark session).
    Raises SparkError naming the failing nodes when dbt fails."""
    from dbt.cli.main import dbtRunner

    from leadwarehouse.build import PROJECT_DIR, dbt_env
    from leadwarehouse.dbt_command import in_process_command

    full_env = {**dbt_env(staging_path, as_of, target="spark"), **(env or {})}
    full_env["LEAD_WAREHOUSE_TARGET"] = "spark"
    cli = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if quiet:
        cli = ["--quiet", *cli]
    with _environment(full_env), in_process_command():
        result = dbtRunner().invoke(cli)
    if not result.success:
        failed = []
        if result.result is not None and hasattr(result.result, "results"):
            failed = [
                f"{r.node.unique_id}: {r.status} {(r.message or '')[:500]}"
                for r in result.result.results
                if str(r.status) in ("error", "fail")
            ]
        detail = "; ".join(failed) or (str(result.exception) if result.exception else "see dbt's log")
        raise SparkError(f"dbt {shlex.join(args)} failed on Spark: {detail}")


def build_on_spark(
    landing_dir: Path | str,
    staging_path: Path | str,
    dbt_args: list[str] | Iterable[list[str]],
    *,
    as_of: str | None = None,
    quiet: bool = True,
    env: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Ingest the landing folder into the DuckDB file `staging_path` (checked and recorded as for a
    DuckDB build: meta.build_runs, the ingest manifest), load the raw schema and meta into the
    Spark warehouse, then run dbt (`dbt_args`, or a list of such argument lists run in turn) on
    the spark target, all in this process and on one Spark session. The build's outcome is
    recorded in the DuckDB file's meta.build_runs. The warehouse: the LEAD_SPARK_* variables of
    `env`, else of this process's environment. Returns the raw row counts. Raises ContractError
    (ingest) or SparkError (dbt)."""
    from leadwarehouse.build import (
        finish_build_run,
        load_inputs,
        new_run_id,
        record_landing,
        resolve_as_of,
        start_build_run,
    )

    runs = [dbt_args] if dbt_args and isinstance(dbt_args[0], str) else list(dbt_args)
    as_of = resolve_as_of(as_of)
    run_id = new_run_id()
    command = " && ".join(shlex.join(["dbt", *args]) for args in runs)
    start_build_run(staging_path, run_id, as_of, command)
    merged = {**os.environ, **(env or {})}
    try:
        counts = dict(load_inputs(landing_dir, staging_path, "contract", full=True, run_id=run_id))
        record_landing(staging_path, run_id)
        spark = spark_session(merged)
        load_into_spark(staging_path, spark, env=merged)
        for args in runs:
            run_dbt_in_process(args, staging_path, as_of, env=merged, quiet=quiet)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            finish_build_run(
                staging_path, run_id, succeeded=False, message=f"{type(exc).__name__}: {exc}"[:2000]
            )
        raise
    finish_build_run(staging_path, run_id, succeeded=True, returncode=0)
    return counts


def unload_from_spark(spark, relation: str, path: Path | str) -> dict:
    """Write a Spark table's rows to the Parquet file `path` (through Arrow: decimals stay
    decimals, timestamps UTC) for a reader without a Spark session (the reverse-ETL export).
    Returns the rows written and the build's as_of (max of marts.leads.as_of)."""
    import pyarrow.parquet as pq

    schema, table = relation.split(".", 1)
    if not spark.catalog.tableExists(f"{schema}.{table}"):
        raise SparkError(f"{relation} does not exist in the Spark warehouse")
    import pyarrow as pa

    rows = spark.table(f"{_quote(schema)}.{_quote(table)}").toArrow()
    # Spark's timestamps arrive as UTC instants; the warehouse's are UTC without a time zone
    for i, column in enumerate(rows.schema):
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            rows = rows.set_column(i, column.name, rows.column(i).cast(pa.timestamp(column.type.unit)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    pq.write_table(rows, partial)
    os.replace(partial, path)
    as_of = None
    if spark.catalog.tableExists("marts.leads"):
        as_of = spark.sql("select cast(max(as_of) as string) from marts.leads").collect()[0][0]
    return {"rows": rows.num_rows, "as_of": as_of}


RESULT_PREFIX = "RESULT "


def run_spark_step(args: list[str], env: Mapping[str, str] | None = None, timeout: float = 3600) -> dict:
    """`python -m leadwarehouse.spark <args>` in a child process; its result (the JSON it prints
    last). A step of a process that must not hold a JVM (the Dagster code location: dbt starts
    its own session after it, and the embedded metastore admits one JVM at a time) runs here.
    Raises SparkError with the end of the child's output when it fails."""
    import json
    import subprocess

    from leadwarehouse.build import PROJECT_DIR

    proc = subprocess.run(
        [sys.executable, "-m", "leadwarehouse.spark", *args],
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    results = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not results:
        tail = (proc.stdout[-2000:] + "\n" + proc.stderr[-3000:]).strip()
        raise SparkError(
            f"python -m leadwarehouse.spark {shlex.join(args)} failed ({proc.returncode}): {tail}"
        )
    return json.loads(results[-1][len(RESULT_PREFIX) :])


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.spark",
        description="Build the warehouse on Spark: ingest the landing folder into a DuckDB staging file, "
        "load its raw tables into the Spark warehouse (LEAD_SPARK_WAREHOUSE) and run dbt on the spark "
        "target, in one process and one Spark session. --load-only, --publish and --unload run one "
        "step of that on its own (the Dagster code location runs them so).",
    )
    parser.add_argument("--landing", default="data/landing", help="landing folder (default: %(default)s)")
    parser.add_argument(
        "--staging",
        default="data/warehouse/spark-ingest.duckdb",
        help="DuckDB file the ingest writes before the load (default: %(default)s)",
    )
    parser.add_argument("--as-of", default=None, help="the build's 'now' (default: $LEAD_AS_OF, else now)")
    parser.add_argument("--skip-tests", action="store_true", help="models and seeds without dbt's tests")
    step = parser.add_mutually_exclusive_group()
    step.add_argument(
        "--load-only", action="store_true", help="only load the raw and meta tables of --staging into Spark"
    )
    step.add_argument(
        "--publish",
        action="store_true",
        help="only publish the last build of --staging (a snapshot database and the views of `published`)",
    )
    step.add_argument(
        "--unload", metavar="SCHEMA.TABLE", help="only write a table's rows to the Parquet file --to"
    )
    parser.add_argument("--to", help="the Parquet file of --unload")
    args = parser.parse_args(argv)
    if args.unload and not args.to:
        parser.error("--unload needs --to")
    if args.load_only or args.publish or args.unload:
        spark = spark_session()
        if args.load_only:
            result = load_into_spark(args.staging, spark)
        elif args.unload:
            result = unload_from_spark(spark, args.unload, args.to)
        else:
            from leadwarehouse.publish import PublishError
            from leadwarehouse.publish_server import publish_on_spark

            try:
                result = publish_on_spark(args.staging, spark).__dict__
            except PublishError as exc:
                print(f"publish failed: {exc}", file=sys.stderr)
                return 3 if exc.transient else 1
        print(RESULT_PREFIX + json.dumps(result, default=str))
        return 0
    from leadwarehouse.build import dbt_build_args

    counts = build_on_spark(
        args.landing,
        args.staging,
        dbt_build_args("run" if args.skip_tests else "build"),
        as_of=args.as_of or os.environ.get("LEAD_AS_OF") or "now",
        quiet=False,
    )
    print(f"built on Spark from {sum(counts.values()):,} raw rows in {warehouse_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
