"""Reverse-ETL file exports: a full file, a change file and a sync manifest per run.

``write_export`` reads a contracted export model (``exports.export_lead_scores_v1``) from the
warehouse and writes, under ``<out>/<export>_v<version>/``::

    runs/<sequence>_<run id>/
        lead_scores_v1.parquet            every row (the full export)
        lead_scores_v1.csv
        lead_scores_v1_changes.parquet    rows whose content changed since the last successful
        lead_scores_v1_changes.csv        export: change_type insert / update / delete
        manifest.json                     run id, as_of, row counts, sha256 of every file
    latest.json                           the manifest of the newest run (the consumer's pointer)
    state/state.json                      the last successful run, naming its snapshot:
    state/snapshot-<sequence>-<id>.parquet   the full export of that run with each row's hash

Changes are found by comparing a hash of each row's content with the previous snapshot, keyed
by the primary key; a key that disappeared is a ``delete`` carrying its last exported values.
Scores in the export model are rounded, so a lead whose score did not change produces no diff.

The state is committed last, atomically (state.json is written to a temporary file, fsynced and
renamed over the old one, and names the new snapshot), and only once the run folder is complete: if
anything fails or the process is killed before, state.json still names the last complete run and
the next run diffs against the same snapshot again (at-least-once delivery; change rows are
idempotent upserts and deletes). One export writes an exports folder at a time: an export holds
``<out>/.exports.lock`` (leadwarehouse/locking.py); a second one fails at once naming the holder
(exit code 3) or waits with ``--wait``. Leftovers of a killed export (temporary run folders,
uncommitted snapshots) are removed by the next export, under the lock.
Empty results give files with the header/schema and no rows.

Exit codes: 0 exported; 1 the export failed (state unchanged); 3 busy: another export holds the folder.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadwarehouse.locking import EXIT_BUSY, LockBusy, add_wait_argument, exports_lock

CHANGE_TYPES = ("insert", "update", "delete")
KEEP_RUNS = 48


@dataclass(frozen=True)
class ExportSpec:
    name: str
    version: int
    relation: str
    primary_key: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name}_v{self.version}"


LEAD_SCORES_V1 = ExportSpec(
    name="lead_scores", version=1, relation="exports.export_lead_scores_v1", primary_key=("lead_id",)
)


class ExportError(Exception):
    """The export could not be written; the export state is untouched."""


class ExportBusy(ExportError):
    """Another export holds the exports folder; nothing was written."""


class ExportSource:
    """Where the export model is read. `stage` makes it the temporary relation `src` of the
    export's in-memory DuckDB connection (raising ExportError when the warehouse lacks it);
    `as_of` is the build's as_of, when the warehouse records one."""

    def stage(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        raise NotImplementedError

    def as_of(self, con: duckdb.DuckDBPyConnection) -> str | None:
        return None


@dataclass(frozen=True)
class DuckDBFileSource(ExportSource):
    """A DuckDB warehouse file, attached read-only."""

    path: Path

    def stage(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        try:
            con.execute(f"attach {_sql_str(self.path.resolve())} as wh (read_only)")
        except duckdb.Error as exc:
            raise ExportError(f"cannot open {self.path}: {exc}") from exc
        schema, table = relation.split(".", 1)
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = 'wh' and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
        if not exists:
            raise ExportError(f"{relation} does not exist in {self.path}")
        con.execute(f"create temp view src as select * from wh.{_ident(schema)}.{_ident(table)}")

    def as_of(self, con: duckdb.DuckDBPyConnection) -> str | None:
        with contextlib.suppress(duckdb.Error):
            return con.execute("select cast(max(as_of) as varchar) from wh.marts.leads").fetchone()[0]
        return None


@dataclass(frozen=True)
class PostgresSource(ExportSource):
    """The export model on a PostgreSQL server (the LEAD_PG_* variables of `env`, else of this
    process): its rows come over COPY as CSV, read back with the server's column types."""

    env: tuple[tuple[str, str], ...] | None = None

    def _connect(self):
        from leadwarehouse.postgres import connect

        return connect(dict(self.env) if self.env is not None else None)

    def stage(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        import tempfile

        from leadwarehouse.postgres import duckdb_column_type

        schema, table = relation.split(".", 1)
        pg = self._connect()
        try:
            with pg.cursor() as cursor, tempfile.TemporaryDirectory(prefix="lead-export-") as folder:
                cursor.execute(
                    "select column_name, data_type, numeric_precision, numeric_scale "
                    "from information_schema.columns where table_schema = %s and table_name = %s "
                    "order by ordinal_position",
                    [schema, table],
                )
                columns = [(name, duckdb_column_type(*rest)) for name, *rest in cursor.fetchall()]
                if not columns:
                    raise ExportError(f"{relation} does not exist on the PostgreSQL server")
                csv = Path(folder) / "rows.csv"
                with csv.open("w", encoding="utf-8") as out:
                    names = ", ".join(_ident(c) for c, _ in columns)
                    cursor.copy_expert(
                        f"copy (select {names} from {_ident(schema)}.{_ident(table)}) to stdout with (format csv)",
                        out,
                    )
                types = "{" + ", ".join(f"{_sql_str(c)}: {_sql_str(t)}" for c, t in columns) + "}"
                # a null is an empty unquoted field, an empty text "" (PostgreSQL's CSV)
                con.execute(
                    f"create temp table src as select * from read_csv({_sql_str(csv)}, header = false, "
                    f"columns = {types}, auto_detect = false, quote = '\"', escape = '\"', "
                    "allow_quoted_nulls = false)"
                )
        finally:
            pg.close()

    def as_of(self, con: duckdb.DuckDBPyConnection) -> str | None:
        pg = self._connect()
        try:
            with pg.cursor() as cursor:
                cursor.execute("select cast(max(as_of) as text) from marts.leads")
                return cursor.fetchone()[0]
        except Exception:  # noqa: BLE001 (the as_of is informative: a warehouse without it exports all the same)
            return None
        finally:
            pg.close()


@dataclass(frozen=True)
class ParquetSource(ExportSource):
    """The export model unloaded to Parquet (leadwarehouse.spark.unload_from_spark)."""

    path: Path
    build_as_of: str | None = None

    def stage(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        if not self.path.exists():
            raise ExportError(f"{relation}: no unloaded rows at {self.path}")
        con.execute(f"create temp view src as select * from read_parquet({_sql_str(self.path)})")

    def as_of(self, con: duckdb.DuckDBPyConnection) -> str | None:
        return self.build_as_of


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _copy_out(con: duckdb.DuckDBPyConnection, query: str, folder: Path, stem: str) -> dict[str, dict]:
    """Write a query as Parquet and CSV (header even when empty); return name → facts."""
    files = {}
    for ext, options in (("parquet", "format parquet, compression zstd"), ("csv", "header true")):
        path = folder / f"{stem}.{ext}"
        con.execute(f"copy ({query}) to {_sql_str(path)} ({options})")
        files[path.name] = {"path": path}
    rows = con.execute(f"select count(*) from ({query})").fetchone()[0]
    for facts in files.values():
        facts["rows"] = rows
    return files


def _read_state(state_dir: Path) -> dict:
    path = state_dir / "state.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _remove_leftovers(runs_dir: Path, state_dir: Path, state: dict) -> None:
    """What a killed export left (under the lock, nothing else is writing): temporary run folders
    and JSON files, and snapshots state.json does not name."""
    for work in runs_dir.glob(".*.tmp"):
        shutil.rmtree(work, ignore_errors=True)
    for tmp in [*state_dir.glob(".*.tmp"), *state_dir.parent.glob(".*.tmp")]:
        tmp.unlink(missing_ok=True)
    for snapshot in state_dir.glob("snapshot-*.parquet"):
        if snapshot.name != state.get("snapshot"):
            snapshot.unlink(missing_ok=True)


def _prune_runs(runs_dir: Path, keep: int, current: Path) -> None:
    runs = sorted(p for p in runs_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in runs[: max(0, len(runs) - keep)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def write_export(
    warehouse: Path | str | ExportSource,
    out_dir: Path | str,
    *,
    run_id: str | None = None,
    as_of: str | None = None,
    spec: ExportSpec = LEAD_SCORES_V1,
    keep_runs: int = KEEP_RUNS,
    wait: bool | float = False,
) -> dict:
    """Write the full file, the change file and the manifest of one export run; return the manifest.
    Holds the exports folder's lock: raises ExportBusy if another export holds it (after waiting
    up to `wait` seconds; True: as long as it takes)."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    lock = exports_lock(out_dir)
    try:
        lock.acquire(wait)
    except LockBusy as exc:
        raise ExportBusy(str(exc)) from exc
    try:
        return _write_export_locked(warehouse, out_dir, run_id, as_of, spec, keep_runs)
    finally:
        lock.release()


def _write_export_locked(
    warehouse: Path | str | ExportSource,
    out_dir: Path | str,
    run_id: str | None,
    as_of: str | None,
    spec: ExportSpec,
    keep_runs: int,
) -> dict:
    root = Path(out_dir) / spec.label
    runs_dir, state_dir = root / "runs", root / "state"
    runs_dir.mkdir(parents=True, exist_ok=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    state = _read_state(state_dir)
    _remove_leftovers(runs_dir, state_dir, state)
    snapshot = state_dir / state["snapshot"] if state.get("snapshot") else None
    has_snapshot = snapshot is not None and snapshot.is_file()
    # a retry of the same run (same run id) before the state moved on reuses its sequence number
    sequence = int(state.get("sequence", 0)) + 1
    run_dir = runs_dir / f"{sequence:06d}_{run_id}"
    work = runs_dir / f".{run_dir.name}.{uuid.uuid4().hex[:8]}.tmp"
    work.mkdir()

    source = warehouse if isinstance(warehouse, ExportSource) else DuckDBFileSource(Path(warehouse))
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        source.stage(con, spec.relation)
        columns = [(name, dtype) for name, dtype, *_ in con.execute("describe src").fetchall()]
        names = [c for c, _ in columns]
        missing_key = [k for k in spec.primary_key if k not in names]
        if missing_key:
            raise ExportError(f"{spec.relation} lacks its primary key column(s) {missing_key}")
        if as_of is None:
            as_of = source.as_of(con)
        col_list = ", ".join(_ident(c) for c in names)
        key_list = ", ".join(_ident(k) for k in spec.primary_key)
        row_hash = (
            "md5(to_json(struct_pack(" + ", ".join(f"{_ident(c)} := {_ident(c)}" for c in names) + ")))"
        )
        con.execute(f"create temp table cur as select {col_list}, {row_hash} as _row_hash from src")
        dupes = con.execute(
            f"select count(*) from (select {key_list} from cur group by all having count(*) > 1)"
        ).fetchone()[0]
        if dupes:
            raise ExportError(f"{spec.relation}: {dupes} primary key values occur more than once")

        if has_snapshot:
            con.execute(f"create temp table prev as select * from read_parquet({_sql_str(snapshot)})")
            prev_cols = [r[0] for r in con.execute("describe prev").fetchall()]
        else:
            con.execute("create temp table prev as select * from cur limit 0")
            prev_cols = [*names, "_row_hash"]
        # a delete carries the last exported values of the columns the snapshot has
        delete_cols = ", ".join(
            f"prev.{_ident(c)}" if c in prev_cols else f"cast(null as {dtype}) as {_ident(c)}"
            for c, dtype in columns
        )
        join = " and ".join(f"cur.{_ident(k)} = prev.{_ident(k)}" for k in spec.primary_key)
        cur_cols = ", ".join(f"cur.{_ident(c)}" for c in names)
        con.execute(f"""
            create temp table changes as
            select 'insert' as change_type, {cur_cols} from cur anti join prev on {join}
            union all
            select 'update', {cur_cols} from cur inner join prev on {join}
            where cur._row_hash is distinct from prev._row_hash
            union all
            select 'delete', {delete_cols} from prev anti join cur on {join}
        """)
        counts = dict(con.execute("select change_type, count(*) from changes group by 1").fetchall())
        full_rows = con.execute("select count(*) from cur").fetchone()[0]

        files = _copy_out(con, f"select {col_list} from cur order by {key_list}", work, spec.label)
        files |= _copy_out(
            con,
            f"select change_type, {col_list} from changes order by {key_list}, change_type",
            work,
            f"{spec.label}_changes",
        )
        new_snapshot = state_dir / f"snapshot-{sequence:06d}-{uuid.uuid4().hex[:8]}.parquet"
        con.execute(
            f"copy (select * from cur order by {key_list}) to {_sql_str(new_snapshot)} "
            "(format parquet, compression zstd)"
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(NameError, OSError):
            new_snapshot.unlink()
        raise
    finally:
        con.close()

    manifest = {
        "export": spec.name,
        "version": spec.version,
        "relation": spec.relation,
        "primary_key": list(spec.primary_key),
        "run_id": run_id,
        "sequence": sequence,
        "previous_run_id": state.get("run_id"),
        "as_of": as_of,
        "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "is_initial_load": not has_snapshot,
        "row_counts": {
            "full": full_rows,
            "inserted": counts.get("insert", 0),
            "updated": counts.get("update", 0),
            "deleted": counts.get("delete", 0),
            "unchanged": full_rows - counts.get("insert", 0) - counts.get("update", 0),
        },
        "columns": [{"name": c, "type": t} for c, t in columns],
        "change_file_columns": [
            {"name": "change_type", "type": "VARCHAR"},
            *({"name": c, "type": t} for c, t in columns),
        ],
        "files": {
            name: {
                "rows": facts["rows"],
                "bytes": facts["path"].stat().st_size,
                "sha256": sha256(facts["path"]),
            }
            for name, facts in sorted(files.items())
        },
    }
    try:
        _write_json(work / "manifest.json", manifest)
        if run_dir.exists():  # a retry of this very run: replace its files
            shutil.rmtree(run_dir)
        os.replace(work, run_dir)
        # orphans of failed runs that reached this sequence number but never committed
        for orphan in runs_dir.glob(f"{sequence:06d}_*"):
            if orphan != run_dir:
                shutil.rmtree(orphan, ignore_errors=True)
        manifest_path = run_dir / "manifest.json"
        _write_json(root / "latest.json", {**manifest, "run_dir": str(run_dir.relative_to(root))})
        # commit: state.json is atomically replaced and names the new snapshot, so the state and
        # its snapshot move on together or not at all
        _write_json(
            state_dir / "state.json",
            {
                "run_id": run_id,
                "sequence": sequence,
                "as_of": as_of,
                "snapshot": new_snapshot.name,
                "snapshot_sha256": sha256(new_snapshot),
                "manifest": str(manifest_path.relative_to(root)),
            },
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            new_snapshot.unlink()
        raise
    for old in state_dir.glob("snapshot-*.parquet"):
        if old != new_snapshot:
            old.unlink(missing_ok=True)
    _prune_runs(runs_dir, keep_runs, run_dir)
    return {**manifest, "run_dir": str(run_dir)}


def verify_run(run_dir: Path | str) -> list[str]:
    """Recompute the checksums of a run's files; return the names that do not match."""
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return [name for name, facts in manifest["files"].items() if sha256(run_dir / name) != facts["sha256"]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadwarehouse.exports",
        description="Write the reverse-ETL export files (full, changes, manifest) from a built warehouse.",
        epilog=f"exit codes: 0 exported; 1 failed (the export state is unchanged); {EXIT_BUSY} busy: "
        "another export holds the exports folder (see --wait)",
    )
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("LEAD_WAREHOUSE_PATH", "data/warehouse/build.duckdb"),
        help="DuckDB file to read (default: $LEAD_WAREHOUSE_PATH or %(default)s)",
    )
    parser.add_argument(
        "--out",
        default=os.environ.get("LEAD_EXPORTS_DIR", "data/exports"),
        help="export folder (default: $LEAD_EXPORTS_DIR or %(default)s)",
    )
    parser.add_argument(
        "--run-id", default=None, help="run id recorded in the manifest (default: a timestamp)"
    )
    add_wait_argument(parser)
    args = parser.parse_args(argv)
    try:
        manifest = write_export(args.warehouse, args.out, run_id=args.run_id, wait=args.wait)
    except ExportBusy as exc:
        print(f"export not started: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except ExportError as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    counts = manifest["row_counts"]
    print(
        f"exported {counts['full']:,} rows to {manifest['run_dir']}: {counts['inserted']:,} inserted, "
        f"{counts['updated']:,} updated, {counts['deleted']:,} deleted"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
