"""Ingest: check the landing folder against the input contract and load schema raw (one
transaction). A file that breaks the contract fails the run here, before dbt touches the
warehouse, naming the file and the column."""

import re
from datetime import timedelta

import dagster as dg
import duckdb

from leadwarehouse.contract import TABLES
from leadwarehouse.ingest import ContractError, ingest_landing
from orchestration.constants import RAW_PREFIX, TRANSIENT_RETRY, WAREHOUSE_POOL
from orchestration.resources import LandingResource, WarehouseResource

RAW_KEYS: dict[str, dg.AssetKey] = {name: dg.AssetKey([RAW_PREFIX, name]) for name in TABLES}


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
        counts = ingest_landing(folder, warehouse.build_file)
    except ContractError as exc:
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
    except duckdb.IOException:
        raise  # e.g. another process holds the file lock: transient, the retry policy applies
    newest = landing.newest_mtime()
    for name, key in RAW_KEYS.items():
        metadata: dict[str, object] = {
            "dagster/row_count": counts[name],
            "landing_dir": dg.MetadataValue.path(str(folder)),
            "warehouse": dg.MetadataValue.path(str(warehouse.build_file)),
        }
        if newest is not None:
            # freshness is the age of the data delivered, not of the load
            metadata["dagster/last_updated_timestamp"] = dg.MetadataValue.timestamp(newest)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


def landing_freshness_checks(max_age: timedelta) -> list[dg.AssetChecksDefinition]:
    """Warn when the newest landing file is older than max_age (checked after each ingest and
    by the freshness sensor)."""
    return list(
        dg.build_last_update_freshness_checks(
            assets=list(RAW_KEYS.values()),
            lower_bound_delta=max_age,
            severity=dg.AssetCheckSeverity.WARN,
        )
    )
