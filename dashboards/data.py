"""Read-only access to the published warehouse for the dashboards.

The dashboards never open the file dbt writes: they read the published copy (env
`LEAD_PUBLISHED_PATH`, default `data/warehouse/published.duckdb`), which the publish step
replaces atomically. Connections are short-lived and read-only: one per script run (see
`session()`, which app.py wraps around every page) or one per query outside a session, each
closed at once, so a new publish is picked up by the next run and no reader holds the file.
Each connection is a private in-memory DuckDB that ATTACHes the file read-only, so it never
shares a cached database instance (possibly of a replaced file) with another session.
Results are cached (`st.cache_data`, ttl 10 min) under the file's path and modification
time: a new publish is a new cache key.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboards.queries import common

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PUBLISHED = Path("data/warehouse/published.duckdb")
CACHE_TTL_SECONDS = 600
BUILD_HINT = "make demo"


class WarehouseUnavailable(Exception):
    """The published warehouse cannot be read; `reason` is missing, not_built, busy or broken."""

    def __init__(self, reason: str, path: Path, detail: str = "") -> None:
        super().__init__(f"{reason}: {path} {detail}".strip())
        self.reason = reason
        self.path = path
        self.detail = detail


@dataclass(frozen=True)
class WarehouseInfo:
    path: Path
    modified_at: pd.Timestamp
    as_of: Any
    tables: frozenset[str]

    def has(self, table: str) -> bool:
        return table in self.tables


def published_path() -> Path:
    """The published warehouse: $LEAD_PUBLISHED_PATH (relative to the working directory) or the
    project's data/warehouse/published.duckdb."""
    raw = os.environ.get("LEAD_PUBLISHED_PATH", "").strip()
    if raw:
        return Path(raw).expanduser().resolve()
    return PROJECT_DIR / DEFAULT_PUBLISHED


def _version() -> tuple[str, int]:
    path = published_path()
    try:
        return str(path), path.stat().st_mtime_ns
    except FileNotFoundError:
        raise WarehouseUnavailable("missing", path) from None


def _to_duckdb(params: tuple) -> list[Any]:
    return [list(p) if isinstance(p, tuple) else p for p in params]


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=1000)
def _cached_query(path: str, mtime_ns: int, sql: str, params: tuple) -> pd.DataFrame:
    return execute(Path(path), sql, _to_duckdb(params))


_local = threading.local()


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A new read-only connection to the warehouse file."""
    con = duckdb.connect()
    try:
        literal = str(path).replace("'", "''")  # a configured path, never user input
        con.execute(f"attach '{literal}' as warehouse (read_only)")
        con.execute("use warehouse")
    except duckdb.Error as exc:  # locked by a writer, or not a DuckDB file
        con.close()
        detail = str(exc).splitlines()[0]
        reason = "busy" if "lock" in detail.lower() else "broken"
        raise WarehouseUnavailable(reason, Path(path), detail) from None
    return con


@contextmanager
def session() -> Iterator[None]:
    """Share one connection among the queries of this thread (a script run) until the block ends."""
    outer = getattr(_local, "connections", None)
    if outer is not None:  # nested: the outer session owns the connections
        yield
        return
    _local.connections = {}
    try:
        yield
    finally:
        for con in _local.connections.values():
            con.close()
        _local.connections = None


def execute(path: Path, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one query (no cache): on the session's connection, or on a connection of its own."""
    connections = getattr(_local, "connections", None)
    if connections is None:
        con = connect(path)
        try:
            return con.execute(sql, list(params)).df()
        finally:
            con.close()
    key = str(path)
    if key not in connections:
        connections[key] = connect(path)
    return connections[key].execute(sql, list(params)).df()


def run(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """The cached query runner the pages use (`queries.common.Runner`). Parameters are bound, never
    formatted into the SQL."""
    path, mtime_ns = _version()
    frozen = tuple(tuple(p) if isinstance(p, list) else p for p in params)
    return _cached_query(path, mtime_ns, sql, frozen)


def warehouse_info() -> WarehouseInfo:
    """What the dashboards need to know before querying; raises WarehouseUnavailable."""
    path, mtime_ns = _version()
    try:
        tables = frozenset(common.available_tables(run))
    except duckdb.Error as exc:
        raise WarehouseUnavailable("broken", Path(path), str(exc).splitlines()[0]) from None
    if "marts.leads" not in tables:
        raise WarehouseUnavailable("not_built", Path(path))
    return WarehouseInfo(
        path=Path(path),
        modified_at=pd.Timestamp(mtime_ns, unit="ns", tz="UTC"),
        as_of=common.as_of(run),
        tables=tables,
    )


def clear_cache() -> None:
    _cached_query.clear()
