"""Calendar coverage on the administrator's workbench: the years deadlines need now that have no
complete working-day arrangement (what the ``calendar_coverage`` check alerts on)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.admin.checks import years_needed
from registry.core.workbench import WorkLine, register_work_lines
from registry.core.workdays import current_calendar


@register_work_lines("system", "calendar", order=20)
def calendar_lines(user, today):
    calendar = current_calendar()
    missing = sorted(year for year in years_needed(today) if not calendar.is_complete(year))
    return [WorkLine(_l("Years without a complete working-day calendar"), len(missing),
                     url_for("admin.calendar", year=missing[0]) if missing else url_for("admin.calendar"),
                     tone="overdue" if missing else "", lists_items=False,
                     note=", ".join(str(year) for year in missing) or None)]
