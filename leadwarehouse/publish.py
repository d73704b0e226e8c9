"""Publish the built warehouse for readers: an atomic, consistent, read-only, compact copy of
what they read.

Builds write one DuckDB file (``data/warehouse/build.duckdb``). DuckDB allows one writer *or*
many readers per file, so dashboards never open that file: after a successful build whose
checks passed, ``publish`` writes ``published.duckdb`` beside it, and readers open the copy with
``read_only=True``. The copy holds exactly the relations readers read (PUBLISHED_RELATIONS below:
the marts of the dashboards and the summary, the export model, the config and meta tables they
read) plus the ``meta.publication`` stamp, and nothing else: no raw, staging or intermediate
tables. It is a new file written table by table (the build's CREATE TABLE, with its types,
constraints and comments, then INSERT … SELECT from the attached build), so it has no free blocks
however often the build file was rebuilt in place.

0. take the warehouse's build lock (leadwarehouse/locking.py), so that no build starts while we
   copy (a build in progress makes publish fail at once with "busy", or wait with ``--wait``), and
   refuse unless the newest ``meta.build_runs`` row succeeded and the raw tables are still the ones
   that build read (same ``meta.landing_snapshot`` fingerprint, same row counts as
   ``meta.last_good_raw_counts``): a failed, killed or half-done build is never published;
1. checkpoint the build file (folds the write-ahead log into the file; fails if a writer holds it);
2. open it read-only (a shared lock: no writer can start while we copy), refuse it unless it holds
   every required relation, count the rows of each relation to publish, and write them into a new
   temporary file in the same folder, in one transaction;
3. stamp the copy with a ``meta.publication`` row (when; the as_of, run id and landing
   fingerprint of the build; row counts), in the same transaction;
4. verify the copy as a reader opens it (read-only): it holds the relations to publish and the
   stamp, nothing else, with the build's row counts;
5. fsync it, make it read-only, and ``os.replace`` it over the published file (atomic on POSIX),
   then fsync the folder.

A failure at any step removes the temporary file and leaves the last good copy in place. A reader
that opened the previous copy keeps reading it (it holds the old inode) until it reconnects; a new
connection sees the new copy. Readers therefore always see one complete build, never a mix.
DuckDB's memory limit, threads and spill folder are the build's (leadwarehouse/duckdb_resources.py).

python -m leadwarehouse.publish --warehouse data/warehouse/build.duckdb

Exit codes: 0 published; 1 refused or failed (the published copy is unchanged); 3 busy: a build or
another publish holds the warehouse (try again later, or pass --wait).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadwarehouse.build import landing_fingerprint, raw_row_counts
from leadwarehouse.duckdb_resources import connect, duckdb_resources
from leadwarehouse.locking import EXIT_BUSY, FileLock, LockBusy, add_wait_argument, build_lock

PUBLISHED_NAME = "published.duckdb"
TMP_MARKER = ".publishing-"
PUBLICATION = "meta.publication"  # the stamp publish writes into the copy (not copied from the build)
COPY_ALIAS = "published_copy"  # the new file, attached to the build's connection while it is written


@dataclass(frozen=True)
class PublishedRelation:
    name: str  # schema.table in the build, and in the copy
    read_by: str  # who reads it in the published copy: the reason it is published
    required: bool = True  # publishing refuses a build that lacks it (its readers would fail)


# What the published copy holds: every relation a reader of published.duckdb reads, and only
# those. Readers: the dashboards (dashboards/queries/, dashboards/views/), `python -m
# leadwarehouse.summary` and `… quality`, the reverse-ETL export (leadwarehouse/exports.py), and
# publish's own verification. A reader that needs another relation adds it here.
PUBLISHED_RELATIONS: tuple[PublishedRelation, ...] = (
    PublishedRelation("marts.leads", "every dashboard page (filters, as_of); summary; the export's as_of"),
    PublishedRelation("marts.lead_score_changes", "dashboards: lead explorer, scoring health"),
    PublishedRelation("marts.lead_stage_history", "dashboards: velocity, lead explorer"),
    PublishedRelation("marts.lead_score_reasons", "dashboards: lead explorer; summary (top reasons)"),
    PublishedRelation("marts.quarantined_rows", "summary (top quarantine reasons)"),
    PublishedRelation("marts.raw_row_reconciliation", "summary (raw = staged + quarantined)"),
    PublishedRelation("marts.lead_sla", "dashboards: SLA; funnel (team names)"),
    PublishedRelation(
        "marts.lead_pipeline_now",
        "dashboards: pipeline now, lead explorer (open-lead lists; the other pages work without it)",
        required=False,
    ),
    PublishedRelation("marts.funnel_conversion", "dashboards: funnel"),
    PublishedRelation("marts.stage_velocity", "dashboards: velocity"),
    PublishedRelation(
        "marts.time_in_stage", "dashboards: velocity (else computed from lead_stage_history)", required=False
    ),
    PublishedRelation("marts.kpi_ladder", "dashboards: KPI ladder"),
    PublishedRelation(
        "marts.lead_kpi_facts",
        "the semantic layer on the published copy (velocity medians, ACV, CLV: leadwarehouse/semantic_layer.py)",
        required=False,
    ),
    PublishedRelation("exports.export_lead_scores_v1", "the reverse-ETL export (leadwarehouse/exports.py)"),
    PublishedRelation("config.scoring_models", "dashboards: lead explorer, scoring health (model names)"),
    PublishedRelation("config.lifecycle_stages", "dashboards: velocity; summary (stage order)"),
    PublishedRelation(
        "config.display_labels", "dashboards: labels of codes (raw codes shown without it)", required=False
    ),
    PublishedRelation("config.sla_states", "dashboards: pipeline now, SLA (state colours)", required=False),
    PublishedRelation(
        "config.sla_policies",
        "dashboards: SLA (each SLA's at-risk share and compliance target)",
        required=False,
    ),
    PublishedRelation(
        "config.kpi_parameters", "dashboards: SLA (the compliance target and red cut-off)", required=False
    ),
    PublishedRelation("config.stage_age_buckets", "dashboards: pipeline now (bucket order)", required=False),
    PublishedRelation(
        "config.reason_codes", "dashboards: lead explorer (labels of reason codes)", required=False
    ),
    PublishedRelation(
        "config.requalification_triggers",
        "dashboards: lead explorer (labels of re-qualification reasons)",
        required=False,
    ),
    PublishedRelation(
        "config.kpi_layers", "dashboards: KPI ladder (layer order; the page works without it)", required=False
    ),
    PublishedRelation(
        "config.kpi_metrics",
        "dashboards: KPI ladder (each metric's label and definition; the page works without it)",
        required=False,
    ),
    PublishedRelation(
        "marts.data_quality_summary",
        "python -m leadwarehouse.quality --warehouse <published>",
        required=False,
    ),
    PublishedRelation(
        "marts.data_quality_issues", "python -m leadwarehouse.quality --warehouse <published>", required=False
    ),
    # not marked required: check_publishable already refuses a build without it
    PublishedRelation(
        "meta.build_runs", "which build the copy holds and how it ended (provenance)", required=False
    ),
)
# The relations a build must have to be published (the required ones above).
REQUIRED_RELATIONS: tuple[str, ...] = tuple(r.name for r in PUBLISHED_RELATIONS if r.required)


class PublishError(Exception):
    """The build could not be published; the previously published copy is untouched.
    `transient` is true when another attempt may succeed (the build file is locked); `busy` when
    a build or another publish holds the warehouse's lock."""

    def __init__(self, message: str, transient: bool = False, busy: bool = False):
        super().__init__(message)
        self.transient = transient or busy
        self.busy = busy


