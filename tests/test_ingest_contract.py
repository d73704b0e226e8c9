"""Ingest checks the input contract: a broken landing file fails with the file and column named,
and the raw schema of the last good load is kept."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from leadwarehouse.contract import TABLES
from leadwarehouse.ingest import ContractError, ingest_landing
from leadwarehouse.landing import write_landing
from tests.tiny_crm import tiny_crm_rows


@pytest.fixture
def landing(tmp_path):
    return write_landing(tmp_path / "landing", tiny_crm_rows())


def raw_counts(warehouse) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_loads_every_table_with_lineage_columns(landing, tmp_path):
    counts = ingest_landing(landing, tmp_path / "wh.duckdb")
    # the tiny CRM: 10 hand-made records (merged, junk and broken ones) and the 5 SLA leads
    assert counts["leads"] == len(tiny_crm_rows()["leads"]) == 15
    assert counts["campaigns"] == 0
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    first = con.execute(
        "select lead_id, _source_file, _source_row from raw.leads order by _source_row limit 1"
    ).fetchone()
    assert first == ("L1", "leads.parquet", 1)


def test_missing_required_column_names_file_and_column(landing, tmp_path):
    table = pq.read_table(landing / "leads.parquet").drop_columns(["created_at"])
    pq.write_table(table, landing / "leads.parquet")
    with pytest.raises(
        ContractError, match=r"leads\.parquet: required column 'created_at' of table 'leads' is missing"
    ):
        ingest_landing(landing, tmp_path / "wh.duckdb")


def test_missing_optional_column_loads_as_nulls(landing, tmp_path):
    table = pq.read_table(landing / "accounts.parquet").drop_columns(["tech_stack"])
    pq.write_table(table, landing / "accounts.parquet")
    ingest_landing(landing, tmp_path / "wh.duckdb")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert (
        con.execute("select count(tech_stack), count(*) from raw.accounts").fetchone()
        == (0, len(tiny_crm_rows()["accounts"]))
        == (0, 5)
    )


def test_mistyped_parquet_column_names_file_and_column(landing, tmp_path):
    table = pq.read_table(landing / "marketing_events.parquet")
    index = table.schema.get_field_index("occurred_at")
    table = table.set_column(index, "occurred_at", pa.array([True] * table.num_rows))
    pq.write_table(table, landing / "marketing_events.parquet")
    with pytest.raises(ContractError, match=r"marketing_events\.parquet: column 'occurred_at' .* type bool"):
        ingest_landing(landing, tmp_path / "wh.duckdb")


def test_text_column_where_nothing_parses_is_a_mistyped_column(tmp_path):
    rows = tiny_crm_rows()
    for account in rows["accounts"]:
        account["employee_count"] = "many"
    landing = write_landing(tmp_path / "landing", rows, fmt="csv")
    with pytest.raises(
        ContractError, match=r"accounts\.csv: column 'employee_count' .*none of 5 non-empty values"
    ):
        ingest_landing(landing, tmp_path / "wh.duckdb")


def test_missing_required_table_is_named(landing, tmp_path):
    (landing / "leads.parquet").unlink()
    with pytest.raises(ContractError, match=r"table 'leads': no landing file found"):
        ingest_landing(landing, tmp_path / "wh.duckdb")


def test_missing_optional_table_loads_empty(landing, tmp_path):
    (landing / "reps.parquet").unlink()
    counts = ingest_landing(landing, tmp_path / "wh.duckdb")
    assert counts["reps"] == 0
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'reps' order by ordinal_position"
    ).fetchall()
    assert columns == [(c, "VARCHAR") for c in TABLES["reps"].column_names] + [
        ("_source_file", "VARCHAR"),
        ("_source_row", "BIGINT"),
        ("_batch_id", "VARCHAR"),
    ]


def test_minimal_leads_file_with_only_required_columns_loads(landing, tmp_path):
    """Only the id and the placing timestamp are required; every other column lands as nulls."""
    required = [c.name for c in TABLES["leads"].columns if c.required]
    assert required == ["lead_id", "created_at"]
    table = pq.read_table(landing / "leads.parquet").select(required)
    pq.write_table(table, landing / "leads.parquet")
    counts = ingest_landing(landing, tmp_path / "wh.duckdb")
    assert counts["leads"] == 15
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("select count(*), count(email), count(title) from raw.leads").fetchone() == (
        15,
        0,
        0,
    )


def test_failed_ingest_keeps_the_last_good_raw_tables(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_landing(landing, warehouse)
    before = raw_counts(warehouse)
    broken = write_landing(tmp_path / "broken", {"leads": [{"lead_id": "x"}]})
    table = pq.read_table(broken / "opportunities.parquet").drop_columns(["stage"])  # a required column
    pq.write_table(table, broken / "opportunities.parquet")
    with pytest.raises(ContractError):
        ingest_landing(broken, warehouse)
    assert raw_counts(warehouse) == before


def test_csv_and_parquet_and_parts_load_the_same_rows(tmp_path):
    rows = tiny_crm_rows()
    parquet = write_landing(tmp_path / "pq", rows)
    csv = write_landing(tmp_path / "csv", rows, fmt="csv")
    # a table split in parts, as EL tools write it
    parts = tmp_path / "pq" / "leads"
    parts.mkdir()
    table = pq.read_table(parquet / "leads.parquet")
    pq.write_table(table.slice(0, 4), parts / "part-00000.parquet")
    pq.write_table(table.slice(4), parts / "part-00001.parquet")
    (parquet / "leads.parquet").unlink()
    ingest_landing(parquet, tmp_path / "a.duckdb")
    ingest_landing(csv, tmp_path / "b.duckdb")
    for name, table_def in TABLES.items():
        cols = ", ".join(table_def.column_names)
        got = [
            duckdb.connect(str(tmp_path / db), read_only=True)
            .execute(f"select {cols} from raw.{name} order by all")
            .fetchall()
            for db in ("a.duckdb", "b.duckdb")
        ]
        assert got[0] == got[1], name


def test_cli_reports_contract_errors_without_a_traceback(landing, tmp_path):
    (landing / "leads.parquet").unlink()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "leadwarehouse.ingest",
            "--landing",
            str(landing),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "ingest failed: table 'leads': no landing file found" in out.stderr
    assert "Traceback" not in out.stderr
