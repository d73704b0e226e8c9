"""Ingest loses nothing silently and never crashes with a traceback: one small test per fault a
real landing folder has (two deliveries of one table, half-written parts, symlinks, duplicated
headers, odd rows deep in a big CSV, a wrong encoding, …). Every failure is a ContractError
with a one-line message naming the file (relative to the landing folder) and the column or
line; every successful ingest is checked against an independent count of the landing rows."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from leadwarehouse import ingest as ingest_module
from leadwarehouse.contract import TABLES
from leadwarehouse.ingest import ContractError, count_landing_rows, ingest_landing
from leadwarehouse.landing import write_landing
from tests.tiny_crm import tiny_crm_rows

LEADS_HEADER = "lead_id,email,company_name,created_at,owner_rep_id"


@pytest.fixture
def landing(tmp_path):
    """The tiny CRM as CSV files, one per contract table."""
    return write_landing(tmp_path / "landing", tiny_crm_rows(), fmt="csv")


@pytest.fixture
def parquet_landing(tmp_path):
    return write_landing(tmp_path / "landing", tiny_crm_rows(), fmt="parquet")


def query(warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def ingest_ok(landing_dir, warehouse):
    """Ingest, and prove raw rows per table == the rows the landing folder holds."""
    report = ingest_landing(landing_dir, warehouse)
    expected = count_landing_rows(landing_dir)
    raw = {t: query(warehouse, f"select count(*) from raw.{t}")[0][0] for t in TABLES}
    assert raw == expected == dict(report)
    return report


def fails(landing_dir, warehouse, message: str) -> str:
    """Ingest must fail with exactly `message` (a one-line ContractError)."""
    with pytest.raises(ContractError) as info:
        ingest_landing(landing_dir, warehouse)
    assert str(info.value) == message
    assert "\n" not in str(info.value)
    return str(info.value)


def lead_line(i: int, company: str = "Acme") -> str:
    return f"L{i},user{i}@acme.com,{company},2026-01-01T00:00:00Z,r1"


def write_leads_csv(path, n: int, special: dict[int, str] | None = None) -> None:
    """A leads CSV of n data rows (row i is on line i + 1 unless a special row spans lines)."""
    special = special or {}
    rows = [special.get(i, lead_line(i)) for i in range(1, n + 1)]
    path.write_text(LEADS_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


# 1. landing selection ------------------------------------------------------------------------


def test_csv_beside_parquet_is_refused_naming_both(landing, tmp_path):
    pq.write_table(pa.table({"account_id": ["a9"]}), landing / "accounts.parquet")
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "table 'accounts' is delivered more than once: accounts.csv and accounts.parquet; "
        "keep exactly one of accounts.csv, accounts.parquet or a folder accounts/",
    )


def test_file_beside_folder_is_refused_naming_both(landing, tmp_path):
    (landing / "leads").mkdir()
    shutil.copy(landing / "leads.csv", landing / "leads" / "part-00000.csv")
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "table 'leads' is delivered more than once: leads/ and leads.csv; "
        "keep exactly one of leads.csv, leads.parquet or a folder leads/",
    )


def test_mixed_format_folder_is_refused_naming_the_parts(parquet_landing, tmp_path):
    folder = parquet_landing / "leads"
    folder.mkdir()
    (parquet_landing / "leads.parquet").rename(folder / "part-00000.parquet")
    (folder / "part-00001.csv").write_text(LEADS_HEADER + "\n" + lead_line(99) + "\n")
    fails(
        parquet_landing,
        tmp_path / "wh.duckdb",
        "leads/: mixed formats in one table folder (leads/part-00001.csv and leads/part-00000.parquet); "
        "the parts of a table must be all CSV or all Parquet",
    )


def test_hidden_and_temporary_files_are_ignored_and_reported(landing, tmp_path):
    folder = landing / "leads"
    folder.mkdir()
    write_leads_csv(folder / "part-00000.csv", 3)
    (landing / "leads.csv").unlink()
    write_leads_csv(folder / ".part-00001.csv", 50)  # still being written by the EL tool
    (folder / "_SUCCESS").write_text("")
    (folder / "_manifest.json").write_text("{}")
    (folder / "notes.txt").write_text("not data")
    (landing / "_SUCCESS").write_text("")
    report = ingest_ok(landing, tmp_path / "wh.duckdb")
    assert report["leads"] == 3  # the hidden part's 50 rows are not loaded
    assert [str(i) for i in report.tables["leads"].ignored] == [
        "leads/.part-00001.csv (hidden or temporary: the name starts with '.' or '_')",
        "leads/_SUCCESS (hidden or temporary: the name starts with '.' or '_')",
        "leads/_manifest.json (hidden or temporary: the name starts with '.' or '_')",
        "leads/notes.txt (not a .csv or .parquet file)",
    ]
    assert [i.rel for i in report.ignored] == ["_SUCCESS"]
    assert "  ignored _SUCCESS (hidden or temporary: the name starts with '.' or '_')" in report.lines()


def test_folder_without_data_parts_is_refused(landing, tmp_path):
    (landing / "leads.csv").unlink()
    (landing / "leads").mkdir()
    (landing / "leads" / "_SUCCESS").write_text("")
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads/: the folder holds no .csv or .parquet part; ignored: leads/_SUCCESS",
    )


def test_subfolder_of_a_table_folder_is_refused(landing, tmp_path):
    (landing / "leads").mkdir()
    (landing / "leads.csv").rename(landing / "leads" / "part-00000.csv")
    (landing / "leads" / "2026-11").mkdir()
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads/2026-11/: sub-folders of a table folder are not read; put every part directly in leads/",
    )


def test_extension_matching_is_case_insensitive(landing, tmp_path):
    (landing / "accounts.csv").rename(landing / "accounts.CSV")
    report = ingest_ok(landing, tmp_path / "wh.duckdb")
    assert report["accounts"] == 5
    assert query(tmp_path / "wh.duckdb", "select distinct _source_file from raw.accounts") == [
        ("accounts.CSV",)
    ]


# 2. symlinks and regular files ---------------------------------------------------------------


def test_symlink_outside_the_landing_folder_is_refused_naming_the_link(landing, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (landing / "accounts.csv").rename(outside / "accounts.csv")
    (landing / "accounts.csv").symlink_to(outside / "accounts.csv")
    message = fails(
        landing,
        tmp_path / "wh.duckdb",
        "accounts.csv: is a symlink that resolves outside the landing folder; refused "
        "(copy the file into the landing folder instead)",
    )
    assert "acme" not in message.lower() and "elsewhere" not in message


def test_symlink_inside_the_landing_folder_is_followed(landing, tmp_path):
    (landing / "archive").mkdir()
    (landing / "accounts.csv").rename(landing / "archive" / "accounts-2026-11.csv")
    (landing / "accounts.csv").symlink_to("archive/accounts-2026-11.csv")
    report = ingest_ok(landing, tmp_path / "wh.duckdb")
    assert report["accounts"] == 5
    # lineage names the file as delivered in the landing folder
    assert query(tmp_path / "wh.duckdb", "select distinct _source_file from raw.accounts") == [
        ("accounts.csv",)
    ]
    assert [str(i) for i in report.ignored] == ["archive/ (not a table of the contract)"]


def test_broken_symlink_and_non_regular_files_are_refused(landing, tmp_path):
    (landing / "accounts.csv").unlink()
    (landing / "accounts.csv").symlink_to(tmp_path / "gone.csv")
    fails(landing, tmp_path / "wh.duckdb", "accounts.csv: is a broken symlink or cannot be opened; refused")
    (landing / "accounts.csv").unlink()
    os.mkfifo(landing / "accounts.csv")
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "accounts.csv: is not a regular file (a pipe, socket or device); refused",
    )


# 3. columns of each part ---------------------------------------------------------------------


def test_part_missing_an_optional_column_keeps_the_values_of_the_other_parts(landing, tmp_path):
    (landing / "leads.csv").unlink()
    folder = landing / "leads"
    folder.mkdir()
    write_leads_csv(folder / "part-00000.csv", 2)
    (folder / "part-00001.csv").write_text(
        "lead_id,created_at,email\nL3,2026-01-02T00:00:00Z,c@acme.com\n"  # no owner_rep_id
    )
    (folder / "part-00002.csv").write_text(LEADS_HEADER + "\n" + lead_line(4).replace(",r1", ",r2") + "\n")
    warehouse = tmp_path / "wh.duckdb"
    report = ingest_ok(landing, warehouse)
    assert query(
        warehouse, "select lead_id, owner_rep_id, _source_file, _source_row from raw.leads order by 3, 4"
    ) == [
        ("L1", "r1", "leads/part-00000.csv", 1),
        ("L2", "r1", "leads/part-00000.csv", 2),
        ("L3", None, "leads/part-00001.csv", 1),  # row numbers count within each file
        ("L4", "r2", "leads/part-00002.csv", 1),
    ]
    notes = report.tables["leads"].notes()
    assert (
        "optional column owner_rep_id missing in 1 of 3 parts (null for their rows only): leads/part-00001.csv"
        in notes
    )
    assert query(
        warehouse, "select file, missing_optional_columns from meta.landing_files where table_name = 'leads'"
    ) == [
        ("leads/part-00000.csv", "first_name,last_name,title,account_id,country,lead_source,channel,motion,"
         "campaign_id,has_marketing_consent,owner_assigned_at,merged_into_lead_id,updated_at"),
        ("leads/part-00001.csv", "first_name,last_name,title,account_id,company_name,country,lead_source,channel,"
         "motion,campaign_id,has_marketing_consent,owner_rep_id,owner_assigned_at,merged_into_lead_id,updated_at"),
        ("leads/part-00002.csv", "first_name,last_name,title,account_id,country,lead_source,channel,motion,"
         "campaign_id,has_marketing_consent,owner_assigned_at,merged_into_lead_id,updated_at"),
    ]  # fmt: skip


def test_part_missing_a_required_column_is_named(landing, tmp_path):
    (landing / "leads.csv").unlink()
    (landing / "leads").mkdir()
    write_leads_csv(landing / "leads" / "part-00000.csv", 2)
    (landing / "leads" / "part-00001.csv").write_text("lead_id,email\nL3,c@acme.com\n")
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads/part-00001.csv: required column 'created_at' of table 'leads' is missing (the file has 2 columns)",
    )


def test_duplicated_header_names_the_file_and_column(landing, tmp_path):
    (landing / "leads.csv").write_text(
        "lead_id,email,created_at,EMAIL\nL1,a@acme.com,2026-01-01T00:00:00Z,b@acme.com\n"
    )
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads.csv: column 'email' appears 2 times ('email', 'EMAIL'; names match case-insensitively); keep one",
    )


def test_duplicated_parquet_column_names_the_file_and_column(parquet_landing, tmp_path):
    table = pa.Table.from_arrays(
        [pa.array(["L1"]), pa.array(["2026-01-01"]), pa.array(["x"]), pa.array(["y"])],
        names=["lead_id", "created_at", "Title", "title"],
    )
    pq.write_table(table, parquet_landing / "leads.parquet")
    fails(
        parquet_landing,
        tmp_path / "wh.duckdb",
        "leads.parquet: column 'title' appears 2 times ('Title', 'title'; names match case-insensitively); keep one",
    )


def test_headerless_csv_is_named_without_echoing_its_rows(landing, tmp_path):
    (landing / "leads.csv").write_text("L1,jane.doe@secret.example,2026-01-01T00:00:00Z\n")
    message = fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads.csv: required column 'lead_id' of table 'leads' is missing "
        "(no column name matches the contract: is the header row missing?)",
    )
    assert "secret" not in message


# 4. robust CSV reading -----------------------------------------------------------------------


def test_zero_byte_file_is_named_as_empty(landing, tmp_path):
    (landing / "leads.csv").write_bytes(b"")
    fails(landing, tmp_path / "wh.duckdb", "leads.csv: file is empty (no header row)")


def test_header_only_leads_is_a_valid_empty_table(landing, tmp_path):
    # an empty delivery is not a contract breach; the build's volume guard judges it later
    (landing / "leads.csv").write_text(LEADS_HEADER + "\n")
    assert ingest_ok(landing, tmp_path / "wh.duckdb")["leads"] == 0


def test_quoted_comma_and_newline_after_row_25000_load_every_row(landing, tmp_path):
    n = 30_000
    special = {i: lead_line(i, company='"Acme, Inc.\nEMEA ""North"""') for i in (25_001, 29_999)}
    write_leads_csv(landing / "leads.csv", n, special)
    assert count_landing_rows(landing)["leads"] == n  # rows, not lines
    warehouse = tmp_path / "wh.duckdb"
    assert ingest_ok(landing, warehouse)["leads"] == n
    assert query(warehouse, "select company_name, _source_row from raw.leads where lead_id = 'L25001'") == [
        ('Acme, Inc.\nEMEA "North"', 25_001)
    ]
    assert query(warehouse, "select lead_id from raw.leads where _source_row = 30000") == [("L30000",)]


