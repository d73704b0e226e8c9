"""The Dagster code location (orchestration/): definitions load, the whole asset graph runs
in-process on the tiny CRM with every asset check passing, schedules and sensors request the
right runs, transient failures are retried and a landing file that breaks the contract stops the
run before dbt, naming the file and the column, with the published copy untouched. Runs record
themselves in meta.build_runs and hold the warehouse's lock (waiting for a command line build)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from leadwarehouse.build import DEFAULT_AS_OF
from leadwarehouse.contract import TABLES
from leadwarehouse.duckdb_resources import machine_cores
from leadwarehouse.incremental_check import check_of_run
from leadwarehouse.landing import write_landing
from leadwarehouse.locking import LockBusy, build_lock
from tests.builds import pipeline_parsed, pipeline_warehouse
from tests.tiny_crm import AS_OF, tiny_crm_rows

pytestmark = pytest.mark.dbt

PROJECT_DIR = Path(__file__).resolve().parent.parent


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dbt_parsed(paths):
    """The project parsed as the runs' dbt commands see it (the dbt step names the run's warehouse
    path with a copied profile, resolved, as run_dbt does; no LEAD_AS_OF): tests/builds.py."""
    assert AS_OF == DEFAULT_AS_OF
    with pipeline_parsed(paths):
        yield


@pytest.fixture(scope="module")
def orch(dbt_parsed):
    """The orchestration modules, imported after the manifest exists."""
    from orchestration import definitions, jobs, project, resources, schedules, sensors
    from orchestration.assets import dbt, exports, ingest, publish

    return SimpleNamespace(
        definitions=definitions,
        jobs=jobs,
        project=project,
        resources=resources,
        schedules=schedules,
        sensors=sensors,
        dbt=dbt,
        exports=exports,
        ingest=ingest,
        publish=publish,
    )


@pytest.fixture(scope="module")
def paths(tmp_path_factory, pipeline_dir) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("orchestration")
    return {
        "landing": write_landing(base / "landing", tiny_crm_rows()),
        **pipeline_warehouse(pipeline_dir),  # build, published, dbt_target: conftest.SHARED_SCOPES
        "exports": base / "exports",
    }


def make_defs(orch, paths, landing: Path | None = None, as_of: str = AS_OF) -> dg.Definitions:
    return orch.definitions.build_definitions(
        {
            "warehouse": orch.resources.WarehouseResource(
                build_path=str(paths["build"]), exports_dir=str(paths["exports"]), as_of=as_of
            ),
            "landing": orch.resources.LandingResource(landing_dir=str(landing or paths["landing"])),
        }
    )


def newest_build_run(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(
            "select run_id, status, cast(as_of as varchar), dbt_returncode, message, landing_fingerprint "
            "from meta.build_runs order by started_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    return dict(
        zip(("run_id", "status", "as_of", "dbt_returncode", "message", "fingerprint"), row, strict=True)
    )


def execute(
    defs: dg.Definitions,
    job_name: str,
    skip_tests: bool = False,
    instance: dg.DagsterInstance | None = None,
    full_refresh: bool = False,
) -> dg.ExecuteInProcessResult:
    config = {"skip_tests": skip_tests, **({"full_refresh": True} if full_refresh else {})}
    if instance is None:  # a run of its own, the instance closed with it
        with dg.DagsterInstance.ephemeral() as own:
            return execute(defs, job_name, skip_tests, own, full_refresh)
    return defs.resolve_job_def(job_name).execute_in_process(
        instance=instance,
        run_config={"ops": {"lead_warehouse_dbt": {"config": config}}},
        raise_on_error=False,
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    """An ephemeral Dagster instance closed when the test ends: left open, its SQLite connections
    (made in the run's threads) are finalized later from another thread, logging tracebacks."""
    with dg.DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


@pytest.fixture(scope="module")
def full_run(orch, paths) -> dg.ExecuteInProcessResult:
    """The daily full build: every asset and every asset check, on the tiny CRM."""
    return execute(make_defs(orch, paths), "daily_full_build")


def test_definitions_load(orch):
    defs = orch.definitions.defs
    dg.Definitions.validate_loadable(defs)
    # the manifest comes from the DbtProject's target path (parsed above, not on import)
    assert orch.project.dbt_project.manifest_path.is_file()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        orch.definitions.build_definitions()
    outdated = [
        w for w in caught if w.category.__name__.endswith(("DeprecationWarning", "SupersessionWarning"))
    ]
    assert [str(w.message) for w in outdated] == []
    assert {job.name for job in defs.resolve_all_job_defs()} >= {"hourly_scoring_refresh", "daily_full_build"}

    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {
        "raw/leads",
        "marts/leads",
        "exports/export_lead_scores_v1",
        "exports/lead_scores_v1_files",
    } <= keys
    assert "warehouse/published" in keys
    # every raw source of dbt is produced by the ingest asset (no unlinked raw tables)
    dbt_deps = {dep for key in orch.dbt.lead_warehouse_dbt.keys for dep in graph.get(key).parent_keys}
    raw_deps = {dep for dep in dbt_deps if dep.path[0] == "raw"}
    assert raw_deps == set(orch.ingest.RAW_KEYS.values())
    # the only other sources are the build's bookkeeping (meta.*): external assets, not raw tables
    external = {dep for dep in dbt_deps if dep not in orch.dbt.lead_warehouse_dbt.keys}
    assert {dep.path[0] for dep in external - raw_deps} <= {"meta"}
    # dbt data tests are asset checks; error severity ones are blocking
    checks = list(orch.dbt.lead_warehouse_dbt.check_specs)
    assert len(checks) > 100 and any(spec.blocking for spec in checks)
    # raw/*: the landing files' age is an asset check, the time since the last load a freshness policy
    for key in orch.ingest.RAW_KEYS.values():
        assert graph.get(key).freshness_policy == dg.FreshnessPolicy.time_window(
            fail_window=timedelta(hours=26)
        )
        assert dg.AssetCheckKey(key, orch.ingest.LANDING_FRESH_CHECK) in graph.asset_check_keys


def test_the_dbt_resource_knows_the_version_dbt_reports(orch):
    """LocalDbtCliResource answers dagster-dbt's version question without starting dbt, with
    the version `dbt --version` reports (asked once here)."""
    from dagster_dbt import DbtCliResource

    for member in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert member in vars(DbtCliResource), member  # the members it overrides still exist
    dbt = orch.resources.default_resources()["dbt"]
    assert isinstance(dbt, orch.project.LocalDbtCliResource)
    asked = DbtCliResource(project_dir=dbt.project_dir, dbt_executable=dbt.dbt_executable)
    assert dbt._cli_version == asked._cli_version
    assert dbt._initialize_dbt_core_adapter(["build"]) is None, "no adapter built in Dagster's process"


def test_writers_share_a_run_level_pool_and_retry_transient_failures(orch):
    from orchestration.constants import WAREHOUSE_POOL

    writers = [
        orch.ingest.ingest_landing_asset,
        orch.dbt.lead_warehouse_dbt,
        orch.exports.lead_scores_v1_files,
        orch.publish.published_warehouse,
    ]
    for asset in writers:
        assert asset.op.pool == WAREHOUSE_POOL, asset.op.name
        assert asset.op.retry_policy is not None and asset.op.retry_policy.max_retries >= 1
    config = yaml.safe_load((PROJECT_DIR / "orchestration" / "dagster.yaml").read_text())
    with dg.instance_for_test(overrides=config) as instance:
        pools = instance.get_concurrency_config().pool_config
        assert pools.pool_granularity.value == "run" and pools.default_pool_limit == 1


def test_dbt_subsets_run_in_place(orch):
    # dagster-dbt runs a subset of > 200 dbt nodes against a copy of the project folder that
    # @dbt_assets(project=...) names; here that is the repository (data/, .venv/): none is named,
    # the dbt resource has the project (the hourly run below checks where dbt ran)
    assert all("dagster_dbt/project" not in spec.metadata for spec in orch.dbt.lead_warehouse_dbt.specs)
    resource = orch.definitions.defs.resources["dbt"]
    assert Path(resource.project_dir) == PROJECT_DIR and Path(resource.profiles_dir) == PROJECT_DIR


def test_dbt_gets_the_build_file_and_as_of_only_when_they_differ(orch, tmp_path, monkeypatch):
    def flags(build_file: Path, as_of: str) -> tuple[list[str], dict | None, dict]:
        before = dict(os.environ)
        with orch.dbt.dbt_target_args(build_file, as_of) as (args, env):
            folder = Path(args[args.index("--profiles-dir") + 1]) if "--profiles-dir" in args else None
            profiles = yaml.safe_load((folder / "profiles.yml").read_text()) if folder else None
            with orch.dbt.started_with(env):
                started = {name: os.environ.get(name) for name in env}
            assert started == env
        assert dict(os.environ) == before  # this process's environment is as it was
        assert folder is None or not folder.exists()  # the copied profile is gone after the dbt command
        return args, profiles, env

    build = tmp_path / "build.duckdb"
    monkeypatch.setenv("LEAD_WAREHOUSE_PATH", str(build))
    monkeypatch.setenv("LEAD_AS_OF", "2026-11-02 00:00:00")
    # what dbt inherits is right: nothing to add
    assert flags(build, "2026-11-02 00:00:00") == ([], None, {})
    # another as_of: in dbt's environment, not a --vars flag (a flag would cost a full re-parse)
    assert flags(build, "2026-11-02 05:00:00") == ([], None, {"LEAD_AS_OF": "2026-11-02 05:00:00"})
    monkeypatch.delenv("LEAD_AS_OF")
    assert flags(build, DEFAULT_AS_OF) == ([], None, {})
    assert flags(build, "2026-11-03 00:00:00")[2] == {"LEAD_AS_OF": "2026-11-03 00:00:00"}
    assert "LEAD_AS_OF" not in os.environ
    other = tmp_path / "other" / "build.duckdb"
    args, profiles, _ = flags(other, DEFAULT_AS_OF)
    assert args[0] == "--profiles-dir" and len(args) == 2
    # the project's profile, every other setting still rendered by dbt, naming the other file
    project = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["lead_warehouse"]
    assert profiles["lead_warehouse"]["target"] == project["target"]
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "1GiB")
    monkeypatch.delenv("DUCKDB_TEMP_DIRECTORY", raising=False)
    monkeypatch.delenv("DUCKDB_THREADS", raising=False)
    monkeypatch.setenv("DUCKDB_MAX_VACUUM_TASKS", "100")
    args, profiles, _ = flags(other, DEFAULT_AS_OF)
    duckdb_output = project["outputs"]["duckdb"]
    # ... with the DuckDB resources for that file: its own spill folder, the limits of this process
    # (the other outputs, e.g. postgres, as the project's profile has them)
    assert profiles["lead_warehouse"]["outputs"] == {
        **project["outputs"],
        "duckdb": {
            **duckdb_output,
            "path": str(other.resolve()),
            "config_options": {"temp_directory": str(other.resolve()) + ".tmp"},
            "settings": {
                **duckdb_output["settings"],
                "memory_limit": "1GiB",
                "threads": str(machine_cores()),
                "max_vacuum_tasks": "100",
            },
        },
    }


