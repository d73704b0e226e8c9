"""leadwarehouse/dbt_agate.py: agate's date types share parsedatetime's locale tables and parse
as before."""

from __future__ import annotations

import datetime

import agate
import parsedatetime
import pytest
from agate.data_types import date, date_time
from dbt_common.clients.agate_helper import table_from_rows

from leadwarehouse.dbt_agate import SharedConstants, share_date_constants


@pytest.fixture
def unpatched(monkeypatch):
    """agate's date modules with the real parsedatetime (put back as they were after the test)."""
    for module in (date, date_time):
        monkeypatch.setattr(module, "parsedatetime", parsedatetime)


def test_date_types_share_one_constants_per_locale_and_parse_as_before(unpatched):
    assert agate.data_types.Date()._constants is not agate.data_types.Date()._constants
    assert share_date_constants() and share_date_constants(), "idempotent"
    assert isinstance(date.parsedatetime, SharedConstants) and date.parsedatetime is date_time.parsedatetime
    shared = agate.data_types.Date()._constants
    assert agate.data_types.DateTime()._constants is shared
    assert agate.data_types.Date(locale="de_DE")._constants is not shared
    assert agate.data_types.Date().cast("2026-12-08") == datetime.date(2026, 12, 8)
    assert agate.data_types.DateTime().cast("2026-12-08 10:11:12") == datetime.datetime(
        2026, 12, 8, 10, 11, 12
    )
    table = table_from_rows([("2026-12-08", "2026-12-08 10:11:12", "x")], ["d", "t", "s"])
    assert [type(t).__name__ for t in table.column_types] == ["Date", "DateTime", "Text"]
    assert table.rows[0]["t"] == datetime.datetime(2026, 12, 8, 10, 11, 12)
