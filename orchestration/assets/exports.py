"""Reverse-ETL export files of the contracted export model (leadwarehouse/exports.py), read from
the engine the build ran on (leadwarehouse/engines.py: the build file, the PostgreSQL server, or a
Parquet unload of the Spark table)."""

import json
from pathlib import Path

import dagster as dg

from leadwarehouse.engines import export_source
from leadwarehouse.exports import LEAD_SCORES_V1, ExportError, verify_run, write_export
from orchestration.assets.dbt import EXPORT_MODEL_KEY
from orchestration.constants import EXPORTS_PREFIX, TRANSIENT_RETRY, WAREHOUSE_POOL
from orchestration.resources import WarehouseResource

LEAD_SCORES_FILES_KEY = dg.AssetKey([EXPORTS_PREFIX, f"{LEAD_SCORES_V1.label}_files"])


@dg.asset(
    key=LEAD_SCORES_FILES_KEY,
    deps=[EXPORT_MODEL_KEY],
    group_name="exports",
    kinds={"parquet", "csv"},
    pool=WAREHOUSE_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Files for the CRM sync: the full export, the change file (insert / update / delete since "
    "the last successful export) as Parquet and CSV, and a manifest with row counts and sha256 checksums.",
)
def lead_scores_v1_files(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    try:
        with export_source(
            warehouse.engine_name, warehouse.build_file, LEAD_SCORES_V1.relation, context.run_id
        ) as source:
            manifest = write_export(
                source,
                warehouse.exports_folder,
                run_id=context.run_id,
                as_of=warehouse.resolve_as_of(context),
            )
    except ExportError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    counts = manifest["row_counts"]
    context.log.info(
        f"exported {counts['full']:,} rows: {counts['inserted']:,} inserted, {counts['updated']:,} updated, "
        f"{counts['deleted']:,} deleted → {manifest['run_dir']}"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["full"],
            **{f"rows_{name}": n for name, n in counts.items() if name != "full"},
            "run_dir": dg.MetadataValue.path(manifest["run_dir"]),
            "sequence": manifest["sequence"],
            "as_of": str(manifest["as_of"]),
            "files": dg.MetadataValue.json(manifest["files"]),
        }
    )


@dg.asset_check(asset=LEAD_SCORES_FILES_KEY, blocking=True, description="The files match their manifest.")
def lead_scores_v1_files_match_manifest(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    latest = warehouse.exports_folder / LEAD_SCORES_V1.label / "latest.json"
    if not latest.is_file():
        return dg.AssetCheckResult(passed=False, description=f"{latest} does not exist")
    manifest = json.loads(latest.read_text())
    run_dir = Path(latest.parent, manifest["run_dir"])
    mismatched = verify_run(run_dir)
    counts = manifest["row_counts"]
    files = manifest["files"]
    label = LEAD_SCORES_V1.label
    consistent = (
        files[f"{label}.parquet"]["rows"] == files[f"{label}.csv"]["rows"] == counts["full"]
        and files[f"{label}_changes.parquet"]["rows"]
        == counts["inserted"] + counts["updated"] + counts["deleted"]
    )
    return dg.AssetCheckResult(
        passed=not mismatched and consistent,
        metadata={"run_dir": str(run_dir), "checksum_mismatches": dg.MetadataValue.json(mismatched)},
    )
