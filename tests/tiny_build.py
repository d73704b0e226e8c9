"""The tiny CRM's warehouse, built once per test run and shared by every pytest worker.

The first process that asks builds it under a file lock; the others wait for the lock and read
what it built. Under xdist, worker gw0 also starts that build in the background as soon as it has
collected tests that need it (conftest.pytest_collection_modifyitems): the slowest modules run
first, and without the head start the worker that reached a tiny-CRM test first built it while
the other one sat waiting on the lock (measured: 75 s of an idle core in a 15 min run).

`python -m tests.tiny_build FOLDER` is that background build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from leadwarehouse.landing import write_landing
from leadwarehouse.locking import FileLock
from tests.builds import build_fixture_warehouse
from tests.tiny_crm import AS_OF, tiny_crm_rows

PROJECT_DIR = Path(__file__).resolve().parent.parent


def build_tiny(folder: Path) -> Path:
    """The tiny CRM's warehouse in `folder`, built with every data and unit test unless a
    process built it before (the marker file `built` is written only after a build passed)."""
    from tests.conftest import data_quality_warns  # the tiny CRM quarantines rows on purpose

    folder.mkdir(parents=True, exist_ok=True)
    warehouse, built = folder / "build.duckdb", folder / "built"
    with FileLock(folder / "build.lock", purpose="tiny CRM fixture build").acquire(wait=True):
        if not built.exists():
            landing = write_landing(folder / "landing", tiny_crm_rows())
            # TINY_BUILD_COMMAND=run skips dbt's own tests while iterating on pytest assertions
            command = os.environ.get("TINY_BUILD_COMMAND", "build")
            with data_quality_warns():
                build_fixture_warehouse(landing, warehouse, as_of=AS_OF, command=command, unit_tests=True)
            built.touch()
    return warehouse


def start_in_background(folder: Path, drop_env: tuple[str, ...]) -> subprocess.Popen:
    """Start `python -m tests.tiny_build folder` with dbt's target and logs of its own and
    without the variables in drop_env; its output goes to folder/background.log. A build that
    fails there is built again by the first test that needs it, which then shows the error."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {name: value for name, value in os.environ.items() if name not in drop_env}
    env["DBT_TARGET_PATH"] = str(folder / "dbt" / "target")
    env["DBT_LOG_PATH"] = str(folder / "dbt" / "logs")
    env.setdefault("DBT_LOG_LEVEL_FILE", "warn")
    with open(folder / "background.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.tiny_build", str(folder)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


if __name__ == "__main__":
    build_tiny(Path(sys.argv[1]))