def test_row_with_too_many_fields_after_row_25000_names_the_line(landing, tmp_path):
    """Decision: a structurally broken row (more or fewer fields than the header, or broken
    quoting) stops ingest with the file and line named. Its fields cannot be assigned to
    columns safely (which one is the stray?), and the raw tables have no column to flag it for
    quarantine; the message names the line so the export can be fixed, and nothing of the
    row's content is echoed."""
    write_leads_csv(landing / "leads.csv", 30_000, {25_002: lead_line(25_002, company="Acme, Inc")})
    message = fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads.csv: line 25,003 has 6 fields but the header has 5 "
        "(delimiter ',': an unquoted delimiter or a missing quote?)",
    )
    assert "Acme" not in message and "user25002" not in message


def test_unclosed_quote_names_the_line(landing, tmp_path):
    write_leads_csv(landing / "leads.csv", 100, {60: 'L60,a@acme.com,"Acme" Inc,2026-01-01T00:00:00Z,r1'})
    fails(
        landing,
        tmp_path / "wh.duckdb",
        "leads.csv: line 61: malformed CSV (',' expected after '\"'; an unclosed or stray quote?)",
    )


def test_bom_crlf_semicolons_and_quoted_newlines_load(landing, tmp_path):
    text = 'lead_id;company_name;created_at\r\nL1;"Acme; Inc.\r\nEMEA";2026-01-01T00:00:00Z\r\nL2;Beta;2026-01-02\r\n'
    (landing / "leads.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    warehouse = tmp_path / "wh.duckdb"
    assert ingest_ok(landing, warehouse)["leads"] == 2
    assert query(warehouse, "select lead_id, company_name from raw.leads order by _source_row") == [
        ("L1", "Acme; Inc.\r\nEMEA"),
        ("L2", "Beta"),
    ]


def test_loaded_rows_must_equal_the_rows_in_the_file(landing, tmp_path, monkeypatch):
    """The guard that catches DuckDB and the csv module disagreeing about a file."""
    scan = ingest_module.scan_csv

    def miscounting(file, encoding):
        layout = scan(file, encoding)
        return type(layout)(layout.header, layout.delimiter, layout.encoding, layout.records + 1)

    monkeypatch.setattr(ingest_module, "scan_csv", miscounting)
    fails(landing, tmp_path / "wh.duckdb", "leads.csv: loaded 15 rows but the file holds 16")


def test_unreadable_parquet_is_named(parquet_landing, tmp_path):
    (parquet_landing / "accounts.parquet").write_bytes(b"PAR1 this is not parquet")
    message = str(pytest.raises(ContractError, ingest_landing, parquet_landing, tmp_path / "wh.duckdb").value)
    assert message.startswith("accounts.parquet: not a readable Parquet file (")
    (parquet_landing / "accounts.parquet").write_bytes(b"")
    fails(
        parquet_landing,
        tmp_path / "wh.duckdb",
        "accounts.parquet: file is empty (0 bytes, not a Parquet file)",
    )


def test_example_values_are_short_and_escaped(landing, tmp_path):
    (landing / "accounts.csv").write_text(
        "account_id,employee_count\n" + "".join(f"a{i},{'x' * 200}\\n{i}\n" for i in range(3))
    )
    message = fails(
        landing,
        tmp_path / "wh.duckdb",
        "accounts.csv: column 'employee_count' of table 'accounts': none of 3 non-empty values parses "
        "as integer (e.g. 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…')",
    )
    assert len(re.search(r"\(e\.g\. (.*)\)$", message).group(1)) <= 40


# 5. encoding ---------------------------------------------------------------------------------


def _latin1_leads(landing, line: int) -> int:
    """leads.csv with 'é' as a Latin-1 byte on `line`; returns the byte offset."""
    n = line + 10
    write_leads_csv(landing / "leads.csv", n, {line - 1: lead_line(line - 1, company="Café Oslo")})
    data = (landing / "leads.csv").read_bytes().replace("é".encode(), b"\xe9")
    (landing / "leads.csv").write_bytes(data)
    return data.index(b"\xe9")


def test_latin1_byte_at_line_40000_names_the_line_and_offset(landing, tmp_path, monkeypatch):
    monkeypatch.delenv("LEAD_CSV_ENCODING", raising=False)
    offset = _latin1_leads(landing, 40_000)
    fails(
        landing,
        tmp_path / "wh.duckdb",
        f"leads.csv: line 40,000 is not valid UTF-8 (byte 0xe9 at offset {offset:,}); "
        "re-export as UTF-8 or set LEAD_CSV_ENCODING=latin-1",
    )


def test_declared_latin1_loads(landing, tmp_path, monkeypatch):
    _latin1_leads(landing, 40_000)
    monkeypatch.setenv("LEAD_CSV_ENCODING", "latin-1")
    warehouse = tmp_path / "wh.duckdb"
    assert ingest_ok(landing, warehouse)["leads"] == 40_010
    assert query(warehouse, "select company_name from raw.leads where lead_id = 'L39999'") == [("Café Oslo",)]


def test_declared_utf16_loads_and_unknown_encodings_are_refused(landing, tmp_path, monkeypatch):
    (landing / "leads.csv").write_bytes(f"{LEADS_HEADER}\n{lead_line(1, 'Zürich AG')}\n".encode("utf-16"))
    monkeypatch.setenv("LEAD_CSV_ENCODING", "utf-16")
    for name in TABLES:  # every CSV of the folder is read in the declared encoding
        if name != "leads":
            path = landing / f"{name}.csv"
            path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    warehouse = tmp_path / "wh.duckdb"
    assert ingest_ok(landing, warehouse)["leads"] == 1
    assert query(warehouse, "select company_name from raw.leads") == [("Zürich AG",)]
    monkeypatch.setenv("LEAD_CSV_ENCODING", "cp1252")
    fails(landing, warehouse, "LEAD_CSV_ENCODING='cp1252' is not supported (use utf-8, utf-16 or latin-1)")


# 6. optional tables and the landing manifest -------------------------------------------------


def test_absent_optional_tables_land_empty_and_are_listed(landing, tmp_path):
    for name in ("lifecycle_events", "reps", "campaigns"):
        (landing / f"{name}.csv").unlink()
    warehouse = tmp_path / "wh.duckdb"
    report = ingest_ok(landing, warehouse)
    assert report.absent_tables == ["lifecycle_events", "reps", "campaigns"]
    assert query(warehouse, "select count(*) from raw.lifecycle_events") == [(0,)]
    assert query(warehouse, "select absent_tables, table_count, file_count from meta.landing_snapshot") == [
        ("lifecycle_events,reps,campaigns", len(TABLES) - 3, len(TABLES) - 3)
    ]
    assert "reps" not in {r[0] for r in query(warehouse, "select table_name from meta.landing_files")}


def test_absent_leads_is_an_error(landing, tmp_path):
    (landing / "leads.csv").unlink()
    fails(
        landing,
        tmp_path / "wh.duckdb",
        f"table 'leads': no landing file found in {landing} "
        "(expected leads.parquet, leads.csv or a folder leads/ of parts)",
    )


def test_landing_manifest_and_fingerprint(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    report = ingest_ok(landing, warehouse)
    files = query(
        warehouse, "select table_name, file, format, bytes, sha256, raw_rows from meta.landing_files"
    )
    assert len(files) == len(TABLES)
    for table, file, fmt, size, sha, rows in files:
        data = (landing / file).read_bytes()
        assert (file, fmt, size, sha, rows) == (
            f"{table}.csv",
            "csv",
            len(data),
            hashlib.sha256(data).hexdigest(),
            report[table],
        )
    snapshot = query(
        warehouse, "select fingerprint, table_count, file_count, raw_rows from meta.landing_snapshot"
    )
    assert snapshot == [(report.fingerprint, len(TABLES), len(TABLES), sum(report.values()))]
    # filled by the build after a successful dbt run; it must exist, empty, after the first ingest
    assert query(warehouse, "select count(*) from meta.last_good_raw_counts") == [(0,)]

    # the same files (copied elsewhere) → the same fingerprint; one byte changed → another
    copy = shutil.copytree(landing, tmp_path / "copy")
    assert ingest_ok(copy, tmp_path / "other.duckdb").fingerprint == report.fingerprint
    data = (copy / "accounts.csv").read_bytes()
    (copy / "accounts.csv").write_bytes(data.replace(b"Acme", b"Acmf", 1))  # one byte
    changed = ingest_ok(copy, warehouse)
    assert changed.fingerprint != report.fingerprint
    assert query(warehouse, "select fingerprint from meta.landing_snapshot") == [(changed.fingerprint,)]


def test_a_failure_during_the_load_keeps_raw_and_manifest(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    good = ingest_ok(landing, warehouse)
    (landing / "accounts.csv").write_text("account_id,employee_count\na1,many\n")  # fails after loading
    with pytest.raises(ContractError, match=r"accounts\.csv: column 'employee_count'"):
        ingest_landing(landing, warehouse)
    assert query(warehouse, "select count(*) from raw.accounts") == [(5,)]
    assert query(warehouse, "select fingerprint from meta.landing_snapshot") == [(good.fingerprint,)]


# 8. the CLI ----------------------------------------------------------------------------------


def run_cli(landing_dir, warehouse, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "leadwarehouse.ingest",
            "--landing",
            str(landing_dir),
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_cli_prints_rows_files_and_notes(landing, tmp_path):
    (landing / "reps.csv").unlink()
    (landing / "_SUCCESS").write_text("")
    out = run_cli(landing, tmp_path / "wh.duckdb")
    assert out.returncode == 0, out.stderr
    assert re.search(r"^  leads +15 rows  1 file +leads\.csv$", out.stdout, re.M)
    assert re.search(
        r"^  reps +0 rows  absent \(optional table\): loaded as an empty table$", out.stdout, re.M
    )
    assert "  ignored _SUCCESS (hidden or temporary: the name starts with '.' or '_')" in out.stdout


def test_cli_fails_with_one_line_and_no_traceback(landing, tmp_path):
    (landing / "accounts.csv").write_bytes(b"")
    (landing / "leads.csv").write_bytes(b"lead_id,created_at\nL1,2026-01-01\nL2,caf\xe9,x\n")
    out = run_cli(landing, tmp_path / "wh.duckdb", {"LEAD_CSV_ENCODING": "utf-8"})
    assert out.returncode == 2
    assert out.stderr == (
        "ingest failed: leads.csv: line 3 is not valid UTF-8 (byte 0xe9 at offset 39); "
        "re-export as UTF-8 or set LEAD_CSV_ENCODING=latin-1\n"
    )
    out = run_cli(landing, tmp_path / "wh.duckdb", {"LEAD_CSV_ENCODING": "latin-1"})
    assert (out.returncode, out.stderr) == (2, "ingest failed: leads.csv: line 3 has 3 fields but the header has 2 "
                                                "(delimiter ',': an unquoted delimiter or a missing quote?)\n")  # fmt: skip
