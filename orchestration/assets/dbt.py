"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and exports; every dbt
data test is an asset check on the model it tests (error severity = a blocking check).

The dbt step holds the warehouse's lock (kept for it by the run's ingest step, else taken here)
and completes the run's meta.build_runs row (started here if the run had no ingest step):
`succeeded` or `failed` with dbt's return code. Publish reads that row."""

import contextlib
import json
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt import asset_utils as dbt_asset_utils
from pydantic import Field

from leadwarehouse.build import BUILD_RUNS_DDL, DEFAULT_AS_OF, finish_build_run, start_build_run
from leadwarehouse.locking import LockBusy
from leadwarehouse.publish import last_build
from orchestration.constants import (
    EXPORTS_PREFIX,
    PROJECT_DIR,
    RAW_PREFIX,
    TRANSIENT_RETRY,
    WAREHOUSE_POOL,
)
from orchestration.resources import WarehouseResource, lock_busy_failure

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


def prepare_manifest(project: DbtProject) -> None:
    """`dbt parse` into the project's target path (what DbtProject.prepare_if_dev does under
    `dagster dev`, with the venv's dbt)."""
    DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
        ["parse", "--quiet"], target_path=project.target_path
    ).wait()


# `dagster dev` re-parses the project on every load; elsewhere (dagster definitions validate, a
# deployed code server, pytest) the manifest of the last `dbt parse` is used, and made if missing.
if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
    prepare_manifest(dbt_project)

# dagster-dbt runs a subset of more than 200 dbt nodes (the hourly job, a large UI selection)
# against a temporary copy of the whole project folder, to hold a generated selectors.yml. The
# project folder here is the repository, with data/ (warehouse and landing files, gigabytes at
# scale) and .venv/: copying it per run is not an option. Above the threshold dagster-dbt would
# otherwise pass the node names on the command line, which works for every subset of this project
# (a few thousand names), so the threshold is raised. tests/test_orchestration.py guards it.
if hasattr(dbt_asset_utils, "_SELECTION_ARGS_THRESHOLD"):
    dbt_asset_utils._SELECTION_ARGS_THRESHOLD = 100_000

# Substrings of dbt/DuckDB errors that a later attempt can cure.
TRANSIENT_MARKERS = ("could not set lock", "conflicting lock", "resource temporarily unavailable")


# The build's own bookkeeping (source build_meta: the last good build's counts, written when a
# build succeeds) is an external asset meta/<name>, not a raw table of the ingest asset.
BUILD_META_SOURCE, META_PREFIX = "build_meta", "meta"


