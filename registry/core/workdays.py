"""Working days on the Chinese statutory calendar (PRODUCT §8).

Weekends and statutory holidays are not working days; the adjusted working weekend days (调休)
are.  Where a day's status comes from, the first that says something wins:

1. the administrator's entries (table ``calendar_days``), for any date;
2. the year's days as last *applied* (table ``calendar_years``): the days the stored deadlines
   were counted with.  A source that changes (a package upgrade that brings a new year's
   arrangement) changes nothing until it is applied (``apply_sources``: the
   ``calendar recompute`` command and the nightly ``calendar_apply`` check), and applying it
   recounts the open deadlines at the same moment;
3. the ``holidays`` package's China calendar.  For a year whose arrangement it carries (the State
   Council's notice: substituted days off and working weekends; 2001–2026 in holidays 0.109) it
   is counted with ``observed=True``.  For a later year only the statutory days of
   《全国年节及纪念日放假办法》 count (``observed=False``): the package's rule-based "observed"
   days there are its own guess, not the State Council's, and the year is "statutory holidays
   only, arrangement not yet entered" until the package carries it or the administrator enters
   the 调休 days and declares the year's arrangement entered.

Why ``holidays`` and not ``chinesecalendar``: ``tests/core/test_workdays_sources.py`` compares them
on every day of 2004–2026.  They differ on one day, 2005-12-31 (a Saturday), which the State
Council's notice for 2006 (国办发明电〔2005〕35号: "12月31日（星期六）上班") makes a working day:
``holidays`` has it right, ``chinesecalendar`` 1.11 counts it as a day off.  So ``holidays`` is
the one source; ``chinesecalendar`` (which stops at 2026) is kept only as the test's reference.

"Within N working days of D" means the N-th working day strictly after D.  When the calendar in
force changes, ``core.signals.calendar_changed`` is sent with the calendars before and after;
each domain recounts its stored deadlines with ``recount``: the number of working days a deadline
was counted with is read back under the calendar before (so a setting changed since does not move
it) and counted again under the calendar after.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

import holidays
import sqlalchemy as sa
from flask import g, has_app_context
from holidays.countries.china import ChinaStaticHolidays
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.db import str_enum
from registry.extensions import db

log = logging.getLogger(__name__)
ONE_DAY = timedelta(days=1)
FIRST_YEAR, LAST_YEAR = 2000, 2200
SOURCE_NAME = f"holidays {holidays.__version__}"
_WARNED: set[int] = set()  # years the log has warned about (once a process, not once a request)


class CalendarDay(db.Model):
    """An admin's ruling on one date, overriding every source: a working day or a holiday."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class YearKind(StrEnum):
    ARRANGEMENT = "arrangement"  # the State Council's arrangement for the year is known
    STATUTORY = "statutory"  # statutory holidays only
    WEEKDAYS = "weekdays"  # Monday to Friday: how the registry counted years chinesecalendar did not know


