"""Notices and credit reports: content, issuing, idempotence, regeneration, access, verification."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from registry.core import clock
from registry.documents import operations
from registry.documents.models import IssuedDocument
from registry.listing.models import EntryStatus, RemovalReason
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories import valid_resident_id, valid_uscc

DAY = date(2026, 6, 1)


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeezed(data: bytes) -> str:
    """The text without line breaks (a long value may wrap anywhere)."""
    return "".join(text_of(data).split())


@pytest.fixture(autouse=True)
def _frozen_day(frozen):
    with frozen(DAY):
        yield


# --- the list entry decision notice -------------------------------------------------------------


def test_list_entry_notice_states_the_decision(make):
    entry = make.entry("in_publicity", reason="在岳阳至临湘高速公路项目中转包、违法分包。")
    data, document = make.issued("list_entry", entry)
    text = squeezed(data)
    assert document.number.startswith("湘交信列决〔2026〕第") and document.number.endswith("号")
    for expected in ("列入名单决定书", document.number, entry.subject.name, entry.subject.identifier,
                     "在岳阳至临湘高速公路项目中转包、违法分包。", entry.legal_basis, entry.decision_number,
                     "失信联合惩戒对象名单（黑名单）", entry.category.name, "湖南省交通运输厅基建处", "2026年6月1日",
                     "公示期", "特此告知", operations.verify_url(document.verification_code)):
        assert "".join(expected.split()) in text, expected
    for measure in entry.measures:
        assert measure.description in text


@pytest.mark.parametrize(("validity", "repair", "validity_text", "repair_text"), [
    (36, 12, "自公示期满正式发布之日起3年", "列入名单满1年后"),
    (18, 3, "自公示期满正式发布之日起18个月", "列入名单满3个月后"),
])
def test_list_entry_notice_states_periods_in_months_and_years(make, db, validity, repair, validity_text,
                                                              repair_text):
    entry = make.entry("in_publicity")
    entry.category.validity_months, entry.category.repair_min_months = validity, repair
    db.session.flush()
    text = squeezed(make.issued("list_entry", entry)[0])
    assert validity_text in text and repair_text in text


def _issued_in_days(db, document, validity_days: int = 1095, repair_days: int = 365):
    """Restate an issued notice's content as notices issued before the months migration held it."""
    content = document.content
    del content["validity_months"], content["repair_min_months"]
    content.update(validity_days=validity_days, repair_min_days=repair_days)
    document.content_json = operations.canonical_json(content)
    document.content_hash = operations.content_hash(content)
    db.session.flush()


def test_a_notice_issued_in_days_still_prints_and_verifies(make, client, db):
    entry = make.entry("published")
    _, document = make.issued("list_entry", entry)
    _issued_in_days(db, document)
    text = squeezed(operations.render_document(document))
    assert "自公示期满正式发布之日起3年" in text and "列入名单满1年后" in text
    html = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "unchanged since this document was issued" in html   # 1095 days were restated as 36 months
    entry.category.validity_months = 24
    db.session.flush()
    html = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "has changed since this document was issued" in html


def test_a_notice_issued_in_odd_days_prints_them(make, db):
    _, document = make.issued("list_entry", make.entry("published"))
    _issued_in_days(db, document, validity_days=1000, repair_days=180)
    text = squeezed(operations.render_document(document))
    assert "自公示期满正式发布之日起1000日" in text and "列入名单满180日后" in text


@pytest.mark.parametrize("status", ["draft", "pending_review"])
def test_no_notice_for_an_entry_not_yet_approved(make, status):
    from registry.core.errors import InvalidTransition

    entry = make.entry(status)
    with pytest.raises(InvalidTransition):
        make.issued("list_entry", entry)
    assert count(IssuedDocument) == 0


def test_issuing_again_for_the_same_content_returns_the_same_document(make, db):
    entry = make.entry("in_publicity")
    first_pdf, first = make.issued("list_entry", entry)
    # Publication after the publicity period does not change the decision the notice states.
    entry.status, entry.valid_from, entry.valid_until = EntryStatus.PUBLISHED, DAY, DAY + timedelta(days=30)
    db.session.flush()
    second_pdf, second = make.issued("list_entry", entry)
    assert second.id == first.id
    assert second_pdf == first_pdf  # regenerated from the stored content: byte-identical
    assert operations.render_document(db.session.get(IssuedDocument, first.id)) == first_pdf


