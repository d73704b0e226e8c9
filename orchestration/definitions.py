"""The Definitions of the lead warehouse code location (found by `dagster dev` through
[tool.dagster] in pyproject.toml)."""

from __future__ import annotations

import os
from datetime import timedelta

import dagster as dg

from orchestration.assets.dbt import lead_warehouse_dbt
from orchestration.assets.exports import lead_scores_v1_files, lead_scores_v1_files_match_manifest
from orchestration.assets.ingest import ingest_landing_asset, landing_freshness_checks
from orchestration.assets.publish import published_warehouse
from orchestration.jobs import WAREHOUSE_JOBS
from orchestration.resources import default_resources
from orchestration.schedules import SCHEDULES
from orchestration.sensors import landing_files_sensor


def build_definitions(resources: dict[str, object] | None = None) -> dg.Definitions:
    """Definitions with the resources from the environment, overridden by `resources` (tests)."""
    freshness_checks = landing_freshness_checks(
        timedelta(hours=float(os.environ.get("LEAD_LANDING_MAX_AGE_HOURS", "26")))
    )
    return dg.Definitions(
        assets=[ingest_landing_asset, lead_warehouse_dbt, lead_scores_v1_files, published_warehouse],
        asset_checks=[*freshness_checks, lead_scores_v1_files_match_manifest],
        jobs=list(WAREHOUSE_JOBS),
        schedules=list(SCHEDULES),
        sensors=[
            landing_files_sensor,
            dg.build_sensor_for_freshness_checks(
                freshness_checks=freshness_checks,
                name="landing_freshness_sensor",
                minimum_interval_seconds=600,
            ),
        ],
        resources={**default_resources(), **(resources or {})},
        # one step at a time in the run's process: the steps form a chain and dbt parallelizes itself
        executor=dg.in_process_executor,
    )


defs = build_definitions()
