"""agate's date types sharing parsedatetime's locale tables instead of building them each time.

dbt turns the result of every query it reads (a table's columns, `run_query`, a seed) into an
agate table, and each time builds a new type tester whose Date, DateTime and ISO DateTime types
each build parsedatetime's `Constants` for their locale: ~2 ms apiece of regular expressions
joined from the locale's word lists, ~6 ms per query result. Profiled (py-spy, the whole test
suite, 2026-12-08): ~23 core-s; a 2,000-lead refresh reads ~150 such results.

`share_date_constants()` gives agate's date modules a parsedatetime whose `Constants` is built
once per locale and then shared: parsedatetime only reads it after building it (it compiles a
regular expression on first use and keeps it, the same one whoever asks first).
"""

from __future__ import annotations

import threading


class SharedConstants:
    """The parsedatetime module, except that `Constants(...)` returns one object per arguments."""

    def __init__(self, module) -> None:
        self._module = module
        self._built: dict = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self._module, name)

    def Constants(self, localeID=None, usePyICU=True, fallbackLocales=("en_US",)):  # noqa: N802 (parsedatetime's name)
        key = (localeID, usePyICU, tuple(fallbackLocales))
        with self._lock:
            constants = self._built.get(key)
            if constants is None:
                constants = self._module.Constants(localeID, usePyICU, list(fallbackLocales))
                self._built[key] = constants
        return constants


def share_date_constants() -> bool:
    """Patch agate's Date and DateTime modules to share one SharedConstants (idempotent); False
    when agate or parsedatetime is not there as expected (then nothing changes)."""
    try:
        from agate.data_types import date, date_time
    except ImportError:
        return False
    modules = (date, date_time)
    found = [getattr(module, "parsedatetime", None) for module in modules]
    if any(module is None for module in found):
        return False
    shared = next((module for module in found if isinstance(module, SharedConstants)), None)
    shared = shared or SharedConstants(found[0])
    for module in modules:
        module.parsedatetime = shared
    return True