@dataclass(frozen=True)
class PublishResult:
    path: Path
    published_at: str
    bytes: int
    seconds: float
    row_counts: dict[str, int] = field(default_factory=dict)
    run_id: str | None = None
    as_of: str | None = None
    landing_fingerprint: str | None = None

    def as_metadata(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "published_at": self.published_at,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "row_counts": self.row_counts,
            "run_id": self.run_id,
            "as_of": self.as_of,
            "landing_fingerprint": self.landing_fingerprint,
        }


def default_published_path(build_path: Path | str) -> Path:
    """``published.duckdb`` in the build file's folder."""
    return Path(build_path).resolve().with_name(PUBLISHED_NAME)


@contextlib.contextmanager
def open_published(published_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """How readers (dashboards, notebooks) open the published warehouse: read-only, one short-lived
    connection at a time. Reconnect to pick up a newer publication (DuckDB caches an open
    database per path inside a process, so keep no connection open between page loads)."""
    con = duckdb.connect(str(published_path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


def _row_counts(con: duckdb.DuckDBPyConnection, relations: Sequence[str]) -> dict[str, int]:
    return {rel: con.execute(f"select count(*) from {rel}").fetchone()[0] for rel in sorted(relations)}


def _to_publish(con: duckdb.DuckDBPyConnection, required: Sequence[str]) -> list[str]:
    """The relations of the build to publish: PUBLISHED_RELATIONS (and `required`) that it holds.
    Raise PublishError when it lacks a required one."""
    present = _relations(con)
    missing = sorted(set(required) - present)
    if missing:
        raise PublishError(f"the build lacks {', '.join(missing)}: not publishing it")
    wanted = {r.name for r in PUBLISHED_RELATIONS} | set(required)
    return sorted(wanted & present)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_relations(con: duckdb.DuckDBPyConnection, relations: Sequence[str], into: str) -> None:
    """Create each relation of the open build (`con`'s current database) in the attached database
    `into` as the build declares it (columns, types, constraints, comments), then fill it with
    INSERT … SELECT; a view of the build (whose inputs are not published) becomes a table of its
    rows. Runs inside the caller's transaction."""
    source = con.execute("select current_database()").fetchone()[0]
    tables = {
        f"{schema}.{table}": (schema, table, ddl, comment)
        for schema, table, ddl, comment in con.execute(
            "select schema_name, table_name, sql, comment from duckdb_tables() where database_name = ?",
            [source],
        ).fetchall()
    }
    views = {
        f"{schema}.{view}": comment
        for schema, view, comment in con.execute(
            "select schema_name, view_name, comment from duckdb_views() where database_name = ? and not internal",
            [source],
        ).fetchall()
    }
    columns = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and comment is not null",
        [source],
    ).fetchall()
    con.execute(f"use {_ident(into)}")  # the build's CREATE TABLE statements name schema.table only
    try:
        for relation in relations:
            schema, table = relation.split(".", 1)
            target = f"{_ident(into)}.{_ident(schema)}.{_ident(table)}"
            rows = f"select * from {_ident(source)}.{_ident(schema)}.{_ident(table)}"
            con.execute(f"create schema if not exists {_ident(into)}.{_ident(schema)}")
            if relation in views:
                con.execute(f"create table {target} as {rows}")
                comment = views[relation]
            elif relation in tables:
                _, _, ddl, comment = tables[relation]
                con.execute(ddl)
                con.execute(f"insert into {target} {rows}")
            else:
                raise PublishError(
                    f"{relation} is neither a table nor a view of the build: not publishing it"
                )
            if comment:
                con.execute(f"comment on table {target} is {_sql_text(comment)}")
        for schema, table, column, comment in columns:
            if f"{schema}.{table}" in relations:
                con.execute(
                    f"comment on column {_ident(into)}.{_ident(schema)}.{_ident(table)}.{_ident(column)} "
                    f"is {_sql_text(comment)}"
                )
    finally:
        con.execute(f"use {_ident(source)}")


UNCHANGED = "the published copy is unchanged"


def last_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest meta.build_runs row of an open warehouse (None if there is none)."""
    if not _relations(con) >= {"meta.build_runs"}:
        return None
    row = con.execute(
        "select run_id, status, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ'), "
        "strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ'), cast(as_of as varchar), landing_fingerprint, "
        "message from meta.build_runs order by started_at desc nulls last limit 1"
    ).fetchone()
    keys = ("run_id", "status", "started_at", "finished_at", "as_of", "landing_fingerprint", "message")
    return dict(zip(keys, row, strict=True)) if row else None


def check_publishable(con: duckdb.DuckDBPyConnection, build_path: Path | str) -> dict:
    """The newest build of an open warehouse, if it may be published: it succeeded, and the raw
    tables are still the ones it read (fingerprint and row counts). Raise PublishError otherwise."""
    build = last_build(con)
    if build is None:
        raise PublishError(
            f"{build_path} has no build record (meta.build_runs): build it with "
            f"`python -m leadwarehouse.build` first; {UNCHANGED}"
        )
    run = f"run {build['run_id']}"
    if build["status"] == "failed":
        raise PublishError(
            f"the last build ({run} at {build['finished_at'] or build['started_at']}) failed: "
            f"{build['message'] or 'no message'}. Fix it and rebuild; {UNCHANGED}"
        )
    if build["status"] != "succeeded":
        raise PublishError(
            f"the last build ({run}, started {build['started_at']}) did not finish (it was killed, "
            f"or its status is {build['status']!r}): rebuild; {UNCHANGED}"
        )
    current = landing_fingerprint(con)
    if build["landing_fingerprint"] and current and current != build["landing_fingerprint"]:
        raise PublishError(
            f"the raw tables were replaced after the last build ({run} at {build['finished_at']}): "
            f"they hold landing {current[:16]}, the build read {build['landing_fingerprint'][:16]}. "
            f"Rebuild; {UNCHANGED}"
        )
    if "meta.last_good_raw_counts" in _relations(con):
        built = dict(
            con.execute(
                "select source_table, raw_rows from meta.last_good_raw_counts where run_id = ?",
                [build["run_id"]],
            ).fetchall()
        )
        now = raw_row_counts(con)
        if built and now != built:
            differ = [
                f"{name}: {now.get(name, 'no table')} rows now, {built.get(name, 'no table')} built"
                for name in sorted(set(now) | set(built))
                if now.get(name) != built.get(name)
            ]
            raise PublishError(
                f"the raw tables were replaced after the last build ({run} at {build['finished_at']}): "
                f"{'; '.join(differ[:5])}. Rebuild; {UNCHANGED}"
            )
    return build


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem allows fsync on a folder
        _fsync_file(path)


def _remove_stale_temporaries(folder: Path, published_name: str) -> None:
    # Publishing holds the warehouse's lock, so any leftover temporary is from a publish that crashed.
    for stale in folder.glob(f"{published_name}{TMP_MARKER}*"):
        with contextlib.suppress(OSError):
            stale.unlink()


def publish_lock(build_path: Path, wait: bool | float) -> FileLock:
    """The build's lock, held by publish (raises a busy PublishError after waiting up to `wait`)."""
    lock = build_lock(build_path, purpose="publish")
    try:
        return lock.acquire(wait)
    except LockBusy as exc:
        raise PublishError(f"{exc}; {UNCHANGED}", busy=True) from exc


def publish(
    build_path: Path | str,
    published_path: Path | str | None = None,
    *,
    required: Sequence[str] = REQUIRED_RELATIONS,
    as_of: str | None = None,
    run_id: str | None = None,
    wait: bool | float = False,
) -> PublishResult:
    """Write what readers read (PUBLISHED_RELATIONS, and `required`) from the build file into a
    new, compact published file, atomically; raise PublishError (leaving the published file as it
    was) when the build cannot be published or lacks a `required` relation. as_of and run_id of the
    stamp default to those of the build (meta.build_runs). wait: how long to wait for a build
    holding the warehouse (False: fail at once with a busy PublishError; True: as long as it takes)."""
    started = time.perf_counter()
    build_path = Path(build_path).resolve()
    published_path = Path(published_path).resolve() if published_path else default_published_path(build_path)
    if build_path == published_path:
        raise PublishError("the published file must not be the build file")
    if not build_path.is_file():
        raise PublishError(f"no build file at {build_path}")
    lock = publish_lock(build_path, wait)
    try:
        return _publish_locked(build_path, published_path, required, as_of, run_id, started)
    finally:
        lock.release()


def _publish_locked(
    build_path: Path,
    published_path: Path,
    required: Sequence[str],
    as_of: str | None,
    run_id: str | None,
    started: float,
) -> PublishResult:
    folder = published_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(folder, published_path.name)
    tmp = folder / f"{published_path.name}{TMP_MARKER}{uuid.uuid4().hex[:12]}"

    try:
        # 1. fold the WAL into the file, so the bytes on disk are the whole database
        try:
            con = connect(build_path)
        except duckdb.Error as exc:
            raise PublishError(
                f"cannot open the build file {build_path} for a checkpoint: {exc}", transient=True
            ) from exc
        try:
            con.execute("force checkpoint")
        finally:
            con.close()
        if _wal(build_path).exists() and _wal(build_path).stat().st_size > 0:
            raise PublishError(
                f"{_wal(build_path)} is not empty after a checkpoint: a writer is active", transient=True
            )

        # 2. check the build, then copy what readers read under a shared (read-only) lock, recording
        # the counts the copy must have; 3. stamp the copy, in the same transaction
        published_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        con = duckdb.connect(str(build_path), read_only=True)
        try:
            duckdb_resources(build_path).apply(con)
            build = check_publishable(con, build_path)
            as_of = as_of or build["as_of"]
            run_id = run_id or build["run_id"]
            fingerprint = build["landing_fingerprint"]
            relations = _to_publish(con, required)
            expected = _row_counts(con, relations)
            con.execute(f"attach {_sql_text(str(tmp))} as {COPY_ALIAS} (read_write)")
            con.execute("begin transaction")
            _copy_relations(con, relations, COPY_ALIAS)
            con.execute(f"create schema if not exists {COPY_ALIAS}.meta")
            con.execute(
                f"create table {COPY_ALIAS}.{PUBLICATION} as select "
                "cast(? as timestamp) as published_at, cast(? as timestamp) as as_of, "
                "cast(? as varchar) as run_id, cast(? as varchar) as build_file, "
                "cast(? as varchar) as row_counts, cast(? as varchar) as landing_fingerprint",
                [
                    published_at.replace("+00:00", ""),
                    as_of,
                    run_id,
                    str(build_path),
                    json.dumps(expected, sort_keys=True),
                    fingerprint,
                ],
            )
            con.execute("commit")
            con.execute(f"checkpoint {COPY_ALIAS}")
            con.execute(f"detach {COPY_ALIAS}")
        finally:
            con.close()
        _wal(tmp).unlink(missing_ok=True)

        # 4. verify the copy as a reader will open it
        try:
            con = duckdb.connect(str(tmp), read_only=True)
        except duckdb.Error as exc:
            raise PublishError(f"the copy {tmp} does not open: {exc}") from exc
        try:
            held = _relations(con)
            got = _row_counts(con, relations) if held >= set(relations) else {}
            stamped = con.execute(f"select count(*) from {PUBLICATION}").fetchone()[0]
        finally:
            con.close()
        if held != {*relations, PUBLICATION}:
            raise PublishError(
                f"the copy holds {sorted(held)}, not the relations to publish {sorted({*relations, PUBLICATION})}"
            )
        if got != expected or stamped != 1:
            raise PublishError(f"the copy differs from the build: {got} != {expected}")

        # 5. make it durable and read-only, then swap it in
        _fsync_file(tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, published_path)
        _fsync_dir(folder)
        return PublishResult(
            path=published_path,
            published_at=published_at,
            bytes=published_path.stat().st_size,
            seconds=time.perf_counter() - started,
            row_counts=expected,
            run_id=run_id,
            as_of=as_of,
            landing_fingerprint=fingerprint,
        )
    except BaseException:
        for leftover in (tmp, _wal(tmp)):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.publish",
        description="Publish the built warehouse as an atomic, read-only, compact copy of what dashboards, "
        "the summary and exports read (the marts, the export model, the config and meta tables they read; "
        "no raw, staging or intermediate tables). Refuses unless the last build (meta.build_runs) succeeded "
        "and the raw tables are still the ones it read; holds the warehouse's lock while copying, so no "
        "build starts meanwhile.",
        epilog="exit codes: 0 published; 1 refused or failed (the published copy is unchanged); "
        f"{EXIT_BUSY} busy: a build or another publish holds the warehouse (see --wait)",
    )
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("LEAD_WAREHOUSE_PATH", "data/warehouse/build.duckdb"),
        help="the build's DuckDB file (default: $LEAD_WAREHOUSE_PATH or %(default)s)",
    )
    parser.add_argument(
        "--published",
        default=os.environ.get("LEAD_PUBLISHED_PATH"),
        help=f"where to publish (default: $LEAD_PUBLISHED_PATH or {PUBLISHED_NAME} beside the build file)",
    )
    add_wait_argument(parser)
    args = parser.parse_args(argv)
    try:
        result = publish(args.warehouse, args.published, wait=args.wait)
    except PublishError as exc:
        print(f"publish {'not started' if exc.busy else 'failed'}: {exc}", file=sys.stderr)
        return EXIT_BUSY if exc.transient else 1
    except duckdb.IOException as exc:
        print(f"publish failed: {args.warehouse} is in use by another process: {exc}", file=sys.stderr)
        return EXIT_BUSY
    print(
        f"published {result.path} ({result.bytes / 1e6:,.1f} MB) in {result.seconds:.1f}s: "
        f"run {result.run_id}, as of {result.as_of}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
