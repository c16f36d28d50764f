"""Identifiers typed in full-width or other scripts' digits, on every input path.

Typed as ``９１４３…`` or ``٤٣٠١…``, an identifier names the same subject as its ASCII form: it
finds the registered subject and never registers a second one beside it (whose black-list entry
the credit check of the real number would not see).  Each path is tested through its own
entrance: officer forms, CSV and XLSX imports, the API (single and batch), the objection and
repair applications, the public and officer searches.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from registry.applications.targets import target_key
from registry.core import clock
from registry.disclosures.imports import COLUMNS, import_disclosures
from registry.disclosures.models import Disclosure
from registry.evaluations import importing as evaluation_import
from registry.listing.models import EntryStatus, ListEntry
from registry.objections.models import Objection
from registry.repairs.models import RepairApplication
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories.core import valid_resident_id, valid_uscc
from tests.factories.disclosures import AUTHORITY_USCC
from tests.factories.objections import PDF


def wide(text: str) -> str:
    """``text`` as a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def arabic(text: str) -> str:
    """``text`` with Arabic-Indic digits (٠١٢…), which NFKC leaves as they are."""
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


DRESSES = pytest.mark.parametrize("dress", [wide, arabic], ids=["full-width", "arabic-indic"])


def subjects() -> int:
    return count(Subject)


@pytest.fixture
def firm(make):
    return make.subject("organisation", name="湖南宽字路桥有限公司")


@pytest.fixture
def person(make):
    return make.subject("person", name="王宽")


# --- officer forms ------------------------------------------------------------------------


@DRESSES
def test_subject_form_finds_the_registered_subject_and_stores_new_ones_in_ascii(client, login, db, firm, dress):
    login("clerk")
    before = subjects()
    again = client.post("/officer/subjects/new?lang=en", data={
        "kind": "organisation", "identifier": dress(firm.identifier), "name": "另一个名字",
        "legal_representative": "", "owner_identifier": ""})
    assert again.status_code == 200 and "already registered" in again.get_data(as_text=True)
    assert subjects() == before
    number = valid_resident_id()
    created = client.post("/officer/subjects/new", data={
        "kind": "person", "identifier": dress(number), "name": "李新", "legal_representative": "",
        "owner_identifier": ""})
    assert created.status_code == 302
    assert db.session.scalar(sa.select(Subject.identifier).where(Subject.name == "李新")) == number


@DRESSES
def test_list_entry_form_attaches_the_entry_to_the_registered_subject(client, login, make, db, firm, dress):
    login("clerk")
    category = make.category()
    before = subjects()
    response = client.post("/officer/entries/new", data={
        "subject_kind": "organisation", "subject_identifier": dress(firm.identifier), "subject_name": "",
        "list_kind": "black", "category_id": str(category.id), "measure_ids": [str(m.id) for m in category.measures],
        "reason": "弄虚作假", "legal_basis": "《公路建设市场信用信息管理办法》", "decision_number": "湘交〔2026〕宽1号",
        "decision_date": (clock.today() - timedelta(days=2)).isoformat(), "valid_until": ""})
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(ListEntry).where(ListEntry.decision_number == "湘交〔2026〕宽1号"))
    assert entry.subject_id == firm.id and subjects() == before


