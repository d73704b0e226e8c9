"""Reading landing CSV files so that nothing is lost or guessed: every file is checked whole, in
Python, before DuckDB reads it with an explicit dialect (DuckDB's own sniffer samples only the
start of a file, so an odd row after row 20,480 used to crash the load).

1. encoding: UTF-8 (a BOM is fine) unless ``LEAD_CSV_ENCODING`` says utf-16 or latin-1. The
   file is streamed through an incremental decoder; an invalid byte is reported with its line
   and byte offset.
2. dialect: quote ``"`` (doubled inside a quoted field), the delimiter is whichever of
   ``, ; <tab> |`` occurs most in the header row outside quotes (``,`` when none does).
3. structure: the whole file is parsed with the csv module (quoted delimiters and newlines
   are part of a field); every record must have as many fields as the header. A record with
   more or fewer fields, or broken quoting, is a ContractError naming the line: such a row
   cannot be assigned to columns safely, and the raw tables have no place to flag it.
4. the data records are counted on the way (blank lines are skipped, as DuckDB does, except
   in a one-column file where DuckDB reads a blank line as a null), and ingest checks that
   DuckDB loaded exactly that many rows.
"""

from __future__ import annotations

import codecs
import csv
import os
from dataclasses import dataclass
from pathlib import Path

from leadwarehouse.landing_files import ContractError, LandingFile, example

ENV_ENCODING = "LEAD_CSV_ENCODING"
# encoding → Python codec that reads it (a UTF-8 BOM is dropped), name in messages
ENCODINGS = {
    "utf-8": ("utf-8-sig", "UTF-8"),
    "utf-16": ("utf-16", "UTF-16"),
    "latin-1": ("latin-1", "Latin-1"),
}
_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf16": "utf-16",
    "utf-16": "utf-16",
    "latin1": "latin-1",
    "latin-1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
}
DELIMITERS = (",", ";", "\t", "|")
CHUNK = 1 << 20


def csv_encoding() -> str:
    """The declared encoding of the landing CSV files (``LEAD_CSV_ENCODING``, default utf-8)."""
    declared = os.environ.get(ENV_ENCODING, "").strip()
    if not declared:
        return "utf-8"
    encoding = _ALIASES.get(declared.lower().replace("_", "-"))
    if encoding is None:
        raise ContractError(
            f"{ENV_ENCODING}={example(declared)} is not supported (use utf-8, utf-16 or latin-1)"
        )
    return encoding


@dataclass(frozen=True)
class CsvLayout:
    header: tuple[str, ...]  # column names as in the header row, trimmed
    delimiter: str
    encoding: str
    records: int  # data records, counted by the csv module


def _line_of_offset(path: Path, offset: int, encoding: str) -> int:
    """1-based line of the byte at `offset` (only computed once an error was found)."""
    with open(path, "rb") as f:
        prefix_left, newlines, tail = offset, 0, b""
        while prefix_left > 0:
            chunk = f.read(min(CHUNK, prefix_left))
            if not chunk:
                break
            prefix_left -= len(chunk)
            if encoding == "utf-16":
                tail += chunk
            else:
                newlines += chunk.count(b"\n")
    if encoding == "utf-16":
        newlines = tail.decode("utf-16", errors="replace").count("\n")
    return newlines + 1


def check_encoding(file: LandingFile, encoding: str) -> None:
    """Stream the file through an incremental decoder; raise at the first invalid byte."""
    if encoding == "latin-1":
        return  # every byte is a Latin-1 character
    decoder = codecs.getincrementaldecoder("utf-8" if encoding == "utf-8" else "utf-16")("strict")
    consumed = 0
    with open(file.path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.object = bytes held back from the previous chunk + this chunk
                offset = consumed - (len(exc.object) - len(chunk)) + exc.start
                line = _line_of_offset(file.path, offset, encoding)
                name = ENCODINGS[encoding][1]
                hint = "set LEAD_CSV_ENCODING=latin-1" if encoding == "utf-8" else "set LEAD_CSV_ENCODING"
                raise ContractError(
                    f"{file.rel}: line {line:,} is not valid {name} (byte 0x{exc.object[exc.start]:02x} "
                    f"at offset {offset:,}); re-export as {name} or {hint}"
                ) from None
            if not chunk:
                return
            consumed += len(chunk)


def detect_delimiter(header_line: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties: the first in DELIMITERS
    return best if counts[best] else ","


def _first_line(path: Path, encoding: str) -> str:
    with open(path, encoding=ENCODINGS[encoding][0], newline="") as f:
        return f.readline(CHUNK)


def scan_csv(file: LandingFile, encoding: str) -> CsvLayout:
    """Check encoding and structure of the whole file; return its header, dialect and record count."""
    if file.path.stat().st_size == 0:
        raise ContractError(f"{file.rel}: file is empty (no header row)")
    check_encoding(file, encoding)
    delimiter = detect_delimiter(_first_line(file.path, encoding))
    previous = 0  # physical line where the last complete record ended
    try:
        with open(file.path, encoding=ENCODINGS[encoding][0], newline="") as f:
            reader = csv.reader(f, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
            header = next(reader, None)
            if header == []:
                if any(reader):
                    raise ContractError(f"{file.rel}: line 1 is blank; the header row must be the first line")
                header = None
            if header is None:
                raise ContractError(f"{file.rel}: file is empty (no header row)")
            previous = reader.line_num
            width, records = len(header), 0
            for row in reader:
                if len(row) == width or (not row and width == 1):
                    records += 1
                elif row:
                    line = previous + 1
                    end = f" (to line {reader.line_num:,})" if reader.line_num > line else ""
                    raise ContractError(
                        f"{file.rel}: line {line:,}{end} has {len(row)} fields but the header has {width} "
                        f"(delimiter {example(delimiter)}: an unquoted delimiter or a missing quote?)"
                    )
                previous = reader.line_num
    except csv.Error as exc:
        raise ContractError(
            f"{file.rel}: line {previous + 1:,}: malformed CSV ({exc}; an unclosed or stray quote?)"
        ) from None
    return CsvLayout(tuple(name.strip() for name in header), delimiter, encoding, records)


def count_csv_records(path: Path, encoding: str) -> int:
    """Data records of a CSV file by the csv module alone (quoted newlines are not record
    breaks); used to prove that the raw tables hold every row of the landing folder."""
    delimiter = detect_delimiter(_first_line(path, encoding))
    with open(path, encoding=ENCODINGS[encoding][0], newline="") as f:
        rows = csv.reader(f, delimiter=delimiter)
        header = next(rows, None)
        if not header:
            return 0
        return sum(1 for row in rows if row or len(header) == 1)


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def duckdb_csv_reader(file: LandingFile, layout: CsvLayout) -> str:
    """A read_csv call with the dialect spelled out (no sniffing); column i is named c<i>."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.header))) + "}"
    return (
        f"read_csv({_sql_str(file.path)}, header = true, auto_detect = false, columns = {columns}, "
        f"delim = {_sql_str(layout.delimiter)}, quote = '\"', escape = '\"', "
        f"encoding = {_sql_str(layout.encoding)}, strict_mode = true, null_padding = false)"
    )
