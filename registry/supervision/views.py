"""Officer pages of supervision: the rules table (administrators) and the class on the subject
page (officers only: the class is for supervisors, never on the public pages, PRODUCT §16)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.core import clock
from registry.core.audit import history
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.web import add_nav, perform_form
from registry.subjects.sections import register_subject_section
from registry.supervision import operations as ops
from registry.supervision.classes import class_names, rule_set_on
from registry.supervision.forms import RuleSetForm
from registry.supervision.models import CAUSE_LABELS, CONDITION_LABELS, RuleCondition

bp = Blueprint("supervision", __name__)
OFFICER = "/officer/supervision"


@bp.route(f"{OFFICER}/rules")
@roles_required(Role.ADMIN, Role.AUDITOR)
def rules():
    today = clock.today()
    in_force = rule_set_on(today)
    return render_template("supervision/rules.html", rule_sets=ops.rule_sets(), in_force=in_force,
                           conditions=list(RuleCondition), CONDITION_LABELS=CONDITION_LABELS,
                           class_names=class_names(), today=today,
                           events=history("supervision_rule_set", in_force.id) if in_force else [])


@bp.route(f"{OFFICER}/rules/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_rules():
    form = RuleSetForm(rule_set=rule_set_on(clock.today()))
    if form.validate_on_submit():
        ok, _rule_set = perform_form(form, ops.create_rule_set, actor=current_user,
                                     effective_from=form.effective_from.data,
                                     default_class=form.default_class.data, rules=form.rules(),
                                     comment=form.comment.data)
        if ok:
            flash(_("The new supervision rules were saved."), "success")
            return redirect(url_for(".rules"))
    return render_template("supervision/rule_form.html", form=form)


@register_subject_section("supervision", order=5, template="supervision/_subject_section.html")
def subject_section(subject, public: bool) -> dict:
    if public:
        return {}  # the class is never public: nothing on the public subject page
    code, row = ops.current_class(subject.id)
    return {"code": code, "names": class_names(), "row": row, "changes": ops.history_of(subject.id)[:20],
            "CONDITION_LABELS": {c.value: label for c, label in CONDITION_LABELS.items()},
            "CAUSE_LABELS": CAUSE_LABELS}


add_nav("supervision.rules", _l("Supervision rules"), order=95, officer=True, visible=can_read_audit,
        group="system")


