"""The subject credit report's content, from the one public read model (PRODUCT §10).

The report says what the public subject page shows: both read the subject's
``records.public_records`` (list entries, disclosures, evaluations, cases), the page through its
sections' ``public`` readers, the report through the sections the domains register with
``documents.report.register_report_section``.  ``documents`` numbers, stores, renders and
verifies it like any notice.

A report is issued once per identifier and content: asking again while nothing has changed gives
the document already issued, with its number (湘交信报〔2026〕第0001号), whatever the day; a change
of the public records gives a new one.  Anyone may ask, for a registered subject or any valid
identifier; with nothing on record the report certifies exactly that.  An organisation or a
vehicle is named whenever it is registered; a person only when a public record names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.identifiers import (
    HUNAN_CITIES,
    InvalidIdentifier,
    SubjectKind,
    parse_identifier,
    public_identifier,
    region_code,
)
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.operations import document_pdf
from registry.documents.printing import issuer, issuing_name
from registry.documents.report import (
    KIND_NAME,
    RECORD_TYPE,
    REPORT_SECTIONS,
    describe_report_change,
    render_report,
    report_facts,
)
from registry.readmodel.records import PublicRecords, name_is_public, public_records
from registry.subjects.models import Subject
from registry.subjects.operations import find_stored, get_by_identifier


@dataclass(frozen=True)
class ReportTarget:
    """Whom a report is about: an identifier, and the subject registered under it if any."""

    kind: SubjectKind
    identifier: str
    subject: Subject | None


def resolve_target(identifier_or_subject) -> ReportTarget:
    """The target of a report; raises ``InvalidIdentifier`` for text that is no valid identifier."""
    if isinstance(identifier_or_subject, Subject):
        subject = identifier_or_subject
        return ReportTarget(SubjectKind(subject.kind), subject.identifier, subject)
    try:
        readings = parse_identifier(str(identifier_or_subject))
    except InvalidIdentifier:
        stored = find_stored([str(identifier_or_subject)]).get(str(identifier_or_subject))
        if stored is None:
            raise
        return ReportTarget(SubjectKind(stored.kind), stored.identifier, stored)  # as stored, under correction
    for reading in readings:
        subject = get_by_identifier(reading.kind, reading.value)
        if subject is not None:
            return ReportTarget(reading.kind, reading.value, subject)
    return ReportTarget(readings[0].kind, readings[0].value, None)


def records_of(subject: Subject | None) -> PublicRecords:
    """The subject's public records today (none for an identifier nobody is registered under)."""
    if subject is None:
        return PublicRecords()
    return public_records([subject.id], clock.today(), subjects={subject.id: subject})[subject.id]


def report_content(target: ReportTarget, only: list[str] | None = None, records: PublicRecords | None = None) -> dict:
    """The public facts about the target today, section by section (``only``: those sections)."""
    records = records if records is not None else records_of(target.subject)
    sections = {section.name: section.rows(records) for section in REPORT_SECTIONS.ordered()
                if only is None or section.name in only}
    named = target.subject is not None and name_is_public(target.subject, records)
    region = HUNAN_CITIES.get((region_code(target.kind, target.identifier) or "")[:4])
    return {
        "identifier": public_identifier(target.kind, target.identifier),
        "identifier_kind": target.kind.value,
        "name": target.subject.name if named else None,
        "region": region,
        "sections": sections,
        "issuer": issuer(),
    }


def recompute(target: ReportTarget, stored: dict) -> dict:
    """The content today, in the sections and the row order of ``stored``: a report issued while
    its sections listed rows oldest first is not "changed" by today's newest-first order."""
    current = report_content(target, only=list(stored["sections"]))
    for name, rows in current["sections"].items():
        order = {row.get("id"): index for index, row in enumerate(stored["sections"].get(name, []))}
        if set(order) == {row.get("id") for row in rows}:
            rows.sort(key=lambda row: order[row.get("id")])
    return current


def _load(document) -> ReportTarget:
    kind = SubjectKind(document.content["identifier_kind"])
    return ReportTarget(kind, document.record_key, get_by_identifier(kind, document.record_key))


def _record_ref(target: ReportTarget) -> RecordRef:
    return RecordRef(record_key=target.identifier, subject_id=target.subject.id if target.subject else None)


CREDIT_REPORT = register_notice_kind(NoticeKind(
    name=KIND_NAME,
    title="信用报告",
    label=_l("Credit report"),
    number_code="信报",
    record_type=RECORD_TYPE,
    load=_load,
    record_ref=_record_ref,
    content=report_content,
    render=render_report,
    issuing_unit=issuing_name,
    key_facts=report_facts,
    describe_change=describe_report_change,
    recompute=recompute,
    officer_download=False,
))


def credit_report_pdf(identifier_or_subject, *, actor=None):
    """The credit report of a subject or identifier: ``(pdf bytes, IssuedDocument)``, the document
    already issued for the same content or a new one.

    Raises ``InvalidIdentifier`` for text that is no valid identifier.  The caller commits.
    """
    return document_pdf(KIND_NAME, resolve_target(identifier_or_subject), actor=actor)
