"""The calendar's scheduled checks (PRODUCT §8, §9): ``calendar_apply`` brings a new version of the
holidays package into force and recounts the open deadlines; ``calendar_coverage`` alerts the
administrators while a year that deadlines need has no complete working-day arrangement."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.checks.alerts import OVERDUE, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core.calendar_changes import apply_sources
from registry.core.workdays import current_calendar

register_alert_kind(
    "calendar_missing", label=_l("Working-day arrangement not entered"),
    message=_l("The working-day arrangement for %(record_id)s is not entered: deadlines in that year count the "
               "statutory holidays only. Enter the State Council's arrangement (its 调休 days) and declare it "
               "entered on the calendar page."),
    severity=OVERDUE, link=lambda alert: url_for("admin.calendar"),
)


def years_needed(today: date) -> set[int]:
    """Years deadline computations use now: this year, next year from 1 December, and any year
    the calendar had to count on statutory holidays only in this process."""
    calendar = current_calendar()
    years = {today.year, *calendar.provisional_years}
    if today.month == 12:
        years.add(today.year + 1)
    return years


@register_check("calendar_coverage", order=90, hour=7, minute=0)
def calendar_coverage(today: date) -> dict:
    """Alert the administrators while a year that deadlines need has no complete arrangement."""
    calendar = current_calendar()
    missing = sorted(year for year in years_needed(today) if not calendar.is_complete(year))
    rows = [{"unit_id": None, "record_type": "calendar_year", "record_id": year, "due_date": date(year, 1, 1)}
            for year in missing]
    result = sync_alerts("calendar_missing", today, rows)
    return {"missing_years": len(missing), **result.counts()}


@register_check("calendar_apply", order=5, hour=0, minute=20)
def calendar_apply(today: date) -> dict:
    """Bring a new version of the holidays package into force and recount the open deadlines,
    before the publicity-end check (00:30) publishes anything."""
    applied = apply_sources(today)
    return {"years_changed": len(applied.years), "deadlines_recounted": applied.moved}
