"""Shared fixtures: a tiny hand-made CRM built once per test session into a temporary DuckDB."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.dbt_in_process import in_this_process
from leadwarehouse.environment import environment_with
from leadwarehouse.landing import write_landing
from tests.tiny_build import build_tiny
from tests.tiny_crm import tiny_crm_rows

PROJECT_DIR = Path(__file__).resolve().parent.parent


# `make test` exports the demo's paths (Makefile); a test names its own files, so none of these
# may leak into the commands tests start (a publish would otherwise write the demo's copy).
MAKEFILE_PATH_VARIABLES = (
    "LEAD_WAREHOUSE_PATH",
    "LEAD_PUBLISHED_PATH",
    "LEAD_LANDING_DIR",
    "LEAD_EXPORTS_DIR",
    "LEAD_AS_OF",
    "LEAD_SOURCE_SHAPE",
)


@pytest.fixture(scope="session", autouse=True)
def without_demo_paths():
    with environment_with(dict.fromkeys(MAKEFILE_PATH_VARIABLES)):
        yield


@pytest.fixture(scope="session", autouse=True)
def isolated_dbt_artifacts(tmp_path_factory):
    """Keep dbt's target/ and logs/ of the test run apart from a developer's own builds."""
    base = tmp_path_factory.mktemp("dbt")
    with environment_with({"DBT_TARGET_PATH": str(base / "target"), "DBT_LOG_PATH": str(base / "logs")}):
        yield


@pytest.fixture(scope="session", autouse=True)
def lean_dbt_log():
    """dbt.log keeps warnings and errors, not every statement at debug level: the fixtures' data
    are tiny, so a dbt node costs its Python, and the debug log is a quarter of it (measured on
    the tiny CRM's `dbt build`, one dbt thread: 105 s with the debug log, 80 s without)."""
    with environment_with({"DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "warn")}):
        yield


@pytest.fixture(scope="session", autouse=True)
def one_thread_per_build():
    """dbt and DuckDB on one thread each (DBT_THREADS, DUCKDB_THREADS; set before any dbt command,
    so every one of them keeps the same parsed project): `make test` runs a pytest worker per core
    already, and on the fixtures' small data a second thread only costs switching. Measured, the
    tiny CRM's models-only build, warm, one run each: 19 s of CPU with two threads, 15 s with one."""
    with environment_with({name: os.environ.get(name, "1") for name in ("DBT_THREADS", "DUCKDB_THREADS")}):
        yield


@pytest.fixture(scope="session", autouse=True)
def dbt_in_this_process():
    """The tests' dbt commands run inside the pytest process (leadwarehouse/dbt_in_process.py): a
    dbt child process spends ~4 s importing dbt and loading the project before its first node, and
    the suite runs dozens. Only this (main) thread's: builds a test starts in other threads, and
    every build started from the command line or by Dagster's dbt asset, keep their child process."""
    with in_this_process():
        yield


@pytest.fixture(scope="module", autouse=True)
def garbage_collected_after_each_module():
    """What a module leaves behind is finalized when it ends (after its module fixtures), not at
    a random later moment of another module. Dagster's ephemeral instances leave SQLite connections
    whose finalizers log an error with its traceback; Python 3.11's traceback formatting parses
    source, and a collection that runs those finalizers in the middle of another parse (a page
    script compiled by Streamlit's AppTest) fails that parse with "SystemError: AST constructor
    recursion depth mismatch" (seen once in the AppTest module of a `make test` run)."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    return write_landing(tmp_path_factory.mktemp("tiny_landing"), tiny_crm_rows())


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id) -> Path:
    """A folder every pytest worker of this run sees (xdist: the run's base folder)."""
    if worker_id == "master":
        return tmp_path_factory.mktemp("shared")
    shared = tmp_path_factory.getbasetemp().parent / "shared"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def tiny_warehouse(shared_dir) -> Path:
    """The tiny CRM built once per test run with dbt's unit tests (tests/tiny_build.py)."""
    return build_tiny(shared_dir / "tiny")


@pytest.fixture
def query(tiny_warehouse):
    """Run a query against the tiny warehouse (read-only) and return the rows."""

    def run(sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(tiny_warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run


# The slowest units of work first, longest first (CPU seconds of a fresh-clone `make test`):
# with one pytest worker per core (`make test`: pytest -n auto --dist loadfile) a long module
# started last leaves the other core idle at the end. xdist would order them by their number of
# tests instead: pytest_xdist_make_scheduler keeps this order.
SLOWEST_MODULES = (
    "test_engine_parity_spark.py",  # ~260 s alone (one build of both CRMs since session 22; was ~400 s)
    "test_orchestration.py",  # with test_publish.py and test_build_lock.py (SHARED_SCOPES): ~290 s
    "test_publish.py",
    "test_build_lock.py",
    "test_engine_parity.py",  # ~81 s alone (the incremental rerun compared on the server since session 23)
    "test_source_shapes.py",  # ~125 s
    "test_incremental_build.py",  # ~75 s
    "test_dashboards_apptest.py",  # ~70 s
    "test_input_parsing_faults.py",  # ~45 s
    "test_scoring_matches_oracle.py",
    "test_demo_scale.py",
    "test_dashboards_browser.py",
    "test_determinism.py",
)


# Modules that `--dist loadfile` hands to one pytest worker as one unit, run one after the other:
# the modules that test the pipeline at a build path of its own (Dagster runs, publish, the build
# lock) share that path and its dbt target folder (pipeline_dir), so only the first of them parses
# the whole project; the others' dbt commands reuse its partial parse (~15-18 s of CPU each).
SHARED_SCOPES = {
    "test_publish.py": "tests/test_orchestration.py",
    "test_build_lock.py": "tests/test_orchestration.py",
    "test_orchestration_postgres.py": "tests/test_orchestration.py",
}


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    # units in collection order (SLOWEST_MODULES first), not xdist's most-tests-first
    config.option.loadscopereorder = False

    class LoadFileSharingScopes(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return SHARED_SCOPES.get(Path(module).name, module)

    return LoadFileSharingScopes(config, log)


@pytest.fixture(scope="session")
def pipeline_dir(tmp_path_factory) -> Path:
    """This test process's folder for the SHARED_SCOPES modules: `warehouse/` (the build and its
    published copy; each module starts it afresh: tests/builds.py, pipeline_warehouse) and
    `dbt-target/` (the parsed project their dbt commands reuse)."""
    return tmp_path_factory.mktemp("pipeline")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
