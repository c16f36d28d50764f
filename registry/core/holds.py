"""Holds: an open objection or repair application on a record (PRODUCT §3, §6, §7).

Objections and repairs live in packages above the records they concern, so instead of the
records knowing about them, those packages open a hold on the record when an application is
filed and close it when it is decided.  Records consult holds in SQL (an open objection holds
publication) and the public pages show them as markers (异议处理中, 修复中).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.db import str_enum
from registry.extensions import db


class HoldKind(StrEnum):
    OBJECTION = "objection"
    REPAIR = "repair"


class RecordHold(db.Model):
    __tablename__ = "record_holds"
    __table_args__ = (
        sa.Index("ix_record_holds_open", "record_type", "record_id", "kind", "closed_at"),
        sa.UniqueConstraint("kind", "source_id", name="one_hold_per_application"),
        sa.CheckConstraint("closed_at IS NULL OR closed_at >= opened_at", name="closed_after_opened"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    kind: Mapped[HoldKind] = mapped_column(str_enum(HoldKind, "hold_kind"))
    source_id: Mapped[int]  # the objection's or repair application's id
    opened_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    closed_at: Mapped[datetime | None]


def open_hold(record_type: str, record_id: int, kind: HoldKind, source_id: int) -> RecordHold:
    hold = RecordHold(record_type=record_type, record_id=record_id, kind=kind, source_id=source_id)
    db.session.add(hold)
    db.session.flush()
    return hold


def close_hold(kind: HoldKind, source_id: int) -> None:
    db.session.execute(
        sa.update(RecordHold)
        .where(RecordHold.kind == kind, RecordHold.source_id == source_id, RecordHold.closed_at.is_(None))
        .values(closed_at=clock.utcnow())
    )


def open_hold_exists(record_type: str, record_id_column, kind: HoldKind):
    """A SQL condition: the record in ``record_id_column`` has an open hold of ``kind``."""
    return (
        sa.select(RecordHold.id)
        .where(
            RecordHold.record_type == record_type,
            RecordHold.record_id == record_id_column,
            RecordHold.kind == kind,
            RecordHold.closed_at.is_(None),
        )
        .exists()
    )


def open_holds(record_type: str, record_ids) -> dict[int, set[HoldKind]]:
    """For a batch of records, which kinds of hold are open on each (one query)."""
    ids = list(record_ids)
    result: dict[int, set[HoldKind]] = {record_id: set() for record_id in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(RecordHold.record_id, RecordHold.kind).where(
            RecordHold.record_type == record_type, RecordHold.record_id.in_(ids), RecordHold.closed_at.is_(None)
        )
    )
    for record_id, kind in rows:
        result[record_id].add(kind)
    return result
