"""Receipts (回执) of objections and repair applications as PDFs: what was filed, the
receipt number, the date and how to follow the application; verifiable; one document per filing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from registry.applications.targets import target_key
from registry.documents.models import IssuedDocument
from registry.objections.models import Objection
from tests.conftest import count
from tests.factories.core import valid_uscc
from tests.factories.objections import PDF

DAY = date(2026, 6, 1)


def squeezed(data: bytes) -> str:
    return "".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture(autouse=True)
def _frozen_day(frozen):
    with frozen(DAY):
        yield


def _file_objection(client, entry) -> str:
    data = {"record": target_key(entry), "applicant_kind": "organisation", "applicant_name": "湖南回执运输有限公司",
            "applicant_identifier": valid_uscc(), "phone": "0731-88880000", "email": "",
            "grounds": "该处罚决定已被依法撤销。", "files": [(io.BytesIO(PDF), "撤销决定书.pdf")]}
    page = client.post("/objections/new?lang=en", data=data, content_type="multipart/form-data",
                       follow_redirects=True)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    receipt = re.search(r"YY\d{8}-\d{4}", body).group(0)
    assert f"/objections/status/{receipt}/receipt.pdf" in body  # the confirmation offers it at once
    return receipt


def test_the_objection_receipt_states_the_filing_and_how_to_follow_it(client, make, db, app):
    entry = make.entry("published")
    receipt = _file_objection(client, entry)
    status = client.get(f"/objections/status/{receipt}?lang=en").get_data(as_text=True)
    assert "Print the receipt (PDF)" in status
    response = client.get(f"/objections/status/{receipt}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = squeezed(response.data)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    for expected in ("异议申请回执", "湘交信异回〔2026〕第0001号", f"受理编号{receipt}", "申请事项异议申请",
                     "申请人湖南回执运输有限公司", entry.decision_number, "申请事由该处罚决定已被依法撤销。",
                     "提交材料1份：撤销决定书.pdf", "提交日期2026年6月1日", f"{base}/objections/status",
                     "查询码"):
        assert expected in text, expected
    objection = db.session.scalar(sa.select(Objection))
    document = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.kind == "objection_receipt"))
    assert document.record_id == objection.id and document.subject_id == entry.subject_id
    # verifiable, and unchanged while the objection is handled
    assert client.get(f"/verify/{document.verification_code}?lang=en").status_code == 200
    from registry.objections import operations as ops

    ops.accept(objection, make.user("clerk", unit=objection.unit.code), objection.version)
    db.session.flush()
    assert objection.status.value == "accepted"
    again = client.get(f"/objections/status/{receipt}/receipt.pdf")
    assert "湘交信异回〔2026〕第0001号" in squeezed(again.data)
    assert count(IssuedDocument) == 1
    assert "unchanged" in client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)


def test_the_repair_receipt_lists_the_documents_filed(make, db, client):
    entry = make.repairable_entry()
    application, _code = make.repair(entry, statement="已缴清罚款并完成整改。")
    data, document = make.issued("repair_receipt", application)
    text = squeezed(data)
    for expected in ("信用修复申请回执", "湘交信修回〔2026〕第0001号", f"受理编号{application.receipt_number}",
                     "申请事项信用修复申请", "申请事由已缴清罚款并完成整改。", "提交材料3份：application_form.pdf",
                     "commitment_letter.pdf", "/repairs/status"):
        assert expected in text, expected
    assert document.record_id == application.id


def test_the_receipt_needs_the_access_code(client, make, db):
    objection, code = make.objection()
    path = f"/objections/status/{objection.receipt_number}/receipt.pdf"
    assert client.get(path).status_code == 404  # this browser has not shown the code
    assert count(IssuedDocument) == 0
    client.post("/objections/status", data={"receipt_number": objection.receipt_number, "access_code": code})
    assert client.get(path).status_code == 200


def test_officers_of_the_handling_unit_reprint_the_receipt(client, make, db, login):
    objection, _code = make.objection()
    login("clerk", unit=objection.unit.code)
    page = client.get(f"/objections/officer/{objection.id}").get_data(as_text=True)
    path = f"/officer/documents/objection_receipt/{objection.id}.pdf"
    assert path in page
    response = client.get(path)
    assert response.status_code == 200 and f"受理编号{objection.receipt_number}" in squeezed(response.data)
    other = "CS" if objection.unit.code != "CS" else "JJC"
    login("clerk", unit=other)
    assert client.get(path).status_code == 404