def test_the_engine_setting_moves_dbt_and_the_defaults_to_the_server(orch, tmp_path, monkeypatch):
    """LEAD_WAREHOUSE_TARGET picks the engine of the code location's resource; on a server engine
    dbt gets the profiles.yml output by name and no DuckDB profile copy (the staging file is not
    dbt's); an unknown engine fails when the code location loads, naming the choices.
    (A whole run on PostgreSQL: tests/test_orchestration_postgres.py.)"""
    from leadwarehouse.engines import EngineError

    staging = tmp_path / "postgres-ingest.duckdb"
    monkeypatch.delenv("LEAD_WAREHOUSE_TARGET", raising=False)
    with orch.dbt.dbt_target_args(staging, DEFAULT_AS_OF, "postgres") as (args, env):
        assert (args, env) == ([], {"LEAD_WAREHOUSE_TARGET": "postgres"})
    monkeypatch.setenv("LEAD_WAREHOUSE_TARGET", "spark")
    with orch.dbt.dbt_target_args(staging, "2026-11-03 00:00:00", "spark") as (args, env):
        assert (args, env) == ([], {"LEAD_AS_OF": "2026-11-03 00:00:00"})
    monkeypatch.delenv("LEAD_WAREHOUSE_PATH", raising=False)
    monkeypatch.setenv("LEAD_PG_READER_ROLES", "bi_reader, reverse_etl")
    warehouse = orch.resources.default_resources()["warehouse"]
    assert warehouse.engine_name == "spark"
    assert warehouse.build_file == PROJECT_DIR / "data/warehouse/spark-ingest.duckdb"
    assert warehouse.reader_role_names == ["bi_reader", "reverse_etl"]
    monkeypatch.setenv("LEAD_WAREHOUSE_TARGET", "snowflake")
    with pytest.raises(EngineError, match="duckdb, postgres, spark"):
        orch.resources.default_resources()


