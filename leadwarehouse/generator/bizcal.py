"""Business-time arithmetic per territory: weekdays 9:00-17:00 local time minus holidays.

Times are int64 Unix seconds (UTC). A calendar maps wall-clock time to *business seconds* (the
working seconds elapsed since the calendar's first working day) and back, vectorized, so that
"24 business hours later" is ``from_bsec(to_bsec(t) + 24 * 3600)``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

DAY_SECONDS = 8 * 3600  # one working day, 9:00-17:00


class BizCalendar:
    def __init__(
        self,
        tz: str,
        holidays: set[dt.date],
        start: dt.date,
        end: dt.date,
        open_hour: int = 9,
        close_hour: int = 17,
    ):
        zone = ZoneInfo(tz)
        self.tz = tz
        days = []
        d = start
        while d <= end:
            if d.weekday() < 5 and d not in holidays:
                days.append(d)
            d += dt.timedelta(days=1)
        self.days = days
        self.day_start = np.array(
            [int(dt.datetime.combine(x, dt.time(open_hour), zone).timestamp()) for x in days], dtype=np.int64
        )
        self.length = (close_hour - open_hour) * 3600
        assert self.length == DAY_SECONDS

    def to_bsec(self, t: np.ndarray | int) -> np.ndarray:
        """Business seconds elapsed at wall time t (time outside working hours counts as the next start)."""
        t = np.asarray(t, dtype=np.int64)
        i = np.searchsorted(self.day_start, t, side="right") - 1
        ic = np.maximum(i, 0)
        within = np.clip(t - self.day_start[ic], 0, self.length)
        return np.where(i < 0, 0, ic * self.length + within)

    def from_bsec(self, b: np.ndarray | int) -> np.ndarray:
        """Wall time at business second b (a boundary maps to the next day's opening)."""
        b = np.asarray(b, dtype=np.int64)
        i = np.minimum(b // self.length, len(self.day_start) - 1)
        return self.day_start[i] + (b - i * self.length)

    def add(self, t: np.ndarray | int, business_seconds: np.ndarray | int) -> np.ndarray:
        return self.from_bsec(self.to_bsec(t) + np.asarray(business_seconds, dtype=np.int64))
