"""The dbt project as dagster-dbt sees it: the project folder, its profiles.yml and the target
path holding the manifest the dbt assets are built from.

Under `dagster dev` the code location parses the project when it loads
(`DbtProject.prepare_if_dev()`, a `dbt parse`), so model changes show on a reload. Everywhere else
(a deployed code server, `dagster definitions validate`, pytest) nothing is parsed on import: the
manifest of the last `dbt parse` is used, and it must exist (`.venv/bin/dbt parse`, or
`dagster-dbt project prepare-and-package --file orchestration/project.py` when packaging).
"""

from __future__ import annotations

import importlib.metadata
import os
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from leadwarehouse import dbt_logging
from orchestration.constants import PROJECT_DIR

# the dbt next to this Python (a venv need not be activated), as `lead-dbt` (dbt's command line,
# logging only the lines it keeps: leadwarehouse/dbt_logging.py), else the one on PATH
DBT_EXECUTABLE = dbt_logging.executable()


class LocalDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, told the version of the dbt beside this Python instead of
    asking it: dagster-dbt runs `dbt --version` before every dbt command (to tell dbt-core from the
    Fusion engine), a Python start of 3.7 s on a quiet machine and 6-8 s under load. Another dbt
    executable is still asked."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if self.dbt_executable != DBT_EXECUTABLE or DBT_EXECUTABLE == "dbt":
            return DbtCliResource._cli_version.func(self)
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """No dbt adapter in the Dagster process. dagster-dbt builds one before every dbt command
        (loading the project's profile and its ~700 macros: ~1.2 s of CPU here) only for
        `fetch_column_metadata` and `fetch_row_counts`, which this project does not call; without
        it they add nothing to an event, as dagster-dbt does when the adapter cannot be built."""
        return None


dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    # the test suite keeps dbt artefacts apart with DBT_TARGET_PATH; dbt and dagster-dbt honour it
    target_path=Path(os.environ.get("DBT_TARGET_PATH", "target")),
)
# `dbt parse` under `dagster dev` only (dagster-dbt runs the `dbt` on PATH: `make dagster` puts
# the venv's first); a no-op everywhere else
dbt_project.prepare_if_dev()
