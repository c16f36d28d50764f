"""The verbs of disclosures: record, edit, submit, approve, return, correct, end public view, expire.

Each checks who may act and whether the record's state allows it, changes the rows, writes the
audit event (and the change-feed row for what the public sees) and flushes.  None commits.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event
from registry.core.changes import ChangeKind, record_change
from registry.core.editors import note_editor
from registry.core.errors import PermissionDenied, ValidationErrors, ValidationFailed
from registry.core.permissions import can_edit_unit
from registry.core.workflow import ReviewQueueSource, ensure_reviewer, register_queue_source, transition
from registry.disclosures import queries, validation
from registry.disclosures.models import (
    KIND_LABELS,
    Disclosure,
    DisclosureStatus,
    RemovalReason,
    Severity,
)
from registry.disclosures.validation import DisclosureData
from registry.extensions import db
from registry.subjects.operations import find_or_create_subject

RECORD_TYPE = "disclosure"
S = DisclosureStatus


def validated(data: DisclosureData, today: date | None = None) -> DisclosureData:
    """``data`` normalised, or every problem raised together, each naming its field."""
    data, problems = validation.check(data, today or clock.today())
    if len(problems) == 1:
        field, message = problems[0]
        raise ValidationFailed(message, field=field)
    if problems:
        raise ValidationErrors([ValidationFailed(message, field=field) for field, message in problems])
    return data


def _root_id(disclosure: Disclosure | None) -> int | None:
    while disclosure is not None and disclosure.corrects_id is not None:
        disclosure = disclosure.corrects
    return None if disclosure is None else disclosure.id


def _ensure_unique_number(unit_id: int, number: str, *, own_root: int | None) -> None:
    statement = sa.select(Disclosure.id).where(
        Disclosure.unit_id == unit_id, Disclosure.decision_number == number, Disclosure.corrects_id.is_(None)
    )
    if own_root is not None:
        statement = statement.where(Disclosure.id != own_root)
    if db.session.scalar(statement.limit(1)) is not None:
        raise ValidationFailed(
            _l("Your unit already recorded a disclosure with this decision number."), field="decision_number"
        )


def _values(data: DisclosureData) -> dict:
    values = data.as_dict()
    values["publication_deadline"] = queries.publication_deadline(data.decision_date, data.severity)
    return values


def _subject_for(data: DisclosureData, actor):
    return find_or_create_subject(
        kind=data.party_category.subject_kind, identifier=data.party_identifier, name=data.party_name,
        legal_representative=data.legal_representative, actor=actor,
    )


def create_disclosure(data: DisclosureData, *, unit_id: int, actor, corrects: Disclosure | None = None) -> Disclosure:
    """Record a new draft for ``unit_id`` (or a corrected version of ``corrects``)."""
    if not can_edit_unit(actor, unit_id):
        raise PermissionDenied()
    data = validated(data)
    _ensure_unique_number(unit_id, data.decision_number, own_root=_root_id(corrects))
    subject = _subject_for(data, actor)
    disclosure = Disclosure(unit_id=unit_id, subject_id=subject.id, created_by_id=actor.id,
                            status=S.DRAFT, corrects_id=corrects.id if corrects else None, **_values(data))
    db.session.add(disclosure)
    db.session.flush()
    note_editor(disclosure, actor)
    record_event("disclosure.create", actor=actor, obj=disclosure, to_state=S.DRAFT,
                 details={"corrects": corrects.id} if corrects else None)
    return disclosure


def update_disclosure(disclosure: Disclosure, data: DisclosureData, *, actor, expected_version: int) -> None:
    """Change a draft; the deadline follows the decision date."""
    if not can_edit_unit(actor, disclosure.unit_id):
        raise PermissionDenied()
    data = validated(data)
    _ensure_unique_number(disclosure.unit_id, data.decision_number, own_root=_root_id(disclosure))
    values = _values(data)
    changed = sorted(name for name, value in values.items() if getattr(disclosure, name) != value)
    values["subject_id"] = _subject_for(data, actor).id
    transition(disclosure, expected_version=expected_version, allowed_from={S.DRAFT}, to=S.DRAFT, actor=actor,
               action="disclosure.update", values=values, details={"changed": changed})
    note_editor(disclosure, actor)


def submit_disclosure(disclosure: Disclosure, *, actor, expected_version: int) -> None:
    """Send a draft to a reviewer.  A former reviewer's decision is cleared (the draft changed)."""
    if not can_edit_unit(actor, disclosure.unit_id):
        raise PermissionDenied()
    transition(disclosure, expected_version=expected_version, allowed_from={S.DRAFT}, to=S.PENDING_REVIEW,
               actor=actor, action="disclosure.submit",
               values={"submitted_by_id": actor.id, "submitted_at": clock.utcnow(),
                       "reviewed_by_id": None, "reviewed_at": None})


def _ensure_reviewer(disclosure: Disclosure, actor) -> None:
    refusal = _l("Only a reviewer of the unit who neither created nor submitted it may decide.")
    ensure_reviewer(disclosure, actor, role_message=refusal, four_eyes_message=refusal)


