"""Publish on a server engine: what readers read, switched in for them all at once, with no file copy.

On DuckDB, publish writes a compact copy of the build file (leadwarehouse/publish.py). On
PostgreSQL and Spark the readers (BI tools, notebooks, reverse-ETL) connect to the server
itself, so publishing means giving them a stable schema the next build does not touch while it
rebuilds ``marts``, ``exports`` and ``config`` in place:

PostgreSQL, a snapshot schema and views, switched in one transaction (``publish_on_postgres``):
  the relations of PUBLISHED_RELATIONS are copied server-side (``create table … as select``)
  into a new schema ``published_<when>_<run>``, stamped (``publication``), counted against the
  build, then each view of ``published`` is replaced to read the snapshot and the reader roles
  are granted usage and select, all in one REPEATABLE READ transaction. A reader sees the
  previous publication until the commit and the new one after it, never a mix; a failure rolls
  everything back and the previous views stay. The views are replaced in place, never dropped
  (unless a relation's columns changed), because a reader's statement that looks a name up while
  its schema is being swapped can fail with "relation does not exist" (seen once in the tests
  with the earlier schema swap; most likely because PostgreSQL makes a commit visible a moment
  before other sessions' catalog caches are invalidated). The switch first locks every view at once, without waiting while it
  holds some (a reader's statement locks them one by one: waiting while holding would deadlock
  with it); readers holding them make it try again for at most ``lock_timeout`` (then it fails
  as busy, to be retried). The previous snapshot is kept, older
  ones dropped after the switch.

Spark, a snapshot database and views (``publish_on_spark``):
  the relations are copied into a new database ``published_<when>_<run>`` (the snapshot), stamped
  and counted, then each view of the database ``published`` is replaced to read the snapshot; the
  ``publication`` view is replaced last. A Hive metastore has no transaction over several
  objects, so each view switches atomically on its own; a reader that needs every table of one
  build reads ``published.publication.snapshot_database`` first and queries that database. The
  previous snapshot is kept (a reader that resolved it keeps reading it) and older ones dropped.

Both publish one view per published relation under its own name, without its schema
(``published.leads``, ``published.export_lead_scores_v1``, ``published.scoring_models``), plus
the ``publication`` stamp; a build is published only when the staging file's newest build
(meta.build_runs) succeeded, its raw tables are unchanged (leadwarehouse.publish.check_publishable)
and the server holds that build's raw tables (its copy of meta.build_runs names the same run last).
The build file's lock is held throughout, so no build of the same staging file starts meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadwarehouse.publish import (
    PUBLISHED_RELATIONS,
    REQUIRED_RELATIONS,
    UNCHANGED,
    PublishError,
    check_publishable,
    publish_lock,
)

PUBLISHED_SCHEMA = "published"
STAMP = "publication"
# The server's meta.build_runs is the staging file's table as the ingest copied it (this build
# still `running`): provenance lives in the stamp instead.
NOT_ON_SERVER = frozenset({"meta.build_runs"})
SNAPSHOT_PATTERN = re.compile(r"^(?P<schema>\w+?)_\d{8}t\d{6}_[0-9a-f]{8}$")


@dataclass(frozen=True)
class ServerPublication:
    """The outcome of a publish on a server engine."""

    engine: str
    location: str  # the schema (PostgreSQL) or snapshot database (Spark) readers read
    published_at: str
    seconds: float
    row_counts: dict[str, int] = field(default_factory=dict)
    run_id: str | None = None
    as_of: str | None = None
    landing_fingerprint: str | None = None


def _publication(
    engine: str, location: str, published_at: datetime, started: float, counts: dict[str, int], build: dict
) -> ServerPublication:
    return ServerPublication(
        engine=engine,
        location=location,
        published_at=published_at.isoformat(),
        seconds=time.perf_counter() - started,
        row_counts=counts,
        run_id=build["run_id"],
        as_of=build["as_of"],
        landing_fingerprint=build["landing_fingerprint"],
    )


def published_name(relation: str) -> str:
    """The table's name in the published schema: the relation's name without its schema."""
    return relation.split(".", 1)[1]


def _check_names() -> None:
    names = [published_name(r.name) for r in PUBLISHED_RELATIONS if r.name not in NOT_ON_SERVER]
    clashes = sorted({n for n in names if names.count(n) > 1} | ({STAMP} & set(names)))
    if clashes:  # a programming error: two published relations would share a table
        raise AssertionError(f"published relations share a name without their schema: {clashes}")


_check_names()


def role_names(names: str) -> list[str]:
    """The PostgreSQL roles of a comma-separated list (LEAD_PG_READER_ROLES)."""
    return [role.strip() for role in names.split(",") if role.strip()]


def relations_to_publish(present: set[str], required: Sequence[str]) -> list[str]:
    """PUBLISHED_RELATIONS (and `required`) the server holds; PublishError when a required one is
    missing."""
    wanted = ({r.name for r in PUBLISHED_RELATIONS} | set(required)) - NOT_ON_SERVER
    missing = sorted(set(required) - NOT_ON_SERVER - present)
    if missing:
        raise PublishError(f"the server lacks {', '.join(missing)}: not publishing; {UNCHANGED}")
    return sorted(wanted & present)


@contextlib.contextmanager
def checked_build(staging_path: Path | str, wait: bool | float) -> Iterator[dict]:
    """Hold the staging file's build lock and yield its newest build, when it may be published."""
    staging_path = Path(staging_path).resolve()
    if not staging_path.is_file():
        raise PublishError(f"no staging file at {staging_path}: ingest and build first; {UNCHANGED}")
    lock = publish_lock(staging_path, wait)
    try:
        try:
            con = duckdb.connect(str(staging_path), read_only=True)
        except duckdb.Error as exc:
            raise PublishError(f"cannot open {staging_path}: {exc}", transient=True) from exc
        try:
            build = check_publishable(con, staging_path)
        finally:
            con.close()
        yield build
    finally:
        lock.release()


