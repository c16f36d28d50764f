"""Disclosures as the records objections and repair applications concern (``applications.targets``)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.applications.targets import RecordSummary, TargetKind, register_target
from registry.disclosures.models import KIND_LABELS, STATUS_LABELS, Disclosure
from registry.disclosures.operations import RECORD_TYPE
from registry.disclosures.public import is_publicly_visible, public_payload, publicly_visible
from registry.extensions import db


def _public_of_subject(subject_id: int, today: date) -> list[Disclosure]:
    return list(db.session.scalars(
        sa.select(Disclosure).where(Disclosure.subject_id == subject_id, publicly_visible(today))
        .order_by(Disclosure.decision_date.desc(), Disclosure.id.desc())
    ).unique())


def _summary(disclosure: Disclosure) -> RecordSummary:
    return RecordSummary(f"{RECORD_TYPE}:{disclosure.id}", str(KIND_LABELS[disclosure.kind]),
                         disclosure.decision_number, disclosure.party_name, str(STATUS_LABELS[disclosure.status]),
                         disclosure.decision_date)


register_target(TargetKind(
    record_type=RECORD_TYPE, model=Disclosure, order=20,
    is_public=is_publicly_visible,
    public_of_subject=_public_of_subject, summary=_summary, public_payload=public_payload,
))
