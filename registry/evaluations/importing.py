"""All-or-nothing import of evaluation results from CSV or XLSX (the disclosures' mechanism).

Every row is checked (identifier, field, year, grade on the field's scale, score, dates, and no
second result for the same subject, field and year, in the file or already recorded); any error
and nothing is stored, and the officer gets the whole list of problems.  A clean file becomes
results submitted for review by the importing officer: a reviewer still publishes each one.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event
from registry.core.editors import note_editors
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.identifiers import InvalidIdentifier, SubjectKind, parse_identifier
from registry.core.permissions import can_edit_unit
from registry.core.tabular import Column, RowError, parse_date, parse_rows, read_table
from registry.evaluations.models import CreditEvaluation, EvaluationStatus
from registry.evaluations.operations import validated_values
from registry.extensions import db
from registry.subjects.models import Subject
from registry.subjects.operations import create_subject


def parse_yes_no(text: str) -> bool:
    """是/否 (also yes/no, 1/0, empty for no): whether the grade was directly determined."""
    value = (text or "").strip().lower()
    if value in ("", "否", "no", "n", "0", "false"):
        return False
    if value in ("是", "yes", "y", "1", "true"):
        return True
    raise ValueError(_l("Enter 是 or 否."))


COLUMNS = [
    Column("统一社会信用代码或身份证号", "identifier", required=True, example="91430100MA4L0XXXXX", text_format=True),
    Column("主体名称", "name", required=True, example="湖南某某路桥建设有限公司"),
    Column("评价领域", "field", required=True, example="公路建设"),
    Column("评价年度", "year", required=True, example="2025"),
    Column("信用等级", "grade", required=True, example="AA"),
    Column("评价得分", "score", required=True, example="96.5"),
    Column("评价单位", "evaluating_unit", required=True, example="湖南省交通运输厅"),
    Column("公布日期", "published_on", parse=parse_date, required=True, example="2026-03-31"),
    Column("公布文号", "document_number", example="湘交基建〔2026〕12号"),
    Column("直接认定", "directly_determined", parse=parse_yes_no, example="否", may_be_absent=True),
    Column("直接认定理由", "direct_reason", example="", may_be_absent=True),
]
_HEADERS = {column.key: column.header for column in COLUMNS}
_FIELD_TO_COLUMN = {"field": "field", "year": "year", "grade": "grade", "score": "score",
                    "evaluating_unit": "evaluating_unit", "published_on": "published_on",
                    "document_number": "document_number", "directly_determined": "directly_determined",
                    "direct_reason": "direct_reason"}


class ImportRejected(ValidationFailed):
    """The file has errors; ``errors`` lists each (row, column, message).  Nothing was stored."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_l("The file was not imported: %(n)d problems were found. Fix them and upload it again.",
                            n=len(errors)), field="file")
        self.errors = errors


@dataclass
class ImportResult:
    created: int
    new_subjects: int


def import_evaluations(data: bytes, filename: str, *, actor) -> ImportResult:
    """Check every row, then store all of them (submitted for review) or none."""
    if not can_edit_unit(actor, actor.unit_id):
        raise PermissionDenied(_l("Only clerks and reviewers of a unit can import evaluations."))
    table = read_table(data, filename, COLUMNS)
    parsed = parse_rows(table, COLUMNS)
    checked: list[tuple[int, dict, object, str]] = []
    seen: dict[tuple[str, str, int], int] = {}
    for number, cells in parsed.rows:
        if any(error.row == number for error in parsed.errors):
            continue
        try:
            reading = _reading(cells["identifier"])
        except InvalidIdentifier as error:
            parsed.add_error(number, _HEADERS["identifier"], error.message)
            continue
        try:
            values = validated_values(**{key: cells[key] for key in _FIELD_TO_COLUMN})
        except ValidationFailed as error:
            parsed.add_error(number, _HEADERS.get(error.field or "", _HEADERS["grade"]), error.message)
            continue
        if len(cells["name"] or "") > 200:
            parsed.add_error(number, _HEADERS["name"], _l("The name may have at most 200 characters."))
            continue
        key = (reading.value, values["field"].value, values["year"])
        if key in seen:
            parsed.add_error(number, _HEADERS["year"],
                             _l("Same subject, field and year as row %(row)d.", row=seen[key]))
            continue
        seen[key] = number
        checked.append((number, values, reading, cells["name"]))
    subjects = _existing_subjects([reading.value for _n, _v, reading, _name in checked])
    _check_already_recorded(checked, subjects, parsed)
    if parsed.errors:
        raise ImportRejected(sorted(parsed.errors, key=lambda e: (e.row, e.column)))
    return _store(checked, subjects, actor)


def _reading(text: str):
    readings = [r for r in parse_identifier(text) if r.kind is not SubjectKind.VEHICLE]
    if not readings:
        raise InvalidIdentifier(_l("Enter a unified social credit code or a resident ID number, not a plate."))
    return readings[-1] if len(readings) > 1 else readings[0]  # organisation reading wins for a firm's code


def _existing_subjects(identifiers: list[str]) -> dict[str, Subject]:
    found: dict[str, Subject] = {}
    unique = sorted(set(identifiers))
    for start in range(0, len(unique), 500):
        for subject in db.session.scalars(sa.select(Subject).where(Subject.identifier.in_(unique[start:start + 500]))):
            found[subject.identifier] = subject
    return found


def _check_already_recorded(checked, subjects: dict[str, Subject], parsed) -> None:
    subject_ids = sorted({s.id for s in subjects.values()})
    existing: set[tuple[int, str, int]] = set()
    for start in range(0, len(subject_ids), 500):
        existing.update(
            (row.subject_id, row.field.value, row.year)
            for row in db.session.execute(
                sa.select(CreditEvaluation.subject_id, CreditEvaluation.field, CreditEvaluation.year)
                .where(CreditEvaluation.subject_id.in_(subject_ids[start:start + 500]),
                       CreditEvaluation.status != EvaluationStatus.WITHDRAWN)
            )
        )
    for number, values, reading, _name in checked:
        subject = subjects.get(reading.value)
        if subject is not None and (subject.id, values["field"].value, values["year"]) in existing:
            parsed.add_error(number, _HEADERS["year"],
                             _l("This subject already has an evaluation for this field and year."))


def _store(checked, subjects: dict[str, Subject], actor) -> ImportResult:
    now = clock.utcnow()
    new_subjects = 0
    records = []
    for _number, values, reading, name in checked:
        subject = subjects.get(reading.value)
        if subject is None:
            subject = create_subject(kind=reading.kind, identifier=reading.value, name=name, actor=actor)
            subjects[reading.value] = subject
            new_subjects += 1
        records.append(CreditEvaluation(
            **values, subject_id=subject.id, unit_id=actor.unit_id, created_by_id=actor.id, created_at=now,
            status=EvaluationStatus.PENDING_REVIEW, submitted_by_id=actor.id, submitted_at=now,
        ))
    db.session.add_all(records)
    db.session.flush()
    note_editors(CreditEvaluation.__audit_type__, [(record.id, actor.id) for record in records])
    for record in records:
        record_event("credit_evaluation.import", actor=actor, obj=record, to_state=EvaluationStatus.PENDING_REVIEW,
                     details={"subject_id": record.subject_id, "field": record.field.value, "year": record.year,
                              "grade": record.grade})
    return ImportResult(created=len(records), new_subjects=new_subjects)
