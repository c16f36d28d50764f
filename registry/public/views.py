"""Public pages.  Only published information appears here; person IDs are always masked."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from registry.core.identifiers import InvalidIdentifier
from registry.core.identifiers import looks_like_identifier
from registry.extensions import db
from registry.subjects import operations as subject_operations
from registry.subjects.models import Subject
from registry.subjects.sections import sections_for

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    query = (request.args.get("q") or "").strip()
    error = None
    if query:
        if len(query) > 100:
            error = "too_long"
        elif looks_like_identifier(query):
            try:
                subject = subject_operations.find_by_identifier(query)
            except InvalidIdentifier as invalid:
                error = str(invalid.message)
            else:
                if subject is not None:
                    return redirect(url_for(".subject", subject_id=subject.id))
                error = "not_found"
    return render_template("public/home.html", query=query, error=error)


@bp.route("/subjects/<int:subject_id>")
def subject(subject_id: int):
    subject = db.session.get(Subject, subject_id) or abort(404)
    return render_template("public/subject.html", subject=subject, sections=sections_for(subject, public=True))
