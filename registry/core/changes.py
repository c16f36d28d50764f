"""The change feed: every change to what the public sees, in commit order (PRODUCT §11).

Operations that publish, expire, remove, repair, withdraw or correct a public record call
``record_change`` in the same transaction.  The API's ``/changes`` endpoint and the monthly
exchange batches read this table.  Feed positions (``id``) must follow commit order so that a
reader resuming "after id N" never misses a change that committed late: on PostgreSQL the
writer holds a transaction-scoped advisory lock from before the id is drawn until commit, so
transactions that write to the feed take turns; SQLite has a single writer anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.db import str_enum
from registry.core.holds import HoldKind, open_holds
from registry.core.signals import subject_records_changed
from registry.extensions import db

_FEED_LOCK_KEY = 7_320_002


class ChangeKind(StrEnum):
    PUBLICITY_STARTED = "publicity_started"  # a list entry entered publicity (公示, PRODUCT §8): public, not in force
    PUBLISHED = "published"  # published: a list entry after its publicity, any other record when it became public
    UPDATED = "updated"  # a public record's public state changed (a publicity end moved, an objection opened, ...)
    CORRECTED = "corrected"  # replaced by a corrected version
    WITHDRAWN = "withdrawn"  # taken back during publicity (objection upheld)
    EXPIRED = "expired"  # validity or disclosure period ended
    REMOVED = "removed"  # ended early: repaired or revoked (reason says which)


# The kinds that make a record public: a list entry has both (publicity, then publication), so a
# count of public records counts distinct records.
BECAME_PUBLIC = (ChangeKind.PUBLICITY_STARTED, ChangeKind.PUBLISHED)


class ChangeEvent(db.Model):
    __tablename__ = "change_events"
    __table_args__ = (sa.Index("ix_change_events_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    change: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind, "change_kind"))
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)  # canonical JSON of the public record after the change

    @property
    def payload_dict(self) -> dict:
        return json.loads(self.payload)


def public_markers(record_type: str, record_id: int, payload: dict) -> dict[str, bool]:
    """The markers of a record (the API's ``Markers``): in publicity by its status, an objection or
    a repair pending by its open holds (``core.holds``)."""
    holds = open_holds(record_type, [record_id])[record_id]
    return {"in_publicity": payload.get("status") == "in_publicity",
            "objection_pending": HoldKind.OBJECTION in holds, "under_repair": HoldKind.REPAIR in holds}


def record_change(
    record_type: str,
    record_id: int,
    change: ChangeKind,
    *,
    payload: dict,
    subject_id: int | None = None,
    unit_id: int | None = None,
    reason: str | None = None,
) -> ChangeEvent:
    """Append one change to the feed, in the caller's transaction.

    ``payload`` is what the public may see of the record after the change (never a raw person
    ID number): consumers rebuild their copy from it.  The feed adds the record's ``markers`` as the
    public pages show them then (公示中, 异议处理中, 修复中: ``public_markers``).
    """
    payload = {**payload, "markers": public_markers(record_type, record_id, payload)}
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FEED_LOCK_KEY})
    event = ChangeEvent(
        occurred_at=clock.utcnow(),
        record_type=record_type,
        record_id=record_id,
        subject_id=subject_id,
        unit_id=unit_id,
        change=change,
        reason=reason,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str),
    )
    db.session.add(event)
    db.session.flush()
    if subject_id is not None:  # what is derived from the subject's records follows them (supervision classes)
        subject_records_changed.send(record_type, subject_ids=(subject_id,), change=change)
    return event


# ---------------------------------------------------------------------------------------------
# How a feed item looks to a business system (the API's /changes, watchlist notifications)

def encode_cursor(position: int, tag: str = "c1") -> str:
    """The opaque cursor of position ``position`` (resume with ``since=<cursor>``); ``tag`` names
    what it counts (``c1`` the feed, ``w1`` a watchlist), so one list's cursor is no other's."""
    return base64.urlsafe_b64encode(f"{tag}:{position}".encode()).decode().rstrip("=")


# Positions are ids of INTEGER keys: none is above 2^31 - 1, which has ten digits.  A cursor past
# it stands for "after everything" and reads as that largest id (a larger one would not even
# reach PostgreSQL's comparison with an INTEGER column: "integer out of range").
MAX_POSITION = 2**31 - 1
_DIGITS = len(str(MAX_POSITION))


def decode_cursor(cursor: str, tag: str = "c1") -> int | None:
    """The position a cursor of ``tag`` stands for, or None for anything that is not one of ours."""
    if not cursor or len(cursor) > 40 or not re.fullmatch(r"[A-Za-z0-9_-]+", cursor):
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    match = re.fullmatch(rf"{re.escape(tag)}:(0|[1-9]\d{{0,{_DIGITS - 1}}})", text)
    return min(int(match.group(1)), MAX_POSITION) if match else None


# The cursor's characters, worked out from base64: "<tag>:" is three bytes, so the digits that
# follow fill groups of their own; three ASCII digits 0x3x 0x3y 0x3z give four characters: two for
# x (its top two bits, then its low two and y's high nibble "0011"), one for y, one for z.  A lone
# last digit gives two characters, a last pair three.  The first digit is not 0 unless it is all.
_FIRST = "(?:M[Tjz]|N[DTjz]|O[DT])"  # digits 1-9 at the head of a group
_ANY = "(?:[MN][DTjz]|O[DT])"  # digits 0-9 at the head of a group
_MIDDLE, _LAST = "[AEIMQUYcgk]", "[w-z0-5]"  # the second digit; the third
_ONE = "(?:[MN][AQgw]|O[AQ])"  # a lone last digit


def cursor_pattern(tag: str = "c1", *, empty: bool = False) -> str:
    """The regular expression of exactly the cursors ``decode_cursor`` reads (positions of one
    to ten digits): the OpenAPI document's pattern of the cursor parameters, matching the empty
    text too when ``empty`` (a parameter where empty means "from the start")."""
    head = f"{tag}:".encode()
    assert len(head) == 3, "the pattern relies on the tag filling one base64 group"
    prefix = base64.urlsafe_b64encode(head).decode()
    group = f"{_ANY}{_MIDDLE}{_LAST}"
    # n digits = three in the first group, then whole groups, then a lone digit or a pair
    whole, with_one, with_pair = (_DIGITS - 3) // 3, (_DIGITS - 4) // 3, (_DIGITS - 5) // 3
    cursor = (f"{prefix}(?:{_ONE}|{_FIRST}{_MIDDLE}|{_FIRST}{_MIDDLE}{_LAST}(?:(?:{group}){{0,{whole}}}"
              f"|(?:{group}){{0,{with_one}}}{_ONE}|(?:{group}){{0,{with_pair}}}{_ANY}{_MIDDLE}))")
    return f"^(?:{cursor})?$" if empty else f"^{cursor}$"


# The kinds of change after which a record is still public (the others end its publicity; a
# corrected record's replacement has its own PUBLISHED).
STILL_PUBLIC = (ChangeKind.PUBLICITY_STARTED, ChangeKind.PUBLISHED, ChangeKind.UPDATED)


def public_event_ids(head: int, subject_id: int | None = None) -> list[int]:
    """The feed folded up to position ``head``: the id of each record's last change when that
    change left it public, in feed order (optionally for one subject's records only).  What a
    reader that followed the feed from its start holds at ``head`` (the bulk snapshot, and a newly
    watched subject's first notification)."""
    last = (sa.select(sa.func.max(ChangeEvent.id)).where(ChangeEvent.id <= head)
            .group_by(ChangeEvent.record_type, ChangeEvent.record_id))
    if subject_id is not None:
        last = last.where(ChangeEvent.subject_id == subject_id)
    return list(db.session.scalars(
        sa.select(ChangeEvent.id).where(ChangeEvent.id.in_(last), ChangeEvent.change.in_(STILL_PUBLIC))
        .order_by(ChangeEvent.id)))


def change_json(event: ChangeEvent) -> dict:
    """One feed item as the API and the notifications send it."""
    return {
        "cursor": encode_cursor(event.id),
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "record_type": event.record_type,
        "record_id": event.record_id,
        "change": event.change.value,
        "reason": event.reason,
        "payload": event.payload_dict,
    }
