"""Who issues a notice, and the remedies it names: unit settings, audited.

The expected texts are the law's, written out here: reconsideration within 60 days
(《行政复议法》2023年修订) to the body the unit names, a lawsuit within 6 months (《行政诉讼法》
第四十六条) at the court it names; divisions issue as 湖南省交通运输厅, city bureaus in their name.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from registry.accounts import operations as accounts
from registry.accounts.models import Unit
from registry.core.audit import AuditEvent
from registry.core.errors import ValidationFailed
from registry.documents import operations
from tests.conftest import count

DAY = date(2026, 6, 1)


def squeezed(data: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture(autouse=True)
def _frozen_day(frozen):
    with frozen(DAY):
        yield


@pytest.mark.parametrize(("code", "name", "body", "court"), [
    ("JJC", "湖南省交通运输厅", "湖南省人民政府", "长沙铁路运输法院"),
    ("YSC", "湖南省交通运输厅", "湖南省人民政府", "长沙铁路运输法院"),
    ("CS", "长沙市交通运输局", "长沙市人民政府", "长沙铁路运输法院"),
    ("HY", "衡阳市交通运输局", "衡阳市人民政府", "衡阳铁路运输法院"),
    ("YY", "岳阳市交通运输局", "岳阳市人民政府", "岳阳市有管辖权的人民法院"),
    ("XX", "湘西州交通运输局", "湘西土家族苗族自治州人民政府", "湘西州有管辖权的人民法院"),
])
def test_units_are_seeded_with_their_issuer(make, code, name, body, court):
    unit = make.unit(code)
    assert (unit.issuing_name, unit.seal_text, unit.reconsideration_body, unit.court) == (name, name, body, court)


def test_a_division_issues_in_the_departments_name_with_the_division_as_handling_unit(make):
    data, document = make.issued("list_entry", make.entry("in_publicity", unit="JJC"))
    text = squeezed(data)
    assert operations.document_meta(document).issuing_unit == "湖南省交通运输厅"
    assert "承办单位：湖南省交通运输厅基建处" in text
    # the signature line is the department's, not the division's: the division appears only as 承办单位
    assert text.count("湖南省交通运输厅基建处") == 1
    assert "可依法申请行政复议或者提起行政诉讼" not in text
    assert ("你单位如对本决定不服，可以自收到本决定之日起六十日内，依照《中华人民共和国行政复议法》"
            "向湖南省人民政府申请行政复议；也可以自收到本决定之日起六个月内，依照《中华人民共和国行政诉讼法》"
            "第四十六条的规定，向长沙铁路运输法院提起行政诉讼。") in text


def test_a_city_bureau_issues_in_its_own_name(make):
    data, document = make.issued("list_entry", make.entry("in_publicity", unit="CS"))
    text = squeezed(data)
    assert operations.document_meta(document).issuing_unit == "长沙市交通运输局"
    assert "承办单位" not in text
    assert "向长沙市人民政府申请行政复议" in text and "向长沙铁路运输法院提起行政诉讼" in text


def test_application_decisions_name_the_remedies(app, db, make):
    from datetime import UTC, datetime

    from registry.applications.notices import render_application
    from registry.core import pdf
    from registry.documents.printing import issuer

    content = {"receipt_number": "YY20260601-0001", "kind_cn": "异议",
               "applicant": {"name": "某公司", "kind": "organisation", "identifier": "x"},
               "record": {"type": "list_entry", "title": "t", "subject": "某公司"}, "filed_on": "2026-05-20",
               "decided_on": "2026-06-01", "result": "异议成立", "effect": None, "reasons": "理由。",
               "issuer": issuer(make.unit("CS"))}
    meta = pdf.DocumentMeta(title="异议处理答复书", number="n", issuing_unit="长沙市交通运输局",
                            issued_at=datetime(2026, 6, 1, tzinfo=UTC), verification_code="0" * 16, verify_url="u")
    text = squeezed(pdf.render_pdf(meta, render_application(content, meta, pdf.styles())))
    assert ("你（单位）如对本答复不服，可以自收到本答复之日起六十日内，依照《中华人民共和国行政复议法》"
            "向长沙市人民政府申请行政复议；也可以自收到本答复之日起六个月内") in text
    assert "第四十六条的规定，向长沙铁路运输法院提起行政诉讼。" in text
    legacy = {key: value for key, value in content.items() if key != "issuer"} | {"issuing_unit": "长沙市交通运输局"}
    assert "如对本答复不服，可依法申请行政复议或者提起行政诉讼。" in squeezed(
        pdf.render_pdf(meta, render_application(legacy, meta, pdf.styles())))  # as it was issued


def test_the_admin_sets_a_units_issuer_and_it_is_audited(make, client, login, db):
    admin = login("admin", unit="FGC")
    unit = make.unit("YY")
    before = count(AuditEvent)
    response = client.post(f"/admin/units/{unit.id}", data={
        "issuing_name": " 岳阳市交通运输局 ", "seal_text": "岳阳市交通运输局", "document_prefix": "岳交",
        "reconsideration_body": "岳阳市人民政府", "court": "岳阳市岳阳楼区人民法院"})
    assert response.status_code == 302
    db.session.refresh(unit)
    assert unit.court == "岳阳市岳阳楼区人民法院" and unit.issuing_name == "岳阳市交通运输局"
    assert count(AuditEvent) == before + 1
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.action, event.object_type, event.object_id, event.actor_id) == ("unit.update", "units", unit.id,
                                                                                  admin.id)
    assert event.details_dict == {"from": {"court": "岳阳市有管辖权的人民法院"},
                                  "to": {"court": "岳阳市岳阳楼区人民法院"}}
    text = squeezed(make.issued("list_entry", make.entry("in_publicity", unit="YY"))[0])
    assert "向岳阳市岳阳楼区人民法院提起行政诉讼" in text


def test_a_notice_issued_before_a_settings_change_still_verifies_unchanged(make, db):
    _, document = make.issued("list_entry", make.entry("in_publicity", unit="JJC"))
    values = {"issuing_name": "湖南省交通运输厅", "seal_text": "湖南省交通运输厅", "document_prefix": "湘交",
              "reconsideration_body": "湖南省人民政府", "court": "长沙市天心区人民法院"}
    accounts.update_unit_issuer(make.unit("JJC"), values, actor=None)
    assert operations.verify(document.verification_code).changed is False
    assert document.content["issuer"]["court"] == "长沙铁路运输法院"  # the issued notice keeps what it said


def test_saving_unchanged_settings_records_nothing(make):
    unit = make.unit("CS")
    values = {key: getattr(unit, key) for key in ("issuing_name", "seal_text", "document_prefix",
                                                  "reconsideration_body", "court")}
    before = count(AuditEvent)
    assert accounts.update_unit_issuer(unit, values, actor=None) is False
    assert count(AuditEvent) == before


@pytest.mark.parametrize(("field", "value"), [("issuing_name", "   "), ("court", "法" * 101),
                                              ("reconsideration_body", "")])
def test_a_blank_or_too_long_setting_is_refused_at_its_field(make, client, login, db, field, value):
    login("admin", unit="FGC")
    unit = make.unit("CS")
    data = {"issuing_name": "长沙市交通运输局", "seal_text": "长沙市交通运输局", "document_prefix": "长交",
            "reconsideration_body": "长沙市人民政府", "court": "长沙铁路运输法院", field: value}
    before = count(AuditEvent)
    response = client.post(f"/admin/units/{unit.id}", data=data)
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert count(AuditEvent) == before
    db.session.refresh(unit)
    assert unit.court == "长沙铁路运输法院" and unit.issuing_name == "长沙市交通运输局"


def test_the_operation_refuses_blank_text_too(make):
    with pytest.raises(ValidationFailed) as refused:
        accounts.update_unit_issuer(make.unit("CS"), {"issuing_name": "x", "seal_text": "x", "document_prefix": "x",
                                                      "reconsideration_body": "x", "court": " "}, actor=None)
    assert refused.value.field == "court"


def test_the_database_refuses_a_blank_issuer(make, db):
    unit = make.unit("CS")
    unit.court = " "
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.flush()


@pytest.mark.parametrize(("role", "get_status", "post_status"), [("auditor", 200, 403), ("clerk", 403, 403)])
def test_only_the_admin_changes_settings(make, client, login, db, role, get_status, post_status):
    login(role, unit="XXZX" if role == "auditor" else "JJC")
    unit = make.unit("CS")
    assert client.get(f"/admin/units/{unit.id}").status_code == get_status
    response = client.post(f"/admin/units/{unit.id}", data={
        "issuing_name": "别名", "seal_text": "别名", "reconsideration_body": "x", "court": "y"})
    assert response.status_code == post_status
    db.session.refresh(unit)
    assert unit.issuing_name == "长沙市交通运输局"


def test_the_units_page_links_each_unit_and_shows_its_issuer(make, client, login):
    login("admin", unit="FGC")
    page = client.get("/admin/units").get_data(as_text=True)
    assert f'/admin/units/{make.unit("CS").id}"' in page
    assert "长沙铁路运输法院" in page and "湘西土家族苗族自治州人民政府" in page
    assert client.get("/admin/units/2147483647").status_code == 404


def test_a_unit_created_without_settings_gets_its_kinds_defaults(db):
    unit = Unit(code="TST", name="测试市交通运输局", kind="city", city_code="4399")
    db.session.add(unit)
    db.session.flush()
    assert (unit.issuing_name, unit.reconsideration_body) == ("测试市交通运输局", "测试市人民政府")
