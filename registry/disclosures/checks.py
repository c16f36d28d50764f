"""The scheduled checks of the disclosures (PRODUCT §9).

- ``disclosure_visibility`` (daily 00:30): penalties past their disclosure period and lapsed
  licences leave public view.
- ``disclosure_deadline`` (daily 08:00): alerts on unpublished disclosures due within the lead time
  (``disclosure_due_soon``) and past their deadline (``disclosure_overdue``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.checks.alerts import OVERDUE, WARNING, json_param, link_to, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core.settings import get_setting
from registry.disclosures import queries
from registry.disclosures.models import Disclosure
from registry.disclosures.operations import expire_past_period


@register_check("disclosure_visibility", order=20, hour=0, minute=30)
def disclosure_visibility(today: date) -> dict:
    return {"expired": expire_past_period(today)}


register_alert_kind(
    "disclosure_due_soon", label=_l("Disclosure due soon"),
    message=_l("Disclosure %(number)s must be published by %(due_date)s."),
    severity=WARNING, link=link_to("disclosures.show", "disclosure_id"),
)
register_alert_kind(
    "disclosure_overdue", label=_l("Disclosure overdue"),
    message=_l("Disclosure %(number)s was due for publication on %(due_date)s and is not published."),
    severity=OVERDUE, link=link_to("disclosures.show", "disclosure_id"),
)


def _alert_rows(statement: sa.Select) -> sa.Select:
    return statement.with_only_columns(
        Disclosure.unit_id.label("unit_id"), sa.literal("disclosure").label("record_type"),
        Disclosure.id.label("record_id"), Disclosure.publication_deadline.label("due_date"),
        Disclosure.subject_id.label("subject_id"), json_param("number", Disclosure.decision_number),
    )


@register_check("disclosure_deadline", order=40, hour=8, minute=0)
def disclosure_deadline(today: date) -> dict:
    """Unpublished disclosures due within the lead time (working days), and overdue ones."""
    lead = get_setting("alert_lead_working_days")
    counts = sync_alerts("disclosure_due_soon", today, _alert_rows(queries.due_soon(today, lead))).counts("due_soon_")
    counts.update(sync_alerts("disclosure_overdue", today, _alert_rows(queries.overdue(today))).counts("overdue_"))
    return counts
