"""One digest per unit per check run, of the alerts that run raised (sent after its commit)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from registry.accounts.models import Unit, User
from registry.checks.alerts import alert_label, alert_message
from registry.checks.models import Alert
from registry.core.mail import mail_enabled, queue_mail
from registry.core.permissions import UNIT_ROLES, Role
from registry.extensions import db


def _recipients(unit_id: int | None) -> list[str]:
    """A unit's active officers; the active administrators for alerts that belong to no unit."""
    statement = sa.select(User.email).where(User.is_active.is_(True))
    if unit_id is None:
        statement = statement.where(User.role == Role.ADMIN)
    else:
        statement = statement.where(User.unit_id == unit_id, User.role.in_(UNIT_ROLES))
    return list(db.session.scalars(statement))


def queue_digests(alert_ids) -> int:
    """Queue one mail per unit listing its new alerts; returns how many mails were queued."""
    if not alert_ids or not mail_enabled():
        return 0
    alerts = db.session.scalars(sa.select(Alert).where(Alert.id.in_(list(alert_ids))).order_by(Alert.id)).all()
    by_unit: dict[int | None, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_unit[alert.unit_id].append(alert)
    base_url = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    queued = 0
    for unit_id, unit_alerts in sorted(by_unit.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        unit = db.session.get(Unit, unit_id) if unit_id is not None else None
        subject = _("Credit registry: new alerts (%(num)d)", num=len(unit_alerts))
        lines = [_("New alerts for %(unit)s:", unit=unit.name if unit else _("the administrators")), ""]
        for alert in unit_alerts:
            due = _("due %(day)s", day=alert.due_date.isoformat()) if alert.due_date else ""
            lines.append(f"- {alert_label(alert)}: {alert_message(alert)}" + (f" ({due})" if due else ""))
        dashboard_url = base_url + "/dashboard"
        lines += ["", _("Open the dashboard: %(url)s", url=dashboard_url)]
        if queue_mail(_recipients(unit_id), subject, "\n".join(lines)):
            queued += 1
    return queued
