"""The compliance dashboard and its monthly and quarterly reports (admins, auditors)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.checks.alerts import open_alerts
from registry.checks.views import PAGE_SIZE, alert_view
from registry.core import clock
from registry.core.permissions import SEE_ALL_ROLES, Role, roles_required
from registry.core.web import add_nav, perform
from registry.extensions import db
from registry.oversight import work
from registry.oversight.charts import rate_chart
from registry.oversight.compliance import active_units, last_months, month_table, on_time_series
from registry.oversight.reports import ReportPeriod, report_pdf, report_xlsx

bp = Blueprint("oversight", __name__)


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
    missed = request.args.get("missed")
    if missed in {figure.key for figure in table.figures}:  # from the workbench: the units missing one figure
        table.rows = work.missing(table, missed)
    else:
        missed = None
    series = on_time_series(today, unit_id)
    chart = rate_chart(series, _("Disclosures published on time, last 12 months"), _("nothing due"))
    alerts = db.session.scalars(open_alerts(all_units=True).limit(PAGE_SIZE)).all()
    months = [f"{y:04d}-{m:02d}" for y, m in reversed(last_months(today, 24))]
    quarters = sorted({f"{y:04d}-Q{(m - 1) // 3 + 1}" for y, m in last_months(today, 24)}, reverse=True)
    return render_template("oversight/compliance.html", table=table, chart=chart, series=series, units=units,
                           unit_id=unit_id, months=months, quarters=quarters, missed=missed,
                           alerts=[alert_view(a) for a in alerts])


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


add_nav("oversight.compliance", _l("Compliance"), order=85, officer=True,
        visible=lambda user: user.role in SEE_ALL_ROLES)
