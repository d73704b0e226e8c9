"""Reverse-ETL export files (leadwarehouse/exports.py): full file, change file and manifest across
consecutive runs, counted by hand. The export table is written directly into a DuckDB file, so
these tests need no dbt build (the dbt export model is built and tested in test_orchestration).
One export writes a folder at a time (the exports lock): a concurrent one is refused at once, and
a killed export leaves state.json naming the last complete run."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from leadwarehouse import exports
from leadwarehouse.exports import ExportBusy, ExportError, sha256, verify_run, write_export
from leadwarehouse.locking import exports_lock

PROJECT_DIR = Path(__file__).resolve().parent.parent

COLUMNS = (
    "lead_id varchar primary key, email varchar, total_score integer, score_band varchar, "
    "score_reasons varchar, mql_at timestamp, updated_at timestamp"
)
T1, T2 = datetime(2026, 9, 1, 10), datetime(2026, 10, 5, 9)
ANN = ("a", "ann@acme.com", 72, "mql", "Tier A ICP (100%) · +15 pricing page", T1, T1)
BEN = ("b", "ben@gmail.com", 0, "nurture", "Tier C ICP (0%) · −20 free-mail", None, T1)
CAT = ("c", "cat@globex.com", 45, "warm", "Tier B ICP (60%)", None, T1)
ANN_HOT = ("a", "ann@acme.com", 85, "hot", "Tier A ICP (100%) · +15 pricing page · +25 demo request", T1, T2)
DAN = ("d", "dan@initech.com", 20, "nurture", "Tier C ICP (20%)", None, T2)


def load(warehouse: Path, rows: list[tuple], as_of: str = "2026-11-01 00:00:00") -> Path:
    """Replace the export table (and marts.leads' as_of) in a small DuckDB warehouse."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists exports")
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table exports.export_lead_scores_v1 ({COLUMNS})")
        if rows:
            con.executemany("insert into exports.export_lead_scores_v1 values (?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute(f"create or replace table marts.leads as select timestamp '{as_of}' as as_of")
    finally:
        con.close()
    return warehouse


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def changes(manifest: dict) -> list[tuple[str, str]]:
    """(change_type, lead_id) of the run's change file, from the Parquet file."""
    table = pq.read_table(Path(manifest["run_dir"]) / "lead_scores_v1_changes.parquet")
    return list(
        zip(table.column("change_type").to_pylist(), table.column("lead_id").to_pylist(), strict=True)
    )


@pytest.fixture
def setup(tmp_path):
    return tmp_path / "wh.duckdb", tmp_path / "exports"


def test_insert_update_noop_delete_across_runs(setup):
    warehouse, out = setup

    # run 1: first export, every row is an insert
    first = write_export(load(warehouse, [ANN, BEN, CAT]), out, run_id="run-1")
    assert first["row_counts"] == {"full": 3, "inserted": 3, "updated": 0, "deleted": 0, "unchanged": 0}
    assert first["is_initial_load"] and first["sequence"] == 1 and first["previous_run_id"] is None
    assert changes(first) == [("insert", "a"), ("insert", "b"), ("insert", "c")]
    assert first["as_of"] == "2026-11-01 00:00:00"

    # run 2: Ann's score changed, Dan is new, Ben and Cat are unchanged
    second = write_export(load(warehouse, [ANN_HOT, BEN, CAT, DAN]), out, run_id="run-2")
    assert second["row_counts"] == {"full": 4, "inserted": 1, "updated": 1, "deleted": 0, "unchanged": 2}
    assert changes(second) == [("update", "a"), ("insert", "d")]
    assert second["previous_run_id"] == "run-1" and second["sequence"] == 2
    header, rows = read_csv(Path(second["run_dir"]) / "lead_scores_v1_changes.csv")
    assert header[0] == "change_type" and rows[0]["total_score"] == "85" and rows[0]["score_band"] == "hot"

    # run 3: nothing changed: an empty change file (header and schema, no rows)
    third = write_export(load(warehouse, [ANN_HOT, BEN, CAT, DAN]), out, run_id="run-3")
    assert third["row_counts"] == {"full": 4, "inserted": 0, "updated": 0, "deleted": 0, "unchanged": 4}
    header, rows = read_csv(Path(third["run_dir"]) / "lead_scores_v1_changes.csv")
    assert rows == [] and header == ["change_type", "lead_id", "email", "total_score", "score_band",
                                     "score_reasons", "mql_at", "updated_at"]  # fmt: skip
    empty = pq.read_table(Path(third["run_dir"]) / "lead_scores_v1_changes.parquet")
    assert empty.num_rows == 0 and empty.schema.names == header

    # run 4: Cat disappeared: a delete carrying her last exported values
    fourth = write_export(load(warehouse, [ANN_HOT, BEN, DAN]), out, run_id="run-4")
    assert fourth["row_counts"] == {"full": 3, "inserted": 0, "updated": 0, "deleted": 1, "unchanged": 3}
    _, rows = read_csv(Path(fourth["run_dir"]) / "lead_scores_v1_changes.csv")
    assert [(r["change_type"], r["lead_id"], r["email"], r["total_score"]) for r in rows] == [
        ("delete", "c", "cat@globex.com", "45")
    ]


def test_manifest_checksums_and_files(setup):
    warehouse, out = setup
    manifest = write_export(load(warehouse, [ANN, BEN]), out, run_id="run-1")
    run_dir = Path(manifest["run_dir"])
    assert sorted(manifest["files"]) == [
        "lead_scores_v1.csv",
        "lead_scores_v1.parquet",
        "lead_scores_v1_changes.csv",
        "lead_scores_v1_changes.parquet",
    ]
    for name, facts in manifest["files"].items():
        assert facts["sha256"] == sha256(run_dir / name)
        assert facts["bytes"] == (run_dir / name).stat().st_size
    assert manifest["files"]["lead_scores_v1.csv"]["rows"] == 2
    assert verify_run(run_dir) == []
    on_disk = json.loads((run_dir / "manifest.json").read_text())
    assert on_disk["run_id"] == "run-1" and on_disk["row_counts"]["full"] == 2
    latest = json.loads((out / "lead_scores_v1" / "latest.json").read_text())
    assert latest["run_id"] == "run-1" and (out / "lead_scores_v1" / latest["run_dir"]) == run_dir
    # the full file is ordered by the key and keeps the readable reasons intact (UTF-8)
    _, rows = read_csv(run_dir / "lead_scores_v1.csv")
    assert [r["lead_id"] for r in rows] == ["a", "b"] and rows[1]["score_reasons"].endswith("−20 free-mail")
    (run_dir / "lead_scores_v1.csv").write_text("tampered\n")
    assert verify_run(run_dir) == ["lead_scores_v1.csv"]


def test_empty_export_writes_headers_not_a_row_of_nulls(setup):
    warehouse, out = setup
    manifest = write_export(load(warehouse, []), out, run_id="run-1")
    assert manifest["row_counts"] == {"full": 0, "inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    run_dir = Path(manifest["run_dir"])
    assert (run_dir / "lead_scores_v1.csv").read_text().strip().split(",")[0] == "lead_id"
    assert len((run_dir / "lead_scores_v1.csv").read_text().strip().splitlines()) == 1
    table = pq.read_table(run_dir / "lead_scores_v1.parquet")
    assert table.num_rows == 0 and "lead_id" in table.schema.names


def test_failed_export_does_not_advance_the_state(setup, monkeypatch):
    warehouse, out = setup
    write_export(load(warehouse, [ANN, BEN]), out, run_id="run-1")
    load(warehouse, [ANN_HOT, BEN])
    real_write_json = exports._write_json

    def crash_on_state(path, payload):
        if path.name == "state.json":
            raise OSError("disk full")
        real_write_json(path, payload)

    monkeypatch.setattr(exports, "_write_json", crash_on_state)
    with pytest.raises(OSError):
        write_export(warehouse, out, run_id="run-2")
    monkeypatch.setattr(exports, "_write_json", real_write_json)
    # the state still names run 1, so the retry reports the same change again (at least once)
    retry = write_export(warehouse, out, run_id="run-2b")
    assert retry["previous_run_id"] == "run-1"
    assert retry["row_counts"]["updated"] == 1 and changes(retry) == [("update", "a")]


def test_duplicate_keys_and_missing_model_are_errors(setup):
    warehouse, out = setup
    con = duckdb.connect(str(warehouse))
    con.execute("create schema exports")
    con.execute("create table exports.export_lead_scores_v1 (lead_id varchar, email varchar)")
    con.execute("insert into exports.export_lead_scores_v1 values ('a', 'x'), ('a', 'y')")
    con.close()
    with pytest.raises(ExportError, match="more than once"):
        write_export(warehouse, out, run_id="run-1")
    with pytest.raises(ExportError, match="does not exist"):
        write_export(load(warehouse, [ANN]), out, spec=exports.ExportSpec("x", 1, "exports.nope", ("id",)))
    assert not (out / "lead_scores_v1" / "state" / "state.json").exists()


def state_of(out: Path) -> dict:
    return json.loads((out / "lead_scores_v1" / "state" / "state.json").read_text())


def test_a_concurrent_export_is_refused_at_once_and_the_state_stays_intact(setup, monkeypatch):
    warehouse, out = setup
    write_export(load(warehouse, [ANN, BEN]), out, run_id="run-1")
    load(warehouse, [ANN_HOT, BEN, DAN])
    inside, proceed = threading.Event(), threading.Event()
    real_copy_out = exports._copy_out

    def slow_copy_out(*args, **kwargs):
        inside.set()
        assert proceed.wait(30)
        return real_copy_out(*args, **kwargs)

    monkeypatch.setattr(exports, "_copy_out", slow_copy_out)
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(write_export(warehouse, out, run_id="run-2")))
    thread.start()
    try:
        assert inside.wait(30)  # the first export is writing its files
        started = time.monotonic()
        with pytest.raises(ExportBusy) as busy:
            write_export(warehouse, out, run_id="run-3")
        assert time.monotonic() - started < 1
        assert str(busy.value).startswith(f"another export (pid {os.getpid()}, started ")
        assert str(busy.value).endswith(f"holds {out}; wait for it or pass --wait")
        assert state_of(out)["run_id"] == "run-1"  # untouched by the refused export
        cli = subprocess.run(
            [sys.executable, "-m", "leadwarehouse.exports", "--warehouse", str(warehouse), "--out", str(out)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 3 and cli.stderr.startswith("export not started: another export (pid ")
        assert "Traceback" not in cli.stderr
    finally:
        proceed.set()
        thread.join(60)
    assert first["run_id"] == "run-2" and first["previous_run_id"] == "run-1"
    state = state_of(out)
    assert (
        state["run_id"] == "run-2"
        and verify_run(out / "lead_scores_v1" / state["manifest"].rsplit("/", 1)[0]) == []
    )
    runs = sorted(p.name for p in (out / "lead_scores_v1" / "runs").iterdir())
    assert runs == ["000001_run-1", "000002_run-2"]


def test_export_with_wait_proceeds_once_the_other_ends(setup):
    warehouse, out = setup
    load(warehouse, [ANN])
    lock = exports_lock(out).acquire()
    threading.Timer(1.0, lock.release).start()
    started = time.monotonic()
    manifest = write_export(warehouse, out, run_id="run-1", wait=30)
    assert time.monotonic() - started > 0.9 and manifest["row_counts"]["full"] == 1


KILLED_EXPORT = """
import os, signal, sys
from leadwarehouse import exports
real = exports._write_json
def die_on_state(path, payload):
    if path.name == "state.json":
        os.kill(os.getpid(), signal.SIGKILL)
    real(path, payload)
exports._write_json = die_on_state
exports.write_export(sys.argv[1], sys.argv[2], run_id="run-2")
"""


def test_a_killed_export_leaves_the_state_at_the_last_complete_run(setup):
    warehouse, out = setup
    write_export(load(warehouse, [ANN, BEN]), out, run_id="run-1")
    load(warehouse, [ANN_HOT, BEN])
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(warehouse), str(out)], cwd=PROJECT_DIR, timeout=120
    )
    assert killed.returncode == -9  # killed while committing its state
    root = out / "lead_scores_v1"
    state = state_of(out)
    assert state["run_id"] == "run-1" and (root / state["manifest"]).is_file()
    assert (root / "state" / state["snapshot"]).is_file()
    (root / "runs" / ".000002_x.deadbeef.tmp").mkdir()  # a work folder of an export killed earlier
    # the next export is not blocked by the dead one, reports the change again and cleans up
    retry = write_export(warehouse, out, run_id="run-3")
    assert retry["previous_run_id"] == "run-1" and changes(retry) == [("update", "a")]
    assert state_of(out)["run_id"] == "run-3"
    assert sorted(p.name for p in (root / "runs").iterdir()) == ["000001_run-1", "000002_run-3"]
    assert [p.name for p in (root / "state").iterdir() if p.name != "state.json"] == [
        state_of(out)["snapshot"]
    ]


def test_an_export_of_the_published_copy_equals_the_export_of_the_build(setup, tmp_path):
    """Publish writes the export model into a new file (leadwarehouse/publish.py): same columns,
    types, key and rows, so the files a consumer gets do not depend on which one was read."""
    from leadwarehouse.build import BUILD_RUNS_DDL
    from leadwarehouse.publish import REQUIRED_RELATIONS, publish

    warehouse, _ = setup
    load(warehouse, [ANN_HOT, BEN, CAT, DAN])
    con = duckdb.connect(str(warehouse))
    try:
        for relation in set(REQUIRED_RELATIONS) - {"exports.export_lead_scores_v1", "marts.leads"}:
            con.execute(f"create schema if not exists {relation.split('.')[0]}")
            con.execute(f"create table {relation} as select 1 as id")
        con.execute("create schema if not exists meta")
        con.execute(BUILD_RUNS_DDL)
        con.execute(
            "insert into meta.build_runs (run_id, started_at, finished_at, as_of, status) "
            "values ('run-1', now(), now(), timestamp '2026-11-01 00:00:00', 'succeeded')"
        )
    finally:
        con.close()
    published = publish(warehouse, tmp_path / "published.duckdb").path

    from_build = write_export(warehouse, tmp_path / "from_build", run_id="run-1")
    from_copy = write_export(published, tmp_path / "from_copy", run_id="run-1")
    assert from_copy["columns"] == from_build["columns"]
    assert from_copy["as_of"] == from_build["as_of"] == "2026-11-01 00:00:00"
    assert (
        from_copy["row_counts"]
        == from_build["row_counts"]
        == {
            "full": 4,
            "inserted": 4,
            "updated": 0,
            "deleted": 0,
            "unchanged": 0,
        }
    )
    for name in ("lead_scores_v1.csv", "lead_scores_v1_changes.csv"):
        assert (Path(from_copy["run_dir"]) / name).read_text() == (
            Path(from_build["run_dir"]) / name
        ).read_text()
