"""The append-only, tamper-evident audit log.

Every event stores the hash of the event before it, and its own hash over its content and that
link, so that altering or deleting a row breaks the chain at a place ``verify_chain`` names.

The hash is an HMAC-SHA256 keyed with ``AUDIT_HMAC_KEY``, a setting kept outside the database:
someone who can write to the database but does not hold the key cannot recompute the hashes after
an altered event.  Someone who holds the key as well is caught by the anchors: the scheduled check
``audit_anchor`` appends the chain's head (event id and hash) to an append-only file outside the
database (``AUDIT_ANCHOR_FILE``) every day, and ``verify_chain`` compares the chain with every
anchor, so a chain rewritten or cut short after an anchored event no longer matches it.
A unique constraint on ``prev_hash`` keeps the chain a single line even when two transactions
append at once; on PostgreSQL an advisory lock makes them take turns instead of failing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, lazyload, mapped_column

from registry.core import clock
from registry.core.anchors import Anchor, ForeignAnchorFile, anchor_path, append_anchor, read_anchors
from registry.extensions import db

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 7_320_001  # arbitrary constant naming the audit chain's advisory lock


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # The audit log page reads newest first in time order, filtered by officer or unit, a page at
    # a time from a (time, id) key: each of these serves one such read without a sort.
    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),
                      sa.Index("ix_audit_events_time", "occurred_at", "id"),
                      sa.Index("ix_audit_events_actor_time", "actor_id", "occurred_at", "id"),
                      sa.Index("ix_audit_events_unit_time", "unit_id", "occurred_at", "id"))

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

    def content_hash(self, key: bytes | None = None) -> str:
        """The hash this event should carry, recomputed from its stored content: HMAC-SHA256 with
        ``key`` (the configured ``AUDIT_HMAC_KEY`` when not given)."""
        return hmac.new(key or chain_key(), _canonical(self), hashlib.sha256).hexdigest()

    def unkeyed_hash(self) -> str:
        """The plain SHA-256 the chain used before it was keyed (``audit rekey`` reads it)."""
        return hashlib.sha256(_canonical(self)).hexdigest()

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details) if self.details else {}


def chain_key() -> bytes:
    """The chain's key, from the configuration (never the database)."""
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not set: the audit chain cannot be written or verified.")
    # str() too: REGISTRY_AUDIT_HMAC_KEY is parsed as JSON where it can be, so "1234" arrives as a number.
    return bytes(key) if isinstance(key, bytes | bytearray) else str(key).encode("utf-8")


