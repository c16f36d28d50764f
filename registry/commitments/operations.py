"""Recording commitments, marking a breach, and citing it from a black list entry."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.commitments.models import CommitmentBreach, CommitmentKind, CommitmentStatus, CreditCommitment
from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from registry.core.permissions import can_edit_unit
from registry.core.signals import subject_records_changed
from registry.core.uploads import remove_upload, store_upload
from registry.extensions import db
from registry.listing.models import ListKind

MAX_BYTES = 10 * 1024 * 1024


def record_commitment(*, actor, subject, kind, signed_on, matter: str | None, file_data: bytes,
                      filename: str | None) -> CreditCommitment:
    """Put a signed commitment on file for ``subject`` in the actor's unit."""
    if not can_edit_unit(actor, actor.unit_id):
        raise PermissionDenied(_l("Only clerks and reviewers of a unit can record commitments."))
    if subject is None:
        raise ValidationFailed(_l("Choose the subject of the commitment."), field="subject_identifier")
    try:
        kind = CommitmentKind(kind)
    except ValueError:
        raise ValidationFailed(_l("Choose the kind of commitment."), field="kind") from None
    if not isinstance(signed_on, date):
        raise ValidationFailed(_l("Enter the date the commitment was signed."), field="signed_on")
    if signed_on > clock.today():
        raise ValidationFailed(_l("The signing date cannot be in the future."), field="signed_on")
    matter = (matter or "").strip() or None
    if matter and len(matter) > 300:
        raise ValidationFailed(_l("The matter may have at most 300 characters."), field="matter")
    stored = store_upload(file_data or b"", filename, purpose="commitments", max_bytes=MAX_BYTES)
    commitment = CreditCommitment(
        subject_id=subject.id, unit_id=actor.unit_id, kind=kind, signed_on=signed_on, matter=matter,
        file_stored_name=stored.stored_name, file_original_name=stored.original_name, file_type=stored.content_type,
        file_size=stored.size, file_sha256=stored.sha256, created_by_id=actor.id, created_at=clock.utcnow(),
    )
    db.session.add(commitment)
    try:
        db.session.flush()
    except Exception:
        remove_upload(stored.stored_name)
        raise
    record_event("credit_commitment.create", actor=actor, obj=commitment,
                 details={"subject_id": subject.id, "kind": kind.value, "sha256": stored.sha256})
    return commitment


def mark_breached(commitment: CreditCommitment, *, actor, breached_on, note: str) -> None:
    """Record that the subject broke the commitment (its unit's officers decide this)."""
    if not can_edit_unit(actor, commitment.unit_id):
        raise PermissionDenied(_l("Only officers of the commitment's unit can record its breach."))
    if commitment.status is CommitmentStatus.BREACHED:
        raise InvalidTransition(_l("This commitment is already recorded as breached."))
    if not isinstance(breached_on, date):
        raise ValidationFailed(_l("Enter the date of the breach."), field="breached_on")
    if breached_on > clock.today() or breached_on < commitment.signed_on:
        raise ValidationFailed(_l("The breach must fall between the signing date and today."), field="breached_on")
    text = (note or "").strip()
    if not text:
        raise ValidationFailed(_l("Describe the breach."), field="note")
    if len(text) > 2000:
        raise ValidationFailed(_l("The description may have at most 2000 characters."), field="note")
    commitment.status = CommitmentStatus.BREACHED
    commitment.breached_on = breached_on
    commitment.breach_note = text
    db.session.flush()
    subject_records_changed.send("credit_commitment", subject_ids=(commitment.subject_id,))
    record_event("credit_commitment.breach", actor=actor, obj=commitment, from_state=CommitmentStatus.ACTIVE,
                 to_state=CommitmentStatus.BREACHED, comment=text, details={"breached_on": breached_on.isoformat()})


def link_to_entry(commitment: CreditCommitment, entry, *, actor) -> CommitmentBreach:
    """Cite a breached commitment as a reason of a black list entry of the same subject."""
    if not can_edit_unit(actor, entry.unit_id):
        raise PermissionDenied(_l("Only officers of the entry's unit can cite a commitment on it."))
    if commitment.status is not CommitmentStatus.BREACHED:
        raise ValidationFailed(_l("Only a breached commitment can be cited; record the breach first."),
                               field="commitment_id")
    if entry.list_kind is not ListKind.BLACK:
        raise ValidationFailed(_l("A breached commitment can only be cited on a black list entry."), field="entry_id")
    if entry.subject_id != commitment.subject_id:
        raise ValidationFailed(_l("The entry and the commitment concern different subjects."), field="entry_id")
    exists = db.session.scalar(sa.select(CommitmentBreach.id).where(
        CommitmentBreach.commitment_id == commitment.id, CommitmentBreach.list_entry_id == entry.id))
    if exists is not None:
        raise ValidationFailed(_l("This commitment is already cited on that entry."), field="entry_id")
    link = CommitmentBreach(commitment_id=commitment.id, list_entry_id=entry.id, linked_by_id=actor.id,
                            linked_at=clock.utcnow())
    db.session.add(link)
    db.session.flush()
    record_event("credit_commitment.cite", actor=actor, obj=commitment, details={"list_entry_id": entry.id})
    record_event("list_entry.cite_commitment", actor=actor, obj=entry, details={"commitment_id": commitment.id})
    return link


def commitments_for_entry(entry_id: int) -> list[CreditCommitment]:
    """The breached commitments a black list entry cites (for the entry's officer page)."""
    return list(db.session.scalars(
        sa.select(CreditCommitment).join(CommitmentBreach).where(CommitmentBreach.list_entry_id == entry_id)
        .order_by(CreditCommitment.signed_on)))


def commitments_of_subject(subject_id: int) -> list[CreditCommitment]:
    return list(db.session.scalars(
        sa.select(CreditCommitment).where(CreditCommitment.subject_id == subject_id)
        .order_by(CreditCommitment.signed_on.desc(), CreditCommitment.id.desc())))
