"""The scheduled check of the work ledger: monthly progress reports not made by their due date."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from registry.checks.alerts import OVERDUE, link_to, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.ledger.operations import overdue_reports

ALERT_KIND = "ledger_report_overdue"
RECORD_TYPE = "ledger_assignment"

register_alert_kind(
    ALERT_KIND, label=_l("Monthly ledger report overdue"),
    message=_l("Ledger task %(task)s: %(missing)s monthly progress report(s) missing, "
               "the first (%(month)s) due on %(due_date)s."),
    severity=OVERDUE, link=link_to("ledger.assignment", "assignment_id"),
)


@register_check("ledger_reports", order=70, hour=8, minute=0)
def check_ledger_reports(today: date) -> dict:
    """One open alert per (task, unit) while any of its past months has no report."""
    rows = [
        {"unit_id": row.unit_id, "record_type": RECORD_TYPE, "record_id": row.assignment_id,
         "due_date": row.first_due,
         "params": {"task": f"{row.year}-{row.task_number}", "missing": row.missing,
                    "month": f"{row.year}-{row.first_month:02d}"}}
        for row in overdue_reports(today)
    ]
    return sync_alerts(ALERT_KIND, today, rows).counts()