def test_landing_freshness_check_warns_about_old_files(orch, tmp_path):
    folder = write_landing(tmp_path / "landing", tiny_crm_rows())
    check = orch.ingest.landing_freshness_check(timedelta(hours=26))

    def evaluate() -> list[dg.AssetCheckResult]:
        landing = orch.resources.LandingResource(landing_dir=str(folder))
        return list(check(landing=landing))

    results = evaluate()
    assert {r.asset_key for r in results} == set(orch.ingest.RAW_KEYS.values())
    assert all(r.passed for r in results)
    old = time.time() - 27 * 3600
    for path in folder.iterdir():
        os.utime(path, (old, old))
    results = evaluate()
    assert not any(r.passed for r in results)
    assert all(r.severity == dg.AssetCheckSeverity.WARN for r in results)
    assert results[0].metadata["age_hours"].value >= 27


def dbt_test_results(target: Path) -> dict[str, str]:
    """Status by data test of the newest dbt invocation under `target` that ran data tests."""
    runs = [json.loads(p.read_text()) for p in target.glob("*/run_results.json")]
    with_tests = [r for r in runs if any(n["unique_id"].startswith("test.") for n in r["results"])]
    newest = max(with_tests, key=lambda r: r["metadata"]["generated_at"])
    return {n["unique_id"]: n["status"] for n in newest["results"] if n["unique_id"].startswith("test.")}


