"""The change feed's record of each change to a list entry, carrying its public payload
(``listing.public``, PRODUCT §11)."""

from __future__ import annotations

from registry.core.changes import ChangeKind, record_change
from registry.listing.models import ListEntry
from registry.listing.public import RECORD_TYPE, public_payload


def feed(entry: ListEntry, change: ChangeKind, reason: str | None = None) -> None:
    record_change(
        RECORD_TYPE,
        entry.id,
        change,
        payload=public_payload(entry),
        subject_id=entry.subject_id,
        unit_id=entry.unit_id,
        reason=reason,
    )
