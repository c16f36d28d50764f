from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.admin.forms import CalendarDayForm
from registry.core import clock, settings, workdays
from registry.core.audit import AuditEvent
from registry.core.errors import ValidationFailed
from registry.core.pagination import paginate
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.web import add_nav
from registry.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE_SIZE = 100


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def settings_page():
    errors: dict[str, str] = {}
    if request.method == "POST":
        if current_user.role is not Role.ADMIN:
            return redirect(url_for(".settings_page"))
        try:
            for spec, _value in settings.all_settings():
                if spec.key in request.form:
                    settings.set_setting(spec.key, request.form[spec.key].strip(), current_user)
            db.session.commit()
        except ValidationFailed as error:
            db.session.rollback()
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
        workdays.set_day(form.day.data, form.kind.data == "workday", form.note.data or None, current_user)
        db.session.commit()
        flash(_("The calendar was updated."), "success")
        return redirect(url_for(".calendar", year=form.day.data.year))
    overrides = db.session.scalars(
        sa.select(workdays.CalendarDay)
        .where(workdays.CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(workdays.CalendarDay.day)
    ).all()
    cal = workdays.current_calendar()
    return render_template("admin/calendar.html", form=form, year=year, overrides=overrides,
                           covered=cal.covers(year), next_year_covered=cal.covers(year + 1))


@bp.route("/calendar/<day>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_delete(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        flash(_("Not a date."), "error")
        return redirect(url_for(".calendar"))
    workdays.remove_day(parsed, current_user)
    db.session.commit()
    return redirect(url_for(".calendar", year=parsed.year))


@bp.route("/audit")
@roles_required(Role.ADMIN, Role.AUDITOR)
def audit_log():
    statement = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    action = (request.args.get("action") or "").strip()[:80]
    if action:
        statement = statement.where(AuditEvent.action.startswith(action, autoescape=True))
    page = paginate(statement, AUDIT_PAGE_SIZE)
    return render_template("admin/audit.html", events=page.items, page=page.number, has_next=page.has_next,
                           action=action)


add_nav("admin.settings_page", _l("Settings"), order=91, officer=True, visible=can_read_audit)
add_nav("admin.calendar", _l("Calendar"), order=92, officer=True, visible=can_read_audit)
add_nav("admin.audit_log", _l("Audit log"), order=93, officer=True, visible=can_read_audit)