def test_whole_graph_materializes_with_every_check_passing(full_run, paths):
    assert full_run.success
    evaluations = full_run.get_asset_check_evaluations()
    failed = [e.asset_check_key.to_user_string() for e in evaluations if not e.passed]
    # the tiny CRM breaks the data-quality thresholds on purpose (a warning in these tests)
    assert set(failed) <= {"marts/data_quality_summary:data_quality_thresholds_hold"}
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in evaluations if not e.passed)
    assert len(evaluations) > 500
    # this run is where dbt's data tests run on the tiny CRM (its shared fixture build skips them):
    # every data test of the project ran, and passed but the thresholds it breaks on purpose
    target = paths["dbt_target"]
    manifest = json.loads((target / "manifest.json").read_text())
    project_tests = {
        uid
        for uid, node in manifest["nodes"].items()
        if uid.startswith("test.") and node["config"]["enabled"]
    }
    statuses = dbt_test_results(target)
    assert set(statuses) == project_tests and len(project_tests) > 1000
    not_passed = {uid: status for uid, status in statuses.items() if status != "pass"}
    assert set(not_passed.values()) <= {"warn"}, not_passed
    assert all(".data_quality_thresholds_hold" in uid for uid in not_passed), not_passed
    materialized = {e.asset_key.to_user_string() for e in full_run.get_asset_materialization_events()}
    assert {
        "raw/leads",
        "marts/leads",
        "exports/export_lead_scores_v1",
        "warehouse/published",
    } <= materialized
    # the published copy is a complete warehouse readers can open read-only
    con = duckdb.connect(str(paths["published"]), read_only=True)
    try:
        leads = con.execute("select count(*) from marts.leads").fetchone()[0]
        assert (
            leads > 0
            and con.execute("select count(*) from exports.export_lead_scores_v1").fetchone()[0] == leads
        )
        run_id, as_of, fingerprint = con.execute(
            "select run_id, cast(as_of as varchar), landing_fingerprint from meta.publication"
        ).fetchone()
        assert run_id == full_run.run_id and as_of == AS_OF
    finally:
        con.close()
    # the run recorded its build (ingest started it, dbt finished it) and released the lock
    build = newest_build_run(paths["build"])
    assert build["run_id"] == full_run.run_id and build["status"] == "succeeded"
    assert build["as_of"] == AS_OF and build["dbt_returncode"] == 0 and build["fingerprint"] == fingerprint
    assert not build_lock(paths["build"]).is_locked()
    latest = json.loads((paths["exports"] / "lead_scores_v1" / "latest.json").read_text())
    assert latest["row_counts"] == {
        "full": leads,
        "inserted": leads,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
    }
    assert latest["run_id"] == full_run.run_id and latest["as_of"] == AS_OF


