"""Names shared by the assets, jobs, schedules and sensors."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The build file when LEAD_WAREHOUSE_PATH is unset (relative to the project; profiles.yml has the same)
DEFAULT_BUILD_PATH = "data/warehouse/build.duckdb"

# Every asset that writes (or must read a quiet) build file is in this concurrency pool. The
# instance config (orchestration/dagster.yaml, copied into DAGSTER_HOME by `make dagster`) sets
# pool granularity to "run" with a default limit of 1: at most one run that touches the
# warehouse is in progress at a time; others wait in the run queue. That covers scheduled,
# sensor-started and ad-hoc UI runs alike (tag-based run limits would miss ad-hoc runs).
WAREHOUSE_POOL = "lead_warehouse"

# Run tags
SCHEDULED_AT_TAG = "lead_warehouse/scheduled_at"  # set by schedules and sensors: the tick's time
AS_OF_TAG = "lead_warehouse/as_of"  # recorded on the run: the as_of the build used
WAREHOUSE_TAG = "lead_warehouse/warehouse"  # the build file a job writes (for filtering runs)

# Retries are for transient failures only (a DuckDB file lock held by another process, a
# hiccup of the filesystem); contract breaches, SQL errors and failing dbt tests raise
# dg.Failure(allow_retries=False) and fail at once.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

# Asset key prefixes (the schema the asset lives in)
RAW_PREFIX = "raw"
EXPORTS_PREFIX = "exports"

DAILY_BUILD_HOUR_UTC = 2
