"""The biweekly publication check (PRODUCT §9): every unit publishes credit information regularly."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.checks.alerts import canonical_json, link_to, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core.changes import ChangeEvent
from registry.core.clock import local_midnight_utc
from registry.core.settings import get_setting
from registry.ledger.duties import Duty, duty_units
from registry.oversight.publication import PUBLICATION_RECORD_TYPES, became_public

register_alert_kind(
    "publication_gap", label=_l("No publication"),
    message=_l("Your unit has published no credit information (disclosure, list entry or case) "
               "in the last %(days)s days."),
    link=link_to("checks.dashboard", "unit", _anchor="publication"),
)


@register_check("biweekly_publication", order=50, hour=8, minute=0)
def biweekly_publication(today: date) -> dict:
    """Alert every active unit carrying the publication duty (seed task 12, ``ledger.duties``)
    that published nothing in the last ``publication_gap_days`` days.

    "In the last N days" is the N calendar days ending today (Asia/Shanghai): a unit that last
    published on D is alerted from D + N.
    """
    gap = get_setting("publication_gap_days")
    window_start = local_midnight_utc(today - timedelta(days=gap - 1))
    recent = sa.exists().where(
        ChangeEvent.unit_id == Unit.id, became_public(),
        ChangeEvent.record_type.in_(PUBLICATION_RECORD_TYPES), ChangeEvent.occurred_at >= window_start,
    )
    rows = sa.select(
        Unit.id.label("unit_id"), sa.literal("unit").label("record_type"), Unit.id.label("record_id"),
        sa.literal(canonical_json({"days": gap})).label("params"),
    ).where(Unit.is_active.is_(True), Unit.id.in_(duty_units(Duty.PUBLICATION, today)), ~recent)
    return sync_alerts("publication_gap", today, rows).counts()
