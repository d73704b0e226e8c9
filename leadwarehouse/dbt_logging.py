"""dbt with its log lines formatted only when a logger keeps them.

dbt (dbt_common 1.x) formats every event for every logger, console and dbt.log, and only then
hands the line to Python's logging, which drops it when the event is below the logger's level: a
debug event (each SQL statement, connection, cache step) is rendered as text or, for Dagster's
`--log-format json`, as JSON, then thrown away. Measured in tests/test_orchestration.py (py-spy,
2026-12-06): 7 % of its CPU was JSON lines, most of them debug events the console dropped; with
this, that module and tests/test_publish.py took ~10 % less CPU (README, Tests).

`format_only_logged_lines()` checks the level first: a debug event no logger keeps is not even
built (its message, its protobuf), a line a logger drops is not formatted; what is written is the
same, line for line. A callback may read any event, so one keeps them all built, except dbt's own
`track_behavior_change_warn`, registered on every invocation, which reads one warning: counted as
a reader, it had every debug event built anyway (measured on the tiny CRM in process, one thread,
three alternating runs: a full build 6.9 -> 6.4 s, two incremental builds 15.0 -> 13.8 s).
The `lead-dbt` command (leadwarehouse/dbt_command.py) is dbt's own command line with this applied:
the builds' dbt child processes (leadwarehouse/build.py) and Dagster's dbt resource
(orchestration/project.py) run it; in-process runs apply it themselves
(leadwarehouse/dbt_in_process.py, leadwarehouse/spark.py).
Should a dbt_common release rename what this wraps, nothing is patched and dbt logs as before.

The event object itself is built by dbt's code before the event is fired (`SQLQuery(sql=...,
node_info=...)`: its fields parsed into a protobuf message, `ParseDict`), so a dropped debug event
still cost that: ~62 core-s of the test suite (py-spy, 2026-12-08), a third of it the SQL statement
events. `build_events_when_read()` defers that parse to the first read of the event's fields: an
event a logger or callback keeps is read as it is fired, so it is the same message built a moment
later; one nobody keeps is never parsed.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

COMMAND = "lead-dbt"
# the names a dbt process of this project runs under (`dbt` where lead-dbt is not installed)
DBT_COMMANDS = (COMMAND, "dbt")


# callbacks dbt registers itself that act on one warning and return on any other event: they
# never read a debug event (dbt.tracking.track_behavior_change_warn, BehaviorChangeEvent only)
WARNING_ONLY_CALLBACKS = {("dbt.tracking", "track_behavior_change_warn")}


def _may_read_debug_events(callback) -> bool:
    return (
        getattr(callback, "__module__", None),
        getattr(callback, "__name__", None),
    ) not in WARNING_ONLY_CALLBACKS


def format_only_logged_lines() -> None:
    """Make dbt skip building or formatting an event no logger keeps (idempotent)."""
    from dbt_common.events import event_manager
    from dbt_common.events import logger as dbt_logger
    from dbt_common.events.base_types import EventLevel

    levels = getattr(dbt_logger, "_log_level_map", None)
    print_events = getattr(dbt_logger, "PRINT_EVENT_NAMES", None)
    text_logger = getattr(dbt_logger, "_Logger", None)
    manager = getattr(event_manager, "EventManager", None)
    write_line = getattr(text_logger, "write_line", None)
    fire_event = getattr(manager, "fire_event", None)
    if None in (levels, print_events, write_line, fire_event) or getattr(write_line, "level_first", False):
        return

    def write_kept_line(self, msg) -> None:
        python_logger = getattr(self, "_python_logger", None)
        # print events go out as errors whatever their level (dbt's --quiet still shows them)
        if python_logger is not None and msg.info.name not in print_events:
            level = levels.get(EventLevel(msg.info.level))
            if level is not None and not python_logger.isEnabledFor(level):
                return
        write_line(self, msg)

    def keeps_debug(logger) -> bool:
        if not hasattr(logger, "_python_logger"):
            return True  # a logger of another kind: it may keep anything
        python_logger = logger._python_logger
        return python_logger is not None and python_logger.isEnabledFor(levels[EventLevel.DEBUG])

    def fire_kept_event(self, e, level=None, node=None, force_warn_or_error_handling=False) -> None:
        # a debug event nobody keeps: no callback that may read it, no logger at debug level, not a
        # print event (warnings and errors, which --warn-error may raise, always go through)
        if (
            not force_warn_or_error_handling
            and not any(map(_may_read_debug_events, self.callbacks))
            and (level or e.level_tag()) in (EventLevel.DEBUG, EventLevel.TEST)
            and type(e).__name__ not in print_events
            and not os.environ.get("DBT_TEST_BINARY_SERIALIZATION")
            and not any(keeps_debug(logger) for logger in self.loggers)
        ):
            return
        fire_event(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    for patched, original in ((write_kept_line, write_line), (fire_kept_event, fire_event)):
        patched.level_first = True
        patched.__wrapped__ = original
    text_logger.write_line = write_kept_line
    manager.fire_event = fire_kept_event
    build_events_when_read()


def build_events_when_read() -> None:
    """Make dbt's events parse their fields into their protobuf message when first read, not when
    created (idempotent)."""
    try:
        from dbt_common.events.base_types import BaseEvent
    except ImportError:
        return
    init, read, write = BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__
    if getattr(init, "builds_when_read", False):
        return
    building = threading.Lock()

    def build(event) -> None:
        with building:
            unbuilt = event.__dict__.pop("_unbuilt", None)
            if unbuilt is not None:
                init(event, *unbuilt[0], **unbuilt[1])

    def init_later(self, *args, **kwargs) -> None:
        object.__setattr__(self, "_unbuilt", (args, kwargs))

    def read_built(self, key):
        if "_unbuilt" in self.__dict__:
            build(self)
        return read(self, key)

    def write_built(self, key, value) -> None:
        if key != "pb_msg" and "_unbuilt" in self.__dict__:
            build(self)
        write(self, key, value)

    init_later.builds_when_read = True
    init_later.__wrapped__ = init
    BaseEvent.__init__ = init_later
    BaseEvent.__getattr__ = read_built
    BaseEvent.__setattr__ = write_built


def executable() -> str:
    """`lead-dbt` beside this Python when installed (`make install`), else the venv's `dbt`, else
    `dbt` on PATH."""
    for name in DBT_COMMANDS:
        path = Path(sys.executable).with_name(name)
        if path.exists():
            return str(path)
    return "dbt"
