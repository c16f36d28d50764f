"""When each unit last published credit information, read from the change feed (PRODUCT §9)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from registry.core.changes import ChangeEvent, ChangeKind

# Record types whose publication counts as "credit information" (PRODUCT §9: disclosure, entry, case).
PUBLICATION_RECORD_TYPES = ("disclosure", "list_entry", "case")


def became_public() -> sa.ColumnElement[bool]:
    """The change by which a record first became public, once per record: a list entry's publicity
    start (公示, PRODUCT §8; its publication after the publicity is the same information again), any
    other record's publication."""
    return sa.or_(ChangeEvent.change == ChangeKind.PUBLICITY_STARTED,
                  sa.and_(ChangeEvent.change == ChangeKind.PUBLISHED, ChangeEvent.record_type != "list_entry"))


def last_publication_by_unit(until: datetime | None = None) -> sa.Subquery:
    """Per unit, the time of its latest publication of credit information (from the change feed)."""
    statement = sa.select(ChangeEvent.unit_id.label("unit_id"),
                          sa.func.max(ChangeEvent.occurred_at).label("last_at")).where(
        ChangeEvent.unit_id.is_not(None), became_public(),
        ChangeEvent.record_type.in_(PUBLICATION_RECORD_TYPES),
    )
    if until is not None:
        statement = statement.where(ChangeEvent.occurred_at < until)
    return statement.group_by(ChangeEvent.unit_id).subquery("last_publication")
