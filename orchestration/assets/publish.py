"""Publish: after a successful build whose blocking checks passed, switch readers to it atomically.
On DuckDB an atomic read-only copy of the build file for dashboards (leadwarehouse/publish.py); on
PostgreSQL a snapshot schema and views switched in one transaction, on Spark a snapshot database and views
(leadwarehouse/publish_server.py). Publish refuses unless the newest meta.build_runs row (this
run's, written by the dbt step) succeeded and raw is still what that build read; it holds the
warehouse's lock meanwhile. The publication stamp names the build's run id and as_of."""

import dagster as dg

from leadwarehouse.engines import publish_on_engine
from leadwarehouse.publish import PublishError
from orchestration.assets.dbt import dbt_keys
from orchestration.assets.exports import LEAD_SCORES_FILES_KEY
from orchestration.constants import EXPORTS_PREFIX, TRANSIENT_RETRY, WAREHOUSE_POOL
from orchestration.resources import WarehouseResource

PUBLISHED_KEY = dg.AssetKey(["warehouse", "published"])


def failed_blocking_checks(context: dg.AssetExecutionContext) -> list[str]:
    """Asset checks of this run that failed with error severity (dbt tests of severity error,
    the export file check)."""
    records = context.instance.get_records_for_run(
        context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failed = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(evaluation.asset_check_key.to_user_string())
    return sorted(failed)


@dg.asset(
    key=PUBLISHED_KEY,
    deps=[*dbt_keys("marts", EXPORTS_PREFIX), LEAD_SCORES_FILES_KEY],
    group_name="publish",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="What readers read, switched in atomically only after a successful build with passing "
    "checks (a failed run leaves the last good one): data/warehouse/published.duckdb on DuckDB, the "
    "schema `published` on PostgreSQL and Spark.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    failed = failed_blocking_checks(context)
    if failed:
        raise dg.Failure(
            description=f"not publishing: {len(failed)} blocking checks failed in this run: {', '.join(failed[:20])}",
            metadata={"failed_checks": dg.MetadataValue.json(failed)},
            allow_retries=False,
        )
    try:
        result = publish_on_engine(
            warehouse.engine_name,
            warehouse.build_file,
            warehouse.published_file,
            wait=warehouse.lock_wait_seconds or False,
            schema=warehouse.published_schema,
            reader_roles=warehouse.reader_role_names,
        )
    except PublishError as exc:
        raise dg.Failure(
            description=f"publish failed, the last good publication stays: {exc}", allow_retries=exc.transient
        ) from exc
    size = f" ({result['bytes'] / 1e6:,.1f} MB)" if "bytes" in result else ""
    context.log.info(
        f"published {result['location']}{size} on {result['engine']} in {result['seconds']:.2f}s: "
        f"build run {result['run_id']}, as of {result['as_of']}"
    )
    metadata = {
        "engine": result["engine"],
        "location": str(result["location"]),
        "published_at": str(result["published_at"]),
        "seconds": result["seconds"],
        "row_counts": dg.MetadataValue.json(result["row_counts"]),
        "build_run_id": str(result["run_id"]),
        "as_of": str(result["as_of"]),
    }
    if "bytes" in result:
        metadata |= {"path": dg.MetadataValue.path(str(result["location"])), "bytes": result["bytes"]}
    return dg.MaterializeResult(metadata=metadata)
