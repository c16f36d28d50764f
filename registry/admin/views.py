from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.admin import audit, audit_records
from registry.admin.forms import CalendarDayForm
from registry.core import calendar_changes, clock, settings, spreadsheets, workdays
from registry.core.errors import ValidationFailed
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.web import add_nav, committing, perform
from registry.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def settings_page():
    errors: dict[str, str] = {}
    if request.method == "POST":
        if current_user.role is not Role.ADMIN:
            return redirect(url_for(".settings_page"))
        try:
            with committing():
                for spec, _value in settings.all_settings():
                    if spec.key in request.form:
                        settings.set_setting(spec.key, request.form[spec.key].strip(), current_user)
                settings.check_together()
        except ValidationFailed as error:
            errors[error.field] = str(error.message)
            flash(_("Nothing was saved: correct the marked setting."), "error")
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for(".settings_page"))
    return render_template("admin/settings.html", rows=settings.all_settings(), errors=errors,
                           submitted=request.form)


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def calendar():
    year = request.args.get("year", type=int) or clock.today().year
    year = min(max(year, 2000), 2100)
    form = CalendarDayForm()
    if current_user.role is Role.ADMIN and form.validate_on_submit():
        with committing():
            moved = calendar_changes.set_days(
                [(form.day.data, form.kind.data == "workday", form.note.data or None)], current_user)
        flash(_("The calendar was updated; %(n)d open deadlines were recounted.", n=moved), "success")
        return redirect(url_for(".calendar", year=form.day.data.year))
    overrides = db.session.scalars(
        sa.select(workdays.CalendarDay)
        .where(workdays.CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(workdays.CalendarDay.day)
    ).all()
    cal = workdays.current_calendar()
    this_year = clock.today().year
    states = [cal.state(y) for y in sorted({this_year - 1, this_year, this_year + 1, year})]
    in_force = sorted(cal.in_force(year).days)
    return render_template("admin/calendar.html", form=form, year=year, overrides=overrides, states=states,
                           state=cal.state(year), in_force=in_force, kinds=workdays.YearKind)


@bp.route("/calendar/apply", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_apply():
    ok, applied = perform(calendar_changes.apply_sources, actor=current_user)
    if ok:
        flash(_("The package's calendar was applied: %(years)s changed, %(n)d open deadlines recounted.",
                years=", ".join(map(str, applied.years)) or _("no year"), n=applied.moved), "success")
    return redirect(url_for(".calendar"))


@bp.route("/calendar/<int:year>/arrangement", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_arrangement(year: int):
    entered = request.form.get("action") != "withdraw"
    perform(calendar_changes.declare_arrangement, year, entered, current_user,
            success=_("The arrangement for %(year)d is declared entered.", year=year) if entered
            else _("The declaration for %(year)d was withdrawn.", year=year))
    return redirect(url_for(".calendar", year=min(max(year, 2000), 2100)))


@bp.route("/calendar/<day>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_delete(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        flash(_("Not a date."), "error")
        return redirect(url_for(".calendar"))
    with committing():
        calendar_changes.remove_day(parsed, current_user)
    return redirect(url_for(".calendar", year=parsed.year))


@bp.route("/audit")
@roles_required(Role.ADMIN, Role.AUDITOR)
def audit_log():
    filters, errors = audit.parse_filters(request.args)
    result = audit.AuditPage([], None) if errors else audit.page(filters, audit.decode_key(request.args.get("after")))
    choices = audit.choices()
    return render_template("admin/audit.html", result=result, filters=filters, errors=errors,
                           args=request.args, choices=choices, unit_names=dict(choices["units"]), audit=audit,
                           numbers=audit_records.numbers_of(result.events),
                           first_page=not request.args.get("after")), 400 if errors else 200


@bp.route("/audit.csv")
@roles_required(Role.ADMIN, Role.AUDITOR)
def audit_csv():
    filters, errors = audit.parse_filters(request.args)
    if errors:
        flash(_("Nothing was exported: correct the marked filter."), "error")
        return redirect(url_for(".audit_log", **request.args))
    header = [str(label) for label in audit.CSV_HEADER]
    body = stream_with_context(spreadsheets.csv_stream(header, audit.csv_rows(filters)))
    response = Response(body, mimetype="text/csv")
    stamp = clock.local(clock.utcnow()).strftime("%Y%m%d-%H%M%S")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


add_nav("admin.settings_page", _l("Settings"), order=91, officer=True, visible=can_read_audit)
add_nav("admin.calendar", _l("Calendar"), order=92, officer=True, visible=can_read_audit)
add_nav("admin.audit_log", _l("Audit log"), order=93, officer=True, visible=can_read_audit)