def test_a_changed_record_keeps_its_decision_notice_and_verify_says_so(make, db, client):
    entry = make.entry("in_publicity")
    first_pdf, first = make.issued("list_entry", entry)
    entry.reason = "更正后的认定事由。"
    db.session.flush()
    data, again = make.issued("list_entry", entry)
    assert again.id == first.id and data == first_pdf  # never re-issued, never re-dated
    assert "更正后的认定事由" not in text_of(data)
    html = client.get(f"/verify/{first.verification_code}?lang=en").get_data(as_text=True)
    assert "has changed since this document was issued" in html


def test_a_removed_entry_gives_back_its_last_notice(make, db):
    entry = make.entry("published")
    _, issued = make.issued("list_entry", entry)
    entry.status, entry.removal_reason, entry.removal_date = EntryStatus.REMOVED, RemovalReason.REPAIRED, DAY
    db.session.flush()
    _, again = make.issued("list_entry", entry)
    assert again.id == issued.id


def test_a_huge_reason_wraps_over_pages(make):
    entry = make.entry("in_publicity", reason="该单位在多个项目中存在严重违法违规行为，" * 600,
                       subject=make.subject(name="湖南" + "超长名称建设工程" * 20 + "有限公司"))
    data, _ = make.issued("list_entry", entry)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 2
    assert f"共 {len(reader.pages)} 页" in reader.pages[0].extract_text()


# --- verification -------------------------------------------------------------------------------


def test_verification_before_and_after_removal_by_repair(make, client, db):
    entry = make.entry("published")
    _, document = make.issued("list_entry", entry)
    page = client.get(f"/verify/{document.verification_code}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert document.number in html and entry.decision_number in html
    assert "unchanged since this document was issued" in html

    entry.status, entry.removal_reason, entry.removal_date = EntryStatus.REMOVED, RemovalReason.REPAIRED, DAY
    db.session.flush()
    html = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "has changed since this document was issued" in html
    assert "after credit repair" in html and DAY.isoformat() in html


def test_verification_accepts_the_code_as_printed(make, client):
    _, document = make.issued("list_entry", make.entry("in_publicity"))
    printed = "-".join(document.verification_code[i:i + 4] for i in range(0, 16, 4)).lower()
    assert client.get(f"/verify/{printed}").status_code == 200


@pytest.mark.parametrize("code", ["0000000000000000", "ABC", "x" * 200, "%3Cscript%3E", "----"])
def test_unknown_or_malformed_code_is_a_plain_404(make, client, code):
    _, document = make.issued("list_entry", make.entry("in_publicity"))
    response = client.get(f"/verify/{code}?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Document not found" in html
    assert document.number not in html and document.verification_code not in html


# --- officer download ---------------------------------------------------------------------------


def test_officer_downloads_the_notice_of_their_unit(make, login, client):
    entry = make.entry("in_publicity", unit="JJC")
    login("clerk", unit="JJC")
    response = client.get(f"/officer/documents/list_entry/{entry.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert entry.decision_number in squeezed(response.data)
    document = IssuedDocument.query.one()
    assert document.issued_by_id is not None and document.unit_id == entry.unit_id


def test_officer_of_another_unit_gets_404_and_the_public_a_sign_in(make, login, client):
    entry = make.entry("in_publicity", unit="JJC")
    assert client.get(f"/officer/documents/list_entry/{entry.id}.pdf").status_code == 302
    login("reviewer", unit="FGC")
    assert client.get(f"/officer/documents/list_entry/{entry.id}.pdf").status_code == 404
    assert client.get("/officer/documents/no_such_kind/1.pdf").status_code == 404
    assert client.get("/officer/documents/credit_report/1.pdf").status_code == 404
    assert count(IssuedDocument) == 0


def test_a_draft_has_no_notice_to_download(make, login, client):
    entry = make.entry("draft", unit="JJC")
    login("clerk", unit="JJC")
    assert client.get(f"/officer/documents/list_entry/{entry.id}.pdf").status_code == 409


# --- the credit report --------------------------------------------------------------------------


def test_credit_report_lists_only_public_records(make, db):
    disclosure = make.disclosure("published", violation_facts="凌晨在G4京港澳高速超限运输")
    subject = db.session.get(Subject, disclosure.subject_id)
    published = make.entry("published", subject=subject, reason="公开的认定事由")
    make.entry("draft", subject=subject, reason="草稿中的认定事由")
    make.entry("pending_review", subject=subject, reason="待核查的认定事由")
    make.entry("withdrawn", subject=subject, reason="已撤回的认定事由")
    make.disclosure("draft", party_identifier=valid_uscc(), violation_facts="未发布的违法事实")
    data, document = make.credit_report(subject)
    text = squeezed(data)
    for expected in ("信用报告", subject.name, subject.identifier, "公开的认定事由", published.decision_number,
                     "凌晨在G4京港澳高速超限运输", disclosure.decision_number, "2026年6月1日"):
        assert "".join(expected.split()) in text, expected
    for hidden in ("草稿中的认定事由", "待核查的认定事由", "已撤回的认定事由", "未发布的违法事实"):
        assert hidden not in text
    assert document.subject_id == subject.id and document.record_key == subject.identifier


def test_credit_report_masks_a_person_and_names_them_only_with_a_public_record(make, db):
    person = make.subject("person", name="赵六")
    data, _ = make.credit_report(person)
    text = squeezed(data)
    assert person.identifier not in text
    assert person.identifier[:6] + "********" + person.identifier[-4:] in text
    assert "赵六" not in text  # nothing public names them
    assert "未发现该主体" in text

    make.entry("published", subject=person, category="道路运输严重失信")
    data, _ = make.credit_report(person)
    text = squeezed(data)
    assert "赵六" in text and person.identifier not in text


def test_no_record_report_for_an_unknown_identifier(make, client):
    identifier = valid_resident_id()
    response = client.get(f"/report/{identifier}.pdf")
    assert response.status_code == 200
    text = squeezed(response.data)
    assert "截至2026年6月1日" in text and "未发现该主体" in text
    assert identifier not in text
    assert "湘交信报〔2026〕第" in text


@pytest.mark.parametrize("bad", ["91430100MA0000001A", "hello", "4301021985061212X9"])
def test_report_for_an_invalid_identifier_is_404(client, bad):
    assert client.get(f"/report/{bad}.pdf").status_code == 404
    assert count(IssuedDocument) == 0


def test_credit_report_is_issued_once_per_content_and_again_when_records_change(make, db, frozen):
    subject = make.subject()
    _, first = make.credit_report(subject)
    _, again = make.credit_report(subject)
    assert again.id == first.id
    with frozen(DAY + timedelta(days=30)):
        _, next_month = make.credit_report(subject)
    assert next_month.id == first.id and next_month.number == first.number  # nothing changed
    make.entry("in_publicity", subject=subject)
    _, changed = make.credit_report(subject)
    assert changed.id != first.id and changed.serial == first.serial + 1


def test_credit_report_verification_notices_a_new_record(make, client):
    subject = make.subject()
    _, clean = make.credit_report(subject)
    assert "unchanged" in client.get(f"/verify/{clean.verification_code}?lang=en").get_data(as_text=True)
    make.entry("in_publicity", subject=subject)
    html = client.get(f"/verify/{clean.verification_code}?lang=en").get_data(as_text=True)
    assert "has changed" in html


def test_subject_page_links_the_report_and_the_report_downloads(make, client):
    subject = make.subject()
    make.entry("published", subject=subject)
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert f"/subjects/{subject.id}/report.pdf" in page
    response = client.get(f"/subjects/{subject.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert subject.name in squeezed(response.data)
    assert client.get("/subjects/999999/report.pdf").status_code == 404


def test_no_report_by_id_for_a_subject_without_public_records(make, client):
    """Subject ids can be counted through: only subjects with public records have a report page."""
    subject = make.subject()
    make.entry("draft", subject=subject)
    assert client.get(f"/subjects/{subject.id}/report.pdf").status_code == 404
    assert count(IssuedDocument) == 0


def test_a_registered_person_without_public_records_reads_like_an_unknown_identifier(make):
    registered = make.subject("person", name="钱未公")
    make.entry("pending_review", subject=registered)
    data, document = make.credit_report(registered.identifier)
    assert "钱未公" not in squeezed(data) and "—" not in squeezed(data)
    assert document.content["name"] is None and "未发现该主体" in squeezed(data)


def test_a_registered_organisation_without_public_records_is_named_in_its_no_record_report(make, client):
    registered = make.subject(name="登记无记录建设有限公司")
    make.entry("pending_review", subject=registered)
    response = client.get(f"/report/{registered.identifier}.pdf")
    text = squeezed(response.data)
    assert response.status_code == 200 and "主体名称登记无记录建设有限公司" in text
    assert "未发现该主体" in text and "—" not in text


def test_credit_report_pdf_by_identifier_finds_the_subject(make):
    from registry.readmodel.report import credit_report_pdf

    subject = make.subject()
    make.entry("published", subject=subject)
    data, document = credit_report_pdf(" " + subject.identifier.lower())
    assert document.subject_id == subject.id
    assert subject.name in squeezed(data)


def test_issuing_writes_an_audit_event(make, db):
    from registry.core.audit import AuditEvent

    _, document = make.issued("list_entry", make.entry("in_publicity"))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "document.issue",
                                                          AuditEvent.object_id == document.id))
    assert event is not None and document.number in event.details


def test_the_clock_is_frozen_for_these_tests():
    assert clock.today() == DAY
