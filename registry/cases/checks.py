"""The scheduled check of the cases (PRODUCT §5, §9): the monthly case quota.

From the warning day of a month, units short of the month's quota are warned; from the 1st of the
next month, the month missed is flagged overdue.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.cases.quota import published_in_month
from registry.checks.alerts import OVERDUE, canonical_json, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core.clock import month_bounds
from registry.core.settings import get_setting
from registry.ledger.duties import Duty, duty_units

register_alert_kind(
    "case_quota_warning", label=_l("Case quota not met yet"),
    message=_l("Your unit has recorded fewer verified joint reward and punishment cases this month than "
               "the quota (%(quota)s); the month ends on %(due_date)s."),
)
register_alert_kind(
    "case_quota_overdue", label=_l("Case quota missed"),
    message=_l("Your unit recorded fewer verified joint reward and punishment cases in %(month)s than the "
               "quota (%(quota)s)."),
    severity=OVERDUE,
)


def units_short_of_quota(year: int, month: int, quota: int) -> sa.Select:
    """Active units carrying the quota duty in the month (``ledger.duties``) with fewer than
    ``quota`` counted cases dated in it (``cases.quota``'s definition: the month the measure was
    applied, as the dashboard and the effectiveness list count it)."""
    counted = published_in_month(year, month).subquery()
    cases = sa.func.coalesce(counted.c.cases, 0)
    carrying = duty_units(Duty.CASE_QUOTA, month_bounds(year, month)[0])
    return (sa.select(Unit.id).outerjoin(counted, counted.c.unit_id == Unit.id)
            .where(Unit.is_active.is_(True), Unit.id.in_(carrying), cases < quota))


def _quota_rows(year: int, month: int, quota: int) -> sa.Select:
    short = units_short_of_quota(year, month, quota).subquery()
    last_day = month_bounds(year, month)[1] - timedelta(days=1)
    return sa.select(
        short.c.id.label("unit_id"), sa.literal("unit").label("record_type"), short.c.id.label("record_id"),
        sa.literal(last_day, sa.Date()).label("due_date"),
        sa.literal(canonical_json({"month": f"{year:04d}-{month:02d}", "quota": quota})).label("params"),
    )


@register_check("monthly_case_quota", order=60, hour=8, minute=0)
def monthly_case_quota(today: date) -> dict:
    """From the warning day, warn units short of this month's quota; from the 1st, flag last month's.

    The overdue alert names the latest month missed; it stays open while the unit keeps missing
    months and resolves on the 1st of a month after one in which the unit met the quota.
    """
    quota = get_setting("case_quota_per_month")
    counts: dict[str, int] = {}
    if quota and today.day >= get_setting("case_quota_warning_day"):
        warning = _quota_rows(today.year, today.month, quota)
    else:
        warning = []
    counts.update(sync_alerts("case_quota_warning", today, warning).counts("warning_"))
    last_month = today.replace(day=1) - timedelta(days=1)
    overdue = _quota_rows(last_month.year, last_month.month, quota) if quota else []
    counts.update(sync_alerts("case_quota_overdue", today, overdue).counts("overdue_"))
    return counts