class CalendarYear(db.Model):
    """One year of the calendar: the days last applied, and the administrator's declaration.

    ``applied_days`` lists (JSON, ISO dates) the days whose status differs from Monday–Friday in
    the source as applied; NULL when the year was never applied (the source then counts as it is).
    """

    __tablename__ = "calendar_years"
    __table_args__ = (
        sa.CheckConstraint(f"year BETWEEN {FIRST_YEAR} AND {LAST_YEAR}", name="year_range"),
        sa.CheckConstraint(
            "(applied_days IS NULL AND applied_kind IS NULL AND applied_at IS NULL) OR "
            "(applied_days IS NOT NULL AND applied_kind IS NOT NULL AND applied_at IS NOT NULL)",
            name="applied_complete",
        ),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    applied_days: Mapped[str | None] = mapped_column(sa.Text)
    applied_kind: Mapped[YearKind | None] = mapped_column(str_enum(YearKind, "calendar_year_kind"))
    applied_source: Mapped[str | None] = mapped_column(sa.String(60))
    applied_at: Mapped[datetime | None]
    arrangement_entered_at: Mapped[datetime | None]
    arrangement_entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


@dataclass(frozen=True)
class SourceYear:
    """A year as a source gives it: the days that differ from Monday–Friday, and what it knows."""

    days: frozenset[date]
    kind: YearKind
    source: str


def carries_arrangement(year: int) -> bool:
    """Whether the ``holidays`` package carries the State Council's arrangement for ``year``."""
    return year in getattr(ChinaStaticHolidays, "special_public_holidays", {})


@functools.cache
def source_year(year: int) -> SourceYear:
    """The ``holidays`` package's year: with its arrangement where it has one, else statutory only."""
    arrangement = carries_arrangement(year)
    calendar = holidays.China(years=year, observed=arrangement)
    days, day = set(), date(year, 1, 1)
    while day.year == year:
        if calendar.is_working_day(day) != (day.weekday() < 5):
            days.add(day)
        day += ONE_DAY
    kind = YearKind.ARRANGEMENT if arrangement else YearKind.STATUTORY
    return SourceYear(frozenset(days), kind, SOURCE_NAME)


@dataclass(frozen=True)
class YearState:
    """A year as it is in force, for the admin page and the coverage alert."""

    year: int
    kind: YearKind
    applied: bool  # counted from the applied days (else from the source as it is)
    pending: bool  # the source differs from what was applied: ``apply_sources`` will change it
    declared_at: datetime | None
    overrides: int

    @property
    def complete(self) -> bool:
        return self.kind is YearKind.ARRANGEMENT or self.declared_at is not None


@dataclass(frozen=True)
class YearRow:
    """A ``calendar_years`` row as loaded: plain values, so that a snapshot never changes."""

    applied: SourceYear | None
    declared_at: datetime | None


class WorkdayCalendar:
    """A snapshot of the calendar in force: the administrator's entries and the applied years."""

    def __init__(self, overrides: dict[date, bool] | None = None, years: dict[int, YearRow] | None = None):
        self.overrides = overrides or {}
        self.rows = years or {}
        self.provisional_years: set[int] = set()  # incomplete years this calendar counted in
        self._complete: dict[int, bool] = {}

    @classmethod
    def load(cls) -> WorkdayCalendar:
        overrides = dict(db.session.execute(sa.select(CalendarDay.day, CalendarDay.is_workday)).tuples().all())
        years = {}
        for row in db.session.scalars(sa.select(CalendarYear)):
            applied = None
            if row.applied_days is not None:
                days = frozenset(date.fromisoformat(text) for text in json.loads(row.applied_days))
                applied = SourceYear(days, YearKind(row.applied_kind), row.applied_source or "")
            years[row.year] = YearRow(applied, row.arrangement_entered_at)
        return cls(overrides, years)

    def in_force(self, year: int) -> SourceYear:
        """The year's days as counted: as applied, or the source's where never applied."""
        row = self.rows.get(year)
        if row is not None and row.applied is not None:
            return row.applied
        return source_year(year)

    def state(self, year: int) -> YearState:
        row = self.rows.get(year)
        held, source = self.in_force(year), source_year(year)
        return YearState(
            year=year, kind=held.kind, applied=row is not None and row.applied is not None,
            pending=(held.days, held.kind) != (source.days, source.kind),
            declared_at=row.declared_at if row is not None else None,
            overrides=sum(1 for day in self.overrides if day.year == year),
        )

    def is_complete(self, year: int) -> bool:
        if year not in self._complete:
            self._complete[year] = self.state(year).complete
        return self._complete[year]

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.provisional_years and not self.is_complete(day.year):
            self.provisional_years.add(day.year)
            if day.year not in _WARNED:
                _WARNED.add(day.year)
                log.warning("working-day arrangement for %s not entered: counting the statutory holidays only",
                            day.year)
        return (day.weekday() < 5) != (day in self.in_force(day.year).days)

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
    """Drop the cached snapshot after the calendar changed."""
    if has_app_context():
        g.pop("workday_calendar", None)


def add_working_days(start: date, n: int) -> date:
    return current_calendar().add(start, n)


def working_days_between(start: date, end: date) -> int:
    return current_calendar().count_between(start, end)


def is_workday(day: date) -> bool:
    return current_calendar().is_workday(day)