def _canonical(event) -> bytes:
    """An event's content and link as canonical JSON bytes (what its hash covers)."""
    payload = {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "unit_id": event.unit_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


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
    # Why a chain fails from its very first event: NOT_KEYED (written before AUDIT_HMAC_KEY) or
    # WRONG_KEY (no event matches the configured key); None for a chain broken at an event.
    problem: str | None = None


NOT_KEYED = "not keyed yet"
WRONG_KEY = "wrong key"


def _events_in_order() -> sa.Select:
    """Every event, oldest first, without its actor: the hash covers the stored columns only (and
    a restored older database's users table may lack columns the model has)."""
    return sa.select(AuditEvent).options(lazyload("*")).order_by(AuditEvent.id)


def verify_chain(*, key: bytes | None = None, unkeyed: bool = False, anchors: bool = True,
                 extra_anchors: list[Anchor] = ()) -> ChainReport:
    """Walk the whole log in order and report the first event whose link or content is wrong, then
    hold the chain against every anchor written outside the database (the anchor file, and
    ``extra_anchors`` such as those of delivered exchange manifests).

    ``unkeyed`` checks the plain SHA-256 of a chain written before the key (``audit rekey``).
    """
    expected_prev = GENESIS_HASH
    checked = 0
    key = None if unkeyed else (key or chain_key())
    anchored: dict[int, list[Anchor]] = {}
    for anchor in [*(file_anchors() if anchors else []), *extra_anchors]:
        anchored.setdefault(anchor.event_id, []).append(anchor)
    seen: set[int] = set()
    failure = None
    # populate_existing: judge what the database holds, not events this session already loaded.
    statement = _events_in_order()
    rows = db.session.execute(statement.execution_options(yield_per=1000, populate_existing=True))
    try:  # yield_per is a server-side cursor on PostgreSQL: close it also when stopping early
        for event in rows.scalars():
            checked += 1
            failure = _event_failure(event, expected_prev, key, anchored.get(event.id, ()))
            if failure is not None:
                break
            if event.id in anchored:
                seen.add(event.id)
            expected_prev = event.hash
    finally:
        rows.close()
    if failure is not None:
        problem = _whole_chain_problem(key) if checked == 1 and key is not None else None
        if problem is not None:
            return ChainReport(False, checked, failure[0], _PROBLEMS[problem], problem)
        return ChainReport(False, checked, *failure)
    missing = sorted(set(anchored) - seen)
    if missing:
        anchor = anchored[missing[0]][0]
        return ChainReport(False, checked, anchor.event_id,
                           f"it is anchored ({anchor.written_at}) but no longer in the log (events were removed)")
    return ChainReport(True, checked)


_PROBLEMS = {
    NOT_KEYED: "the chain is not keyed yet: its hashes are the plain SHA-256 written before AUDIT_HMAC_KEY "
               "(check it with 'audit verify --unkeyed', then run 'audit rekey' once; if this chain was "
               "keyed already, someone rewrote it without the key)",
    WRONG_KEY: "wrong key: no event's hash matches the configured AUDIT_HMAC_KEY (is it this registry's key?), "
               "or every event was rewritten without it",
}


def _event_failure(event: AuditEvent, expected_prev: str, key: bytes | None, anchors) -> tuple[int, str] | None:
    """(event id, reason) when the event's link, content or anchor is wrong; None when it holds."""
    if event.prev_hash != expected_prev:
        return event.id, "the event before it was deleted or altered (link does not match)"
    actual = event.unkeyed_hash() if key is None else event.content_hash(key)
    if not hmac.compare_digest(actual, event.hash):
        return event.id, "its content was altered (hash does not match)"
    for anchor in anchors:
        if not hmac.compare_digest(anchor.hash, event.hash):
            return event.id, f"it differs from the anchor of {anchor.written_at} (the chain was rewritten)"
    return None


def _whole_chain_problem(key: bytes) -> str | None:
    """A chain that fails at its first event: is it unkeyed, or is the key not this chain's?  An
    event altered without the key fails alone (the events after it still match); a wrong key
    fails them all."""
    if verify_chain(unkeyed=True, anchors=False).ok:
        return NOT_KEYED
    statement = _events_in_order().execution_options(yield_per=1000)
    rows = db.session.execute(statement)
    try:
        if any(hmac.compare_digest(event.content_hash(key), event.hash) for event in rows.scalars()):
            return None
    finally:
        rows.close()
    return WRONG_KEY


# ---------------------------------------------------------------------------------------------
# Anchors: the chain's head, written outside the database (core.anchors)


def chain_identity() -> str | None:
    """What names this database's chain in the anchor file: its first event's hash."""
    return db.session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id).limit(1))


def chain_head() -> Anchor | None:
    """The newest event's id and hash, or None for an empty log."""
    row = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return Anchor(row.id, row.hash, clock.utcnow().isoformat(timespec="seconds"), chain_identity())


def write_anchor() -> Anchor | None:
    """Append the chain's head to the anchor file; ``ForeignAnchorFile`` when the file anchors
    another database (its lines name another chain, or, written before lines named theirs, hold
    events this chain does not have)."""
    head = chain_head()
    if head is None:
        return None
    unnamed = {anchor.event_id: anchor.hash for anchor in read_anchors(chain=head.chain) if anchor.chain is None}
    if unnamed:
        ours = dict(db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash)
                                       .where(AuditEvent.id.in_(unnamed))).tuples().all())
        if any(ours.get(event_id) != digest for event_id, digest in unnamed.items()):
            raise ForeignAnchorFile(f"{anchor_path()} holds anchors this database's chain does not have: it is "
                                    "another database's file (give each database its own REGISTRY_AUDIT_ANCHOR_FILE)")
    append_anchor(head)
    return head


def file_anchors() -> list[Anchor]:
    """The anchor file's anchors of this chain (``ForeignAnchorFile`` for another database's file)."""
    return read_anchors(chain=chain_identity())


def rekey_chain(*, from_unkeyed: bool = True, old_key: bytes | None = None) -> int:
    """Recompute every hash with the configured key, in order, after checking the chain as it
    stands (unkeyed, or keyed with ``old_key``).  The caller commits and starts a new anchor file.

    Returns how many events were rekeyed; raises ``ValueError`` when the chain is not intact.
    """
    report = verify_chain(unkeyed=from_unkeyed, key=old_key, anchors=False)
    if not report.ok:
        raise ValueError(f"the chain is broken at event {report.broken_event_id}: {report.reason}")
    key = chain_key()
    previous = GENESIS_HASH
    count = 0
    # The new hashes are HMACs: they never collide with the old ones the unique columns hold.
    for event in db.session.scalars(_events_in_order()).all():
        event.prev_hash = previous
        event.hash = previous = event.content_hash(key)
        count += 1
    db.session.flush()
    return count


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
    key = chain_key()
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
        row["hash"] = previous = hmac.new(key, _canonical(SimpleNamespace(**row)), hashlib.sha256).hexdigest()
        rows.append(row)
    session.execute(sa.insert(AuditEvent.__table__), rows)
    return len(rows)
