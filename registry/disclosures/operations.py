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
from registry.core.errors import ValidationErrors, ValidationFailed
from registry.core.review import Approval, FlowQueueSource, FlowWords, ReviewFlow
from registry.core.workflow import register_queue_source, transition
from registry.disclosures import queries, validation
from registry.disclosures.models import (
    KIND_LABELS,
    Disclosure,
    DisclosureStatus,
    RemovalReason,
    Severity,
)
from registry.disclosures.public import public_payload
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


def _approval(disclosure: Disclosure) -> Approval:
    """A minor penalty is verified but never published (PRODUCT §4); any other disclosure is
    published today, on time or not against its publication deadline."""
    if disclosure.severity is Severity.MINOR:
        return Approval(S.NOT_PUBLIC)
    today = clock.today()
    on_time = today <= disclosure.publication_deadline
    return Approval(S.PUBLISHED, {"published_on": today, "published_on_time": on_time},
                    {"published_on_time": on_time})


def _approved(disclosure: Disclosure, actor) -> None:
    _supersede(disclosure, actor)
    if disclosure.status is S.PUBLISHED:
        record_change(RECORD_TYPE, disclosure.id, ChangeKind.PUBLISHED, payload=public_payload(disclosure),
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
                  payload={**public_payload(original), "superseded_by_id": disclosure.id},
                  subject_id=original.subject_id, unit_id=original.unit_id, reason="corrected")


_DECIDER = _l("Only a reviewer of the unit who neither created nor submitted it may decide.")
FLOW = ReviewFlow(
    model=Disclosure,
    action_prefix="disclosure",
    draft=S.DRAFT,
    pending=S.PENDING_REVIEW,
    approved=_approval,
    published=frozenset({S.PUBLISHED}),
    on_approve=_approved,
    words=FlowWords(review_role=_DECIDER, four_eyes=_DECIDER),
)


def create_disclosure(data: DisclosureData, *, unit_id: int, actor, corrects: Disclosure | None = None) -> Disclosure:
    """Record a new draft for ``unit_id`` (or a corrected version of ``corrects``)."""
    FLOW.ensure_may_draft(actor, unit_id)
    data = validated(data)
    _ensure_unique_number(unit_id, data.decision_number, own_root=_root_id(corrects))
    subject = _subject_for(data, actor)
    disclosure = Disclosure(unit_id=unit_id, subject_id=subject.id, corrects_id=corrects.id if corrects else None,
                            **_values(data))
    return FLOW.start(disclosure, actor=actor, details={"corrects": corrects.id} if corrects else None)


def update_disclosure(disclosure: Disclosure, data: DisclosureData, *, actor, expected_version: int) -> None:
    """Change a draft; the deadline follows the decision date."""
    FLOW.ensure_editable(disclosure, actor, expected_version)
    data = validated(data)
    _ensure_unique_number(disclosure.unit_id, data.decision_number, own_root=_root_id(disclosure))
    values = _values(data)
    changed = sorted(name for name, value in values.items() if getattr(disclosure, name) != value)
    values["subject_id"] = _subject_for(data, actor).id
    FLOW.update(disclosure, actor=actor, expected_version=expected_version, values=values,
                details={"changed": changed})


# Review: the one workflow (``core.review``).  Approving a correction supersedes what it corrects.
submit_disclosure = FLOW.submit
approve_disclosure = FLOW.approve
return_disclosure = FLOW.return_


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
    record_change(RECORD_TYPE, disclosure.id, ChangeKind.REMOVED, payload=public_payload(disclosure),
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
        record_change(RECORD_TYPE, disclosure.id, ChangeKind.EXPIRED, payload=public_payload(disclosure),
                      subject_id=disclosure.subject_id, unit_id=disclosure.unit_id, reason="period_ended")
    return len(due)


# ---------------------------------------------------------------------------------------------
# The review queue


class DisclosureQueue(FlowQueueSource):
    """Submitted disclosures of a unit, with their publication deadline."""

    kind = "disclosure"
    label = _l("Disclosures")
    flow = FLOW

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
