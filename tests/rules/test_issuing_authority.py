"""One authority per document, and no internal division speaking to the public.

The expected texts are written here from the rules the documents follow: a city bureau decides
and issues in its own name (《行政处罚法》, 《行政复议法》2023 art. 24: reconsideration before the
people's government at the level of the deciding department, here 长沙市人民政府; 长沙's first-instance
administrative cases go to 长沙铁路运输法院); a division of the department is an internal body, so
the department 湖南省交通运输厅 decides and issues, with the division at most as 承办单位.  The PDFs
are read back with pdftotext.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.accounts import operations as accounts
from registry.accounts.models import Unit
from registry.core.audit import AuditEvent
from registry.core.errors import ValidationFailed
from registry.documents import operations as documents
from registry.documents.models import IssuedDocument
from registry.extensions import db
from registry.listing import operations as listing_ops
from registry.listing.corrections import correct_deciding_units
from registry.objections import operations as objection_ops
from registry.readmodel.report import credit_report_pdf
from registry.repairs import operations as repair_ops

DAY = date(2026, 10, 9)
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


@pytest.fixture(autouse=True)
def _day(frozen):
    with frozen(DAY):
        yield


def pdf_text(data: bytes) -> str:
    """The document's text as pdftotext reads it, without white space (lines wrap anywhere)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())


def _approved(make, unit: str, **fields):
    entry = make.entry("pending_review", unit=unit, **fields)
    listing_ops.approve_entry(entry, make.user("reviewer", unit=unit), entry.version)
    return entry


def _notice(kind: str, record):
    document = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.kind == kind,
                                                                 IssuedDocument.record_id == record.id))
    return documents.render_document(document), document


def test_a_city_bureaus_decision_names_the_bureau_throughout(make, client):
    entry = _approved(make, "CS")
    data, document = _notice("list_entry", entry)
    text = pdf_text(data)
    assert text.startswith("长沙市交通运输局列入名单决定书")  # the letterhead, then the title
    assert document.number == "长交信列决〔2026〕第0001号" and document.number in text
    assert "经长沙市交通运输局认定" in text and "认定单位长沙市交通运输局" in text
    assert "向长沙市人民政府申请行政复议" in text and "向长沙铁路运输法院提起行政诉讼" in text
    assert text.count("长沙市交通运输局2026年10月9日") == 1  # the signature over its date
    assert "湖南省交通运输厅" not in text and "湘交" not in text and "承办单位" not in text
    page = client.get(f"/verify/{document.verification_code}?lang=zh_Hans_CN").get_data(as_text=True)
    genuine = page.split('class="verify-genuine">')[1].split("</p>")[0]
    assert genuine == "本文书由长沙市交通运输局通过信用信息管理系统出具。"


def test_a_divisions_decision_is_the_departments_with_the_division_handling(make):
    entry = _approved(make, "JJC")
    text = pdf_text(_notice("list_entry", entry)[0])
    assert text.startswith("湖南省交通运输厅列入名单决定书")
    assert "湘交信列决〔2026〕第0001号" in text
    assert "经湖南省交通运输厅认定" in text and "认定单位湖南省交通运输厅" in text
    assert "承办单位：湖南省交通运输厅基建处" in text
    assert "经基建处认定" not in text and "认定单位基建处" not in text
    assert "向湖南省人民政府申请行政复议" in text and "向长沙铁路运输法院提起行政诉讼" in text


def test_each_authority_numbers_its_own_documents(make):
    changsha = [_approved(make, "CS") for _ in range(2)]
    department = _approved(make, "YSC")
    numbers = [_notice("list_entry", entry)[1].number for entry in (*changsha, department)]
    assert numbers == ["长交信列决〔2026〕第0001号", "长交信列决〔2026〕第0002号", "湘交信列决〔2026〕第0001号"]