def test_an_hour_later_unchanged_leads_produce_no_diff(orch, paths, full_run, instance):
    # no event, decay step or stage change of the tiny CRM falls between 00:00 and 01:00, so the
    # export rows (rounded scores, updated_at = the last change, no build time) are identical
    later = (datetime.fromisoformat(AS_OF) + timedelta(hours=1)).isoformat(sep=" ")
    result = execute(
        make_defs(orch, paths, as_of=later), "hourly_scoring_refresh", skip_tests=True, instance=instance
    )
    assert result.success
    # dbt built as of the run's as_of (given in dbt's environment: this process has no LEAD_AS_OF)
    con = duckdb.connect(str(paths["build"]), read_only=True)
    assert str(con.execute("select max(as_of) from marts.leads").fetchone()[0]) == later
    con.close()
    # dbt is given the whole project (no list of ~900 names of a Dagster subset), in the project
    # folder itself
    logged = "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))
    assert f"dbt runs in {PROJECT_DIR} " in logged
    assert "--select fqn:*`" in logged
    latest = json.loads((paths["exports"] / "lead_scores_v1" / "latest.json").read_text())
    assert latest["as_of"] == later and latest["sequence"] == 2
    leads = latest["row_counts"]["full"]
    assert leads > 0 and latest["row_counts"] == {
        "full": leads,
        "inserted": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": leads,
    }


def test_the_daily_full_build_checks_that_the_refreshed_state_equals_it(orch, paths, full_run, instance):
    """The nightly check (leadwarehouse/incremental_check.py): the state the daily build and the
    hourly refresh above left is brought to this run's as_of incrementally, fingerprinted, rebuilt
    in full and compared, table by table; the asset check reports it."""
    later = (datetime.fromisoformat(AS_OF) + timedelta(hours=2)).isoformat(sep=" ")
    result = execute(
        make_defs(orch, paths, as_of=later),
        "daily_full_build",
        skip_tests=True,
        instance=instance,
        full_refresh=True,
    )
    assert result.success
    logged = "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))
    assert "an incremental build at this as_of" in logged and "--full-refresh" in logged
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_check_key.name == "incremental_state_matches_full_build"
    ]
    assert evaluation.passed, evaluation.metadata
    compared = evaluation.metadata["compared_tables"].value
    assert compared > 60 and evaluation.metadata["differing_tables"].value == []
    assert check_of_run(paths["build"], result.run_id) == {
        "compared_tables": compared,
        "differing_tables": [],
    }


def test_the_hourly_job_runs_every_test_but_those_of_the_intermediate_models(orch):
    """The hourly job leaves the intermediate models' data tests to the daily build: dbt's selector
    for them (`path:models/intermediate,resource_type:test`) takes exactly the tests Dagster
    attaches to intermediate assets as checks."""
    defs = orch.definitions.defs
    hourly, daily = defs.resolve_job_def("hourly_scoring_refresh"), defs.resolve_job_def("daily_full_build")
    assert hourly.run_config == {"ops": {"lead_warehouse_dbt": {"config": {"intermediate_tests": False}}}}
    assert not daily.run_config
    dbt_assets = orch.dbt.lead_warehouse_dbt
    intermediate_checks = {key for key in dbt_assets.check_keys if key.asset_key.path[0] == "intermediate"}
    assert len(intermediate_checks) > 100
    manifest = json.loads(orch.project.dbt_project.manifest_path.read_text())
    nodes = manifest["nodes"]
    folder, resource_type = orch.dbt.INTERMEDIATE_TESTS.split(",")
    assert (folder, resource_type) == ("path:models/intermediate", "resource_type:test")
    excluded = {
        uid
        for uid, node in nodes.items()
        if uid.startswith("test.")
        and node["config"]["enabled"]
        and node["original_file_path"].startswith("models/intermediate/")
    }
    attached = {
        uid
        for uid, node in nodes.items()
        if uid.startswith("test.")
        and node["config"]["enabled"]
        and node.get("attached_node")
        and nodes.get(node["attached_node"], {})
        .get("original_file_path", "")
        .startswith("models/intermediate/")
    }
    assert excluded == attached and len(excluded) == len(intermediate_checks)


