"""The handling steps objections and repair applications share (PRODUCT §6, §7).

Filing (checked in full before anything is written, files included), then the unit's steps:
accept / reject as inadmissible / ask for more material; then a decision prepared by one officer
and confirmed by a reviewer of the unit who is not the preparer (four-eyes).  A rejection as
inadmissible is a decision too (PRODUCT §6): one officer prepares it, a second (a reviewer) confirms
it from the review queue.  Every step is a
conditional UPDATE on the version (``core.workflow.transition``) with its audit event; the effect
on the record is applied by the package's ``apply_decision`` in the same transaction.  Nothing
here commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.applications.models import (
    APPLICANT_KINDS,
    OPEN_STATES,
    REJECTABLE_STATES,
    ApplicationFile,
    ApplicationStatus,
    hash_access_code,
    insert_with_receipt,
    new_access_code,
)
from registry.applications.targets import feed_hold
from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import (
    InvalidTransition,
    PermissionDenied,
    Problems,
    StaleRecord,
    ValidationFailed,
    clean_text,
)
from registry.core.holds import close_hold, open_hold
from registry.core.identifiers import InvalidIdentifier, SubjectKind, normalize
from registry.core.permissions import Role, can_edit_unit
from registry.core.settings import get_setting
from registry.core.uploads import Upload, remove_upload, store_uploads
from registry.core.workdays import add_working_days
from registry.core.workflow import ensure_version, transition
from registry.documents.operations import issue_decision_notice
from registry.extensions import db

S = ApplicationStatus
MAX_FILES = 5
MAX_TEXT = 4000
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,23}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    identifier: str
    phone: str
    email: str | None = None


@dataclass(frozen=True)
class Handling:
    """How one kind of application is handled: its model, names, deadlines and effects."""

    kind: str  # "objection" | "repair"
    model: type
    accept_setting: str
    decide_setting: str
    outcomes: dict  # value -> label
    apply_decision: Callable  # (application, actor) -> None: the effect on the record
    show_endpoint: str  # the officer page of one application
    notice_kind: str | None = None  # its decision notice, issued when the decision is confirmed


# ---------------------------------------------------------------------------------------------
# Checking what the public typed


def checked_applicant(applicant: Applicant, problems: Problems | None = None) -> dict:
    """The applicant's columns; every problem names its field.

    With ``problems`` the refusals are kept there (the caller checks the rest of its form and
    raises them all together); without, they are raised at the end, all at once.
    """
    own = problems if problems is not None else Problems()
    try:
        kind = SubjectKind(applicant.kind)
    except ValueError:
        kind = None
    if kind not in APPLICANT_KINDS:
        own.add(ValidationFailed(_l("Choose whether the applicant is an organisation or a person."),
                                 field="applicant_kind"))
    name = own.check(clean_text, applicant.name, "applicant_name", _l("the applicant's name"), limit=200)
    identifier = own.check(_checked_identifier, kind, applicant.identifier) if kind in APPLICANT_KINDS else None
    phone = own.check(_checked_phone, applicant.phone)
    email = (applicant.email or "").strip() or None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        own.add(ValidationFailed(_l("Enter a valid email address, or leave it empty."), field="email"))
    if problems is None:
        own.raise_any()
    return {"applicant_kind": kind, "applicant_name": name, "applicant_identifier": identifier,
            "phone": phone, "email": email}


def _checked_identifier(kind: SubjectKind, text: str | None) -> str:
    try:
        return normalize(kind, text or "")
    except InvalidIdentifier as error:
        raise ValidationFailed(error.message, field="applicant_identifier") from None


def _checked_phone(text: str | None) -> str:
    phone = (text or "").strip()
    if not phone:
        raise ValidationFailed(_l("Enter a contact phone number."), field="phone")
    if not _PHONE.match(phone):
        raise ValidationFailed(
            _l("The phone number may contain only digits, spaces, hyphens and a leading +."), field="phone"
        )
    return phone


# ---------------------------------------------------------------------------------------------
# Filing


def file_application(handling: Handling, *, record, record_type: str, values: dict, uploads: list[Upload],
                     hold_kind) -> tuple[object, str]:
    """Store a checked application with its files, open the hold on the record; ``(app, code)``.

    The caller has checked ``values`` and the record.  The files are checked in full before any
    is written; if the database refuses afterwards, the written files are removed again.
    """
    today = clock.today()
    code = new_access_code()
    stored = store_uploads(uploads, purpose=f"{handling.kind}s", max_files=MAX_FILES)
    try:
        application = handling.model(
            **values, record_type=record_type, record_id=record.id, unit_id=record.unit_id,
            subject_id=record.subject_id, status=S.SUBMITTED, filed_at=clock.utcnow(), filed_on=today,
            accept_due=add_working_days(today, get_setting(handling.accept_setting)), access_code_hash="-",
        )
        insert_with_receipt(application)
        application.access_code_hash = hash_access_code(application.receipt_number, code)
        _add_files(handling, application, uploads, stored)
        open_hold(record_type, record.id, hold_kind, application.id)
        feed_hold(record_type, record.id, hold_kind, opened=True)
        record_event(f"{handling.kind}.file", obj=application, actor_label="public", to_state=S.SUBMITTED,
                     details={"record_type": record_type, "record_id": record.id,
                              "receipt_number": application.receipt_number, "files": len(stored)})
    except BaseException:
        for item in stored:
            remove_upload(item.stored_name)
        raise
    return application, code


def _add_files(handling: Handling, application, uploads: list[Upload], stored) -> None:
    for upload, item in zip(uploads, stored, strict=True):
        db.session.add(ApplicationFile(
            application_kind=handling.kind, application_id=application.id, purpose=upload.purpose or "evidence",
            stored_name=item.stored_name, original_name=item.original_name, content_type=item.content_type,
            size=item.size, sha256=item.sha256,
        ))
    db.session.flush()


def add_material(handling: Handling, application, uploads: list[Upload], note: str | None = None) -> None:
    """The applicant sends the material the unit asked for; acceptance is due again from today."""
    if application.status is not S.MATERIAL_REQUESTED:
        raise ValidationFailed(_l("The unit has not asked for more material."), field="files")
    if not uploads:
        raise ValidationFailed(_l("Choose at least one file to send."), field="files")
    already = db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationFile).where(
        ApplicationFile.application_kind == handling.kind, ApplicationFile.application_id == application.id))
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(_l("At most %(n)d files may be uploaded; you chose %(m)d.", n=MAX_FILES,
                                  m=len(uploads)), field="files")
    note = clean_text(note, "note", _l("the note"), required=False, limit=2000)
    today = clock.today()
    stored = store_uploads(uploads, purpose=f"{handling.kind}s", max_files=MAX_FILES)
    try:
        model = type(application)
        # A rejection prepared while waiting for the material was judged without it: it lapses.
        withdrawn = application.rejection_prepared
        cleared = _CLEARED_REJECTION if withdrawn else {}
        result = db.session.execute(
            sa.update(model)
            .where(model.id == application.id, model.version == application.version,
                   model.status == S.MATERIAL_REQUESTED)
            .values(status=S.SUBMITTED, version=model.version + 1, material_supplied_on=today,
                    accept_due=add_working_days(today, get_setting(handling.accept_setting)), **cleared)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleRecord()
        db.session.refresh(application)
        details = {"files": len(stored), "files_before": already}
        if withdrawn:
            details["prepared_rejection_withdrawn"] = True
        record_event(f"{handling.kind}.add_material", obj=application, actor_label="applicant",
                     from_state=S.MATERIAL_REQUESTED, to_state=S.SUBMITTED, comment=note, details=details)
        _add_files(handling, application, [Upload(u.field, b"", u.filename, "material") for u in uploads], stored)
    except BaseException:
        for item in stored:
            remove_upload(item.stored_name)
        raise


# ---------------------------------------------------------------------------------------------
# The unit's steps


def _ensure_officer(application, actor) -> None:
    if not can_edit_unit(actor, application.unit_id) or actor.unit_id != application.unit_id:
        raise PermissionDenied(_l("Only officers of the unit that handles the record may do this."))


def _ensure_no_prepared_rejection(application) -> None:
    if application.rejection_prepared:
        raise InvalidTransition(_l("A rejection as inadmissible is waiting for a reviewer's confirmation; the "
                                   "reviewer must confirm or return it first."))


# The columns a prepared rejection fills in, as they are when none is prepared.
_CLEARED_REJECTION = {"inadmissible_reason": None, "prepared_by_id": None, "prepared_at": None}


def accept(handling: Handling, application, actor, expected_version) -> None:
    """Accept for decision: the decision is due N working days from today."""
    ensure_version(application, expected_version)
    _ensure_officer(application, actor)
    _ensure_no_prepared_rejection(application)
    today = clock.today()
    transition(application, expected_version=application.version, allowed_from={S.SUBMITTED}, to=S.ACCEPTED,
               actor=actor, action=f"{handling.kind}.accept",
               values={"accepted_on": today, "handled_by_id": actor.id,
                       "decide_due": add_working_days(today, get_setting(handling.decide_setting))})


def reject_inadmissible(handling: Handling, application, actor, expected_version, reason: str, hold_kind) -> None:
    """Prepare a rejection as inadmissible, with the reasons the applicant will read.

    Like a final decision it takes a second officer: the application stays received (or waiting
    for material) until a reviewer confirms the rejection from the review queue
    (``confirm_rejection``: it becomes inadmissible and the hold ends) or returns it.
    ``hold_kind`` is kept for the callers; the hold closes on confirmation.
    """
    ensure_version(application, expected_version)
    _ensure_officer(application, actor)
    _ensure_no_prepared_rejection(application)
    text = clean_text(reason, "reason", _l("the reasons for rejecting it"), limit=2000)
    transition(application, expected_version=application.version, allowed_from=set(REJECTABLE_STATES),
               to=application.status, actor=actor, action=f"{handling.kind}.prepare_reject", comment=text,
               values={"inadmissible_reason": text, "prepared_by_id": actor.id, "prepared_at": clock.utcnow(),
                       "reviewed_by_id": None, "reviewed_at": None, "handled_by_id": actor.id})


def _ensure_prepared_rejection(application) -> None:
    if not application.rejection_prepared:
        raise InvalidTransition(_l("No rejection as inadmissible is waiting for confirmation."))


def confirm_rejection(handling: Handling, application, actor, expected_version, hold_kind) -> None:
    """A reviewer who did not prepare it confirms the rejection: inadmissible (final); the hold ends."""
    ensure_version(application, expected_version)
    _ensure_confirming_reviewer(application, actor)
    _ensure_prepared_rejection(application)
    transition(application, expected_version=application.version, allowed_from=set(REJECTABLE_STATES),
               to=S.INADMISSIBLE, actor=actor, action=f"{handling.kind}.reject",
               comment=application.inadmissible_reason,
               values={"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "decided_on": clock.today()},
               details={"prepared_by_id": application.prepared_by_id})
    close_hold(hold_kind, application.id)
    feed_hold(application.record_type, application.record_id, hold_kind, opened=False)
    _issue_notice(handling, application, actor)


def _issue_notice(handling: Handling, application, actor) -> None:
    """The decision notice, numbered and dated now, at the decision."""
    if handling.notice_kind is not None:
        issue_decision_notice(handling.notice_kind, application, actor=actor)


def return_rejection(handling: Handling, application, actor, expected_version, comment: str) -> None:
    """The reviewer does not confirm the rejection (with what to reconsider); the application is
    back where it was, to be accepted, asked for material, or rejected again."""
    ensure_version(application, expected_version)
    _ensure_confirming_reviewer(application, actor)
    _ensure_prepared_rejection(application)
    text = clean_text(comment, "comment", _l("a comment saying what to change"), limit=2000)
    transition(application, expected_version=application.version, allowed_from=set(REJECTABLE_STATES),
               to=application.status, actor=actor, action=f"{handling.kind}.return_reject", comment=text,
               values={**_CLEARED_REJECTION, "review_comment": text},
               details={"prepared_by_id": application.prepared_by_id})


def request_material(handling: Handling, application, actor, expected_version, note: str) -> None:
    """Ask the applicant for more material (what is missing); the applicant sees it with their code."""
    ensure_version(application, expected_version)
    _ensure_officer(application, actor)
    _ensure_no_prepared_rejection(application)
    text = clean_text(note, "note", _l("what material is missing"), limit=2000)
    transition(application, expected_version=application.version, allowed_from={S.SUBMITTED},
               to=S.MATERIAL_REQUESTED, actor=actor, action=f"{handling.kind}.request_material", comment=text,
               values={"material_request": text, "material_requested_on": clock.today(), "handled_by_id": actor.id})


def prepare_decision(handling: Handling, application, actor, expected_version, outcome: str, reasons: str,
                     extra: dict | None = None) -> None:
    """An officer of the unit prepares the decision; a reviewer must confirm it from the queue."""
    ensure_version(application, expected_version)
    _ensure_officer(application, actor)
    if outcome not in handling.outcomes:
        raise ValidationFailed(_l("Choose the decision."), field="outcome")
    text = clean_text(reasons, "reasons", _l("the reasons for the decision"), limit=MAX_TEXT)
    transition(application, expected_version=application.version, allowed_from={S.ACCEPTED}, to=S.PENDING_REVIEW,
               actor=actor, action=f"{handling.kind}.prepare", comment=text,
               values={"outcome": outcome, "decision_reasons": text, "prepared_by_id": actor.id,
                       "prepared_at": clock.utcnow(), "reviewed_by_id": None, "reviewed_at": None,
                       **(extra or {})},
               details={"outcome": outcome})


def _ensure_confirming_reviewer(application, actor) -> None:
    if getattr(actor, "role", None) is not Role.REVIEWER or actor.unit_id != application.unit_id:
        raise PermissionDenied(_l("Only a reviewer of the unit that handles the record may confirm a decision."))
    if actor.id == application.prepared_by_id:
        raise PermissionDenied(
            _l("You prepared this decision: another reviewer must confirm it (four-eyes rule).")
        )


def confirm_decision(handling: Handling, application, actor, expected_version, hold_kind) -> None:
    """A second officer (a reviewer) confirms: the decision takes effect on the record now."""
    ensure_version(application, expected_version)
    _ensure_confirming_reviewer(application, actor)
    transition(application, expected_version=application.version, allowed_from={S.PENDING_REVIEW}, to=S.DECIDED,
               actor=actor, action=f"{handling.kind}.decide", details={"outcome": application.outcome},
               values={"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "decided_on": clock.today()})
    close_hold(hold_kind, application.id)
    feed_hold(application.record_type, application.record_id, hold_kind, opened=False)
    handling.apply_decision(application, actor)
    _issue_notice(handling, application, actor)


def return_decision(handling: Handling, application, actor, expected_version, comment: str) -> None:
    """The reviewer sends the prepared decision back (with what to change); it is accepted again."""
    ensure_version(application, expected_version)
    _ensure_confirming_reviewer(application, actor)
    text = clean_text(comment, "comment", _l("a comment saying what to change"), limit=2000)
    transition(application, expected_version=application.version, allowed_from={S.PENDING_REVIEW}, to=S.ACCEPTED,
               actor=actor, action=f"{handling.kind}.return", comment=text,
               values={"review_comment": text})


def due_column(model):
    """SQL: the deadline of the step the unit must take next."""
    return sa.case((model.status == S.SUBMITTED, model.accept_due), else_=model.decide_due)


def open_for_record(model, record_type: str, record_id: int):
    return db.session.scalar(sa.select(model).where(model.record_type == record_type, model.record_id == record_id,
                                                    model.status.in_(OPEN_STATES)).limit(1))
