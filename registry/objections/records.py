"""The records an application may concern (list entries and disclosures), as both packages need them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.errors import ValidationFailed
from registry.disclosures import queries as disclosure_queries
from registry.disclosures.models import KIND_LABELS, Disclosure, DisclosureKind, DisclosureStatus
from registry.disclosures.operations import RECORD_TYPE as DISCLOSURE
from registry.extensions import db
from registry.listing.models import LIST_KIND_SHORT, STATUS_LABELS, EntryStatus, ListEntry, publicly_shown
from registry.listing.operations import RECORD_TYPE as LIST_ENTRY

RECORD_TYPES = (LIST_ENTRY, DISCLOSURE)


def target_key(record) -> str:
    return f"{LIST_ENTRY if isinstance(record, ListEntry) else DISCLOSURE}:{record.id}"


def parse_target(text: str | None, field: str = "record"):
    """``"list_entry:12"`` → ``(record_type, record)``; a clear refusal when it names nothing."""
    record_type, _, number = (text or "").partition(":")
    model = {LIST_ENTRY: ListEntry, DISCLOSURE: Disclosure}.get(record_type)
    record = db.session.get(model, int(number)) if model is not None and number.isdigit() else None
    if record is None:
        raise ValidationFailed(_l("Choose the record this application concerns."), field=field)
    return record_type, record


def load_record(record_type: str, record_id: int):
    model = {LIST_ENTRY: ListEntry, DISCLOSURE: Disclosure}.get(record_type)
    return db.session.get(model, record_id) if model is not None else None


def is_public(record) -> bool:
    """What the public sees today: an entry in publicity or published, a disclosure in its period."""
    if isinstance(record, ListEntry):
        return record.is_shown_on(clock.today())
    return disclosure_queries.is_publicly_visible(record, clock.today())


@dataclass(frozen=True)
class RecordSummary:
    key: str
    kind_label: str
    title: str
    subject_name: str
    state_label: str
    decision_date: object


def summary(record) -> RecordSummary:
    """A few public words about the record (for the forms and the status page)."""
    if isinstance(record, ListEntry):
        return RecordSummary(target_key(record), str(LIST_KIND_SHORT[record.list_kind]),
                             f"{record.category.name} · {record.decision_number}", record.subject.name,
                             str(STATUS_LABELS[record.status]), record.decision_date)
    from registry.disclosures.models import STATUS_LABELS as DISCLOSURE_STATUS

    return RecordSummary(target_key(record), str(KIND_LABELS[record.kind]), record.decision_number,
                         record.party_name, str(DISCLOSURE_STATUS[record.status]), record.decision_date)


def public_records_of(subject_id: int) -> tuple[list[ListEntry], list[Disclosure]]:
    """The subject's records the public sees today (candidates for an objection or a repair)."""
    entries = list(db.session.scalars(
        sa.select(ListEntry).where(ListEntry.subject_id == subject_id, publicly_shown(clock.today()))
        .order_by(ListEntry.decision_date.desc(), ListEntry.id.desc())
    ).unique())
    disclosures = list(db.session.scalars(
        sa.select(Disclosure).where(Disclosure.subject_id == subject_id,
                                    disclosure_queries.publicly_visible(clock.today()))
        .order_by(Disclosure.decision_date.desc(), Disclosure.id.desc())
    ).unique())
    return entries, disclosures


def is_penalty(record) -> bool:
    return isinstance(record, Disclosure) and record.kind is DisclosureKind.PENALTY


__all__ = ["DISCLOSURE", "LIST_ENTRY", "DisclosureStatus", "EntryStatus"]
