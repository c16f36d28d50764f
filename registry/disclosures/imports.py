"""Bulk import of disclosures from the officers' template (PRODUCT §4): all rows valid, or nothing.

Every row is checked (cell types, the same rules as the form, decision numbers unique in the
file and in the unit) before anything is written; a single problem refuses the whole file with
the full report.  A valid file becomes drafts (or submitted items) in one transaction, written
set-wise: subjects are looked up in one query per thousand identifiers and the missing ones
inserted together, the disclosures inserted together, and their audit events appended together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event, record_events
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.identifiers import region_code
from registry.core.permissions import can_edit_unit
from registry.core.tabular import (
    Column,
    RowError,
    choice_parser,
    parse_date,
    parse_decimal,
    parse_rows,
    read_table,
)
from registry.disclosures import queries, validation
from registry.disclosures.models import (
    KIND_CN,
    LICENCE_TYPE_CN,
    PARTY_CATEGORY_CN,
    PENALTY_TYPE_CN,
    SEVERITY_CN,
    Disclosure,
    DisclosureStatus,
)
from registry.disclosures.validation import DisclosureData
from registry.extensions import db
from registry.subjects.models import Subject

_CHUNK = 1000


def _original():
    """SQL: the disclosure is an original (not a correction), phrased so that a unit's decision
    numbers are looked up through their partial unique index.

    Nearly every row is an original, but SQLite's statistics for ``ix_disclosures_corrects_id``
    read "few rows per value", so for a long ``IN`` list it would walk that index over the whole
    table (0.4 s per thousand numbers at a million disclosures).  ``likelihood`` tells it the
    truth; the partial index (``WHERE corrects_id IS NULL``) still matches.
    """
    condition = Disclosure.corrects_id.is_(None)
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.likelihood(condition, sa.literal_column("0.99"))
    return condition


def _inverse(mapping: dict) -> dict:
    return {text: value for value, text in mapping.items()}


COLUMNS: tuple[Column, ...] = (
    Column("类别", "kind", choice_parser(_inverse(KIND_CN)), True, "行政处罚"),
    Column("行政相对人名称", "party_name", required=True, example="湖南某某运输有限公司"),
    Column("行政相对人类别", "party_category", choice_parser(_inverse(PARTY_CATEGORY_CN)), True, "法人及非法人组织"),
    Column("统一社会信用代码或身份证号码", "party_identifier", required=True, example="91430100MA0001001X",
           text_format=True),
    Column("法定代表人", "legal_representative", example="张三"),
    Column("决定书文号", "decision_number", required=True, example="湘交执罚〔2026〕1号"),
    Column("违法行为类型", "violation_type", example="未按规定进行车辆技术检验"),
    Column("违法事实", "violation_facts", example="……"),
    Column("处罚依据", "legal_basis", example="《中华人民共和国道路运输条例》第七十条"),
    Column("处罚类别", "penalty_type", choice_parser(_inverse(PENALTY_TYPE_CN)), example="罚款"),
    Column("处罚内容", "penalty_content", example="罚款人民币五千元"),
    Column("罚款金额（万元）", "fine_amount", parse_decimal, example="0.5"),
    Column("违法情节", "severity", choice_parser(_inverse(SEVERITY_CN)), example="一般"),
    Column("许可类别", "licence_type", choice_parser(_inverse(LICENCE_TYPE_CN))),
    Column("许可证书编号", "licence_number", text_format=True),
    Column("许可内容", "licence_content"),
    Column("有效期自", "licence_valid_from", parse_date),
    Column("有效期至", "licence_valid_to", parse_date),
    Column("决定日期", "decision_date", parse_date, True, "2026-09-30"),
    Column("决定机关", "authority_name", required=True, example="湖南省交通运输厅"),
    Column("决定机关统一社会信用代码", "authority_uscc", required=True, example="11430000006142384X",
           text_format=True),
    Column("数据来源单位", "source_unit_name", required=True, example="湖南省交通运输厅运输处"),
)
HEADER_OF = {column.key: column.header for column in COLUMNS}


class ImportRefused(ValidationFailed):
    """At least one row is bad: nothing was imported; ``errors`` lists every problem."""

    def __init__(self, errors: Sequence[RowError]):
        rows = len({error.row for error in errors})
        super().__init__(
            _l("Nothing was imported: %(n)d problem(s) in %(rows)d row(s). Correct them and upload the file again.",
               n=len(errors), rows=rows),
            field="file",
        )
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportResult:
    count: int
    submitted: bool
    new_subjects: int
    ids: list[int]


def import_disclosures(data: bytes, filename: str, *, unit_id: int, actor, submit: bool = False,
                       max_bytes: int | None = None) -> ImportResult:
    """Check the whole file, then create one draft (or submitted item) per row, or refuse it all."""
    if not can_edit_unit(actor, unit_id):
        raise PermissionDenied()
    options = {"max_bytes": max_bytes} if max_bytes else {}
    table = read_table(data, filename, COLUMNS, **options)
    parsed = parse_rows(table, COLUMNS)
    today = clock.today()
    records: list[tuple[int, DisclosureData]] = []
    for number, values in parsed.rows:
        clean, problems = validation.check(DisclosureData(**values), today)
        failed_cells = {error.column for error in parsed.errors if error.row == number}
        for field, message in problems:
            if HEADER_OF[field] not in failed_cells:  # a cell that did not parse is reported once
                parsed.add_error(number, HEADER_OF[field], message)
        records.append((number, clean))
    _check_numbers(records, unit_id, parsed)
    if parsed.errors:
        raise ImportRefused(sorted(parsed.errors, key=lambda error: (error.row, list(HEADER_OF.values()).index(
            error.column) if error.column in HEADER_OF.values() else 0)))
    return _write(records, unit_id=unit_id, actor=actor, submit=submit,
                  digest=hashlib.sha256(data).hexdigest(), filename=filename)


def _check_numbers(records, unit_id: int, parsed) -> None:
    column = HEADER_OF["decision_number"]
    first_row: dict[str, int] = {}
    for number, data in records:
        if not data.decision_number:
            continue
        if data.decision_number in first_row:
            parsed.add_error(number, column, _l("This decision number is also in row %(row)d of the file.",
                                                row=first_row[data.decision_number]))
        else:
            first_row[data.decision_number] = number
    numbers = list(first_row)
    existing: set[str] = set()
    for start in range(0, len(numbers), _CHUNK):
        existing.update(db.session.scalars(sa.select(Disclosure.decision_number).where(
            Disclosure.unit_id == unit_id, _original(), Disclosure.decision_number.in_(numbers[start:start + _CHUNK]),
        )))
    for number, data in records:
        if data.decision_number in existing:
            parsed.add_error(number, column, _l("Your unit already recorded a disclosure with this decision number."))


def _ids_by(key_column, id_column, keys: list, *criteria) -> dict:
    """``{key: id}`` for rows whose ``key_column`` is in ``keys``, a thousand keys per query."""
    found: dict = {}
    for start in range(0, len(keys), _CHUNK):
        found.update(db.session.execute(
            sa.select(key_column, id_column).where(key_column.in_(keys[start:start + _CHUNK]), *criteria)
        ).tuples().all())
    return found


def _subject_ids(records, actor) -> tuple[dict[str, int], int]:
    """Subject id per identifier: the registered ones in one query per chunk, the others inserted."""
    wanted: dict[str, DisclosureData] = {}
    for _number, data in records:
        wanted.setdefault(data.party_identifier, data)
    identifiers = list(wanted)
    ids: dict[str, int] = _ids_by(Subject.identifier, Subject.id, identifiers)
    missing = [wanted[identifier] for identifier in identifiers if identifier not in ids]
    if missing:
        now = clock.utcnow()
        rows = [{
            "kind": data.party_category.subject_kind, "identifier": data.party_identifier, "name": data.party_name,
            "legal_representative": data.legal_representative,
            "region_code": region_code(data.party_category.subject_kind, data.party_identifier),
            "created_at": now, "updated_at": now,
        } for data in missing]
        db.session.execute(sa.insert(Subject.__table__), rows)
        created_ids = _ids_by(Subject.identifier, Subject.id, [data.party_identifier for data in missing])
        ids.update(created_ids)
        record_events([
            {"action": "subject.create", "actor": actor, "object_type": "subjects", "object_id": subject_id,
             "details": {"kind": wanted[identifier].party_category.subject_kind.value, "via": "disclosure import"}}
            for identifier, subject_id in created_ids.items()
        ])
    return ids, len(missing)


def _write(records, *, unit_id: int, actor, submit: bool, digest: str, filename: str) -> ImportResult:
    subject_ids, new_subjects = _subject_ids(records, actor)
    now = clock.utcnow()
    status = DisclosureStatus.PENDING_REVIEW if submit else DisclosureStatus.DRAFT
    deadlines: dict[tuple[date, object], date | None] = {}
    rows = []
    for _number, data in records:
        key = (data.decision_date, data.severity)
        if key not in deadlines:
            deadlines[key] = queries.publication_deadline(*key)
        rows.append({
            **data.as_dict(), "unit_id": unit_id, "subject_id": subject_ids[data.party_identifier],
            "status": status, "version": 1, "created_at": now, "created_by_id": actor.id,
            "submitted_at": now if submit else None, "submitted_by_id": actor.id if submit else None,
            "publication_deadline": deadlines[key],
        })
    db.session.execute(sa.insert(Disclosure.__table__), rows)
    # Decision numbers are unique among a unit's originals: they find the new rows' ids.
    by_number = _ids_by(Disclosure.decision_number, Disclosure.id, [row["decision_number"] for row in rows],
                        Disclosure.unit_id == unit_id, _original())
    ids = [by_number[row["decision_number"]] for row in rows]
    record_events([
        {"action": "disclosure.import", "actor": actor, "object_type": Disclosure.__audit_type__, "object_id": new_id,
         "unit_id": unit_id, "to_state": status.value}
        for new_id in ids
    ])
    record_event("disclosure.import_file", actor=actor, object_type="disclosure_import", unit_id=unit_id,
                 details={"count": len(ids), "submitted": submit, "new_subjects": new_subjects,
                          "file": filename[:200], "sha256": digest, "first_id": ids[0], "last_id": ids[-1]})
    return ImportResult(count=len(ids), submitted=submit, new_subjects=new_subjects, ids=ids)
