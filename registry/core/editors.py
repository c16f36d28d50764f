"""Who prepared a record: everyone who created or changed its content (four-eyes).

A reviewer who rewrites a clerk's draft is one of its preparers just as the clerk is: if the clerk
then submits it, that reviewer must not approve it.  The create and update operations of every
reviewed record (``core.workflow.ReviewedMixin``) call ``note_editor``; ``core.permissions.can_review``
and ``core.workflow.ensure_reviewer`` refuse a reviewer who is among ``editor_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.extensions import db


class RecordEditor(db.Model):
    """One officer who created or changed the content of one record (once per record and officer)."""

    __tablename__ = "record_editors"
    __table_args__ = (
        sa.UniqueConstraint("record_type", "record_id", "user_id", name="one_row_per_editor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    first_edited_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())


def record_type_of(record) -> str | None:
    """The record's (or model's) type as the audit log names it (``__audit_type__`` or its table)."""
    model = record if isinstance(record, type) else type(record)
    return getattr(model, "__audit_type__", None) or getattr(model, "__tablename__", None)


def note_editor(record, actor) -> None:
    """Remember that ``actor`` created or changed ``record`` (idempotent; no commit)."""
    note_editors(record_type_of(record), [(record.id, actor.id)])


def note_editors(record_type: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Bulk form of ``note_editor``: ``(record_id, user_id)`` pairs of one type, duplicates skipped."""
    wanted = set(pairs)
    if not wanted:
        return
    db.session.flush()
    known = set(
        db.session.execute(
            sa.select(RecordEditor.record_id, RecordEditor.user_id).where(
                RecordEditor.record_type == record_type,
                RecordEditor.record_id.in_({record_id for record_id, _ in wanted}),
            )
        ).tuples()
    )
    now = clock.utcnow()
    rows = [
        {"record_type": record_type, "record_id": record_id, "user_id": user_id, "first_edited_at": now}
        for record_id, user_id in sorted(wanted - known)
    ]
    if rows:
        db.session.execute(sa.insert(RecordEditor), rows)


def editor_ids(record) -> frozenset[int]:
    """The ids of every officer who created or changed ``record``.

    An object that carries ``editor_ids`` itself (a review-queue item, loaded in bulk) answers
    from it; a record without an id (not yet saved) has none.
    """
    carried = getattr(record, "editor_ids", None)
    if carried is not None:
        return frozenset(carried)
    record_type, record_id = record_type_of(record), getattr(record, "id", None)
    if record_type is None or record_id is None:
        return frozenset()
    return frozenset(
        db.session.scalars(
            sa.select(RecordEditor.user_id).where(
                RecordEditor.record_type == record_type, RecordEditor.record_id == record_id
            )
        )
    )


def editors_of_many(record_type: str, record_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """``editor_ids`` for a batch of records of one type (one query)."""
    ids = list(record_ids)
    found: dict[int, set[int]] = {record_id: set() for record_id in ids}
    if ids:
        rows = db.session.execute(
            sa.select(RecordEditor.record_id, RecordEditor.user_id).where(
                RecordEditor.record_type == record_type, RecordEditor.record_id.in_(ids)
            )
        ).tuples()
        for record_id, user_id in rows:
            found[record_id].add(user_id)
    return {record_id: frozenset(users) for record_id, users in found.items()}
