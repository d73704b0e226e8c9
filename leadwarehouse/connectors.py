"""Load a Salesforce or HubSpot schema, as a Fivetran connector writes it, into the warehouse.

    python -m leadwarehouse.connectors --shape salesforce --landing DIR --warehouse FILE

The landing folder holds one entry per connector table, named as Fivetran names the table:
``lead.parquet``, ``contact.csv`` or a folder ``task/`` of Parquet parts. They are loaded as they
are into schema ``salesforce`` / ``hubspot`` (LEAD_SALESFORCE_SCHEMA / LEAD_HUBSPOT_SCHEMA), which
the dbt adapter models (models/staging/salesforce, models/staging/hubspot) read when the build
runs with ``LEAD_SOURCE_SHAPE`` (or dbt var ``source_shape``) set to the shape. What the connector
schema cannot express (web events, teams, territories, spend, targets, …) comes from contract
files in the same folder (``marketing_events.parquet`` …), loaded into the raw schema by
``leadwarehouse.ingest``.

Where your connector already syncs into the warehouse there is nothing to load: point
LEAD_SALESFORCE_SCHEMA / LEAD_HUBSPOT_SCHEMA at its schema. This loader is for files (exports,
the synthetic CRM of ``python -m leadwarehouse.generator --shape salesforce``, tests).

A required table or column that is missing stops the load before anything is replaced, with the
file and the column named; an optional table that is absent is created empty (a column the
adapter reads but the table lacks is null there, as for a field the CRM org does not have).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from leadwarehouse.contract import TABLES
from leadwarehouse.duckdb_resources import connect
from leadwarehouse.ingest import ContractError, ingest_landing
from leadwarehouse.locking import EXIT_BUSY, LockBusy, add_wait_argument, build_lock

SHAPES = ("salesforce", "hubspot")
SCHEMA_ENV = {"salesforce": "LEAD_SALESFORCE_SCHEMA", "hubspot": "LEAD_HUBSPOT_SCHEMA"}

# Connector tables the adapter reads -> the columns a file of that table must have (ids and the
# timestamps that place a row in time). The first table of each shape is required.
CONNECTOR_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "lead": ("id", "created_date"),
        "contact": ("id", "created_date"),
        "account": ("id",),
        "opportunity": ("id", "stage_name"),
        "opportunity_field_history": ("id", "opportunity_id", "field", "created_date"),
        "opportunity_contact_role": ("id", "opportunity_id", "contact_id"),
        "lead_history": ("id", "lead_id", "field", "created_date"),
        "task": ("id", "who_id"),
        "event": ("id", "who_id"),
        "campaign": ("id",),
        "campaign_member": ("id", "campaign_id"),
        "user": ("id",),
        "user_role": ("id",),
    },
    "hubspot": {
        "contact": ("id", "property_createdate"),
        "company": ("id",),
        "deal": ("deal_id",),
        "deal_pipeline_stage": ("stage_id",),
        "deal_contact": ("deal_id", "contact_id"),
        "deal_company": ("deal_id", "company_id"),
        "owner": ("owner_id",),
        "users": ("id",),
        "role": ("id",),
        "engagement": ("id", "type"),
        "engagement_contact": ("engagement_id", "contact_id"),
        "engagement_call": ("engagement_id",),
        "engagement_email": ("engagement_id",),
        "engagement_meeting": ("engagement_id",),
        "engagement_note": ("engagement_id",),
        "email_event": ("id", "type", "created", "recipient"),
        "email_campaign": ("id",),
        "contact_form_submission": ("conversion_id", "contact_id", "timestamp"),
        "form": ("guid",),
    },
}
TIME_COLUMNS = {"created_date", "property_createdate", "created", "timestamp"}


class ConnectorError(Exception):
    """The landing folder does not hold the connector tables the adapter needs."""


def _q(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connector_schema(shape: str) -> str:
    return os.environ.get(SCHEMA_ENV[shape], shape)


def _files(landing: Path, table: str) -> tuple[list[Path], str] | None:
    for fmt in ("parquet", "csv"):
        single = landing / f"{table}.{fmt}"
        if single.is_file():
            return [single], fmt
    folder = landing / table
    if folder.is_dir():
        for fmt in ("parquet", "csv"):
            parts = sorted(p for p in folder.glob(f"*.{fmt}") if not p.name.startswith((".", "_")))
            if parts:
                return parts, fmt
    return None


def _reader(files: list[Path], fmt: str) -> str:
    paths = "[" + ", ".join(_q(f.resolve()) for f in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({paths}, union_by_name = true)"
    return f"read_csv({paths}, header = true, union_by_name = true)"


def _columns(con: duckdb.DuckDBPyConnection, files: list[Path], fmt: str, label: str) -> dict[str, str]:
    try:
        rel = con.sql(f"select * from {_reader(files, fmt)} limit 0")
    except duckdb.Error as exc:
        raise ConnectorError(f"{label}: not a readable {fmt} file ({str(exc).splitlines()[0]})") from exc
    return {name.lower(): name for name in rel.columns}


def plan_connector_tables(con: duckdb.DuckDBPyConnection, shape: str, landing: Path) -> dict:
    """{table: (files, fmt) or None for an absent optional table}; raises ConnectorError."""
    plan: dict[str, tuple[list[Path], str] | None] = {}
    tables = CONNECTOR_TABLES[shape]
    first = next(iter(tables))
    for table, required in tables.items():
        found = _files(landing, table)
        if found is None:
            if table == first:
                raise ConnectorError(
                    f"{shape} table '{table}': no file in {landing} (expected {table}.parquet, "
                    f"{table}.csv or a folder {table}/ of parts, named as the Fivetran {shape} connector "
                    "names the table)"
                )
            plan[table] = None
            continue
        files, fmt = found
        label = str(files[0] if len(files) == 1 else files[0].parent)
        columns = _columns(con, files, fmt, label)
        for column in required:
            if column not in columns:
                raise ConnectorError(
                    f"{label}: required column '{column}' of {shape} table '{table}' is missing "
                    f"(found: {', '.join(sorted(columns)) or 'no columns'})"
                )
        plan[table] = (files, fmt)
    return plan


def _contract_landing(landing: Path, tmp: Path) -> list[str]:
    """Copy the contract files of the landing folder into tmp (an empty leads table when there is
    none: in a connector shape the leads come from the connector). Returns the tables found."""
    found = []
    for name, table in TABLES.items():
        for entry in (landing / f"{name}.parquet", landing / f"{name}.csv", landing / name):
            if entry.is_file():
                shutil.copy2(entry, tmp / entry.name)
                found.append(name)
                break
            if entry.is_dir():
                shutil.copytree(entry, tmp / entry.name)
                found.append(name)
                break
        else:
            if table.required:
                schema = pa.schema([pa.field(c.name, pa.string()) for c in table.columns])
                pq.write_table(schema.empty_table(), tmp / f"{name}.parquet")
    return found


def load_connector_landing(
    shape: str,
    landing_dir: Path | str,
    warehouse_path: Path | str,
    raw_schema: str | None = None,
) -> dict[str, int]:
    """Load the connector tables of `landing_dir` into schema `shape` (LEAD_<SHAPE>_SCHEMA) and the
    contract files beside them into the raw schema. Returns rows per loaded table, named
    '<schema>.<table>'. Raises ConnectorError (or ingest's ContractError) naming what is wrong."""
    if shape not in SHAPES:
        raise ConnectorError(f"shape must be salesforce or hubspot, got {shape!r}")
    landing = Path(landing_dir)
    if not landing.is_dir():
        raise ConnectorError(f"landing folder {landing} does not exist")
    raw_schema = raw_schema or os.environ.get("LEAD_RAW_SCHEMA", "raw")
    schema = connector_schema(shape)
    Path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect()  # reads the files only: every check before anything is replaced
    try:
        plan = plan_connector_tables(con, shape, landing)
    finally:
        con.close()
    # the contract files beside the connector tables: checked and loaded by ingest, in its own
    # transaction (an empty leads table when there is none: the leads come from the connector)
    with tempfile.TemporaryDirectory(prefix="contract-landing-") as tmp:
        _contract_landing(landing, Path(tmp))
        report = ingest_landing(tmp, warehouse_path, raw_schema)
    con = connect(warehouse_path)
    try:
        con.execute("begin transaction")
        con.execute(f"drop schema if exists {_ident(schema)} cascade")
        con.execute(f"create schema {_ident(schema)}")
        for table, found in plan.items():
            target = f"{_ident(schema)}.{_ident(table)}"
            if found is None:
                cols = ", ".join(
                    f"cast(null as {'timestamp' if c in TIME_COLUMNS else 'varchar'}) as {_ident(c)}"
                    for c in CONNECTOR_TABLES[shape][table]
                )
                con.execute(f"create table {target} as select {cols} limit 0")
            else:
                con.execute(f"create table {target} as select * from {_reader(*found)}")
            counts[f"{schema}.{table}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
        con.execute("commit")
    except duckdb.Error as exc:
        raise ConnectorError(
            f"loading {shape} tables into {warehouse_path}: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        con.close()
    for name, rows in dict(report).items():
        counts[f"{raw_schema}.{name}"] = int(rows)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.connectors",
        description="Load a Salesforce or HubSpot schema as the Fivetran connector writes it "
        "(one file or folder per connector table: lead.parquet, contact.parquet, …) into the "
        "warehouse, with the contract files beside it (marketing_events.parquet, teams.parquet, …) "
        "loaded into the raw schema. Then build with LEAD_SOURCE_SHAPE=<shape>.",
    )
    parser.add_argument(
        "--shape", required=True, choices=SHAPES, help="connector schema of the landing folder"
    )
    parser.add_argument("--landing", required=True, metavar="DIR", help="folder with the connector tables")
    parser.add_argument(
        "--warehouse", default="data/warehouse/build.duckdb", help="DuckDB file (default: %(default)s)"
    )
    parser.add_argument(
        "--raw-schema",
        default=None,
        help="schema for the contract tables (default: $LEAD_RAW_SCHEMA or raw)",
    )
    add_wait_argument(parser)
    args = parser.parse_args(argv)
    try:
        # the warehouse's lock, as a build holds it: no build or publish reads half a load
        with build_lock(args.warehouse, purpose="connector load").acquire(wait=args.wait):
            counts = load_connector_landing(args.shape, args.landing, args.warehouse, args.raw_schema)
    except LockBusy as exc:
        print(f"load not started: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (ConnectorError, ContractError) as exc:
        print(f"load failed: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"load failed: warehouse {args.warehouse}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    for name, rows in counts.items():
        print(f"  {name:<40} {rows:>12,} rows")
    print(
        f"loaded {args.shape} into {args.warehouse}; build it with: LEAD_SOURCE_SHAPE={args.shape} "
        f"LEAD_WAREHOUSE_PATH={args.warehouse} .venv/bin/dbt build"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