def test_objection_and_repair_decisions_and_receipts_of_a_city_name_the_city(make):
    entry = _approved(make, "CS")
    objection, _code = make.objection(entry)
    text = pdf_text(documents.document_pdf("objection_receipt", objection)[0])
    assert text.startswith("长沙市交通运输局") and "长交信异回〔2026〕第0001号" in text
    assert "湖南省交通运输厅" not in text
    clerk, reviewer = make.user("clerk", unit="CS"), make.user("reviewer", unit="CS")
    objection_ops.accept(objection, clerk, objection.version)
    objection_ops.prepare_decision(objection, clerk, objection.version, "dismissed", "认定事实清楚，异议不成立。")
    objection_ops.confirm(objection, reviewer, objection.version)
    text = pdf_text(_notice("objection_decision", objection)[0])
    assert text.startswith("长沙市交通运输局异议处理答复书") and "长交信异复〔2026〕第0001号" in text
    assert "向长沙市人民政府申请行政复议" in text and "湖南省交通运输厅" not in text

    repairable = make.repairable_entry(unit="CS")
    application, _code = make.repair(repairable)
    repair_ops.accept(application, clerk, application.version)
    repair_ops.prepare_decision(application, clerk, application.version, "approved", "已整改到位。")
    repair_ops.confirm(application, reviewer, application.version)
    text = pdf_text(_notice("repair_decision", application)[0])
    assert text.startswith("长沙市交通运输局信用修复决定书") and "长交信修决〔2026〕第0001号" in text
    assert "湖南省交通运输厅" not in text


def test_a_city_bureaus_case_notice_names_the_bureau(make):
    from registry.cases import operations as case_ops

    case = make.case("pending_review", unit="CS", entry=make.published_entry(unit="CS"))
    case_ops.approve_case(case, make.user("reviewer", unit="CS"), case.version)
    text = pdf_text(_notice("case", case)[0])
    assert text.startswith("长沙市交通运输局联合奖惩案例通报") and "长交信案例〔2026〕第0001号" in text
    assert "湖南省交通运输厅" not in text


def test_the_credit_report_is_the_departments_and_names_no_division(make):
    entry = make.entry("published", unit="JJC")
    data, document = credit_report_pdf(entry.subject)
    text = pdf_text(data)
    assert text.startswith("湖南省交通运输厅信用报告") and document.number.startswith("湘交信报〔2026〕第")
    assert "认定单位湖南省交通运输厅" in text and "认定单位基建处" not in text


def test_the_public_page_the_list_csv_and_the_api_name_the_authority(make, client):
    entry = make.entry("published", unit="JJC")
    subject = entry.subject
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "湖南省交通运输厅" in page and "基建处 ·" not in page
    csv_text = client.get("/lists/black.csv").get_data(as_text=True)
    row = next(line for line in csv_text.splitlines() if entry.decision_number in line)
    assert ",湖南省交通运输厅," in row and ",基建处," not in row and "湖南省交通运输厅基建处" in row
    _row, key = make.api_key()
    found = client.get(f"/api/v1/credit/{subject.identifier}", headers={"X-API-Key": key}).get_json()
    (listed,) = found["list_entries"]
    assert listed["deciding_unit"] == "湖南省交通运输厅" and listed["unit"] == "湖南省交通运输厅基建处"


def test_the_change_feed_names_a_division_under_the_department(make):
    from registry.cases.public import public_payload as case_payload
    from registry.listing.public import public_payload as entry_payload

    entry = make.entry("published", unit="JJC")
    assert entry_payload(entry)["unit"] == "湖南省交通运输厅基建处"
    assert entry_payload(entry)["deciding_unit"] == "湖南省交通运输厅"
    assert case_payload(make.case(entry=entry))["unit"] == "湖南省交通运输厅基建处"
    assert entry_payload(make.entry("published", unit="CS"))["unit"] == "长沙市交通运输局"


