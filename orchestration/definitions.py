"""The Definitions of the lead warehouse code location (found by `dagster dev` through
[tool.dagster] in pyproject.toml)."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import incremental_state_matches_full_build, lead_warehouse_dbt
from orchestration.assets.exports import lead_scores_v1_files, lead_scores_v1_files_match_manifest
from orchestration.assets.ingest import RAW_KEYS, ingest_landing_asset, landing_freshness_check
from orchestration.assets.publish import published_warehouse
from orchestration.jobs import WAREHOUSE_JOBS
from orchestration.resources import default_resources, landing_max_age
from orchestration.schedules import SCHEDULES
from orchestration.sensors import landing_files_sensor


def build_definitions(resources: dict[str, object] | None = None) -> dg.Definitions:
    """Definitions with the resources from the environment, overridden by `resources` (tests)."""
    max_age = landing_max_age()
    # Freshness of the data is the asset check (the age of the newest landing file, evaluated by
    # each run that ingests). The policy covers runs that stop: Dagster's freshness daemon marks
    # raw/* failing when nothing loaded them for max_age.
    loaded_recently = dg.FreshnessPolicy.time_window(fail_window=max_age)
    ingest = dg.map_asset_specs(
        lambda spec: (
            spec.replace_attributes(freshness_policy=loaded_recently)
            if spec.key in RAW_KEYS.values()
            else spec
        ),
        [ingest_landing_asset],
    )
    return dg.Definitions(
        assets=[*ingest, lead_warehouse_dbt, lead_scores_v1_files, published_warehouse],
        asset_checks=[
            landing_freshness_check(max_age),
            lead_scores_v1_files_match_manifest,
            incremental_state_matches_full_build,
        ],
        jobs=list(WAREHOUSE_JOBS),
        schedules=list(SCHEDULES),
        sensors=[landing_files_sensor],
        resources={**default_resources(), **(resources or {})},
        # one step at a time in the run's process: the steps form a chain and dbt parallelizes itself
        executor=dg.in_process_executor,
    )


defs = build_definitions()
