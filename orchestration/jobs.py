"""Jobs: the hourly scoring refresh and the daily full build."""

from __future__ import annotations

import dagster as dg

# The hourly refresh rebuilds every model, so that each publication is one consistent build
# (a dashboard comparing leads with the KPI ladder or the SLA marts never sees two different
# hours), and runs every dbt test except those of the intermediate models: they check the SQL
# logic, which does not change between two refreshes (the daily build and CI run them). Tests of
# the staged input (quarantine, raw = staged + quarantined), the marts, the seeds, the export
# model and the cross-mart reconciliations (tests/dbt) run hourly.
# The job selects every asset and check, and dbt leaves the intermediate tests out itself
# (`intermediate_tests: false`): a Dagster subset would reach dbt as ~900 `--select` names, whose
# matching cost dbt ~15 s per run on this project (measured with `dbt ls`: 22.3 s against 7.5 s),
# whatever the data's size.
hourly_scoring_refresh = dg.define_asset_job(
    name="hourly_scoring_refresh",
    selection=dg.AssetSelection.all(),
    config={"ops": {"lead_warehouse_dbt": {"config": {"intermediate_tests": False}}}},
    description="Ingest new or changed landing files, build every dbt model (staging, intermediate, marts and "
    "export tables; the score history only for changed leads: docs/incremental.md) and run their dbt tests "
    "except those of the intermediate models, write the reverse-ETL files, publish the read-only copy.",
    tags={"lead_warehouse/job_kind": "refresh"},
)

daily_full_build = dg.define_asset_job(
    name="daily_full_build",
    selection=dg.AssetSelection.all(),
    description="Ingest and `dbt build --full-refresh` everything (every model, seed, data and unit test), "
    "export, publish.",
    tags={"lead_warehouse/job_kind": "full_build"},
)

WAREHOUSE_JOBS = (hourly_scoring_refresh, daily_full_build)
