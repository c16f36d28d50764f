"""The verify-then-publish workflow that every reviewable record shares (PRODUCT §3, §4, §5).

``ReviewedMixin`` gives a model the columns of the four-eyes review; ``review_constraints`` gives
the CHECK constraints the database enforces on them; ``transition`` moves a record from one state
to the next with a conditional UPDATE on its version, so that of two officers acting on the same
item exactly one wins; ``QueueSource`` is the small interface through which each package puts its
pending items into the one review queue.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, selectinload

from registry.core import clock
from registry.core.audit import record_event
from registry.core.editors import editors_of_many, record_type_of
from registry.core.errors import InvalidTransition, NotFound, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.permissions import Role, is_editor
from registry.core.registry import Registry
from registry.extensions import db


class ReviewedMixin:
    """Unit, version and who created, submitted and reviewed the record, and when."""

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)

    @declared_attr
    def unit(cls):
        return relationship("Unit", foreign_keys=[cls.unit_id])

    @declared_attr
    def created_by(cls):
        return relationship("User", foreign_keys=[cls.created_by_id])

    @declared_attr
    def submitted_by(cls):
        return relationship("User", foreign_keys=[cls.submitted_by_id])

    @declared_attr
    def reviewed_by(cls):
        return relationship("User", foreign_keys=[cls.reviewed_by_id])


def review_constraints() -> tuple[sa.CheckConstraint, ...]:
    """The four-eyes rule as the database holds it: a reviewer is neither creator nor submitter."""
    return (
        sa.CheckConstraint(
            "reviewed_by_id IS NULL OR (reviewed_by_id <> created_by_id "
            "AND (submitted_by_id IS NULL OR reviewed_by_id <> submitted_by_id))",
            name="four_eyes",
        ),
        sa.CheckConstraint("reviewed_by_id IS NULL OR reviewed_at IS NOT NULL", name="reviewed_has_time"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )


def ensure_version(record, expected_version) -> None:
    """Refuse with ``StaleRecord`` unless ``record`` is still at the version the user saw.

    ``expected_version`` comes from a form, so text and garbage are accepted and refused alike.
    Checked before anything else, so that the officer hears "changed by someone else" rather than
    a rule about a state they never saw.
    """
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise StaleRecord() from None
    if record.version != expected:
        raise StaleRecord()


def ensure_reviewer(record, actor, *, role_message, four_eyes_message) -> None:
    """Refuse with ``PermissionDenied`` unless ``actor`` may approve or return ``record``.

    ``role_message`` when the actor is not a reviewer of the record's unit, ``four_eyes_message``
    when they created or submitted it themselves; each package words these for its own records.
    A reviewer who changed the record's content (``core.editors``) is refused with a message of
    its own: they prepared it too.
    """
    if getattr(actor, "role", None) is not Role.REVIEWER or actor.unit_id != record.unit_id:
        raise PermissionDenied(role_message)
    if actor.id in {record.created_by_id, getattr(record, "submitted_by_id", None)}:
        raise PermissionDenied(four_eyes_message)
    if is_editor(actor, record):
        raise PermissionDenied(EDITOR_MESSAGE)


EDITOR_MESSAGE = _l(
    "You changed the content of this record, so you are one of its preparers: "
    "a reviewer who did not edit it must decide on it (four-eyes rule)."
)


def required_comment(comment: str | None, message, *, limit: int) -> str:
    """The reviewer's comment, stripped; refused on the ``comment`` field when empty (``message``)
    or longer than ``limit``."""
    text = (comment or "").strip()
    if not text:
        raise ValidationFailed(message, field="comment")
    if len(text) > limit:
        raise ValidationFailed(_l("The comment may have at most %(n)d characters.", n=limit), field="comment")
    return text


def transition(
    record,
    *,
    expected_version: int,
    allowed_from: Collection,
    to,
    actor,
    action: str,
    values: dict | None = None,
    comment: str | None = None,
    details: dict | None = None,
) -> None:
    """Move ``record`` to state ``to`` if it is still at ``expected_version`` in an allowed state.

    One conditional UPDATE does the check and the change together, so a concurrent change by
    someone else makes this one fail with ``StaleRecord`` instead of silently overwriting it.
    Writes the audit event; does not commit.
    """
    model = type(record)
    from_state = record.status
    # The version first: a record someone else moved on is "changed by someone else", not a rule
    # about a state this user never saw (the loser of a race on SQLite reads the winner's state).
    if record.version != expected_version:
        raise StaleRecord()
    if from_state not in allowed_from:
        raise InvalidTransition()
    db.session.flush()
    result = db.session.execute(
        sa.update(model)
        .where(model.id == record.id, model.version == expected_version, model.status.in_(list(allowed_from)))
        .values(status=to, version=model.version + 1, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleRecord()
    db.session.refresh(record)
    record_event(
        action,
        actor=actor,
        obj=record,
        from_state=from_state,
        to_state=to,
        comment=comment,
        details=details,
    )


@dataclass
class QueueItem:
    """One thing waiting for a reviewer, whatever package it comes from."""

    kind: str
    id: int
    version: int
    title: str
    subject_label: str
    unit_id: int
    submitted_by_id: int | None
    submitted_by_label: str
    submitted_at: datetime | None
    url: str
    category: str | None = None  # the record's category (a list category, a kind of disclosure)
    deadline: date | None = None
    created_by_id: int | None = None
    extra: dict = field(default_factory=dict)
    outcome: str | None = None  # the decision to be confirmed (不予受理, 异议成立 ...), not a category
    outcome_code: str | None = None  # the same decision as a code, what the queue's filter matches
    # What approving does, where it is not "takes effect at once" (a list entry goes to publicity).
    approval_note: str | None = None


class QueueSource(Protocol):
    """What a package implements to put its pending items into the review queue."""

    kind: str
    label: object  # a lazy string naming the kind of item

    def pending(self, unit_id: int) -> list[QueueItem]:
        """Items of ``unit_id`` waiting for a reviewer's decision."""

    def approve(self, item_id: int, actor, expected_version: int) -> None:
        """Approve one item (raises ``RegistryError`` when refused)."""

    def return_(self, item_id: int, actor, expected_version: int, comment: str) -> None:
        """Send one item back to its author with the reviewer's comment."""


