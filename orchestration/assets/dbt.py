"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and exports; every dbt
data test is an asset check on the model it tests (error severity = a blocking check).

The dbt step holds the warehouse's lock (kept for it by the run's ingest step, else taken here)
and completes the run's meta.build_runs row (started here if the run had no ingest step):
`succeeded` or `failed` with dbt's return code. Publish reads that row.

dbt reads the build file from LEAD_WAREHOUSE_PATH (profiles.yml) and the as_of from the var
`as_of`, else LEAD_AS_OF (macros/parsing.sql). When the environment dbt inherits names another
build file or as_of than this run's, the dbt process gets them (dbt_target_args): the file with a
copied profile, the as_of in its environment (dagster-dbt gives dbt a copy of this process's
environment when it starts it, and has no public way to give it another one)."""

import contextlib
import os
import shlex
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import yaml
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from pydantic import Field

from leadwarehouse.build import (
    BUILD_RUNS_DDL,
    DEFAULT_AS_OF,
    continues_incremental_state,
    finish_build_run,
    seeds_already_loaded,
    start_build_run,
)
from leadwarehouse.duckdb_resources import connect, duckdb_resources
from leadwarehouse.environment import environment_with
from leadwarehouse.incremental_check import check_of_run, record_check, warehouse_fingerprints
from leadwarehouse.locking import LockBusy
from leadwarehouse.publish import last_build
from orchestration.constants import (
    DEFAULT_BUILD_PATH,
    EXPORTS_PREFIX,
    PROJECT_DIR,
    RAW_PREFIX,
    TRANSIENT_RETRY,
    WAREHOUSE_POOL,
)
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource, lock_busy_failure

# Substrings of dbt/DuckDB errors that a later attempt can cure.
TRANSIENT_MARKERS = ("could not set lock", "conflicting lock", "resource temporarily unavailable")


def write_profile(folder: Path, build_file: Path) -> Path:
    """A profiles.yml in folder: the project's own (every other setting, still rendered by dbt)
    with the DuckDB path set to build_file, and the memory limit, threads and spill folder for
    that file (leadwarehouse/duckdb_resources.py: not the other file's spill folder)."""
    resources = duckdb_resources(build_file)
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    for profile in profiles.values():
        outputs = profile.get("outputs", {}) if isinstance(profile, dict) else {}
        for output in outputs.values():
            if output.get("type") == "duckdb":
                output["path"] = str(build_file)
                settings = resources.config()  # temp_directory is a connect-time option (profiles.yml)
                output.setdefault("config_options", {})["temp_directory"] = settings.pop("temp_directory")
                output.setdefault("settings", {}).update(settings)
    path = folder / "profiles.yml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False))
    return path


@contextlib.contextmanager
def dbt_target_args(
    build_file: Path, as_of: str, engine: str = "duckdb"
) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The dbt flags and environment variables that make a dbt command build build_file (on a
    server engine: the server) as of as_of, usable while the context is open.

    Without them dbt builds the file of LEAD_WAREHOUSE_PATH as of LEAD_AS_OF (else their
    defaults) of the environment it inherits from this process. The as_of goes into dbt's
    environment (LEAD_AS_OF), not into `--vars`: dbt re-parses the whole project when its vars
    differ from the parse it saved, and an hourly run has a new as_of every hour (measured: a
    24.5 s parse instead of 7.7 s); as_of is read when dbt runs, not when it parses. The build file
    gets `--profiles-dir` of a temporary copy of profiles.yml naming it (profiles.yml reads the
    path from the environment only); only when it differs, since a changed connection costs that
    full re-parse too. The file is named by its resolved path, as `python -m leadwarehouse.build`
    does. On a server engine dbt builds on the server of the LEAD_PG_* / LEAD_SPARK_* variables it
    inherits, selected by LEAD_WAREHOUSE_TARGET (profiles.yml); the DuckDB file is not dbt's."""
    env = {"LEAD_AS_OF": as_of} if as_of != os.environ.get("LEAD_AS_OF", DEFAULT_AS_OF) else {}
    if engine != "duckdb":
        if os.environ.get("LEAD_WAREHOUSE_TARGET", "duckdb") != engine:
            env["LEAD_WAREHOUSE_TARGET"] = engine
        yield [], env
        return
    inherited = Path(os.environ.get("LEAD_WAREHOUSE_PATH", DEFAULT_BUILD_PATH)).expanduser()
    if (PROJECT_DIR / inherited).resolve() == build_file.resolve():  # dbt runs in PROJECT_DIR
        yield [], env
        return
    with tempfile.TemporaryDirectory(prefix="lead-dbt-profile-") as folder:
        write_profile(Path(folder), build_file.resolve())
        yield ["--profiles-dir", folder], env


@contextlib.contextmanager
def started_with(env: dict[str, str]) -> Iterator[None]:
    """This process's environment plus `env` while the block starts a subprocess (dagster-dbt's
    dbt.cli() copies os.environ into the dbt process it starts), then as it was. The dbt step
    runs alone in its process (Dagster's default executor) or one step after another (in-process
    execution), so nothing else reads the environment meanwhile."""
    with environment_with(env):
        yield


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


# dbt's selector for the data tests of the intermediate models: those defined beside them
INTERMEDIATE_TESTS = "path:models/intermediate,resource_type:test"

translator = LeadWarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    skip_tests: bool = Field(
        default=False, description="Run models and seeds only (no data or unit tests): quick rebuilds."
    )
    full_refresh: bool = Field(default=False, description="Rebuild incremental models from scratch.")
    intermediate_tests: bool = Field(
        default=True,
        description="Run the data tests of the intermediate models too (they check SQL logic, which does "
        "not change between two refreshes: the hourly job leaves them to the daily build).",
    )
    check_incremental: bool = Field(
        default=True,
        description="With full_refresh, on DuckDB: first bring the incremental state to this as_of with an "
        "incremental build and record whether the full build gives the same tables "
        "(leadwarehouse/incremental_check.py; the asset check incremental_state_matches_full_build).",
    )
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
    con = connect(warehouse.build_file)
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
    error = invocation.get_error()
    # dagster-dbt's description: the dbt command, then the error lines of dbt's log
    logged = str(error.description or "") if error is not None else ""
    failed_nodes: list[str] = []
    messages: list[str] = []
    if (invocation.target_path / "run_results.json").is_file():
        results = invocation.get_artifact("run_results.json").get("results", [])
        failed = [r for r in results if r.get("status") in ("error", "fail")]
        failed_nodes = [r["unique_id"] for r in failed]
        messages = [r.get("message") or "" for r in failed]
    text = "\n".join(m for m in messages if m) or logged[-4000:]
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
    if any(marker in f"{text}\n{logged}".lower() for marker in TRANSIENT_MARKERS):
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


# No `project=` here: given the project folder, dagster-dbt runs a subset of more than 200 dbt nodes
# (the hourly job, a large UI selection) against a temporary copy of that folder, to hold a
# generated selectors.yml. The folder is the repository, with data/ (warehouse and landing files,
# gigabytes at scale) and .venv/: copying it per run is not an option. Without it dagster-dbt
# passes the selected node names on the command line (a few thousand names at most here) and dbt
# runs in the dbt resource's project folder. The dbt resource gets the DbtProject instead.
@dbt_assets(
    manifest=dbt_project.manifest_path,
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
    """`dbt build` of the selected models (seeds, models, their data tests). dbt's unit tests check
    the SQL, not the data: they run in `make test`, not in every scheduled build."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.skip_tests:
        args += ["--exclude-resource-type", "test"]
    elif not config.intermediate_tests:
        args += ["--exclude", INTERMEDIATE_TESTS]
    continues = continues_incremental_state(warehouse.build_file, context.run_id)
    check_incremental = (
        config.full_refresh and config.check_incremental and continues and warehouse.engine_name == "duckdb"
    )
    if config.full_refresh:
        args.append("--full-refresh")
    if not config.full_refresh and not continues:
        # the last build failed, was partial or ran other model code (docs/incremental.md)
        args.append("--full-refresh")
    # every seed is built unless Dagster selected a subset; left as they are when the last build
    # loaded the same seed files (leadwarehouse.build.seeds_already_loaded)
    loads_seeds = not context.is_subset
    if (
        loads_seeds
        and "--full-refresh" not in args
        and seeds_already_loaded(warehouse.build_file, context.run_id)
    ):
        args += ["--exclude-resource-type", "seed"]
    # the concrete as_of dbt uses (its default made explicit), recorded in meta.build_runs
    as_of = warehouse.resolve_as_of(context) or DEFAULT_AS_OF
    where = warehouse.build_file if warehouse.engine_name == "duckdb" else warehouse.engine_name
    context.log.info(f"dbt {' '.join(args)} on {where} as of {as_of}")
    try:
        lock = warehouse.acquire_build_lock(context)
    except LockBusy as exc:
        raise lock_busy_failure(exc) from exc
    try:
        with dbt_target_args(warehouse.build_file, as_of, warehouse.engine_name) as (target_args, target_env):
            command = [*args, *target_args]
            shown = [f"{name}={value}" for name, value in target_env.items()]
            _begin_build_run(warehouse, context.run_id, as_of, shlex.join([*shown, "dbt", *command]))
            outcome: dict = {"succeeded": False, "message": "the dbt step stopped before dbt ran"}
            try:
                incremental = (
                    _incremental_state(context, dbt, warehouse, [*INCREMENTAL_RUN, *target_args], target_env)
                    if check_incremental
                    else None
                )
                with started_with(target_env):
                    invocation = dbt.cli(command, context=context, raise_on_error=False)
                context.log.info(
                    f"dbt runs in {invocation.project_dir} ({len(invocation.process.args)} arguments)"
                )
                if not config.stream_live:
                    # let dbt finish first, then replay its events: on a small machine, turning ~600
                    # events into Dagster events while dbt runs competes with dbt for the CPU (a third slower)
                    invocation.is_successful()
                yield from invocation.stream()
                succeeded = invocation.is_successful()
                if succeeded and incremental is not None:
                    _compare_with_full_build(context, warehouse, as_of, incremental)
                returncode = invocation.process.returncode
                failure = None if succeeded else _failure_of(invocation)
                outcome = {
                    "succeeded": succeeded,
                    "loaded_seeds": loads_seeds,
                    "returncode": returncode,
                    "message": None
                    if failure is None
                    else str(getattr(failure, "description", failure))[:2000],
                }
            finally:
                with contextlib.suppress(Exception):  # best effort: else the row stays 'running'
                    finish_build_run(warehouse.build_file, context.run_id, **outcome)
    finally:
        warehouse.release_build_lock(lock)
    if failure is not None:
        raise failure


# the nightly check's first step: the hourly path (seeds and models, incremental; no tests) at the
# run's as_of
INCREMENTAL_RUN = ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"]
INCREMENTAL_CHECK_ASSET = dg.AssetKey(["marts", "leads"])


def _incremental_state(
    context, dbt: DbtCliResource, warehouse: WarehouseResource, command: list[str], env: dict[str, str]
) -> dict | None:
    """The fingerprints of the warehouse's tables after an incremental build at this run's
    as_of (leadwarehouse/incremental_check.py), or None when that run failed: the full build
    follows either way, and nothing is compared."""
    context.log.info("the nightly check: an incremental build at this as_of, to compare with the full build")
    with started_with(env):
        run = dbt.cli(command, context=context, raise_on_error=False)
    if not run.is_successful():
        error = run.get_error()
        context.log.warning(
            "the incremental build failed: the full build is not compared with it "
            f"({str(getattr(error, 'description', error) or '')[-2000:]})"
        )
        return None
    try:
        return warehouse_fingerprints(warehouse.build_file)
    except duckdb.Error as exc:  # the check is a report: it never stops the nightly build
        context.log.warning(f"the nightly check could not fingerprint the incremental state: {exc}")
        return None


def _compare_with_full_build(context, warehouse: WarehouseResource, as_of: str, incremental: dict) -> None:
    try:
        differing = record_check(warehouse.build_file, context.run_id, as_of, incremental)
    except duckdb.Error as exc:  # the build succeeded: a failed comparison does not fail it
        context.log.warning(f"the nightly check could not compare with the full build: {exc}")
        return
    if differing:
        context.log.warning(
            f"the incremental state differed from the full build in {len(differing)} tables: "
            f"{', '.join(differing[:20])} (meta.incremental_checks; the full build replaced it)"
        )
    else:
        context.log.info(f"the incremental state equals the full build ({len(incremental)} tables compared)")


@dg.asset_check(
    asset=INCREMENTAL_CHECK_ASSET,
    name="incremental_state_matches_full_build",
    description="In a daily full build: the state the hourly refreshes left, brought to the same as_of, "
    "has the same rows as the full build in every table (leadwarehouse/incremental_check.py).",
)
def incremental_state_matches_full_build(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    found = (
        check_of_run(warehouse.build_file, context.run.run_id)
        if warehouse.engine_name == "duckdb" and warehouse.build_file.exists()
        else None
    )
    if found is None:
        return dg.AssetCheckResult(
            passed=True,
            metadata={
                "compared": "no: not a full build of a state the refreshes continued (or not on DuckDB)"
            },
        )
    differing = found["differing_tables"]
    return dg.AssetCheckResult(
        passed=not differing,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "compared_tables": found["compared_tables"],
            "differing_tables": dg.MetadataValue.json(differing),
        },
    )


def dbt_keys(*prefixes: str) -> list[dg.AssetKey]:
    """Keys of the dbt models whose schema is one of prefixes."""
    return [key for key in lead_warehouse_dbt.keys if key.path[0] in prefixes]


EXPORT_MODEL_KEY = dg.AssetKey([EXPORTS_PREFIX, "export_lead_scores_v1"])
