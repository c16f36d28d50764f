"""The administrator's page of the penalty severity classification table (docs/RULES.md §5)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.admin.views import bp
from registry.core.errors import RegistryError
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.routing import MAX_ID
from registry.core.web import add_nav, committing, perform
from registry.disclosures import severity
from registry.disclosures.models import PENALTY_TYPE_LABELS, SEVERITY_LABELS
from registry.extensions import db


def _render(errors: dict, submitted: dict, editing: int | None = None, status: int = 200):
    return render_template("admin/severity.html", rules=severity.all_rules(), errors=errors, submitted=submitted,
                           editing=editing, types=PENALTY_TYPE_LABELS, severities=SEVERITY_LABELS,
                           source=severity.SOURCE), status


@bp.route("/penalty-severity", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def penalty_severity():
    if request.method == "GET":
        return _render({}, {})
    if current_user.role is not Role.ADMIN:
        abort(403)
    raw_id = (request.form.get("rule_id") or "").strip()
    row = None
    if raw_id:
        if not raw_id.isdigit() or not 0 < int(raw_id) <= MAX_ID:
            abort(404)
        row = db.session.get(severity.PenaltySeverityRule, int(raw_id)) or abort(404)
    fields = {name: request.form.get(name, "") for name in ("penalty_type", "keyword", "min_severity", "rule")}
    if request.form.get("action") == "delete" and row is not None:
        perform(severity.delete_rule, row, actor=current_user, success=_("The row was deleted."))
        return redirect(url_for(".penalty_severity"))
    try:
        with committing():
            severity.save_rule(row, actor=current_user, **fields)
    except RegistryError as error:
        flash(_("Nothing was saved: correct the marked field."), "error")
        return _render({error.field or "rule": str(error.message)}, fields, editing=row.id if row else None,
                       status=200)
    flash(_("The classification table was saved."), "success")
    return redirect(url_for(".penalty_severity"))


add_nav("admin.penalty_severity", _l("Penalty classification"), order=94, officer=True, visible=can_read_audit)
