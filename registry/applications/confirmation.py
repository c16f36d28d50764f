"""The public steps around the application form: finding the record, and the page after filing.

The page after filing shows the access code, once: it is answered by a redirect (post/redirect/get,
issue 34 §3), so that reloading or printing it files nothing again.  The code is kept in this
browser's signed session for an hour, for that page only; afterwards the page leads to the status
page, which never shows the code.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template, request, session
from flask_babel import gettext as _

from registry.applications import targets
from registry.applications.forms import FindRecordForm
from registry.core import clock
from registry.core.identifiers import InvalidIdentifier, parse_identifier
from registry.extensions import db
from registry.subjects.models import Subject

CODE_KEPT = timedelta(hours=1)


def _key(kind: str) -> str:
    return f"{kind}_filed"


def remember_code(kind: str, application_id: int, code: str) -> None:
    until = (clock.utcnow() + CODE_KEPT).timestamp()
    session[_key(kind)] = {"id": application_id, "code": code, "until": until}


def remembered_code(kind: str, application_id: int) -> str | None:
    """The access code of the application this browser just filed, within the hour; else None."""
    kept = session.get(_key(kind)) or {}
    if kept.get("id") != application_id or kept.get("until", 0) < clock.utcnow().timestamp():
        return None
    return kept.get("code")


def page(pages, application, code: str):
    record = targets.load_record(application.record_type, application.record_id)
    response = render_template("applications/confirmation.html", pages=pages, application=application, code=code,
                               summary=targets.summary(record))
    return response, 200, {"Cache-Control": "no-store"}


def choose_record(pages):
    """The first step of filing: find the subject's public records this kind of application may concern."""
    form = FindRecordForm(request.args)
    subject, found, error = None, [], None
    text = (form.identifier.data or "").strip()
    if text:
        try:
            candidates = parse_identifier(text)
        except InvalidIdentifier as problem:
            candidates, error = [], str(problem.message)
        for candidate in candidates:
            subject = db.session.scalar(sa.select(Subject).where(Subject.kind == candidate.kind,
                                                                 Subject.identifier == candidate.value))
            if subject is not None:
                break
        if subject is not None:
            found = [record for record in targets.public_records_of(subject.id) if pages.candidate(record)]
        if not candidates and error is None:
            error = _("Enter a unified social credit code, a resident ID number or a plate number.")
    if error:
        form.identifier.errors = [error]
    return render_template("applications/choose.html", form=form, pages=pages, subject=subject, searched=bool(text),
                           choices=[targets.summary(record) for record in found])
