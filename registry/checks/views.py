"""The officer dashboard (alerts of one's unit) and the compliance dashboard (admins, auditors)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.checks import checks as _checks  # noqa: F401  (alert kinds)
from registry.checks.alerts import alert_label, alert_link, alert_message, alert_severity, open_alerts
from registry.checks.charts import rate_chart
from registry.checks.compliance import active_units, last_months, month_table, on_time_series
from registry.checks.models import Alert
from registry.checks.reports import ReportPeriod, report_pdf, report_xlsx
from registry.core import clock
from registry.core.permissions import SEE_ALL_ROLES, Role, officer_required, roles_required
from registry.core.web import add_nav, perform
from registry.extensions import db

bp = Blueprint("checks", __name__)
PAGE_SIZE = 100


def _alert_view(alert: Alert) -> dict:
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
    return render_template("checks/dashboard.html", unit_alerts=[_alert_view(a) for a in unit_alerts],
                           admin_alerts=[_alert_view(a) for a in admin_alerts], other_units=other_units)


def _month_arg(today):
    text = request.args.get("month") or ""
    period = ReportPeriod.parse(text)
    if period is None or period.quarterly:
        return today.year, today.month
    return period.year, period.months[0]


@bp.route("/compliance")
@roles_required(Role.ADMIN, Role.AUDITOR)
def compliance():
    today = clock.today()
    year, month = _month_arg(today)
    unit_id = request.args.get("unit", type=int)
    units = active_units()
    if unit_id is not None and unit_id not in {unit.id for unit in units}:
        unit_id = None
    table = month_table(year, month, unit_id)
    series = on_time_series(today, unit_id)
    chart = rate_chart(series, _("Disclosures published on time, last 12 months"), _("nothing due"))
    alerts = db.session.scalars(open_alerts(all_units=True).limit(PAGE_SIZE)).all()
    months = [f"{y:04d}-{m:02d}" for y, m in reversed(last_months(today, 24))]
    quarters = sorted({f"{y:04d}-Q{(m - 1) // 3 + 1}" for y, m in last_months(today, 24)}, reverse=True)
    return render_template("checks/compliance.html", table=table, chart=chart, series=series, units=units,
                           unit_id=unit_id, months=months, quarters=quarters,
                           alerts=[_alert_view(a) for a in alerts])


@bp.route("/compliance/report/<period>.<fmt>")
@roles_required(Role.ADMIN, Role.AUDITOR)
def report(period: str, fmt: str):
    parsed = ReportPeriod.parse(period)
    if parsed is None or fmt not in ("xlsx", "pdf"):
        abort(404)
    filename = f"compliance-{parsed.key}.{fmt}"
    if fmt == "xlsx":
        data = report_xlsx(parsed)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        ok, data = perform(report_pdf, parsed, current_user)
        if not ok:
            abort(409)
        mimetype = "application/pdf"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


add_nav("checks.dashboard", _l("Alerts"), order=5, officer=True)
add_nav("checks.compliance", _l("Compliance"), order=85, officer=True,
        visible=lambda user: user.role in SEE_ALL_ROLES)