@DRESSES
def test_disclosure_form_attaches_to_the_registered_party_and_stores_ascii(client, login, db, frozen, person, dress):
    login("clerk")
    before = subjects()
    with frozen(date(2026, 10, 9)):
        response = client.post("/officer/disclosures/new", data={
            "kind": "penalty", "party_name": "王宽", "party_category": "person", "legal_representative": "",
            "party_identifier": dress(person.identifier), "decision_number": "湘交罚〔2026〕宽2号",
            "decision_date": "2026-09-30", "authority_name": "湖南省交通运输厅",
            "authority_uscc": dress(AUTHORITY_USCC), "source_unit_name": "基建处", "violation_type": "超限",
            "violation_facts": "超限运输", "legal_basis": "条例", "penalty_type": "fine", "penalty_content": "罚款",
            "fine_amount": "0.5", "severity": "general"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    disclosure = db.session.scalar(sa.select(Disclosure).where(Disclosure.decision_number == "湘交罚〔2026〕宽2号"))
    assert disclosure.subject_id == person.id and subjects() == before
    assert (disclosure.party_identifier, disclosure.authority_uscc) == (person.identifier, AUTHORITY_USCC)


# --- imports ------------------------------------------------------------------------------


def _disclosure_rows(firm_identifier: str, person_identifier: str) -> list[dict]:
    common = {"类别": "行政处罚", "违法行为类型": "超限运输", "违法事实": "超限", "处罚依据": "《公路安全保护条例》",
              "处罚类别": "罚款", "处罚内容": "罚款五千元", "罚款金额（万元）": "0.5", "违法情节": "一般",
              "决定日期": "2026-09-30", "决定机关": "湖南省交通运输厅", "数据来源单位": "基建处",
              "决定机关统一社会信用代码": wide(AUTHORITY_USCC)}
    return [
        {**common, "行政相对人名称": "湖南宽字路桥有限公司", "行政相对人类别": "法人及非法人组织",
         "统一社会信用代码或身份证号码": firm_identifier, "法定代表人": "赵六", "决定书文号": "湘交罚〔2026〕宽3号"},
        {**common, "行政相对人名称": "王宽", "行政相对人类别": "自然人", "法定代表人": "",
         "统一社会信用代码或身份证号码": person_identifier, "决定书文号": "湘交罚〔2026〕宽4号"},
    ]


def _table(rows: list[dict], header: list[str], filename: str) -> bytes:
    if filename.endswith(".xlsx"):
        workbook = Workbook()
        workbook.active.append(header)
        for row in rows:
            workbook.active.append([row.get(name, "") for name in header])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([row.get(name, "") for name in header] for row in rows)
    return text.getvalue().encode("utf-8-sig")


@DRESSES
@pytest.mark.parametrize("filename", ["f.csv", "f.xlsx"])
def test_disclosure_import_finds_the_registered_subjects(make, db, frozen, firm, person, dress, filename):
    clerk = make.user("clerk")
    rows = _disclosure_rows(dress(firm.identifier), dress(person.identifier))
    data = _table(rows, [column.header for column in COLUMNS], filename)
    with frozen(date(2026, 10, 9)):
        result = import_disclosures(data, filename, unit_id=clerk.unit_id, actor=clerk)
    assert result.count == 2 and result.new_subjects == 0
    stored = db.session.execute(sa.select(Disclosure.subject_id, Disclosure.party_identifier, Disclosure.authority_uscc)
                                .where(Disclosure.id.in_(result.ids)).order_by(Disclosure.decision_number)).all()
    assert {tuple(row) for row in stored} == {(firm.id, firm.identifier, AUTHORITY_USCC),
                                               (person.id, person.identifier, AUTHORITY_USCC)}


@DRESSES
@pytest.mark.parametrize("filename", ["e.csv", "e.xlsx"])
def test_evaluation_import_finds_the_registered_subject(make, db, frozen, firm, dress, filename):
    header = [column.header for column in evaluation_import.COLUMNS]
    row = dict(zip(header, [dress(firm.identifier), firm.name, "公路建设", "2025", "A", "88", "湖南省交通运输厅",
                            "2026-03-31", "", "否", ""], strict=True))
    before = subjects()
    with frozen(date(2026, 5, 1)):
        result = evaluation_import.import_evaluations(_table([row], header, filename), filename,
                                                      actor=make.user("clerk"))
    assert (result.created, result.new_subjects) == (1, 0) and subjects() == before


# --- the API ------------------------------------------------------------------------------


@pytest.fixture
def api(client, make):
    _row, raw = make.api_key()

    def call(method: str, path: str, **kwargs):
        return client.open(path, method=method, headers={"X-API-Key": raw}, **kwargs)

    return call


@DRESSES
def test_api_credit_check_of_a_dressed_identifier_sees_the_black_list_entry(api, make, firm, person, dress):
    for subject in (firm, person):
        make.entry(EntryStatus.PUBLISHED, subject=subject)
        answer = api("GET", f"/api/v1/credit/{dress(subject.identifier)}").get_json()
        assert answer["found"] and answer["black_list"] and answer["subject"]["identifier"] == subject.public_identifier


@DRESSES
def test_api_batch_of_dressed_identifiers_sees_the_black_list_entries(api, make, firm, person, dress):
    make.entry(EntryStatus.PUBLISHED, subject=firm)
    make.entry(EntryStatus.PUBLISHED, subject=person)
    response = api("POST", "/api/v1/credit/batch",
                   json={"identifiers": [dress(firm.identifier), dress(person.identifier)]})
    assert [item["result"]["black_list"] for item in response.get_json()["results"]] == [True, True]


# --- applications -------------------------------------------------------------------------


@DRESSES
def test_objection_finds_the_record_and_stores_the_applicant_in_ascii(client, make, db, firm, dress):
    entry = make.entry("published", subject=firm)
    chooser = client.get(f"/objections/new?identifier={dress(firm.identifier)}&lang=en").get_data(as_text=True)
    assert target_key(entry) in chooser
    applicant = valid_uscc()
    response = client.post("/objections/new?lang=en", content_type="multipart/form-data", data={
        "record": target_key(entry), "applicant_kind": "organisation", "applicant_name": firm.name,
        "applicant_identifier": dress(applicant), "phone": "0731-88880000", "email": "",
        "grounds": "该记录认定有误。", "files": [(io.BytesIO(PDF), "证据.pdf")]})
    assert response.status_code == 302  # to the page after filing
    assert db.session.scalar(sa.select(Objection.applicant_identifier)) == applicant


@DRESSES
def test_repair_application_stores_the_applicant_in_ascii(client, make, db, dress):
    entry = make.repairable_entry()
    number = valid_resident_id()
    response = client.post("/repairs/new?lang=en", content_type="multipart/form-data", data={
        "record": target_key(entry), "applicant_kind": "person", "applicant_name": "王宽",
        "applicant_identifier": dress(number), "phone": "0731-88880000", "representative_name": "张三",
        "representative_role": "legal_representative", "statement": "已整改。",
        "application_form": (io.BytesIO(PDF), "申请书.pdf"), "commitment_letter": (io.BytesIO(PDF), "承诺书.pdf"),
        "fulfilment_proof": (io.BytesIO(PDF), "履行证明.pdf")})
    assert response.status_code == 302  # to the page after filing
    assert db.session.scalar(sa.select(RepairApplication.applicant_identifier)) == number


# --- searches -----------------------------------------------------------------------------


@DRESSES
def test_public_search_finds_the_subject(client, firm, person, dress):
    for subject in (firm, person):
        response = client.get("/", query_string={"q": dress(subject.identifier)})
        assert response.status_code == 302 and response.location.endswith(f"/subjects/{subject.id}")


@DRESSES
def test_officer_search_finds_the_subject(client, login, firm, dress):
    login("clerk")
    response = client.get("/officer/subjects/", query_string={"q": dress(firm.identifier)})
    assert response.status_code == 302 and response.location.endswith(f"/officer/subjects/{firm.id}")


def test_a_dressed_plate_finds_the_vehicle(client, make):
    vehicle = make.subject("vehicle", identifier="湘A12345")
    response = client.get("/", query_string={"q": "湘" + wide("A12345")})
    assert response.status_code == 302 and response.location.endswith(f"/subjects/{vehicle.id}")
