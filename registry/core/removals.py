"""Taking a published record off the public pages before its time: prepared by one officer,
confirmed by another reviewer of the unit (four-eyes).

Putting a record on the public pages takes two officers; so does taking it off.  An officer of
the record's unit *prepares* a removal with a reason (a ``RemovalRequest``, state ``pending``);
a reviewer of the unit who is not the preparer *confirms* it, and only then the package's own
operation takes the record off (``RemovalKind.apply``, e.g. ``listing.operations.revoke_entry``),
in the same transaction; until then the public sees the record.  Another reviewer may *refuse*
it (with a comment) and the preparer may *cancel* it.  The database refuses one person in both
roles (CHECK ``decided_by_id <> prepared_by_id``) and a second open request on one record (a
partial unique index).  A request prepared on a version of the record that has changed since
(published, expired, removed by an objection) cannot be confirmed: it is refused or cancelled.

System paths that already are four-eyes decisions (an objection upheld, a repair granted:
``applications.handling``) and scheduled ends (expiry) do not go through here.

A package registers a ``RemovalKind`` for each kind of record it lets officers remove; the
pending requests of every kind appear in the review queue (``core.workflow``) as kind
``removal``, where *approve* confirms and *return* refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from registry.core import clock
from registry.core.audit import record_event
from registry.core.db import str_enum
from registry.core.errors import InvalidTransition, NotFound, PermissionDenied, StaleRecord
from registry.core.labels import register_state_labels
from registry.core.permissions import Role, can_edit_unit
from registry.core.registry import Registry
from registry.core.workflow import QueueItem, ensure_version, register_queue_source, required_comment
from registry.extensions import db

MAX_TEXT = 2000


class RemovalState(StrEnum):
    PENDING = "pending"  # 撤销待确认
    CONFIRMED = "confirmed"  # the record was taken off
    REFUSED = "refused"  # another reviewer said no
    CANCELLED = "cancelled"  # the preparer took it back


STATE_LABELS = {
    RemovalState.PENDING: _l("Removal awaiting confirmation"),
    RemovalState.CONFIRMED: _l("Removal confirmed"),
    RemovalState.REFUSED: _l("Removal refused"),
    RemovalState.CANCELLED: _l("Removal cancelled"),
}
register_state_labels("removal_request", STATE_LABELS)


class RemovalRequest(db.Model):
    __tablename__ = "removal_requests"
    __audit_type__ = "removal_request"
    __table_args__ = (
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> prepared_by_id", name="four_eyes"),
        sa.CheckConstraint(
            "(state IN ('confirmed', 'refused')) = (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_has_decider",
        ),
        sa.CheckConstraint("state <> 'refused' OR decision_comment IS NOT NULL", name="refusal_has_comment"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index(
            "uq_removal_requests_one_open",
            "record_type",
            "record_id",
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index("ix_removal_requests_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    record_version: Mapped[int]  # the record's version the preparer saw
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    state: Mapped[RemovalState] = mapped_column(str_enum(RemovalState, "removal_state"))
    version: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(sa.Text)
    prepared_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    prepared_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)

    prepared_by = relationship("User", foreign_keys=[prepared_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def kind(self) -> RemovalKind:
        return REMOVAL_KINDS[self.record_type]

    @property
    def record(self):
        return db.session.get(self.kind.model, self.record_id)


@dataclass(frozen=True)
class RemovalKind:
    """One kind of record officers may take off the public pages, and how."""

    record_type: str
    label: object  # e.g. "Black/red list entry"
    model: type
    removable: Collection  # the record states a removal may be prepared in
    apply: Callable  # (record, actor, request) -> None: the effect, on confirmation
    url: Callable  # record -> the officer page of the record
    title: Callable  # record -> a short title for the queue

    @property
    def name(self) -> str:
        return self.record_type


REMOVAL_KINDS: Registry[RemovalKind] = Registry("removal kind", key=lambda kind: kind.record_type)


def register_removal_kind(kind: RemovalKind) -> RemovalKind:
    return REMOVAL_KINDS.add(kind)


def _kind_of(record) -> RemovalKind:
    kind = REMOVAL_KINDS.get(getattr(type(record), "__audit_type__", ""))
    if kind is None:
        raise InvalidTransition(_l("Records of this kind cannot be removed here."))
    return kind


def pending_for(record) -> RemovalRequest | None:
    """The open removal request on ``record``, if any."""
    return db.session.scalar(
        sa.select(RemovalRequest).where(
            RemovalRequest.record_type == type(record).__audit_type__,
            RemovalRequest.record_id == record.id,
            RemovalRequest.state == RemovalState.PENDING,
        )
    )


def _audit(action: str, request: RemovalRequest, record, actor, *, from_state, comment=None) -> None:
    """One event on the request and one on the record, so that both histories show the step."""
    details = {"record_type": request.record_type, "record_id": request.record_id,
               "removal_request_id": request.id, "prepared_by_id": request.prepared_by_id}
    record_event(action, actor=actor, obj=request, from_state=from_state, to_state=request.state,
                 comment=comment, details=details)
    if record is not None:
        record_event(action, actor=actor, obj=record, from_state=record.status, to_state=record.status,
                     comment=comment, details=details)


# ---------------------------------------------------------------------------------------------
# The steps


def prepare_removal(record, *, actor, expected_version, reason: str) -> RemovalRequest:
    """An officer of the record's unit asks for ``record`` to be taken off, with a reason."""
    kind = _kind_of(record)
    ensure_version(record, expected_version)
    if not can_edit_unit(actor, record.unit_id):
        raise PermissionDenied(_l("Only clerks and reviewers of the record's unit can prepare its removal."))
    if record.status not in kind.removable:
        raise InvalidTransition(_l("This record is not on the public pages: there is nothing to remove."))
    text = required_comment(reason, _l("A removal needs the reason for it."), limit=MAX_TEXT)
    if pending_for(record) is not None:
        raise InvalidTransition(_l("A removal of this record is already waiting for confirmation."))
    request = RemovalRequest(
        record_type=kind.record_type, record_id=record.id, record_version=record.version,
        unit_id=record.unit_id, state=RemovalState.PENDING, reason=text,
        prepared_by_id=actor.id, prepared_at=clock.utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    _audit("removal.prepare_removal", request, record, actor, from_state=None, comment=text)
    return request


def _decide(request: RemovalRequest, actor, expected_version, *, to: RemovalState, values: dict) -> None:
    """The conditional UPDATE of the request: only the version the user saw, only while pending."""
    ensure_version(request, expected_version)
    if request.state is not RemovalState.PENDING:
        raise InvalidTransition(_l("This removal was already decided."))
    db.session.flush()
    result = db.session.execute(
        sa.update(RemovalRequest)
        .where(RemovalRequest.id == request.id, RemovalRequest.version == request.version,
               RemovalRequest.state == RemovalState.PENDING)
        .values(state=to, version=RemovalRequest.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleRecord()
    db.session.refresh(request)


def _ensure_second_reviewer(request: RemovalRequest, actor) -> None:
    if getattr(actor, "role", None) is not Role.REVIEWER or actor.unit_id != request.unit_id:
        raise PermissionDenied(_l("Only a reviewer of the record's unit can confirm or refuse a removal."))
    if actor.id == request.prepared_by_id:
        raise PermissionDenied(
            _l("You prepared this removal: another reviewer must confirm or refuse it (four-eyes rule).")
        )


def confirm_removal(request: RemovalRequest, *, actor, expected_version) -> None:
    """A second reviewer confirms: the record leaves the public pages now."""
    _ensure_second_reviewer(request, actor)
    ensure_version(request, expected_version)  # decided meanwhile: "changed by someone else"
    record = request.record
    if record is None or record.version != request.record_version or record.status not in request.kind.removable:
        raise InvalidTransition(
            _l("The record changed after this removal was prepared: refuse it, and prepare a new one if needed.")
        )
    _decide(request, actor, expected_version, to=RemovalState.CONFIRMED,
            values={"decided_by_id": actor.id, "decided_at": clock.utcnow()})
    _audit("removal.confirm_removal", request, record, actor, from_state=RemovalState.PENDING)
    request.kind.apply(record, actor, request)


def refuse_removal(request: RemovalRequest, *, actor, expected_version, comment: str) -> None:
    """A second reviewer refuses: the record stays; the comment says why."""
    _ensure_second_reviewer(request, actor)
    text = required_comment(comment, _l("A refusal needs a comment saying why."), limit=MAX_TEXT)
    _decide(request, actor, expected_version, to=RemovalState.REFUSED,
            values={"decided_by_id": actor.id, "decided_at": clock.utcnow(), "decision_comment": text})
    _audit("removal.refuse_removal", request, request.record, actor, from_state=RemovalState.PENDING, comment=text)


def cancel_removal(request: RemovalRequest, *, actor, expected_version) -> None:
    """The preparer takes the request back before anyone decided it."""
    if getattr(actor, "id", None) != request.prepared_by_id or not can_edit_unit(actor, request.unit_id):
        raise PermissionDenied(_l("Only the officer who prepared a removal can cancel it."))
    _decide(request, actor, expected_version, to=RemovalState.CANCELLED, values={})
    _audit("removal.cancel_removal", request, request.record, actor, from_state=RemovalState.PENDING)


def get_request_for(actor, request_id: int) -> RemovalRequest:
    """The request if it belongs to the actor's unit; ``NotFound`` otherwise."""
    request = db.session.get(RemovalRequest, request_id)
    if request is None or request.record_type not in REMOVAL_KINDS:
        raise NotFound()
    if request.unit_id != getattr(actor, "unit_id", None):
        raise NotFound()
    return request


def removal_context(record, user) -> dict:
    """What the record's page shows of removals: the open request and what ``user`` may do."""
    kind = REMOVAL_KINDS.get(getattr(type(record), "__audit_type__", ""))
    if kind is None:
        return {"removal": None, "can_prepare_removal": False}
    request = pending_for(record)  # admins and auditors see it too, and can do nothing with it
    in_unit = can_edit_unit(user, record.unit_id)
    reviewer = getattr(user, "role", None) is Role.REVIEWER and in_unit
    return {
        "removal": request,
        "removal_stale": request is not None and request.record_version != record.version,
        "can_prepare_removal": request is None and in_unit and record.status in kind.removable,
        "can_decide_removal": request is not None and reviewer and user.id != request.prepared_by_id,
        "can_cancel_removal": request is not None and in_unit and user.id == request.prepared_by_id,
    }


# ---------------------------------------------------------------------------------------------
# The review queue


class RemovalQueue:
    """Pending removals of a unit: *approve* confirms, *return* refuses."""

    kind = "removal"
    label = _l("Removals to confirm")
    approved_message = _l("The removal was confirmed: the record has left the public pages.")
    returned_message = _l("The removal was refused: the record stays on the public pages.")

    def pending(self, unit_id: int) -> list[QueueItem]:
        requests = db.session.scalars(
            sa.select(RemovalRequest)
            .where(RemovalRequest.unit_id == unit_id, RemovalRequest.state == RemovalState.PENDING,
                   RemovalRequest.record_type.in_(list(REMOVAL_KINDS)))
            .options(selectinload(RemovalRequest.prepared_by))
            .order_by(RemovalRequest.prepared_at)
        ).all()
        items = []
        for request in requests:
            kind, record = request.kind, request.record
            items.append(QueueItem(
                kind=self.kind, id=request.id, version=request.version,
                title=kind.title(record), subject_label=str(getattr(record, "subject", "")),
                unit_id=request.unit_id, submitted_by_id=request.prepared_by_id,
                submitted_by_label=request.prepared_by.name, submitted_at=request.prepared_at,
                url=kind.url(record), category=str(kind.label), created_by_id=request.prepared_by_id,
                extra={"reason": request.reason, "editor_ids": frozenset(),
                       # Changed since the removal was prepared: it cannot be confirmed.
                       "record_changed": record is None or record.version != request.record_version
                       or record.status not in kind.removable},
            ))
        return items

    def approve(self, item_id: int, actor, expected_version: int) -> None:
        confirm_removal(get_request_for(actor, item_id), actor=actor, expected_version=expected_version)

    def return_(self, item_id: int, actor, expected_version: int, comment: str) -> None:
        refuse_removal(get_request_for(actor, item_id), actor=actor, expected_version=expected_version,
                       comment=comment)


register_queue_source(RemovalQueue())