class ReviewQueueSource:
    """The reading half of a ``QueueSource`` for a ``ReviewedMixin`` model whose items wait for
    review in one state; ``core.review.FlowQueueSource`` completes it from the record type's
    ``ReviewFlow`` (model, pending state, approve and return).

    A package says how an item reads: ``title`` and ``url``, and where the defaults do not fit,
    ``subject_label``, ``category`` and ``deadline``.  ``load`` finds the record of the actor's
    unit; a package whose access rule differs overrides it.
    """

    kind: str
    label: object
    model: type
    status: object

    def pending(self, unit_id: int) -> list[QueueItem]:
        model = self.model
        records = db.session.scalars(
            sa.select(model)
            .where(model.unit_id == unit_id, model.status == self.status)
            .options(selectinload(model.submitted_by))
            .order_by(model.submitted_at)
        ).all()
        items = [self.item(record) for record in records]
        editors = editors_of_many(record_type_of(model), [record.id for record in records])
        for item in items:
            item.extra.setdefault("editor_ids", editors.get(item.id, frozenset()))
        return items

    def waiting(self, unit_id: int) -> tuple[int, datetime | None]:
        """How many items of ``unit_id`` wait, and since when the oldest: one indexed query."""
        model = self.model
        count, oldest = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(model.submitted_at))
            .where(model.unit_id == unit_id, model.status == self.status)
        ).one()
        return count, oldest

    def item(self, record) -> QueueItem:
        return QueueItem(
            kind=self.kind,
            id=record.id,
            version=record.version,
            title=self.title(record),
            subject_label=self.subject_label(record),
            unit_id=record.unit_id,
            submitted_by_id=record.submitted_by_id,
            submitted_by_label=record.submitted_by.name if record.submitted_by else "",
            submitted_at=record.submitted_at,
            url=self.url(record),
            category=self.category(record),
            deadline=self.deadline(record),
            created_by_id=record.created_by_id,
            approval_note=self.approval_note(record),
        )

    def approval_note(self, record) -> str | None:
        """What approving ``record`` does, when it does not simply take effect (None: it does)."""
        return None

    def title(self, record) -> str:
        raise NotImplementedError

    def url(self, record) -> str:
        raise NotImplementedError

    def subject_label(self, record) -> str:
        return str(record.subject)

    def category(self, record) -> str | None:
        return None

    def deadline(self, record) -> date | None:
        return None

    def load(self, item_id: int, actor):
        """The record, if it belongs to the actor's unit; ``NotFound`` otherwise."""
        record = db.session.get(self.model, item_id)
        if record is None or record.unit_id != getattr(actor, "unit_id", None):
            raise NotFound()
        return record


QUEUE_SOURCES: Registry[QueueSource] = Registry("review queue source", key=lambda source: source.kind)


def register_queue_source(source: QueueSource) -> QueueSource:
    return QUEUE_SOURCES.add(source)


def queue_waiting(source: QueueSource, unit_id: int) -> tuple[int, datetime | None]:
    """``(count, oldest submission)`` of a source's pending items: its own ``waiting`` query where
    it has one, else read from ``pending``."""
    if hasattr(source, "waiting"):
        return source.waiting(unit_id)
    items = source.pending(unit_id)
    times = [item.submitted_at for item in items if item.submitted_at]
    return len(items), min(times) if times else None
