"""One writer at a time: an exclusive advisory lock on a file beside what is written.

A build holds ``<warehouse>.lock`` (``data/warehouse/build.duckdb.lock``) from ingest to the end
of dbt, publish holds the same lock while it copies, and an export holds ``.exports.lock`` in its
exports folder. The lock is ``fcntl.flock`` on that file, so the operating system releases it when
the holder exits, however it exits (a ``kill -9`` included): a stale lock cannot outlive its
process. The file stays in place and holds a small JSON about the current holder (pid, hostname,
started_at, command) so that whoever finds the lock taken is told who has it::

    another build (pid 1234, started 2026-12-02T11:40:03Z, `python -m leadwarehouse.build`) holds
    data/warehouse/build.duckdb; wait for it or pass --wait

The command line tools exit with EXIT_BUSY (3) when the lock is taken.

flock works between processes on one machine (and on most network filesystems only within one
client); it is advisory: DuckDB's own file lock still stops any other writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

EXIT_BUSY = 3  # exit code of the command line tools when another process holds the lock
POLL_SECONDS = 0.2


class LockBusy(Exception):
    """Another process holds the lock (and it was not released within the wait, if any)."""

    def __init__(self, message: str, holder: dict | None = None):
        super().__init__(message)
        self.holder = holder or {}


def lock_path_for(target: Path | str) -> Path:
    """``<target>.lock`` beside the target file: build.duckdb → build.duckdb.lock."""
    target = Path(target)
    return target.with_name(target.name + ".lock")


def current_command() -> str:
    """This process's command line, readable: `python -m leadwarehouse.build --warehouse …`."""
    argv = list(getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv])
    if argv and Path(argv[0]).name.startswith("python"):
        argv[0] = "python"
    text = " ".join(shlex.join(argv).split())  # one line
    return text if len(text) <= 300 else text[:297] + "..."


def utc_now_text() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class FileLock:
    """An exclusive flock on `path`, describing its holder in the file.

    purpose names the holder in messages ("another build …"); display names what is protected
    (the warehouse file, the exports folder). Not re-entrant: a second FileLock on the same path
    in the same process conflicts with the first, like another process would.
    """

    def __init__(
        self, path: Path | str, *, purpose: str, display: str | None = None, command: str | None = None
    ):
        self.path = Path(path)
        self.purpose = purpose
        self.display = display or str(self.path)
        self.command = command or current_command()
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    @property
    def fd(self) -> int | None:
        """The open file descriptor holding the lock (a child given it keeps the lock alive)."""
        return self._fd

    def holder(self) -> dict:
        """What the current holder wrote into the lock file ({} if nothing readable)."""
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(self.path.read_text() or "{}")
            if isinstance(found, dict):
                return found
        return {}

    def busy_message(self, holder: dict | None = None, waited: float | None = None) -> str:
        holder = self.holder() if holder is None else holder
        facts = [f"pid {holder['pid']}" if holder.get("pid") else "pid unknown"]
        if holder.get("hostname") and holder["hostname"] != socket.gethostname():
            facts.append(f"on {holder['hostname']}")
        if holder.get("started_at"):
            facts.append(f"started {holder['started_at']}")
        if holder.get("command"):
            facts.append(f"`{holder['command']}`")
        who = holder.get("purpose") or self.purpose
        still = f" (still, after waiting {waited:.0f}s)" if waited else ""
        return f"another {who} ({', '.join(facts)}) holds {self.display}{still}; wait for it or pass --wait"

    def _try_lock(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def acquire(self, wait: bool | float = False) -> FileLock:
        """Take the lock. wait=False: raise LockBusy at once if it is taken; True: wait as long as
        it takes; a number: wait up to that many seconds, then raise LockBusy."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this lock object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        limit = None if wait is True else float(wait or 0)
        while not self._try_lock():
            waited = time.monotonic() - started
            if limit is not None and waited >= limit:
                raise LockBusy(self.busy_message(waited=waited if limit else None), self.holder())
            time.sleep(POLL_SECONDS if limit is None else min(POLL_SECONDS, max(limit - waited, 0.01)))
        info = {
            "pid": os.getpid(),
            "hostname": socket.gethostname(),
            "started_at": utc_now_text(),
            "command": self.command,
            "purpose": self.purpose,
        }
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, (json.dumps(info) + "\n").encode(), 0)
        return self

    def release(self) -> None:
        """Give the lock up (a no-op if not held). The file stays: removing it would let two
        processes lock two different files of the same name."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def is_locked(self) -> bool:
        """Whether some holder (another process, or another FileLock here) has the lock now."""
        if self._fd is not None:
            return True
        if not self.path.exists():
            return False
        if self._try_lock():
            self.release()
            return False
        return True

    def __enter__(self) -> FileLock:
        if self._fd is None:
            self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def build_lock(warehouse_path: Path | str, *, purpose: str = "build", command: str | None = None) -> FileLock:
    """The lock of a warehouse file: held by a build from ingest to the end of dbt and by publish."""
    return FileLock(
        lock_path_for(Path(warehouse_path).resolve()),
        purpose=purpose,
        display=str(warehouse_path),
        command=command,
    )


EXPORTS_LOCK_NAME = ".exports.lock"


def exports_lock(out_dir: Path | str, *, command: str | None = None) -> FileLock:
    """The lock of an exports folder: one export writes it at a time."""
    return FileLock(
        Path(out_dir) / EXPORTS_LOCK_NAME, purpose="export", display=str(out_dir), command=command
    )


def add_wait_argument(parser) -> None:
    """`--wait [SECONDS]` for a command line tool (argparse)."""
    parser.add_argument(
        "--wait",
        nargs="?",
        const=True,
        default=False,
        type=float,
        metavar="SECONDS",
        help="if another process holds the lock, wait for it (at most SECONDS) instead of exiting "
        f"with code {EXIT_BUSY} at once",
    )
