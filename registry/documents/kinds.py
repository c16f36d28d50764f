"""The kinds of notice the registry issues, and how a package adds one.

A notice kind says how to turn a record into the facts a notice states and how to print them;
``registry.documents.operations`` does the rest (numbering, the verification code, storing the
issued document, idempotence, regeneration, ``/verify``).  To add a kind (objection decision
异议处理答复书, repair decision 信用修复决定书, case notice 联合奖惩案例通报, monthly reports …),
the domain package that owns the record writes it in its own ``documents.py`` (``create_app``
imports that module of every package at start), which calls::

    register_notice_kind(NoticeKind(
        name="repair_decision",            # URL and database key
        title="信用修复决定书",              # printed title (documents are issued in Chinese)
        label=_l("Credit repair decision"), # what the pages call it
        number_code="信修决",               # → 湘交信修决〔2026〕第0001号 (the issuer's prefix 湘交 first)
        record_type="repair",              # what IssuedDocument.record_type stores
        load=lambda document: db.session.get(RepairApplication, document.record_id),
        record_ref=lambda record: RecordRef(record_id=record.id, subject_id=..., unit_id=record.unit_id),
        content=repair_content,            # record -> dict of JSON values: the facts the notice states
        render=render_repair,              # (content, meta, styles) -> list of platypus flowables
        issuing_unit=lambda content: content["issuing_unit"],
        key_facts=repair_facts,            # content -> [(label, value)] shown on /verify (public!)
        can_issue=lambda record: record.status in DECIDED,  # None = always
        describe_change=...,               # optional: (record or None) -> message for /verify
        decision=DecisionIssue(at=..., records=...),  # a decision notice: see below
    ))

Then ``operations.document_pdf("repair_decision", record, actor=user)`` returns ``(bytes,
IssuedDocument)``: the existing document when the content is unchanged, a new one otherwise.

Who issues: every content carries ``issuer`` (``printing.issuer(unit)``: the unit's issuing
settings), and the document speaks for that one authority throughout: the letterhead and the
signature print its name, the number starts with its prefix (湘交 for the department, 长交 for
长沙市交通运输局 …: ``湘交`` + ``信修决`` → 湘交信修决〔2026〕第0001号, numbered per prefix and year),
the seal and the remedies clause are its settings, and ``/verify`` names it.

A *decision notice* (``decision``: 列入名单决定书, 联合奖惩案例通报, 异议处理答复书, 信用修复决定书) is
issued when its record is decided, by the operation that decides (``operations.issue_decision_notice``),
dated at the decision (``decision.at``) and stored with the content as it was decided
(``decision.content``): one per record, enforced by the database, and every later download returns
it, whatever changed since (``/verify`` says what did).  ``flask documents issue-missing`` issues it
for records decided before notices were issued at the decision.
Serve it from your own view after your own access check (e.g. the applicant's access code), or
let officers use ``/officer/documents/<kind>/<record_id>.pdf`` (checks ``ensure_can_see`` on the
record; set ``officer_download=False`` to turn that route off for a kind).

Rules for ``content``: only facts the notice prints, as JSON values (str, int, list, dict, None;
dates as ISO strings); no timestamps of the moment of issue (the document keeps those), so that
the same record gives the same hash; person ID numbers masked (``Subject.public_identifier``).
``render`` must print only what ``content`` holds: regeneration then gives identical bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from registry.core.registry import Registry


@dataclass(frozen=True)
class RecordRef:
    """How an issued document points at its record."""

    record_id: int | None = None
    record_key: str | None = None  # for records without a row of their own (a credit report's identifier)
    subject_id: int | None = None
    unit_id: int | None = None


@dataclass(frozen=True)
class DecisionIssue:
    """How a decision notice is issued at its record's decision."""

    at: Callable  # (record) -> the aware datetime of the decision, or None while it is not decided
    records: Callable  # () -> a Select of the kind's records that have been decided (for issue-missing)
    content: Callable | None = None  # (record) -> the content as decided; default: the kind's content


@dataclass(frozen=True)
class NoticeKind:
    name: str
    title: str
    label: object
    number_code: str  # the kind's part of the number, after the issuer's prefix: 信列决, 信报 …
    record_type: str
    load: Callable  # (IssuedDocument) -> the record today, or None when it is gone
    record_ref: Callable  # (record) -> RecordRef
    content: Callable  # (record) -> dict
    render: Callable  # (content, DocumentMeta, styles) -> list[Flowable]
    issuing_unit: Callable  # (content) -> str
    key_facts: Callable  # (content) -> list[tuple[label, str]]
    can_issue: Callable | None = None  # (record) -> bool; None: any state may be issued
    describe_change: Callable | None = None  # (record | None) -> message | None, for /verify
    recompute: Callable | None = None  # (record, stored content) -> dict; default: content(record)
    officer_download: bool = True
    daily: bool = False  # a report "as of" a day: unchanged content is reissued once per day
    landscape: bool = False  # printed on landscape A4 (wide tables)
    decision: DecisionIssue | None = None  # a decision notice: issued at the decision, one per record
    extras: dict = field(default_factory=dict)


NOTICE_KINDS: Registry[NoticeKind] = Registry("notice kind")



def register_notice_kind(kind: NoticeKind) -> NoticeKind:
    """Make ``kind`` known to issuing, regeneration, verification and the officer download."""
    return NOTICE_KINDS.add(kind)


def get_kind(name: str) -> NoticeKind | None:
    return NOTICE_KINDS.get(name)
