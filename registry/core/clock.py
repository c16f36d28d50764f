"""The one place the application asks what time it is, so that tests can freeze it.

Timestamps are stored in UTC; dates that carry legal meaning (decision dates, deadlines) are
calendar dates in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Asia/Shanghai, the date legal deadlines are counted in."""
    return utcnow().astimezone(LOCAL_TZ).date()


def local(moment: datetime) -> datetime:
    """``moment`` shown in Asia/Shanghai."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and the first day of the next (a half-open range of dates)."""
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def local_midnight_utc(day: date) -> datetime:
    """The instant Asia/Shanghai's ``day`` begins, for comparing a calendar date with UTC timestamps."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


@contextmanager
def frozen_at(moment: datetime | date) -> Iterator[datetime]:
    """Freeze ``utcnow`` at ``moment`` (a date means 10:00 that day in Asia/Shanghai)."""
    global _frozen
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 10, 0, tzinfo=LOCAL_TZ)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous
