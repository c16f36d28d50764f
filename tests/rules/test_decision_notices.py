"""A decision notice is issued when the decision is taken, and never rewritten.

The issue's own example is the expected value: an entry approved on 2026-10-09 (publicity
2026-10-09 to 2026-10-15, five working days after the National Day holiday, the 10th being a
working Saturday) gets a notice dated 2026年10月9日, whatever day it is downloaded.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from registry.core import clock
from registry.core.audit import AuditEvent
from registry.documents import operations as documents
from registry.documents.backfill import issue_missing
from registry.documents.models import IssuedDocument
from registry.extensions import db
from registry.listing import operations as listing_ops
from registry.objections import operations as objection_ops
from registry.repairs import operations as repair_ops
from tests.conftest import count

APPROVED = date(2026, 10, 9)
DOWNLOADED = date(2026, 12, 8)


def text_of(data: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _documents(kind: str, record_id: int) -> list[IssuedDocument]:
    return list(db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.kind == kind,
                                                                   IssuedDocument.record_id == record_id)))


def test_the_approval_issues_the_notice_dated_that_day_and_a_later_download_returns_it(make, frozen):
    entry = make.entry("pending_review", unit="JJC")
    with frozen(APPROVED):
        listing_ops.approve_entry(entry, make.user("reviewer", unit="JJC"), entry.version)
        (issued,) = _documents("list_entry", entry.id)  # issued with the approval, not on a download
    assert clock.local(issued.issued_at).date() == APPROVED and issued.number == "湘交信列决〔2026〕第0001号"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "document.issue"))
    assert event.object_id == issued.id
    with frozen(DOWNLOADED):
        listing_ops.publish_due_entries(DOWNLOADED)  # published meanwhile: the decision is the same
        data, downloaded = make.issued("list_entry", entry, actor=make.user("clerk", unit="JJC"))
    assert downloaded.id == issued.id and count(IssuedDocument) == 1
    text = text_of(data)
    assert "2026年10月9日" in text and "2026年12月8日" not in text
    assert "在公示期内（2026年10月9日至2026年10月15日）" in text


def test_a_later_change_of_the_record_never_rewrites_or_redates_the_notice(make, frozen, client):
    entry = make.entry("pending_review", unit="JJC")
    with frozen(APPROVED):
        listing_ops.approve_entry(entry, make.user("reviewer", unit="JJC"), entry.version)
    first = _documents("list_entry", entry.id)[0]
    first_pdf = documents.render_document(first)
    entry.category.validity_months = 24
    db.session.flush()
    with frozen(DOWNLOADED):
        data, again = make.issued("list_entry", entry)
        html = client.get(f"/verify/{first.verification_code}?lang=en").get_data(as_text=True)
    assert again.id == first.id and data == first_pdf
    assert "has changed since this document was issued" in html


def test_an_objection_decision_is_issued_when_it_is_confirmed(make, frozen):
    entry = make.entry("published")
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    with frozen(APPROVED):
        objection, _code = make.objection(entry)
        objection_ops.accept(objection, clerk, objection.version)
        objection_ops.prepare_decision(objection, clerk, objection.version, "dismissed", "异议不成立。")
        assert _documents("objection_decision", objection.id) == []  # prepared is not decided
    confirmed = APPROVED + timedelta(days=3)
    with frozen(confirmed):
        objection_ops.confirm(objection, reviewer, objection.version)
    (notice,) = _documents("objection_decision", objection.id)
    assert clock.local(notice.issued_at).date() == confirmed
    with frozen(DOWNLOADED):
        assert make.issued("objection_decision", objection)[1].id == notice.id
    assert "2026年10月12日" in text_of(documents.render_document(notice))


def test_a_rejection_as_inadmissible_is_issued_when_it_is_confirmed(make, frozen):
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    with frozen(APPROVED):
        objection, _code = make.objection(make.entry("published"))
        objection_ops.reject(objection, clerk, objection.version, "不属于异议受理范围。")
        assert _documents("objection_decision", objection.id) == []
        objection_ops.confirm_rejection(objection, reviewer, objection.version)
    (notice,) = _documents("objection_decision", objection.id)
    assert clock.local(notice.issued_at).date() == APPROVED and "不予受理" in text_of(documents.render_document(notice))


def test_a_repair_decision_is_issued_when_it_is_confirmed(make, frozen):
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    with frozen(APPROVED):
        application, _code = make.repair(make.repairable_entry())
        repair_ops.accept(application, clerk, application.version)
        repair_ops.prepare_decision(application, clerk, application.version, "approved", "整改到位。")
        repair_ops.confirm(application, reviewer, application.version)
    (notice,) = _documents("repair_decision", application.id)
    assert clock.local(notice.issued_at).date() == APPROVED


def test_a_case_notice_is_issued_at_publication(make, frozen):
    from registry.cases import operations as case_ops

    with frozen(APPROVED):
        case = make.case("pending_review")
        case_ops.approve_case(case, make.user("reviewer"), case.version)
    (notice,) = _documents("case", case.id)
    assert clock.local(notice.issued_at).date() == APPROVED
    with frozen(DOWNLOADED):
        case_ops.set_typical(case, make.user("admin", unit="FGC"), case.version, True)
        assert make.issued("case", case)[1].id == notice.id  # marked typical later: the notice stands


# --- existing databases -------------------------------------------------------------------------


def _legacy(make, frozen, approved: date, downloaded: date | None):
    """An entry approved on ``approved`` before notices were issued at the decision, its notice
    (if any) issued on its first download on ``downloaded``, numbered and keyed as it was then."""
    with frozen(approved):
        entry = make.entry("in_publicity")
    if downloaded is None:
        return entry, None
    kind = documents._kind("list_entry")
    content = kind.content(entry)
    key = documents.content_key(kind, kind.record_ref(entry), documents.content_hash(content))
    with frozen(downloaded):
        legacy = documents._issue(kind, kind.record_ref(entry), content, key, None, clock.utcnow())
    return entry, legacy


def test_issue_missing_issues_each_decided_records_notice_dated_at_its_decision(make, frozen):
    never, _ = _legacy(make, frozen, date(2025, 12, 30), None)
    late, late_notice = _legacy(make, frozen, date(2026, 10, 9), date(2026, 12, 8))
    same_day, same_day_notice = _legacy(make, frozen, date(2026, 11, 2), date(2026, 11, 2))
    make.entry("pending_review")  # not decided: no notice
    with frozen(DOWNLOADED):
        result = issue_missing()
    assert result.issued["list_entry"] == 3 and result.present["list_entry"] == 0
    by_entry = {entry.id: _documents("list_entry", entry.id) for entry in (never, late, same_day)}
    (backfilled,) = by_entry[never.id]
    assert clock.local(backfilled.issued_at).date() == date(2025, 12, 30) and backfilled.year == 2025
    assert backfilled.number == "湘交信列决〔2025〕第0001号"
    assert len(by_entry[late.id]) == 2  # the late one stays verifiable; the decision's is new
    decision = next(document for document in by_entry[late.id] if document.id != late_notice.id)
    assert clock.local(decision.issued_at).date() == date(2026, 10, 9)
    assert by_entry[same_day.id] == [same_day_notice]  # adopted: no second number for one decision
    with frozen(DOWNLOADED):
        assert make.issued("list_entry", late)[1].id == decision.id
        assert make.issued("list_entry", same_day)[1].id == same_day_notice.id
        again = issue_missing()
    assert again.total == 0 and again.present["list_entry"] == 3
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("document.%"))))
    assert actions.count("document.adopt") == 1 and actions.count("document.issue_missing") == 1


def test_the_command_issues_them_and_a_dry_run_changes_nothing(make, frozen, app):
    entry, _ = _legacy(make, frozen, date(2026, 10, 9), None)
    runner = app.test_cli_runner()
    db.session.commit()  # to the test's outer transaction, which the command's session joins
    before = count(IssuedDocument)
    dry = runner.invoke(args=["documents", "issue-missing", "--dry-run"])
    assert "list_entry: 1 missing" in dry.output and count(IssuedDocument) == before
    done = runner.invoke(args=["documents", "issue-missing"])
    assert done.exit_code == 0 and "1 notices issued" in done.output
    assert len(_documents("list_entry", entry.id)) == 1


# --- one number per document, held by the database ---------------------------------------------


def test_the_database_refuses_a_second_document_for_the_same_decision(make):
    entry = make.entry("in_publicity")
    _data, document = make.issued("list_entry", entry)
    twin = IssuedDocument(kind=document.kind, number="湘交信列决〔2026〕第9999号", prefix=document.prefix,
                          year=document.year, serial=9999, issue_key=document.issue_key,
                          record_type=document.record_type, record_id=document.record_id,
                          content_json=document.content_json, content_hash=document.content_hash,
                          verification_code="Z" * 16, issued_at=document.issued_at)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(twin)
        db.session.flush()


def test_a_concurrent_issuer_of_the_same_report_gets_the_same_number(make):
    """What the second of two simultaneous first downloads meets: the first one's row already holds
    the issue key, so its insert fails and it returns that document (PostgreSQL: see the
    concurrency test with two real connections)."""
    from registry.readmodel import report

    subject = make.entry("published").subject
    target = report.resolve_target(subject)
    kind = documents._kind("credit_report")
    content = kind.content(target)
    key = documents.content_key(kind, kind.record_ref(target), documents.content_hash(content))
    first = documents._insert(kind, kind.record_ref(target), content, documents.content_hash(content), key, None,
                              clock.utcnow())
    second = documents._insert(kind, kind.record_ref(target), content, documents.content_hash(content), key, None,
                               clock.utcnow())
    assert second.id == first.id and count(IssuedDocument) == 1
