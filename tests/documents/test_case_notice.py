"""联合奖惩案例通报: issued for published cases only, states the case, verifiable."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from registry.cases.models import CaseStatus
from registry.core.errors import RegistryError
from registry.documents import operations

DAY = date(2026, 6, 1)


def text_of(data: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture(autouse=True)
def _frozen_day(frozen):
    with frozen(DAY):
        yield


def test_case_notice_states_the_case(make):
    case = make.case(effect="否决其在某高速公路项目中的投标资格，节约财政资金约三百万元。")
    data, document = operations.document_pdf("case", case, actor=make.user("clerk"))
    text = text_of(data)
    assert "联合奖惩案例通报" in text and "典型案例" not in text
    assert case.entry.decision_number in text and "否决其在某高速公路项目中的投标资格" in text
    assert case.entry.subject.name in text
    assert document.kind == "case" and document.record_id == case.id


@pytest.mark.parametrize("status", [CaseStatus.DRAFT, CaseStatus.PENDING_REVIEW])
def test_no_notice_before_publication(make, status):
    case = make.case(status)
    with pytest.raises(RegistryError):
        operations.document_pdf("case", case, actor=make.user("clerk"))


def test_officer_downloads_it_from_the_case_page(client, login, make):
    officer = login("clerk")
    case = make.case(unit=officer.unit.code)
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    link = f"/officer/documents/case/{case.id}.pdf"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
