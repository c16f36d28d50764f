"""Changing the working-day calendar, and recounting the stored deadlines that rest on it (PRODUCT §8).

Every change (the administrator's rulings, a new version of the holidays package brought into
force, a year's arrangement declared entered) is audited and sends ``core.signals.calendar_changed``
with the calendar before and after; the domains that store working-day deadlines recount them in
their receivers with ``recount`` and ``store_recounted``, so nothing is published or falls due
before its recounted day.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock, workdays
from registry.core.audit import record_event, record_events
from registry.core.errors import ValidationFailed
from registry.core.signals import calendar_changed
from registry.core.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarDay,
    CalendarYear,
    WorkdayCalendar,
    YearKind,
    current_calendar,
    forget_loaded_calendar,
)
from registry.extensions import db

log = logging.getLogger(__name__)
# --- changing the calendar (every change recounts the open deadlines) -----------------------


def _changed(before: WorkdayCalendar, actor) -> int:
    """Tell the domains the calendar changed; how many stored deadlines they moved."""
    forget_loaded_calendar()
    after = current_calendar()
    results = calendar_changed.send(before=before, after=after, actor=actor)
    return sum(result or 0 for _receiver, result in results)


def set_days(rows: list[tuple[date, bool, str | None]], actor=None) -> int:
    """Record the administrator's rulings (audited) and recount; how many deadlines moved."""
    before = WorkdayCalendar.load()
    for day, workday, note in rows:
        row = db.session.get(CalendarDay, day)
        previous = None if row is None else row.is_workday
        if row is None:
            row = CalendarDay(day=day, is_workday=workday)
            db.session.add(row)
        row.is_workday, row.note = workday, note
        row.updated_at, row.updated_by_id = clock.utcnow(), getattr(actor, "id", None)
        db.session.flush()
        record_event("calendar.set", actor=actor, object_type="calendar_day", comment=note,
                     details={"day": day.isoformat(), "is_workday": workday, "before": previous})
    return _changed(before, actor)


def set_day(day: date, is_workday: bool, note: str | None, actor=None) -> CalendarDay:
    """Record one ruling (audited) and recount the open deadlines."""
    set_days([(day, is_workday, note)], actor)
    return db.session.get(CalendarDay, day)


def remove_day(day: date, actor=None) -> bool:
    """Drop a ruling (audited): the sources count the day again."""
    row = db.session.get(CalendarDay, day)
    if row is None:
        return False
    before = WorkdayCalendar.load()
    db.session.delete(row)
    db.session.flush()
    record_event("calendar.remove", actor=actor, object_type="calendar_day",
                 details={"day": day.isoformat(), "was_workday": row.is_workday})
    _changed(before, actor)
    return True


@dataclass(frozen=True)
class Applied:
    years: list[int]  # years whose days in force changed
    moved: int  # stored deadlines recounted


def apply_sources(today: date | None = None, actor=None) -> Applied:
    """Bring the source's days into force (after a package upgrade) and recount the deadlines.

    Applies last year to next year and every year applied before; a year applied for the first
    time keeps the days it already counted with, so nothing moves for it.  Idempotent.
    """
    today = today or clock.today()
    before = WorkdayCalendar.load()
    years = sorted(set(before.rows) | {today.year - 1, today.year, today.year + 1})
    changed = []
    for year in years:
        loaded = before.rows.get(year)
        held, source = before.in_force(year), workdays.source_year(year)
        if loaded is not None and loaded.applied is not None and (held.days, held.kind) == (source.days, source.kind):
            continue
        row = db.session.get(CalendarYear, year)
        if row is None:
            row = CalendarYear(year=year)
            db.session.add(row)
        row.applied_days = json.dumps(sorted(day.isoformat() for day in source.days))
        row.applied_kind, row.applied_source, row.applied_at = source.kind, source.source, clock.utcnow()
        if (held.days, held.kind) != (source.days, source.kind):
            changed.append(year)
            record_event("calendar.apply", actor=actor, object_type="calendar_year", object_id=year,
                         details={"year": year, "kind": source.kind.value, "was": held.kind.value,
                                  "source": source.source,
                                  "changed_days": sorted(d.isoformat() for d in held.days ^ source.days)})
    db.session.flush()
    if not changed:
        forget_loaded_calendar()
        return Applied([], 0)
    return Applied(changed, _changed(before, actor))


