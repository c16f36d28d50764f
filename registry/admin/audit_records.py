"""The records audit events are about, as people know them.

An event stores its record's type and id; people ask by the record's official number (a list
entry's or a disclosure's 决定书文号, an evaluation's 公布文号, an application's receipt number)
or by its party (the subject's identifier or name).  ``numbers_of`` names the records of a page of
events in one query per kind; ``matching_number`` and ``of_parties`` turn the questions into the
(type, ids) pairs the log is filtered by, each bounded so that a vague question stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from registry.cases.models import Case
from registry.commitments.models import CreditCommitment
from registry.core.identifiers import InvalidIdentifier, parse_identifier
from registry.disclosures.models import Disclosure
from registry.evaluations.models import CreditEvaluation
from registry.extensions import db
from registry.listing.models import ListEntry
from registry.objections.models import Objection
from registry.repairs.models import RepairApplication
from registry.subjects.models import Subject

# A question that matches more than this many records or parties is narrowed to the first ones.
MAX_RECORDS = 500
MAX_PARTIES = 50


@dataclass(frozen=True)
class Numbered:
    """A kind of record: its model, the column people know it by, the column of its party."""

    model: type
    number: sa.orm.InstrumentedAttribute | None
    subject: sa.orm.InstrumentedAttribute | sa.ColumnElement | None


def _kinds() -> dict[str, Numbered]:
    return {
        "list_entry": Numbered(ListEntry, ListEntry.decision_number, ListEntry.subject_id),
        "disclosure": Numbered(Disclosure, Disclosure.decision_number, Disclosure.subject_id),
        "credit_evaluation": Numbered(CreditEvaluation, CreditEvaluation.document_number,
                                      CreditEvaluation.subject_id),
        "objection": Numbered(Objection, Objection.receipt_number, Objection.subject_id),
        "repair": Numbered(RepairApplication, RepairApplication.receipt_number, RepairApplication.subject_id),
        "credit_commitment": Numbered(CreditCommitment, None, CreditCommitment.subject_id),
        "case": Numbered(Case, None, None),
        "subjects": Numbered(Subject, Subject.name, Subject.id),
    }


def numbers_of(events) -> dict[tuple[str, int], str]:
    """{(type, id): number} of the events' records that have a number (one query per kind)."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_id is not None and event.object_type in KINDS and KINDS[event.object_type].number is not None:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found = {}
    for object_type, ids in wanted.items():
        kind = KINDS[object_type]
        rows = db.session.execute(sa.select(kind.model.id, kind.number).where(kind.model.id.in_(ids))).all()
        found.update({(object_type, row_id): number for row_id, number in rows if number})
    return found


def matching_number(text: str) -> dict[str, list[int]]:
    """{type: ids} of the records whose official number is ``text`` (spaces around ignored)."""
    found = {}
    for object_type, kind in KINDS.items():
        if kind.number is None or object_type == "subjects":
            continue
        ids = db.session.scalars(sa.select(kind.model.id).where(kind.number == text.strip()).limit(MAX_RECORDS)).all()
        if ids:
            found[object_type] = list(ids)
    return found


def parties(text: str) -> list[int]:
    """The subjects ``text`` names: by identifier when it reads as one, else by (part of) the name."""
    text = text.strip()
    try:
        readings = parse_identifier(text)
    except InvalidIdentifier:
        readings = []
    if readings:
        identifiers = [reading.value for reading in readings]
        return list(db.session.scalars(sa.select(Subject.id).where(Subject.identifier.in_(identifiers))))
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = sa.select(Subject.id).where(Subject.name.like(pattern, escape="\\")).order_by(Subject.id)
    return list(db.session.scalars(statement.limit(MAX_PARTIES)))


def of_parties(subject_ids: list[int]) -> dict[str, list[int]]:
    """{type: ids} of the subjects and of every record about them (a case through its entry)."""
    if not subject_ids:
        return {}
    found = {"subjects": list(subject_ids)}
    for object_type, kind in KINDS.items():
        if kind.subject is None or object_type == "subjects":
            continue
        statement = sa.select(kind.model.id).where(kind.subject.in_(subject_ids))
        found[object_type] = list(db.session.scalars(statement.limit(MAX_RECORDS)))
    cases = (sa.select(Case.id).join(ListEntry, ListEntry.id == Case.entry_id)
             .where(ListEntry.subject_id.in_(subject_ids)))
    found["case"] = list(db.session.scalars(cases.limit(MAX_RECORDS)))
    return {object_type: ids for object_type, ids in found.items() if ids}


KINDS = _kinds()
