"""Resources: where the landing files are, which engine builds, which file the ingest writes, where
readers and exports find the result.

Defaults come from the environment (the same variables the command line tools read):

=======================  ============================================================
LEAD_LANDING_DIR         landing folder (default data/landing/leads-20000-seed-42)
LEAD_DEMO_LEADS          > 0: demo mode, generate that many synthetic leads into the
                         landing folder first (once per leads/seed), LEAD_DEMO_SEED
LEAD_WAREHOUSE_TARGET    the engine dbt builds on: duckdb (default), postgres or spark (the
                         profiles.yml output; the server from the LEAD_PG_* / LEAD_SPARK_*
                         variables, README "Outgrowing one machine")
LEAD_WAREHOUSE_PATH      the DuckDB file the ingest writes: the build file on duckdb (default
                         data/warehouse/build.duckdb), the staging file of raw and the build's
                         record on a server engine (default data/warehouse/<engine>-ingest.duckdb)
LEAD_PUBLISHED_PATH      duckdb: the readers' copy (default published.duckdb beside the build file)
LEAD_PUBLISHED_SCHEMA    postgres, spark: the schema readers read (default published)
LEAD_PG_READER_ROLES     postgres: roles granted usage and select on it (comma-separated)
LEAD_EXPORTS_DIR         reverse-ETL export folder (default data/exports)
LEAD_AS_OF               the build's "now": a timestamp pins it; ``now`` uses the tick time
                         of the schedule / sensor (else the run's creation time); unset: the
                         dbt default (2026-11-01, the demo data's now)
LEAD_LANDING_MAX_AGE_HOURS  freshness of the landing files (default 26)
LEAD_LOCK_WAIT_SECONDS   how long a step waits for the warehouse's lock held by another
                         process (a build or publish from the command line; default 600)
=======================  ============================================================

The resources only read this process's environment. The dbt step hands the resource's build file
and the run's as_of to its dbt command (orchestration/assets/dbt.py, dbt_target_args): the file
with a copied profile, the as_of in the environment dbt is started with (set only while
dagster-dbt starts it, `started_with`).

The warehouse's lock (leadwarehouse/locking.py, ``build.duckdb.lock``) keeps command line builds
and Dagster runs from overlapping: the ingest step takes it and, when the run's dbt step follows
in the same process (the in-process executor), keeps it for that step, which releases it when dbt
ends; publish takes it while copying. Between runs Dagster's run-level pool serializes runs.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
from pydantic import Field

from leadwarehouse.engines import check_engine, default_build_path
from leadwarehouse.locking import FileLock, LockBusy, build_lock
from leadwarehouse.publish_server import role_names
from orchestration.constants import AS_OF_TAG, PROJECT_DIR, SCHEDULED_AT_TAG

IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")

# build file → (run id, lock) kept by a run's ingest step for its dbt step (same process)
_KEPT_BUILD_LOCKS: dict[str, tuple[str, FileLock]] = {}


def lock_busy_failure(exc: LockBusy) -> dg.Failure:
    """A step that could not get the warehouse's lock: retryable (the holder will finish)."""
    return dg.Failure(
        description=f"the warehouse is busy: {exc}. The step is retried by its retry policy.",
        metadata={"holder": dg.MetadataValue.json(exc.holder)},
        allow_retries=True,
    )


def _project_path(value: str | os.PathLike) -> str:
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (PROJECT_DIR / path))


