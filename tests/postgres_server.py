"""A throw-away PostgreSQL server for the engine parity tests: initdb into a temporary folder, a
free local port, its unix socket in that folder, trust authentication; stopped and removed after.

The binaries are Debian's (scripts/install_postgres.sh installs them; `make test` runs it):
$LEAD_PG_BIN when set, else the newest /usr/lib/postgresql/<version>/bin, else initdb and pg_ctl
on PATH. PostgreSQL refuses to run as root: as root the server runs as the `postgres` user the
Debian package creates, in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MIN_VERSION = 15
# The server's time zone is not UTC on purpose: sessions (dbt's among them) start in it, and no
# model may depend on it (timestamps are UTC without time zone; macros/parsing.sql reads a
# timestamp without an offset as UTC whatever the session's zone).
SERVER_TIME_ZONE = "Pacific/Auckland"


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL binaries, or the server did not start."""


def find_bin_dir() -> Path:
    """The folder with initdb, pg_ctl and postgres (version >= MIN_VERSION)."""
    candidates: list[Path] = []
    if os.environ.get("LEAD_PG_BIN"):
        candidates.append(Path(os.environ["LEAD_PG_BIN"]))
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
        reverse=True,
    )
    candidates += versions
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            version = _version(folder)
            if version >= MIN_VERSION:
                return folder
    raise PostgresUnavailable(
        f"no PostgreSQL >= {MIN_VERSION} binaries (initdb, pg_ctl, postgres) in $LEAD_PG_BIN, "
        "/usr/lib/postgresql/*/bin or on PATH: run `bash scripts/install_postgres.sh` (Debian package "
        "postgresql), or `make test`, which runs it"
    )


def _version(bin_dir: Path) -> int:
    out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    dbnames: tuple[str, ...]
    folder: Path

    def env(self, dbname: str | None = None) -> dict[str, str]:
        """The LEAD_PG_* variables profiles.yml and leadwarehouse.postgres read (default: the
        first database)."""
        return {
            "LEAD_PG_HOST": self.host,
            "LEAD_PG_PORT": str(self.port),
            "LEAD_PG_USER": self.user,
            "LEAD_PG_PASSWORD": "",
            "LEAD_PG_DBNAME": dbname or self.dbnames[0],
        }


def _run_as(user: str | None, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, user=user, capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def postgres_server(dbnames: tuple[str, ...] = ("lead_warehouse",)) -> Iterator[PostgresServer]:
    """Start a server, create the databases `dbnames`, yield it; stop it and remove its folder
    afterwards."""
    bin_dir = find_bin_dir()
    run_user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                "running as root and there is no `postgres` user to run the server as"
            ) from None
        run_user = "postgres"
    # not under pytest's tmp folder: as root that is private to root, and the server's user must own it
    folder = Path(tempfile.mkdtemp(prefix="lead-pg-"))
    if run_user:
        shutil.chown(folder, run_user, run_user)
    data, log = folder / "data", folder / "server.log"
    started = False
    try:
        init = _run_as(
            run_user,
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            cwd=folder,
        )  # fmt: skip
        if init.returncode:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        for attempt in range(3):  # another process may take the free port before the server does
            port = free_port()
            options = (
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c timezone={SERVER_TIME_ZONE} "
                # no JIT compilation: the planner's costs of the wide scoring queries pass its
                # thresholds, and compiling ~190 functions took 5.6 s of a 7.7 s ledger query on
                # the parity data (2,000 leads; 2.4 s without); results are the same either way
                "-c jit=off"
            )
            start = _run_as(
                run_user,
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                cwd=folder,
            )
            if start.returncode == 0:
                started = True
                break
            if attempt == 2:
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise PostgresUnavailable(f"pg_ctl start failed: {start.stderr.strip()}\n{tail}")
        server = PostgresServer("127.0.0.1", port, "postgres", tuple(dbnames), folder)
        import psycopg2

        con = psycopg2.connect(host=server.host, port=port, user="postgres", dbname="postgres")
        try:
            con.autocommit = True
            with con.cursor() as cursor:
                for dbname in dbnames:
                    cursor.execute(f'create database "{dbname}"')
        finally:
            con.close()
        yield server
    finally:
        if started:
            _run_as(
                run_user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], cwd=folder
            )
        shutil.rmtree(folder, ignore_errors=True)