def test_contract_breach_stops_the_run_before_dbt(orch, paths, full_run, tmp_path):
    landing = write_landing(tmp_path / "landing", tiny_crm_rows())
    events = pq.read_table(landing / "marketing_events.parquet")
    column = events.schema.get_field_index("occurred_at")
    events = events.set_column(column, "occurred_at", pa.array([True] * events.num_rows))
    pq.write_table(events, landing / "marketing_events.parquet")
    published_before = file_sha(paths["published"])
    con = duckdb.connect(str(paths["build"]), read_only=True)
    leads_before = con.execute("select max(as_of), count(*) from marts.leads").fetchone()
    con.close()

    result = execute(make_defs(orch, paths, landing=landing), "hourly_scoring_refresh")

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert failure.step_key == "ingest_landing"
    message = failure.event_specific_data.error.message + json.dumps(
        {k: str(v.value) for k, v in failure.event_specific_data.user_failure_data.metadata.items()}
    )
    assert "marketing_events.parquet" in message and "occurred_at" in message
    started = {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START}
    assert started == {"ingest_landing"}  # dbt, exports and publish never started
    build = newest_build_run(paths["build"])
    assert build["run_id"] == result.run_id and build["status"] == "failed"
    assert build["message"].startswith("ingest failed: ") and "occurred_at" in build["message"]
    assert not build_lock(paths["build"]).is_locked()
    assert file_sha(paths["published"]) == published_before
    con = duckdb.connect(str(paths["build"]), read_only=True)
    assert con.execute("select max(as_of), count(*) from marts.leads").fetchone() == leads_before
    con.close()


