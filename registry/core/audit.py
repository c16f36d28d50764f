"""The append-only, tamper-evident audit log.

Every event stores the hash of the event before it, and its own hash over its content and that
link, so that altering or deleting a row breaks the chain at a place ``verify_chain`` names.
A unique constraint on ``prev_hash`` keeps the chain a single line even when two transactions
append at once; on PostgreSQL an advisory lock makes them take turns instead of failing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.extensions import db

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 7_320_001  # arbitrary constant naming the audit chain's advisory lock


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[int | None]
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str | None] = mapped_column(sa.String(40))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[str | None] = mapped_column(sa.Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor = db.relationship("User", foreign_keys=[actor_id], lazy="joined")

    def content_hash(self) -> str:
        """The hash this event should carry, recomputed from its stored content."""
        payload = {
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "unit_id": self.unit_id,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "comment": self.comment,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details) if self.details else {}


def _state(value) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def record_event(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str | None = None,
    object_id: int | None = None,
    unit_id: int | None = None,
    from_state=None,
    to_state=None,
    comment: str | None = None,
    details: dict | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction; the caller commits).

    ``obj`` fills object type, id and unit from a model instance; ``actor`` is a ``User`` or
    ``None`` for the system (scheduled checks) or the public (give ``actor_label``).
    """
    if obj is not None:
        db.session.flush()
        object_type = object_type or getattr(obj, "__audit_type__", obj.__tablename__)
        object_id = object_id if object_id is not None else obj.id
        unit_id = unit_id if unit_id is not None else getattr(obj, "unit_id", None)
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    last_hash = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=clock.utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (actor.email if actor is not None else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        unit_id=unit_id,
        from_state=_state(from_state),
        to_state=_state(to_state),
        comment=comment,
        details=(
            json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None
        ),
        prev_hash=last_hash or GENESIS_HASH,
    )
    event.hash = event.content_hash()
    session.add(event)
    session.flush()
    return event


def history(object_type: str, object_id: int) -> list[AuditEvent]:
    """Every event about one record, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id)
        )
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str | None = None


def verify_chain() -> ChainReport:
    """Walk the whole log in order and report the first event whose link or content is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    # populate_existing: judge what the database holds, not events this session already loaded.
    statement = sa.select(AuditEvent).order_by(AuditEvent.id)
    rows = db.session.execute(statement.execution_options(yield_per=1000, populate_existing=True))
    try:  # yield_per is a server-side cursor on PostgreSQL: close it also when stopping early
        for event in rows.scalars():
            checked += 1
            if event.prev_hash != expected_prev:
                return ChainReport(
                    False, checked, event.id, "the event before it was deleted or altered (link does not match)"
                )
            if event.content_hash() != event.hash:
                return ChainReport(False, checked, event.id, "its content was altered (hash does not match)")
            expected_prev = event.hash
    finally:
        rows.close()
    return ChainReport(True, checked)


def record_events(events: list[dict]) -> int:
    """Append many events at once (bulk imports), in order, with one lock and one INSERT.

    Each item takes the keyword arguments of ``record_event`` except ``obj`` (give
    ``object_type``, ``object_id`` and ``unit_id``).  The chain is the same as one call each.
    Returns how many events were written.
    """
    if not events:
        return 0
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    session.flush()
    previous = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS_HASH
    occurred_at = clock.utcnow()
    rows = []
    for item in events:
        actor = item.get("actor")
        details = item.get("details")
        row = {
            "occurred_at": occurred_at,
            "actor_id": getattr(actor, "id", None),
            "actor_label": item.get("actor_label") or (actor.email if actor is not None else "system"),
            "action": item["action"],
            "object_type": item.get("object_type"),
            "object_id": item.get("object_id"),
            "unit_id": item.get("unit_id"),
            "from_state": _state(item.get("from_state")),
            "to_state": _state(item.get("to_state")),
            "comment": item.get("comment"),
            "details": json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None,
            "prev_hash": previous,
        }
        # The same hash record_event computes, without building an ORM object per event.
        row["hash"] = previous = AuditEvent.content_hash(SimpleNamespace(**row))
        rows.append(row)
    session.execute(sa.insert(AuditEvent.__table__), rows)
    return len(rows)
