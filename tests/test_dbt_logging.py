"""leadwarehouse/dbt_logging.py: dbt's loggers format only the events they keep, and what they
write is the same, line for line, as dbt's own logging; `lead-dbt` is dbt's command line."""

from __future__ import annotations

import io
import json
import re
import subprocess

import pytest
from dbt_common.events import event_manager
from dbt_common.events import logger as dbt_logger
from dbt_common.events.base_types import EventLevel, msg_from_base_event
from dbt_common.events.types import Note, PrintEvent

from leadwarehouse import dbt_logging

EVENTS = [
    (Note(msg="a debug note"), EventLevel.DEBUG),
    (Note(msg="an info note"), EventLevel.INFO),
    (Note(msg="a warning"), EventLevel.WARN),
    (PrintEvent(msg="printed at debug level, shown even when quiet"), EventLevel.DEBUG),
    (Note(msg="an error"), EventLevel.ERROR),
]


def without_timestamp(line: str) -> str:
    """A text log line without its leading timestamp (two runs' lines differ only there)."""
    return re.sub(r"^\S+ +", "", line)


def counted(function):
    """`function`, and a list whose length is how many times the returned wrapper was called."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(None)
        return function(*args, **kwargs)

    return wrapper, calls


def make_logger(line_format: dbt_logger.LineFormat, level: EventLevel, stream: io.StringIO):
    config = dbt_logger.LoggerConfig(
        name=f"test_dbt_logging_{line_format.name}_{level.value}_{id(stream)}",
        line_format=line_format,
        level=level,
        output_stream=stream,
    )
    cls = dbt_logger._JsonLogger if line_format == dbt_logger.LineFormat.Json else dbt_logger._TextLogger
    return cls(config)


def written(line_format: dbt_logger.LineFormat, level: EventLevel, write) -> tuple[list[str], int]:
    """The lines a logger of `line_format` at `level` writes for EVENTS through `write`, and how
    many lines it formatted."""
    stream = io.StringIO()
    logger = make_logger(line_format, level, stream)
    logger.create_line, formatted = counted(logger.create_line)
    for event, event_level in EVENTS:
        write(logger, msg_from_base_event(event, level=event_level))
    return stream.getvalue().splitlines(), len(formatted)


@pytest.mark.parametrize("line_format", [dbt_logger.LineFormat.PlainText, dbt_logger.LineFormat.Json])
@pytest.mark.parametrize("level", [EventLevel.DEBUG, EventLevel.INFO, EventLevel.WARN, EventLevel.ERROR])
def test_the_same_lines_are_written_and_only_they_are_formatted(line_format, level):
    dbt_logging.format_only_logged_lines()
    dbt_logging.format_only_logged_lines()  # a second call changes nothing
    patched = dbt_logger._Logger.write_line
    assert patched.level_first
    original = patched.__wrapped__
    assert not getattr(original, "level_first", False)

    before, formatted_before = written(line_format, level, original)
    after, formatted_after = written(line_format, level, patched)

    def message(line: str) -> str:
        """The line without its timestamp (the lines of the two runs differ only there)."""
        if line_format == dbt_logger.LineFormat.Json:
            info = json.loads(line)["info"]
            return f"{info['level']} {info['msg']}"
        return without_timestamp(line)

    assert [message(line) for line in after] == [message(line) for line in before]
    kept = {
        EventLevel.DEBUG: 5,  # everything
        EventLevel.INFO: 4,  # all but the debug note (the print event is always written)
        EventLevel.WARN: 3,
        EventLevel.ERROR: 2,
    }[level]
    assert len(before) == len(after) == kept
    assert formatted_before == len(EVENTS)  # dbt alone formats every event
    assert formatted_after == kept
    assert any("shown even when quiet" in message(line) for line in after)


def test_lead_dbt_is_dbts_command_line():
    out = subprocess.run(
        [dbt_logging.executable(), "--version"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert dbt_logging.executable().endswith("lead-dbt")
    assert "installed:" in out


def fired(fire, logger_levels: list[EventLevel], callback=None) -> tuple[list[str], int]:
    """The messages an event manager with a text logger per level in `logger_levels` (and
    `callback`) writes for EVENTS through `fire`, and how many events it built."""
    manager = event_manager.EventManager()
    streams = [io.StringIO() for _ in logger_levels]
    manager.loggers = [
        make_logger(dbt_logger.LineFormat.PlainText, level, stream)
        for level, stream in zip(logger_levels, streams, strict=True)
    ]
    if callback:
        manager.callbacks.append(callback)
    build = event_manager.msg_from_base_event
    event_manager.msg_from_base_event, built = counted(build)
    try:
        for event, level in EVENTS:
            fire(manager, event, level=level)
    finally:
        event_manager.msg_from_base_event = build
    return [without_timestamp(line) for stream in streams for line in stream.getvalue().splitlines()], len(
        built
    )


@pytest.mark.parametrize(
    "logger_levels, built",
    [
        ([EventLevel.INFO, EventLevel.WARN], 4),  # the debug note is not built
        ([EventLevel.WARN, EventLevel.DEBUG], 5),  # a logger at debug level keeps it
        # no logger: still built but the debug note (--warn-error may act on the others)
        ([], 4),
    ],
)
def test_an_event_no_logger_keeps_is_not_built(logger_levels, built):
    dbt_logging.format_only_logged_lines()
    patched = event_manager.EventManager.fire_event
    assert patched.level_first
    before, built_before = fired(patched.__wrapped__, logger_levels)
    after, built_after = fired(patched, logger_levels)
    assert after == before
    assert built_before == len(EVENTS)
    assert built_after == built


def test_a_callback_gets_every_event():
    dbt_logging.format_only_logged_lines()
    seen = []
    fired(
        event_manager.EventManager.fire_event,
        [EventLevel.WARN],
        callback=lambda msg: seen.append(msg.info.msg),
    )
    assert seen == [event.msg for event, _ in EVENTS]


def test_dbts_own_warning_callback_does_not_keep_debug_events_built():
    """dbt registers `track_behavior_change_warn` on every invocation (dbt.events.logging); it
    reads one warning, so with it alone a debug event nobody keeps is still not built."""
    from dbt.tracking import track_behavior_change_warn

    dbt_logging.format_only_logged_lines()
    patched = event_manager.EventManager.fire_event
    before, built_before = fired(patched.__wrapped__, [EventLevel.WARN], callback=track_behavior_change_warn)
    after, built_after = fired(patched, [EventLevel.WARN], callback=track_behavior_change_warn)
    assert after == before
    assert (built_before, built_after) == (len(EVENTS), len(EVENTS) - 1)


def test_an_event_parses_its_fields_when_first_read_and_one_nobody_keeps_never(monkeypatch):
    from dbt.adapters.events.types import SQLQuery
    from dbt_common.events import base_types

    dbt_logging.format_only_logged_lines()
    assert base_types.BaseEvent.__init__.builds_when_read
    parse, parsed = counted(base_types.ParseDict)
    monkeypatch.setattr(base_types, "ParseDict", parse)
    fields = {
        "conn_name": "model.a",
        "sql": "select 1",
        "node_info": {"node_name": "a", "unique_id": "model.p.a"},
    }
    query = SQLQuery(**fields)
    assert not parsed, "not parsed when created"
    eager = object.__new__(SQLQuery)
    base_types.BaseEvent.__init__.__wrapped__(eager, **fields)  # dbt's own, parsed at once
    assert len(parsed) == 1
    assert query.sql == "select 1" and query.node_info.node_name == "a" and len(parsed) == 2
    assert query.to_dict() == eager.to_dict() and query.message() == eager.message() and len(parsed) == 2
    note = Note(msg=42)
    note.msg = "set before any read"  # a write parses the fields first, then sets
    assert note.msg == "set before any read" and note.to_dict() == {"msg": "set before any read"}
    assert len(parsed) == 3

    manager = event_manager.EventManager()
    stream = io.StringIO()
    manager.loggers = [make_logger(dbt_logger.LineFormat.PlainText, EventLevel.WARN, stream)]
    manager.fire_event(SQLQuery(**fields), level=EventLevel.DEBUG)
    assert len(parsed) == 3 and not stream.getvalue(), "dropped unparsed"
    manager.fire_event(Note(msg="kept"), level=EventLevel.WARN)
    assert len(parsed) > 3 and "kept" in stream.getvalue(), "parsed when kept (and dbt's message around it)"
