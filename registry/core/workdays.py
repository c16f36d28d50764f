"""Working days on the Chinese statutory calendar (SPEC §8).

Weekends and statutory holidays are not working days; the adjusted working weekend days (调休)
are.  The ``chinesecalendar`` package knows the years it was released with; an admin-editable
override table (``calendar_days``) wins over it and covers the years it does not know.  A year
known to neither is counted Monday–Friday, and ``uncovered_years`` says so, so that the
scheduled checks can raise the "calendar not loaded" alert.

"Within N working days of D" means the N-th working day strictly after D.  The package's own
``find_workday`` rolls a non-working start day forward first, which is not the legal rule, so
the counting here is our own.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import chinese_calendar
import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.extensions import db

log = logging.getLogger(__name__)
ONE_DAY = timedelta(days=1)


class CalendarDay(db.Model):
    """An admin's ruling on one date, overriding the package: a working day or a holiday."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkdayCalendar:
    """A snapshot of the calendar: the package plus the overrides loaded once."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = overrides or {}
        self.override_years = {d.year for d in self.overrides}
        self.uncovered_years: set[int] = set()
        self._package_years: dict[int, bool] = {}

    @classmethod
    def load(cls) -> WorkdayCalendar:
        rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.is_workday))
        return cls(dict(rows.tuples().all()))

    def _package_knows(self, year: int) -> bool:
        if year not in self._package_years:
            self._package_years[year] = _package_covers(year)
        return self._package_years[year]

    def covers(self, year: int) -> bool:
        """Whether ``year`` is known from the package or from loaded overrides."""
        return year in self.override_years or self._package_knows(year)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if self._package_knows(day.year):
            return chinese_calendar.is_workday(day)
        # Overrides for a year the package does not know list only its holidays and 调休 days.
        if day.year not in self.override_years and day.year not in self.uncovered_years:
            log.warning("working-day calendar for %s not loaded: counting Monday to Friday", day.year)
            self.uncovered_years.add(day.year)
        return day.weekday() < 5

    def add(self, start: date, n: int) -> date:
        """The ``n``-th working day strictly after ``start`` (``start`` itself when n is 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def count_between(self, start: date, end: date) -> int:
        """Working days in the interval (start, end]: how many have passed since ``start``."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def latest_start(self, n: int, deadline: date) -> date:
        """The latest date D whose ``add(D, n)`` falls on or before ``deadline``.

        Lets a check select "due by X" in SQL as ``start_date <= latest_start(n, X)``, since the
        deadline only moves forward as the start date does.
        """
        if n == 0:
            return deadline
        day, remaining = deadline, n
        while True:
            if self.is_workday(day):
                remaining -= 1
                if remaining == 0:
                    return day - ONE_DAY
            day -= ONE_DAY


def current_calendar() -> WorkdayCalendar:
    """The calendar for this request or command, loaded once and reused."""
    if not has_app_context():
        return WorkdayCalendar()
    if "workday_calendar" not in g:
        g.workday_calendar = WorkdayCalendar.load()
    return g.workday_calendar


def forget_loaded_calendar() -> None:
    """Drop the cached snapshot after the overrides changed."""
    if has_app_context():
        g.pop("workday_calendar", None)


def add_working_days(start: date, n: int) -> date:
    return current_calendar().add(start, n)


def working_days_between(start: date, end: date) -> int:
    return current_calendar().count_between(start, end)


def is_workday(day: date) -> bool:
    return current_calendar().is_workday(day)


def set_day(day: date, is_workday: bool, note: str | None, actor=None) -> CalendarDay:
    """Record an override for one date (audited)."""
    from registry.core.audit import record_event

    row = db.session.get(CalendarDay, day)
    before = None if row is None else row.is_workday
    if row is None:
        row = CalendarDay(day=day, is_workday=is_workday)
        db.session.add(row)
    row.is_workday, row.note = is_workday, note
    row.updated_at, row.updated_by_id = clock.utcnow(), getattr(actor, "id", None)
    db.session.flush()
    record_event(
        "calendar.set",
        actor=actor,
        object_type="calendar_day",
        comment=note,
        details={"day": day.isoformat(), "is_workday": is_workday, "before": before},
    )
    forget_loaded_calendar()
    return row


def remove_day(day: date, actor=None) -> bool:
    from registry.core.audit import record_event

    row = db.session.get(CalendarDay, day)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    record_event("calendar.remove", actor=actor, object_type="calendar_day", details={"day": day.isoformat()})
    forget_loaded_calendar()
    return True
