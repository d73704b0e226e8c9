"""The tiny CRM's warehouse, built once per test run and shared by every pytest worker
(tests/builds.py, built_once).

Tried and dropped: starting this build in the background when the first worker has collected its
tests, so that no worker waits on the lock. With the slowest modules running beside it, five dbt
processes shared two cores and the run got slower (fresh clone `make test` 23 min vs 17 min)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from leadwarehouse.landing import write_landing
from tests.builds import build_fixture_warehouse, built_once, data_quality_warns
from tests.tiny_crm import AS_OF, tiny_crm_rows

TINY_BUILD = ["build", "--exclude", "resource_type:test"]


def build_tiny(folder: Path) -> Path:
    """The tiny CRM's warehouse in `folder` (models, seeds and dbt's unit tests). dbt's data tests
    run on the same CRM and as_of once, as the Dagster daily job's asset checks
    (tests/test_orchestration.py, which checks that every one of them ran)."""

    def build(warehouse: Path) -> None:
        landing = write_landing(folder / "landing", tiny_crm_rows())
        # TINY_BUILD_COMMAND=build adds every data test (as `make test` did before they moved)
        args = ["build"] if os.environ.get("TINY_BUILD_COMMAND") == "build" else TINY_BUILD
        with data_quality_warns():  # the tiny CRM quarantines rows on purpose
            build_fixture_warehouse(landing, warehouse, as_of=AS_OF, dbt_args=args, artifacts=True)
        # the semantic layer of the project just built, for MetricFlow (tests/test_semantic_layer.py):
        # dbt writes it into this process's target folder, which other pytest workers do not see
        shutil.copy(Path(os.environ["DBT_TARGET_PATH"]) / "semantic_manifest.json", folder)

    return built_once(folder, "tiny CRM fixture build", build)
