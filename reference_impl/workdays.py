"""Working days: the calendar of the deadlines FRS counts in working days (deletion on
request, FRS-RET-003; filing with the authority, FRS-AUD-003).

A module of its own because both the conformance rules and the retention planner count
with it, and neither should import the other for a calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

DateOrTime = TypeVar("DateOrTime", date, datetime)


def add_working_days(start: DateOrTime, days: int) -> DateOrTime:
    """`days` working days (Monday to Friday) after `start` (a date, or a date-time at the
    same time of day)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