def declare_arrangement(year: int, entered: bool, actor) -> CalendarYear:
    """The administrator declares a year's arrangement entered (or withdraws that), audited.

    A year the package carries needs no declaration; one is refused before any 调休 day of the
    year has been entered, so that an empty year is not called complete by mistake.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(_l("The year must be between %(first)d and %(last)d.", first=FIRST_YEAR,
                                  last=LAST_YEAR), field="year")
    state = WorkdayCalendar.load().state(year)
    if entered:
        if state.kind is YearKind.ARRANGEMENT:
            raise ValidationFailed(_l("The arrangement for %(year)d is already in the package.", year=year),
                                   field="year")
        if state.declared_at is not None:
            raise ValidationFailed(_l("The arrangement for %(year)d is already declared entered.", year=year),
                                   field="year")
        if state.overrides == 0:
            raise ValidationFailed(_l("Enter the arrangement's days for %(year)d (its 调休 working days and "
                                      "days off) before declaring it entered.", year=year), field="year")
    elif state.declared_at is None:
        raise ValidationFailed(_l("The arrangement for %(year)d is not declared entered.", year=year), field="year")
    row = db.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        db.session.add(row)
    row.arrangement_entered_at = clock.utcnow() if entered else None
    row.arrangement_entered_by_id = getattr(actor, "id", None) if entered else None
    db.session.flush()
    record_event("calendar.arrangement_entered" if entered else "calendar.arrangement_withdrawn", actor=actor,
                 object_type="calendar_year", object_id=year, details={"year": year})
    forget_loaded_calendar()
    return row


# --- recounting the stored deadlines (used by the domains' receivers) ------------------------


@dataclass(frozen=True)
class Recounted:
    id: int
    unit_id: int | None
    start: date
    old: date
    new: date
    working_days: int


def recount(rows, before: WorkdayCalendar, after: WorkdayCalendar) -> list[Recounted]:
    """The deadlines that move: ``rows`` are ``(id, unit_id, start, deadline)``.

    A deadline the calendar before would not have given (entered by hand, or counted on another
    calendar) is left as it is: its number of working days cannot be read back.
    """
    moved = []
    for record_id, unit_id, start, old in rows:
        n = before.count_between(start, old)
        if before.add(start, n) != old:
            log.warning("deadline %s of record %s is not %s working days after %s: left as it is",
                        old, record_id, n, start)
            continue
        new = after.add(start, n)
        if new != old:
            moved.append(Recounted(record_id, unit_id, start, old, new, n))
    return moved


def store_recounted(model, column, moved: list[Recounted], *, action: str, actor=None) -> int:
    """Write the moved deadlines (one UPDATE per old/new pair) and one audit event per record."""
    groups: dict[tuple[date, date], list[int]] = defaultdict(list)
    for item in moved:
        groups[(item.old, item.new)].append(item.id)
    for (old, new), ids in groups.items():
        db.session.execute(sa.update(model).where(model.id.in_(ids), column == old).values({column.key: new})
                           .execution_options(synchronize_session="fetch"))
    object_type = getattr(model, "__audit_type__", model.__tablename__)
    record_events([
        {"action": action, "actor": actor, "object_type": object_type, "object_id": item.id,
         "unit_id": item.unit_id,
         "details": {column.key: item.new.isoformat(), "before": item.old.isoformat(),
                     "counted_from": item.start.isoformat(), "working_days": item.working_days}}
        for item in moved
    ])
    return len(moved)
