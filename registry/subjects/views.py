"""Officer pages for subjects (the public subject page lives in ``registry.public``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.core.audit import history
from registry.core.errors import ValidationFailed
from registry.core.forms import apply_error
from registry.core.identifiers import InvalidIdentifier
from registry.core.permissions import can_edit_unit, is_admin, officer_required
from registry.core.web import add_nav
from registry.extensions import db
from registry.subjects import operations
from registry.subjects.forms import SubjectForm
from registry.subjects.models import Subject
from registry.subjects.search import COUNT_CAP, clean_query, newest_matching
from registry.subjects.sections import sections_for

bp = Blueprint("subjects", __name__, url_prefix="/officer/subjects")
PAGE_SIZE = 50


@bp.route("/")
@officer_required
def index():
    query = clean_query(request.args.get("q"))
    if not query:
        subjects = db.session.scalars(sa.select(Subject).order_by(Subject.id.desc()).limit(PAGE_SIZE)).all()
        return render_template("subjects/index.html", subjects=subjects, query=query)
    try:
        found = operations.find_by_identifier(query)
    except InvalidIdentifier:
        found = newest_matching(query, limit=PAGE_SIZE)
        return render_template("subjects/index.html", subjects=found.subjects, query=query, matches=found.matches,
                               cap=COUNT_CAP)
    return redirect(url_for(".show", subject_id=found.id)) if found else render_template(
        "subjects/index.html", subjects=[], query=query, matches=0, cap=COUNT_CAP
    )


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def create():
    # Auditors read everything and change nothing (PRODUCT §1): registering a subject is a change.
    if request.method == "POST" and not (can_edit_unit(current_user, current_user.unit_id) or is_admin(current_user)):
        abort(403)
    form = SubjectForm()
    if form.validate_on_submit():
        try:
            owner = None
            if form.owner_identifier.data:
                try:
                    owner = operations.find_by_identifier(form.owner_identifier.data)
                except InvalidIdentifier as error:
                    error.field = "owner_identifier"
                    raise
                if owner is None:
                    raise ValidationFailed(_("No subject with this identifier is registered."),
                                           field="owner_identifier")
            subject = operations.create_subject(
                kind=form.kind.data, identifier=form.identifier.data, name=form.name.data,
                legal_representative=form.legal_representative.data, owner=owner, actor=current_user,
            )
            db.session.commit()
        except ValidationFailed as error:
            db.session.rollback()
            if error.field == "owner":
                error.field = "owner_identifier"
            if not apply_error(form, error):
                flash(str(error.message), "error")
        else:
            flash(_("The subject was registered."), "success")
            return redirect(url_for(".show", subject_id=subject.id))
    return render_template("subjects/form.html", form=form)


@bp.route("/<id:subject_id>")
@officer_required
def show(subject_id: int):
    subject = db.session.get(Subject, subject_id) or abort(404)
    return render_template("subjects/show.html", subject=subject, events=history("subjects", subject.id),
                           sections=sections_for(subject, public=False))


add_nav("subjects.index", _l("Subjects"), order=50, officer=True)