class LeadWarehouseTranslator(DagsterDbtTranslator):
    """Asset keys are <schema>/<name> (raw/leads, marts/leads, exports/export_lead_scores_v1);
    groups are the schemas (raw tables are loaded by the ingest asset, group `ingest`)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            prefix = META_PREFIX if dbt_resource_props.get("source_name") == BUILD_META_SOURCE else RAW_PREFIX
            return dg.AssetKey([prefix, dbt_resource_props["name"]])
        if dbt_resource_props.get("version") is not None:
            schema = dbt_resource_props["config"].get("schema") or EXPORTS_PREFIX
            return dg.AssetKey([schema, dbt_resource_props["alias"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "ingest"
        return dbt_resource_props["config"].get("schema") or "default"


translator = LeadWarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    skip_tests: bool = Field(
        default=False, description="Run models and seeds only (no data or unit tests): quick rebuilds."
    )
    full_refresh: bool = Field(default=False, description="Rebuild incremental models from scratch.")
    stream_live: bool = Field(
        default=False,
        description="Report each model and test as dbt finishes it (else all at once when dbt exits, "
        "which is faster on machines with few cores).",
    )


def _begin_build_run(warehouse: WarehouseResource, run_id: str, as_of: str, dbt_command: str) -> None:
    """Make this run's meta.build_runs row the newest and `running` (inserting it when the run had
    no ingest step). Fails when another build recorded itself after this run's ingest: raw may
    not be what this run loaded."""
    warehouse.build_file.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse.build_file))
    try:
        con.execute("create schema if not exists meta")
        con.execute(BUILD_RUNS_DDL)
        newest = last_build(con)
        mine = con.execute("select count(*) from meta.build_runs where run_id = ?", [run_id]).fetchone()[0]
        if mine and newest is not None and newest["run_id"] != run_id:
            raise dg.Failure(
                description=f"another build (run {newest['run_id']}, started {newest['started_at']}) "
                "replaced the raw tables after this run's ingest: re-run the whole job.",
                allow_retries=False,
            )
        if mine:
            con.execute(
                "update meta.build_runs set status = 'running', finished_at = null, dbt_command = ?, "
                "dbt_returncode = null, message = null where run_id = ?",
                [dbt_command, run_id],
            )
    finally:
        con.close()
    if not mine:
        start_build_run(warehouse.build_file, run_id, as_of, dbt_command)


def _failure_of(invocation) -> Exception:
    """Turn a failed dbt invocation into a retryable error (transient) or a final dg.Failure."""
    returncode = invocation.process.returncode
    messages = list(getattr(invocation, "_error_messages", []))
    failed_nodes: list[str] = []
    run_results = invocation.target_path / "run_results.json"
    if run_results.is_file():
        results = json.loads(run_results.read_text()).get("results", [])
        failed_nodes = [r["unique_id"] for r in results if r.get("status") in ("error", "fail")]
        messages += [r.get("message") or "" for r in results if r.get("status") in ("error", "fail")]
    text = "\n".join(m for m in messages if m)
    metadata = {
        "dbt_command": invocation.dbt_command,
        "exit_code": returncode,
        "failed_nodes": dg.MetadataValue.json(failed_nodes[:200]),
    }
    if returncode is not None and returncode < 0:
        return dg.Failure(
            description=f"dbt was stopped by signal {-returncode}; the warehouse keeps its last published copy.",
            metadata=metadata,
            allow_retries=False,
        )
    if any(marker in text.lower() for marker in TRANSIENT_MARKERS):
        return dg.Failure(
            description=f"dbt could not open the warehouse (transient, will retry):\n{text[:4000]}",
            metadata=metadata,
            allow_retries=True,
        )
    return dg.Failure(
        description=f"dbt failed ({len(failed_nodes)} failing nodes):\n{text[:4000]}",
        metadata=metadata,
        allow_retries=False,
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="lead_warehouse_dbt",
    pool=WAREHOUSE_POOL,
    retry_policy=TRANSIENT_RETRY,
)
def lead_warehouse_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    """`dbt build` of the selected models (seeds, models, their data and unit tests)."""
    args = ["build"]
    if config.skip_tests:
        args += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    # the concrete as_of dbt uses (its default made explicit), recorded in meta.build_runs
    as_of = warehouse.resolve_as_of(context) or DEFAULT_AS_OF
    context.log.info(f"dbt {' '.join(args)} on {warehouse.build_file} as of {as_of}")
    try:
        lock = warehouse.acquire_build_lock(context)
    except LockBusy as exc:
        raise lock_busy_failure(exc) from exc
    try:
        _begin_build_run(warehouse, context.run_id, as_of, shlex.join(["dbt", *args]))
        outcome: dict = {"succeeded": False, "message": "the dbt step stopped before dbt ran"}
        try:
            with warehouse.dbt_environment(as_of):
                invocation = dbt.cli(args, context=context, raise_on_error=False)
            if not config.stream_live:
                # let dbt finish first, then replay its events: on a small machine, turning ~600 events
                # into Dagster events while dbt runs competes with dbt for the CPU (a third slower)
                invocation.is_successful()
            yield from invocation.stream()
            succeeded = invocation.is_successful()
            returncode = invocation.process.returncode
            failure = None if succeeded else _failure_of(invocation)
            outcome = {
                "succeeded": succeeded,
                "returncode": returncode,
                "message": None if failure is None else str(getattr(failure, "description", failure))[:2000],
            }
        finally:
            with contextlib.suppress(Exception):  # best effort: else the row stays 'running'
                finish_build_run(warehouse.build_file, context.run_id, **outcome)
    finally:
        warehouse.release_build_lock(lock)
    if failure is not None:
        raise failure


def dbt_keys(*prefixes: str) -> list[dg.AssetKey]:
    """Keys of the dbt models whose schema is one of prefixes."""
    return [key for key in lead_warehouse_dbt.keys if key.path[0] in prefixes]


EXPORT_MODEL_KEY = dg.AssetKey([EXPORTS_PREFIX, "export_lead_scores_v1"])
