"""The steps around dbt on each engine: where raw goes after the ingest, where the export model is
read, and what publishing means. The Dagster code location calls these with its resource's
engine (orchestration/resources.py); on every engine the ingest writes a DuckDB file first (the
build file on DuckDB, a staging file on a server engine), which also holds the build's record
(meta.build_runs) and lock.

=========  ============================  ===============================  ==========================================
engine     raw after the ingest          the export model is read from     publish
=========  ============================  ===============================  ==========================================
duckdb     already in the build file     the build file                    a compact copy of the file
postgres   copied to the server (COPY)   the server (COPY … to CSV)        snapshot schema + views, one transaction
spark      loaded as Parquet tables      a Parquet unload of the table     snapshot database + views
=========  ============================  ===============================  ==========================================

Spark steps run in a child process (leadwarehouse.spark.run_spark_step): the process that calls
them starts dbt afterwards, and dbt's own Spark session needs the embedded metastore, which one
JVM at a time may open.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from leadwarehouse.exports import ExportSource, ParquetSource, PostgresSource

ENGINES = ("duckdb", "postgres", "spark")
SERVER_ENGINES = ("postgres", "spark")


class EngineError(ValueError):
    """An engine this project does not build on."""


def check_engine(engine: str) -> str:
    name = (engine or "duckdb").strip().lower()
    if name not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)} (LEAD_WAREHOUSE_TARGET)")
    return name


def default_build_path(engine: str) -> str:
    """The build file (DuckDB) or the staging file of the ingest (server engines), relative to the
    project: the defaults of `python -m leadwarehouse.build`, `.postgres` and `.spark`."""
    engine = check_engine(engine)
    return "data/warehouse/build.duckdb" if engine == "duckdb" else f"data/warehouse/{engine}-ingest.duckdb"


def load_raw(engine: str, staging_path: Path | str) -> dict[str, int]:
    """Put the raw and meta tables the ingest wrote into `staging_path` where dbt reads them on
    `engine`; rows per table (nothing to do on DuckDB)."""
    engine = check_engine(engine)
    if engine == "postgres":
        from leadwarehouse.postgres import copy_to_postgres

        return copy_to_postgres(staging_path)
    if engine == "spark":
        from leadwarehouse.spark import run_spark_step

        return run_spark_step(["--load-only", "--staging", str(staging_path)])
    return {}


@contextlib.contextmanager
def export_source(
    engine: str, build_path: Path | str, relation: str, run_id: str
) -> Iterator[Path | ExportSource]:
    """What leadwarehouse.exports.write_export reads the export model from on `engine`, while the
    context is open (a Spark unload is removed after)."""
    engine = check_engine(engine)
    if engine == "postgres":
        yield PostgresSource()
        return
    if engine == "duckdb":
        yield Path(build_path)
        return
    from leadwarehouse.spark import run_spark_step

    folder = Path(build_path).resolve().parent / ".spark-unload" / run_id
    try:
        unloaded = run_spark_step(["--unload", relation, "--to", str(folder / "rows.parquet")])
        yield ParquetSource(folder / "rows.parquet", unloaded.get("as_of"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish_on_engine(
    engine: str,
    build_path: Path | str,
    published_path: Path | str | None = None,
    *,
    wait: bool | float = False,
    schema: str = "published",
    reader_roles: Sequence[str] = (),
) -> dict[str, object]:
    """Publish the last build on `engine` (leadwarehouse/publish.py on DuckDB,
    leadwarehouse/publish_server.py on a server); returns what was published, for the run's
    metadata. Raises leadwarehouse.publish.PublishError (the previous publication stays)."""
    engine = check_engine(engine)
    if engine == "duckdb":
        from leadwarehouse.publish import publish

        result = publish(build_path, published_path, wait=wait)
        return {
            "engine": engine,
            "location": str(result.path),
            "bytes": result.bytes,
            **_common(result),
        }
    if engine == "postgres":
        from leadwarehouse.publish_server import publish_on_postgres

        result = publish_on_postgres(build_path, schema=schema, reader_roles=reader_roles, wait=wait)
        return {"engine": engine, "location": result.location, **_common(result)}
    from leadwarehouse.publish import PublishError
    from leadwarehouse.spark import SparkError, run_spark_step

    try:
        published = run_spark_step(["--publish", "--staging", str(build_path)])
    except SparkError as exc:
        raise PublishError(f"publish on Spark failed: {exc}") from exc
    return {
        "engine": engine,
        "location": published["location"],
        **{key: published[key] for key in ("published_at", "seconds", "row_counts", "run_id", "as_of")},
    }


def _common(result) -> dict[str, object]:
    return {
        "published_at": result.published_at,
        "seconds": round(result.seconds, 3),
        "row_counts": result.row_counts,
        "run_id": result.run_id,
        "as_of": result.as_of,
    }