def approve_disclosure(disclosure: Disclosure, *, actor, expected_version: int) -> None:
    """Verify and publish (a minor penalty is verified but never published)."""
    _ensure_reviewer(disclosure, actor)
    reviewed = {"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "review_comment": None}
    if disclosure.severity is Severity.MINOR:
        transition(disclosure, expected_version=expected_version, allowed_from={S.PENDING_REVIEW},
                   to=S.NOT_PUBLIC, actor=actor, action="disclosure.approve", values=reviewed)
        _supersede(disclosure, actor)
        return
    today = clock.today()
    on_time = today <= disclosure.publication_deadline
    transition(disclosure, expected_version=expected_version, allowed_from={S.PENDING_REVIEW}, to=S.PUBLISHED,
               actor=actor, action="disclosure.approve",
               values={**reviewed, "published_on": today, "published_on_time": on_time},
               details={"published_on_time": on_time})
    _supersede(disclosure, actor)
    record_change(RECORD_TYPE, disclosure.id, ChangeKind.PUBLISHED, payload=queries.public_payload(disclosure),
                  subject_id=disclosure.subject_id, unit_id=disclosure.unit_id)


def _supersede(disclosure: Disclosure, actor) -> None:
    """When a correction is approved, the version it corrects leaves public view."""
    original = disclosure.corrects
    if original is None:
        return
    transition(original, expected_version=original.version, allowed_from={S.PUBLISHED}, to=S.CORRECTED,
               actor=actor, action="disclosure.correct", values={"superseded_by_id": disclosure.id,
                                                                  "ended_at": clock.utcnow()},
               details={"superseded_by": disclosure.id})
    record_change(RECORD_TYPE, original.id, ChangeKind.CORRECTED,
                  payload={**queries.public_payload(original), "superseded_by_id": disclosure.id},
                  subject_id=original.subject_id, unit_id=original.unit_id, reason="corrected")


def return_disclosure(disclosure: Disclosure, *, actor, expected_version: int, comment: str) -> None:
    """Send a submitted disclosure back to its author with what to fix."""
    _ensure_reviewer(disclosure, actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_l("A return needs a comment saying what to fix."), field="comment")
    transition(disclosure, expected_version=expected_version, allowed_from={S.PENDING_REVIEW}, to=S.DRAFT,
               actor=actor, action="disclosure.return", comment=comment[:2000],
               values={"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "review_comment": comment[:2000]})


def start_correction(disclosure: Disclosure, data: DisclosureData, *, actor) -> Disclosure:
    """Draft a corrected version of a published disclosure; the original stays public until approval."""
    if disclosure.status is not S.PUBLISHED:
        raise ValidationFailed(_l("Only a published disclosure can be corrected."))
    open_correction = db.session.scalar(
        sa.select(Disclosure.id).where(Disclosure.corrects_id == disclosure.id,
                                       Disclosure.status.in_(queries.UNPUBLISHED))
    )
    if open_correction is not None:
        raise ValidationFailed(_l("A correction of this disclosure is already being prepared."))
    if data.kind is not disclosure.kind:
        raise ValidationFailed(_l("A correction cannot change a licence into a penalty or back."), field="kind")
    return create_disclosure(data, unit_id=disclosure.unit_id, actor=actor, corrects=disclosure)


def end_public_view(disclosure: Disclosure, reason: RemovalReason | str, actor, comment: str | None = None) -> None:
    """Take a published disclosure out of public view early: credit repair approved, or revoked.

    For the repairs and objections packages; the record stays in the officers' view.
    """
    reason = RemovalReason(reason)
    transition(disclosure, expected_version=disclosure.version, allowed_from={S.PUBLISHED}, to=S.REMOVED,
               actor=actor, action="disclosure.remove", comment=comment,
               values={"removal_reason": reason, "ended_at": clock.utcnow()}, details={"reason": reason.value})
    record_change(RECORD_TYPE, disclosure.id, ChangeKind.REMOVED, payload=queries.public_payload(disclosure),
                  subject_id=disclosure.subject_id, unit_id=disclosure.unit_id, reason=reason.value)


def expire_past_period(today: date) -> int:
    """Mark published disclosures past their period expired, with a feed row each (idempotent)."""
    due = list(db.session.scalars(
        sa.select(Disclosure).where(Disclosure.status == S.PUBLISHED, sa.not_(queries.within_period(today)))
        .order_by(Disclosure.id)
    ))
    if not due:
        return 0
    now = clock.utcnow()
    db.session.execute(
        sa.update(Disclosure)
        .where(Disclosure.id.in_([d.id for d in due]), Disclosure.status == S.PUBLISHED)
        .values(status=S.EXPIRED, ended_at=now, version=Disclosure.version + 1)
        .execution_options(synchronize_session=False)
    )
    for disclosure in due:
        db.session.refresh(disclosure)
        record_event("disclosure.expire", obj=disclosure, from_state=S.PUBLISHED, to_state=S.EXPIRED,
                     details={"as_of": today.isoformat()})
        record_change(RECORD_TYPE, disclosure.id, ChangeKind.EXPIRED, payload=queries.public_payload(disclosure),
                      subject_id=disclosure.subject_id, unit_id=disclosure.unit_id, reason="period_ended")
    return len(due)


# ---------------------------------------------------------------------------------------------
# The review queue


class DisclosureQueue(ReviewQueueSource):
    """Submitted disclosures of a unit, with their publication deadline."""

    kind = "disclosure"
    label = _l("Disclosures")
    model = Disclosure
    status = S.PENDING_REVIEW
    approve_operation = staticmethod(approve_disclosure)
    return_operation = staticmethod(return_disclosure)

    def title(self, disclosure: Disclosure) -> str:
        return disclosure.decision_number

    def subject_label(self, disclosure: Disclosure) -> str:
        return f"{disclosure.party_name} ({disclosure.party_identifier})"

    def url(self, disclosure: Disclosure) -> str:
        return url_for("disclosures.show", disclosure_id=disclosure.id)

    def category(self, disclosure: Disclosure) -> str:
        return str(KIND_LABELS[disclosure.kind])

    def deadline(self, disclosure: Disclosure) -> date | None:
        return disclosure.publication_deadline


register_queue_source(DisclosureQueue())