def check_server_holds(build: dict, newest_on_server: str | None, engine: str) -> None:
    """The server's marts were built from this build's raw tables: its copy of meta.build_runs
    (copied with raw at ingest) names this build's run last."""
    if newest_on_server != build["run_id"]:
        raise PublishError(
            f"{engine} holds the raw tables of run {newest_on_server or '(none)'}, not those of the build "
            f"to publish (run {build['run_id']}): another staging file loaded the server since. "
            f"Rebuild; {UNCHANGED}"
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def _stamp_values(published_at: datetime | str, build: dict, counts: dict[str, int]) -> list:
    return [
        published_at,
        build["as_of"],
        build["run_id"],
        json.dumps(counts, sort_keys=True),
        build["landing_fingerprint"],
    ]


# ------------------------------------------------------------------ PostgreSQL


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_relation(relation: str) -> str:
    return ".".join(_pg_ident(part) for part in relation.split(".", 1))


def _pg_counts(cursor, relations: Sequence[str], rename=lambda r: _pg_relation(r)) -> dict[str, int]:
    counts = {}
    for relation in relations:
        cursor.execute(f"select count(*) from {rename(relation)}")
        counts[relation] = cursor.fetchone()[0]
    return counts


def _pg_copy_comments(cursor, source: str, target: str, kind: str = "table") -> None:
    """The table's and its columns' comments (dbt's persist_docs on the marts and exports), from
    `source` to `target` (quoted names), a table or a view (`kind`)."""
    cursor.execute(
        "select obj_description(to_regclass(%s), 'pg_class'), "
        "coalesce(json_agg(json_build_array(a.attname, col_description(a.attrelid, a.attnum))) "
        "filter (where col_description(a.attrelid, a.attnum) is not null), '[]') "
        "from pg_attribute a where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped",
        [source, source],
    )
    table_comment, columns = cursor.fetchone()
    if table_comment:
        cursor.execute(f"comment on {kind} {target} is %s", [table_comment])
    for column, comment in columns:
        cursor.execute(f"comment on column {target}.{_pg_ident(column)} is %s", [comment])


def snapshot_name(schema: str, published_at: datetime, build: dict) -> str:
    """The schema (PostgreSQL) or database (Spark) a publication's tables are copied into:
    `<schema>_<yyyymmddThhmmss>_<run>`, so snapshots sort by time (SNAPSHOT_PATTERN)."""
    run_tag = hashlib.sha256(str(build["run_id"]).encode()).hexdigest()[:8]
    return f"{schema}_{published_at:%Y%m%dt%H%M%S}_{run_tag}"


def _pg_point_view(cursor, view: str, snapshot_table: str) -> None:
    """`view` reads `snapshot_table`. Replaced in place, so a reader's name lookup always finds the
    same object; dropped and created again only when the columns changed (PostgreSQL replaces a
    view only with the same leading columns)."""
    import psycopg2

    cursor.execute("savepoint point_view")
    try:
        cursor.execute(f"create or replace view {view} as select * from {snapshot_table}")
    except psycopg2.Error:
        cursor.execute("rollback to savepoint point_view")
        cursor.execute(f"drop view if exists {view}")
        cursor.execute(f"create view {view} as select * from {snapshot_table}")
    cursor.execute("release savepoint point_view")


def _pg_lock_views(cursor, schema: str, timeout_seconds: float) -> None:
    """Every view of `schema` locked for the switch, all at once or none: a reader's statement
    locks the views it reads one after the other, so a switch that waited for one view while
    holding another could deadlock with it. Tried without waiting (NOWAIT) until `timeout_seconds`
    have passed, then LockNotAvailable."""
    import psycopg2

    cursor.execute("select table_name from information_schema.views where table_schema = %s", [schema])
    views = [f"{_pg_ident(schema)}.{_pg_ident(name)}" for (name,) in cursor.fetchall()]
    if not views:
        return
    deadline = time.monotonic() + timeout_seconds
    while True:
        cursor.execute("savepoint lock_views")
        try:
            cursor.execute(f"lock table {', '.join(views)} in access exclusive mode nowait")
        except psycopg2.errors.LockNotAvailable:
            cursor.execute("rollback to savepoint lock_views")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        else:
            cursor.execute("release savepoint lock_views")
            return


def _pg_snapshots(cursor, schema: str) -> list[str]:
    cursor.execute("select schema_name from information_schema.schemata")
    return sorted(
        name
        for (name,) in cursor.fetchall()
        if (m := SNAPSHOT_PATTERN.match(name)) and m.group("schema") == schema
    )


def publish_on_postgres(
    staging_path: Path | str,
    *,
    env: Mapping[str, str] | None = None,
    schema: str = PUBLISHED_SCHEMA,
    reader_roles: Sequence[str] = (),
    required: Sequence[str] = REQUIRED_RELATIONS,
    wait: bool | float = False,
    lock_timeout_seconds: float = 60.0,
    keep: int = 2,
) -> ServerPublication:
    """Publish the server's build: a snapshot schema, then the views of `schema` pointed at it, in
    one transaction (module docstring); the newest `keep` snapshots stay. The server: the LEAD_PG_*
    variables of `env`, else of this process's environment. Raises PublishError (the previous
    publication stays)."""
    import psycopg2

    from leadwarehouse.postgres import connect

    started = time.perf_counter()
    with checked_build(staging_path, wait) as build:
        try:
            con = connect(env)
        except psycopg2.Error as exc:
            raise PublishError(f"cannot connect to PostgreSQL: {exc}", transient=True) from exc
        try:
            con.set_session(isolation_level="REPEATABLE READ")  # one snapshot for every copy and count
            with con, con.cursor() as cursor:  # one transaction: committed at the end, else rolled back
                cursor.execute(
                    "select set_config('lock_timeout', %s, true)", [f"{int(lock_timeout_seconds * 1000)}ms"]
                )
                cursor.execute(
                    "select count(*) from information_schema.tables "
                    "where table_schema = 'meta' and table_name = 'build_runs'"
                )
                newest = None
                if cursor.fetchone()[0]:
                    cursor.execute(
                        "select run_id from meta.build_runs order by started_at desc nulls last limit 1"
                    )
                    row = cursor.fetchone()
                    newest = row[0] if row else None
                check_server_holds(build, newest, "PostgreSQL")
                cursor.execute(
                    "select table_schema || '.' || table_name from information_schema.tables "
                    "where table_schema in ('marts', 'exports', 'config')"
                )
                relations = relations_to_publish({r[0] for r in cursor.fetchall()}, required)
                expected = _pg_counts(cursor, relations)
                published_at = _now()
                snapshot = snapshot_name(schema, published_at, build)
                while snapshot in _pg_snapshots(cursor, schema):  # this build published within this second
                    time.sleep(1.0)
                    published_at = _now()
                    snapshot = snapshot_name(schema, published_at, build)
                in_snapshot = {r: f"{_pg_ident(snapshot)}.{_pg_ident(published_name(r))}" for r in relations}
                cursor.execute(f"create schema {_pg_ident(snapshot)}")
                for relation, target in in_snapshot.items():
                    cursor.execute(f"create table {target} as select * from {_pg_relation(relation)}")
                    _pg_copy_comments(cursor, _pg_relation(relation), target)
                cursor.execute(
                    f"create table {_pg_ident(snapshot)}.{STAMP} (published_at timestamp, as_of timestamp, "
                    "run_id text, row_counts text, landing_fingerprint text, snapshot_schema text)"
                )
                cursor.execute(
                    f"insert into {_pg_ident(snapshot)}.{STAMP} values (%s, %s, %s, %s, %s, %s)",
                    [*_stamp_values(published_at, build, expected), snapshot],
                )
                got = _pg_counts(cursor, relations, in_snapshot.__getitem__)
                if got != expected:
                    raise PublishError(f"the copy differs from the build: {got} != {expected}; {UNCHANGED}")
                # the switch: the views of `schema`, all in this transaction, the stamp's too
                cursor.execute(
                    "select count(*) from information_schema.tables "
                    "where table_schema = %s and table_type = 'BASE TABLE'",
                    [schema],
                )
                if cursor.fetchone()[0]:  # tables of the earlier schema swap: replaced once
                    cursor.execute(f"drop schema {_pg_ident(schema)} cascade")
                cursor.execute(f"create schema if not exists {_pg_ident(schema)}")
                _pg_lock_views(cursor, schema, lock_timeout_seconds)
                names = [*(published_name(r) for r in relations), STAMP]
                for name in names:
                    view = f"{_pg_ident(schema)}.{_pg_ident(name)}"
                    _pg_point_view(cursor, view, f"{_pg_ident(snapshot)}.{_pg_ident(name)}")
                    _pg_copy_comments(cursor, f"{_pg_ident(snapshot)}.{_pg_ident(name)}", view, kind="view")
                cursor.execute(
                    "select table_name from information_schema.views where table_schema = %s", [schema]
                )
                for (stale,) in cursor.fetchall():  # a relation no longer published
                    if stale not in names:
                        cursor.execute(f"drop view {_pg_ident(schema)}.{_pg_ident(stale)}")
                for role in reader_roles:
                    for readable in (schema, snapshot):
                        cursor.execute(f"grant usage on schema {_pg_ident(readable)} to {_pg_ident(role)}")
                        cursor.execute(
                            f"grant select on all tables in schema {_pg_ident(readable)} to {_pg_ident(role)}"
                        )
        except psycopg2.errors.LockNotAvailable as exc:
            raise PublishError(
                f"readers held {schema} longer than {lock_timeout_seconds:g}s; {UNCHANGED}", busy=True
            ) from exc
        except psycopg2.errors.DuplicateSchema as exc:  # the same build published twice within a second
            raise PublishError(f"{snapshot} exists already; {UNCHANGED}", transient=True) from exc
        except psycopg2.Error as exc:
            raise PublishError(f"PostgreSQL refused the publish: {exc}; {UNCHANGED}") from exc
        finally:
            con.close()
        _pg_drop_old_snapshots(env, schema, keep)
    return _publication("postgres", schema, published_at, started, expected, build)


def _pg_drop_old_snapshots(env: Mapping[str, str] | None, schema: str, keep: int) -> None:
    """After the switch, in a transaction of its own: a snapshot a reader still reads makes the
    drop wait a second at most, then it is left for the next publication."""
    import psycopg2

    from leadwarehouse.postgres import connect

    with contextlib.suppress(psycopg2.Error):
        con = connect(env)
        try:
            with con, con.cursor() as cursor:
                cursor.execute("select set_config('lock_timeout', '1000ms', true)")
                for old in _pg_snapshots(cursor, schema)[: -max(keep, 1)]:
                    cursor.execute(f"drop schema {_pg_ident(old)} cascade")
        finally:
            con.close()


# ------------------------------------------------------------------ Spark


def _spark_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_relation(relation: str) -> str:
    return ".".join(_spark_ident(part) for part in relation.split(".", 1))


def _spark_tables(spark, database: str) -> set[str]:
    if not spark.catalog.databaseExists(database):
        return set()
    return {f"{database}.{t.name}" for t in spark.catalog.listTables(database) if not t.isTemporary}


def _spark_count(spark, relation: str) -> int:
    return spark.sql(f"select count(*) from {relation}").collect()[0][0]


def publish_on_spark(
    staging_path: Path | str,
    spark,
    *,
    database: str = PUBLISHED_SCHEMA,
    required: Sequence[str] = REQUIRED_RELATIONS,
    keep: int = 2,
    wait: bool | float = False,
    file_format: str | None = None,
) -> ServerPublication:
    """Publish the Spark build: a snapshot database, then the views of `database` pointed at it
    (module docstring). `spark` is the session (leadwarehouse.spark.spark_session). Keeps the
    newest `keep` snapshots. Raises PublishError (the previous publication stays)."""
    started = time.perf_counter()
    file_format = file_format or os.environ.get("LEAD_SPARK_FILE_FORMAT", "parquet")
    with checked_build(staging_path, wait) as build:
        newest = None
        if spark.catalog.tableExists("meta.build_runs"):
            rows = spark.sql(
                "select run_id from meta.build_runs order by started_at desc nulls last limit 1"
            ).collect()
            newest = rows[0][0] if rows else None
        check_server_holds(build, newest, "Spark")
        present = set().union(*(_spark_tables(spark, s) for s in ("marts", "exports", "config")))
        relations = relations_to_publish(present, required)
        expected = {r: _spark_count(spark, _spark_relation(r)) for r in relations}
        published_at = _now()
        snapshot = snapshot_name(database, published_at, build)
        if spark.catalog.databaseExists(snapshot):  # the same build published twice within a second
            raise PublishError(f"{snapshot} exists already; {UNCHANGED}", transient=True)
        try:
            spark.sql(f"create database {_spark_ident(snapshot)}")
            for relation in relations:
                spark.sql(
                    f"create table {_spark_ident(snapshot)}.{_spark_ident(published_name(relation))} "
                    f"using {file_format} as select * from {_spark_relation(relation)}"
                )
            got = {
                r: _spark_count(spark, f"{_spark_ident(snapshot)}.{_spark_ident(published_name(r))}")
                for r in relations
            }
            if got != expected:
                raise PublishError(f"the copy differs from the build: {got} != {expected}; {UNCHANGED}")
            # the instants as text, cast by Spark in its UTC session
            stamp = _stamp_values(published_at.isoformat(sep=" "), build, expected)
            spark.createDataFrame(
                [[*stamp, snapshot]],
                "published_at string, as_of string, run_id string, row_counts string, "
                "landing_fingerprint string, snapshot_database string",
            ).selectExpr(
                "cast(published_at as timestamp) as published_at",
                "cast(as_of as timestamp) as as_of",
                "run_id",
                "row_counts",
                "landing_fingerprint",
                "snapshot_database",
            ).write.format(file_format).saveAsTable(f"{snapshot}.{STAMP}")
        except BaseException:
            with contextlib.suppress(Exception):
                spark.sql(f"drop database if exists {_spark_ident(snapshot)} cascade")
            raise
        # the switch: each view on its own, the stamp last
        spark.sql(f"create database if not exists {_spark_ident(database)}")
        for name in [*(published_name(r) for r in relations), STAMP]:
            spark.sql(
                f"create or replace view {_spark_ident(database)}.{_spark_ident(name)} "
                f"as select * from {_spark_ident(snapshot)}.{_spark_ident(name)}"
            )
        stale = set(_published_view_names(spark, database)) - {published_name(r) for r in relations} - {STAMP}
        for name in sorted(stale):  # a relation no longer published (an optional one the build lacks)
            spark.sql(f"drop view if exists {_spark_ident(database)}.{_spark_ident(name)}")
        _drop_old_snapshots(spark, database, keep)
    return _publication("spark", snapshot, published_at, started, expected, build)


def _published_view_names(spark, database: str) -> list[str]:
    return [t.name for t in spark.catalog.listTables(database) if t.tableType == "VIEW" and not t.isTemporary]


def snapshots(spark, database: str = PUBLISHED_SCHEMA) -> list[str]:
    """The snapshot databases of `database`, oldest first (their names sort by time)."""
    return sorted(
        d.name
        for d in spark.catalog.listDatabases()
        if (m := SNAPSHOT_PATTERN.match(d.name)) and m.group("schema") == database
    )


def _drop_old_snapshots(spark, database: str, keep: int) -> None:
    for old in snapshots(spark, database)[: -max(keep, 1)]:
        spark.sql(f"drop database if exists {_spark_ident(old)} cascade")
