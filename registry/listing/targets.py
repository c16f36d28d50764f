"""List entries as the records objections and repair applications concern (``applications.targets``)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.applications.targets import RecordSummary, TargetKind, register_target
from registry.core.datalabels import data_label
from registry.extensions import db
from registry.listing.models import LIST_KIND_SHORT, STATUS_LABELS, ListEntry
from registry.listing.public import RECORD_TYPE, public_payload, publicly_shown


def _public_of_subject(subject_id: int, today: date) -> list[ListEntry]:
    return list(db.session.scalars(
        sa.select(ListEntry).where(ListEntry.subject_id == subject_id, publicly_shown(today))
        .order_by(ListEntry.decision_date.desc(), ListEntry.id.desc())
    ).unique())


def _summary(entry: ListEntry) -> RecordSummary:
    return RecordSummary(f"{RECORD_TYPE}:{entry.id}", str(LIST_KIND_SHORT[entry.list_kind]),
                         f"{data_label(entry.category.name)} · {entry.decision_number}", entry.subject.name,
                         str(STATUS_LABELS[entry.status]), entry.decision_date)


register_target(TargetKind(
    record_type=RECORD_TYPE, model=ListEntry, order=10,
    is_public=lambda entry, today: entry.is_shown_on(today),
    public_of_subject=_public_of_subject, summary=_summary, public_payload=public_payload,
))
