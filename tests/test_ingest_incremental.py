"""Ingest reads only new or changed landing files: unchanged files keep their rows (and the
batch that loaded them), changed or removed files lose theirs, and the raw tables always end
up holding exactly what a full reload of the same landing folder holds."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from leadwarehouse.contract import TABLES
from leadwarehouse.ingest import ContractError, ingest_landing
from leadwarehouse.landing import write_landing
from tests.tiny_crm import tiny_crm_rows

HEADER = "lead_id,email,company_name,created_at,owner_rep_id"


def rows(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def raw_content(warehouse) -> dict[str, list[tuple]]:
    """Every raw row of every table, without the batch that loaded it."""
    return {t: rows(warehouse, f"select * exclude (_batch_id) from raw.{t} order by all") for t in TABLES}


def batches(warehouse, table: str) -> dict[str, str]:
    return dict(rows(warehouse, f"select distinct _source_file, _batch_id from raw.{table}"))


@pytest.fixture
def landing(tmp_path):
    """The tiny CRM as CSV, with leads delivered as two parts."""
    folder = write_landing(tmp_path / "landing", tiny_crm_rows(), fmt="csv")
    (folder / "leads.csv").unlink()
    (folder / "leads").mkdir()
    (folder / "leads" / "part-00000.csv").write_text(
        f"{HEADER}\nL1,a@acme.com,Acme,2026-01-01T00:00:00Z,r1\nL2,b@acme.com,Acme,2026-01-02T00:00:00Z,r1\n"
    )
    (folder / "leads" / "part-00001.csv").write_text(
        f"{HEADER}\nL3,c@beta.com,Beta,2026-01-03T00:00:00Z,r2\n"
    )
    return folder


def full_reload(landing, tmp_path) -> dict[str, list[tuple]]:
    fresh = tmp_path / "fresh.duckdb"
    fresh.unlink(missing_ok=True)
    ingest_landing(landing, fresh, full=True)
    return raw_content(fresh)


def test_an_unchanged_landing_reads_no_file_again(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    first = ingest_landing(landing, warehouse, batch_id="b1")
    assert len(first.loaded_files) == len(first.files) == len(TABLES) + 1  # leads has two parts
    before = raw_content(warehouse)

    second = ingest_landing(landing, warehouse, batch_id="b2")
    assert second.loaded_files == []
    assert dict(second) == dict(first)
    assert raw_content(warehouse) == before
    assert set(batches(warehouse, "leads").values()) == {"b1"}
    assert second.fingerprint == first.fingerprint
    kept = len(second.files)
    assert f"  batch b2: loaded 0 new or changed files (0 rows), kept {kept} unchanged" in second.lines()


def test_new_changed_and_removed_files_give_what_a_full_reload_gives(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_landing(landing, warehouse, batch_id="b1")
    parts = landing / "leads"
    # part 0 is gone, part 1 changed (L3 moved to another rep, L4 added), part 2 is new
    (parts / "part-00000.csv").unlink()
    (parts / "part-00001.csv").write_text(
        f"{HEADER}\nL3,c@beta.com,Beta,2026-01-03T00:00:00Z,r1\nL4,d@beta.com,Beta,2026-01-04T00:00:00Z,r2\n"
    )
    (parts / "part-00002.csv").write_text(f"{HEADER}\nL5,e@gamma.com,Gamma,2026-01-05T00:00:00Z,r1\n")

    report = ingest_landing(landing, warehouse, batch_id="b2")

    assert [f.file for f in report.loaded_files] == ["leads/part-00001.csv", "leads/part-00002.csv"]
    assert report["leads"] == 3
    assert batches(warehouse, "leads") == {"leads/part-00001.csv": "b2", "leads/part-00002.csv": "b2"}
    assert set(batches(warehouse, "accounts").values()) == {"b1"}  # untouched tables keep their batch
    assert rows(warehouse, "select lead_id, owner_rep_id, _source_row from raw.leads order by 1") == [
        ("L3", "r1", 1),
        ("L4", "r2", 2),
        ("L5", "r1", 1),
    ]
    assert rows(warehouse, "select file, batch_id from meta.landing_files where table_name = 'leads'") == [
        ("leads/part-00001.csv", "b2"),
        ("leads/part-00002.csv", "b2"),
    ]
    assert raw_content(warehouse) == full_reload(landing, tmp_path)


def test_a_table_delivered_in_another_format_is_reloaded(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_landing(landing, warehouse, batch_id="b1")
    parquet = write_landing(tmp_path / "parquet", tiny_crm_rows(), fmt="parquet")
    (landing / "accounts.csv").unlink()
    shutil.copy(parquet / "accounts.parquet", landing / "accounts.parquet")

    report = ingest_landing(landing, warehouse, batch_id="b2")

    assert [f.file for f in report.loaded_files] == ["accounts.parquet"]
    assert batches(warehouse, "accounts") == {"accounts.parquet": "b2"}
    assert raw_content(warehouse) == full_reload(landing, tmp_path)


def test_raw_rows_lost_between_ingests_fail_naming_the_file_and_full_reload_repairs(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_landing(landing, warehouse, batch_id="b1")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw.leads where lead_id = 'L2'")

    with pytest.raises(ContractError) as info:
        ingest_landing(landing, warehouse, batch_id="b2")
    assert str(info.value) == (
        "raw.leads: holds 1 rows of leads/part-00000.csv but the file holds 2; run ingest with --full to reload"
    )

    ingest_landing(landing, warehouse, batch_id="b3", full=True)
    assert raw_content(warehouse) == full_reload(landing, tmp_path)
    assert set(batches(warehouse, "leads").values()) == {"b3"}


def test_raw_tables_of_an_earlier_layout_are_reloaded(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_landing(landing, warehouse, batch_id="b1")
    with duckdb.connect(str(warehouse)) as con:  # as written before raw rows had a batch
        con.execute("alter table raw.leads drop column _batch_id")

    report = ingest_landing(landing, warehouse, batch_id="b2")

    assert [f.file for f in report.loaded_files] == ["leads/part-00000.csv", "leads/part-00001.csv"]
    assert raw_content(warehouse) == full_reload(landing, tmp_path)


def test_a_failed_ingest_leaves_the_last_load_in_place(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_landing(landing, warehouse, batch_id="b1")
    before = raw_content(warehouse)
    (landing / "leads" / "part-00002.csv").write_text("lead_id,created_at\nL9\n")  # too few fields

    with pytest.raises(ContractError, match="leads/part-00002.csv"):
        ingest_landing(landing, warehouse, batch_id="b2")

    assert raw_content(warehouse) == before
    assert rows(warehouse, "select distinct batch_id from meta.landing_files") == [("b1",)]
