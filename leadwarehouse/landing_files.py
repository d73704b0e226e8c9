"""Which files of the landing folder make up each contract table (selection only: nothing is read).

Rules, the same on every run and every machine:

* a table is delivered as exactly one of ``<table>.csv``, ``<table>.parquet`` or a folder
  ``<table>/`` of parts, all ``.csv`` or all ``.parquet``; two of them, or a folder of mixed
  formats, is an error naming both. Names match case-insensitively (``leads.CSV``).
* names starting with ``.`` or ``_`` (``.part-00001.csv`` in flight, ``_SUCCESS``,
  ``_manifest.json``) and files of other types are ignored and listed in the ingest report;
  a sub-folder inside a table folder is an error (its rows would be lost unseen).
* symlinks are resolved; one that resolves outside the landing folder, is broken, or is not a
  regular file is refused, naming the link.
* an absent optional table is reported as absent; an absent required table is an error.

Every error is a ContractError whose message names the path relative to the landing folder.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from leadwarehouse.contract import TABLES, Table

DATA_FORMATS = {".csv": "csv", ".parquet": "parquet"}


class ContractError(Exception):
    """The landing folder or one of its files does not meet the input contract."""


def example(value: object, limit: int = 40) -> str:
    """A value from a file as a short escaped example: its repr, at most `limit` characters."""
    text = str(value)
    if len(repr(text)) <= limit:
        return repr(text)
    for keep in range(min(len(text), limit), -1, -1):
        shown = repr(text[:keep] + "…")
        if len(shown) <= limit:
            return shown
    return "''"


@dataclass(frozen=True)
class LandingFile:
    rel: str  # path relative to the landing folder, as delivered: 'leads/part-00000.csv'
    path: Path  # the resolved regular file that is read
    fmt: str  # 'csv' or 'parquet'


@dataclass(frozen=True)
class Ignored:
    rel: str
    reason: str

    def __str__(self) -> str:
        return f"{self.rel} ({self.reason})"


@dataclass(frozen=True)
class LandingTable:
    table: Table
    entry: str  # 'leads.csv' or 'leads/'
    fmt: str
    files: tuple[LandingFile, ...]
    ignored: tuple[Ignored, ...] = ()

    @property
    def label(self) -> str:
        return self.entry


@dataclass(frozen=True)
class Landing:
    root: Path
    tables: dict[str, LandingTable]  # tables delivered, in contract order
    absent: tuple[str, ...]  # optional tables not delivered
    ignored: tuple[Ignored, ...]  # top-level entries that are not a table


def data_format(name: str) -> str | None:
    return DATA_FORMATS.get(Path(name).suffix.lower())


def _ignored_by_rule(name: str) -> bool:
    return name.startswith((".", "_"))


HIDDEN = "hidden or temporary: the name starts with '.' or '_'"


def _listing(folder: Path, rel: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError as exc:
        raise ContractError(f"{rel}: cannot list the folder ({exc.strerror or type(exc).__name__})") from exc


def _resolve(link: Path, rel: str, real_root: Path) -> Path:
    """The real path behind `link`, refused when it leaves the landing folder."""
    try:
        real = link.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise ContractError(f"{rel}: is a broken symlink or cannot be opened; refused") from exc
    if real != real_root and not real.is_relative_to(real_root):
        raise ContractError(
            f"{rel}: is a symlink that resolves outside the landing folder; refused "
            "(copy the file into the landing folder instead)"
        )
    return real


def _regular_file(link: Path, rel: str, real_root: Path, fmt: str) -> LandingFile:
    real = _resolve(link, rel, real_root)
    mode = real.stat().st_mode
    if stat.S_ISDIR(mode):
        raise ContractError(
            f"{rel}: is a folder, not a file (a folder of parts must be named after the table, "
            f"without an extension: {Path(rel).stem}/)"
        )
    if not stat.S_ISREG(mode):
        raise ContractError(f"{rel}: is not a regular file (a pipe, socket or device); refused")
    return LandingFile(rel, real, fmt)


def _folder_parts(root: Path, real_root: Path, table: Table, name: str) -> LandingTable:
    entry = f"{name}/"
    real_dir = _resolve(root / name, entry, real_root)
    parts: list[LandingFile] = []
    ignored: list[Ignored] = []
    for part in _listing(real_dir, entry):
        rel = f"{name}/{part}"
        if _ignored_by_rule(part):
            ignored.append(Ignored(rel, HIDDEN))
            continue
        fmt = data_format(part)
        if (root / name / part).is_dir():
            raise ContractError(
                f"{rel}/: sub-folders of a table folder are not read; put every part directly in {entry}"
            )
        if fmt is None:
            ignored.append(Ignored(rel, "not a .csv or .parquet file"))
            continue
        parts.append(_regular_file(root / name / part, rel, real_root, fmt))
    formats = sorted({p.fmt for p in parts})
    if len(formats) > 1:
        first = {fmt: next(p.rel for p in parts if p.fmt == fmt) for fmt in formats}
        raise ContractError(
            f"{entry}: mixed formats in one table folder ({first['csv']} and {first['parquet']}); "
            "the parts of a table must be all CSV or all Parquet"
        )
    if not parts:
        extra = f"; ignored: {', '.join(i.rel for i in ignored[:3])}" if ignored else ""
        raise ContractError(f"{entry}: the folder holds no .csv or .parquet part{extra}")
    return LandingTable(table, entry, formats[0], tuple(parts), tuple(ignored))


def select_landing(landing_dir: Path | str) -> Landing:
    """The files of every contract table, checked by the rules above."""
    root = Path(landing_dir)
    if not root.is_dir():
        raise ContractError(f"landing folder {root} does not exist")
    real_root = root.resolve()
    candidates: dict[str, list[str]] = {name: [] for name in TABLES}
    ignored: list[Ignored] = []
    for name in _listing(root, str(root)):
        path = root / name
        if _ignored_by_rule(name):
            ignored.append(Ignored(name + ("/" if path.is_dir() else ""), HIDDEN))
            continue
        stem = Path(name).stem.lower()
        if data_format(name) and stem in TABLES:
            candidates[stem].append(name)
        elif name.lower() in TABLES and path.is_dir():
            candidates[name.lower()].append(name)
        elif path.is_dir():
            ignored.append(Ignored(name + "/", "not a table of the contract"))
        elif name.split(".", 1)[0].lower() in TABLES and not data_format(name):
            ignored.append(Ignored(name, "not a .csv or .parquet file"))  # leads.json, leads.csv.gz
        else:
            ignored.append(Ignored(name, "not a table of the contract"))
    tables: dict[str, LandingTable] = {}
    absent: list[str] = []
    for table in TABLES.values():
        found = candidates[table.name]
        if len(found) > 1:
            shown = " and ".join(f + ("/" if (root / f).is_dir() else "") for f in found)
            raise ContractError(
                f"table '{table.name}' is delivered more than once: {shown}; keep exactly one of "
                f"{table.name}.csv, {table.name}.parquet or a folder {table.name}/"
            )
        if not found:
            if table.required:
                raise ContractError(
                    f"table '{table.name}': no landing file found in {root} (expected {table.name}.parquet, "
                    f"{table.name}.csv or a folder {table.name}/ of parts)"
                )
            absent.append(table.name)
            continue
        name = found[0]
        if data_format(name) is None:
            tables[table.name] = _folder_parts(root, real_root, table, name)
        else:
            file = _regular_file(root / name, name, real_root, data_format(name))
            tables[table.name] = LandingTable(table, name, file.fmt, (file,))
    return Landing(root, tables, tuple(absent), tuple(ignored))