LOCK_HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()
con.close()
"""


def test_transient_lock_conflict_is_retried(orch, tmp_path, instance):
    # another process holds the warehouse file until the first ingest attempt has failed on
    # DuckDB's lock and Dagster scheduled a retry (whatever the machine's load); then it lets go,
    # the retry policy runs the ingest again and it succeeds
    build = tmp_path / "build.duckdb"
    duckdb.connect(str(build)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(build)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def release_after_first_failure() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if any(
                    instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY)
                    for run in instance.get_runs()
                ):
                    break
            except Exception:  # noqa: BLE001 (the ephemeral instance's in-memory SQLite is busy with the run's writes: "database table is locked")
                pass
            time.sleep(0.2)
        holder.stdin.write("release\n")
        holder.stdin.flush()

    releaser = threading.Thread(target=release_after_first_failure, daemon=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        releaser.start()
        result = dg.materialize(
            [orch.ingest.ingest_landing_asset],
            resources={
                "warehouse": orch.resources.WarehouseResource(build_path=str(build)),
                "landing": orch.resources.LandingResource(
                    landing_dir=str(write_landing(tmp_path / "landing", tiny_crm_rows()))
                ),
            },
            instance=instance,
            raise_on_error=False,
        )
    finally:
        releaser.join(timeout=130)
        holder.wait(timeout=30)
    assert result.success
    types = [e.event_type for e in result.all_events]
    assert dg.DagsterEventType.STEP_UP_FOR_RETRY in types and dg.DagsterEventType.STEP_RESTARTED in types


def test_ingest_waits_for_a_command_line_build_and_an_ingest_only_run_is_not_publishable(
    orch, tmp_path, instance
):
    build = tmp_path / "build.duckdb"
    held = build_lock(build).acquire()  # a `python -m leadwarehouse.build` in progress
    threading.Timer(1.5, held.release).start()
    started = time.monotonic()
    result = dg.materialize(
        [orch.ingest.ingest_landing_asset],
        resources={
            "warehouse": orch.resources.WarehouseResource(build_path=str(build), lock_wait_seconds=60),
            "landing": orch.resources.LandingResource(
                landing_dir=str(write_landing(tmp_path / "landing", tiny_crm_rows()))
            ),
        },
        instance=instance,
        raise_on_error=False,
    )
    assert result.success and time.monotonic() - started > 1.4
    types = [e.event_type for e in result.all_events]
    assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in types  # it waited, it did not fail
    # no dbt step in this run: the lock is released and the raw-only load is not publishable
    assert not build_lock(build).is_locked()
    recorded = newest_build_run(build)
    assert recorded["run_id"] == result.run_id and recorded["status"] == "failed"
    assert "without the dbt step" in recorded["message"]
    failure = orch.resources.lock_busy_failure(LockBusy("another build (pid 1) holds x", {"pid": 1}))
    assert failure.allow_retries and "the warehouse is busy" in failure.description


def test_hourly_schedule_tags_the_tick_and_skips_the_daily_hour(orch):
    schedule = orch.schedules.hourly_scoring_refresh_schedule
    tick = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    request = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick)).run_requests[0]
    assert request.tags["lead_warehouse/scheduled_at"] == "2026-11-25 13:00:00"
    assert request.run_key == "hourly-2026-11-25T13:00:00+00:00"
    assert schedule.job_name == "hourly_scoring_refresh" and schedule.cron_schedule == "0 * * * *"
    skipped = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 25, 2, tzinfo=UTC))
    )
    assert skipped.run_requests == [] and "daily full build" in skipped.skip_message

    daily = orch.schedules.daily_full_build_schedule
    request = daily.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 2, tzinfo=UTC))
    ).run_requests[0]
    assert (
        daily.job_name == "daily_full_build"
        and request.tags["lead_warehouse/scheduled_at"] == "2026-11-26 02:00:00"
    )
    # once a day nothing is carried over from the incremental hourly runs
    assert request.run_config == {"ops": {"lead_warehouse_dbt": {"config": {"full_refresh": True}}}}


def test_landing_sensor_starts_a_run_for_new_files_only(orch, tmp_path):
    sensor = orch.sensors.landing_files_sensor
    folder = tmp_path / "landing"
    landing = orch.resources.LandingResource(landing_dir=str(folder), settle_seconds=30)

    def evaluate(cursor, instance=None):
        context = dg.build_sensor_context(cursor=cursor, resources={"landing": landing}, instance=instance)
        return sensor.evaluate_tick(context)

    assert "no landing files" in evaluate(None).skip_message
    write_landing(folder, tiny_crm_rows())
    old = time.time() - 3600
    for path in folder.iterdir():
        os.utime(path, (old, old))

    first = evaluate(None)
    assert len(first.run_requests) == 1 and first.cursor
    assert first.run_requests[0].job_name in (None, "hourly_scoring_refresh")
    assert json.loads(first.cursor)["files"] == len(TABLES)  # one file per contract table
    assert "no new landing files" in evaluate(first.cursor).skip_message

    # a file still being written (changed seconds ago) waits; the cursor does not move
    (folder / "leads.parquet").write_bytes((folder / "leads.parquet").read_bytes())
    waiting = evaluate(first.cursor)
    assert (
        waiting.run_requests == []
        and "settle" in waiting.skip_message
        and waiting.cursor in (None, first.cursor)
    )
    os.utime(folder / "leads.parquet", (old + 60, old + 60))
    second = evaluate(first.cursor)
    assert len(second.run_requests) == 1 and second.cursor != first.cursor
    assert second.run_requests[0].run_key != first.run_requests[0].run_key

    # hidden and partial files are no delivery
    (folder / ".partial.tmp").write_text("x")
    (folder / "_manifest.json").write_text("{}")
    assert "no new landing files" in evaluate(second.cursor).skip_message

    # while a warehouse run is in progress the sensor waits (and keeps its cursor)
    os.utime(folder / "teams.parquet", (old + 120, old + 120))
    started, release = threading.Event(), threading.Event()

    @dg.op
    def hold():
        started.set()
        assert release.wait(60)

    @dg.job(name="daily_full_build")
    def stand_in():  # a run of a warehouse job, in progress while the sensor looks
        hold()

    # no compute-log capture for the stand-in run: after the module's full run this test took 61 s
    # instead of 1 s, dagster waiting at the run's end for its `tail -F` log helper to exit
    no_compute_logs = {
        "compute_logs": {
            "module": "dagster._core.storage.noop_compute_log_manager",
            "class": "NoOpComputeLogManager",
        }
    }
    with dg.instance_for_test(overrides=no_compute_logs) as instance:
        runner = threading.Thread(target=stand_in.execute_in_process, kwargs={"instance": instance})
        runner.start()
        try:
            assert started.wait(60)
            busy = evaluate(second.cursor, instance)
        finally:
            release.set()
            # the run ends with its teardown (compute logs, event log), slow on a loaded machine
            runner.join(300)
        assert busy.run_requests == [] and "in progress" in busy.skip_message
        assert not runner.is_alive(), "the stand-in run did not finish within 5 minutes"
        assert "in progress" not in (evaluate(second.cursor, instance).skip_message or "")
