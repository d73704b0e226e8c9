"""A build that fails only on DuckDB's catalog race between dbt threads re-runs the failed nodes
once (`dbt retry`, leadwarehouse/build.py: CATALOG_RACE); any other failure fails the build.

The race cannot be provoked on purpose, so dbt is replaced here by a stand-in that writes the
run_results.json a raced run writes (the message is the one a 1M-lead refresh logged) and fails."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from leadwarehouse import build
from leadwarehouse.landing import write_landing
from tests.tiny_crm import tiny_crm_rows

RACE = (
    "Runtime Error in model int_business_hours (models/intermediate/sla/int_business_hours.sql)\n"
    "  Catalog Error: Table with name stg_reference__picklist_lookup__dbt_backup does not exist!"
)


def result(node: str, status: str, message: str | None = None) -> dict:
    return {"unique_id": f"model.lead_warehouse.{node}", "status": status, "message": message}


def test_only_catalog_races_are_retried():
    assert build.only_catalog_races(
        [result("a", "success"), result("b", "error", RACE), result("c", "skipped")]
    )
    tmp = RACE.replace("__dbt_backup", "__dbt_tmp")
    assert build.only_catalog_races([result("b", "error", tmp)])
    # another error beside it, a failing data test, or nothing failed: no retry
    assert not build.only_catalog_races([result("b", "error", RACE), result("c", "error", "Binder Error: x")])
    assert not build.only_catalog_races([result("b", "error", RACE), result("t", "fail", "Got 3 results")])
    assert not build.only_catalog_races([result("a", "success")])
    assert not build.only_catalog_races([])


@pytest.fixture
def landing(tmp_path) -> Path:
    return write_landing(tmp_path / "landing", tiny_crm_rows())


def fake_dbt(target: Path, first_message: str, calls: list[list[str]]):
    """A start_dbt whose runs record their arguments; the first run writes run_results.json with
    one model failing on `first_message` and fails as dbt would."""

    def run(args):
        calls.append(list(args))
        if len(calls) == 1:
            target.mkdir(parents=True, exist_ok=True)
            results = [
                result("stg_crm__reps", "success"),
                result("int_business_hours", "error", first_message),
            ]
            (target / "run_results.json").write_text(json.dumps({"results": results}))
            raise subprocess.CalledProcessError(1, ["dbt", *args])

    def start_dbt(args, warehouse_path, as_of=None, **kwargs):
        return SimpleNamespace(wait=lambda: run(args), stop=lambda: None)

    return start_dbt


def last_run(warehouse: Path) -> tuple[str, str | None]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select status, message from meta.build_runs order by started_at desc limit 1"
        ).fetchone()
    finally:
        con.close()


def test_a_build_that_hit_the_race_reruns_the_failed_nodes_and_succeeds(landing, tmp_path, monkeypatch):
    target = tmp_path / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    calls: list[list[str]] = []
    monkeypatch.setattr(build, "start_dbt", fake_dbt(target, RACE, calls))
    logged: list[str] = []
    warehouse = tmp_path / "wh" / "build.duckdb"
    build.run_build(landing, warehouse, ["build", "--full-refresh"], log=logged.append)
    assert calls == [["build", "--full-refresh"], ["retry"]]
    assert any("catalog race" in line for line in logged)
    assert last_run(warehouse)[0] == "succeeded"


def test_any_other_failure_fails_the_build_without_a_retry(landing, tmp_path, monkeypatch):
    target = tmp_path / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    calls: list[list[str]] = []
    monkeypatch.setattr(build, "start_dbt", fake_dbt(target, "Binder Error: column x not found", calls))
    warehouse = tmp_path / "wh" / "build.duckdb"
    with pytest.raises(subprocess.CalledProcessError):
        build.run_build(landing, warehouse, ["build", "--full-refresh"])
    assert calls == [["build", "--full-refresh"]]
    status, message = last_run(warehouse)
    assert status == "failed" and "int_business_hours" in message
