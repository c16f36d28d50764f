"""The officer dashboard: the open alerts of one's unit (admins and auditors also see the administrators')."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.checks.alerts import alert_label, alert_link, alert_message, alert_severity, open_alerts
from registry.checks.models import Alert
from registry.core.permissions import SEE_ALL_ROLES, officer_required
from registry.core.web import add_nav
from registry.extensions import db

bp = Blueprint("checks", __name__)
PAGE_SIZE = 100


def alert_view(alert: Alert) -> dict:
    return {"alert": alert, "label": alert_label(alert), "message": alert_message(alert),
            "link": alert_link(alert), "severity": alert_severity(alert)}


@bp.route("/dashboard")
@officer_required
def dashboard():
    """Open alerts: the officer's unit; admins and auditors also see the ones for administrators."""
    sees_all = current_user.role in SEE_ALL_ROLES
    unit_alerts = db.session.scalars(open_alerts(current_user.unit_id).limit(PAGE_SIZE)).all()
    admin_alerts = db.session.scalars(open_alerts(None).limit(PAGE_SIZE)).all() if sees_all else []
    other_units = 0
    if sees_all:
        other_units = db.session.scalar(sa.select(sa.func.count()).select_from(Alert).where(
            Alert.resolved_at.is_(None), Alert.unit_id.is_not(None), Alert.unit_id != current_user.unit_id))
    return render_template("checks/dashboard.html", unit_alerts=[alert_view(a) for a in unit_alerts],
                           admin_alerts=[alert_view(a) for a in admin_alerts], other_units=other_units)


add_nav("checks.dashboard", _l("Alerts"), order=5, officer=True)
