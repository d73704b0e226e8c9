"""Ingest: check the landing folder against the input contract and load schema raw (one
transaction) into the DuckDB file of the warehouse resource; on a server engine, then put raw and
the build's record where dbt reads them (leadwarehouse/engines.py: copied to PostgreSQL, loaded
as Spark tables). A file that breaks the contract fails the run here, before dbt touches the
warehouse, naming the file and the column.

The step takes the warehouse's lock (a command line build or publish in progress makes it wait,
then retry) and records the run in meta.build_runs (a `running` row, then the landing
fingerprint). When the run's dbt step follows, the lock is kept for it: no other build can replace
raw between the two steps; the dbt step records the outcome and releases the lock."""

import contextlib
import re
import time
from datetime import timedelta

import dagster as dg

from leadwarehouse.build import (
    DEFAULT_AS_OF,
    describe_failure,
    finish_build_run,
    raw_schema,
    record_landing,
    start_build_run,
)
from leadwarehouse.contract import TABLES
from leadwarehouse.engines import load_raw
from leadwarehouse.ingest import ContractError, ingest_landing
from leadwarehouse.locking import LockBusy
from orchestration.constants import RAW_PREFIX, TRANSIENT_RETRY, WAREHOUSE_POOL
from orchestration.resources import LandingResource, WarehouseResource, lock_busy_failure

DBT_STEP = "lead_warehouse_dbt"

RAW_KEYS: dict[str, dg.AssetKey] = {name: dg.AssetKey([RAW_PREFIX, name]) for name in TABLES}


def dbt_step_follows(context: dg.AssetExecutionContext) -> bool:
    """Whether this run executes the dbt step after this one."""
    if not context.job_def.has_node_named(DBT_STEP):
        return False
    steps = context.run.step_keys_to_execute
    return steps is None or DBT_STEP in steps


def contract_breach_metadata(message: str) -> dict[str, str]:
    """The file and column a ContractError names (its message starts with the file path)."""
    facts = {"error": message}
    head = message.split(": ", 1)[0]
    if "/" in head or head.endswith((".parquet", ".csv")):
        facts["file"] = head
    column = re.search(r"column '([^']+)'", message)
    table = re.search(r"table '([^']+)'", message)
    if column:
        facts["column"] = column.group(1)
    if table:
        facts["table"] = table.group(1)
    return facts


@dg.multi_asset(
    name="ingest_landing",
    specs=[
        dg.AssetSpec(
            key,
            group_name="ingest",
            description=f"raw.{name}: the landing table `{name}` as delivered (every column as text, "
            "plus _source_file and _source_row), after the input contract check.",
            kinds={"duckdb", "python"},
        )
        for name, key in RAW_KEYS.items()
    ],
    pool=WAREHOUSE_POOL,
    retry_policy=TRANSIENT_RETRY,
)
def ingest_landing_asset(
    context: dg.AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
):
    """Load every landing table into schema raw of the build file (in demo mode, generate the
    landing files first)."""
    folder = landing.prepare(context.log)
    try:
        lock = warehouse.acquire_build_lock(context)
    except LockBusy as exc:
        raise lock_busy_failure(exc) from exc
    keep_lock = False
    try:
        counts = _ingest_recorded(context, folder, warehouse)
        keep_lock = dbt_step_follows(context)
        if not keep_lock:
            finish_build_run(
                warehouse.build_file,
                context.run_id,
                succeeded=False,
                message="raw was reloaded by a run without the dbt step: the marts are not rebuilt yet",
            )
    finally:
        if keep_lock:
            warehouse.keep_build_lock(context, lock)
        else:
            warehouse.release_build_lock(lock)
    newest = landing.newest_mtime()
    for name, key in RAW_KEYS.items():
        metadata: dict[str, object] = {
            "dagster/row_count": counts.get(name, 0),
            "landing_dir": dg.MetadataValue.path(str(folder)),
            "warehouse": dg.MetadataValue.path(str(warehouse.build_file)),
        }
        if newest is not None:
            # freshness is the age of the data delivered, not of the load
            metadata["dagster/last_updated_timestamp"] = dg.MetadataValue.timestamp(newest)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


def _ingest_recorded(
    context: dg.AssetExecutionContext, folder, warehouse: WarehouseResource
) -> dict[str, int]:
    """Record a running build (meta.build_runs), ingest, record the landing fingerprint; a failed
    ingest is recorded as failed."""
    as_of = warehouse.resolve_as_of(context) or DEFAULT_AS_OF
    start_build_run(warehouse.build_file, context.run_id, as_of)
    try:
        counts = ingest_landing(folder, warehouse.build_file, raw_schema(), batch_id=context.run_id)
        record_landing(warehouse.build_file, context.run_id)
        if warehouse.engine_name != "duckdb":  # raw (and the build's record) to the server dbt builds on
            started = time.perf_counter()
            load_raw(warehouse.engine_name, warehouse.build_file)
            context.log.info(
                f"raw loaded into {warehouse.engine_name} in {time.perf_counter() - started:.1f}s"
            )
        return counts
    except BaseException as exc:
        with contextlib.suppress(Exception):  # best effort: else the row stays 'running'
            finish_build_run(
                warehouse.build_file, context.run_id, succeeded=False, message=describe_failure(exc)
            )
        _raise_as_failure(exc, folder)
        raise


def _raise_as_failure(exc: BaseException, folder) -> None:
    """A contract breach becomes a final dg.Failure naming the file and the column; other errors
    (e.g. another process holds DuckDB's file lock: transient) keep their type for the retry policy."""
    if isinstance(exc, ContractError):
        facts = contract_breach_metadata(str(exc))
        where = f"{facts.get('file', folder)}" + (
            f", column '{facts['column']}'" if "column" in facts else ""
        )
        raise dg.Failure(
            description=f"The landing folder breaks the input contract ({where}): {exc}. "
            "Nothing was loaded; the warehouse and its published copy are unchanged.",
            metadata={**facts, "landing_dir": str(folder)},
            allow_retries=False,
        ) from exc


LANDING_FRESH_CHECK = "landing_files_fresh"


def landing_freshness_check(max_age: timedelta) -> dg.AssetChecksDefinition:
    """Warn when the newest landing file is older than max_age: the data's age, not the load's
    (every run that ingests evaluates it). A Dagster FreshnessPolicy cannot say this: it measures
    the time since an asset's last materialization, and raw/* is reloaded every hour whatever the
    age of the files (definitions.py gives raw/* one too, for runs that stop)."""

    @dg.multi_asset_check(
        name=LANDING_FRESH_CHECK,
        specs=[
            dg.AssetCheckSpec(
                LANDING_FRESH_CHECK,
                asset=key,
                description=f"The newest landing file is at most {max_age} old.",
            )
            for key in RAW_KEYS.values()
        ],
    )
    def landing_files_fresh(landing: LandingResource):
        newest = landing.newest_mtime()
        age = None if newest is None else timedelta(seconds=max(0.0, time.time() - newest))
        metadata = {"max_age_hours": max_age.total_seconds() / 3600}
        if newest is not None:
            metadata["newest_file_at"] = dg.MetadataValue.timestamp(newest)
            metadata["age_hours"] = round(age.total_seconds() / 3600, 2)
        for key in RAW_KEYS.values():
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=LANDING_FRESH_CHECK,
                passed=age is not None and age <= max_age,
                severity=dg.AssetCheckSeverity.WARN,
                metadata=metadata,
                description=f"no landing files in {landing.folder}" if age is None else None,
            )

    return landing_files_fresh
