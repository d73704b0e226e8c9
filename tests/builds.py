"""Build a fixture's warehouse so that dbt re-parses only what changed.

dbt keeps a parsed project in ``target/partial_parse.msgpack`` and reuses it only while the
profile's connection settings are unchanged; the DuckDB file's path is one of them. A fixture that
builds into its own file therefore made dbt parse the whole project again (measured: 23 s instead
of 9 s per invocation on a quiet machine, 4x under load). Here every fixture build runs at one fixed
path per test process (a session's dbt target folder is its own, conftest.py) and the finished
file is then moved to where the fixture wants it. A DuckDB file holds only tables (no view names
a catalog), so a moved file reads the same, exactly as publish's copy does.

Tests of the build itself (locks, signals, the command line) build at their own paths on purpose.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from leadwarehouse.build import BuildResult, dbt_build_args, run_build, run_dbt
from leadwarehouse.environment import environment_with
from leadwarehouse.locking import FileLock


@contextlib.contextmanager
def data_quality_warns():
    """For fixtures that are bad on purpose (the tiny CRM quarantines a third of its leads): the
    build reports the data-quality thresholds they break instead of failing."""
    with environment_with({"LEAD_DATA_QUALITY_SEVERITY": "warn"}):
        yield


def _fixed_dir(shape: str) -> Path:
    # DBT_TARGET_PATH is this test process's own folder (conftest.isolated_dbt_artifacts)
    base = Path(os.environ["DBT_TARGET_PATH"]).parent / "fixture_build" / shape
    base.mkdir(parents=True, exist_ok=True)
    return base


def shape_dbt_dirs(shape: str) -> list[str]:
    """dbt's target and log folders for builds of a connector shape: the source shape is read in
    dbt_project.yml, so each shape keeps its own parsed project."""
    base = _fixed_dir(shape)
    return ["--target-path", str(base / "target"), "--log-path", str(base / "logs")]


def _move(source: Path, target: Path) -> None:
    """Move a DuckDB file and its write-ahead log (left by a failed run) together."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        src = source.with_name(source.name + suffix)
        dst = target.with_name(target.name + suffix)
        if src.exists():
            os.replace(src, dst)
        else:
            dst.unlink(missing_ok=True)


@contextlib.contextmanager
def at_fixed_path(warehouse: Path | str, shape: str = "contract") -> Iterator[Path]:
    """The fixed path to build at (one per source shape): holds `warehouse` (when it exists) while
    the block runs, and is moved back to `warehouse` afterwards, also when the block fails."""
    stable, target = _fixed_dir(shape) / "build.duckdb", Path(warehouse)
    _move(target, stable)
    try:
        yield stable
    finally:
        _move(stable, target)


def build_fixture_warehouse(
    landing: Path | str,
    warehouse: Path | str,
    *,
    as_of: str,
    command: str = "run",
    select: str | None = None,
    dbt_args: list[str] | None = None,
    shape: str | None = None,
    unit_tests: bool = False,
    artifacts: bool = False,
) -> BuildResult:
    """`leadwarehouse.build.run_build` into `warehouse`, run at this process's fixed path.
    `command` defaults to ``run`` (models and seeds): dbt's data tests run once, on the tiny CRM
    (the Dagster daily job of tests/test_orchestration.py), not on every scenario; its unit tests
    run once too (conftest.tiny_warehouse).

    dbt writes its JSON artifacts (manifest.json twice, run_results.json, the graph) only with
    `artifacts`: a fixture reads the warehouse, and the 6 MB manifest written twice cost ~2 s of a
    tiny build's ~15 s (measured, one run, alternating)."""
    args = dbt_args if dbt_args is not None else dbt_build_args(command, select, False, unit_tests)
    if not artifacts:
        args = [*args, "--no-write-json"]
    if shape not in (None, "contract"):
        args = [*args, *shape_dbt_dirs(shape)]
    with at_fixed_path(warehouse, shape or "contract") as path:
        return run_build(landing, path, args, as_of=as_of, shape=shape, all_artifacts=artifacts)


def built_once(folder: Path, purpose: str, build: Callable[[Path], object]) -> Path:
    """`folder`/build.duckdb, made by `build(path)` once per test run for every pytest worker: the
    first process that asks builds it under a file lock, the others wait for the lock and read the
    same file (read-only). The marker file `built` is written only after a build passed."""
    folder.mkdir(parents=True, exist_ok=True)
    warehouse, built = folder / "build.duckdb", folder / "built"
    with FileLock(folder / "build.lock", purpose=purpose).acquire(wait=True):
        if not built.exists():
            build(warehouse)
            built.touch()
    return warehouse


def pipeline_warehouse(base: Path) -> dict[str, Path]:
    """A fresh `warehouse/` in `base` (conftest.pipeline_dir): the build path and its published
    copy; and the dbt target folder, kept (a module's `dbt parse` is partial after the first)."""
    shutil.rmtree(base / "warehouse", ignore_errors=True)
    return {
        "build": base / "warehouse" / "build.duckdb",
        "published": base / "warehouse" / "published.duckdb",
        "dbt_target": base / "dbt-target",
    }


@contextlib.contextmanager
def pipeline_parsed(paths: dict[str, Path]) -> Iterator[None]:
    """For the block: the pipeline modules' dbt target folder (`paths` from pipeline_warehouse) and
    the tiny CRM's data-quality thresholds as warnings, with the project parsed there first at the
    runs' build path (DbtProject.prepare_if_dev() does nothing under pytest). No LEAD_AS_OF: the
    runs use dbt's default, as Dagster's dbt step does. Every dbt command of the block then reuses
    this parse, as does the next module's (conftest.SHARED_SCOPES)."""
    with environment_with(
        {"DBT_TARGET_PATH": str(paths["dbt_target"]), "LEAD_DATA_QUALITY_SEVERITY": "warn"}
    ):
        run_dbt(["parse", "--quiet"], paths["build"])
        yield