def test_the_deciding_unit_is_derived_and_another_is_refused(make):
    clerk = make.user("clerk", unit="CS")
    fields = {"list_kind": "black", "category_id": make.category().id, "reason": "弄虚作假。",
              "legal_basis": "《公路建设市场信用信息管理办法》", "decision_number": "长交信〔2026〕9号",
              "decision_date": date(2026, 10, 1), "measure_ids": []}
    entry = listing_ops.create_entry(actor=clerk, subject=make.subject(), **fields)
    assert entry.deciding_unit == "长沙市交通运输局"
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        listing_ops.create_entry(actor=make.user("clerk", unit="JJC"), subject=make.subject(), **fields,
                                 deciding_unit="基建处")
    assert refused.value.field == "deciding_unit" and "湖南省交通运输厅" in str(refused.value.message)


def test_the_entry_form_shows_the_authority_and_takes_no_free_text(client, login):
    login("clerk", unit="JJC")
    page = client.get("/officer/entries/new?lang=en").get_data(as_text=True)
    assert 'id="deciding-unit"' in page and "湖南省交通运输厅" in page and 'name="deciding_unit"' not in page


def test_the_correction_command_names_the_authority_audited(make, db):
    entry = make.entry("published", unit="JJC", deciding_unit="基建处")
    city = make.entry("published", unit="CS")
    corrected = correct_deciding_units()
    assert corrected == [(entry.id, "基建处", "湖南省交通运输厅")]
    assert entry.deciding_unit == "湖南省交通运输厅" and city.deciding_unit == "长沙市交通运输局"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "list_entry.deciding_unit"))
    assert event.object_id == entry.id and event.details_dict == {"from": "基建处", "to": "湖南省交通运输厅"}
    assert correct_deciding_units() == []


def test_a_notice_issued_with_the_divisions_name_does_not_read_as_changed_after_the_correction(make):
    entry = make.entry("published", unit="JJC", deciding_unit="基建处")
    _data, document = make.issued("list_entry", entry)
    correct_deciding_units()
    assert documents.verify(document.verification_code).changed is False


# --- the unit's issuing settings ----------------------------------------------------------------


def _values(unit: Unit, **changes) -> dict:
    keys = ("issuing_name", "seal_text", "document_prefix", "reconsideration_body", "court")
    return {**{key: getattr(unit, key) for key in keys}, **changes}


def test_the_seeded_prefixes(make):
    prefixes = {unit.code: unit.document_prefix for unit in db.session.scalars(sa.select(Unit))}
    assert {prefixes[code] for code in ("FGC", "JJC", "YSC", "XXZX")} == {"湘交"}
    assert prefixes["CS"] == "长交" and prefixes["XT"] == "潭交" and prefixes["HY"] == "衡交"


def test_a_prefix_changed_on_one_division_changes_for_the_department(make):
    admin = make.user("admin", unit="FGC")
    assert accounts.update_unit_issuer(make.unit("JJC"), _values(make.unit("JJC"), document_prefix="湘交运"), admin)
    divisions = db.session.scalars(sa.select(Unit).where(Unit.issuing_name == "湖南省交通运输厅")).all()
    assert {unit.document_prefix for unit in divisions} == {"湘交运"}
    followers = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.update")).all()
    assert len(followers) == len(divisions)


@pytest.mark.parametrize(("changes", "field"), [
    ({"document_prefix": "长交"}, "document_prefix"),  # 长沙's prefix for the department
    ({"document_prefix": "湘交〔"}, "document_prefix"),
    ({"seal_text": "长沙市交通运输局"}, "seal_text"),  # another authority's seal
])
def test_settings_that_would_mix_two_authorities_are_refused(make, changes, field):
    unit = make.unit("JJC")
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        accounts.update_unit_issuer(unit, _values(unit, **changes), make.user("admin", unit="FGC"))
    assert refused.value.field == field


def test_a_unit_that_joins_an_authority_takes_its_prefix(make):
    unit = make.unit("CS")
    accounts.update_unit_issuer(unit, _values(unit, issuing_name="湖南省交通运输厅", seal_text="湖南省交通运输厅"),
                                make.user("admin", unit="FGC"))
    assert unit.document_prefix == "湘交"
