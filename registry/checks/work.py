"""The open alerts on the workbench: the unit's, and for admins and auditors the administrators'
too, each counted as the alerts page (``/dashboard``) lists them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.checks.alerts import ALERT_KINDS, OVERDUE, open_alerts
from registry.core.permissions import SEE_ALL_ROLES
from registry.core.workbench import WorkLine, register_work_lines
from registry.extensions import db


def _counts(unit_id) -> tuple[int, int]:
    """Open alerts of ``unit_id`` (None: the administrators'), and how many of them are overdue."""
    overdue_kinds = [name for name, kind in ALERT_KINDS.items() if kind.severity == OVERDUE]
    rows = open_alerts(unit_id).order_by(None).subquery()
    return db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.case((rows.c.kind.in_(overdue_kinds), 1))))
                              .select_from(rows)).one()


@register_work_lines("alerts", "checks", order=10)
def alert_lines(user, today):
    count, overdue = _counts(user.unit_id)
    lines = [WorkLine(_l("Open alerts of my unit"), count, url_for("checks.dashboard"),
                      tone="overdue" if overdue else "", order=10,
                      note=_l("%(n)d overdue", n=overdue) if overdue else None)]
    if user.role in SEE_ALL_ROLES:
        count, overdue = _counts(None)
        lines.append(WorkLine(_l("Open alerts for the administrators"), count,
                              url_for("checks.dashboard", _anchor="admin-alerts"), order=11,
                              tone="overdue" if overdue else "",
                              note=_l("%(n)d overdue", n=overdue) if overdue else None))
    return lines



