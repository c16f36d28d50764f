"""The calendar-coverage check (SPEC §9): the administrators are alerted while a year that
deadlines need has no working-day calendar."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.checks.alerts import OVERDUE, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core.workdays import current_calendar

register_alert_kind(
    "calendar_missing", label=_l("Working-day calendar not loaded"),
    message=_l("The working-day calendar for %(record_id)s is not loaded: deadlines in that year count "
               "Monday to Friday. Import the State Council's holiday schedule."),
    severity=OVERDUE, link=lambda alert: url_for("admin.calendar"),
)


def years_needed(today: date) -> set[int]:
    """Years deadline computations use now: this year, next year from 1 December, and any year
    the calendar had to count Monday to Friday in this process."""
    calendar = current_calendar()
    years = {today.year, *calendar.uncovered_years}
    if today.month == 12:
        years.add(today.year + 1)
    return years


@register_check("calendar_coverage", order=90, hour=7, minute=0)
def calendar_coverage(today: date) -> dict:
    """Alert the administrators while a year that deadlines need is missing from the calendar."""
    calendar = current_calendar()
    missing = sorted(year for year in years_needed(today) if not calendar.covers(year))
    rows = [{"unit_id": None, "record_type": "calendar_year", "record_id": year, "due_date": date(year, 1, 1)}
            for year in missing]
    result = sync_alerts("calendar_missing", today, rows)
    return {"missing_years": len(missing), **result.counts()}