def format_as_of(moment: datetime) -> str:
    """A tick or run time as the build's as_of: UTC, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")


class WarehouseResource(dg.ConfigurableResource):
    """The engine, the DuckDB file the ingest writes, what readers read, and the export folder."""

    build_path: str = Field(
        description="DuckDB file the ingest writes: the build file on duckdb, the staging file of raw "
        "(and the build's record and lock) on a server engine."
    )
    engine: str = Field(
        default="duckdb",
        description="Where dbt builds: duckdb, postgres or spark (the profiles.yml output; the server "
        "from the LEAD_PG_* / LEAD_SPARK_* variables).",
    )
    published_schema: str = Field(
        default="published", description="postgres, spark: the schema (database) readers read."
    )
    reader_roles: str = Field(
        default="",
        description="postgres: roles granted usage and select on the published schema (comma-separated).",
    )
    published_path: str = Field(
        default="", description="Read-only copy for readers; default published.duckdb beside build_path."
    )
    exports_dir: str = Field(default="", description="Reverse-ETL export folder; default data/exports.")
    as_of: str = Field(
        default="",
        description="The build's 'now': a timestamp pins it, 'now' uses the tick/run time, empty uses the dbt default.",
    )
    lock_wait_seconds: float = Field(
        default=600.0,
        description="How long a step waits for the warehouse's lock held by another process (a command "
        "line build or publish) before failing; the retry policy then applies.",
    )

    @property
    def build_file(self) -> Path:
        return Path(_project_path(self.build_path))

    @property
    def engine_name(self) -> str:
        return check_engine(self.engine)

    @property
    def reader_role_names(self) -> list[str]:
        return role_names(self.reader_roles)

    @property
    def published_file(self) -> Path:
        if self.published_path:
            return Path(_project_path(self.published_path))
        return self.build_file.with_name("published.duckdb")

    @property
    def exports_folder(self) -> Path:
        return Path(_project_path(self.exports_dir or "data/exports"))

    def resolve_as_of(self, context: dg.AssetExecutionContext | dg.OpExecutionContext) -> str | None:
        """The as_of of this run (the same for every step of the run, and for its re-executions)."""
        pinned = self.as_of.strip()
        if not pinned:
            return None
        if pinned.lower() not in ("now", "clock"):
            return pinned
        tags = context.run.tags
        if tags.get(AS_OF_TAG):
            return tags[AS_OF_TAG]
        if tags.get(SCHEDULED_AT_TAG):
            as_of = tags[SCHEDULED_AT_TAG]
        else:
            record = context.instance.get_run_record_by_id(context.run_id)
            created = record.create_timestamp if record else datetime.now(UTC)
            as_of = format_as_of(created)
        with contextlib.suppress(Exception):  # recording it on the run is a convenience
            context.instance.add_run_tags(context.run_id, {AS_OF_TAG: as_of})
        return as_of

    def acquire_build_lock(self, context: dg.AssetExecutionContext | dg.OpExecutionContext) -> FileLock:
        """The warehouse's lock for a step of this run: the one this run's ingest step kept, else a
        fresh one (waiting up to lock_wait_seconds). Raises LockBusy."""
        key = str(self.build_file)
        kept = _KEPT_BUILD_LOCKS.pop(key, None)
        if kept is not None:
            kept_run, lock = kept
            if kept_run == context.run_id and lock.held:
                return lock
            lock.release()  # left by an earlier run of this process whose dbt step never ran
        lock = build_lock(
            self.build_file,
            command=f"dagster run {context.run_id} ({context.job_name}, step {context.op.name})",
        )
        return lock.acquire(self.lock_wait_seconds or False)

    def keep_build_lock(
        self, context: dg.AssetExecutionContext | dg.OpExecutionContext, lock: FileLock
    ) -> None:
        """Keep the lock held for a later step of this run (released by release_build_lock)."""
        _KEPT_BUILD_LOCKS[str(self.build_file)] = (context.run_id, lock)

    def release_build_lock(self, lock: FileLock) -> None:
        kept = _KEPT_BUILD_LOCKS.get(str(self.build_file))
        if kept is not None and kept[1] is lock:
            del _KEPT_BUILD_LOCKS[str(self.build_file)]
        lock.release()


class LandingResource(dg.ConfigurableResource):
    """The landing folder (what an EL tool or CRM export drops), optionally filled by the generator."""

    landing_dir: str = Field(description="Folder with one file (or folder of parts) per contract table.")
    demo_leads: int = Field(
        default=0, description="> 0: demo mode, generate this many synthetic leads first."
    )
    demo_seed: int = Field(default=42, description="Seed of the demo data.")
    settle_seconds: int = Field(
        default=30,
        description="The sensor waits until no file changed for this long (a delivery in progress).",
    )

    @property
    def folder(self) -> Path:
        return Path(_project_path(self.landing_dir))

    @property
    def is_demo(self) -> bool:
        return self.demo_leads > 0

    def prepare(self, log=None) -> Path:
        """In demo mode, run the synthetic generator unless the folder already holds its output
        for the same leads and seed. Returns the landing folder."""
        folder = self.folder
        if not self.is_demo:
            return folder
        manifest = folder / "_manifest.json"
        if manifest.is_file():
            with contextlib.suppress(ValueError, OSError):
                found = json.loads(manifest.read_text())
                if found.get("leads") == self.demo_leads and found.get("seed") == self.demo_seed:
                    return folder
        if not manifest.is_file() and self.files():
            # files without the generator's manifest are someone's real delivery: never overwrite them
            if log:
                log.warning(
                    f"demo mode, but {folder} holds files the generator did not write: loading them as they are"
                )
            return folder
        from leadwarehouse.generator import generate

        if log:
            log.info(f"demo mode: generating {self.demo_leads:,} leads (seed {self.demo_seed}) into {folder}")
        generate(folder, self.demo_leads, seed=self.demo_seed)
        return folder

    def files(self) -> list[tuple[str, int, int]]:
        """(relative name, size, mtime in ns) of every delivered file, in name order. Hidden files
        (., _ prefixes, e.g. the generator's _manifest.json) and partial downloads are skipped."""
        folder = self.folder
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if any(part.startswith((".", "_")) for part in rel.parts) or path.name.endswith(IGNORED_SUFFIXES):
                continue
            if path.is_file():
                stat = path.stat()
                found.append((rel.as_posix(), stat.st_size, stat.st_mtime_ns))
        return found

    def newest_mtime(self) -> float | None:
        files = self.files()
        return max(mtime for _, _, mtime in files) / 1e9 if files else None


def landing_max_age() -> timedelta:
    """How old the newest landing file may be before the freshness check warns."""
    return timedelta(hours=float(os.environ.get("LEAD_LANDING_MAX_AGE_HOURS", "26") or 26))


def default_resources() -> dict[str, object]:
    """Resources from the environment (see the module docstring)."""
    from orchestration.project import DBT_EXECUTABLE, LocalDbtCliResource, dbt_project

    env = os.environ
    engine = check_engine(env.get("LEAD_WAREHOUSE_TARGET", "duckdb"))
    return {
        "warehouse": WarehouseResource(
            build_path=env.get("LEAD_WAREHOUSE_PATH") or default_build_path(engine),
            engine=engine,
            published_path=env.get("LEAD_PUBLISHED_PATH", ""),
            published_schema=env.get("LEAD_PUBLISHED_SCHEMA") or "published",
            reader_roles=env.get("LEAD_PG_READER_ROLES", ""),
            exports_dir=env.get("LEAD_EXPORTS_DIR", ""),
            as_of=env.get("LEAD_AS_OF", ""),
            lock_wait_seconds=float(env.get("LEAD_LOCK_WAIT_SECONDS", "600") or 600),
        ),
        "landing": LandingResource(
            landing_dir=env.get("LEAD_LANDING_DIR", "data/landing/leads-20000-seed-42"),
            demo_leads=int(env.get("LEAD_DEMO_LEADS", "0") or 0),
            demo_seed=int(env.get("LEAD_DEMO_SEED", "42") or 42),
        ),
        "dbt": LocalDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    }
