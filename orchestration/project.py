"""The dbt project as dagster-dbt sees it: the project folder, its profiles.yml and the target
path holding the manifest the dbt assets are built from.

Under `dagster dev` the code location parses the project when it loads
(`DbtProject.prepare_if_dev()`, a `dbt parse`), so model changes show on a reload. Everywhere else
(a deployed code server, `dagster definitions validate`, pytest) nothing is parsed on import: the
manifest of the last `dbt parse` is used, and it must exist (`.venv/bin/dbt parse`, or
`dagster-dbt project prepare-and-package --file orchestration/project.py` when packaging).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.constants import PROJECT_DIR

# the dbt next to this Python (a venv need not be activated), else the one on PATH
DBT_EXECUTABLE = (
    str(Path(sys.executable).with_name("dbt")) if Path(sys.executable).with_name("dbt").exists() else "dbt"
)

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    # the test suite keeps dbt artefacts apart with DBT_TARGET_PATH; dbt and dagster-dbt honour it
    target_path=Path(os.environ.get("DBT_TARGET_PATH", "target")),
)
# `dbt parse` under `dagster dev` only (dagster-dbt runs the `dbt` on PATH: `make dagster` puts
# the venv's first); a no-op everywhere else
dbt_project.prepare_if_dev()
