"""Dates and UK local times, as text, without per-row `strftime`.

Every date is a number of days before the reference date (`as_of`), so a
customer's history can be laid out with integer arithmetic and turned into
text with one list lookup.
"""

from __future__ import annotations

import datetime as dt

# Far enough back for a customer who joined at 18 and is now 95.
MAX_DAYS_BACK = 80 * 366
DAYS_PER_YEAR = 365.25


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


class Calendar:
    """Date strings and DST-change days for the days before `as_of`."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.dates = [(as_of - dt.timedelta(days=n)).isoformat() for n in range(MAX_DAYS_BACK + 1)]
        # On the last Sunday of March 01:00-01:59 does not exist in Europe/London,
        # and on the last Sunday of October it happens twice; no timestamp may
        # fall in that hour, or "UK local time" would not name one instant.
        changes = set()
        for year in range(as_of.year - 81, as_of.year + 1):
            for month in (3, 10):
                back = (as_of - _last_sunday(year, month)).days
                if 0 <= back <= MAX_DAYS_BACK:
                    changes.add(back)
        self.dst_change_days = frozenset(changes)

    def date(self, days_back: int) -> str:
        return self.dates[days_back]

    def stamp(self, days_back: int, hour: int, minute: int) -> str:
        """'YYYY-MM-DD HH:MM' in UK local time, moved out of the DST-change hour."""
        if hour == 1 and days_back in self.dst_change_days:
            hour = 2  # 02:xx exists exactly once on both change days
        return f"{self.dates[days_back]} {hour:02d}:{minute:02d}"
